"""Section 3: gradient flow of the expected DAE loss and its scalar dynamics (3.1a ... eq4).

Work in progress: the exprs contracts of [eq2], [eq3], [eq4] are final; the proofs of the
matrix steps are being written.
"""

from __future__ import annotations

import sympy as sp

from .proof import Chain
from .step import Outcome, Status, Step
from .symbols import eps, lam, tau, w1, w2

#: [eq2] right-hand side of tau dw1/dt for one direction j
RHS_W1 = w2 * lam * (1 - w2 * w1) - eps * w2**2 * w1
#: [eq3] right-hand side of tau dw2/dt for one direction j
RHS_W2 = w1 * lam * (1 - w2 * w1) - eps * w2 * w1**2
#: [eq4] the loss of one direction j
LOSS_J = lam / (2 * tau) * (1 - w2 * w1) ** 2 + eps / (2 * tau) * (w2 * w1) ** 2


def _pending() -> Outcome:
    return Chain().outcome(Status.UNVERIFIED, note="proof being written")


def _prove_eq4() -> Outcome:
    """[eq4] tau dw/dt = -tau dl/dw for both weights of one direction."""
    chain = Chain()
    chain.equal(-tau * sp.diff(LOSS_J, w1), RHS_W1, "-tau dl/dw1 is the rhs of [eq2]")
    chain.equal(-tau * sp.diff(LOSS_J, w2), RHS_W2, "-tau dl/dw2 is the rhs of [eq3]")
    return chain.outcome(Status.HOLDS)


EQ2 = Step(id="eq2", section="3", title="Scalar dynamics of w1j",
           printed=sp.Eq(tau * sp.Derivative(sp.Function("w_1j")(sp.Symbol("t")), sp.Symbol("t")),
                         RHS_W1),
           proof=_pending, uses=("3.2",), exprs={"rhs": RHS_W1})
EQ3 = Step(id="eq3", section="3", title="Scalar dynamics of w2j",
           printed=sp.Eq(tau * sp.Derivative(sp.Function("w_2j")(sp.Symbol("t")), sp.Symbol("t")),
                         RHS_W2),
           proof=_pending, uses=("3.2",), exprs={"rhs": RHS_W2})
EQ4 = Step(id="eq4", section="3", title="The scalar dynamics are gradient descent on l",
           printed=sp.Eq(sp.Symbol("ell"), LOSS_J), proof=_prove_eq4, uses=("eq2", "eq3"),
           exprs={"loss": LOSS_J})

STEPS: tuple[Step, ...] = (EQ2, EQ3, EQ4)
