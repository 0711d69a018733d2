"""Measurements on learning curves: plateaus, local log-log slopes, power-law and exponential fits.

Written for the synthetic figures (2, 3, 10, dscale); a plateau finder may also come to
``numerics.shallow`` (branch rg-gaps), this one is the figures' own and says what it does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def log_slope(t: ArrayLike, y: ArrayLike) -> NDArray:
    """``d ln y / d ln t`` by centred differences (t > 0, y > 0)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    if np.any(t <= 0) or np.any(y <= 0):
        raise ValueError("log_slope needs t > 0 and y > 0")
    return np.gradient(np.log(y), np.log(t))


def plateaus(t: ArrayLike, pmse: ArrayLike, *, depth: float = 0.3) -> list[dict[str, float]]:
    """Plateaus of a decreasing learning curve on a log-spaced time grid: the local minima of
    the relative decay rate ``r = -d ln pmse / d ln t`` that lie below ``depth`` times the
    largest rate both before and after them (a quasi-stationary stretch between two drops).
    Returns ``[{"t", "pmse", "rate"}]`` in time order (t > 0 only)."""
    t, y = np.asarray(t, dtype=float), np.asarray(pmse, dtype=float)
    keep = t > 0
    t, y = t[keep], y[keep]
    if t.size < 5:
        return []
    r = -log_slope(t, y)
    found = []
    for i in range(1, r.size - 1):
        if not (r[i] <= r[i - 1] and r[i] <= r[i + 1]):
            continue
        before, after = r[:i].max(), r[i + 1:].max()
        if r[i] < depth * before and r[i] < depth * after:
            found.append({"t": float(t[i]), "pmse": float(y[i]), "rate": float(r[i])})
    return found


def nearest_level(value: float, levels: ArrayLike) -> dict[str, Any]:
    """The PCA level (index k = number of components) closest to ``value`` in log scale, and
    the relative distance ``value / level - 1``."""
    lv = np.asarray(levels, dtype=float)
    k = int(np.argmin(np.abs(np.log(value) - np.log(lv))))
    return {"k": k, "level": float(lv[k]), "rel_distance": float(value / lv[k] - 1)}


def power_law_fit(t: ArrayLike, y: ArrayLike, window: tuple[float, float]) -> dict[str, float]:
    """Least-squares fit of ``ln |y| = c + p ln t`` over ``window`` (inclusive): exponent ``p``,
    its standard error from the residuals (an underestimate for autocorrelated data: the
    figures also report the spread over seeds), ``r2``, and the number of points."""
    t, y = np.asarray(t, dtype=float), np.abs(np.asarray(y, dtype=float))
    m = (t >= window[0]) & (t <= window[1]) & (y > 0)
    if m.sum() < 3:
        raise ValueError(f"fewer than 3 points in the fit window {window}")
    x, z = np.log(t[m]), np.log(y[m])
    A = np.vstack([x, np.ones_like(x)]).T
    coef, *_ = np.linalg.lstsq(A, z, rcond=None)
    res = z - A @ coef
    n = int(m.sum())
    s2 = float(res @ res) / max(n - 2, 1)
    se = float(np.sqrt(s2 / np.sum((x - x.mean()) ** 2)))
    ss = float(np.sum((z - z.mean()) ** 2))
    return {"exponent": float(coef[0]), "stderr": se,
            "r2": float(1 - res @ res / ss) if ss > 0 else 1.0, "n": n}


def exponential_fit(t: ArrayLike, y: ArrayLike, window: tuple[float, float]
                    ) -> dict[str, float]:
    """Least-squares fit of ``ln |y| = c - t / tau`` over ``window``: rate ``1/tau``, ``r2``."""
    t, y = np.asarray(t, dtype=float), np.abs(np.asarray(y, dtype=float))
    m = (t >= window[0]) & (t <= window[1]) & (y > 0)
    if m.sum() < 3:
        raise ValueError(f"fewer than 3 points in the fit window {window}")
    x, z = t[m], np.log(y[m])
    A = np.vstack([x, np.ones_like(x)]).T
    coef, *_ = np.linalg.lstsq(A, z, rcond=None)
    res = z - A @ coef
    ss = float(np.sum((z - z.mean()) ** 2))
    return {"rate": float(-coef[0]), "r2": float(1 - res @ res / ss) if ss > 0 else 1.0,
            "n": int(m.sum())}
