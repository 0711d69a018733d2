"""Section 3 eq5 and Appendix B: the closed form of the scalar DAE flow (labels B.9 ... eq5).

The scalar dynamics [eq2]/[eq3] conserve ``w2^2 - w1^2``; with ``c0 = |w2^2 - w1^2| > 0`` the
hyperbolic coordinates [B.coords] turn the flow of the product ``w = w1 w2`` into the autonomous
one-dimensional flow [B.theta], which integrates in closed form ([B.int] ... [B.solve], [eq5]).
The balanced case ``c0 = 0`` (where eq5 is 0/0) is the logistic flow of step ``eq5.balanced``.
"""

from __future__ import annotations

import sympy as sp

from .proof import Chain
from .step import Outcome, Status, Step
from .symbols import (
    BETA,
    E,
    beta,
    c0,
    delta,
    delta0,
    deltaf,
    eps,
    lam,
    t,
    tau,
    theta,
    theta0,
    thetaf,
    w,
    w0,
    w1,
    w2,
    zeta,
)

# ---------------------------------------------------------------------------------------------
# the printed scalar dynamics [eq2], [eq3] (tau * d/dt), re-encoded locally from the printed text
# ---------------------------------------------------------------------------------------------
#: tau dw1/dt as printed in [eq2]
RHS_W1 = w2 * lam * (1 - w2 * w1) - eps * w2**2 * w1
#: tau dw2/dt as printed in [eq3]
RHS_W2 = w1 * lam * (1 - w2 * w1) - eps * w2 * w1**2

u = sp.Symbol("u", real=True)  # u = tanh(theta/2), the substitution of [B.int]

#: zeta in terms of c0, eps, lam (zeta = sqrt(beta^2 + 4), beta = c0 (1 + eps/lam))
ZETA_C0 = sp.sqrt(BETA**2 + 4)
#: the fixed point of the product, w* = lam / (lam + eps)
W_STAR = lam / (lam + eps)

# [B.theta] right-hand side, tau dtheta/dt
THETA_RHS = lam * (2 - beta * sp.sinh(theta))
THETA_RHS_C0 = THETA_RHS.subs(beta, BETA)
#: linearised rate of [B.theta] at its fixed point sinh(theta*) = 2/beta
RATE = lam * ZETA_C0 / tau

# [B.int] printed antiderivative (in theta) of tau / (lam (2 - beta sinh theta))
ANTIDERIV = tau / (zeta * lam) * sp.log(
    (zeta + beta + 2 * sp.tanh(theta / 2)) / (zeta - beta - 2 * sp.tanh(theta / 2))
)

# [B.solve] / [eq5] numerator and denominator of delta_f as a function of E, beta, zeta, delta0
NUM = (1 - E) * (zeta**2 - beta**2 - 2 * beta * delta0) - 2 * (1 + E) * zeta * delta0
DEN = (1 - E) * (2 * beta + 4 * delta0) - 2 * (1 + E) * zeta
DELTAF = NUM / DEN

# [eq5] with the printed definitions substituted: beta, zeta, delta, E, theta_0
THETA0_PRINTED = sp.asinh(2 * w0 / c0)
_SUBS_EQ5 = {
    delta0: sp.tanh(THETA0_PRINTED / 2),
    E: sp.exp(zeta * lam * t / tau),
}
THETA_T = (2 * sp.atanh(DELTAF.subs(_SUBS_EQ5))).subs(zeta, ZETA_C0).subs(beta, BETA)
W_T = c0 / 2 * sp.sinh(THETA_T)
#: the same w(t) without transcendental compositions: delta0 = 2 w0 / (c0 + sqrt(c0^2 + 4 w0^2)),
#: w = (c0/2) sinh(2 artanh d) = c0 d / (1 - d^2)
DELTA0_ALG = 2 * w0 / (c0 + sp.sqrt(c0**2 + 4 * w0**2))
_DF_ALG = DELTAF.subs({delta0: DELTA0_ALG, E: sp.exp(zeta * lam * t / tau)})
_DF_ALG = _DF_ALG.subs(zeta, ZETA_C0).subs(beta, BETA)
W_T_ALG = c0 * _DF_ALG / (1 - _DF_ALG**2)

# [eq5.balanced] logistic solution of tau dw/dt = 2 w (lam - (lam + eps) w)
W_BALANCED = W_STAR / (1 + (W_STAR / w0 - 1) * sp.exp(-2 * lam * t / tau))


def _pending() -> Outcome:
    return Chain().outcome(Status.UNVERIFIED, note="proof pending")


# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------
B_CONSERVED = Step(
    id="B.conserved", section="B", title="w2^2 - w1^2 is conserved by the DAE flow",
    printed=sp.Eq(sp.Derivative(w2**2 - w1**2, t), 0),
    proof=_pending, uses=("eq2", "eq3"), printed_in_paper=False,
)
B9 = Step(
    id="B.9", section="B", title="Flow of the product w = w1 w2",
    printed=sp.Eq(w2 * sp.Symbol("tau_dw1dt") + w1 * sp.Symbol("tau_dw2dt"),
                  (lam - w * (lam + eps)) * (w1**2 + w2**2)),
    proof=_pending, uses=("eq2", "eq3"),
)
B_COORDS = Step(
    id="B.coords", section="B", title="Hyperbolic coordinates",
    printed=sp.Tuple(
        sp.Implies(w1**2 < w2**2, sp.And(sp.Eq(w1, sp.sqrt(c0) * sp.sinh(theta / 2)),
                                         sp.Eq(w2, sp.sqrt(c0) * sp.cosh(theta / 2)))),
        sp.Implies(w1**2 > w2**2, sp.And(sp.Eq(w1, sp.sqrt(c0) * sp.cosh(theta / 2)),
                                         sp.Eq(w2, sp.sqrt(c0) * sp.sinh(theta / 2)))),
    ),
    proof=_pending, uses=("B.conserved",),
)
B_W = Step(
    id="B.w", section="B", title="Product and squared norm in hyperbolic coordinates",
    printed=sp.Tuple(sp.Eq(w, c0 / 2 * sp.sinh(theta)),
                     sp.Eq(sp.Symbol("dw"), c0 / 2 * sp.cosh(theta) * sp.Symbol("dtheta")),
                     sp.Eq(w1**2 + w2**2, c0 * sp.cosh(theta))),
    proof=_pending, uses=("B.coords",),
)
B_THETA = Step(
    id="B.theta", section="B", title="Autonomous flow of theta",
    printed=sp.Eq(tau * sp.Derivative(theta, t), THETA_RHS),
    proof=_pending, uses=("B.9", "B.w"),
    exprs={"rhs": THETA_RHS_C0, "rate": RATE, "theta_star": sp.asinh(2 / BETA)},
)
B_INT = Step(
    id="B.int", section="B", title="Integration by u = tanh(theta/2)",
    printed=sp.Eq(t, ANTIDERIV.subs(theta, thetaf) - ANTIDERIV.subs(theta, theta0)),
    proof=_pending, uses=("B.theta",),
)
B_E = Step(
    id="B.E", section="B", title="Exponentiated time",
    printed=sp.Eq(E, (zeta + beta + 2 * deltaf) * (zeta - beta - 2 * delta0)
                  / ((zeta - beta - 2 * deltaf) * (zeta + beta + 2 * delta0))),
    proof=_pending, uses=("B.int",),
)
B_SOLVE = Step(
    id="B.solve", section="B", title="Solve for delta_f",
    printed=sp.Eq(deltaf * DEN, NUM),
    proof=_pending, uses=("B.E",),
)
EQ5 = Step(
    id="eq5", section="3", title="Closed form of the scalar DAE flow",
    printed=sp.Eq(w, c0 / 2 * sp.sinh(2 * sp.atanh(DELTAF.subs(delta0, delta)))),
    proof=_pending, uses=("B.solve", "B.theta", "B.w"),
    exprs={"w": W_T, "theta_t": THETA_T, "w_algebraic": W_T_ALG},
)
EQ5_BALANCED = Step(
    id="eq5.balanced", section="B", title="Balanced case c0 = 0: logistic flow",
    printed=sp.Eq(w, W_BALANCED), proof=_pending, uses=("B.9", "eq5"),
    printed_in_paper=False, exprs={"w": W_BALANCED},
)

STEPS: tuple[Step, ...] = (
    EQ5, B_CONSERVED, B9, B_COORDS, B_W, B_THETA, B_INT, B_E, B_SOLVE, EQ5_BALANCED,
)
