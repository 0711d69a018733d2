"""High-precision path: the paper's printed closed forms evaluated with mpmath.

This path deliberately uses the registry's *printed* expressions ([eq5], [eq5.balanced], the
corrected [eq7], [eq7.critical]) rather than the stable rewrites, so comparing it with the
float64 path checks the rewrites as well as the floating-point evaluation.  It is also the
fallback of the float64 path outside the range where that path is validated
(:mod:`numerics.closed_forms`): mpmath's exponent range is unbounded, so nothing under- or
overflows, and the working precision grows with the inputs' orders of magnitude (the printed
forms cancel terms of size ``|w0|``, ``eps / lam``, ... against terms of size 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np
from numpy.typing import NDArray

from .lambdified import mpmath_fn

GUARD_DIGITS = 30  # cancellation in eq5 near c0 -> 0 costs about log10(w0/c0) digits
MIN_PRECISION = 16  # significant digits: at least float64's


def check_precision(precision: object) -> int:
    """``precision`` as an int ``>= MIN_PRECISION``; ``ValueError`` otherwise."""
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) \
            or precision < MIN_PRECISION:
        raise ValueError(f"precision must be an integer >= {MIN_PRECISION} (significant "
                         f"digits), got {precision!r}")
    return int(precision)


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))  # exact binary value of the float64 input


def _span(*values: float) -> int:
    """Decimal orders of magnitude spanned by the nonzero inputs (a first guess of the extra
    working digits the printed forms' cancellations need)."""
    return int(sum(abs(math.log10(abs(float(v)))) for v in values if v != 0)) + 2


#: the adaptive working precision stops doubling here (digits)
MAX_WORKING_DIGITS = 40000


def _converged(f: Callable[[], mpmath.mpf], precision: int, first: int) -> mpmath.mpf:
    """``f()`` evaluated at doubling working precisions from ``first`` digits until two
    successive values agree to ``precision + 2`` digits (a division by an exact zero, a
    cancellation that the working precision could not resolve, counts as disagreement)."""
    dps, last = first, None
    while dps <= MAX_WORKING_DIGITS:
        with mpmath.workdps(dps):
            try:
                v = +mpmath.mpf(f())
            except ZeroDivisionError:
                v = None
            if v is not None and last is not None and (
                    v == last or abs(v - last) <= abs(v) * mpmath.mpf(10) ** -(precision + 2)):
                return v
        last, dps = v, 2 * dps
    raise ValueError(f"the printed closed form could not be evaluated to {precision} digits "
                     f"within {MAX_WORKING_DIGITS} working digits")


def evaluate(fn: Callable[..., object], values: tuple[float, ...], precision: int) -> mpmath.mpf:
    """``fn`` (an mpmath lambdification) at the exact float ``values``, to ``precision``
    digits, with the adaptive working precision of :func:`_converged`."""
    def one() -> mpmath.mpf:
        return fn(*(_mp(v) for v in values))

    return _converged(one, precision, precision + GUARD_DIGITS + _span(*values))


def dae_w(t: NDArray[np.float64], lam: NDArray[np.float64], eps: NDArray[np.float64],
          w1_0: NDArray[np.float64], w2_0: NDArray[np.float64], tau: NDArray[np.float64],
          precision: int) -> NDArray[np.object_]:
    """[eq5] (c0 > 0), [eq5.balanced] / [N.dae.balanced_neg] (c0 = 0) at ``precision`` digits
    (any ``t``: mpmath's exponent range is unbounded)."""
    precision = check_precision(precision)
    general = mpmath_fn("eq5", "w", ("t", "lambda", "varepsilon", "tau", "c_0", "w_0"))
    bal = mpmath_fn("eq5.balanced", "w", ("t", "lambda", "varepsilon", "tau", "w_0"))
    neg = mpmath_fn("N.dae.balanced_neg", "w", ("t", "lambda", "varepsilon", "tau", "w_0"))
    out = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(t.shape):
        raw = (t[idx], lam[idx], eps[idx], tau[idx], w1_0[idx], w2_0[idx])

        def one(raw: tuple[float, ...] = raw) -> mpmath.mpf:
            t_, lam_, eps_, tau_, a, b = (_mp(v) for v in raw)
            w0, c0 = a * b, abs(b * b - a * a)
            args = (t_, lam_, eps_, tau_)
            if c0 > 0:
                return general(*args, c0, w0)
            if w0 > 0:
                return bal(*args, w0)
            if w0 < 0:
                return neg(*args, w0)
            return mpmath.mpf(0)

        out[idx] = _converged(one, precision, precision + GUARD_DIGITS + _span(*raw))
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]  # round to the requested precision
    return out


def wdae_w(t: NDArray[np.float64], lam: NDArray[np.float64], gamma: NDArray[np.float64],
           N: NDArray[np.float64], w0: NDArray[np.float64], tau: NDArray[np.float64],
           precision: int) -> NDArray[np.object_]:
    """Corrected [eq7] (N gamma != lam) and [eq7.critical] (N gamma = lam) in mpmath."""
    precision = check_precision(precision)
    names = ("t", "lambda", "gamma", "N", "tau", "w_0")
    general = mpmath_fn("eq7", "w", names)
    crit = mpmath_fn("eq7.critical", "w", ("t", "lambda", "tau", "w_0"))

    def critical(t: object, lam: object, gamma: object, n: object, tau: object,
                 w0: object) -> object:  # N gamma = lam: gamma and N drop out
        return crit(t, lam, tau, w0)

    out = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(t.shape):
        raw = tuple(v[idx] for v in (t, lam, gamma, N, tau, w0))

        def one(raw: tuple[float, ...] = raw) -> mpmath.mpf:
            args = [_mp(v) for v in raw]
            f = critical if args[3] * args[2] == args[1] else general
            return f(*args)

        out[idx] = _converged(one, precision, precision + GUARD_DIGITS + _span(*raw))
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]
    return out
