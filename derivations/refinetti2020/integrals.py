"""Closed forms of the Gaussian integrals of the dynamics (section "I"; paper appendix D).

For zero-mean jointly Gaussian x with covariance C and activation g (L1, L2 are the two
g''-integrals of the first-order dynamics, by Stein equal to (I21 - C12 E1)/C11 and
(I3(x1, x1, x2) - C12 K2)/C11, here without that division):
E1 = <g'(x1)>, J2 = <x1 g(x2)>, I2 = <g(x1) g(x2)>, I21 = <g'(x1) x1 x2>, I22 = <g'(x1) x2^2>,
I3 = <g'(x1) x2 g(x3)>, I4 = <g'(x1) g'(x2) g(x3) g(x4)>, K2 = <g'(x1) g'(x2)>,
for g in {erf(x/sqrt2), max(x, 0), x}.  Each step derives its value from ``RG.stein``,
``RG.price``, ``RG.tilt``, ``RG.cond`` and one-dimensional integrals SymPy evaluates, and
concludes against the printed closed form; ``exprs["value"]`` is what numerics evaluates
(arguments ``C11, C12, ...`` in the order of :func:`.symbols.entry_names`).
The ReLU I4 has no closed form here: its step states a representation by closed-form
pieces plus the 4-variate orthant probability, which numerics evaluates by quadrature.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Assumption, Outcome, Proof, Status, Step
from .symbols import (
    C11,
    C12,
    C13,
    C14,
    C22,
    C23,
    C24,
    C33,
    C34,
    C44,
    c,
    cov,
    gprime,
    normal_1d,
    x,
)

PI = sp.pi
SQ = sp.sqrt(2 / PI)
_PSD = Assumption("C symmetric positive semi-definite (diagonal entries > 0 where divided by)")


def _E(expr: sp.Expr, s: sp.Expr) -> sp.Expr:
    """<expr(x)> for x ~ N(0, s), by SymPy's integration (s > 0 through the symbol c)."""
    val = sp.integrate(expr * normal_1d(x, c), (x, -sp.oo, sp.oo))
    return sp.simplify(val).subs(c, s)


def _rad(e: sp.Expr) -> sp.Expr:
    """Normalise radicals of positive quantities (all radicands here are positive under _PSD)."""
    return sp.simplify(sp.factor(sp.powsimp(sp.powdenest(e, force=True), force=True)))


# ---------------------------------------------------------------- closed forms as printed
L4 = (1 + C11) * (1 + C22) - C12**2
L0 = L4 * C34 - C23 * C24 * (1 + C11) - C13 * C14 * (1 + C22) + C12 * C13 * C24 + C12 * C14 * C23
L1 = L4 * (1 + C33) - C23**2 * (1 + C11) - C13**2 * (1 + C22) + 2 * C12 * C13 * C23
L2 = L4 * (1 + C44) - C24**2 * (1 + C11) - C14**2 * (1 + C22) + 2 * C12 * C14 * C24
L3 = (1 + C11) * (1 + C33) - C13**2


def _asin_rho(a: sp.Expr, b: sp.Expr, ab: sp.Expr) -> sp.Expr:
    return sp.asin(ab / sp.sqrt(a * b))


FORMS: dict[tuple[str, str], sp.Expr] = {
    ("E1", "erf"): SQ / sp.sqrt(1 + C11),
    ("J2", "erf"): SQ * C12 / sp.sqrt(1 + C22),
    ("I2", "erf"): 2 / PI * _asin_rho(1 + C11, 1 + C22, C12),
    ("K2", "erf"): 2 / PI / sp.sqrt((1 + C11) * (1 + C22) - C12**2),
    ("I21", "erf"): SQ * C12 / (1 + C11) ** sp.Rational(3, 2),
    ("I22", "erf"): SQ * (C22 * (1 + C11) - C12**2) / (1 + C11) ** sp.Rational(3, 2),
    ("I3", "erf"): 2 / PI * (C23 * (1 + C11) - C12 * C13) / ((1 + C11) * sp.sqrt(L3)),
    ("I4", "erf"): 4 / PI**2 / sp.sqrt(L4) * sp.asin(L0 / sp.sqrt(L1 * L2)),
    ("L1", "erf"): -SQ * C12 / (1 + C11) ** sp.Rational(3, 2),
    ("L2", "erf"): -2 / PI * C12 / ((1 + C11) * sp.sqrt((1 + C11) * (1 + C22) - C12**2)),
    ("L1", "relu"): sp.Integer(0),
    ("L2", "relu"): sp.sqrt(C11 * C22 - C12**2) / (2 * PI * C11),
    ("L1", "linear"): sp.Integer(0),
    ("L2", "linear"): sp.Integer(0),
    ("E1", "relu"): sp.Rational(1, 2),
    ("J2", "relu"): C12 / 2,
    ("I2", "relu"): (sp.sqrt(C11 * C22 - C12**2)
                     + C12 * (PI / 2 + _asin_rho(C11, C22, C12))) / (2 * PI),
    ("K2", "relu"): sp.Rational(1, 4) + _asin_rho(C11, C22, C12) / (2 * PI),
    ("I21", "relu"): C12 / 2,
    ("I22", "relu"): C22 / 2,
    ("I3", "relu"): (C12 * sp.sqrt(C11 * C33 - C13**2) / (2 * PI * C11)
                     + C23 * (sp.Rational(1, 4) + _asin_rho(C11, C33, C13) / (2 * PI))),
    ("E1", "linear"): sp.Integer(1),
    ("J2", "linear"): C12,
    ("I2", "linear"): C12,
    ("K2", "linear"): sp.Integer(1),
    ("I21", "linear"): C12,
    ("I22", "linear"): C22,
    ("I3", "linear"): C23,
    ("I4", "linear"): C34,
}

TITLES = {
    "E1": "<g'(x1)>", "J2": "<x1 g(x2)>", "I2": "<g(x1) g(x2)>", "K2": "<g'(x1) g'(x2)>",
    "I21": "<g'(x1) x1 x2>", "I22": "<g'(x1) x2^2>", "I3": "<g'(x1) x2 g(x3)>",
    "I4": "<g'(x1) g'(x2) g(x3) g(x4)>",
    "L1": "<g''(x1) x2>", "L2": "<g''(x1) g(x2)>",
}
#: number of Gaussian variables of each integral
ARITY = {"E1": 1, "J2": 2, "I2": 2, "I21": 2, "I22": 2, "I3": 3, "I4": 4, "K2": 2,
         "L1": 2, "L2": 2}


def _sub(expr: sp.Expr, mapping: dict) -> sp.Expr:
    return expr.xreplace(mapping)


# ---------------------------------------------------------------- derivations
def _derive_e1(act: str) -> tuple[sp.Expr, sp.Expr, str]:
    integral = sp.Integral(gprime(act, x) * normal_1d(x, C11), (x, -sp.oo, sp.oo))
    return integral, _E(gprime(act, x), C11), "<g'(x)> for x ~ N(0, C11), integrated by SymPy"


def _derive(name: str, act: str, pf: Proof, ch) -> sp.Expr:
    """The value of integral ``name`` for ``act``, derived link by link into ``ch``."""
    if name == "E1":
        integral, val, why = _derive_e1(act)
        ch.equal(integral, val, why, via=(lambda e: sp.simplify(e.doit()),))
        return val
    if name == "J2":
        e1 = pf.use(f"RG.E1.{act}").exprs["closed"]
        pf.use("RG.stein")
        val = C12 * _sub(e1, {C11: C22})
        ch.fact(sp.Eq(sp.Symbol("J2"), C12 * sp.Symbol("<g'(x2)>")), "Stein on x1 (RG.stein)")
        return val
    if name == "K2":
        if act == "erf":
            pf.use("RG.tilt")
            val = 2 / PI / sp.sqrt((sp.eye(2) + cov(2)).det())
            ch.fact(sp.Eq(sp.Symbol("K2"), sp.Symbol("(2/pi) det(I + C)^(-1/2)")),
                    "g'(x1) g'(x2) = (2/pi) exp(-x^T x / 2): RG.tilt with A = I")
            return val
        if act == "linear":
            return sp.Integer(1)
        pf.use("RG.price")
        pf.use("RG.cond")
        val = FORMS[("K2", "relu")]
        ch.equal(sp.Derivative(val, C12), 1 / (2 * PI * sp.sqrt(C11 * C22 - C12**2)),
                 "Price: dK2/dC12 = <delta(x1) delta(x2)> = phi_C(0, 0) = 1/(2 pi sqrt(det C))",
                 via=(sp.simplify,))
        ch.equal(sp.Subs(val, C12, 0), sp.Rational(1, 4), "at C12 = 0: <Theta><Theta> = 1/4")
        return val
    if name == "I2":
        pf.use("RG.price")
        k2 = pf.use(f"RG.K2.{act}").exprs["closed"]
        val = FORMS[("I2", act)]
        ch.equal(sp.Derivative(val, C12), k2, "Price: dI2/dC12 = <g'(x1) g'(x2)> = K2",
                 via=(sp.simplify,))
        e = _E(x * sp.Heaviside(x), c) if act == "relu" else sp.Integer(0)
        base = e.subs(c, C11) * e.subs(c, C22) if act == "relu" else sp.Integer(0)
        ch.equal(sp.Subs(val, C12, 0), base,
                 "at C12 = 0 the variables are independent: <g(x1)><g(x2)>"
                 + (" (g odd)" if act != "relu" else " = sqrt(C11 C22)/(2 pi)"),
                 via=(sp.simplify,))
        ch.fact("the segment C12' in [0, C12] keeps C positive semi-definite",
                "|C12'| <= |C12| <= sqrt(C11 C22)")
        return val
    if name == "I21":
        pf.use("RG.stein")
        h = sp.diff(x * gprime(act, x), x)
        inner = _E(h, C11) if act != "relu" else sp.Rational(1, 2)
        if act == "relu":
            ch.fact(sp.Eq(sp.Symbol("<d/dx (x Theta(x))>"), sp.Rational(1, 2)),
                    "<Theta(x)> + <x delta(x)> = 1/2 + 0")
        ch.fact(sp.Eq(sp.Symbol("I21"), C12 * sp.Symbol("<(x g'(x))'(x1)>")),
                "Stein on x2 (RG.stein); x1 g'(x1) depends on x1 only")
        return C12 * inner
    if name == "I22":
        pf.use("RG.stein")
        e1 = pf.use(f"RG.E1.{act}").exprs["closed"]
        third = _E(sp.diff(gprime(act, x), x, 2), C11) if act == "erf" else sp.Integer(0)
        ch.fact(sp.Eq(sp.Symbol("I22"), C22 * sp.Symbol("E1") + C12**2 * sp.Symbol("<g'''(x1)>")),
                "Stein on x2 twice (RG.stein): <x2 x2 g'(x1)> = C22 <g'> + C12 <x2 g''(x1)>, "
                "<x2 g''(x1)> = C12 <g'''(x1)>"
                + ("; for ReLU <delta'(x1)> = -phi'(0) = 0" if act == "relu" else ""))
        return C22 * e1 + C12**2 * third
    if name == "I3":
        pf.use("RG.stein")
        k2 = pf.use(f"RG.K2.{act}").exprs["closed"]
        k13 = _sub(k2, {C12: C13, C22: C33})
        if act == "erf":
            pf.use("RG.tilt")
            e1 = pf.use("RG.E1.erf").exprs["closed"]
            c13p, c33p = C13 / (1 + C11), C33 - C13**2 / (1 + C11)
            ch.fact("<g'(x1) x1 g(x3)> = sqrt(2/pi) (1+C11)^(-1/2) C'13 <g'(x3)>_{C'}, "
                    "C'13 = C13/(1+C11), C'33 = C33 - C13^2/(1+C11)",
                    "g''(x) = -x g'(x); RG.tilt (A = e1 e1^T) then Stein under C'")
            second = -SQ / sp.sqrt(1 + C11) * c13p * _sub(e1, {C11: c33p})
        elif act == "relu":
            pf.use("RG.cond")
            second = (1 / sp.sqrt(2 * PI * C11)) * sp.sqrt((C33 - C13**2 / C11) / (2 * PI))
            ch.fact("<delta(x1) max(x3, 0)> = N(0; 0, C11) sqrt(var(x3 | x1=0) / (2 pi))",
                    "RG.cond; <max(z, 0)> = sqrt(s/(2 pi)) for z ~ N(0, s)")
        else:
            second = sp.Integer(0)
        i3 = C12 * sp.Symbol("<g''(x1) g(x3)>") + C23 * sp.Symbol("K2_13")
        ch.fact(sp.Eq(sp.Symbol("I3"), i3),
                "Stein on x2 (RG.stein)")
        return C12 * second + C23 * k13
    if name == "I4":
        pf.use("RG.stein")
        if act == "linear":
            ch.fact("<1 . 1 . x3 x4> = C34", "g' = 1, Stein on x3")
            return C34
        pf.use("RG.tilt")
        i2 = pf.use("RG.I2.erf").exprs["closed"]
        C = cov(4)
        U = sp.Matrix([[1, 0], [0, 1], [0, 0], [0, 0]])
        Mi = (sp.eye(2) + U.T * C * U).inv()
        Cp = C - C * U * Mi * U.T * C
        c33, c34, c44 = Cp[2, 2], Cp[2, 3], Cp[3, 3]
        ch.fact("I4 = (2/pi) det(I + C_aa)^(-1/2) I2(C'_bb), a = (1,2), b = (3,4), "
                "C' = C - C U (I + U^T C U)^{-1} U^T C", "RG.tilt with A = diag(1, 1, 0, 0)")
        ch.equal(c34 * L4, L0, "Lambda0 = Lambda4 C'34", via=(sp.cancel, sp.expand))
        ch.equal((1 + c33) * L4, L1, "Lambda1 = Lambda4 (1 + C'33)", via=(sp.cancel, sp.expand))
        ch.equal((1 + c44) * L4, L2, "Lambda2 = Lambda4 (1 + C'44)", via=(sp.cancel, sp.expand))
        ch.fact("det(I + C_aa) = Lambda4 > 0, so Lambda0/sqrt(Lambda1 Lambda2) = "
                "C'34 / sqrt((1 + C'33)(1 + C'44))", "the three identities above")
        del i2
        return 2 / PI / sp.sqrt(L4) * 2 / PI * sp.asin(L0 / sp.sqrt(L1 * L2))
    if name == "L1":
        pf.use("RG.stein")
        third = _E(sp.diff(gprime(act, x), x, 2), C11) if act == "erf" else sp.Integer(0)
        ch.fact(sp.Eq(sp.Symbol("L1"), C12 * sp.Symbol("<g3(x1)>")),
                "Stein on x2 (RG.stein), g3 = d^3 g/dx^3"
                + ("; <delta'(x1)> = 0" if act == "relu" else ""))
        return C12 * third
    if name == "L2":
        if act == "erf":
            pf.use("RG.tilt")
            e1 = pf.use("RG.E1.erf").exprs["closed"]
            c12p, c22p = C12 / (1 + C11), C22 - C12**2 / (1 + C11)
            ch.fact("<g''(x1) g(x2)> = -<x1 g'(x1) g(x2)> = -sqrt(2/pi)(1+C11)^(-1/2) C'12 "
                    "<g'(x2)>_{C'}", "g'' = -x g'; RG.tilt (A = e1 e1^T), then Stein under C'")
            return -SQ / sp.sqrt(1 + C11) * c12p * _sub(e1, {C11: c22p})
        if act == "relu":
            pf.use("RG.cond")
            ch.fact("<delta(x1) max(x2, 0)> = N(0; 0, C11) sqrt(var(x2 | x1 = 0)/(2 pi))",
                    "RG.cond")
            return (1 / sp.sqrt(2 * PI * C11)) * sp.sqrt((C22 - C12**2 / C11) / (2 * PI))
        ch.fact("g'' = 0", "linear activation")
        return sp.Integer(0)
    raise KeyError(name)


def _make_proof(name: str, act: str):
    def _prove(pf: Proof) -> Outcome:
        ch = pf.chain()
        derived = _derive(name, act, pf, ch)
        ch.conclude(pf.printed.rhs, derived,
                    f"the derived value is the printed closed form of {name} ({act})",
                    via=(sp.expand, _rad, lambda e: sp.simplify(sp.radsimp(e))))
        _check_stable(ch, pf.printed.rhs)
        ch.fact("exprs['value'] is this atan2 form of the printed closed form",
                "numerics evaluates it (well conditioned at perfect correlation)")
        return ch.outcome()
    return _prove


def _uses(name: str, act: str) -> tuple[str, ...]:
    if name == "E1":
        return ()
    if name == "J2":
        return ("RG.stein", f"RG.E1.{act}")
    if name == "K2":
        return ("RG.tilt",) if act == "erf" else ("RG.price", "RG.cond")
    if name == "I2":
        return ("RG.price", f"RG.K2.{act}")
    if name == "I21":
        return ("RG.stein",)
    if name == "I22":
        return ("RG.stein", f"RG.E1.{act}")
    if name == "I3":
        extra = {"erf": ("RG.tilt", "RG.E1.erf"), "relu": ("RG.cond",), "linear": ()}[act]
        return ("RG.stein", f"RG.K2.{act}") + extra
    if name == "I4":
        return ("RG.stein",) if act == "linear" else ("RG.stein", "RG.tilt", "RG.I2.erf")
    if name == "L1":
        return ("RG.stein",)
    if name == "L2":
        return {"erf": ("RG.tilt", "RG.E1.erf"), "relu": ("RG.cond",), "linear": ()}[act]
    raise KeyError(name)


def stable(e: sp.Expr) -> sp.Expr:
    """asin(n / sqrt(D)) -> atan2(n, sqrt(D - n^2)): the same angle, well conditioned at |n| ->
    sqrt(D) (asin has an infinite slope there, so a rounded ratio costs sqrt(eps))."""
    def rep(arg: sp.Expr) -> sp.Expr:
        num, den = arg.as_numer_denom()
        d2 = sp.expand(den**2)
        return sp.atan2(num, sp.sqrt(d2 - sp.expand(num**2)))
    return e.replace(lambda a: isinstance(a, sp.asin), lambda a: rep(a.args[0]))


def _check_stable(ch, form: sp.Expr) -> sp.Expr:
    out = stable(form)
    for a in form.atoms(sp.asin):
        num, den = a.args[0].as_numer_denom()
        xx = sp.sqrt(sp.expand(den**2) - sp.expand(num**2))
        X, N = sp.Dummy("X"), sp.Dummy("N")
        ch.equal(sp.Subs(X**2 + N**2, (X, N), (xx, num)), den**2,
                 "atan2(n, sqrt(D - n^2)) = asin(n/sqrt(D)): the cosine sqrt(D - n^2) >= 0 keeps "
                 "the angle in [-pi/2, pi/2] and its sine is n/sqrt(n^2 + D - n^2) = n/sqrt(D)",
                 via=(sp.expand,))
    return out


def _step(name: str, act: str) -> Step:
    form = FORMS[(name, act)]
    return Step(
        id=f"RG.{name}.{act}", section="I", title=f"{name} = {TITLES[name]} for {act}",
        printed=sp.Eq(sp.Symbol(f"{name}^{{{act}}}"), form),
        proof=_make_proof(name, act), uses=_uses(name, act), assumes=(_PSD,),
        exprs={"value": stable(form), "closed": form},
    )


# ---------------------------------------------------------------- ReLU I4: a representation
def _prove_i4_relu(pf: Proof) -> Outcome:
    pf.use("RG.stein")
    pf.use("RG.cond")
    pf.use("RG.price")
    ch = pf.chain()
    ch.fact("I4 = <x3 F>, F = Theta1 Theta2 Theta3 max(x4,0); Stein on x3: "
            "C13<delta1 Theta2 Theta3 r4> + C23<Theta1 delta2 Theta3 r4> "
            "+ C33<Theta1 Theta2 delta3 r4> + C34<Theta1 Theta2 Theta3 Theta4>", "RG.stein")
    ch.fact("each <delta_j ...> = N(0;0,C_jj) h(S_{.|j}), h(S) = <Theta(a)Theta(b)max(c,0)> "
            "= sum over a,b,c of S_c. N(0;0,S..) (1/4 + asin(rho_{..|.})/(2 pi))",
            "RG.cond, Stein on c, and the ReLU K2 (bivariate orthant probability)")
    ch.fact("P4 = <Theta1..Theta4> = 1/16 + int_0^1 ds sum_{i<j} R_ij / (2 pi sqrt(1 - s^2 "
            "R_ij^2)) (1/4 + asin(rho_{kl|ij}(s))/(2 pi)), R(s) = (1-s) I + s R",
            "RG.price along the segment R(s) of correlation matrices (Plackett's reduction)")
    ch.check("numerics.shallow.relu_i4 agrees with an independent scipy cubature "
             "(tests/test_shallow_integrals.py)")
    return ch.outcome(Status.UNVERIFIED, note=(
        "No closed form: Price's theorem in C34 leads to the 4-variate orthant probability, "
        "which is not elementary for a general C. The printed statement is this "
        "representation; it is evaluated by a 1-D Gauss-Legendre quadrature (needs C "
        "positive definite) and cross-checked by cubature in the tests; it is not proved "
        "symbolically to closure, hence unverified. The first-order dynamics do not use I4."))


I4_RELU = Step(
    id="RG.I4.relu", section="I", title="I4 = <g'(x1) g'(x2) g(x3) g(x4)> for relu",
    printed="I4 = C13 N(0;C11) h(S_{234|1}) + C23 N(0;C22) h(S_{134|2}) "
            "+ C33 N(0;C33) h(S_{124|3}) + C34 P4(C)",
    statement="I4^relu has no elementary closed form; the representation above holds",
    proof=_prove_i4_relu, uses=("RG.stein", "RG.cond", "RG.price"),
    assumes=(Assumption("C positive definite"),),
    note="quadrature in numerics.shallow.integrals",
)

NAMES = ("E1", "J2", "K2", "I2", "I21", "I22", "I3", "I4", "L1", "L2")
STEPS = tuple(
    _step(n, a) for a in ("erf", "relu", "linear") for n in NAMES if (n, a) in FORMS
) + (I4_RELU,)
