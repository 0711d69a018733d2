"""Finite-step gradient descent on the scalar losses [eq4] (+ the weight-decay term of [C.loss]).

One step is one epoch of full-batch GD with learning rate ``lr`` on ``N`` samples, i.e. an
Euler step of size 1 of ``dw/dt = -grad l`` with ``tau = N / lr`` inside ``l``.  The gradient is
``sympy.diff`` of the registry's losses, lambdified once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from derivations import get

from .validate import arg, broadcast


@dataclass(frozen=True)
class ScalarTrajectory:
    """``w1``, ``w2`` of shape ``(len(epochs), *batch)``; ``tau`` of the broadcast batch."""

    epochs: NDArray[np.int64]
    w1: NDArray[np.float64]
    w2: NDArray[np.float64]
    tau: NDArray[np.float64]

    @property
    def w(self) -> NDArray[np.float64]:
        """The product (the mapping) ``w1 * w2``."""
        return self.w1 * self.w2

    @property
    def diverged(self) -> NDArray[np.bool_]:
        """Batch entries whose iterates left the finite numbers (GD above its stability limit)."""
        return ~np.all(np.isfinite(self.w1) & np.isfinite(self.w2), axis=0)


@cache
def _gradient():  # noqa: ANN202 - a pair of lambdified callables
    dae = get("eq4").exprs["loss"]  # lam/(2tau)(1 - w2 w1)^2 + eps/(2tau)(w2 w1)^2
    wd = get("C.loss").exprs["loss"]  # lam/(2tau)(1 - w2 w1)^2 + N gamma/(2tau)(w1^2 + w2^2)
    names = {s.name: s for s in dae.free_symbols | wd.free_symbols}
    gamma = names["gamma"]
    loss = dae + (wd - wd.subs(gamma, 0))  # noise term of eq4 plus the decay term of C.loss
    order = [names[n] for n in ("w_1", "w_2", "lambda", "varepsilon", "gamma", "N", "tau")]
    return tuple(sp.lambdify(order, sp.diff(loss, order[i]), "numpy", cse=True) for i in (0, 1))


def simulate_scalar(lam: ArrayLike, eps: ArrayLike = 0.0, gamma: ArrayLike = 0.0,
                    N: ArrayLike = 1.0, lr: ArrayLike = 0.01, w1_0: ArrayLike = 0.01,
                    w2_0: ArrayLike = 0.01, epochs: int = 1000, *, record_every: int = 1,
                    progress: bool = False) -> ScalarTrajectory:
    """Gradient descent on the scalar DAE/WDAE loss, vectorised over every broadcast argument.

    Returns the trajectory of ``(w1, w2)`` at epochs ``0, record_every, ..., epochs``.  Runs above
    the stability limit diverge: their entries become non-finite and ``.diverged`` flags them.
    """
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    lam_, eps_, g, n, lr_, a, b = broadcast(
        lam=arg("lam", lam, positive=True), eps=arg("eps", eps, nonnegative=True),
        gamma=arg("gamma", gamma, nonnegative=True), N=arg("N", N, positive=True),
        lr=arg("lr", lr, positive=True), w1_0=arg("w1_0", w1_0), w2_0=arg("w2_0", w2_0))
    tau = n / lr_
    d1, d2 = _gradient()
    w1, w2 = a.copy(), b.copy()
    rec = list(range(0, epochs + 1, record_every))
    if rec[-1] != epochs:
        rec.append(epochs)
    out1 = np.empty((len(rec), *w1.shape))
    out2 = np.empty_like(out1)
    out1[0], out2[0] = w1, w2
    k = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for e in tqdm(range(1, epochs + 1), disable=not progress, desc="scalar GD", unit="ep"):
            g1 = d1(w1, w2, lam_, eps_, g, n, tau)
            g2 = d2(w1, w2, lam_, eps_, g, n, tau)
            w1, w2 = w1 - g1, w2 - g2
            if k < len(rec) and e == rec[k]:
                out1[k], out2[k] = w1, w2
                k += 1
    return ScalarTrajectory(np.asarray(rec), out1, out2, tau)
