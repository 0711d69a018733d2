"""Shared symbols and definitions of the Refinetti & Goldt source (labels ``RG.``).

The covariance entries ``Cij`` of zero-mean jointly Gaussian variables ``x1..x4`` are the
arguments of every Gaussian-integral expression (``exprs`` of the steps in
:mod:`.integrals`); numerics maps an (n, n) matrix onto them by these names.
"""

from __future__ import annotations

import sympy as sp

x, y = sp.symbols("x y", real=True)
x1, x2, x3, x4 = sp.symbols("x1 x2 x3 x4", real=True)
#: a positive variance (one-dimensional integrals)
c = sp.Symbol("c", positive=True)

C11, C22, C33, C44 = sp.symbols("C11 C22 C33 C44", positive=True)
C12, C13, C14, C23, C24, C34 = sp.symbols("C12 C13 C14 C23 C24 C34", real=True)

_ENTRIES = {
    (1, 1): C11, (2, 2): C22, (3, 3): C33, (4, 4): C44,
    (1, 2): C12, (1, 3): C13, (1, 4): C14, (2, 3): C23, (2, 4): C24, (3, 4): C34,
}


def cov(n: int) -> sp.Matrix:
    """The symmetric symbolic covariance of ``x1..xn``."""
    return sp.Matrix(n, n, lambda i, j: _ENTRIES[(min(i, j) + 1, max(i, j) + 1)])


def entry_names(n: int) -> tuple[str, ...]:
    """Argument names, in the order numerics passes them: upper triangle row by row."""
    return tuple(f"C{i}{j}" for i in range(1, n + 1) for j in range(i, n + 1))


def gauss_density(xs: sp.Matrix, C: sp.Matrix) -> sp.Expr:
    """Zero-mean Gaussian density with covariance ``C`` (``C`` invertible)."""
    n = C.shape[0]
    return sp.exp(-(xs.T * C.inv() * xs)[0, 0] / 2) / sp.sqrt((2 * sp.pi) ** n * C.det())


def normal_1d(var: sp.Expr, s: sp.Expr) -> sp.Expr:
    """Density of N(0, s) at ``var``."""
    return sp.exp(-var**2 / (2 * s)) / sp.sqrt(2 * sp.pi * s)


#: the activations, in the conventions of SHALLOW_MODEL.md
ACTIVATIONS = ("erf", "relu", "linear")


def g(name: str, z: sp.Expr) -> sp.Expr:
    """The activation ``g``: erf(z/sqrt2), max(z,0) (as z*Heaviside(z)), or z."""
    if name == "erf":
        return sp.erf(z / sp.sqrt(2))
    if name == "relu":
        return z * sp.Heaviside(z)
    if name == "linear":
        return z
    raise ValueError(f"unknown activation {name!r}")


def gprime(name: str, z: sp.Expr) -> sp.Expr:
    """g' (for ReLU the Heaviside step; its value at 0 is immaterial under a Gaussian)."""
    if name == "erf":
        return sp.sqrt(2 / sp.pi) * sp.exp(-z**2 / 2)
    if name == "relu":
        return sp.Heaviside(z)
    if name == "linear":
        return sp.Integer(1)
    raise ValueError(f"unknown activation {name!r}")
