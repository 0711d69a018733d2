"""The scalar losses and derived closed forms the figures draw, from the registry.

``dae_loss`` is [eq4]'s ``l(w1, w2)``, ``wdae_loss`` [C.loss]'s, ``rate_ratio`` [eq8]'s ``R``
(eq6's gamma, convention gamma-N) and ``weight_norm`` the norm ``||(w1, w2)||`` of the DAE flow
as a function of the mapping and ``c0``, eliminated from [B.w] (``w = c0/2 sinh(theta)``,
``w1^2 + w2^2 = c0 cosh(theta)``, so ``(w1^2 + w2^2)^2 = c0^2 + 4 w^2``).  Each is lambdified
once, at first use; nothing is re-typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from derivations import get

from .lambdified import numpy_fn
from .validate import arg, broadcast

Array = NDArray[np.float64]


def _finite(out: object, name: str) -> Array:
    a = np.asarray(out, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: the result overflows float64 for these inputs (outside the "
                         f"supported range)")
    return np.array(a, dtype=np.float64)


def dae_loss(w1: ArrayLike, w2: ArrayLike, lam: ArrayLike, eps: ArrayLike,
             tau: ArrayLike = 1.0) -> Array:
    """[eq4]: ``lam/(2 tau) (1 - w2 w1)^2 + eps/(2 tau) (w2 w1)^2``."""
    a, b, lam_, eps_, tau_ = broadcast(
        w1=arg("w1", w1), w2=arg("w2", w2), lam=arg("lam", lam, positive=True),
        eps=arg("eps", eps, nonnegative=True), tau=arg("tau", tau, positive=True))
    f = numpy_fn("eq4", "loss", ("w_1", "w_2", "lambda", "varepsilon", "tau"))
    with np.errstate(all="ignore"):
        return _finite(f(a, b, lam_, eps_, tau_), "dae_loss")


def wdae_loss(w1: ArrayLike, w2: ArrayLike, lam: ArrayLike, gamma: ArrayLike, N: ArrayLike,
              tau: ArrayLike = 1.0) -> Array:
    """[C.loss]: ``lam/(2 tau) (1 - w2 w1)^2 + N gamma/(2 tau) (w1^2 + w2^2)``."""
    a, b, lam_, g, n, tau_ = broadcast(
        w1=arg("w1", w1), w2=arg("w2", w2), lam=arg("lam", lam, positive=True),
        gamma=arg("gamma", gamma, nonnegative=True), N=arg("N", N, positive=True),
        tau=arg("tau", tau, positive=True))
    f = numpy_fn("C.loss", "loss", ("w_1", "w_2", "lambda", "gamma", "N", "tau"))
    with np.errstate(all="ignore"):
        return _finite(f(a, b, lam_, g, n, tau_), "wdae_loss")


def rate_ratio(lam: ArrayLike, eps: ArrayLike, gamma: ArrayLike, N: ArrayLike) -> Array:
    """[eq8]: ``R = (2 lam + N gamma) / (2 lam + 3 eps)``, the ratio of the 'optimal' rates."""
    lam_, eps_, g, n = broadcast(lam=arg("lam", lam, positive=True),
                                 eps=arg("eps", eps, nonnegative=True),
                                 gamma=arg("gamma", gamma, nonnegative=True),
                                 N=arg("N", N, positive=True))
    f = numpy_fn("eq8", "R", ("lambda", "varepsilon", "gamma", "N"))
    with np.errstate(all="ignore"):
        return _finite(f(lam_, eps_, g, n), "rate_ratio")


@cache
def _norm() -> Callable[..., object]:
    w_eq, _, n_eq = get("B.w").printed.args
    rest = sp.simplify(n_eq.rhs**2 - 4 * w_eq.rhs**2)
    if any(s.name == "theta" for s in rest.free_symbols):
        raise RuntimeError(f"could not eliminate theta from [B.w]: {rest}")
    w = next(s for s in w_eq.free_symbols if s.name == "w")
    c0 = next(s for s in rest.free_symbols | w_eq.free_symbols if s.name == "c_0")
    return sp.lambdify([w, c0], sp.sqrt(sp.sqrt(rest + 4 * w**2)), "numpy")


def weight_norm(w: ArrayLike, c0: ArrayLike) -> Array:
    """``||(w1, w2)|| = (c0^2 + 4 w^2)^(1/4)`` on the DAE flow, from [B.w] (valid at c0 = 0)."""
    w_, c = broadcast(w=arg("w", w), c0=arg("c0", c0, nonnegative=True))
    with np.errstate(all="ignore"):
        return _finite(_norm()(w_, c), "weight_norm")
