"""Plateaus of a pmse curve in log-time, placed against the PCA error levels (Fig. 2 of
Refinetti & Goldt, seeds/003: sequential learning shows as plateaus of pmse near the PCA errors
with k = 0, 1, .. components).

A plateau is a maximal interval of log t, at least ``min_decades`` long, on which the logarithmic
slope |d ln pmse / d ln t| of the (optionally smoothed) curve stays below ``max_slope``.  Each
plateau is reported with its median pmse and the PCA level nearest to it in log scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Plateau", "plateaus"]


@dataclass(frozen=True)
class Plateau:
    """One plateau: its time span, its median pmse, and the nearest PCA level
    (``level_index`` = number of components k, ``rel_gap`` = value / level - 1; None without
    levels).  ``open_end``: it lasts to the last time given (the curve may still be on it)."""

    t_start: float
    t_end: float
    value: float
    level_index: int | None
    level: float | None
    rel_gap: float | None
    open_end: bool

    @property
    def decades(self) -> float:
        return float(np.log10(self.t_end / self.t_start))


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the runs of True in ``mask``."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def plateaus(t: ArrayLike, pmse: ArrayLike, levels: ArrayLike | None = None, *,
             max_slope: float = 0.05, min_decades: float = 0.5, smooth_decades: float = 0.0,
             points_per_decade: int = 50) -> list[Plateau]:
    """The plateaus of ``pmse(t)`` in log-time (see the module docstring).

    ``t``: increasing times (t <= 0 entries are dropped: log-time); ``pmse``: positive values
    at those times; ``levels``: PCA error levels (e.g. ``Result.pca_errors``, k = 0..K).
    The curve is interpolated linearly in (log t, log pmse) on a uniform grid of
    ``points_per_decade``; ``smooth_decades`` > 0 averages ln pmse over a window of that many
    decades first (for noisy SGD curves).  Returns plateaus in time order.
    """
    t_arr = np.asarray(t, dtype=np.float64)
    p_arr = np.asarray(pmse, dtype=np.float64)
    if t_arr.ndim != 1 or p_arr.shape != t_arr.shape:
        raise ValueError(f"t and pmse must be 1-d of one length, got {t_arr.shape} and "
                         f"{p_arr.shape}")
    if not (np.all(np.isfinite(t_arr)) and np.all(np.isfinite(p_arr))):
        raise ValueError("t and pmse must be finite")
    keep = t_arr > 0
    t_arr, p_arr = t_arr[keep], p_arr[keep]
    if t_arr.size < 3:
        raise ValueError("need at least 3 positive times")
    if np.any(np.diff(t_arr) <= 0):
        raise ValueError("t must be strictly increasing")
    if np.any(p_arr <= 0):
        raise ValueError("pmse must be positive (plateaus are found in log scale)")
    if not (max_slope > 0 and min_decades > 0 and smooth_decades >= 0 and points_per_decade >= 2):
        raise ValueError("max_slope, min_decades, points_per_decade must be positive, "
                         "smooth_decades >= 0")
    lv = None
    if levels is not None:
        lv = np.asarray(levels, dtype=np.float64)
        if lv.ndim != 1 or lv.size == 0 or np.any(~np.isfinite(lv)) or np.any(lv <= 0):
            raise ValueError("levels must be a non-empty 1-d array of positive numbers")
    x, y = np.log10(t_arr), np.log(p_arr)
    n = max(int(np.ceil((x[-1] - x[0]) * points_per_decade)) + 1, 3)
    xg = np.linspace(x[0], x[-1], n)
    yg = np.interp(xg, x, y)
    if smooth_decades > 0:
        w = max(int(round(smooth_decades * points_per_decade)), 1) | 1
        pad = w // 2
        ypad = np.concatenate([np.full(pad, yg[0]), yg, np.full(pad, yg[-1])])
        yg = np.convolve(ypad, np.ones(w) / w, mode="valid")
    slope = np.gradient(yg, xg * np.log(10.0))  # d ln pmse / d ln t
    out = []
    for i, j in _runs(np.abs(slope) < max_slope):
        t0, t1 = 10 ** xg[i], 10 ** xg[j - 1]
        if np.log10(t1 / t0) < min_decades:
            continue
        inside = (t_arr >= t0) & (t_arr <= t1)
        value = float(np.median(p_arr[inside])) if inside.any() else float(np.exp(yg[i:j].mean()))
        k = lev = gap = None
        if lv is not None:
            k = int(np.argmin(np.abs(np.log(lv) - np.log(value))))
            lev = float(lv[k])
            gap = value / lev - 1.0
        out.append(Plateau(float(t0), float(t1), value, k, lev, gap, bool(j == n)))
    return out
