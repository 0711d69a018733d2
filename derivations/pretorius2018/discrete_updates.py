"""The discrete gradient-descent update that :mod:`numerics` evaluates (not printed in the paper).

[N.gd.eigenbasis] One full-batch GD epoch on the marginalised loss ([eq1], plus eq6's decay),
written in the eigenbasis ([3.1b]) in exactly the form the BLAS code of
``numerics.linear_ae`` evaluates: it iterates on ``Wb1`` and ``C2 = Wb2^T`` (both H x D), with
the Gram products ``C2 C2^T`` and ``Wb1 (Lambda + eps I) Wb1^T``.  The step is the explicit
Euler step of unit length (one epoch) of the flow ``tau dW/dt = rhs``, ``tau = N / alpha``.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Step
from .symbols import N, alpha, eps, gamma, tau

_h, _d = sp.symbols("H D", positive=True, integer=True)  # the symbols of [3.1b]
B1 = sp.MatrixSymbol(r"\bar{W}_1", _h, _d)
C2 = sp.MatrixSymbol(r"C_2", _h, _d)  # C2 = Wb2^T
LAM = sp.MatrixSymbol(r"\Lambda", _d, _d)  # diagonal: the eigenvalues of Sigma_xx
B1_NEXT = sp.MatrixSymbol(r"\bar{W}_1^{+}", _h, _d)
C2_NEXT = sp.MatrixSymbol(r"C_2^{+}", _h, _d)
_I = sp.Identity(_d)

#: the update as the code evaluates it (eta = alpha / N per epoch)
STEP_B1 = B1 + alpha / N * (C2 * LAM - C2 * C2.T * B1 * (LAM + eps * _I) - N * gamma * B1)
STEP_C2 = C2 + alpha / N * (B1 * LAM - B1 * (LAM + eps * _I) * B1.T * C2 - N * gamma * C2)


def _mzero(expr: sp.Basic) -> sp.Basic:
    return sp.S.Zero if getattr(expr, "is_ZeroMatrix", False) or expr == 0 else expr


def _symmetric(expr: sp.Basic) -> sp.Basic:
    """Lambda is diagonal, so Lambda^T = Lambda."""
    return expr.xreplace({LAM.T: LAM})


_VIA = (sp.expand, _symmetric, sp.expand, _mzero)


def _prove(pf: Proof) -> Outcome:
    ch = pf.chain()
    b31 = pf.use("3.1b")
    rhs1, rhs2 = b31.expr("rhs_bar_W1"), b31.expr("rhs_bar_W2")
    wb2 = C2.T  # the code keeps Wb2 transposed
    # rename 3.1b's symbols (general H, D) to this step's ones
    names = {s.name: s for s in rhs1.free_symbols | rhs2.free_symbols}
    to_here = {names[r"\bar{W}_1"]: B1, names[r"\bar{W}_2"]: wb2, names[r"\Lambda"]: LAM}
    r1 = rhs1.xreplace(to_here)
    r2t = rhs2.xreplace(to_here).T
    w = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"u_{i}{j}", real=True))
    penalty = gamma / 2 * sum(x**2 for x in w)
    ch.equal(sp.Matrix(2, 2, lambda i, j: -N * sp.Derivative(penalty, w[i, j])), -N * gamma * w,
             "tau dW/dt gains -N dP/dW = -N gamma W from eq6's penalty P = gamma/2 ||W||^2 "
             "(entrywise, any shape)")
    ch.fact(sp.Eq(sp.Symbol("W^{+}"), sp.Symbol("W") + alpha / N * sp.Symbol(r"\tau\dot{W}")),
            "one full-batch GD epoch is the explicit Euler step of unit length of "
            "tau dW/dt = -N grad(loss) with tau = N / alpha (convention tau, [3.1a])")
    derived1 = B1 + alpha / N * (r1 - N * gamma * B1)
    derived2 = C2 + alpha / N * (r2t - N * gamma * C2)
    ch.conclude(pf.printed[0], sp.Eq(B1_NEXT, derived1, evaluate=False),
                "the Wb1 update: [3.1b]'s rhs with Wb2 = C2^T, the decay, step alpha/N",
                via=_VIA)
    ch.conclude(pf.printed[1], sp.Eq(C2_NEXT, derived2, evaluate=False),
                "the C2 = Wb2^T update: the transpose of [3.1b]'s Wb2 rhs (Lambda^T = Lambda)",
                via=_VIA)
    return ch.outcome()


N_GD_EIGENBASIS = Step(
    id="N.gd.eigenbasis", section="N", title="One GD epoch in the eigenbasis, as the code runs it",
    printed=sp.Tuple(sp.Eq(B1_NEXT, STEP_B1, evaluate=False),
                     sp.Eq(C2_NEXT, STEP_C2, evaluate=False)),
    proof=_prove, uses=("3.1b",),
    assumes=(Assumption("Lambda diagonal (the eigenvalues of Sigma_xx), C2 = Wb2^T"),
             Assumption("tau = N / alpha: one epoch is one explicit Euler step of unit length",
                        sp.Eq(tau, N / alpha)),
             Assumption("weight decay gamma as in eq6 (gamma = 0: the AE / DAE)")),
    printed_in_paper=False,
    exprs={"Wb1_next": STEP_B1, "C2_next": STEP_C2},
)

STEPS: tuple[Step, ...] = (N_GD_EIGENBASIS,)
