"""The resumable training loop shared by the real-data figures.

Each model advances from record epoch to record epoch.  One epoch's record is atomic: the
weights are advanced and measured on copies, and only then are the weights, the epoch, the RNG
state and the curve row committed together (with SIGINT held back for those few assignments),
so a Ctrl-C at any point leaves the run at its last fully recorded epoch.  The whole state is
checkpointed every ``checkpoint_every`` epochs and on Ctrl-C (atomically: temporary file, then
``os.replace``); ``resume=True`` continues from it.  A model whose measurement leaves the
finite numbers stops there (the run is flagged as diverged by the caller).
"""

from __future__ import annotations

import ast
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from . import checkpoint

Weights = tuple[np.ndarray, np.ndarray]
Advance = Callable[[str, np.ndarray, np.ndarray, int, np.random.Generator], Weights]
Measure = Callable[[np.ndarray, np.ndarray], np.ndarray]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during training: the state up to ``epoch`` of ``model`` is saved in ``path``."""

    def __init__(self, model: str, epoch: int, path: Path, saved: bool,
                 unit: str = "epoch") -> None:
        super().__init__(model, epoch, path)
        self.model, self.epoch, self.path, self.saved = model, epoch, path, saved
        self.unit = unit

    def __str__(self) -> str:
        if not self.saved:
            return (f"interrupted at {self.unit} {self.epoch} ({self.model}); the checkpoint "
                    f"could not be written, the one in {self.path} (if any) is unchanged")
        return (f"interrupted at {self.unit} {self.epoch} ({self.model}); checkpoint saved to "
                f"{self.path}; rerun with --resume to continue")


@dataclass(frozen=True)
class Trained:
    """``curves[m][k]``: the measured values at epoch ``rec[k]``; ``diverged_at[m]``: the first
    record epoch whose measurement was not finite (``None``: none, the model ran to the end);
    ``weights[m]``: the final (or last finite) weights."""

    curves: dict[str, np.ndarray]
    diverged_at: dict[str, int | None]
    weights: dict[str, Weights]


class UnfinishedRun(ValueError):
    """A checkpoint of an unfinished run exists and neither resume nor overwrite was asked."""


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Delay a Ctrl-C that arrives inside the block until the block is done (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[object] = []
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda *a: pending.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


def record_epochs(epochs: int, every: int, dense_until: int = 0) -> np.ndarray:
    """Epochs ``0, every, 2 every, ..., epochs`` plus every epoch below ``dense_until``."""
    rec = np.union1d(np.arange(0, epochs + 1, every), np.arange(0, min(dense_until, epochs)))
    return rec if rec[-1] == epochs else np.append(rec, epochs)


def train_models(models: Sequence[str], init: Weights, advance: Advance, measure: Measure,
                 rec: np.ndarray, width: int, *, ck_path: Path, settings: Mapping[str, Any],
                 seed: int, checkpoint_every: int, resume: bool, progress: bool, desc: str,
                 overwrite: bool = False) -> Trained:
    """Train every model from ``init`` to ``rec[-1]`` epochs (see :class:`Trained`); a model
    whose measurement is not finite stops there (its later rows stay NaN)."""
    curves = {m: np.full((rec.size, width), np.nan) for m in models}
    state = {m: (init[0].copy(), init[1].copy()) for m in models}
    done = dict.fromkeys(models, 0)
    diverged: dict[str, int | None] = dict.fromkeys(models)
    rngs = {m: np.random.default_rng([seed, i]) for i, m in enumerate(models)}
    if resume:
        saved = checkpoint.load(ck_path, settings)
        if saved is None:
            print(f"no checkpoint at {ck_path}: --resume starts a fresh run", file=sys.stderr)
        else:
            _restore(saved[1], models, rec, width, ck_path, state, done, rngs, curves, diverged)
    elif ck_path.exists() and not overwrite:
        raise UnfinishedRun(f"{ck_path} holds the checkpoint of an unfinished run with this "
                            f"output; pass --resume to continue it or --overwrite to start over")
    # the RNG state that belongs to the committed weights (epoch done[m]), not the live one: a
    # Ctrl-C in the middle of an advance must not skip the noise drawn since the last record
    rng_done = {m: rngs[m].bit_generator.state for m in models}

    def save() -> None:
        arrays: dict[str, np.ndarray] = {}
        for m in models:
            rng_state = repr(rng_done[m]).encode()
            arrays |= {f"{m}_W1": state[m][0], f"{m}_W2": state[m][1],
                       f"{m}_epoch": np.asarray(done[m]), f"{m}_curves": curves[m],
                       f"{m}_diverged": np.asarray(-1 if diverged[m] is None else diverged[m]),
                       f"{m}_rng": np.frombuffer(rng_state, np.uint8)}
        checkpoint.save(ck_path, settings, min(done.values()), arrays)

    current = models[0]
    try:
        for m in models:
            current = m
            rngs[m].bit_generator.state = rng_done[m]
            w1, w2 = state[m]
            if done[m] == 0 and np.isnan(curves[m][0]).all():
                curves[m][0] = measure(w1, w2)
            since = 0
            with tqdm(total=int(rec[-1]), initial=done[m], disable=not progress,
                      desc=f"{desc} {m}", unit="ep") as bar:
                while done[m] < rec[-1] and diverged[m] is None:
                    nxt = int(rec[rec > done[m]][0])
                    n1, n2 = advance(m, w1, w2, nxt - done[m], rngs[m])
                    row = np.asarray(measure(n1, n2), dtype=np.float64)
                    with _sigint_held():  # commit the epoch's record as one unit
                        since += nxt - done[m]
                        bar.update(nxt - done[m])
                        w1, w2 = n1, n2
                        state[m] = (w1, w2)
                        curves[m][int(np.searchsorted(rec, nxt))] = row
                        rng_done[m] = rngs[m].bit_generator.state
                        if not np.all(np.isfinite(row)):
                            diverged[m] = nxt
                        done[m] = nxt
                    if since >= checkpoint_every:
                        save()
                        since = 0
        save()  # the finished state: a Ctrl-C while the outputs are written loses nothing
    except KeyboardInterrupt:
        written = True
        try:
            save()
        except KeyboardInterrupt:
            written = False
        raise Interrupted(current, done[current], ck_path, written) from None
    return Trained(curves, diverged, state)


def _restore(arr: dict[str, np.ndarray], models: Sequence[str], rec: np.ndarray, width: int,
             path: Path, state: dict, done: dict, rngs: dict, curves: dict,
             diverged: dict) -> None:
    """Fill the run's state from a checkpoint's arrays; ``CheckpointError`` if they do not fit."""
    try:
        for m in models:
            w = (arr[f"{m}_W1"], arr[f"{m}_W2"])
            c = arr[f"{m}_curves"]
            if c.shape != (rec.size, width):
                raise ValueError(f"curves of shape {c.shape}, expected {(rec.size, width)}")
            e = int(arr[f"{m}_epoch"])
            if e not in rec:
                raise ValueError(f"epoch {e} is not a record epoch of this run")
            rng_state = ast.literal_eval(bytes(arr[f"{m}_rng"]).decode())
            rngs[m].bit_generator.state = rng_state
            state[m], done[m], curves[m] = w, e, c
            d = int(arr[f"{m}_diverged"]) if f"{m}_diverged" in arr else -1
            diverged[m] = None if d < 0 else d
    except (KeyError, ValueError, TypeError, SyntaxError) as err:
        raise checkpoint.CheckpointError(
            f"checkpoint {path} does not fit this run ({err}); delete it or pass --overwrite"
        ) from None
