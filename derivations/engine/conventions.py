"""Conventions as data: a key, the sentence the report prints, and the SymPy relation.

A step whose printed statement holds only when a printed symbol is read in a rescaled way
is reported as ``holds-under-convention`` and names the convention by its key; each source
keeps one table of them (its ``Source.conventions``), whose relations use the same SymPy
symbols as the source's steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Convention:
    """One convention of a source, addressed by ``key``."""

    key: str
    text: str
    relation: sp.Basic | None = None

    def __post_init__(self) -> None:
        if not self.key or any(c.isspace() for c in self.key):
            raise ValueError(f"convention key must be a non-empty word: {self.key!r}")
