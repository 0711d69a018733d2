"""Figure 5 theory from the actual random initialisation (per eigen-direction start values).

The paper's theory [eq5]/[C.w] is a scalar flow per eigen-direction from a start ``(w1_0, w2_0)``;
the paper (and :mod:`experiments.linear_figure`) trains from a small *random*, not orthogonal,
initialisation, so the start of direction ``j`` has to be estimated.  In the eigenbasis let
``a_j = W1(0) v_j`` and ``b_j = W2(0)^T v_j`` (H-vectors).  While the weights are small the flow
[3.1b] is linear and decoupled: ``a_j' = lam_j b_j / tau``, ``b_j' = lam_j a_j / tau``, so
``(a_j + b_j) / 2`` grows like ``exp(lam_j t / tau)`` and ``(a_j - b_j) / 2`` dies out; the mapping
``(V^T W2 W1 V)_jj = b_j . a_j`` then follows the *balanced* scalar solution from
``u_j = ||a_j + b_j|| / 2``.  Once a larger-eigenvalue direction ``k`` has been learned, the cubic
terms of [3.1b] remove from ``a_j`` and ``b_j`` their components along the hidden vector of ``k``,
so only the part of ``a_j + b_j`` orthogonal to the earlier directions' start vectors drives
direction ``j``: Gram-Schmidt in eigenvalue order, ``u_j = |R_jj| / 2`` of ``QR([s_1 ... s_H])``
with ``s_j = a_j + b_j`` (``deflate=True``).

Measured on 2000 MNIST images (H = 64, lr = 0.02, 300 epochs, covariance mode, scale 1e-3): the
largest |theory - training| of the mapping for lambda_8 / lambda_16 is 0.236 / 0.225 (AE) with
the balanced ``w1_0 = w2_0 = scale sqrt(H)`` start, 0.063 / 0.048 with ``u_j`` and 0.033 / 0.008
with the deflated ``u_j``.  What remains for lambda_1 and lambda_4 is the gap between gradient
descent and the gradient flow (``lr lam_1 / N = 0.77`` per epoch there), not the start.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import numerics as nm


def effective_start_rotated(b1: NDArray[np.float64], b2: NDArray[np.float64], *,
                            deflate: bool = True) -> NDArray[np.float64]:
    """Balanced start ``u_j`` (``w1_0 = w2_0 = u_j``) of every eigen-direction for random
    weights already rotated into the eigenbasis (``b1 = W1 V``, H x D; ``b2 = V^T W2``, D x H;
    eigenvalues descending); see the module text.  With ``deflate`` the directions beyond the
    ``H``-th get ``u_j = 0`` (no hidden capacity left once the first ``H`` are learned)."""
    s = b1 + b2.T  # H x D, column j = a_j + b_j
    if not deflate:
        return np.linalg.norm(s, axis=0) / 2
    h = min(s.shape)
    u = np.zeros(s.shape[1])
    u[:h] = np.abs(np.diag(np.linalg.qr(s[:, :h], mode="r"))) / 2
    return u


def theory_from_start(model: str, t: NDArray[np.float64], lam: NDArray[np.float64],
                      u: NDArray[np.float64], *, n: int, lr: float, eps: float = 0.0,
                      gamma: float = 0.0) -> NDArray[np.float64]:
    """Mapping of each direction (columns) at epochs ``t`` (rows) from balanced starts ``u``:
    [eq5] (AE: ``eps = 0``; DAE: ``eps = N sigma^2``) or [C.w] (WDAE, eq6's ``gamma``), with
    ``tau = N / lr``.  A direction with ``u_j = 0`` stays at 0 (the origin is a fixed point)."""
    tau = n / lr
    tt = np.asarray(t, dtype=float)[:, None]
    lam_, u_ = np.asarray(lam, dtype=float)[None, :], np.asarray(u, dtype=float)[None, :]
    live = u_ > 0
    safe = np.where(live, u_, 1.0)
    if model == "WDAE":
        w = nm.wdae_w(tt, lam_, gamma, n, safe * safe, tau)
    elif model in ("AE", "DAE"):
        w = nm.dae_w(tt, lam_, eps if model == "DAE" else 0.0, safe, safe, tau)
    else:
        raise ValueError(f"model must be AE, WDAE or DAE, got {model!r}")
    return np.where(live, w, 0.0)
