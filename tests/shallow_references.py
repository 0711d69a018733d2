"""Independent quadratures for the Gaussian integrals (no closed form of the steps is used).

``polar2``: E[f(x1, x2)] for x ~ N(0, C), C (2, 2) positive semi-definite, with x = L z
(L = V sqrt(Lambda)), z in polar coordinates: Gauss-Legendre in the angle on the pieces between
the kinks of ReLU (where a coordinate of L u vanishes) and in the radius on [0, 14].
``regress3``: a three-variable integral with a linear middle factor, E[a(x1) x2 b(x3)], reduced
by Gaussian regression E[x2 | x1, x3] (a least-squares solve) to ``polar2``.
``hermite4``: tensor Gauss-Hermite for smooth four-variable integrands.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf

RADIUS = 14.0
_TN, _TW = np.polynomial.legendre.leggauss(96)
_RN, _RW = np.polynomial.legendre.leggauss(240)


def act(name: str):
    if name == "erf":
        return (lambda z: erf(z / np.sqrt(2)), lambda z: np.sqrt(2 / np.pi) * np.exp(-z * z / 2))
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))
    return (lambda z: z, lambda z: np.ones_like(z))


def _sqrtm(C: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(C)
    return V * np.sqrt(np.maximum(w, 0.0))


def polar2(f, C: np.ndarray) -> float:
    """E[f(x1, x2)] (f vectorised) for x ~ N(0, C), C (2, 2) PSD."""
    L = _sqrtm(np.asarray(C, float))
    cuts = [0.0, 2 * np.pi]
    for row in L:  # (L u)_i = row . (cos t, sin t) = 0
        if np.any(row != 0):
            t0 = np.arctan2(-row[0], row[1]) % np.pi
            cuts += [t0, t0 + np.pi]
    cuts = np.unique(np.clip(cuts, 0, 2 * np.pi))
    total = 0.0
    r = 0.5 * RADIUS * (_RN + 1)
    wr = 0.5 * RADIUS * _RW * r * np.exp(-r * r / 2)
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        t = 0.5 * (b - a) * (_TN + 1) + a
        wt = 0.5 * (b - a) * _TW
        u = np.stack([np.cos(t), np.sin(t)])  # (2, nt)
        x = (L @ u)[:, :, None] * r[None, None, :]  # (2, nt, nr)
        total += np.einsum("i,j,ij->", wt, wr, f(x[0], x[1]))
    return total / (2 * np.pi)


def regress3(a, b, C: np.ndarray) -> float:
    """E[a(x1) x2 b(x3)] for x ~ N(0, C), C (3, 3) PSD, via E[x2 | x1, x3] = k . (x1, x3)."""
    C = np.asarray(C, float)
    S = C[np.ix_([0, 2], [0, 2])]
    k = np.linalg.lstsq(S, C[[0, 2], 1], rcond=None)[0]
    return polar2(lambda u, v: a(u) * (k[0] * u + k[1] * v) * b(v), S)


def hermite4(f, C: np.ndarray, nodes: int = 40) -> float:
    """E[f(x1, .., x4)] by tensor Gauss-Hermite (smooth f only)."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / np.sqrt(2 * np.pi)
    L = _sqrtm(np.asarray(C, float))
    Z = np.stack(np.meshgrid(z, z, z, z, indexing="ij")).reshape(4, -1)
    W = np.einsum("i,j,k,l->ijkl", w, w, w, w).reshape(-1)
    X = L @ Z
    return float(W @ f(*X))


def reference(name: str, activation: str, C: np.ndarray) -> float:
    """The integral ``name`` by these quadratures (n <= 3; I4 only for smooth activations)."""
    g, gp = act(activation)
    C = np.asarray(C, float)
    if name == "E1":
        return polar2(lambda u, v: gp(u), np.diag([C[0, 0], 1.0]))
    two = {
        "J2": lambda u, v: u * g(v), "I2": lambda u, v: g(u) * g(v),
        "I21": lambda u, v: gp(u) * u * v, "I22": lambda u, v: gp(u) * v * v,
        "K2": lambda u, v: gp(u) * gp(v),
    }
    if name in two:
        return polar2(two[name], C)
    if name == "I3":
        return regress3(gp, g, C)
    if name == "I4":
        return hermite4(lambda a, b, c, d: gp(a) * gp(b) * g(c) * g(d), C)
    raise KeyError(name)
