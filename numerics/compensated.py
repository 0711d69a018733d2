"""Error-free transformations for differences that cancel: ``a - b c`` to about one rounding.

Used for the gap ``d = lam - N gamma`` of [N.wdae.stable]: near ``N gamma = lam`` the plain
float64 ``lam - N * gamma`` keeps the rounding error of the product (relative 1e-16 of
``lam``), and ``x = 2 d t / tau`` multiplies it by ``t`` up to 1e6 ``tau / lam``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from derivations import get

Array = NDArray[np.float64]
_SPLIT = 134217729.0  # 2**27 + 1 (Veltkamp/Dekker splitting of a float64)


def two_product(a: Array, b: Array) -> tuple[Array, Array]:
    """``(p, e)`` with ``p = fl(a b)`` and ``p + e = a b`` exactly (Dekker), for |a|, |b| well
    inside the float64 range (no overflow of ``_SPLIT * a``)."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


@cache
def _difference_of_product(step_id: str, name: str) -> tuple[str, str, str]:
    """Names ``(a, b, c)`` such that the registry expression is exactly ``a - b c``."""
    expr = get(step_id).exprs[name]
    A, B, C = (sp.Wild(n, properties=[lambda e: e.is_Symbol]) for n in "ABC")
    m = expr.match(A - B * C)
    if not m or sp.expand(m[A] - m[B] * m[C] - expr) != 0:
        raise ValueError(f"{step_id}[{name}] = {expr} is not of the form a - b c")
    return m[A].name, m[B].name, m[C].name


def difference_of_product(step_id: str, name: str, values: dict[str, Array]) -> Array:
    """The registry expression ``a - b c`` (checked to have that form) with the product's
    rounding error restored: ``(a - fl(b c)) - err(b c)``."""
    a, b, c = _difference_of_product(step_id, name)
    with np.errstate(over="ignore", invalid="ignore"):
        p, e = two_product(values[b], values[c])
    e = np.where(np.isfinite(e), e, 0.0)  # beyond the splitting range: plain rounding
    return (values[a] - p) - e
