"""Formulas that Sections 5, D, E and N of the ICML 2018 paper would otherwise type twice.

Each is a definition of the paper (or of daedyn's numerics) written once; the steps that
verify them cite the label.  Proofs read other steps through ``pf.use``; these module-level
definitions serve the ``printed`` statements and the exported ``exprs``, and the proof helpers
below are generic (no formula of a step inside).
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import ProofError
from .conventions import CONVENTIONS
from .symbols import XI, N, eps, gamma, lam, t, tau, w, w0, w1, w2

#: [4.fp] the DAE fixed point lam/(lam + eps)
W_STAR_EPS = lam / (lam + eps)
#: [C.loss] the scalar WDAE loss (eq6 per direction, times alpha = N/tau)
LOSS_GAMMA = lam / (2 * tau) * (1 - w2 * w1) ** 2 + N * gamma / (2 * tau) * (w1**2 + w2**2)
#: [C.w] tau dw/dt of the balanced WDAE product
RHS_W_GAMMA = 2 * w * (lam - N * gamma - w * lam)
#: [eq7] corrected: E_gamma = exp(2 lam xi t / tau)
E_GAMMA_CORRECT = sp.exp(2 * lam * XI * t / tau)
W_GAMMA_CORRECT = XI * E_GAMMA_CORRECT / (E_GAMMA_CORRECT - 1 + XI / w0)


def bernoulli_solution(rhs: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """The solution from ``w0`` of ``tau d var/dt = a var + b var^2`` (``rhs`` quadratic).

    With ``v = 1/var``: ``tau dv/dt = -a v - b``, so ``v = -b/a + (1/w0 + b/a) exp(-a t/tau)``.
    Raises ``ValueError`` when ``rhs`` is not of that shape (the proof then does not close).
    """
    poly = sp.Poly(sp.expand(rhs), var)
    if poly.degree() != 2 or poly.coeff_monomial(1) != 0:
        raise ValueError(f"not of the form a w + b w^2: {rhs}")
    a, b = poly.coeff_monomial(var), poly.coeff_monomial(var**2)
    v = -b / a + (1 / w0 + b / a) * sp.exp(-a * t / tau)
    return 1 / v


#: the relation of the convention ``gamma-N``: gamma_printed = N gamma
GAMMA_N = {c.key: c for c in CONVENTIONS}["gamma-N"].relation


def eq6_gamma() -> sp.Expr:
    """eq6's gamma in terms of the printed one, solved from the convention ``gamma-N``."""
    sol = sp.solve(GAMMA_N, gamma)
    if len(sol) != 1:
        raise ProofError(f"convention gamma-N does not fix gamma: {sol}")
    return sol[0]


def initial_rate(w_t: sp.Expr) -> sp.Expr:
    """(1/w) dw/dt at t = 0 as w0 -> 0, for a closed form w(t) starting at w0."""
    return sp.cancel(sp.diff(w_t, t).subs(t, 0) / w0).subs(w0, 0)


def differs_at_a_point(a: sp.Basic, b: sp.Basic, dps: int = 30) -> bool:
    """Whether ``a`` and ``b`` differ at one fixed rational point of their free symbols.

    A fast first test before an exact comparison (a mutated statement then fails at once); it
    never decides that two expressions are equal.
    """
    syms = sorted((a - b).free_symbols, key=str)
    point = {s_: sp.Rational(13 + 7 * k, 17 + 3 * k) for k, s_ in enumerate(syms)}
    val = sp.N((a - b).rewrite(sp.exp).subs(point), dps)
    return not val.is_number or abs(complex(val)) > sp.Float(10) ** (5 - dps)
