"""Shared definitions of Sections 2-3 (steps L ... eq4): the small explicit model, the matrix
symbols of general shape, the scalar dynamics, and the "readings" that give the printed
notation its meaning.

Nothing here is a printed statement: the proofs derive from these definitions and compare
with the printed statement handed to them (``pf.printed``) at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix

from .conventions import CONVENTIONS
from .symbols import D, H, eps, lam, tau, w1, w2

# ---------------------------------------------------------------------------------------------
# explicit symbolic objects (D = 3 inputs, H = 2 hidden units, N = 2 samples)
# ---------------------------------------------------------------------------------------------
DIM, HID, NSAMP = 3, 2, 2


def mat(name: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of independent real symbols ``name_ij`` (1-based indices)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def vec(name: str, dim: int) -> sp.Matrix:
    """A column vector of independent real symbols ``name_i`` (1-based)."""
    return sp.Matrix(dim, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}", real=True))


M = mat("m", DIM, DIM)  # the composite map M = W2 W1 (general entries)
W1 = mat("u", HID, DIM)  # encoder, H x D
W2 = mat("v", DIM, HID)  # decoder, D x H
XS = [vec(f"x{i + 1}", DIM) for i in range(NSAMP)]  # clean samples x_i
ES = [vec(f"e{i + 1}", DIM) for i in range(NSAMP)]  # noise vectors e_i


def sq(v: sp.Matrix) -> sp.Expr:
    """Squared Euclidean norm of a column vector."""
    return (v.T * v)[0, 0]


def SE(xv: sp.Matrix, xin: sp.Matrix, m: sp.Matrix = M) -> sp.Expr:
    """[A.1] squared reconstruction error ||x - M x_in||^2 of the clean target x."""
    return sq(xv - m * xin)


# ---------------------------------------------------------------------------------------------
# matrix symbols of general shape (D inputs, H hidden units)
# ---------------------------------------------------------------------------------------------
GW1 = sp.MatrixSymbol("W_1", H, D)
GW2 = sp.MatrixSymbol("W_2", D, H)
SIGMA = sp.MatrixSymbol(r"\Sigma_{xx}", D, D)

# ---------------------------------------------------------------------------------------------
# the scalar dynamics of one direction j (the exprs contracts of [eq2], [eq3], [eq4])
# ---------------------------------------------------------------------------------------------
#: [eq2] right-hand side of tau dw1/dt for one direction j
RHS_W1 = w2 * lam * (1 - w2 * w1) - eps * w2**2 * w1
#: [eq3] right-hand side of tau dw2/dt for one direction j
RHS_W2 = w1 * lam * (1 - w2 * w1) - eps * w2 * w1**2
#: [eq4] the loss of one direction j
LOSS_J = lam / (2 * tau) * (1 - w2 * w1) ** 2 + eps / (2 * tau) * (w2 * w1) ** 2


# ---------------------------------------------------------------------------------------------
# readings: give the printed notation its meaning (transforms for Chain.conclude / equal)
# ---------------------------------------------------------------------------------------------
def linear_sums(expr: sp.Basic) -> sp.Basic:
    """Expand every ``Sum`` by linearity: constant factors out, ``Sum(c) = (b - a + 1) c``."""

    def split(total: sp.Sum) -> sp.Expr:
        (idx, lo, hi), = total.limits
        out = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(total.function)):
            coeff, rest = term.as_independent(idx, as_Add=False)
            out += coeff * ((hi - lo + 1) if rest == 1 else sp.Sum(rest, (idx, lo, hi)))
        return out

    if not isinstance(expr, sp.Basic):
        return expr
    return sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), split))


def zero_matrix_to_scalar(expr: sp.Basic) -> sp.Basic:
    """Map a zero matrix (e.g. what ``expand`` leaves of a vanishing MatAdd) to the scalar 0."""
    if getattr(expr, "is_ZeroMatrix", False):
        return sp.S.Zero
    if isinstance(expr, sp.MatrixBase) and expr.is_zero_matrix:
        return sp.S.Zero
    return expr


def reading(mapping: Mapping[sp.Basic, sp.Basic]) -> Callable[[sp.Basic], sp.Basic]:
    """Transform replacing printed notation by its meaning (``xreplace``)."""
    frozen = dict(mapping)
    return lambda expr: expr.xreplace(frozen)


def _to_domain(expr: sp.Basic, table: Mapping[sp.MatrixSymbol, DomainMatrix], dom: Any
               ) -> DomainMatrix:
    """Evaluate a matrix expression exactly over ``dom`` (products done in the ring)."""
    if isinstance(expr, sp.MatrixSymbol):
        return table[expr]
    if isinstance(expr, sp.Identity):
        return DomainMatrix.eye(int(expr.shape[0]), dom)
    if isinstance(expr, sp.ZeroMatrix):
        return DomainMatrix.zeros(tuple(int(n) for n in expr.shape), dom)
    if isinstance(expr, sp.Transpose):
        return _to_domain(expr.arg, table, dom).transpose()
    if isinstance(expr, sp.MatAdd):
        parts = [_to_domain(a, table, dom) for a in expr.args]
        out = parts[0]
        for part in parts[1:]:
            out = out + part
        return out
    if isinstance(expr, sp.MatMul):
        coeff, mats = expr.as_coeff_matrices()
        out = _to_domain(mats[0], table, dom)
        for m in mats[1:]:
            out = out * _to_domain(m, table, dom)
        return out * dom.from_sympy(_scalars(coeff, table, dom))
    raise ValueError(f"no explicit reading for {type(expr).__name__}: {expr}")


def _scalars(expr: sp.Basic, table: Mapping[sp.MatrixSymbol, DomainMatrix], dom: Any
             ) -> sp.Basic:
    """A scalar expression with every ``Trace`` of a matrix expression evaluated."""

    def trace(arg: sp.Basic) -> sp.Basic:
        rows = _to_domain(arg, table, dom).to_list()
        total = dom.zero
        for i, row in enumerate(rows):
            total += row[i]
        return dom.to_sympy(total)

    return expr.replace(lambda e: isinstance(e, sp.Trace), lambda e: trace(e.arg))


def explicit_shapes(dims: Mapping[sp.Symbol, int], mats: Mapping[str, sp.Matrix]
                    ) -> Callable[[sp.Basic], sp.Basic]:
    """Transform reading a matrix expression of symbolic shape at explicit sizes: ``dims``
    fixes D, H (and any other symbol given); each ``MatrixSymbol`` named in ``mats`` becomes
    that explicit matrix, and the products and traces are carried out exactly in the ring
    (or field) of the entries.  A ``MatrixSymbol`` left unread, or a matrix operation the
    reading does not know, raises ``ValueError``."""

    def read(expr: sp.Basic) -> sp.Basic:
        fixed = expr.subs(dims)
        chosen = {}
        for sym in fixed.atoms(sp.MatrixSymbol):
            if sym.name not in mats:
                raise ValueError(f"no explicit reading for the matrix {sym.name}")
            value = sp.Matrix(mats[sym.name])
            if value.shape != sym.shape:
                raise ValueError(f"{sym.name}: shape {sym.shape} read as {value.shape}")
            chosen[sym] = value
        entries = [a for m in chosen.values() for a in m] + [
            a for a in fixed.atoms(sp.Symbol) if not isinstance(a, sp.MatrixSymbol)]
        dom, _ = construct_domain(entries or [sp.S.One], field=True, composite=True)
        table = {sym: DomainMatrix.from_list_sympy(*m.shape, m.tolist()).convert_to(dom)
                 for sym, m in chosen.items()}
        if isinstance(fixed, sp.MatrixExpr):
            return _to_domain(fixed, table, dom).to_Matrix().applyfunc(sp.expand)
        return sp.expand(_scalars(fixed, table, dom))

    return read


def convention(key: str) -> sp.Eq:
    """The SymPy relation of the source's convention ``key`` (e.g. ``eps = N s^2``)."""
    for conv in CONVENTIONS:
        if conv.key == key and conv.relation is not None:
            return conv.relation
    raise KeyError(f"no convention {key!r} with a relation; known: "
                   f"{', '.join(c.key for c in CONVENTIONS if c.relation is not None)}")


__all__ = ["DIM", "ES", "GW1", "GW2", "HID", "LOSS_J", "M", "NSAMP", "RHS_W1", "RHS_W2", "SE",
           "SIGMA", "W1", "W2", "XS", "convention", "explicit_shapes", "linear_sums", "mat",
           "reading", "sq", "vec", "zero_matrix_to_scalar"]
