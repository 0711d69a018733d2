"""Section 3 eq5 and Appendix B: the closed form of the scalar DAE flow (labels B.9 ... eq5).

The scalar dynamics [eq2]/[eq3] conserve ``w2^2 - w1^2``; with ``c0 = |w2^2 - w1^2| > 0`` the
hyperbolic coordinates [B.coords] turn the flow of the product ``w = w1 w2`` into the autonomous
one-dimensional flow [B.theta], which integrates in closed form ([B.int] ... [B.solve], [eq5]).
The balanced case ``c0 = 0`` (where eq5 is 0/0) is the logistic flow of step ``eq5.balanced``.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Chain, Proof, ProofError
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

u = sp.Symbol("u", real=True)  # u = tanh(theta/2), the substitution of [B.int]
#: theta at time t ([eq5]); the printed tau dw_i/dt of [B.9]; the differentials of [B.w]
THETA_TT = sp.Symbol("theta_t", real=True)
TAU_DW1, TAU_DW2 = sp.symbols("tau_dw1dt tau_dw2dt")
DW, DTHETA = sp.symbols("dw dtheta")

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


def _hyp_numer(expr: sp.Expr) -> sp.Expr:
    """Hyperbolic functions as exponentials; the expanded numerator over a common denominator."""
    return sp.expand(sp.numer(sp.together(_hyp(expr))))


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


def _algebraic(expr: sp.Expr) -> sp.Expr:
    """arsinh as a logarithm, tanh as exponentials, square roots of combined fractions; the
    expanded numerator of the result."""
    expr = sp.sympify(expr).replace(sp.asinh, lambda a: sp.log(a + sp.sqrt(a**2 + 1)))
    expr = expr.rewrite(sp.exp).replace(
        lambda a: isinstance(a, sp.Pow) and a.exp == sp.S.Half,
        lambda a: sp.sqrt(sp.together(a.base)))
    return sp.expand(sp.numer(sp.together(expr)))


# the two branches of [B.coords]: (w1, w2) in terms of theta
_BRANCH_LT = (sp.sqrt(c0) * sp.sinh(theta / 2), sp.sqrt(c0) * sp.cosh(theta / 2))  # w1^2 < w2^2
_BRANCH_GT = (sp.sqrt(c0) * sp.cosh(theta / 2), sp.sqrt(c0) * sp.sinh(theta / 2))  # w1^2 > w2^2


# ---------------------------------------------------------------------------------------------
# proofs
# ---------------------------------------------------------------------------------------------
def _flow(pf: Proof) -> tuple[sp.Expr, sp.Expr]:
    """The right-hand sides tau dw1/dt, tau dw2/dt of the declared steps [eq2], [eq3]."""
    return pf.use("eq2").expr("rhs"), pf.use("eq3").expr("rhs")


def _time_derivative_of(printed_lhs: sp.Basic, var: sp.Symbol, scale: sp.Expr) -> sp.Expr:
    """The quantity ``q`` of a printed left-hand side ``scale * d q / d var``.

    Printed derivatives of plain symbols evaluate to zero in SymPy, so their form is checked
    here: any other left-hand side is not the printed statement and raises ProofError.
    """
    coeff, deriv = sp.S.One, printed_lhs
    if isinstance(printed_lhs, sp.Mul):
        coeff, deriv = printed_lhs.as_independent(sp.Derivative, as_Add=False)
    if (not isinstance(deriv, sp.Derivative) or deriv.variables != (var,)
            or sp.expand(coeff - scale) != 0):
        raise ProofError(f"the printed left-hand side {printed_lhs} is not {scale} d(.)/d{var}")
    return deriv.expr


def _prove_conserved(pf: Proof) -> Outcome:
    """[B.conserved] d/dt (w2^2 - w1^2) = 0 under [eq2]/[eq3]; not so once the equations differ."""
    ch = pf.chain()
    r1, r2 = _flow(pf)
    g = lam - w1 * w2 * (lam + eps)
    ch.equal(r1, w2 * g, "[eq2]: tau dw1/dt = w2 (lam - w (lam + eps)), w = w1 w2")
    ch.equal(r2, w1 * g, "[eq3]: tau dw2/dt = w1 (lam - w (lam + eps))")
    q = _time_derivative_of(pf.printed.lhs, t, sp.S.One)  # the printed quantity
    along = sp.diff(q, w1) * r1 / tau + sp.diff(q, w2) * r2 / tau
    ch.equal(sp.Derivative(q, w1) * r1 / tau + sp.Derivative(q, w2) * r2 / tau, 0,
             "chain rule along [eq2]/[eq3]: d/dt (w2^2 - w1^2) = (2 w2 w1 g - 2 w1 w2 g)/tau")
    ch.conclude(pf.printed.rhs, along,
                "the printed right-hand side is the time derivative along the flow")
    # contrast: weight decay ([C.ode]) adds -N gamma w_i to each equation
    c1, c2 = pf.use("C.ode").expr("rhs1"), pf.use("C.ode").expr("rhs2")
    n_gamma = sp.expand(w2 * c1 - w2 * r1.subs(eps, 0)) / (-w1 * w2)
    ch.equal(sp.diff(q, w1) * c1 + sp.diff(q, w2) * c2, -2 * n_gamma * q,
             "contrast, [C.ode]: tau d/dt (w2^2 - w1^2) = -2 N gamma (w2^2 - w1^2) != 0 unless "
             "w1^2 = w2^2 (the quantity decays instead of being conserved)")
    # and with a different noise coefficient in the two equations (eps1 != eps2)
    e1, e2 = sp.symbols("varepsilon_1 varepsilon_2", nonnegative=True)
    ch.equal(sp.diff(q, w1) * r1.subs(eps, e1) + sp.diff(q, w2) * r2.subs(eps, e2),
             2 * (e1 - e2) * (w1 * w2) ** 2,
             "contrast, eq2 with eps1 and eq3 with eps2: tau d/dt (w2^2 - w1^2) "
             "= 2 (eps1 - eps2) w^2 != 0")
    return ch.outcome(Status.HOLDS)


def _prove_b9(pf: Proof) -> Outcome:
    """[B.9] product rule, then [eq2]/[eq3] factor through g = lam - w (lam + eps)."""
    ch = pf.chain()
    r1, r2 = _flow(pf)
    f1, f2 = sp.Function("w1")(t), sp.Function("w2")(t)
    prod = sp.diff(f1 * f2, t)
    ch.equal(sp.Derivative(f1 * f2, t), prod, "product rule, w = w1 w2")
    tau_dw = sp.expand(tau * prod.subs({f1.diff(t): TAU_DW1 / tau, f2.diff(t): TAU_DW2 / tau})
                       .subs({f1: w1, f2: w2}))
    ch.conclude(pf.printed.lhs, tau_dw,
                "tau dw/dt = w2 (tau dw1/dt) + w1 (tau dw2/dt) (product rule)")
    flow = tau_dw.subs({TAU_DW1: r1, TAU_DW2: r2})
    ch.equal(flow, (lam - w1 * w2 * (lam + eps)) * (w1**2 + w2**2),
             "substitute [eq2], [eq3]: both are (lam - w (lam + eps)) times the other weight")
    ch.conclude(pf.printed.rhs, flow, "the printed right-hand side, with w = w1 w2",
                via=(lambda e: sp.expand(e.subs(w, w1 * w2)),))
    return ch.outcome(Status.HOLDS)


def _coordinates(q: sp.Expr, small: sp.Symbol, large: sp.Symbol,
                 ch: Chain) -> tuple[sp.Expr, sp.Expr]:
    """Branch ``large^2 - small^2 = c0`` of the conserved quantity ``q``, sheet ``large > 0``.

    theta is the hyperbolic angle of the branch, defined by ``theta = 2 arsinh(small/sqrt(c0))``
    (the half angle makes the product ``small * large = (c0/2) sinh(theta)``).
    """
    sign = 1 if sp.expand(q - (large**2 - small**2)) == 0 else -1
    x = sp.solve(sp.Eq(theta, 2 * sp.asinh(small / sp.sqrt(c0))), small, check=False)
    if len(x) != 1:
        raise ProofError(f"theta = 2 arsinh({small}/sqrt(c0)) does not invert uniquely: {x}")
    x = x[0]
    roots = [r for r in sp.solve(sp.Eq(q, sign * c0), large, check=False)
             if r.subs(small, 0).is_positive]
    if len(roots) != 1:
        raise ProofError(f"no unique positive {large} on the branch: {roots}")
    y = sp.sqrt(c0) * sp.cosh(theta / 2)
    ch.equal(roots[0].subs(small, x), y,
             f"{large} = sqrt(c0 + {small}^2) = sqrt(c0 (1 + sinh^2(theta/2))) "
             "= sqrt(c0) cosh(theta/2) (cosh > 0)",
             via=(lambda e: sp.expand(e.subs(sp.sinh(theta / 2) ** 2,
                                             sp.cosh(theta / 2) ** 2 - 1)),))
    return x, y


def _prove_coords(pf: Proof) -> Outcome:
    """[B.coords] each branch of w2^2 - w1^2 = +-c0 in its hyperbolic angle (sheet by sheet)."""
    ch = pf.chain()
    q = pf.use("B.conserved").expr("Q")  # w2^2 - w1^2, conserved
    for k, (small, large, name) in enumerate(((w1, w2, "w1^2 < w2^2"),
                                              (w2, w1, "w1^2 > w2^2"))):
        x, y = _coordinates(q, small, large, ch)
        ch.equal(y**2 - x**2, c0, f"branch {name}: {large}^2 - {small}^2 = c0 "
                 "(cosh^2 - sinh^2 = 1)", via=(_hyp,))
        implies = pf.printed[k]
        cond, both = implies.args
        if not isinstance(cond, sp.StrictLessThan | sp.StrictGreaterThan):
            raise ProofError(f"printed branch condition {cond} is not a strict inequality")
        ch.conclude(cond.gts, large**2, f"on this branch {large}^2 - {small}^2 = c0 > 0: "
                    f"{large}^2 is the larger side")
        ch.conclude(cond.lts, small**2, f"... and {small}^2 the smaller")
        eqs = {e.lhs: e for e in both.args if isinstance(e, sp.Eq)}
        if set(eqs) != {w1, w2}:
            raise ProofError(f"printed branch {name} does not give both w1 and w2: {both}")
        ch.conclude(eqs[small], sp.Eq(small, x),
                    f"{small} = sqrt(c0) sinh(theta/2), theta = 2 arsinh({small}/sqrt(c0))")
        ch.conclude(eqs[large], sp.Eq(large, y), f"{large} = sqrt(c0) cosh(theta/2)")
    # the other sheet: (w1, w2) -> (-w1, -w2) is a symmetry of [eq2]/[eq3] that fixes w
    r1, r2 = _flow(pf)
    flip = {w1: -w1, w2: -w2}
    ch.equal(sp.Subs(r1, tuple(flip), tuple(flip.values())), -r1,
             "[eq2] is odd under (w1, w2) -> (-w1, -w2)")
    ch.equal(sp.Subs(r2, tuple(flip), tuple(flip.values())), -r2,
             "[eq3] is odd under (w1, w2) -> (-w1, -w2); w = w1 w2 is unchanged")
    p_, q_ = sp.symbols("p q", real=True)
    ch.equal(sp.Subs(r1.subs({w1: p_, w2: q_}), (p_, q_), (w2, w1)), r2,
             "swapping w1 <-> w2 exchanges [eq2] and [eq3]: the branch w1^2 > w2^2 is the "
             "mirror image of the branch w1^2 < w2^2")
    ch.fact(sp.Eq(sp.Derivative(q, t), 0),
            "[B.conserved]: a trajectory stays on its branch, and on its sheet since the larger "
            "weight squared is at least c0 > 0 and so never vanishes")
    return ch.outcome(
        Status.HOLDS,
        note="As printed the coordinates cover only the sheet w2 > 0 (first branch) or w1 > 0 "
             "(second); a trajectory on the other sheet is the image under (w1, w2) -> "
             "(-w1, -w2), a symmetry of eq2/eq3 that leaves w (and so eq5) unchanged. theta is "
             "the half hyperbolic angle theta = 2 arsinh(w_small/sqrt(c0)). The balanced set "
             "w1^2 = w2^2 (c0 = 0) is not covered: see eq5.balanced.")


def _prove_bw(pf: Proof) -> Outcome:
    """[B.w] on both branches: w = (c0/2) sinh theta, dw/dtheta, w1^2 + w2^2 = c0 cosh theta."""
    ch = pf.chain()
    coords = pf.use("B.coords")
    prod, dw_, norm = pf.printed
    branches = (("w1^2 < w2^2", coords.expr("w1"), coords.expr("w2")),
                ("w1^2 > w2^2", coords.expr("w1_gt"), coords.expr("w2_gt")))
    for name, a, b in branches:
        ch.conclude(prod, sp.Eq(w, a * b),
                    f"branch {name}: w1 w2 = c0 sinh(theta/2) cosh(theta/2) = (c0/2) sinh theta",
                    via=(_hyp,))
        ch.conclude(norm, sp.Eq(w1**2 + w2**2, a**2 + b**2),
                    f"branch {name}: w1^2 + w2^2 = c0 (sinh^2 + cosh^2)(theta/2) = c0 cosh theta",
                    via=(_hyp,))
        ch.conclude(dw_, sp.Eq(DW, sp.Derivative(a * b, theta) * DTHETA),
                    f"branch {name}: dw = d(w1 w2)/dtheta dtheta = (c0/2) cosh(theta) dtheta",
                    via=(_hyp,))
    a, b = branches[0][1:]
    ch.equal(sp.sqrt(c0**2 + 4 * (a * b) ** 2) ** 2, (a**2 + b**2) ** 2,
             "hence w1^2 + w2^2 = sqrt(c0^2 + 4 w^2) (both sides positive)", via=(_hyp,))
    return ch.outcome(Status.HOLDS)


def _prove_theta(pf: Proof) -> Outcome:
    """[B.theta] divide [B.9] in the coordinates [B.w] by dw/dtheta = (c0/2) cosh theta > 0."""
    ch = pf.chain()
    rhs9 = pf.use("B.9").expr("rhs")  # (lam - w (lam + eps)) (w1^2 + w2^2)
    bw = pf.use("B.w")
    w_th, norm = bw.expr("w"), bw.expr("norm2")
    tau_dw = rhs9.subs(w1**2 + w2**2, norm).subs(w, w_th)
    if tau_dw.has(w1, w2, w):
        raise ProofError("[B.9] did not pass to the coordinates of [B.w]")
    ch.equal(sp.Subs(rhs9, (w1**2 + w2**2, w), (norm, w_th)), tau_dw,
             "[B.9] in the coordinates of [B.w]: tau dw/dt = (lam - w (lam + eps)) c0 cosh theta")
    flow = tau_dw / sp.diff(w_th, theta)
    ch.equal(tau_dw / sp.Derivative(w_th, theta), 2 * lam - c0 * (lam + eps) * sp.sinh(theta),
             "tau dtheta/dt = (tau dw/dt) / (dw/dtheta), dw/dtheta = (c0/2) cosh theta > 0",
             via=(sp.cancel, sp.expand))
    ch.conclude(_time_derivative_of(pf.printed.lhs, t, tau), theta,
                "the printed left-hand side is tau dtheta/dt")
    ch.conclude(pf.printed.rhs, flow, "= lam (2 - beta sinh theta) with beta = c0 (1 + eps/lam)",
                via=(lambda e: sp.cancel(e.subs(beta, BETA)),))
    # fixed point, fixed product, linearised rate
    s_ = sp.Symbol("s", real=True)  # sinh(theta*)
    sinh_star = sp.solve(flow.subs(sp.sinh(theta), s_), s_)
    if len(sinh_star) != 1:
        raise ProofError(f"no unique fixed point of the theta flow: {sinh_star}")
    ts = sp.asinh(sinh_star[0])
    ch.equal(sp.Subs(flow, theta, ts), 0, "fixed point: sinh(theta*) = 2 lam/(c0 (lam + eps)) "
             "= 2/beta", via=(sp.cancel,))
    ch.equal(sp.Subs(w_th, theta, ts), W_STAR,
             "w* = (c0/2) sinh(theta*) = c0/beta = lam/(lam + eps)", via=(sp.cancel,))
    slope = sp.diff(flow, theta).subs(theta, ts)
    ch.equal(slope**2, (tau * RATE) ** 2,
             "d/dtheta [tau dtheta/dt] at theta* = -lam beta cosh(theta*) = -lam sqrt(beta^2 + 4) "
             "= -lam zeta (squares agree; both sides negative)", via=(sp.cancel, sp.expand))
    ch.equal(sp.sign(sp.diff(flow, theta), evaluate=False), -1,
             "d/dtheta lam (2 - beta sinh theta) = -lam beta cosh theta < 0: the theta flow "
             "is strictly decreasing in theta, so theta* is its unique, globally attracting "
             "fixed point, approached monotonically", via=(lambda e: e.doit(),))
    ch.equal(sp.Derivative(RATE, eps), c0**2 * (1 + eps / lam) / (tau * ZETA_C0),
             "d(rate)/d(eps) = c0^2 (1 + eps/lam) / (tau zeta) > 0 for c0 > 0 "
             "(rate = lam zeta / tau; independent of eps when c0 = 0)", via=(sp.cancel,))
    return ch.outcome(
        Status.HOLDS,
        note="Fixed point sinh(theta*) = 2/beta, i.e. w* = lam/(lam + eps); linearised rate at "
             "theta* is lam zeta / tau (the same for w, a smooth change of coordinates). The rate "
             "grows with eps only through beta = c0 (1 + eps/lam), i.e. only if c0 > 0.")


def _prove_int(pf: Proof) -> Outcome:
    """[B.int] u = tanh(theta/2), partial fractions; checked by differentiation and integrate."""
    ch = pf.chain()
    rhs = pf.use("B.theta").expr("rhs_beta")  # tau dtheta/dt = lam (2 - beta sinh theta)
    integrand = tau / rhs  # dt/dtheta
    ch.equal(sp.sinh(theta), (2 * u / (1 - u**2)).subs(u, sp.tanh(theta / 2)),
             "sinh theta = 2u/(1 - u^2), u = tanh(theta/2)", via=(_hyp_numer,))
    ch.equal(sp.Derivative(sp.tanh(theta / 2), theta), (1 - sp.tanh(theta / 2) ** 2) / 2,
             "du/dtheta = (1 - u^2)/2, so dtheta = 2 du / (1 - u^2)")
    in_u = sp.cancel(integrand.subs(sp.sinh(theta), 2 * u / (1 - u**2)) * 2 / (1 - u**2))
    ch.equal(integrand.subs(sp.sinh(theta), 2 * u / (1 - u**2)) * 2 / (1 - u**2), in_u,
             "integrand in u: tau / (lam (1 - beta u - u^2))", via=(sp.cancel,))
    poly = sp.factor_terms(sp.expand(tau / (lam * in_u)))  # 1 - beta u - u^2
    roots = [r.subs(sp.sqrt(beta**2 + 4), zeta) for r in sp.roots(sp.Poly(poly, u))]
    r_minus, r_plus = sorted(roots, key=lambda r: r.subs({beta: 1, zeta: 3}))
    ch.equal(poly, -(u - r_plus) * (u - r_minus),
             "roots of 1 - beta u - u^2: (-beta +- zeta)/2, zeta = sqrt(beta^2 + 4)",
             via=(sp.expand, _mod_zeta))
    parts = tau / (lam * zeta) * (1 / (u - r_minus) - 1 / (u - r_plus))
    ch.equal(in_u, parts, "partial fractions", via=(_mod_zeta,))
    # integrate term by term below the root r+ (u < r+): int du/(u - r) = ln|2 (u - r)| + const
    anti_u = tau / (lam * zeta) * (sp.log(2 * (u - r_minus)) - sp.log(2 * (r_plus - u)))
    ch.equal(sp.Derivative(anti_u, u), parts, "d/du of the term-by-term antiderivative",
             via=(sp.cancel,))
    half = {sp.tanh(theta / 2): u}
    derived = (anti_u.subs(u, sp.tanh(thetaf / 2)) - anti_u.subs(u, sp.tanh(theta0 / 2)))
    ch.conclude(pf.printed, sp.Eq(t, derived),
                "t = [tau/(zeta lam) ln((zeta + beta + 2u)/(zeta - beta - 2u))] from "
                "u_0 = tanh(theta_0/2) to u_f = tanh(theta_f/2)",
                via=(lambda e: sp.expand(sp.expand_log(e, force=True)),))
    # derivative in theta directly (no substitution): the bracket is an antiderivative
    anti_th = anti_u.subs(u, sp.tanh(theta / 2))
    ch.equal(sp.diff(anti_th, theta).subs(half),
             integrand.subs(sp.sinh(theta), 2 * u / (1 - u**2)),
             "d/dtheta of the bracket = tau / (lam (2 - beta sinh theta))", via=(_mod_zeta,))
    # sympy's own antiderivative differs from the derived one by a constant
    sym = sp.integrate(in_u, u).subs(sp.sqrt(beta**2 + 4), zeta)
    ch.equal(sp.diff(sym - anti_u, u), 0,
             "sympy integrate(.., u) differs from the derived antiderivative by a constant",
             via=(_mod_zeta,))
    # domain
    ch.fact(sp.StrictGreaterThan(zeta + beta + 2 * u, 0),
            "for u > -1: zeta > 2, so zeta + beta + 2u > beta > 0")
    ch.fact(sp.Equivalent(sp.StrictGreaterThan(zeta - beta - 2 * u, 0),
                          sp.StrictLessThan(u, r_plus)),
            "zeta - beta - 2 tanh(theta/2) > 0 iff theta < theta* (tanh(theta*/2) = "
            "(zeta - beta)/2 is the root r+); theta_0 and theta_f lie on the same side of "
            "theta* because the flow is monotone, so the log argument keeps one sign")
    # numeric: quadrature below and above theta*, derived bracket with principal logs
    import mpmath as mp

    bracket = sp.lambdify((theta, beta, zeta), anti_th.subs({tau: 1, lam: 1}), "mpmath")
    with mp.workdps(30):
        for bv, t0v, tfv in (("0.7", -1, "0.9"), ("2.5", 3, 1)):
            bv, t0v, tfv = mp.mpf(bv), mp.mpf(t0v), mp.mpf(tfv)
            zv = mp.sqrt(bv**2 + 4)
            quad = mp.quad(lambda x, bv=bv: 1 / (2 - bv * mp.sinh(x)), [t0v, tfv])
            if abs(quad - (bracket(tfv, bv, zv) - bracket(t0v, bv, zv))) > mp.mpf(10) ** -20:
                raise ProofError("B.int numeric check failed")
    ch.check("mpmath quad of 1/(2 - beta sinh) vs the bracket (lam = tau = 1), beta = 0.7 "
             "below theta* and beta = 2.5 above theta* (principal complex logs: the i*pi "
             "terms cancel), agreement to 1e-20")
    return ch.outcome(
        Status.HOLDS,
        note="Holds with theta_0, theta_f on the same side of theta* (always true along the "
             "flow). Below theta* the log arguments are positive; above theta* both are negative "
             "and the bracket holds with ln|.| (or principal logs, whose i*pi terms cancel).")


def _prove_e(pf: Proof) -> Outcome:
    """[B.E] exponentiate [B.int]: E = exp(lam zeta t / tau) is the ratio of log arguments."""
    ch = pf.chain()
    t_int = pf.use("B.int").expr("t").subs({sp.tanh(thetaf / 2): deltaf,
                                            sp.tanh(theta0 / 2): delta0})
    e_def = sp.exp(lam * zeta * t / tau)  # the definition of E printed with [B.E]
    exponent = sp.expand_log(lam * zeta * t_int / tau, force=True)
    ch.equal(lam * zeta * t_int / tau, exponent, "lam zeta t / tau by [B.int]",
             via=(lambda e: sp.expand(sp.expand_log(e, force=True)),))
    ch.conclude(pf.printed, sp.Eq(E, sp.Subs(e_def, t, t_int)),
                "E = exp(lam zeta t / tau) = exp(ln a_f - ln a_0) = a_f / a_0",
                via=(lambda e: sp.cancel(sp.powsimp(sp.expand(sp.expand_log(e, force=True)),
                                                    force=True)),))
    return ch.outcome(Status.HOLDS)


def _prove_solve(pf: Proof) -> Outcome:
    """[B.solve] cross-multiply [B.E]; it is linear in delta_f."""
    ch = pf.chain()
    num_e, den_e = sp.fraction(pf.use("B.E").expr("E"))
    cross = sp.expand(E * den_e - num_e)
    a = cross.coeff(deltaf)
    b = sp.expand(cross - a * deltaf)
    if b.has(deltaf) or a.has(deltaf):
        raise ProofError("[B.E] cross-multiplied is not linear in delta_f")
    ch.equal(E * den_e - num_e, a * deltaf + b,
             "[B.E] cross-multiplied: E (zeta - beta - 2 delta_f)(zeta + beta + 2 delta_0) - "
             "(zeta + beta + 2 delta_f)(zeta - beta - 2 delta_0) = 0 is linear in delta_f")
    ch.conclude(pf.printed, sp.Eq(deltaf * a, -b),
                "collect: delta_f ((1 - E)(2 beta + 4 delta_0) - 2 (1 + E) zeta) = "
                "(1 - E)(zeta^2 - beta^2 - 2 beta delta_0) - 2 (1 + E) zeta delta_0")
    ch.equal(-b / a, DELTAF, "the unique solution delta_f = NUM / DEN (the exprs of eq5)",
             via=(sp.cancel,))
    ch.equal(sp.Subs(-b / a, E, 1), delta0, "E = 1 (t = 0) gives delta_f = delta_0",
             via=(sp.cancel,))
    return ch.outcome(Status.HOLDS)


def _prove_eq5(pf: Proof) -> Outcome:
    """[eq5] assembled from [B.w], [B.theta], [B.solve]; delta_f(E) solves the Riccati flow of
    u = tanh(theta/2) and w(t) solves the product flow [B.9]."""
    ch = pf.chain()
    p_w, p_theta, p_beta, p_zeta, p_delta, p_e, p_theta0 = pf.printed
    bw = pf.use("B.w").expr("w")  # (c0/2) sinh theta
    th = pf.use("B.theta")
    rhs_beta, rhs_c0 = th.expr("rhs_beta"), th.expr("rhs")
    df_e = pf.use("B.solve").expr("deltaf")  # delta_f(E, beta, zeta, delta_0)
    rhs9 = pf.use("B.9").expr("rhs")
    # w(t) from [B.w]
    ch.conclude(p_w, sp.Eq(w, bw.subs(theta, THETA_TT)), "[B.w]: w = (c0/2) sinh theta at theta_t")
    # beta: the coefficient of -lam sinh theta in [B.theta]
    beta_d = -sp.expand(rhs_c0).coeff(sp.sinh(theta)) / lam
    ch.equal(rhs_c0, lam * (2 - beta_d * sp.sinh(theta)),
             "[B.theta]: tau dtheta/dt = lam (2 - beta sinh theta)", via=(sp.expand,))
    ch.conclude(p_beta, sp.Eq(beta, beta_d), "beta = c0 (lam + eps)/lam = c0 (1 + eps/lam)",
                via=(sp.cancel,))
    # Riccati equation for u = tanh(theta/2) implied by [B.theta]
    u_of = sp.tanh(theta / 2)
    riccati = sp.cancel((1 - u**2) / 2 * rhs_beta.subs(sp.sinh(theta), 2 * u / (1 - u**2)))
    ch.equal(sp.Derivative(u_of, theta) * rhs_beta, riccati.subs(u, u_of),
             "tau du/dt = (1 - u^2)/2 * tau dtheta/dt = lam (1 - beta u - u^2), u = tanh(theta/2)",
             via=(_hyp_numer,))
    ch.conclude(p_delta, sp.Eq(delta, u_of.subs(theta, theta0)),
                "delta = u(0) = tanh(theta_0/2)")
    # zeta: the distance between the roots of the Riccati polynomial
    zeta_d = sp.sqrt(sp.discriminant(riccati / lam, u))
    ch.conclude(p_zeta, sp.Eq(zeta, zeta_d), "zeta = root distance of 1 - beta u - u^2 "
                "= sqrt(discriminant) = sqrt(beta^2 + 4)")
    # E(t): delta_f(E(t)) solves the Riccati flow iff tau dE/dt = zeta lam E, E(0) = 1
    ch.equal(zeta * E * sp.diff(df_e, E), (riccati / lam).subs(u, df_e),
             "zeta E d(delta_f)/dE = 1 - beta delta_f - delta_f^2 (using zeta^2 = beta^2 + 4)",
             via=(_mod_zeta,))
    ch.equal(sp.Subs(df_e, E, 1), delta0, "E = 1 gives delta_f = delta_0 (t = 0)",
             via=(sp.cancel,))
    ef = sp.Function("E")
    e_t = sp.dsolve(sp.Eq(tau * ef(t).diff(t), zeta * lam * ef(t)), ef(t), ics={ef(0): 1}).rhs
    ch.equal(tau * sp.Derivative(e_t, t), zeta * lam * e_t,
             "tau dE/dt = zeta lam E with E(0) = 1, so tau d(delta_f)/dt = lam (1 - beta delta_f - "
             "delta_f^2)")
    ch.conclude(p_e, sp.Eq(E, e_t), "E = exp(zeta lam t / tau)")
    # theta_0 from w(0) = w0: sinh is a bijection of the reals
    s_ = sp.Symbol("s", real=True)
    sinh0 = sp.solve(sp.Eq(w0, bw.subs(sp.sinh(theta), s_)), s_)
    if len(sinh0) != 1:
        raise ProofError(f"w(0) = w0 does not fix sinh(theta_0): {sinh0}")
    ch.conclude(p_theta0, sp.Eq(theta0, sp.asinh(sinh0[0])),
                "w0 = (c0/2) sinh theta_0, so theta_0 = arsinh(2 w0 / c0)")
    ch.equal(u_of.subs(theta, sp.asinh(sinh0[0])), DELTA0_ALG,
             "delta = tanh(arsinh(2 w0/c0)/2) = 2 w0/(c0 + sqrt(c0^2 + 4 w0^2)) (c0 > 0; the "
             "exprs of eq5 use this algebraic form)", via=(_algebraic,))
    # theta_t = 2 artanh(delta_f): delta_f = tanh(theta_t/2) stays in (-1, 1)
    ch.conclude(p_theta, sp.Eq(THETA_TT, 2 * sp.atanh(df_e.subs(delta0, delta))),
                "delta_f = tanh(theta_t/2) (the u of [B.solve] at time t): theta_t = 2 artanh "
                "delta_f")
    ch.equal(sp.Matrix([sp.Subs(riccati, u, 1), sp.Subs(riccati, u, -1)]),
             sp.Matrix([-lam * beta, lam * beta]),
             "tau du/dt = -lam beta < 0 at u = 1 and lam beta > 0 at u = -1")
    ch.fact(sp.StrictLessThan(sp.Abs(deltaf), 1),
            "so (-1, 1) is forward invariant for the Riccati flow, and by uniqueness delta_f(t) "
            "= tanh(theta_t/2) for all t >= 0: theta_t = 2 artanh(delta_f) is real; DEN != 0")
    # the exprs numerics evaluate: eq5 with its definitions substituted
    theta_t = 2 * sp.atanh(df_e.subs({delta0: u_of.subs(theta, sp.asinh(sinh0[0])), E: e_t}))
    theta_t = theta_t.subs(zeta, zeta_d).subs(beta, beta_d)
    ch.equal(THETA_T, theta_t, "exprs['theta_t']: theta_t with beta, zeta, delta, E, theta_0 "
             "substituted", via=(sp.expand,))
    ch.equal(W_T, bw.subs(theta, theta_t), "exprs['w'] = (c0/2) sinh(theta_t)", via=(sp.expand,))
    # back to theta and w
    d = sp.Symbol("d", real=True)
    ch.equal(2 * (riccati.subs(u, d)) / (1 - d**2), rhs_beta.subs(theta, 2 * sp.atanh(d)),
             "tau d/dt 2 artanh(delta_f) = 2 tau delta_f' / (1 - delta_f^2) = lam (2 - beta "
             "sinh theta_t): [B.theta] holds", via=(_atanh,))
    ch.equal(sp.Subs(bw, theta, sp.asinh(sinh0[0])), w0, "w(0) = (c0/2) sinh(arsinh(2 w0/c0))")
    # end-to-end: w = (c0/2) sinh(2 artanh d) = c0 d/(1 - d^2) solves the product ODE
    wd = c0 * d / (1 - d**2)
    ch.equal(bw.subs(theta, 2 * sp.atanh(d)), wd, "(c0/2) sinh(2 artanh d) = c0 d/(1-d^2)",
             via=(_atanh,))
    lhs = sp.diff(wd, d) * riccati.subs(u, d)
    ch.equal(sp.sqrt(c0**2 + 4 * wd**2) ** 2, (c0 * (1 + d**2) / (1 - d**2)) ** 2,
             "sqrt(c0^2 + 4 w^2) = c0 (1 + d^2)/(1 - d^2) for |d| < 1", via=(sp.cancel,))
    rhs = rhs9.subs(w1**2 + w2**2, c0 * (1 + d**2) / (1 - d**2)).subs(w, wd)
    ch.equal(lhs, rhs, "tau dw/dt = (lam - w (lam + eps)) sqrt(c0^2 + 4 w^2), i.e. [B.9] with "
             "w1^2 + w2^2 = sqrt((w2^2 - w1^2)^2 + 4 w^2) on either branch",
             via=(lambda e: sp.cancel(e.subs(beta, beta_d)),))
    # numeric: residual of the substituted formula (exprs["w"]) at high precision
    import mpmath as mp

    fw = sp.lambdify((t, lam, eps, tau, c0, w0), W_T, "mpmath")
    pts = ((1, 0.5, 2, 0.08, 0.03), (2, 3, 1, 1.5, -0.4), (1, 0, 1, 3.99, 0.02),
           (1, 1, 1, 0.5, 0.9))
    with mp.workdps(30):
        for lv, ev, tv, cv, wv in pts:
            lv, ev, tv, cv, wv = (mp.mpf(str(v)) for v in (lv, ev, tv, cv, wv))
            f = lambda x, a=(lv, ev, tv, cv, wv): fw(x, *a)  # noqa: E731
            if abs(f(0) - wv) > mp.mpf(10) ** -25:
                raise ProofError("eq5: w(0) != w0")
            for x in (0.3, 1.7, 6.0):
                wx = f(x)
                res = tv * mp.diff(f, x) - (lv - wx * (lv + ev)) * mp.sqrt(cv**2 + 4 * wx**2)
                if abs(res) > mp.mpf(10) ** -20:
                    raise ProofError(f"eq5 residual {res} at {(lv, ev, tv, cv, wv, x)}")
    ch.check(f"mpmath (30 digits): exprs['w'] (eq5, definitions substituted) has ODE "
             f"residual < 1e-20 and w(0) = w0 at {len(pts)} points (incl. w0 < 0, eps = 0, "
             f"w0 > w*) and t = 0.3, 1.7, 6")
    return ch.outcome(
        Status.HOLDS,
        note="Holds on both branches with c0 = |w2^2 - w1^2| > 0 and t >= 0. c0 = 0 (balanced "
             "initialisation) is excluded: eq5 is then 0/0, see eq5.balanced.")


def _prove_balanced(pf: Proof) -> Outcome:
    """[eq5.balanced] w1 = w2: logistic flow, and the c0 -> 0+ limit of eq5 (w0 > 0)."""
    ch = pf.chain()
    r1, r2 = _flow(pf)
    ch.equal(sp.Subs(r1 - r2, w2, w1), 0,
             "on w1 = w2 the two equations agree, so w1 = w2 is invariant (c0 = 0)")
    rhs9 = pf.use("B.9").expr("rhs")
    v = sp.Symbol("v", real=True)
    flow = rhs9.subs({w1: v, w2: v}).subs(v**2, w)  # tau dw/dt in w
    if flow.has(v):
        raise ProofError("[B.9] on w1 = w2 is not a flow of w alone")
    ch.equal(sp.Subs(rhs9, (w, w1, w2), (v**2, v, v)), flow.subs(w, v**2),
             "[B.9] with w1 = w2 = v, w = v^2: tau dw/dt = 2 w (lam - (lam + eps) w)")
    # Bernoulli: z = 1/w obeys a linear equation
    zs = sp.Symbol("z", positive=True)
    lin = sp.expand(-flow.subs(w, 1 / zs) * zs**2)
    ch.equal(-flow.subs(w, 1 / zs) * zs**2, 2 * (lam + eps) - 2 * lam * zs,
             "z = 1/w: tau dz/dt = -(tau dw/dt)/w^2 = 2 (lam + eps) - 2 lam z (linear)")
    zf = sp.Function("z")
    z_t = sp.dsolve(sp.Eq(tau * zf(t).diff(t), lin.subs(zs, zf(t))), zf(t),
                    ics={zf(0): 1 / w0}).rhs
    w_t = 1 / z_t
    ch.equal(tau * sp.Derivative(w_t, t), flow.subs(w, w_t),
             "w = 1/z(t) solves tau dw/dt = 2 w (lam - (lam + eps) w)", via=(sp.cancel,))
    ch.equal(sp.Subs(w_t, t, 0), w0, "w(0) = w0", via=(sp.cancel,))
    ch.conclude(pf.printed, sp.Eq(w, w_t),
                "w(t) = w*/(1 + (w*/w0 - 1) exp(-2 lam t/tau)), w* = lam/(lam + eps)",
                via=(sp.cancel,))
    # limit of eq5 as c0 -> 0+, w0 > 0: w = c0 NUM DEN / ((DEN - NUM)(DEN + NUM))
    eq5 = pf.use("eq5")
    num, den = sp.fraction(eq5.expr("delta_f"))
    wp = sp.Symbol("w_0", positive=True)
    zeta_c0 = sp.sqrt(eq5.expr("beta") ** 2 + 4)
    ec = sp.exp(zeta_c0 * lam * t / tau)
    full = {delta0: eq5.expr("delta0_algebraic").subs(w0, wp), E: ec}

    def sub(e: sp.Expr) -> sp.Expr:
        return e.subs(full).subs(zeta, zeta_c0).subs(beta, eq5.expr("beta"))

    e0 = sp.exp(2 * lam * t / tau)
    n_, m_ = sp.symbols("NUM DEN")
    ch.equal(c0 * (n_ / m_) / (1 - (n_ / m_) ** 2), c0 * n_ * m_ / ((m_ - n_) * (m_ + n_)),
             "w = c0 d/(1 - d^2) with d = NUM/DEN", via=(sp.cancel,))
    dm = sub(den - num)
    ch.equal(sp.Subs(dm, c0, 0), 0, "DEN - NUM -> 0 as c0 -> 0 (zeta -> 2, delta_0 -> 1)")
    slope = sp.diff(dm, c0).subs(c0, 0)
    k = 1 + eps / lam
    ch.equal(slope, 4 * k * (1 - e0) - 4 / wp,
             "(DEN - NUM)/c0 -> d(DEN - NUM)/dc0 at 0 = 4 (1 + eps/lam)(1 - E0) - 4/w0, "
             "E0 = exp(2 lam t/tau) (nonzero for w0 > 0)", via=(sp.expand,))
    ch.equal(sp.Subs(sub(num * den), c0, 0), 64 * e0**2, "NUM DEN -> 64 E0^2", via=(sp.expand,))
    ch.equal(sp.Subs(sub(den + num), c0, 0), -16 * e0, "DEN + NUM -> -16 E0", via=(sp.expand,))
    lim = 64 * e0**2 / ((4 * k * (1 - e0) - 4 / wp) * (-16 * e0))
    ch.equal(lim, w_t.subs(w0, wp), "lim_{c0 -> 0+} eq5 = the logistic solution",
             via=(sp.cancel,))
    # numeric: eq5 at tiny c0 against the logistic, 80 digits
    import mpmath as mp

    fw = sp.lambdify((t, lam, eps, tau, c0, w0), eq5.expr("w"), "mpmath")
    fb = sp.lambdify((t, lam, eps, tau, w0), w_t, "mpmath")
    with mp.workdps(80):
        for args in (("1", "0.5", "2", "0.01"), ("2", "3", "1", "0.9")):
            args = tuple(mp.mpf(v) for v in args)
            for x in (mp.mpf("0.5"), mp.mpf(3)):
                gap = abs(fw(x, args[0], args[1], args[2], mp.mpf(10) ** -30, args[3])
                          - fb(x, *args))
                if gap > mp.mpf(10) ** -25:
                    raise ProofError(f"eq5 at c0 = 1e-30 vs logistic: {gap}")
    ch.check("mpmath (80 digits): eq5 (exprs['w']) at c0 = 1e-30 equals the logistic to 1e-25 "
             "at two parameter points, t = 0.5 and 3")
    return ch.outcome(
        Status.HOLDS,
        note="Holds for w1 = w2 != 0 (w0 > 0). For w1 = -w2 (w0 < 0, also c0 = 0) the product "
             "obeys tau dw/dt = -2 w (lam - (lam + eps) w) and decays to the saddle w = 0; the "
             "logistic formula does not apply there.")


# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------
_C0_POS = Assumption("c0 = |w2^2 - w1^2| > 0 at t = 0 (not balanced)", sp.Gt(c0, 0))

EQ5 = Step(
    id="eq5", section="3", title="Closed form of the scalar DAE flow",
    printed=sp.Tuple(
        sp.Eq(w, c0 / 2 * sp.sinh(THETA_TT)),
        sp.Eq(THETA_TT, 2 * sp.atanh(DELTAF.subs(delta0, delta))),
        sp.Eq(beta, BETA), sp.Eq(zeta, sp.sqrt(beta**2 + 4)), sp.Eq(delta, sp.tanh(theta0 / 2)),
        sp.Eq(E, sp.exp(zeta * lam * t / tau)), sp.Eq(theta0, sp.asinh(2 * w0 / c0)),
    ),
    proof=_prove_eq5, uses=("B.solve", "B.theta", "B.w", "B.9"),
    assumes=(_C0_POS, Assumption("t >= 0", sp.Ge(t, 0))),
    note="w0 is the initial product w1 w2; either sign of w2^2 - w1^2",
    exprs={"w": W_T, "theta_t": THETA_T, "w_algebraic": W_T_ALG, "delta_f": DELTAF,
           "beta": BETA, "delta0_algebraic": DELTA0_ALG},
)
B_CONSERVED = Step(
    id="B.conserved", section="B", title="w2^2 - w1^2 is conserved by the DAE flow",
    printed=sp.Eq(sp.Derivative(w2**2 - w1**2, t), 0),
    proof=_prove_conserved, uses=("eq2", "eq3", "C.ode"), printed_in_paper=False,
    exprs={"Q": w2**2 - w1**2},
)
B9 = Step(
    id="B.9", section="B", title="Flow of the product w = w1 w2",
    printed=sp.Eq(w2 * TAU_DW1 + w1 * TAU_DW2, (lam - w * (lam + eps)) * (w1**2 + w2**2)),
    proof=_prove_b9, uses=("eq2", "eq3"),
    exprs={"rhs": (lam - w * (lam + eps)) * (w1**2 + w2**2)},
)
B_COORDS = Step(
    id="B.coords", section="B", title="Hyperbolic coordinates",
    printed=sp.Tuple(
        sp.Implies(w1**2 < w2**2, sp.And(sp.Eq(w1, _BRANCH_LT[0]), sp.Eq(w2, _BRANCH_LT[1]))),
        sp.Implies(w1**2 > w2**2, sp.And(sp.Eq(w1, _BRANCH_GT[0]), sp.Eq(w2, _BRANCH_GT[1]))),
    ),
    proof=_prove_coords, uses=("B.conserved", "eq2", "eq3"),
    assumes=(_C0_POS, Assumption("w2 > 0 on the first branch, w1 > 0 on the second; the other "
                                 "sheet by the symmetry (w1, w2) -> (-w1, -w2)")),
    exprs={"w1": _BRANCH_LT[0], "w2": _BRANCH_LT[1],
           "w1_gt": _BRANCH_GT[0], "w2_gt": _BRANCH_GT[1]},
)
B_W = Step(
    id="B.w", section="B", title="Product and squared norm in hyperbolic coordinates",
    printed=sp.Tuple(sp.Eq(w, c0 / 2 * sp.sinh(theta)),
                     sp.Eq(DW, c0 / 2 * sp.cosh(theta) * DTHETA),
                     sp.Eq(w1**2 + w2**2, c0 * sp.cosh(theta))),
    proof=_prove_bw, uses=("B.coords",),
    exprs={"w": c0 / 2 * sp.sinh(theta), "norm2": c0 * sp.cosh(theta)},
)
B_THETA = Step(
    id="B.theta", section="B", title="Autonomous flow of theta",
    printed=sp.Eq(tau * sp.Derivative(theta, t), THETA_RHS),
    proof=_prove_theta, uses=("B.9", "B.w"), assumes=(_C0_POS,),
    statement=sp.Eq(tau * sp.Derivative(theta, t), THETA_RHS_C0),
    exprs={"rhs": THETA_RHS_C0, "rhs_beta": THETA_RHS, "rate": RATE,
           "theta_star": sp.asinh(2 / BETA)},
)
B_INT = Step(
    id="B.int", section="B", title="Integration by u = tanh(theta/2)",
    printed=sp.Eq(t, ANTIDERIV.subs(theta, thetaf) - ANTIDERIV.subs(theta, theta0)),
    proof=_prove_int, uses=("B.theta",),
    assumes=(Assumption("theta_0 and theta_f on the same side of theta* (sinh theta* = 2/beta); "
                        "ln read as ln|.| (or principal log) above theta*"),),
    exprs={"t": ANTIDERIV.subs(theta, thetaf) - ANTIDERIV.subs(theta, theta0)},
)
_E_RATIO = ((zeta + beta + 2 * deltaf) * (zeta - beta - 2 * delta0)
            / ((zeta - beta - 2 * deltaf) * (zeta + beta + 2 * delta0)))
B_E = Step(
    id="B.E", section="B", title="Exponentiated time",
    printed=sp.Eq(E, _E_RATIO),
    proof=_prove_e, uses=("B.int",), exprs={"E": _E_RATIO},
)
B_SOLVE = Step(
    id="B.solve", section="B", title="Solve for delta_f",
    printed=sp.Eq(deltaf * DEN, NUM),
    proof=_prove_solve, uses=("B.E",), exprs={"deltaf": DELTAF},
)
EQ5_BALANCED = Step(
    id="eq5.balanced", section="B", title="Balanced case c0 = 0: logistic flow",
    printed=sp.Eq(w, W_BALANCED), proof=_prove_balanced, uses=("B.9", "eq5", "eq2", "eq3"),
    assumes=(Assumption("w1 = w2 != 0 at t = 0 (c0 = 0, w0 > 0)"),),
    printed_in_paper=False, exprs={"w": W_BALANCED},
)

STEPS: tuple[Step, ...] = (
    EQ5, B_CONSERVED, B9, B_COORDS, B_W, B_THETA, B_INT, B_E, B_SOLVE, EQ5_BALANCED,
)
