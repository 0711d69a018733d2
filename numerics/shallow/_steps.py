"""Verified expressions of the ``refinetti2020`` source, looked up by step label (lazy).

Nothing here builds SymPy at import time; the first lookup imports the source's step modules.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

import sympy as sp

_MODULES = ("gaussian", "integrals", "dynamics", "longtime")


@cache
def _steps() -> dict[str, object]:
    out: dict[str, object] = {}
    for name in _MODULES:
        try:
            mod = import_module(f"derivations.refinetti2020.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"derivations.refinetti2020.{name}":
                continue
            raise
        for st in mod.STEPS:
            out[st.id] = st
    return out


def expr(label: str, name: str) -> sp.Expr:
    """``exprs[name]`` of step ``label`` (KeyError naming the label if unknown)."""
    steps = _steps()
    if label not in steps:
        raise KeyError(f"unknown step {label!r}")
    return steps[label].exprs[name]  # type: ignore[attr-defined]
