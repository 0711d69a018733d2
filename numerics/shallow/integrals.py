"""Gaussian integrals E1, J2, I2, I21, I22, I3, I4, K2 of the shallow autoencoder, vectorised.

Every closed form is ``sympy.lambdify`` of the ``exprs["value"]`` of the verified step
``RG.<name>.<activation>`` (:mod:`derivations.refinetti2020.integrals`), compiled once at first
use.  The ReLU I4 has no closed form (step ``RG.I4.relu``); it is evaluated from the
representation of that step with a Gauss-Legendre quadrature of Plackett's orthant integral.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from ._steps import expr

NAMES: tuple[str, ...] = ("E1", "J2", "I2", "I21", "I22", "I3", "I4", "K2")
ACTIVATIONS: tuple[str, ...] = ("erf", "relu", "linear")
ARITY: dict[str, int] = {"E1": 1, "J2": 2, "I2": 2, "I21": 2, "I22": 2, "I3": 3, "I4": 4,
                         "K2": 2, "L1": 2, "L2": 2}


def _asin(z: NDArray) -> NDArray:
    # |argument| may exceed 1 by rounding at perfect correlation
    return np.arcsin(np.clip(z, -1.0, 1.0))


def _sqrt(z: NDArray) -> NDArray:
    # radicands are >= 0 for positive semi-definite C; clip rounding negatives
    return np.sqrt(np.maximum(z, 0.0))


_MODULES = [{"asin": _asin, "sqrt": _sqrt}, "numpy"]


def _names(n: int) -> tuple[str, ...]:
    return tuple(f"C{i}{j}" for i in range(1, n + 1) for j in range(i, n + 1))


def closed_form(name: str, activation: str) -> Callable[..., NDArray]:
    """The compiled closed form of step ``RG.<name>.<activation>`` taking the entries
    ``C11, C12, ..`` (upper triangle, row by row) as arrays; no validation (for hot loops that
    build their covariances from order parameters).  Also ``L1 = <g''(x1) x2>`` and
    ``L2 = <g''(x1) g(x2)>`` of the dynamics."""
    if (name, activation) == ("I4", "relu"):
        raise ValueError("relu I4 has no closed form (step RG.I4.relu); use integral()")
    return _compiled(name, activation)


@cache
def _compiled(name: str, activation: str) -> Callable[..., NDArray]:
    e = expr(f"RG.{name}.{activation}", "value")
    by_name = {s.name: s for s in e.free_symbols}
    args = [by_name.get(a, sp.Symbol(a)) for a in _names(ARITY[name])]
    return sp.lambdify(args, e, modules=_MODULES, cse=True)


def validate_cov(C: ArrayLike, n: int, what: str = "C") -> NDArray[np.float64]:
    """``C`` as float64 (..., n, n); ValueError unless finite, symmetric and PSD."""
    arr = np.asarray(C, dtype=np.float64)
    if arr.ndim < 2 or arr.shape[-2:] != (n, n):
        raise ValueError(f"{what} must have shape (..., {n}, {n}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} has non-finite entries")
    scale = np.max(np.abs(arr), axis=(-2, -1), keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    if np.any(np.abs(arr - np.swapaxes(arr, -1, -2)) > 1e-12 * scale):
        raise ValueError(f"{what} is not symmetric")
    if arr.size and np.any(np.linalg.eigvalsh(arr)[..., 0] < -1e-12 * scale[..., 0, 0]):
        raise ValueError(f"{what} is not positive semi-definite")
    return arr


def integral(name: str, activation: str, C: ArrayLike) -> NDArray[np.float64]:
    """The Gaussian integral ``name`` for ``activation`` at covariance(s) ``C`` (..., n, n).

    ``name`` in :data:`NAMES`, ``activation`` in :data:`ACTIVATIONS`; n = 1, 2, 2, 2, 2, 3, 4, 2
    for E1, J2, I2, I21, I22, I3, I4, K2.  Returns float64 of shape ``C.shape[:-2]``.
    Closed forms from steps ``RG.<name>.<activation>``; ReLU I4 by quadrature (``RG.I4.relu``).
    """
    if name not in ARITY:
        raise ValueError(f"unknown integral {name!r}; known: {', '.join(NAMES)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}")
    n = ARITY[name]
    arr = validate_cov(C, n)
    if activation == "relu":
        _check_relu_diagonal(name, arr)
    if name == "I4" and activation == "relu":
        out = relu_i4(arr)
    else:
        fn = _compiled(name, activation)
        args = [arr[..., i, j] for i in range(n) for j in range(i, n)]
        out = np.broadcast_to(np.asarray(fn(*args), dtype=np.float64), arr.shape[:-2]).copy()
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} ({activation}) is not finite at some covariance")
    return out


#: diagonal entries the ReLU closed forms divide by (normalised correlations, conditionals)
_RELU_DIAG = {"K2": (0, 1), "I2": (0, 1), "I3": (0, 2), "I4": (0, 1, 2, 3)}


def _check_relu_diagonal(name: str, arr: NDArray) -> None:
    for i in _RELU_DIAG.get(name, ()):
        if np.any(arr[..., i, i] <= 0):
            raise ValueError(f"relu {name} needs C[{i},{i}] > 0 (a variance is zero)")


# ------------------------------------------------------------------ ReLU I4 (quadrature)
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def _pd(arr: NDArray, what: str) -> None:
    if np.any(np.linalg.eigvalsh(arr)[..., 0] <= 1e-12 * np.max(np.abs(arr))):
        raise ValueError(f"{what} needs a positive-definite covariance")


def _orthant2(s: NDArray, u: int, v: int, j: int) -> NDArray:
    """P(x_u > 0, x_v > 0 | x_j = 0) for zero-mean x with covariance s (..., m, m)."""
    cuu = s[..., u, u] - s[..., u, j] ** 2 / s[..., j, j]
    cvv = s[..., v, v] - s[..., v, j] ** 2 / s[..., j, j]
    cuv = s[..., u, v] - s[..., u, j] * s[..., v, j] / s[..., j, j]
    return 0.25 + _asin(cuv / np.sqrt(cuu * cvv)) / (2 * np.pi)


def _h(s: NDArray) -> NDArray:
    """<Theta(a) Theta(b) max(c, 0)> for zero-mean (a, b, c) with covariance s (..., 3, 3)."""
    out = np.zeros(s.shape[:-2])
    for j, (u, v) in ((0, (1, 2)), (1, (0, 2)), (2, (0, 1))):
        dens = 1.0 / np.sqrt(2 * np.pi * s[..., j, j])
        out = out + s[..., 2, j] * dens * _orthant2(s, u, v, j)
    return out


def _conditional(C: NDArray, j: int, keep: tuple[int, int, int]) -> NDArray:
    k = list(keep)
    sub = C[..., k, :][..., :, k]
    cj = C[..., k, j]
    return sub - cj[..., :, None] * cj[..., None, :] / C[..., j, j][..., None, None]


def orthant4(C: ArrayLike) -> NDArray[np.float64]:
    """P(x1 > 0, ..., x4 > 0) for zero-mean x ~ N(0, C), C positive definite (..., 4, 4).

    Plackett: along R(s) = (1 - s) I + s R (R the correlation matrix), Price's theorem gives
    dP/ds = sum_{i<j} R_ij phi_2(0, 0; s R_ij) P(x_k > 0, x_l > 0 | x_i = x_j = 0; R(s)).
    """
    arr = np.asarray(C, dtype=np.float64)
    d = np.sqrt(np.einsum("...ii->...i", arr))
    R = arr / (d[..., :, None] * d[..., None, :])
    s = 0.5 * (_NODES + 1.0)
    w = 0.5 * _WEIGHTS
    eye = np.eye(4)
    Rs = (1 - s)[:, None, None] * eye + s[:, None, None] * R[..., None, :, :]
    total = np.zeros(R.shape[:-2] + (s.size,))
    for i, j, k, l in ((0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2),
                       (1, 2, 0, 3), (1, 3, 0, 2), (2, 3, 0, 1)):
        rij = Rs[..., i, j]
        a = [i, j]
        b = [k, l]
        Saa = Rs[..., a, :][..., :, a]
        Sab = Rs[..., a, :][..., :, b]
        Sbb = Rs[..., b, :][..., :, b]
        cond = Sbb - np.swapaxes(Sab, -1, -2) @ np.linalg.solve(Saa, Sab)
        rho = cond[..., 0, 1] / np.sqrt(cond[..., 0, 0] * cond[..., 1, 1])
        dens = 1.0 / (2 * np.pi * np.sqrt(1 - rij**2))
        total = total + R[..., i, j][..., None] * dens * (0.25 + _asin(rho) / (2 * np.pi))
    return 1.0 / 16 + total @ w


def relu_i4(C: ArrayLike) -> NDArray[np.float64]:
    """<Theta(x1) Theta(x2) max(x3,0) max(x4,0)> by the representation of step RG.I4.relu.

    Needs C positive definite (the representation conditions on single coordinates).
    """
    arr = validate_cov(C, 4)
    _pd(arr, "relu I4")
    out = np.zeros(arr.shape[:-2])
    for j, keep in ((0, (1, 2, 3)), (1, (0, 2, 3)), (2, (0, 1, 3))):
        dens = 1.0 / np.sqrt(2 * np.pi * arr[..., j, j])
        out = out + arr[..., 2, j] * dens * _h(_conditional(arr, j, keep))
    return out + arr[..., 2, 3] * orthant4(arr)
