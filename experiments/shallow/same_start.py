"""Theory and simulation from the same initial weights, on the synthetic spiked model.

The ODE of ``numerics.shallow.ode`` runs on the rotated weights ``alpha = W E``,
``beta = V E / sqrt(D)`` of every eigen-direction.  For the population covariance of the spiked
model (eq. 3) the D - M bulk eigenvalues are all equal (sigma^2), so every bulk mode obeys the
same linear system ``dz/dt = (J0 + rt J1) z`` (step ``RG.ode.weights``) and the bulk enters the
order parameters only through the Gram matrix ``sum_bulk z z^T`` (2K x 2K).  A Gram matrix of
rank at most 2K is the Gram matrix of 2K synthetic modes, so :func:`compress_degenerate`
replaces each group of degenerate modes by (at most) 2K modes carrying the same Gram matrix:
the order parameters, hence the flow and the pmse, are unchanged *exactly* (the trace term of
the pmse, ``tr(Omega) / (2D)``, is restored separately).  The ODE then costs the same at any D.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numerics.shallow.ode import Result


def compress_degenerate(rt: ArrayLike, alpha: ArrayLike, beta: ArrayLike, *,
                        rtol: float = 1e-9) -> tuple[NDArray, NDArray, NDArray, float]:
    """Replace each group of more than 2K modes with equal ``rt`` (relative tolerance
    ``rtol`` of the largest) by 2K modes with the same ``sum z z^T`` (``z = (alpha, beta)``).

    Returns ``(rt_c, alpha_c, beta_c, dropped_trace)`` with ``rt_c`` sorted decreasingly and
    ``dropped_trace = sum(rt) - sum(rt_c)`` (to be added back to the pmse's trace term).
    Each group is factored by :func:`numerics.shallow.ode.compress_flat_bulk`."""
    from numerics.shallow.ode import compress_flat_bulk

    rt = np.asarray(rt, dtype=float)
    al, be = np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float)
    if rt.ndim != 1 or al.shape != be.shape or al.ndim != 2 or al.shape[1] != rt.size:
        raise ValueError(f"rt (N,), alpha and beta (K, N) must agree, got {rt.shape}, "
                         f"{al.shape}, {be.shape}")
    K = al.shape[0]
    scale = max(float(np.max(np.abs(rt))), np.finfo(float).tiny)
    order = np.argsort(-rt, kind="stable")
    rt, al, be = rt[order], al[:, order], be[:, order]
    starts = np.flatnonzero(np.concatenate([[True], np.abs(np.diff(rt)) > rtol * scale]))
    ends = np.append(starts[1:], rt.size)
    out_rt, out_a, out_b = [], [], []
    for s, e in zip(starts, ends, strict=True):
        if e - s <= 2 * K:
            out_rt.append(rt[s:e])
            out_a.append(al[:, s:e])
            out_b.append(be[:, s:e])
            continue
        a_c, b_c = compress_flat_bulk(al[:, s:e], be[:, s:e])
        out_rt.append(np.full(a_c.shape[1], rt[s:e].mean()))
        out_a.append(a_c)
        out_b.append(b_c)
    rt_c = np.concatenate(out_rt)
    return rt_c, np.concatenate(out_a, 1), np.concatenate(out_b, 1), float(rt.sum() - rt_c.sum())


def ode_from_weights(spec: Any, W0: ArrayLike, V0: ArrayLike, times: ArrayLike, *,
                     activation: str = "erf", eta: float = 0.1, truncated: bool = False,
                     rtol: float = 1e-8) -> Result:
    """Integrate the D -> infinity flow from the SGD run's initial weights ``W0``, ``V0``
    (data basis, (K, D)) rotated into the eigenbasis of ``spec`` (a ``Spectrum``;
    ``numerics.shallow.ode.rotate_weights``), on the compressed modes; ``times`` start at 0."""
    from numerics.shallow.ode import integrate, rotate_weights

    W0, V0 = np.asarray(W0, dtype=float), np.asarray(V0, dtype=float)
    al, be = rotate_weights(W0, V0, spec.vectors)
    rt_c, al_c, be_c, dropped = compress_degenerate(spec.rhotilde, al, be)
    t = np.asarray(times, dtype=float)
    res = integrate(rt_c, W0.shape[0], activation, eta, 0.0, truncated, t_eval=t,
                    alpha0=al_c, beta0=be_c, rtol=rtol)
    # the compressed modes carry the bulk's Gram matrix but not its trace: restore it
    return replace(res, pmse=res.pmse + 0.5 * dropped, pca_errors=spec.pca_errors(W0.shape[0]))


def initial_weights(K: int, D: int, seed: int, init_std: float = 0.1
                    ) -> tuple[NDArray, NDArray]:
    """i.i.d. N(0, init_std^2) encoder and decoder weights (K, D) in the data basis (the
    authors' initialisation), from their own stream ``SeedSequence([seed, 7])``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    return (init_std * rng.standard_normal((K, D)), init_std * rng.standard_normal((K, D)))


def record_times(t_max: float, D: int, n: int = 120, t_min: float = 1e-2) -> NDArray:
    """0 and about ``n`` log-spaced times up to ``t_max``, on the step grid (1/D) and at least
    one step apart."""
    if t_max <= 0 or n < 2:
        raise ValueError(f"t_max must be > 0 and n >= 2 (got {t_max}, {n})")
    steps = np.unique(np.rint(np.geomspace(max(t_min, 1.0 / D), t_max, n) * D).astype(int))
    return np.concatenate([[0.0], steps[steps > 0] / D])
