"""Section 3 eq5 and Appendix B: the closed form of the scalar DAE flow (labels B.9 ... eq5).

The scalar dynamics [eq2]/[eq3] conserve ``w2^2 - w1^2``; with ``c0 = |w2^2 - w1^2| > 0`` the
hyperbolic coordinates [B.coords] turn the flow of the product ``w = w1 w2`` into the autonomous
one-dimensional flow [B.theta], which integrates in closed form ([B.int] ... [B.solve], [eq5]).
The balanced case ``c0 = 0`` (where eq5 is 0/0) is the logistic flow of step ``eq5.balanced``.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Outcome, Status, Step
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


# ---------------------------------------------------------------------------------------------
# targeted transformations used by the proofs
# ---------------------------------------------------------------------------------------------
def _hyp(expr: sp.Expr) -> sp.Expr:
    """Rewrite hyperbolic functions as exponentials and expand."""
    return sp.expand(sp.sympify(expr).rewrite(sp.exp))


def _atanh(expr: sp.Expr) -> sp.Expr:
    """Rewrite artanh as logarithms and hyperbolic functions as exponentials, then cancel."""
    return sp.cancel(sp.expand(sp.sympify(expr).rewrite(sp.log).rewrite(sp.exp)))


def _mod_zeta(expr: sp.Expr) -> sp.Expr:
    """Numerator of ``expr`` reduced modulo ``zeta^2 - beta^2 - 4`` (zeta = sqrt(beta^2 + 4))."""
    num, _ = sp.fraction(sp.together(sp.sympify(expr)))
    num = sp.expand(num)
    if num == 0:
        return sp.S.Zero
    return sp.rem(sp.Poly(num, zeta), sp.Poly(zeta**2 - beta**2 - 4, zeta)).as_expr()


def _mp_eval(expr: sp.Expr, subs: dict[sp.Symbol, object], dps: int = 40) -> object:
    """Evaluate ``expr`` with mpmath at ``dps`` digits after substituting ``subs``."""
    import mpmath as mp

    with mp.workdps(dps):
        return mp.mpmathify(sp.N(expr.subs(subs), dps))


# the two branches of [B.coords]: (w1, w2) in terms of theta
_BRANCH_LT = (sp.sqrt(c0) * sp.sinh(theta / 2), sp.sqrt(c0) * sp.cosh(theta / 2))  # w1^2 < w2^2
_BRANCH_GT = (sp.sqrt(c0) * sp.cosh(theta / 2), sp.sqrt(c0) * sp.sinh(theta / 2))  # w1^2 > w2^2


# ---------------------------------------------------------------------------------------------
# proofs
# ---------------------------------------------------------------------------------------------
def _prove_conserved(pf: Proof) -> Outcome:
    """[B.conserved] d/dt (w2^2 - w1^2) = 0 under [eq2]/[eq3]; not so once the equations differ."""
    chain = Chain()
    g = lam - w1 * w2 * (lam + eps)
    chain.equal(RHS_W1, w2 * g, "[eq2]: tau dw1/dt = w2 (lam - w (lam + eps)), w = w1 w2")
    chain.equal(RHS_W2, w1 * g, "[eq3]: tau dw2/dt = w1 (lam - w (lam + eps))")
    chain.equal(tau * sp.diff(sp.Function("w2")(t) ** 2 - sp.Function("w1")(t) ** 2, t)
                .subs({sp.Derivative(sp.Function("w1")(t), t): RHS_W1 / tau,
                       sp.Derivative(sp.Function("w2")(t), t): RHS_W2 / tau})
                .subs({sp.Function("w1")(t): w1, sp.Function("w2")(t): w2}),
                sp.S.Zero, "tau d/dt (w2^2 - w1^2) = 2 w2 (tau dw2/dt) - 2 w1 (tau dw1/dt) = 0")
    # with weight decay ([C.ode]) each weight also gets its own -N gamma w_i term: not conserved
    N, gamma = sp.symbols("N gamma", positive=True)
    wd1 = w2 * (lam - w2 * w1 * lam) - N * gamma * w1
    wd2 = w1 * (lam - w2 * w1 * lam) - N * gamma * w2
    chain.equal(2 * w2 * wd2 - 2 * w1 * wd1, -2 * N * gamma * (w2**2 - w1**2),
                "contrast, [C.ode]: tau d/dt (w2^2 - w1^2) = -2 N gamma (w2^2 - w1^2) != 0 "
                "unless w1^2 = w2^2 (the quantity decays instead of being conserved)")
    # and with a different noise coefficient in the two equations (eps1 != eps2)
    e1, e2 = sp.symbols("varepsilon_1 varepsilon_2", nonnegative=True)
    a1 = w2 * lam * (1 - w2 * w1) - e1 * w2**2 * w1
    a2 = w1 * lam * (1 - w2 * w1) - e2 * w2 * w1**2
    chain.equal(2 * w2 * a2 - 2 * w1 * a1, 2 * (e1 - e2) * (w1 * w2) ** 2,
                "contrast, eq2 with eps1 and eq3 with eps2: d/dt (w2^2 - w1^2) "
                "= 2 (eps1 - eps2) w^2 / tau != 0")
    return chain.outcome(Status.HOLDS)


def _same_as_gradient_flow(chain: Chain) -> None:
    """Link the local copy of [eq2]/[eq3] to gradient_flow's exprs, when that module has them."""
    from importlib import import_module

    steps = {s.id: s for s in getattr(import_module(f"{__package__}.gradient_flow"), "STEPS", ())}
    for sid, local in (("eq2", RHS_W1), ("eq3", RHS_W2)):
        theirs = steps[sid].exprs.get("rhs") if sid in steps else None
        if theirs is not None:
            if sp.expand(local - theirs) != 0:
                raise AssertionError(f"local [{sid}] differs from gradient_flow's")
            chain.fact(sp.Eq(sp.Symbol(f"rhs_{{{sid}}}"), theirs),
                       f"the local copy of [{sid}] is gradient_flow's [{sid}] rhs (checked)")


def _prove_b9(pf: Proof) -> Outcome:
    """[B.9] product rule, then [eq2]/[eq3] factor through g = lam - w (lam + eps)."""
    chain = Chain()
    _same_as_gradient_flow(chain)
    f1, f2 = sp.Function("w1")(t), sp.Function("w2")(t)
    d = sp.Derivative(f1 * f2, t)
    chain.equal(d, f2 * sp.diff(f1, t) + f1 * sp.diff(f2, t), "product rule, w = w1 w2")
    lhs = w2 * RHS_W1 + w1 * RHS_W2
    rhs = (lam - w * (lam + eps)) * (w1**2 + w2**2)
    chain.equal(lhs, rhs.subs(w, w1 * w2),
                "substitute [eq2], [eq3]: both are (lam - w (lam + eps)) times the other weight")
    return chain.outcome(Status.HOLDS)


def _prove_coords(pf: Proof) -> Outcome:
    """[B.coords] both branches parametrise the hyperbola w2^2 - w1^2 = +-c0 (one sheet each)."""
    chain = Chain()
    a, b = _BRANCH_LT
    chain.equal(b**2 - a**2, c0, "branch w1^2 < w2^2: w2^2 - w1^2 = c0 (cosh^2 - sinh^2 = 1)",
                via=(_hyp,))
    a, b = _BRANCH_GT
    chain.equal(a**2 - b**2, c0, "branch w1^2 > w2^2: w1^2 - w2^2 = c0", via=(_hyp,))
    # onto the sheet w2 > 0 of the first branch: theta = 2 asinh(w1 / sqrt(c0))
    th = 2 * sp.asinh(w1 / sp.sqrt(c0))
    chain.equal(sp.Subs(_BRANCH_LT[0], theta, th), w1, "theta = 2 arsinh(w1/sqrt(c0)) recovers w1")
    chain.equal(_BRANCH_LT[1].subs(theta, th), sp.sqrt(c0 + w1**2),
                "... and w2 = sqrt(c0 + w1^2), i.e. the sheet w2 > 0 of w2^2 - w1^2 = c0",
                via=(sp.expand, sp.powsimp, sp.radsimp))
    # the other sheet: (w1, w2) -> (-w1, -w2) is a symmetry of [eq2]/[eq3] that fixes w
    flip = {w1: -w1, w2: -w2}
    chain.equal(sp.Subs(RHS_W1, tuple(flip), tuple(flip.values())), -RHS_W1,
                "[eq2] is odd under (w1, w2) -> (-w1, -w2)")
    chain.equal(sp.Subs(RHS_W2, tuple(flip), tuple(flip.values())), -RHS_W2,
                "[eq3] is odd under (w1, w2) -> (-w1, -w2); w = w1 w2 is unchanged")
    p_, q_ = sp.symbols("p q", real=True)
    chain.equal(sp.Subs(RHS_W1.subs({w1: p_, w2: q_}), (p_, q_), (w2, w1)), RHS_W2,
                "swapping w1 <-> w2 exchanges [eq2] and [eq3]: the branch w1^2 > w2^2 is the "
                "mirror image of the branch w1^2 < w2^2")
    chain.fact(sp.Eq(sp.Derivative(w2**2 - w1**2, t), 0),
               "[B.conserved]: a trajectory stays on its branch and its sheet")
    return chain.outcome(
        Status.HOLDS,
        note="As printed the coordinates cover only the sheet w2 > 0 (first branch) or w1 > 0 "
             "(second); a trajectory on the other sheet is the image under (w1, w2) -> "
             "(-w1, -w2), a symmetry of eq2/eq3 that leaves w (and so eq5) unchanged. The "
             "balanced set w1^2 = w2^2 (c0 = 0) is not covered: see eq5.balanced.")


def _prove_bw(pf: Proof) -> Outcome:
    """[B.w] on both branches: w = (c0/2) sinh theta, dw/dtheta, w1^2 + w2^2 = c0 cosh theta."""
    chain = Chain()
    for name, (a, b) in (("w1^2 < w2^2", _BRANCH_LT), ("w1^2 > w2^2", _BRANCH_GT)):
        chain.equal(a * b, c0 / 2 * sp.sinh(theta),
                    f"branch {name}: w1 w2 = c0 sinh(theta/2) cosh(theta/2) = (c0/2) sinh theta",
                    via=(_hyp,))
        chain.equal(a**2 + b**2, c0 * sp.cosh(theta),
                    f"branch {name}: w1^2 + w2^2 = c0 (sinh^2 + cosh^2)(theta/2) = c0 cosh theta",
                    via=(_hyp,))
    chain.equal(sp.Derivative(c0 / 2 * sp.sinh(theta), theta), c0 / 2 * sp.cosh(theta),
                "dw = (c0/2) cosh(theta) dtheta")
    chain.equal(sp.sqrt(c0**2 + 4 * (c0 / 2 * sp.sinh(theta)) ** 2) ** 2,
                (c0 * sp.cosh(theta)) ** 2,
                "hence w1^2 + w2^2 = sqrt(c0^2 + 4 w^2) (both sides positive)", via=(_hyp,))
    return chain.outcome(Status.HOLDS)


def _prove_theta(pf: Proof) -> Outcome:
    """[B.theta] divide [B.9] in the coordinates [B.w] by (c0/2) cosh theta > 0."""
    chain = Chain()
    wt = c0 / 2 * sp.sinh(theta)
    b9_rhs = (lam - wt * (lam + eps)) * c0 * sp.cosh(theta)
    chain.equal(b9_rhs / (c0 / 2 * sp.cosh(theta)), THETA_RHS_C0,
                "[B.9] with [B.w]: tau (c0/2) cosh(theta) dtheta/dt = (lam - w (lam + eps)) "
                "c0 cosh(theta)  =>  tau dtheta/dt = lam (2 - beta sinh theta)",
                via=(sp.cancel, sp.expand))
    # fixed point, fixed product, linearised rate
    ts = sp.asinh(2 / beta)
    chain.equal(sp.Subs(THETA_RHS, theta, ts), 0, "fixed point: sinh(theta*) = 2/beta")
    chain.equal((c0 / 2 * sp.sinh(ts)).subs(beta, BETA), W_STAR,
                "w* = (c0/2) sinh(theta*) = c0/beta = lam/(lam + eps)", via=(sp.cancel,))
    slope = sp.diff(THETA_RHS, theta).subs(theta, ts)
    chain.equal(slope**2, (lam * zeta) ** 2,
                "d/dtheta [lam (2 - beta sinh theta)] at theta* = -lam beta cosh(theta*) "
                "= -lam sqrt(beta^2 + 4) = -lam zeta (squares agree; both sides negative)",
                via=(sp.expand, _mod_zeta))
    chain.fact(sp.StrictLessThan(sp.diff(THETA_RHS, theta), 0),
               "-lam beta cosh(theta) < 0: the theta flow is strictly decreasing in theta, so "
               "theta* is its unique, globally attracting fixed point, approached monotonically")
    chain.equal(sp.Derivative(RATE, eps), c0**2 * (1 + eps / lam) / (tau * ZETA_C0),
                "d(rate)/d(eps) = c0^2 (1 + eps/lam) / (tau zeta) > 0 for c0 > 0 "
                "(rate = lam zeta / tau; independent of eps when c0 = 0)", via=(sp.cancel,))
    return chain.outcome(
        Status.HOLDS,
        note="Fixed point sinh(theta*) = 2/beta, i.e. w* = lam/(lam + eps); linearised rate at "
             "theta* is lam zeta / tau (the same for w, a smooth change of coordinates). The rate "
             "grows with eps only through beta = c0 (1 + eps/lam), i.e. only if c0 > 0.")


def _integrand_u() -> sp.Expr:
    return tau / (lam * (1 - beta * u - u**2))


def _prove_int(pf: Proof) -> Outcome:
    """[B.int] u = tanh(theta/2), partial fractions; checked by differentiation and integrate."""
    chain = Chain()
    integrand = tau / (lam * (2 - beta * sp.sinh(theta)))
    half = {sp.tanh(theta / 2): u}
    chain.equal(sp.sinh(theta), (2 * u / (1 - u**2)).subs(u, sp.tanh(theta / 2)),
                "sinh theta = 2u/(1 - u^2), u = tanh(theta/2)", via=(_hyp, sp.cancel))
    chain.equal(sp.Derivative(sp.tanh(theta / 2), theta), (1 - sp.tanh(theta / 2) ** 2) / 2,
                "du/dtheta = (1 - u^2)/2, so dtheta = 2 du / (1 - u^2)")
    in_u = tau / (lam * (2 - beta * 2 * u / (1 - u**2))) * 2 / (1 - u**2)
    chain.equal(in_u, _integrand_u(),
                "integrand in u: tau / (lam (1 - beta u - u^2))", via=(sp.cancel,))
    r_plus, r_minus = (-beta + zeta) / 2, (-beta - zeta) / 2
    chain.equal(1 - beta * u - u**2, -(u - r_plus) * (u - r_minus),
                "roots of 1 - beta u - u^2: (-beta +- zeta)/2", via=(sp.expand, _mod_zeta))
    pf = (1 / zeta) * (1 / (u - r_minus) - 1 / (u - r_plus))
    chain.equal(1 / (1 - beta * u - u**2), pf, "partial fractions", via=(_mod_zeta,))
    anti_u = tau / (zeta * lam) * sp.log((zeta + beta + 2 * u) / (zeta - beta - 2 * u))
    chain.equal(sp.diff(anti_u, u), _integrand_u(),
                "d/du of the printed antiderivative = the integrand", via=(_mod_zeta,))
    # derivative in theta directly (no substitution): the printed bracket is an antiderivative
    d_theta = sp.diff(ANTIDERIV, theta).subs(half)
    chain.equal(d_theta, integrand.subs(sp.sinh(theta), 2 * u / (1 - u**2)),
                "d/dtheta of the printed antiderivative = tau / (lam (2 - beta sinh theta))",
                via=(_mod_zeta,))
    # sympy's own antiderivative differs from the printed one by a constant
    sym = sp.integrate(_integrand_u(), u).subs(sp.sqrt(beta**2 + 4), zeta)
    chain.equal(sp.diff(sym - anti_u, u), 0,
                "sympy integrate(.., u) differs from the printed antiderivative by a constant",
                via=(_mod_zeta,))
    # domain
    chain.fact(sp.StrictGreaterThan(zeta + beta + 2 * u, 0),
               "for u > -1: zeta > 2, so zeta + beta + 2u > beta > 0")
    chain.fact(sp.Equivalent(sp.StrictGreaterThan(zeta - beta - 2 * u, 0),
                             sp.StrictLessThan(u, r_plus)),
               "zeta - beta - 2 tanh(theta/2) > 0 iff theta < theta* (tanh(theta*/2) = "
               "(zeta - beta)/2 is the root r+); theta_0 and theta_f lie on the same side of "
               "theta* because the flow is monotone, so the log argument keeps one sign")
    # numeric: quadrature below and above theta*, printed bracket with principal logs
    import mpmath as mp

    with mp.workdps(30):
        for bv, t0v, tfv in (("0.7", -1, "0.9"), ("2.5", 3, 1)):
            bv, t0v, tfv = mp.mpf(bv), mp.mpf(t0v), mp.mpf(tfv)
            zv = mp.sqrt(bv**2 + 4)
            quad = mp.quad(lambda x, bv=bv: 1 / (2 - bv * mp.sinh(x)), [t0v, tfv])
            fr = lambda x, bv=bv, zv=zv: mp.log((zv + bv + 2 * mp.tanh(x / 2))  # noqa: E731
                                                / (zv - bv - 2 * mp.tanh(x / 2))) / zv
            if abs(quad - (fr(tfv) - fr(t0v))) > mp.mpf(10) ** -20:
                raise AssertionError("B.int numeric check failed")
    chain.check("mpmath quad of 1/(2 - beta sinh) vs printed bracket (lam = tau = 1), beta = 0.7 "
                "below theta* and beta = 2.5 above theta* (principal complex logs: the i*pi "
                "terms cancel), agreement to 1e-20")
    return chain.outcome(
        Status.HOLDS,
        note="Holds with theta_0, theta_f on the same side of theta* (always true along the "
             "flow). Below theta* the log arguments are positive; above theta* both are negative "
             "and the bracket holds with ln|.| (or principal logs, whose i*pi terms cancel).")


def _prove_e(pf: Proof) -> Outcome:
    """[B.E] exponentiate [B.int]: E = exp(lam zeta t / tau) is the ratio of log arguments."""
    chain = Chain()
    a_f = (zeta + beta + 2 * deltaf) / (zeta - beta - 2 * deltaf)
    a_0 = (zeta + beta + 2 * delta0) / (zeta - beta - 2 * delta0)
    t_int = tau / (zeta * lam) * (sp.log(a_f) - sp.log(a_0))
    exponent = sp.expand(lam * zeta * t_int / tau)
    chain.equal(exponent, sp.log(a_f) - sp.log(a_0), "lam zeta t / tau by [B.int]")
    chain.equal(sp.exp(exponent), a_f / a_0, "exp(ln a_f - ln a_0) = a_f / a_0",
                via=(sp.powsimp, sp.cancel))
    printed = ((zeta + beta + 2 * deltaf) * (zeta - beta - 2 * delta0)
               / ((zeta - beta - 2 * deltaf) * (zeta + beta + 2 * delta0)))
    chain.equal(sp.exp(exponent), printed, "= printed [B.E]",
                via=(lambda e: sp.cancel(sp.powsimp(sp.expand(e), force=True)),))
    return chain.outcome(Status.HOLDS)


def _prove_solve(pf: Proof) -> Outcome:
    """[B.solve] cross-multiply [B.E]; it is linear in delta_f."""
    chain = Chain()
    cross = (E * (zeta - beta - 2 * deltaf) * (zeta + beta + 2 * delta0)
             - (zeta + beta + 2 * deltaf) * (zeta - beta - 2 * delta0))
    chain.equal(cross, deltaf * DEN - NUM,
                "[B.E] cross-multiplied and collected in delta_f is printed lhs - rhs")
    sol = sp.solve(sp.Eq(cross, 0), deltaf)
    chain.equal(sol[0], DELTAF, "the unique solution delta_f = NUM / DEN", via=(sp.cancel,))
    chain.equal(sp.Subs(DELTAF, E, 1), delta0, "E = 1 (t = 0) gives delta_f = delta_0",
                via=(sp.cancel,))
    return chain.outcome(Status.HOLDS)


def _prove_eq5(pf: Proof) -> Outcome:
    """[eq5] delta_f(E) solves the Riccati flow of u = tanh(theta/2); w solves the product ODE."""
    chain = Chain()
    d = sp.Symbol("d", real=True)
    # 1. Riccati equation for u = tanh(theta/2) implied by [B.theta]
    chain.equal((1 - sp.tanh(theta / 2) ** 2) / 2 * THETA_RHS,
                (lam * (1 - beta * u - u**2)).subs(u, sp.tanh(theta / 2)),
                "tau du/dt = (1 - u^2)/2 * tau dtheta/dt = lam (1 - beta u - u^2)",
                via=(_hyp, sp.cancel))
    # 2. delta_f(E) with E = exp(zeta lam t / tau) solves it: dE/dt = zeta lam E / tau
    chain.equal(zeta * E * sp.diff(DELTAF, E), 1 - beta * DELTAF - DELTAF**2,
                "tau d(delta_f)/dt = zeta lam E d(delta_f)/dE = lam (1 - beta delta_f - "
                "delta_f^2)  (using zeta^2 = beta^2 + 4)", via=(_mod_zeta,))
    chain.equal(sp.Subs(DELTAF, E, 1), delta0, "t = 0: delta_f = delta_0 = tanh(theta_0/2)",
                via=(sp.cancel,))
    chain.fact(sp.StrictLessThan(sp.Abs(deltaf), 1),
               "(-1, 1) is forward invariant for the Riccati flow (1 - beta u - u^2 = -beta < 0 "
               "at u = 1, = beta > 0 at u = -1), so by uniqueness delta_f(t) = tanh(theta_t/2) "
               "for all t >= 0 and theta_t = 2 artanh(delta_f) is real; DEN != 0 there")
    # 3. back to theta and w
    chain.equal(2 * lam * (1 - beta * d - d**2) / (1 - d**2),
                THETA_RHS.subs(theta, 2 * sp.atanh(d)),
                "tau d/dt 2 artanh(delta_f) = 2 tau delta_f' / (1 - delta_f^2) = lam (2 - beta "
                "sinh theta_t): [B.theta] holds", via=(_atanh,))
    chain.equal(sp.Subs(c0 / 2 * sp.sinh(theta), theta, THETA0_PRINTED), w0,
                "w(0) = (c0/2) sinh(arsinh(2 w0/c0))")
    # 4. end-to-end: w = (c0/2) sinh(2 artanh d) = c0 d/(1 - d^2) solves the product ODE
    wd = c0 * d / (1 - d**2)
    chain.equal(c0 / 2 * sp.sinh(2 * sp.atanh(d)), wd, "(c0/2) sinh(2 artanh d) = c0 d/(1-d^2)",
                via=(_atanh,))
    dd = lam * (1 - beta * d - d**2)  # tau dd/dt
    lhs = sp.diff(wd, d) * dd
    chain.equal(sp.sqrt(c0**2 + 4 * wd**2) ** 2, (c0 * (1 + d**2) / (1 - d**2)) ** 2,
                "sqrt(c0^2 + 4 w^2) = c0 (1 + d^2)/(1 - d^2) for |d| < 1", via=(sp.cancel,))
    rhs = (lam - wd * (lam + eps)) * c0 * (1 + d**2) / (1 - d**2)
    chain.equal(lhs, rhs.subs(beta, BETA).subs(beta, BETA),
                "tau dw/dt = (lam - w (lam + eps)) sqrt(c0^2 + 4 w^2), i.e. [B.9] with "
                "w1^2 + w2^2 = sqrt((w2^2 - w1^2)^2 + 4 w^2) on either branch",
                via=(lambda e: sp.cancel(e.subs(beta, BETA)),))
    # 5. numeric: residual of the substituted printed formula (exprs["w"]) at high precision
    import mpmath as mp

    fw = sp.lambdify((t, lam, eps, tau, c0, w0), W_T, "mpmath")
    pts = ((1, 0.5, 2, 0.08, 0.03), (2, 3, 1, 1.5, -0.4), (1, 0, 1, 3.99, 0.02),
           (1, 1, 1, 0.5, 0.9))
    with mp.workdps(30):
        for lv, ev, tv, cv, wv in pts:
            lv, ev, tv, cv, wv = (mp.mpf(str(v)) for v in (lv, ev, tv, cv, wv))
            f = lambda x, a=(lv, ev, tv, cv, wv): fw(x, *a)  # noqa: E731
            if abs(f(0) - wv) > mp.mpf(10) ** -25:
                raise AssertionError("eq5: w(0) != w0")
            for x in (0.3, 1.7, 6.0):
                wx = f(x)
                res = tv * mp.diff(f, x) - (lv - wx * (lv + ev)) * mp.sqrt(cv**2 + 4 * wx**2)
                if abs(res) > mp.mpf(10) ** -20:
                    raise AssertionError(f"eq5 residual {res} at {(lv, ev, tv, cv, wv, x)}")
    chain.check(f"mpmath (30 digits): exprs['w'] (printed eq5, definitions substituted) has ODE "
                f"residual < 1e-20 and w(0) = w0 at {len(pts)} points (incl. w0 < 0, eps = 0, "
                f"w0 > w*) and t = 0.3, 1.7, 6")
    return chain.outcome(
        Status.HOLDS,
        note="Holds on both branches with c0 = |w2^2 - w1^2| > 0 and t >= 0. c0 = 0 (balanced "
             "initialisation) is excluded: eq5 is then 0/0, see eq5.balanced.")


def _prove_balanced(pf: Proof) -> Outcome:
    """[eq5.balanced] w1 = w2: logistic flow, and the c0 -> 0+ limit of eq5 (w0 > 0)."""
    chain = Chain()
    chain.equal(sp.Subs(RHS_W1 - RHS_W2, w2, w1), 0,
                "on w1 = w2 the two equations agree, so w1 = w2 is invariant (c0 = 0)")
    v = sp.Symbol("v", real=True)
    b9 = sp.Subs((lam - w * (lam + eps)) * (w1**2 + w2**2), (w, w1, w2), (v**2, v, v))
    chain.equal(b9, (2 * w * (lam - (lam + eps) * w)).subs(w, v**2),
                "[B.9] with w1 = w2 = v, w = v^2: tau dw/dt = 2 w (lam - (lam + eps) w)")
    chain.equal(tau * sp.diff(W_BALANCED, t), 2 * W_BALANCED * (lam - (lam + eps) * W_BALANCED),
                "the logistic w(t) = w*/(1 + (w*/w0 - 1) exp(-2 lam t/tau)) solves it",
                via=(sp.cancel,))
    chain.equal(sp.Subs(W_BALANCED, t, 0), w0, "w(0) = w0", via=(sp.cancel,))
    # limit of eq5 as c0 -> 0+, w0 > 0: w = c0 NUM DEN / ((DEN - NUM)(DEN + NUM))
    wp = sp.Symbol("w_0", positive=True)
    ec = sp.exp(ZETA_C0 * lam * t / tau)
    full = {delta0: DELTA0_ALG.subs(w0, wp), E: ec}

    def sub(e: sp.Expr) -> sp.Expr:
        return e.subs(full).subs(zeta, ZETA_C0).subs(beta, BETA)

    e0 = sp.exp(2 * lam * t / tau)
    n_, m_ = sp.symbols("NUM DEN")
    chain.equal(c0 * (n_ / m_) / (1 - (n_ / m_) ** 2), c0 * n_ * m_ / ((m_ - n_) * (m_ + n_)),
                "w = c0 d/(1 - d^2) with d = NUM/DEN", via=(sp.cancel,))
    dm = sub(DEN - NUM)
    chain.equal(sp.Subs(dm, c0, 0), 0, "DEN - NUM -> 0 as c0 -> 0 (zeta -> 2, delta_0 -> 1)")
    slope = sp.diff(dm, c0).subs(c0, 0)
    k = 1 + eps / lam
    chain.equal(slope, 4 * k * (1 - e0) - 4 / wp,
                "(DEN - NUM)/c0 -> d(DEN - NUM)/dc0 at 0 = 4 (1 + eps/lam)(1 - E0) - 4/w0, "
                "E0 = exp(2 lam t/tau) (nonzero for w0 > 0)", via=(sp.expand,))
    chain.equal(sp.Subs(sub(NUM * DEN), c0, 0), 64 * e0**2, "NUM DEN -> 64 E0^2", via=(sp.expand,))
    chain.equal(sp.Subs(sub(DEN + NUM), c0, 0), -16 * e0, "DEN + NUM -> -16 E0", via=(sp.expand,))
    lim = 64 * e0**2 / ((4 * k * (1 - e0) - 4 / wp) * (-16 * e0))
    chain.equal(lim, W_BALANCED.subs(w0, wp),
                "lim_{c0 -> 0+} eq5 = the logistic solution", via=(sp.cancel,))
    # numeric: eq5 at tiny c0 against the logistic, 80 digits
    import mpmath as mp

    fw = sp.lambdify((t, lam, eps, tau, c0, w0), W_T, "mpmath")
    fb = sp.lambdify((t, lam, eps, tau, w0), W_BALANCED, "mpmath")
    with mp.workdps(80):
        for args in (("1", "0.5", "2", "0.01"), ("2", "3", "1", "0.9")):
            args = tuple(mp.mpf(v) for v in args)
            for x in (mp.mpf("0.5"), mp.mpf(3)):
                gap = abs(fw(x, args[0], args[1], args[2], mp.mpf(10) ** -30, args[3])
                          - fb(x, *args))
                if gap > mp.mpf(10) ** -25:
                    raise AssertionError(f"eq5 at c0 = 1e-30 vs logistic: {gap}")
    chain.check("mpmath (80 digits): printed eq5 at c0 = 1e-30 equals the logistic to 1e-25 at "
                "two parameter points, t = 0.5 and 3")
    return chain.outcome(
        Status.HOLDS,
        note="Holds for w1 = w2 != 0 (w0 > 0). For w1 = -w2 (w0 < 0, also c0 = 0) the product "
             "obeys tau dw/dt = -2 w (lam - (lam + eps) w) and decays to the saddle w = 0; the "
             "logistic formula does not apply there.")


# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------
_C0_POS = Assumption("c0 = |w2^2 - w1^2| > 0 at t = 0 (not balanced)", sp.Gt(c0, 0))
_THETA_T = sp.Symbol("theta_t", real=True)

EQ5 = Step(
    id="eq5", section="3", title="Closed form of the scalar DAE flow",
    printed=sp.Tuple(
        sp.Eq(w, c0 / 2 * sp.sinh(_THETA_T)),
        sp.Eq(_THETA_T, 2 * sp.atanh(DELTAF.subs(delta0, delta))),
        sp.Eq(beta, BETA), sp.Eq(zeta, sp.sqrt(beta**2 + 4)), sp.Eq(delta, sp.tanh(theta0 / 2)),
        sp.Eq(E, sp.exp(zeta * lam * t / tau)), sp.Eq(theta0, sp.asinh(2 * w0 / c0)),
    ),
    proof=_prove_eq5, uses=("B.solve", "B.theta", "B.w", "B.9"),
    assumes=(_C0_POS, Assumption("t >= 0", sp.Ge(t, 0))),
    note="w0 is the initial product w1 w2; either sign of w2^2 - w1^2",
    exprs={"w": W_T, "theta_t": THETA_T, "w_algebraic": W_T_ALG},
)
B_CONSERVED = Step(
    id="B.conserved", section="B", title="w2^2 - w1^2 is conserved by the DAE flow",
    printed=sp.Eq(sp.Derivative(w2**2 - w1**2, t), 0),
    proof=_prove_conserved, uses=("eq2", "eq3"), printed_in_paper=False,
    note="eq2/eq3 re-encoded locally from the printed text",
)
B9 = Step(
    id="B.9", section="B", title="Flow of the product w = w1 w2",
    printed=sp.Eq(w2 * sp.Symbol("tau_dw1dt") + w1 * sp.Symbol("tau_dw2dt"),
                  (lam - w * (lam + eps)) * (w1**2 + w2**2)),
    proof=_prove_b9, uses=("eq2", "eq3"),
    note="eq2/eq3 re-encoded locally from the printed text",
)
B_COORDS = Step(
    id="B.coords", section="B", title="Hyperbolic coordinates",
    printed=sp.Tuple(
        sp.Implies(w1**2 < w2**2, sp.And(sp.Eq(w1, _BRANCH_LT[0]), sp.Eq(w2, _BRANCH_LT[1]))),
        sp.Implies(w1**2 > w2**2, sp.And(sp.Eq(w1, _BRANCH_GT[0]), sp.Eq(w2, _BRANCH_GT[1]))),
    ),
    proof=_prove_coords, uses=("B.conserved",),
    assumes=(_C0_POS, Assumption("w2 > 0 on the first branch, w1 > 0 on the second; the other "
                                 "sheet by the symmetry (w1, w2) -> (-w1, -w2)")),
)
B_W = Step(
    id="B.w", section="B", title="Product and squared norm in hyperbolic coordinates",
    printed=sp.Tuple(sp.Eq(w, c0 / 2 * sp.sinh(theta)),
                     sp.Eq(sp.Symbol("dw"), c0 / 2 * sp.cosh(theta) * sp.Symbol("dtheta")),
                     sp.Eq(w1**2 + w2**2, c0 * sp.cosh(theta))),
    proof=_prove_bw, uses=("B.coords",),
)
B_THETA = Step(
    id="B.theta", section="B", title="Autonomous flow of theta",
    printed=sp.Eq(tau * sp.Derivative(theta, t), THETA_RHS),
    proof=_prove_theta, uses=("B.9", "B.w"), assumes=(_C0_POS,),
    statement=sp.Eq(tau * sp.Derivative(theta, t), THETA_RHS_C0),
    exprs={"rhs": THETA_RHS_C0, "rate": RATE, "theta_star": sp.asinh(2 / BETA)},
)
B_INT = Step(
    id="B.int", section="B", title="Integration by u = tanh(theta/2)",
    printed=sp.Eq(t, ANTIDERIV.subs(theta, thetaf) - ANTIDERIV.subs(theta, theta0)),
    proof=_prove_int, uses=("B.theta",),
    assumes=(Assumption("theta_0 and theta_f on the same side of theta* (sinh theta* = 2/beta); "
                        "ln read as ln|.| (or principal log) above theta*"),),
)
B_E = Step(
    id="B.E", section="B", title="Exponentiated time",
    printed=sp.Eq(E, (zeta + beta + 2 * deltaf) * (zeta - beta - 2 * delta0)
                  / ((zeta - beta - 2 * deltaf) * (zeta + beta + 2 * delta0))),
    proof=_prove_e, uses=("B.int",),
)
B_SOLVE = Step(
    id="B.solve", section="B", title="Solve for delta_f",
    printed=sp.Eq(deltaf * DEN, NUM),
    proof=_prove_solve, uses=("B.E",),
)
EQ5_BALANCED = Step(
    id="eq5.balanced", section="B", title="Balanced case c0 = 0: logistic flow",
    printed=sp.Eq(w, W_BALANCED), proof=_prove_balanced, uses=("B.9", "eq5"),
    assumes=(Assumption("w1 = w2 != 0 at t = 0 (c0 = 0, w0 > 0)"),),
    printed_in_paper=False, exprs={"w": W_BALANCED},
)

STEPS: tuple[Step, ...] = (
    EQ5, B_CONSERVED, B9, B_COORDS, B_W, B_THETA, B_INT, B_E, B_SOLVE, EQ5_BALANCED,
)
