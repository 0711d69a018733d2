"""Online SGD on real images, resumable: the same chunk/checkpoint scheme as
:mod:`experiments.shallow.sgd_runs`, with the inputs drawn (with replacement) from a finite image
set instead of a Gaussian.

Each step takes one image ``x`` uniformly at random from the rows of ``X`` (the paper's online
training on a finite set; Refinetti & Goldt, section 4 "Realistic data") and applies
:func:`numerics.shallow.sgd.sgd_steps` (the simulator's own update: eq. 4, or eq. 23 with
``rule="truncated"``, with the scalings of SHALLOW_MODEL.md).  Chunk ``c`` draws its image
indices from ``chunk_seed(seed, c)``, so a resumed run equals an uninterrupted one.

At every record time the run measures, besides the weights:

- ``pmse``: the reconstruction error on the images, ``mean ||x - xhat||^2 / (2D)`` over the rows
  of ``X_eval`` (default ``X``): the error SGD actually makes on the data;
- ``pmse_gauss``: the population error that the network would have on Gaussian inputs with the
  images' second moment (the ODE's formula, ``numerics.shallow.ode.pmse``, from the rotated
  weights), when a spectrum is given.  ``pmse - pmse_gauss`` is the Gaussian-equivalence gap of
  the error at fixed weights; the ODE-vs-``pmse`` gap adds the gap of the dynamics;
- ``w_norm``, ``v_norm``: the norms ``|w_k|`` and ``|v_k| / sqrt(D)`` per unit;
- ``overlap``: the rotated weights ``w_k . e_tau`` with the first ``n_overlap`` eigenvectors,
  and ``gram`` = ``W W^T`` (with the overlaps: the part of ``e_tau`` in the span of the
  encoder, :func:`subspace_capture`); ``v_overlap``, ``v_gram`` likewise for the decoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from .. import checkpoint
from ..training_loop import Interrupted
from .context import Context
from .sgd_runs import chunk_seed, record_steps

#: images per call of the stepper (bounds the memory of a gathered block)
BLOCK = 4096


def reconstruction_error(X: NDArray, W: NDArray, V: NDArray, b: NDArray | None,
                         activation: str, units: int | None = None,
                         batch: int = 4096) -> NDArray[np.float64]:
    """Per-image ``||x - xhat||^2 / (2D)`` of the rows of ``X`` with encoder ``W`` (K, D),
    decoder rows ``V`` (K, D) and bias ``b`` (K,) or None; ``units``: use only the first
    ``units`` hidden units (the partial reconstruction of Fig. 5(d))."""
    import torch

    from numerics.shallow.sgd import activation_fn  # the simulator's own activation

    D = X.shape[1]
    k = W.shape[0] if units is None else int(units)
    if not 1 <= k <= W.shape[0]:
        raise ValueError(f"units must be in 1..{W.shape[0]}, got {units}")
    Wt = torch.from_numpy(np.ascontiguousarray(W[:k]))
    Vt = torch.from_numpy(np.ascontiguousarray(V[:k]))
    bt = None if b is None else torch.from_numpy(np.asarray(b[:k], dtype=np.float64))
    out = np.empty(X.shape[0])
    with torch.no_grad():
        for i in range(0, X.shape[0], batch):
            x = torch.from_numpy(np.array(X[i:i + batch]))  # a copy: X may be read-only
            lam = x @ Wt.T
            if bt is not None:
                lam = lam + bt
            h = activation_fn(activation, lam / np.sqrt(D))
            out[i:i + batch] = (((x - h @ Vt) ** 2).sum(1) / (2 * D)).numpy()
    if not np.all(np.isfinite(out)):
        raise FloatingPointError("reconstruction error is not finite (SGD diverged?)")
    return out


def reconstruct(X: NDArray, W: NDArray, V: NDArray, b: NDArray | None, activation: str,
                units: int | None = None) -> NDArray[np.float64]:
    """``xhat`` of the rows of ``X`` from the first ``units`` hidden units (all by default)."""
    import torch

    from numerics.shallow.sgd import activation_fn

    D = X.shape[1]
    k = W.shape[0] if units is None else int(units)
    lam = torch.from_numpy(X @ W[:k].T)
    if b is not None:
        lam = lam + torch.from_numpy(np.asarray(b[:k], dtype=np.float64))
    h = activation_fn(activation, lam / np.sqrt(D)).numpy()
    return h @ V[:k]


def subspace_capture(overlap: NDArray, gram: NDArray) -> NDArray[np.float64]:
    """``|P_W e_tau|^2`` for records ``overlap`` (n, K, n_overlap) = ``W e_tau`` and ``gram``
    (n, K, K) = ``W W^T``: how much of eigenvector ``e_tau`` lies in the span of the encoder's
    rows (1: learnt, 0: orthogonal), shape (n, n_overlap)."""
    sol = np.linalg.solve(gram, overlap)
    return np.einsum("nkt,nkt->nt", overlap, sol)


def image_sgd(ctx: Context, name: str, X: NDArray, K: int, times: Sequence[float], *,
              w0: NDArray, v0: NDArray | None = None, bias: NDArray | None = None,
              activation: str = "erf", eta: float = 0.1, rule: str = "vanilla",
              tied: bool = False, tied_gradient: str = "full", kappa: float = 0.0,
              seed: int = 0, chunks: int = 20, X_eval: NDArray | None = None,
              spectrum: Any = None, n_overlap: int = 0) -> dict[str, Any]:
    """Online SGD on the rows of ``X`` (N, D) recorded at ``times`` (``t = steps / D``, starting
    at 0), in ``chunks`` checkpointed chunks; returns the records (``times``, ``pmse``,
    ``pmse_gauss`` when ``spectrum`` is given, ``w_norm``, ``v_norm``, ``overlap``, ``bias``) and
    the final ``W``, ``V``, ``b``.  ``w0``/``v0`` (K, D): the initial weights (``v0`` None when
    tied); ``bias``: None, or the initial bias (K,) (trained)."""
    from numerics.shallow.ode import pmse as ode_pmse
    from numerics.shallow.ode import rotate_weights
    from numerics.shallow.sgd import sgd_steps

    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be a non-empty (N, D) array, got shape {X.shape}")
    N, D = X.shape
    t, steps = record_steps(times, D)
    W0 = np.array(w0, dtype=np.float64)
    if W0.shape != (K, D):
        raise ValueError(f"w0 must have shape ({K}, {D}), got {W0.shape}")
    if tied != (v0 is None):
        raise ValueError("pass v0 for untied weights and only for untied weights")
    Xe = X if X_eval is None else np.ascontiguousarray(X_eval, dtype=np.float64)
    E = None if spectrum is None else spectrum.vectors
    rt = None if spectrum is None else spectrum.rho / D
    opts = dict(activation=activation, eta=eta, rule=rule, kappa=kappa,
                tied_gradient=tied_gradient)
    identity = {**ctx.settings, "part": name, "K": K, "D": D, "N": N, "seed": seed,
                "chunks": chunks, "times": t.tolist(), "tied": tied,
                "bias": None if bias is None else np.asarray(bias, float).tolist(),
                "options": {k: repr(v) for k, v in sorted(opts.items())},
                "w0_sum": float(np.sum(W0)), "X_sum": float(np.sum(X[:, 0]))}
    ck = ctx.checkpoint_path(name)

    def measure(W: NDArray, V: NDArray, b: NDArray | None) -> dict[str, NDArray]:
        rec = {"pmse": np.array([reconstruction_error(Xe, W, V, b, activation).mean()]),
               "w_norm": np.linalg.norm(W, axis=1)[None],
               "v_norm": (np.linalg.norm(V, axis=1) / np.sqrt(D))[None],
               "gram": (W @ W.T)[None]}
        if b is not None:
            rec["bias"] = np.asarray(b)[None]
        if E is not None:
            if b is None:
                al, be = rotate_weights(W, V, E)
                rec["pmse_gauss"] = np.array([ode_pmse(al, be, rt, activation)])
            if n_overlap:
                rec["overlap"] = (W @ E[:, :n_overlap])[None]
                rec["v_overlap"] = (V @ E[:, :n_overlap])[None]
                rec["v_gram"] = (V @ V.T)[None]
        return rec

    done, state = ctx.resume_state(ck, identity)
    groups = ctx.record_groups(t.size, chunks)  # chunk c covers record indices groups[c]
    if done == 0:
        V0 = W0 if tied else np.array(v0, dtype=np.float64)
        state = {"W": W0, "V": V0, **measure(W0, V0, bias)}
        if bias is not None:
            state["b"] = np.array(bias, dtype=np.float64)
        checkpoint.save(ck, identity, 0, state)
        done = 0
    bar = tqdm(total=len(groups), initial=done, disable=not ctx.progress,
               desc=f"SGD on images {name} (D={D}, K={K})", unit="chunk")
    try:
        with bar:
            for c in range(done, len(groups)):
                rng = np.random.default_rng(chunk_seed(seed, c))
                W, V = state["W"], state["V"]
                b = state.get("b")
                cur = int(steps[groups[c][0] - 1])
                new = dict(state)
                for j in groups[c]:
                    n = int(steps[j] - cur)
                    idx = rng.integers(0, N, size=n)
                    for s in range(0, n, BLOCK):
                        W, V2, b = sgd_steps(W, None if tied else V, X[idx[s:s + BLOCK]],
                                             b=b, **opts)
                        V = W if tied else V2
                    cur = int(steps[j])
                    rec = measure(W, V, b)
                    for k, v in rec.items():
                        new[k] = np.concatenate([new[k], v])
                new["W"], new["V"] = W, V
                if b is not None:
                    new["b"] = b
                state = new
                checkpoint.save(ck, identity, c + 1, state)
                bar.update(1)
    except KeyboardInterrupt:
        loaded = checkpoint.load(ck, identity)
        raise Interrupted(f"{ctx.stem} {name}", int(loaded[0]) if loaded else 0, ck, True,
                          unit="chunk") from None
    out: dict[str, Any] = dict(state)
    out["times"] = t
    out["checkpoint"] = ck
    return out
