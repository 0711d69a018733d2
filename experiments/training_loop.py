"""The resumable training loop shared by the real-data figures.

Each model advances from record epoch to record epoch; after each, the figure's observable is
measured; the whole state (weights, epoch, RNG, curves) is checkpointed every
``checkpoint_every`` epochs and on Ctrl-C, and ``resume=True`` continues from it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from . import checkpoint

Weights = tuple[np.ndarray, np.ndarray]
Advance = Callable[[str, np.ndarray, np.ndarray, int, np.random.Generator], Weights]
Measure = Callable[[np.ndarray, np.ndarray], np.ndarray]


def record_epochs(epochs: int, every: int) -> np.ndarray:
    rec = np.arange(0, epochs + 1, every)
    return rec if rec[-1] == epochs else np.append(rec, epochs)


def train_models(models: Sequence[str], init: Weights, advance: Advance, measure: Measure,
                 rec: np.ndarray, width: int, *, ck_path: Path, settings: Mapping[str, Any],
                 seed: int, checkpoint_every: int, resume: bool, progress: bool, desc: str
                 ) -> dict[str, np.ndarray]:
    """Train every model from ``init`` to ``rec[-1]`` epochs; return ``{model: curves}`` with
    ``curves[k]`` the ``width`` measured values at epoch ``rec[k]``."""
    curves = {m: np.full((rec.size, width), np.nan) for m in models}
    state = {m: (init[0].copy(), init[1].copy()) for m in models}
    done = dict.fromkeys(models, 0)
    rngs = {m: np.random.default_rng([seed, i]) for i, m in enumerate(models)}
    if resume and (saved := checkpoint.load(ck_path, settings)) is not None:
        arr = saved[1]
        for m in models:
            state[m] = (arr[f"{m}_W1"], arr[f"{m}_W2"])
            done[m] = int(arr[f"{m}_epoch"])
            rngs[m].bit_generator.state = ast.literal_eval(bytes(arr[f"{m}_rng"]).decode())
            curves[m] = arr[f"{m}_curves"]
    # the RNG state that belongs to the saved weights (epoch done[m]), not the live one: a Ctrl-C
    # in the middle of an advance must not skip the noise drawn since the last record epoch
    rng_done = {m: rngs[m].bit_generator.state for m in models}

    def save() -> None:
        arrays: dict[str, np.ndarray] = {}
        for m in models:
            rng_state = repr(rng_done[m]).encode()
            arrays |= {f"{m}_W1": state[m][0], f"{m}_W2": state[m][1],
                       f"{m}_epoch": np.asarray(done[m]), f"{m}_curves": curves[m],
                       f"{m}_rng": np.frombuffer(rng_state, np.uint8)}
        checkpoint.save(ck_path, settings, min(done.values()), arrays)

    total = int(rec[-1]) * len(models)
    bar = tqdm(total=total, initial=sum(done.values()), disable=not progress, desc=desc,
               unit="ep")
    try:
        for m in models:
            w1, w2 = state[m]
            if done[m] == 0:
                curves[m][0] = measure(w1, w2)
            since = 0
            while done[m] < rec[-1]:
                nxt = int(rec[rec > done[m]][0])
                w1, w2 = advance(m, w1, w2, nxt - done[m], rngs[m])
                bar.update(nxt - done[m])
                since += nxt - done[m]
                done[m], state[m] = nxt, (w1, w2)
                rng_done[m] = rngs[m].bit_generator.state
                curves[m][int(np.searchsorted(rec, nxt))] = measure(w1, w2)
                if since >= checkpoint_every:
                    save()
                    since = 0
    except KeyboardInterrupt:
        save()
        raise
    finally:
        bar.close()
    save()
    return curves
