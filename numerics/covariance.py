"""The input covariance of the paper: ``Sigma_xx = sum_i x_i x_i^T`` (a SUM), and its eigenbasis."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def covariance(X: ArrayLike) -> NDArray[np.float64]:
    """``Sigma_xx = X^T X = sum_i x_i x_i^T`` for samples in the rows of ``X`` (one BLAS call)."""
    try:
        x = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X must be a real 2-D array (samples x features)") from None
    if x.ndim != 2:
        raise ValueError(f"X must be a 2-D array (samples x features), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("X must be finite (got NaN or inf)")
    with np.errstate(over="ignore", invalid="ignore"):
        s = x.T @ x
    if not np.all(np.isfinite(s)):
        raise ValueError(f"X^T X overflows float64 (largest |x| = {np.abs(x).max():g}); "
                         f"rescale X")
    return s


def eigenbasis(sigma: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Eigenvalues in decreasing order ``lam_1 >= ... >= lam_D`` and the matching columns ``V``."""
    try:
        s = np.asarray(sigma, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sigma must be a real square matrix") from None
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"sigma must be a square matrix, got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("sigma must be finite (got NaN or inf)")
    if not np.allclose(s, s.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(s).max()))):
        raise ValueError("sigma must be symmetric")
    scale = float(np.abs(s).max()) if s.size else 0.0
    if scale > 1e300:  # eigh squares entries internally: work on the rescaled matrix
        lam, v = np.linalg.eigh(s / scale)
        lam = lam * scale
    else:
        lam, v = np.linalg.eigh(s)
    return lam[::-1].copy(), v[:, ::-1].copy()
