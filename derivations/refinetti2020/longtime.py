"""Long-time dynamics: the aligned ansatz and its reduced flow (section "C"; paper section 3.3,
appendix C, eqs. 19, C.4-C.8).

K = M, unit k aligned with eigenvector k: alpha_{k tau} = a_k delta_{k tau},
beta_{k tau} = b_k delta_{k tau} (eq. 19 in the rotated weights), no bulk part.
q = rt a^2 is the encoder variance Q_kk of unit k.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Assumption, Outcome, Proof, Step
from . import flowsyms as dyn
from .symbols import C11, C12, C22

a, b, rt, eta, t = sp.symbols("a b rt eta t", positive=True)
q = sp.Symbol("q", positive=True)
_ALIGNED = Assumption("K = M units aligned with the top-K eigenvectors (eq. 19), no bulk part")
_ERF = Assumption("g = erf(x/sqrt 2)")


def _at(expr: sp.Expr, c11: sp.Expr, c12: sp.Expr, c22: sp.Expr) -> sp.Expr:
    return expr.xreplace({C11: c11, C12: c12, C22: c22})


def _ints(pf: Proof) -> dict[str, sp.Expr]:
    """The erf integrals at the aligned covariances: (lambda, nu) ~ ((q, r), (r, t)),
    (lambda, lambda) ~ ((q, q), (q, q))."""
    Q, R, T = rt * a**2, rt * a * b, rt * b**2
    e = {n: pf.use(f"RG.{n}.erf").exprs["closed"] for n in ("E1", "I2", "K2", "L1", "L2", "J2")}
    return {
        "E1": e["E1"].xreplace({C11: Q}),
        "I2": _at(e["I2"], Q, Q, Q), "K2": _at(e["K2"], Q, Q, Q),
        "L1": _at(e["L1"], Q, R, T), "L2": _at(e["L2"], Q, Q, Q),
        "J2": _at(e["J2"], T, R, Q),
    }


_USES_INT = tuple(f"RG.{n}.erf" for n in ("E1", "I2", "K2", "L1", "L2", "J2"))


def f_erf() -> sp.Expr:
    """Excess error of one aligned erf unit (eq. C.4)."""
    Q = rt * a**2
    return (rt / 2 - rt * a * b * sp.sqrt(2 / sp.pi) / sp.sqrt(1 + Q)
            + b**2 / sp.pi * sp.asin(Q / (1 + Q)))


def _prove_invariant(pf: Proof) -> Outcome:
    flow = pf.use("RG.ode.weights").printed
    ch = pf.chain()
    al2, be2 = dyn.al[1], dyn.be[1]
    sub = {al2: 0, be2: 0, sp.Symbol("T0_12"): 0}
    d_alpha2, d_beta2 = flow[2].rhs.xreplace(sub), flow[3].rhs.xreplace(sub)
    keys, vals = tuple(sub), tuple(sub.values())
    i2_12 = pf.use("RG.I2.erf").exprs["closed"].xreplace({C12: 0})
    ch.equal(sp.Subs(pf.use("RG.I2.erf").exprs["closed"], C12, 0), 0,
             "I2(Q12 = 0) = 0 for erf (odd g): the only term that could move unit 2 onto "
             "mode 1")
    ch.equal(sp.Subs(flow[2].rhs, keys, vals), 0,
             "on mode 1 with unit 2 off it and T0_12 = 0: dalpha2/dt = 0")
    ch.equal(sp.Subs(flow[3].rhs, keys + (sp.Symbol("I2_12"),), vals + (i2_12,)), 0,
             "and dbeta2/dt = -eta M21 I2_12 beta1 = 0")
    ch.fact("T0_12 = sum_tau beta_1tau beta_2tau stays 0 because the supports stay disjoint",
            "the two identities, mode by mode")
    ch.conclude(pf.printed, sp.Tuple(d_alpha2, d_beta2.xreplace({sp.Symbol("I2_12"): i2_12})),
                "the printed increments vanish")
    return ch.outcome()


ANSATZ = Step(
    id="RG.C.ansatz", section="C", title="The aligned ansatz (eq. 19) is invariant",
    printed=sp.Tuple(0, 0),
    statement="on a mode of another unit, (dalpha_k/dt, dbeta_k/dt) = (0, 0) for erf/linear",
    proof=_prove_invariant, uses=("RG.ode.weights", "RG.I2.erf"), assumes=(_ALIGNED, _ERF),
    note="Needs I2 = 0 at zero correlation, i.e. an odd activation (erf, linear). For ReLU "
         "<relu(x1)><relu(x2)> = sqrt(Q11 Q22)/(2 pi) > 0, so vanilla SGD pushes the decoders "
         "off the ansatz: it is not invariant for ReLU without biases.",
)


def _prove_c4(pf: Proof) -> Outcome:
    pf.use("RG.pmse")
    ints = _ints(pf)
    ch = pf.chain()
    f = rt / 2 - ints["J2"] + b**2 * ints["I2"] / 2
    ch.fact("pmse = sum_{tau > K} rt_tau/2 + sum_k (rt_k/2 - J2_k + T0_kk I2_kk/2), the "
            "cross terms T0_kl I2_kl vanishing (T0 diagonal)", "RG.pmse on the ansatz")
    ch.conclude(pf.printed.rhs, f, "with the erf closed forms at the aligned covariances",
                via=(sp.expand, lambda e: sp.simplify(e)))
    return ch.outcome()


C4 = Step(
    id="RG.C.pmse", section="C", title="pmse under the ansatz (eq. C.4)",
    printed=sp.Eq(sp.Symbol("f_k"), f_erf()), proof=_prove_c4,
    uses=("RG.pmse",) + _USES_INT, assumes=(_ALIGNED, _ERF),
    note="pmse = PCA error of rank K + sum_k f_k; exprs['f'] is f_k.",
    exprs={"f": f_erf()},
)


def _prove_c5(pf: Proof) -> Outcome:
    pf.use("RG.pmse")
    ch = pf.chain()
    f_lin = rt / 2 - rt * a * b + b**2 * rt * a**2 / 2  # J2 = R, I2 = Q for linear g
    ch.fact("linear g: J2 = R_kk = rt a b, I2_kk = Q_kk = rt a^2", "RG.J2.linear, RG.I2.linear")
    ch.conclude(pf.printed.rhs, f_lin, "f_k = rt (1 - a b)^2 / 2: zero exactly on a b = 1")
    return ch.outcome()


C5 = Step(
    id="RG.C.linear", section="C", title="Linear valley (eq. C.5)",
    printed=sp.Eq(sp.Symbol("f_k^lin"), rt * (1 - a * b) ** 2 / 2), proof=_prove_c5,
    uses=("RG.pmse",), assumes=(_ALIGNED,),
)


def _prove_c6(pf: Proof) -> Outcome:
    f = pf.use("RG.C.pmse").exprs["f"]
    ch = pf.chain()
    sol = sp.solve(sp.diff(f, b), b)
    ch.equal(sp.Derivative(f, (b, 2)), 2 / sp.pi * sp.asin(rt * a**2 / (1 + rt * a**2)),
             "d^2 f/db^2 = I2 > 0: the stationary point is the minimum", via=(sp.simplify,))
    ch.conclude(pf.printed.rhs, sol[0], "df/db = 0", via=(sp.simplify,))
    return ch.outcome()


BSTAR = (sp.sqrt(sp.pi / 2) * rt * a / sp.sqrt(1 + rt * a**2)
         / sp.asin(rt * a**2 / (1 + rt * a**2)))
C6 = Step(
    id="RG.C.bstar", section="C", title="Optimal decoder scale for erf (eq. C.6)",
    printed=sp.Eq(sp.Symbol("b_k^*"), BSTAR), proof=_prove_c6, uses=("RG.C.pmse",),
    assumes=(_ALIGNED, _ERF), exprs={"bstar": BSTAR},
)


def _prove_valley(pf: Proof) -> Outcome:
    f = pf.use("RG.C.pmse").exprs["f"]
    bs = pf.use("RG.C.bstar").exprs["bstar"]
    ch = pf.chain()
    x = sp.Symbol("x", positive=True)
    fmin = sp.simplify(f.xreplace({b: bs}))
    ch.equal(fmin, rt / 2 * (1 - x / sp.asin(x)), "f at b* with x = q/(1+q), q = rt a^2",
             via=(lambda e: sp.simplify(e.xreplace({x: rt * a**2 / (1 + rt * a**2)})),))
    ch.equal(sp.Limit(rt / 2 * (1 - x / sp.asin(x)) / x**2, x, 0), rt / 12,
             "series: x/asin(x) = 1 - x^2/6 + O(x^4)")
    ch.fact("x < asin(x) on (0, 1): f(b*) > 0 for every a > 0 and f(b*) -> 0 only as a -> 0, "
            "with a b* -> sqrt(pi/2) (the slope of erf(x/sqrt 2) at 0 is sqrt(2/pi))",
            "sin y < y for y > 0; the leading term of b* is sqrt(pi/2)/a")
    ch.equal(sp.Limit(a * bs, a, 0), sp.sqrt(sp.pi / 2), "a b* -> sqrt(pi/2) as a -> 0")
    ch.conclude(pf.printed.rhs, rt * (rt * a**2) ** 2 / 12,
                "f(b*) = rt q^2/12 + O(q^3): the PCA error is reached only in the small-scale "
                "limit")
    return ch.outcome()


VALLEY = Step(
    id="RG.C.valley", section="C",
    title="Small-scale limit: PCA error only as the encoder shrinks",
    printed=sp.Eq(sp.Symbol("f_k(b^*) (leading)"), rt**3 * a**4 / 12),
    proof=_prove_valley, uses=("RG.C.pmse", "RG.C.bstar"), assumes=(_ALIGNED, _ERF),
    printed_in_paper=False,
)


def _reduced_printed() -> sp.Tuple:
    E1, I2, K2, L1, L2 = sp.symbols("E1 I2 K2 L1 L2")
    return sp.Tuple(sp.Eq(sp.Symbol("da/dt"), eta * rt * (b * E1 + a * L1 - a * b**2 * (L2 + K2))),
                    sp.Eq(sp.Symbol("db/dt"), eta * (rt * a * E1 - b * I2)))


def _prove_reduced(pf: Proof) -> Outcome:
    flow = pf.use("RG.ode.weights").printed
    ch = pf.chain()
    sub = {dyn.al[0]: a, dyn.be[0]: b, dyn.al[1]: 0, dyn.be[1]: 0, sp.Symbol("T0_11"): b**2,
           sp.Symbol("T0_12"): 0, dyn.kappa: 0, dyn.eta: eta, dyn.rt: rt,
           sp.Symbol("M11"): 1}
    names = {sp.Symbol("E1_1"): sp.Symbol("E1"), sp.Symbol("I2_11"): sp.Symbol("I2"),
             sp.Symbol("K2_11"): sp.Symbol("K2"), sp.Symbol("L1_1"): sp.Symbol("L1"),
             sp.Symbol("L2_11"): sp.Symbol("L2")}
    da = flow[0].rhs.xreplace(sub).xreplace(names)
    db = flow[1].rhs.xreplace(sub).xreplace(names)
    ch.fact("unit 1 on mode 1: alpha = a, beta = b there, T0_11 = b^2, T0_12 = 0, no decay",
            "RG.C.ansatz")
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(sp.Symbol("da/dt"), da), sp.Eq(sp.Symbol("db/dt"), db)),
                "RG.ode.weights on the ansatz (mode 1, unit 1)")
    return ch.outcome()


REDUCED = Step(
    id="RG.C.reduced", section="C", title="Reduced equations (eq. C.8)",
    printed=_reduced_printed(), proof=_prove_reduced, uses=("RG.ode.weights",),
    assumes=(_ALIGNED, Assumption("kappa = 0")),
    note="Integrals at (lambda, nu) ~ ((rt a^2, rt a b), (rt a b, rt b^2)) and "
         "(lambda, lambda) ~ rt a^2 (all four entries); vanilla and truncated agree (M11 = 1).",
)


def _prove_gradient(pf: Proof) -> Outcome:
    f = pf.use("RG.C.pmse").exprs["f"]
    red = pf.use("RG.C.reduced").printed
    ints = _ints(pf)
    ch = pf.chain()
    names = {sp.Symbol(k): v for k, v in ints.items() if k != "J2"}
    da, db = red[0].rhs.xreplace(names), red[1].rhs.xreplace(names)
    ch.equal(da, -eta * sp.diff(f, a), "da/dt = -eta df/da (erf closed forms)",
             via=(lambda e: sp.simplify(e),))
    ch.equal(db, -eta * sp.diff(f, b), "db/dt = -eta df/db", via=(lambda e: sp.simplify(e),))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(sp.Symbol("da/dt"), -eta * sp.diff(f, a)),
                                     sp.Eq(sp.Symbol("db/dt"), -eta * sp.diff(f, b))),
                "the reduced flow is the gradient flow of f with rate eta",
                via=(lambda e: sp.simplify(e),))
    return ch.outcome()


GRADIENT = Step(
    id="RG.C.gradient", section="C", title="The reduced equations are a gradient flow",
    printed=sp.Tuple(sp.Eq(sp.Symbol("da/dt"), -eta * sp.diff(f_erf(), a)),
                     sp.Eq(sp.Symbol("db/dt"), -eta * sp.diff(f_erf(), b))),
    proof=_prove_gradient, uses=("RG.C.pmse", "RG.C.reduced") + _USES_INT,
    assumes=(_ALIGNED, _ERF), printed_in_paper=False,
)


def _prove_powerlaw(pf: Proof) -> Outcome:
    pf.use("RG.C.valley")
    pf.use("RG.C.gradient")
    ch = pf.chain()
    c = sp.sqrt(sp.pi / 2)
    F = rt**3 * a**4 / 12  # f on the valley b = b*(a) (leading order)
    ch.fact("late times: b tracks b*(a) ~ c/a (c = sqrt(pi/2)) and the gradient flow moves "
            "along the valley with da/dt = -eta F'(a)/(1 + (db*/da)^2)",
            "adiabatic elimination: the valley is the slow manifold of the gradient flow "
            "(RG.C.gradient, RG.C.valley)")
    lead = sp.Limit(-eta * sp.diff(F, a) / (1 + (sp.diff(c / a, a)) ** 2) / a**7, a, 0)
    ch.equal(lead, -eta * rt**3 / (3 * sp.pi / 2), "da/dt = -k a^7 (1 + O(a^4)), "
             "k = 2 eta rt^3/(3 pi)")
    k = sp.Symbol("k", positive=True)
    sol = (6 * k * t) ** sp.Rational(-1, 6)
    ch.equal(sp.Derivative(sol, t) + k * sol**7, 0, "a = (6 k t)^(-1/6) solves da/dt = -k a^7",
             via=(sp.simplify,))
    ch.check("numerics.shallow.reduced from (a, b) = (1, 0.5), rt = 9, eta = 0.1, t to 1e14: "
             "local exponents d log a/d log t = -0.1667, d log b/d log t = 0.1667, "
             "d log f/d log t = -0.6667 over t = 1e8..1e14; a b -> 1.25334 (sqrt(pi/2) = "
             "1.25331) (tests/test_shallow_theory_longtime.py)")
    ch.conclude(pf.printed, sp.Tuple(sp.Rational(-1, 6), sp.Rational(1, 6), sp.Rational(-2, 3)),
                "a ~ t^(-1/6), b ~ c/a ~ t^(1/6), f ~ rt^3 a^4/12 ~ t^(-2/3)")
    return ch.outcome()


POWER = Step(
    id="RG.C.powerlaw", section="C",
    title="Power laws of encoder scale, decoder scale and excess error (figs. 3c, 3d)",
    printed=sp.Tuple(sp.Rational(-1, 6), sp.Rational(1, 6), sp.Rational(-2, 3)),
    statement="a ~ t^(-1/6), b ~ t^(1/6), pmse - PCA ~ t^(-2/3) (erf, aligned, kappa = 0)",
    proof=_prove_powerlaw, uses=("RG.C.valley", "RG.C.gradient"), assumes=(_ALIGNED, _ERF),
    note="The paper's exponents were lost in extraction (EQ135/136); these are derived here. "
         "The adiabatic elimination is a stated (unchecked) fact, backed by the numerics.",
)


STEPS = (ANSATZ, C4, C5, C6, VALLEY, REDUCED, GRADIENT, POWER)
