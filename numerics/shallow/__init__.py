"""Numerics of the shallow non-linear autoencoder (Refinetti & Goldt; source ``refinetti2020``).

Imports nothing heavy: the verified SymPy expressions are compiled at first use.
"""

from __future__ import annotations

from .integrals import ACTIVATIONS, NAMES, integral

__all__ = ["ACTIVATIONS", "NAMES", "integral"]
