"""Registry expressions turned into NumPy / mpmath functions (the one source of truth).

Nothing here re-types a formula: each function is ``sympy.lambdify`` of an expression held by a
verified step of :mod:`derivations`, looked up by the step's label, compiled once on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import scipy.special
import sympy as sp

from derivations import get

_NUMPY = [{"exprel": scipy.special.exprel}, "numpy"]


@cache
def numpy_fn(step_id: str, name: str, args: Sequence[str]) -> Callable[..., object]:
    """``lambdify`` of ``get(step_id).exprs[name]`` with positional ``args`` (symbol names)."""
    expr = get(step_id).exprs[name]
    return sp.lambdify(_symbols(expr, args), expr, modules=_NUMPY, cse=True)


@cache
def mpmath_fn(step_id: str, name: str, args: Sequence[str]) -> Callable[..., object]:
    """The same expression evaluated by mpmath (at the caller's ``mpmath.mp.dps``)."""
    expr = get(step_id).exprs[name]
    return sp.lambdify(_symbols(expr, args), expr, modules="mpmath")


def _symbols(expr: sp.Basic, names: Sequence[str]) -> list[sp.Symbol]:
    by_name = {s.name: s for s in expr.free_symbols}
    # an argument absent from the expression still gets a (dummy) slot
    return [by_name.get(n, sp.Symbol(n)) for n in names]
