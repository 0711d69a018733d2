"""Online SGD runs that can be interrupted and resumed without changing their result.

:func:`resumable_sgd` cuts a run of :func:`numerics.shallow.sgd.simulate_sgd` at its record
times into ``chunks`` calls, each continuing from the previous one's final weights (and bias)
with its own seed derived from ``(seed, chunk)``.  After every chunk the state and the records
so far are checkpointed (atomically); Ctrl-C saves nothing new and raises
:class:`~experiments.training_loop.Interrupted`, and ``--resume`` continues from the last
finished chunk, so a resumed run equals an uninterrupted one sample for sample (tested).  A
chunk's held-out Monte-Carlo batch (only used with a trained bias) is drawn from the chunk's
seed, so such pmse records carry chunk-to-chunk noise of the size of their ``pmse_stderr``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm import tqdm

from .. import checkpoint
from ..training_loop import Interrupted
from .context import Context

_RECORDS = ("pmse", "Q", "R", "T", "T0", "w_overlap", "v_overlap")


def chunk_seed(seed: int, chunk: int) -> int:
    """The seed of chunk ``chunk`` of a run with seed ``seed`` (independent streams)."""
    return int(np.random.SeedSequence([seed, chunk]).generate_state(1)[0])


def record_steps(times: Sequence[float], D: int) -> tuple[np.ndarray, np.ndarray]:
    """The record times (increasing, from 0) and their step numbers ``rint(t D)``;
    ``ValueError`` for times that are not, or that fall less than one step apart."""
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or t.size < 1 or t[0] != 0 or np.any(np.diff(t) <= 0):
        raise ValueError("times must be increasing and start at 0")
    steps = np.rint(t * D).astype(np.int64)
    if np.any(np.diff(steps) <= 0):
        raise ValueError(f"record times closer than one step (1/D = {1 / D:g})")
    return t, steps


def _chunks(steps: np.ndarray, n: int) -> list[np.ndarray]:
    """Record indices 1.. split into at most ``n`` consecutive groups of about equal steps."""
    idx = np.arange(1, steps.size)
    if idx.size == 0:
        return []
    edges = np.linspace(0, steps[-1], n + 1)[1:]
    groups, start = [], 0
    for e in edges:
        stop = int(np.searchsorted(steps[1:], e, side="right"))
        if stop > start:
            groups.append(idx[start:stop])
            start = stop
    if start < idx.size:
        groups.append(idx[start:])
    return groups


def resumable_sgd(ctx: Context, name: str, data: Any, K: int, times: Sequence[float], *,
                  chunks: int = 20, w0: Any = None, v0: Any = None, bias: Any = None,
                  seed: int = 0, **kw: Any) -> dict[str, Any]:
    """Run ``simulate_sgd(data, K, times, ...)`` in resumable chunks; return the records
    (``times``, ``pmse``, ``Q``, ``R``, ``T``, ``T0``, ``w_overlap``, ``v_overlap``, and
    ``bias`` when trained) as arrays over all record times, plus the final ``W``, ``V``, ``b``
    and the run's ``pca_errors``, ``rho``, ``pmse_method``.  ``times`` must start at 0; ``data``
    is best given as a :class:`numerics.shallow.data_model.Spectrum` (decomposed once)."""
    from numerics.shallow.data_model import Spectrum, eigen_decomposition
    from numerics.shallow.sgd import simulate_sgd

    spec = data if isinstance(data, Spectrum) else (
        data.spectrum() if hasattr(data, "spectrum") else eigen_decomposition(data))
    D = spec.D
    t, steps = record_steps(times, D)
    tied = bool(kw.get("tied", False)) or kw.get("rule") == "sanger"
    identity = {**ctx.settings, "part": name, "K": K, "D": D, "seed": seed, "chunks": chunks,
                "times": t.tolist(), "options": {k: repr(v) for k, v in sorted(kw.items())},
                "w0": repr(w0) if isinstance(w0, str) or w0 is None else "array",
                "bias": None if bias is None else np.asarray(bias, dtype=float).tolist()}
    ck = ctx.checkpoint_path(name)
    done, state = ctx.resume_state(ck, identity)
    groups = _chunks(steps, chunks)
    common = dict(n_overlap=kw.pop("n_overlap", None), **kw)
    if done == 0:  # chunk 0 also records t = 0
        first = groups[0] if groups else np.array([], dtype=int)
        tr = simulate_sgd(spec, K, np.concatenate([[0], steps[first]]) / D, w0=w0, v0=v0,
                          bias=bias, seed=chunk_seed(seed, 0), **common)
        state = _merge({}, tr, slice(None))
        state["pca_errors"], state["rho"] = tr.pca_errors, tr.rho
        state["pmse_method"] = np.array(tr.pmse_method)
        done = 1
        checkpoint.save(ck, identity, done, state)
    bar = tqdm(total=len(groups), initial=min(done, len(groups)), disable=not ctx.progress,
               desc=f"SGD {name} (D={D}, K={K})", unit="chunk")
    try:
        with bar:
            for c in range(done, len(groups)):
                g = groups[c]
                start = steps[groups[c - 1][-1]]
                tr = simulate_sgd(spec, K, np.concatenate([[start], steps[g]]) / D - start / D,
                                  w0=state["W"], v0=None if tied else state["V"],
                                  bias=None if bias is None else state["b"],
                                  seed=chunk_seed(seed, c), **common)
                state = _merge(state, tr, slice(1, None))
                checkpoint.save(ck, identity, c + 1, state)
                bar.update(1)
    except KeyboardInterrupt:
        raise Interrupted(f"{ctx.stem} {name}", int(checkpoint.load(ck, identity)[0]), ck,
                          True, unit="chunk") from None
    out = dict(state)
    out["times"] = t
    out["pmse_method"] = str(state["pmse_method"])
    out["checkpoint"] = ck
    return out


def _merge(state: dict[str, np.ndarray], tr: Any, keep: slice) -> dict[str, np.ndarray]:
    """Append the records of trajectory ``tr`` (from index ``keep``) to ``state``; replace the
    final weights."""
    new = dict(state)
    for k in _RECORDS:
        rec = getattr(tr, k)[keep]
        new[k] = rec if k not in state else np.concatenate([state[k], rec])
    if tr.bias is not None:
        rec = tr.bias[keep]
        new["bias"] = rec if "bias" not in state else np.concatenate([state["bias"], rec])
    if tr.pmse_stderr is not None:
        rec = tr.pmse_stderr[keep]
        new["pmse_stderr"] = rec if "pmse_stderr" not in state else np.concatenate(
            [state["pmse_stderr"], rec])
    new["W"], new["V"] = tr.W, tr.V
    if tr.b is not None:
        new["b"] = tr.b
    return new


def finish(result: dict[str, Any]) -> None:
    """Remove a finished run's checkpoint (call after the figure's files are written)."""
    checkpoint.remove(result["checkpoint"])
