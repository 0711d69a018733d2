"""Verified expressions of the ``refinetti2020`` source, looked up by step label (lazy).

Nothing here builds SymPy at import time; the registry imports the source on first lookup.
"""

from __future__ import annotations

import sympy as sp

from derivations.engine import get


def expr(label: str, name: str) -> sp.Expr:
    """``exprs[name]`` of step ``refinetti2020:<label>`` (KeyError naming it if unknown)."""
    return get(f"refinetti2020:{label}").expr(name)
