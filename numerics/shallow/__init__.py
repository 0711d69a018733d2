"""Numerics of the shallow non-linear autoencoder (Refinetti & Goldt; source ``refinetti2020``).

Imports nothing heavy: the verified SymPy expressions are compiled at first use.
"""

from __future__ import annotations

from .integrals import ACTIVATIONS, NAMES, integral
from .plateaus import Plateau, plateaus

__all__ = ["ACTIVATIONS", "NAMES", "Plateau", "integral", "plateaus"]
