"""High-precision path: the paper's printed closed forms evaluated with mpmath.

This path deliberately uses the registry's *printed* expressions ([eq5], [eq5.balanced], the
corrected [eq7], [eq7.critical]) rather than the stable rewrites, so comparing it with the
float64 path checks the rewrites as well as the floating-point evaluation.
"""

from __future__ import annotations

import mpmath
import numpy as np
from numpy.typing import NDArray

from .lambdified import mpmath_fn

GUARD_DIGITS = 30  # cancellation in eq5 near c0 -> 0 costs about log10(w0/c0) digits


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))  # exact binary value of the float64 input


def dae_w(t: NDArray[np.float64], lam: NDArray[np.float64], eps: NDArray[np.float64],
          w1_0: NDArray[np.float64], w2_0: NDArray[np.float64], tau: NDArray[np.float64],
          precision: int) -> NDArray[np.object_]:
    """[eq5] (c0 > 0), [eq5.balanced] / [N.dae.balanced_neg] (c0 = 0) at ``precision`` digits."""
    if precision < 15:
        raise ValueError(f"precision must be at least 15 digits, got {precision}")
    general = mpmath_fn("eq5", "w", ("t", "lambda", "varepsilon", "tau", "c_0", "w_0"))
    bal = mpmath_fn("eq5.balanced", "w", ("t", "lambda", "varepsilon", "tau", "w_0"))
    neg = mpmath_fn("N.dae.balanced_neg", "w", ("t", "lambda", "varepsilon", "tau", "w_0"))
    out = np.empty(t.shape, dtype=object)
    with mpmath.workdps(precision + GUARD_DIGITS):
        for idx in np.ndindex(t.shape):
            a, b = _mp(w1_0[idx]), _mp(w2_0[idx])
            w0, c0 = a * b, abs(b * b - a * a)
            args = (_mp(t[idx]), _mp(lam[idx]), _mp(eps[idx]), _mp(tau[idx]))
            if c0 > 0:
                v = general(*args, c0, w0)
            elif w0 > 0:
                v = bal(*args, w0)
            elif w0 < 0:
                v = neg(*args, w0)
            else:
                v = mpmath.mpf(0)
            out[idx] = +mpmath.mpf(v)
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]  # round to the requested precision
    return out


def wdae_w(t: NDArray[np.float64], lam: NDArray[np.float64], gamma: NDArray[np.float64],
           N: NDArray[np.float64], w0: NDArray[np.float64], tau: NDArray[np.float64],
           precision: int) -> NDArray[np.object_]:
    """Corrected [eq7] (N gamma != lam) and [eq7.critical] (N gamma = lam) in mpmath."""
    if precision < 15:
        raise ValueError(f"precision must be at least 15 digits, got {precision}")
    names = ("t", "lambda", "gamma", "N", "tau", "w_0")
    general = mpmath_fn("eq7", "w", names)
    critical = mpmath_fn("eq7.critical", "w", names)
    out = np.empty(t.shape, dtype=object)
    with mpmath.workdps(precision + GUARD_DIGITS):
        for idx in np.ndindex(t.shape):
            args = tuple(_mp(v[idx]) for v in (t, lam, gamma, N, tau, w0))
            f = critical if args[3] * args[2] == args[1] else general
            out[idx] = +mpmath.mpf(f(*args))
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]
    return out
