"""Finite-step gradient descent on the scalar losses [eq4] (+ the weight-decay term of [C.loss]).

One step is one epoch of full-batch GD with learning rate ``lr`` on ``N`` samples, i.e. an
Euler step of size 1 of ``dw/dt = -grad l`` with ``tau = N / lr`` inside ``l``.  The gradient is
``sympy.diff`` of the registry's losses, lambdified once.  With ``optimizer=`` (an object of
:mod:`numerics.optimizers`, e.g. heavy ball [LN.hb] or Adam [LN.adam]) one epoch is one step of
that optimiser on the per-sample loss ``l`` with ``tau = N`` (the loss the learning rate
multiplies), so ``optimizer=SGD(lr=lr)`` is the plain run up to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from derivations import get

from .validate import arg, broadcast

if TYPE_CHECKING:
    from .optimizers import Optimizer


@dataclass(frozen=True)
class ScalarTrajectory:
    """``w1``, ``w2`` of shape ``(len(epochs), *batch)``; ``tau`` of the broadcast batch
    (``N / lr``; with an optimiser ``N / optimizer.lr``, the nominal time constant);
    ``optimizer``: the optimiser the run used (``None``: plain gradient descent)."""

    epochs: NDArray[np.int64]
    w1: NDArray[np.float64]
    w2: NDArray[np.float64]
    tau: NDArray[np.float64]
    optimizer: Optimizer | None = None

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
                    N: ArrayLike = 1.0, lr: ArrayLike | None = None, w1_0: ArrayLike = 0.01,
                    w2_0: ArrayLike = 0.01, epochs: int = 1000, *, record_every: int = 1,
                    progress: bool = False, optimizer: Optimizer | None = None
                    ) -> ScalarTrajectory:
    """Gradient descent on the scalar DAE/WDAE loss, vectorised over every broadcast argument.

    Returns the trajectory of ``(w1, w2)`` at epochs ``0, record_every, ..., epochs``.  Runs above
    the stability limit diverge: their entries become non-finite and ``.diverged`` flags them.
    ``lr`` defaults to 0.01.  ``optimizer``: one of :mod:`numerics.optimizers` (it carries the
    learning rate, so ``lr`` must then be left out); its hyperparameters broadcast against the
    parameters, which have shape ``(*batch, 2)`` (a batch of learning rates: shape
    ``(*batch, 1)``).  Coordinate-wise optimisers (RMSprop, Adagrad, Adam) act on ``(w1, w2)``
    of one eigen-direction: the per-direction model of an eigenbasis run ([OD.decoupling]).
    """
    if optimizer is not None:
        if lr is not None:
            raise ValueError("give lr or optimizer, not both (the optimizer carries its lr)")
        return _simulate_optimizer(lam, eps, gamma, N, w1_0, w2_0, epochs, record_every,
                                   progress, optimizer)
    if lr is None:
        lr = 0.01
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


def _check_counts(epochs: object, record_every: object) -> list[int]:
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    rec = list(range(0, int(epochs) + 1, int(record_every)))
    if rec[-1] != epochs:
        rec.append(int(epochs))
    return rec


def _simulate_optimizer(lam: ArrayLike, eps: ArrayLike, gamma: ArrayLike, N: ArrayLike,
                        w1_0: ArrayLike, w2_0: ArrayLike, epochs: int, record_every: int,
                        progress: bool, optimizer: Optimizer) -> ScalarTrajectory:
    """:func:`simulate_scalar` with an optimiser: params ``(..., 2) = (w1, w2)``, one optimiser
    step per epoch on the gradient of the per-sample loss (``tau = N``)."""
    from .optimizers import SGD, Adagrad, Adam, RMSprop

    if not isinstance(optimizer, (SGD, RMSprop, Adagrad, Adam)):
        raise ValueError(f"optimizer must be one of numerics.optimizers' SGD, RMSprop, Adagrad, "
                         f"Adam; got {optimizer!r}")
    rec = _check_counts(epochs, record_every)
    lam_, eps_, g, n, a, b = broadcast(
        lam=arg("lam", lam, positive=True), eps=arg("eps", eps, nonnegative=True),
        gamma=arg("gamma", gamma, nonnegative=True), N=arg("N", N, positive=True),
        w1_0=arg("w1_0", w1_0), w2_0=arg("w2_0", w2_0))
    d1, d2 = _gradient()
    p = np.stack([a, b], axis=-1)
    try:
        batch = np.broadcast_shapes(np.shape(optimizer.lr), p.shape)[:-1]
    except ValueError:
        raise ValueError(f"the optimizer's lr of shape {np.shape(optimizer.lr)} does not "
                         f"broadcast against the parameters of shape {p.shape} (batch, 2)"
                         ) from None
    lam_, eps_, g, n, a, b = (np.broadcast_to(x, batch) for x in (lam_, eps_, g, n, a, b))
    p = np.stack([a, b], axis=-1)
    state = optimizer.init(p)
    out1 = np.full((len(rec), *a.shape), np.nan)
    out2 = np.full_like(out1, np.nan)
    out1[0], out2[0] = a, b
    k = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for e in tqdm(range(1, epochs + 1), disable=not progress, desc="scalar run", unit="ep"):
            live = np.isfinite(p).all(axis=-1, keepdims=True)
            if not live.all():  # a diverged entry stays NaN; the others run on from 0
                p = np.where(live, p, 0.0)
            grad = np.stack([d1(p[..., 0], p[..., 1], lam_, eps_, g, n, n),
                             d2(p[..., 0], p[..., 1], lam_, eps_, g, n, n)], axis=-1)
            ok = live & np.isfinite(grad).all(axis=-1, keepdims=True)
            p, state = optimizer.step(p, np.where(ok, grad, 0.0), state)
            p = np.where(ok, p, np.nan)
            if k < len(rec) and e == rec[k]:
                out1[k], out2[k] = p[..., 0], p[..., 1]
                k += 1
    tau = n / np.broadcast_to(np.asarray(optimizer.lr, dtype=np.float64), p.shape)[..., 0]
    return ScalarTrajectory(np.asarray(rec), out1, out2, tau, optimizer)
