"""Linear stability of GD, heavy ball and Nesterov at the fixed points of the per-direction loss.

``l(w1, w2) = lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2`` (the paper's [4.loss]); ``eta`` multiplies
``grad l`` (eta = lr/N = 1/tau in the paper's units), ``beta`` is torch's momentum.  Every
formula comes from a verified step of the ``notes`` source: the Hessian's nonzero eigenvalue
``mu = (lam + eps)(w1^2 + w2^2)`` at a fixed point [OD.hessian], the thresholds and the
transverse characteristic polynomials [OD.gd], [OD.heavy-ball], [OD.nesterov].  The fixed points
form the hyperbola w1 w2 = w* = lam/(lam + eps); "stable" and "contraction rate" refer to the
direction across it (the linearisation has an eigenvalue 1 along it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from .lambdified import numpy_fn

METHODS = ("gd", "heavy-ball", "nesterov")
_STEP = {"gd": "notes:OD.gd", "heavy-ball": "notes:OD.heavy-ball", "nesterov": "notes:OD.nesterov"}
FIXED_POINT_RTOL = 1e-9


def _check(method: str, lam: float, eps: float, beta: float) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    for name, val in (("lam", lam), ("eps", eps), ("beta", beta)):
        if not isinstance(val, (int, float, np.floating, np.integer)) or not np.isfinite(val):
            raise ValueError(f"{name} must be a finite real number, got {val!r}")
    if lam <= 0:
        raise ValueError(f"lam must be > 0, got {lam!r}")
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    if not 0 <= beta < 1:
        raise ValueError(f"beta must lie in [0, 1), got {beta!r}")
    if method == "gd" and beta != 0:
        raise ValueError(f"plain GD has no momentum: beta must be 0, got {beta!r} "
                         "(use method='heavy-ball' or 'nesterov')")


def fixed_point_mu(lam: float, eps: float, w1: float | None = None,
                   w2: float | None = None) -> float:
    """The Hessian's nonzero eigenvalue at the fixed point (w1, w2) [OD.hessian]; default the
    balanced fixed point w1 = w2 = sqrt(w*), where it is 2 lam.  ``ValueError`` unless
    w1 w2 = w* (relative tolerance 1e-9)."""
    w_star = float(numpy_fn("notes:OD.hessian", "w_star", ("lambda", "varepsilon"))(lam, eps))
    if (w1 is None) != (w2 is None):
        raise ValueError("give both w1 and w2 (a fixed point), or neither (the balanced one)")
    if w1 is None:
        w1 = w2 = float(np.sqrt(w_star))
    for name, val in (("w1", w1), ("w2", w2)):
        if not isinstance(val, (int, float, np.floating, np.integer)) or not np.isfinite(val):
            raise ValueError(f"{name} must be a finite real number, got {val!r}")
    if abs(w1 * w2 - w_star) > FIXED_POINT_RTOL * max(1.0, abs(w_star)):
        raise ValueError(f"(w1, w2) = ({w1!r}, {w2!r}) is not a fixed point: w1 w2 = "
                         f"{w1 * w2!r}, but the fixed points have w1 w2 = lam/(lam + eps) = "
                         f"{w_star!r}")
    return float(numpy_fn("notes:OD.hessian", "mu", ("lambda", "varepsilon", "w_1", "w_2"))(
        lam, eps, w1, w2))


def max_stable_step(method: str, lam: float, eps: float, *, beta: float = 0.0,
                    w1: float | None = None, w2: float | None = None) -> float:
    """The largest eta for which the fixed point (w1, w2) is linearly stable (transversally):
    2/mu (GD), 2(1 + beta)/mu (heavy ball), 2(1 + beta)/((1 + 2 beta) mu) (Nesterov, torch's
    form) [OD.gd], [OD.heavy-ball], [OD.nesterov]."""
    _check(method, lam, eps, beta)
    mu = fixed_point_mu(lam, eps, w1, w2)
    if method == "gd":
        return float(numpy_fn(_STEP[method], "threshold", ("mu",))(mu))
    return float(numpy_fn(_STEP[method], "threshold", ("beta", "mu"))(beta, mu))


@cache
def _block_coefficients(method: str) -> Callable[..., list[float]]:
    """Coefficients (highest first) of the transverse characteristic polynomial in z."""
    from derivations import get

    block = get(_STEP[method]).expr("block")
    names = {s.name: s for s in block.free_symbols}
    z = names["z"]
    coeffs = sp.Poly(block, z).all_coeffs()
    args = [names[n] for n in ("eta", "mu", "beta") if n in names]
    fns = [sp.lambdify(args, c, "numpy") for c in coeffs]
    nargs = len(args)
    return lambda eta, mu, beta: [float(f(*(eta, mu, beta)[:nargs])) for f in fns]


def contraction_rate(method: str, lam: float, eps: float, eta: float, *, beta: float = 0.0,
                     w1: float | None = None, w2: float | None = None) -> float:
    """The per-step contraction factor across the fixed-point hyperbola at (w1, w2): the largest
    modulus of the roots of the transverse characteristic polynomial ([OD.gd]: |1 - eta mu|;
    [OD.heavy-ball], [OD.nesterov]: a quadratic in z).  Below 1 iff eta < max_stable_step."""
    _check(method, lam, eps, beta)
    if not isinstance(eta, (int, float, np.floating, np.integer)) or not np.isfinite(eta) \
            or eta <= 0:
        raise ValueError(f"eta must be a finite number > 0, got {eta!r}")
    mu = fixed_point_mu(lam, eps, w1, w2)
    coeffs = _block_coefficients(method)(eta, mu, beta)
    return float(np.max(np.abs(np.roots(coeffs))))


__all__ = ["METHODS", "contraction_rate", "fixed_point_mu", "max_stable_step"]
