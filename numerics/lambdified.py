"""Registry expressions turned into NumPy / mpmath functions (the one source of truth).

Nothing here re-types a formula: each function is ``sympy.lambdify`` of an expression held by a
verified step of :mod:`derivations`, looked up by the step's label (``source:label``, or a bare
label unique among the sources), compiled once on first use.  Names are checked: an unknown
expression name raises ``KeyError`` and an argument that is not a symbol of the expression
raises ``ValueError``, each naming the valid ones.
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
    """``lambdify`` of ``get(step_id).expr(name)`` with positional ``args`` (symbol names)."""
    expr = get(step_id).expr(name)
    return sp.lambdify(_symbols(expr, args, step_id, name), expr, modules=_NUMPY, cse=True)


@cache
def mpmath_fn(step_id: str, name: str, args: Sequence[str]) -> Callable[..., object]:
    """The same expression evaluated by mpmath (at the caller's ``mpmath.mp.dps``)."""
    expr = get(step_id).expr(name)
    return sp.lambdify(_symbols(expr, args, step_id, name), expr, modules="mpmath")


def _symbols(expr: sp.Basic, names: Sequence[str], step_id: str, name: str) -> list[sp.Symbol]:
    by_name = {s.name: s for s in expr.free_symbols}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"{step_id}:{name} has no symbol named {', '.join(map(repr, unknown))}; "
                         f"its symbols: {', '.join(sorted(by_name))}")
    missing = sorted(set(by_name) - set(names))
    if missing:
        raise ValueError(f"{step_id}:{name} needs arguments for {', '.join(missing)}")
    return [by_name[n] for n in names]
