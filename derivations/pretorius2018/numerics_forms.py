"""Section "N": verified rewrites of the closed forms into numerically stable shapes.

These are not printed in the paper.  ``daedyn.numerics`` lambdifies the expressions held here,
and each rewrite is proven to solve the same initial-value problem as the paper's closed form
(and checked against it at 50 digits), so the numerics never re-type a formula.

The DAE form works with ``y = exp(theta)`` instead of ``theta``: [B.theta] becomes a Riccati
equation in ``y`` whose solution is a Moebius map of ``q = exp(-zeta lam t / tau)``.  Written as
a weighted average with positive weights (``Y = c0 y``), nothing overflows as ``t -> oo``,
nothing cancels as ``c0 -> 0`` and the balanced case ``c0 = 0`` is the same formula.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Method, Outcome, Status, Step
from .symbols import N, c0, eps, gamma, lam, t, tau, w, w0


class exprel(sp.Function):  # noqa: N801 - the name of scipy.special.exprel
    """exprel(x) = (exp(x) - 1) / x, with exprel(0) = 1 (``scipy.special.exprel``)."""

    nargs = 1

    @classmethod
    def eval(cls, x):  # noqa: ANN001, ANN206
        if x == 0:
            return sp.S.One
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):  # noqa: ANN001, ANN003
        return (sp.exp(x) - 1) / x


# -- symbols of the stable DAE form ------------------------------------------------------------
y, Y, Y0 = sp.symbols("y Y Y_0", positive=True)
q, m = sp.symbols("q m", nonnegative=True)  # q = exp(-zeta lam t / tau), m = 1 - q
wstar, bet, zet = sp.symbols("w_star beta zeta", positive=True)

_BETA = c0 * (lam + eps) / lam
_ZETA = sp.sqrt(_BETA**2 + 4)
W_STAR = lam / (lam + eps)


def _dae_pieces(beta_: sp.Expr, zeta_: sp.Expr, ws: sp.Expr, c: sp.Expr) -> dict[str, sp.Expr]:
    yp = ws * (2 + zeta_)  # c0 * y+, y+ = (2 + zeta) / beta = exp(theta*)
    ym = -(c**2) / yp  # c0 * y-, the other root (y+ y- = -1)
    a = q * (yp - ym)
    b_ = m * (Y0 - ym)
    return {
        "Yp": yp,
        "Ym": ym,
        "Y": (a * Y0 + b_ * yp) / (a + b_),
        # Y - c0 and Y + c0 as averages of their (stably computed) end values
        "Y_minus_c0": (a * 4 * w0 * Y0 / (Y0 + c) + b_ * ws * (2 + 4 / (zeta_ + beta_))) / (a + b_),
        "Y_plus_c0": (a * (Y0 + c) + b_ * (yp + c)) / (a + b_),
    }


_P = _dae_pieces(_BETA, _ZETA, W_STAR, c0)
#: the stable DAE product, in (Y0, q, m, w0, c0, lam, eps); Y0 = c0 exp(theta_0)
W_DAE_STABLE = _P["Y_minus_c0"] * _P["Y_plus_c0"] / (4 * _P["Y"])
_S = sp.sqrt(c0**2 + 4 * w0**2)
#: Y0 = c0 exp(arsinh(2 w0 / c0)), written without cancellation for either sign of w0
Y0_NONNEG = 2 * w0 + _S
Y0_NEG = c0**2 / (_S - 2 * w0)
#: the decay variable and its complement
Q_OF_T = sp.exp(-lam * _ZETA * t / tau)
#: balanced start with a negative product (w1 = -w2, c0 = 0): decays to the saddle at 0
q2 = sp.Symbol("q_2", nonnegative=True)  # q2 = exp(-2 lam t / tau)
W_BALANCED_NEG = W_STAR * w0 * q2 / (W_STAR - w0 + w0 * q2)


# -- separable evaluation: per-parameter coefficients, then a short formula in (q, m) --------
#: coefficient symbols of the template; the template is what numerics evaluates per time point
A1, B1, A2, B2, C1, D1, C2, D2 = sp.symbols("A1 B1 A2 B2 C1 D1 C2 D2", real=True)
TEMPLATE = (q * A1 + m * B1) * (q * A2 + m * B2) / (4 * (q * C1 + m * D1) * (q * C2 + m * D2))
_PP, _RR = _P["Yp"] - _P["Ym"], Y0 - _P["Ym"]  # a = q P, b = m R
_U0 = 4 * w0 * Y0 / (Y0 + c0)  # Y0 - c0
_UP = W_STAR * (2 + 4 / (_ZETA + _BETA))  # Y+ - c0
#: coefficient expressions of the template, in (Y0, w0, c0, lam, eps)
TEMPLATE_COEFFS = {
    A1: _PP * _U0, B1: _RR * _UP, A2: _PP * (Y0 + c0), B2: _RR * (_P["Yp"] + c0),
    C1: _PP, D1: _RR, C2: _PP * Y0, D2: _RR * _P["Yp"],
}
#: balanced start (c0 = 0, w0 > 0): the logistic [eq5.balanced] as A / (1 + B q2)
LA, LB = sp.symbols("L_A L_B", real=True)
LOGISTIC_TEMPLATE = LA / (1 + LB * q2)
LOGISTIC_COEFFS = {LA: W_STAR, LB: W_STAR / w0 - 1}


def _reduce_zeta(expr: sp.Expr) -> sp.Expr:
    """Numerator of ``expr`` reduced modulo zeta^2 = beta^2 + 4, as a polynomial in zeta."""
    num, _ = sp.fraction(sp.together(expr))
    return sp.Poly(sp.expand(num), zet).rem(sp.Poly(zet**2 - bet**2 - 4, zet)).as_expr().expand()


def _prove_dae_stable(pf: Proof) -> Outcome:
    """The stable form solves the IVP of [eq5] (same ODE, same start), hence equals eq5."""
    chain = Chain()
    theta_rhs = pf.use("B.theta").expr("rhs")  # tau dtheta/dt in theta, c0, eps, lam
    theta = next(s for s in theta_rhs.free_symbols if s.name == "theta")
    # 1. y = exp(theta): tau dy/dt = y * tau dtheta/dt, a quadratic (Riccati) in y
    riccati = sp.expand((y * theta_rhs.subs(theta, sp.log(y))).rewrite(sp.exp))
    beta_c0 = _BETA
    yplus, yminus = (2 + _ZETA) / beta_c0, (2 - _ZETA) / beta_c0
    chain.equal(riccati, -lam * beta_c0 / 2 * (y - yplus) * (y - yminus),
                "y = exp(theta) in [B.theta]: tau dy/dt is quadratic in y with roots "
                "(2 +- zeta)/beta", via=(lambda e: sp.cancel(sp.expand(e)),))
    # 2. in Y = c0 y with c0 = beta w*: the weighted average solves that Riccati equation
    pieces = _dae_pieces(bet, zet, wstar, bet * wstar)
    ex = sp.exp(-lam * zet * t / tau)
    y_t = pieces["Y"].subs({q: ex, m: 1 - ex})
    ode = tau * sp.Derivative(y_t, t) + lam * bet / (2 * bet * wstar) * (y_t - pieces["Yp"]) * (
        y_t - pieces["Ym"])
    chain.equal(ode, 0,
                "Y(t) = (a Y0 + b Y+)/(a + b), a = q (Y+ - Y-), b = (1 - q)(Y0 - Y-), "
                "q = exp(-zeta lam t/tau), solves tau dY/dt = -(lam/(2 w*)) (Y - Y+)(Y - Y-) "
                "(reduced modulo zeta^2 = beta^2 + 4)",
                via=(lambda e: _reduce_zeta(sp.together(e).subs(ex, q)),))
    chain.equal(sp.Subs(pieces["Y"], (q, m), (1, 0)), Y0, "Y(0) = Y0", via=(sp.cancel,))
    # 3. back to w: w = (c0/4)(y - 1/y) = (Y^2 - c0^2)/(4Y); the stable numerator factors
    cc = bet * wstar
    w_of_y = (Y**2 - cc**2) / (4 * Y)
    w0_of_y0 = w_of_y.subs(Y, Y0)
    stable = (pieces["Y_minus_c0"] * pieces["Y_plus_c0"] / (4 * pieces["Y"])).subs(w0, w0_of_y0)
    target = w_of_y.subs(Y, pieces["Y"])
    chain.equal(stable, target,
                "the factored stable form equals (Y^2 - c0^2)/(4Y) along Y(t) "
                "(using w0 = (Y0^2 - c0^2)/(4 Y0))", via=(_reduce_zeta,))
    chain.equal(((Y0_NONNEG**2 - c0**2) / (4 * Y0_NONNEG)), w0,
                "Y0 = 2 w0 + sqrt(c0^2 + 4 w0^2) = c0 exp(arsinh(2 w0/c0)) gives w(0) = w0",
                via=(sp.cancel, sp.radsimp, sp.expand))
    chain.equal(Y0_NEG, Y0_NONNEG, "the same Y0 without cancellation for w0 < 0",
                via=(sp.radsimp, sp.expand))
    dw = sp.diff(w_of_y, Y)
    chain.equal(dw * (-lam / (2 * wstar)) * (Y - pieces["Yp"]) * (Y - pieces["Ym"])
                - (lam - (lam / wstar) * w_of_y) * (Y**2 + cc**2) / (2 * Y), 0,
                "chain rule: w(Y(t)) solves tau dw/dt = (lam - (lam + eps) w) sqrt(c0^2 + 4 w^2), "
                "the product flow of [B.9]/[B.w] (sqrt(c0^2 + 4w^2) = (Y^2 + c0^2)/(2Y))",
                via=(_reduce_zeta,))
    # 4. c0 -> 0 with w0 > 0 is the same formula: it reduces to the logistic [eq5.balanced]
    wpos = sp.Symbol("w_0", positive=True)
    at0 = W_DAE_STABLE.subs({Y0: Y0_NONNEG}).subs(c0, 0).subs(w0, wpos)
    bal = pf.use("eq5.balanced").expr("w").subs(w0, wpos)
    qq = sp.exp(-2 * lam * t / tau)
    chain.equal(sp.cancel(sp.powsimp(at0.subs({q: qq, m: 1 - qq}), force=True)),
                bal, "at c0 = 0 (w0 > 0) the stable form is the logistic of [eq5.balanced]",
                via=(sp.cancel, lambda e: sp.cancel(sp.powsimp(e.rewrite(sp.exp), force=True))))
    # 5. 50-digit cross-check against the printed closed form eq5
    eq5 = pf.use("eq5").expr("w")
    n = 0
    for vals in ({lam: 1.3, eps: 0.7, c0: 0.4, w0: 0.05, tau: 2.0, t: 3.0},
                 {lam: 0.2, eps: 5.0, c0: 2.5, w0: -0.3, tau: 1.0, t: 40.0},
                 {lam: 4.0, eps: 0.0, c0: 1e-3, w0: 2.0, tau: 1.0, t: 0.7}):
        vals = {k: sp.Rational(v) for k, v in vals.items()}  # exact inputs
        with mpmath.workdps(60):
            ref = sp.N(eq5.subs(vals), 50)
            s_ = sp.sqrt(vals[c0] ** 2 + 4 * vals[w0] ** 2)
            y0v = 2 * vals[w0] + s_ if vals[w0] >= 0 else vals[c0] ** 2 / (s_ - 2 * vals[w0])
            qv = Q_OF_T.subs(vals)
            got = sp.N(W_DAE_STABLE.subs({Y0: y0v, q: qv, m: 1 - qv}).subs(vals), 50)
        if abs(got - ref) > 1e-40 * (1 + abs(ref)):
            raise AssertionError(f"stable form != eq5 at {vals}: {got} vs {ref}")
        n += 1
    chain.check(f"equals the printed eq5 to 40 digits at {n} parameter points (mpmath, 50 digits)")
    return chain.outcome(Status.HOLDS, Method.SYMBOLIC_NUMERIC,
                         note="Same ODE and initial value as eq5 (unique solution), so the same "
                              "function; the numeric check guards the algebra.")


def _prove_templates(pf: Proof) -> Outcome:
    """The per-time-point templates equal [N.dae.stable] and [eq5.balanced] identically."""
    chain = Chain()
    chain.equal(TEMPLATE.subs(TEMPLATE_COEFFS), W_DAE_STABLE,
                "collect the stable form over its weights a = q P, b = m R: "
                "(a U0 + b U+)(a V0 + b V+) / (4 (a + b)(a Y0 + b Y+))", via=(sp.cancel,))
    bal = pf.use("eq5.balanced").expr("w")
    q2_t = sp.exp(-2 * lam * t / tau)
    chain.equal(sp.Subs(LOGISTIC_TEMPLATE, (LA, LB, q2), (*LOGISTIC_COEFFS.values(), q2_t)),
                bal, "the logistic of [eq5.balanced] as L_A / (1 + L_B q2)", via=(sp.cancel,))
    return chain.outcome(Status.HOLDS)


def _prove_balanced_neg(pf: Proof) -> Outcome:
    """c0 = 0 with w0 < 0: w1 = -w2 stays so under [eq2]/[eq3]; the product decays to the saddle."""
    chain = Chain()
    r1, r2 = pf.use("eq2").expr("rhs"), pf.use("eq3").expr("rhs")  # tau dw1/dt, tau dw2/dt
    by = {s_.name: s_ for s_ in r1.free_symbols | r2.free_symbols}
    u = sp.Symbol("u", positive=True)
    on = {by["w_1"]: -u, by["w_2"]: u}
    chain.equal(sp.Subs(r1 + r2, (by["w_1"], by["w_2"]), (-u, u)), 0,
                "on w1 = -w2 = -u [eq2] + [eq3] vanish: the line w1 = -w2 is invariant",
                via=(sp.expand,))
    prod = by["w_2"] * r1 + by["w_1"] * r2  # tau dw/dt by the product rule
    w_t = W_BALANCED_NEG.subs(q2, sp.exp(-2 * lam * t / tau))
    chain.equal(prod.subs(on), ((lam - (lam + eps) * w) * (-2 * w)).subs(w, -u**2),
                "product rule: tau dw/dt = w2 [eq2] + w1 [eq3] = (lam - (lam+eps) w)(-2w) "
                "with w = -u^2", via=(sp.expand,))
    chain.equal(tau * sp.Derivative(w_t, t), (lam - (lam + eps) * w_t) * (-2 * w_t),
                "the candidate solves that ODE", via=(sp.cancel,))
    chain.equal(sp.Subs(w_t, t, 0), w0, "w(0) = w0", via=(sp.cancel,))
    chain.fact(sp.Eq(sp.Limit(w, t, sp.oo), 0), "q2 -> 0: the product decays to the saddle w = 0")
    return chain.outcome(Status.HOLDS)


# -- weight decay: [eq7] (corrected) without overflow and with the N gamma = lam limit --------
x = sp.Symbol("x", real=True)  # x = 2 lam xi t / tau = 2 (lam - N gamma) t / tau
_X = 2 * (lam - N * gamma) * t / tau
#: x through the gap d = lam - N gamma, which numerics evaluates with an error-free product
#: (the subtraction cancels near N gamma = lam, where x multiplies a long time t)
d_gap = sp.Symbol("d", real=True)
D_GAP = lam - N * gamma
X_OF_D = 2 * d_gap * t / tau
#: for xi >= 0 (x >= 0): no overflow as t -> oo
W_WDAE_NONNEG = w0 / (sp.exp(-x) + w0 * (2 * lam * t / tau) * exprel(-x))
#: for xi < 0 (x < 0): no overflow as t -> oo
W_WDAE_NEG = w0 * sp.exp(x) / (1 + w0 * (2 * lam * t / tau) * exprel(x))


def _prove_wdae_stable(pf: Proof) -> Outcome:
    """Both forms solve [C.w] from w0, agree with each other and with the N gamma = lam limit."""
    chain = Chain()
    cw = pf.use("C.w").expr("rhs")  # tau dw/dt of the balanced WDAE flow, in w

    def rhs_cw(f: sp.Expr) -> sp.Expr:
        return cw.subs(w, f)

    for name, form in (("xi >= 0", W_WDAE_NONNEG), ("xi < 0", W_WDAE_NEG)):
        w_t = form.subs(x, _X).rewrite(sp.exp)
        chain.equal(tau * sp.diff(w_t, t) - rhs_cw(w_t), 0,
                    f"the {name} form (exprel(x) = (e^x - 1)/x) solves [C.w] "
                    "tau dw/dt = 2w(lam - N gamma - w lam)",
                    via=(sp.cancel, lambda e: sp.cancel(sp.powsimp(sp.expand(e), force=True))))
    chain.equal((W_WDAE_NONNEG - W_WDAE_NEG).rewrite(sp.exp), 0,
                "the two forms are one function (multiply by e^x)",
                via=(lambda e: sp.cancel(sp.powsimp(sp.expand(sp.together(e)), force=True)),))
    chain.equal(sp.Subs(X_OF_D, d_gap, D_GAP), _X, "x = 2 d t / tau with d = lam - N gamma",
                via=(sp.expand,))
    chain.equal(sp.Subs(W_WDAE_NONNEG, x, 0), w0 / (1 + 2 * lam * w0 * t / tau),
                "exprel(0) = 1: at N gamma = lam both give w0/(1 + 2 lam w0 t/tau)",
                via=(sp.cancel,))
    try:
        eq7 = pf.use("eq7").exprs.get("w")
    except KeyError:  # Appendix C not registered: the ODE check above still stands
        eq7 = None
    if eq7 is not None:
        n = 0
        for vals in ({lam: 2.0, N: 10.0, gamma: 0.05, w0: 0.1, tau: 1.0, t: 1.0},
                     {lam: 0.5, N: 2.0, gamma: 0.5, w0: 0.3, tau: 3.0, t: 7.0}):
            vals = {k: sp.Rational(v) for k, v in vals.items()}  # exact inputs
            ref = sp.N(eq7.subs(vals), 50)
            xv = _X.subs(vals)
            form = W_WDAE_NONNEG if xv >= 0 else W_WDAE_NEG
            got = sp.N(form.subs(x, xv).rewrite(sp.exp).subs(vals), 50)
            if abs(got - ref) > 1e-40 * (1 + abs(ref)):
                raise AssertionError(f"stable WDAE form != eq7 at {vals}: {got} vs {ref}")
            n += 1
        chain.check(f"equals the corrected eq7 of the registry at {n} points (50 digits)")
    return chain.outcome(Status.HOLDS, Method.SYMBOLIC_NUMERIC,
                         note="Solves the registry's [C.w] from w0 (unique solution); the "
                              "numeric check compares with the corrected eq7.")


STEPS: tuple[Step, ...] = (
    Step(
        id="N.dae.template", section="N",
        title="Separable evaluation: coefficients per eigenvalue, a short formula per time point",
        printed=sp.Eq(w, TEMPLATE), proof=_prove_templates,
        uses=("N.dae.stable", "eq5.balanced"), printed_in_paper=False,
        note="q = exp(-zeta lam t/tau), m = -expm1(-zeta lam t/tau); q2 = exp(-2 lam t/tau). "
             "Coefficients depend on (lam, eps, w1_0, w2_0) only.",
        exprs={"w": TEMPLATE, "logistic": LOGISTIC_TEMPLATE, "K": lam * _ZETA / tau,
               "K2": 2 * lam / tau,
               **{str(k): v for k, v in TEMPLATE_COEFFS.items()},
               **{str(k): v for k, v in LOGISTIC_COEFFS.items()}},
    ),
    Step(
        id="N.dae.stable", section="N", title="Overflow-free form of eq5 (any c0 >= 0, w0 > 0 at "
        "c0 = 0)",
        printed=sp.Eq(w, W_DAE_STABLE), proof=_prove_dae_stable,
        uses=("B.theta", "eq5", "eq5.balanced"), printed_in_paper=False,
        assumes=(Assumption("c0 = |w2^2 - w1^2| >= 0; if c0 = 0 then w0 > 0", sp.Ge(c0, 0)),
                 Assumption("t >= 0", sp.Ge(t, 0))),
        note="Y0 = c0 exp(theta_0), q = exp(-zeta lam t/tau), m = 1 - q; the weights a, b of the "
             "average are positive, so no overflow or cancellation except at a true zero of w.",
        exprs={"w": W_DAE_STABLE, "Y0_nonneg": Y0_NONNEG, "Y0_neg": Y0_NEG, "q": Q_OF_T},
    ),
    Step(
        id="N.dae.balanced_neg", section="N",
        title="Balanced start with a negative product (w1 = -w2)",
        printed=sp.Eq(w, W_BALANCED_NEG), proof=_prove_balanced_neg, uses=("eq2", "eq3"),
        printed_in_paper=False,
        assumes=(Assumption("w1 = -w2 != 0 at t = 0 (c0 = 0, w0 < 0)", sp.Lt(w0, 0)),),
        note="q2 = exp(-2 lam t / tau); the flow never leaves w1 = -w2 and decays to the saddle.",
        exprs={"w": W_BALANCED_NEG.subs(q2, sp.exp(-2 * lam * t / tau))},
    ),
    Step(
        id="N.wdae.stable", section="N",
        title="Overflow-free form of the corrected eq7, including N gamma = lam",
        printed=sp.Eq(w, W_WDAE_NONNEG), proof=_prove_wdae_stable, uses=("C.w", "eq7"),
        printed_in_paper=False,
        assumes=(Assumption("balanced start w1 = w2, w0 = w1^2 > 0", sp.Gt(w0, 0)),),
        note="x = 2 (lam - N gamma) t / tau; the xi >= 0 form is used for x >= 0, the xi < 0 "
             "form (exprs['w_neg']) for x < 0; exprel is scipy.special.exprel.",
        exprs={"w": W_WDAE_NONNEG, "w_neg": W_WDAE_NEG, "x": _X, "d": D_GAP, "x_of_d": X_OF_D},
    ),
)
