"""Argument checking shared by every public numeric function: clear ``ValueError``s by name."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def arg(name: str, value: ArrayLike, *, positive: bool = False, nonnegative: bool = False,
        nonzero: bool = False) -> NDArray[np.float64]:
    """``value`` as a float64 array, checked finite (and signed as asked); else ``ValueError``."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or array of real numbers, "
                         f"got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    if positive and not np.all(a > 0):
        raise ValueError(f"{name} must be > 0 (smallest value given: {a.min():g})")
    if nonnegative and not np.all(a >= 0):
        raise ValueError(f"{name} must be >= 0 (smallest value given: {a.min():g})")
    if nonzero and np.any(a == 0):
        raise ValueError(f"{name} must be nonzero")
    return a


def broadcast(**arrays: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """Broadcast the named arrays together; ``ValueError`` naming the shapes if they do not."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in arrays.items())
        raise ValueError(f"argument shapes do not broadcast: {shapes}") from None
