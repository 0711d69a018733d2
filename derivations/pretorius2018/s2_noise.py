"""Section 2 and Appendix A: marginalising the input noise out of the DAE loss (L ... noise).

The expectation over the noise is encoded as a *linear operator on polynomials in the noise
components*: a polynomial is split into monomials, and each monomial is replaced by the moment
the noise model assigns to it.  For [A.1], [A.2] and [eq1] the noise model is the weakest the
paper needs, "zero mean, covariance s^2 I" (isotropic); every moment of order >= 3 is left as
a fresh symbol ``mu[...]``, so a result free of those symbols depends on the noise only through
its variance.  For [noise] the moments of the Gaussian and Laplace densities are computed by
integrating the densities, and the loss is averaged over i.i.d. components with those moments.

Explicit small dimensions (D = 3, H = 2, N = 2) carry the symbolic computations; the general-D
reading is the index identity recorded in each step's note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import sympy as sp

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import D, N, b, eps, s, sigma

# ---------------------------------------------------------------------------------------------
# explicit symbolic objects (D = 3 inputs, H = 2 hidden units, N = 2 samples)
# ---------------------------------------------------------------------------------------------
DIM, HID, NSAMP = 3, 2, 2


def _mat(name: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of independent real symbols ``name_ij`` (1-based indices)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def _vec(name: str, dim: int) -> sp.Matrix:
    return sp.Matrix(dim, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}", real=True))


M = _mat("m", DIM, DIM)  # the composite map M = W2 W1 (general entries)
W1 = _mat("u", HID, DIM)  # encoder, H x D
W2 = _mat("v", DIM, HID)  # decoder, D x H
XS = [_vec(f"x{i + 1}", DIM) for i in range(NSAMP)]  # clean samples x_i
ES = [_vec(f"e{i + 1}", DIM) for i in range(NSAMP)]  # noise vectors e_i
x, e = XS[0], ES[0]


def _sq(v: sp.Matrix) -> sp.Expr:
    """Squared Euclidean norm of a column vector."""
    return (v.T * v)[0, 0]


def SE(xv: sp.Matrix, xin: sp.Matrix, m: sp.Matrix = M) -> sp.Expr:
    """[A.1] squared reconstruction error ||x - M x_in||^2 of the clean target x."""
    return _sq(xv - m * xin)


def expect(expr: sp.Expr, noise: Sequence[sp.Symbol],
           moment: Callable[[tuple[int, ...]], sp.Expr]) -> sp.Expr:
    """The expectation over the noise: linear, monomial ``prod e_k^a_k`` -> ``moment(a)``."""
    poly = sp.Poly(sp.expand(expr), *noise)
    return sp.Add(*[coeff * moment(monom) for monom, coeff in poly.terms()])


def isotropic_moment(var: sp.Expr) -> Callable[[tuple[int, ...]], sp.Expr]:
    """Zero-mean noise with covariance ``var * I``; higher moments stay unknown symbols."""

    def moment(a: tuple[int, ...]) -> sp.Expr:
        order = sum(a)
        if order == 0:
            return sp.S.One
        if order == 1:
            return sp.S.Zero  # E[e_k] = 0
        if order == 2:
            return var if max(a) == 2 else sp.S.Zero  # E[e_k e_l] = var delta_kl
        return sp.Symbol(f"mu[{','.join(map(str, a))}]")  # unknown moment of order >= 3

    return moment


def iid_moment(moments: Sequence[sp.Expr]) -> Callable[[tuple[int, ...]], sp.Expr]:
    """I.i.d. components with one-dimensional moments ``moments[k] = E[e^k]``."""

    def moment(a: tuple[int, ...]) -> sp.Expr:
        return sp.Mul(*[moments[k] for k in a])

    return moment


#: an unevaluated expectation E_e[...] as it appears in the recorded proof lines
E_e = sp.Function("E_e")


def expectation_of(noise: Sequence[sp.Symbol], moment: Callable[[tuple[int, ...]], sp.Expr]
                   ) -> Callable[[sp.Expr], sp.Expr]:
    """Transform for ``Chain.equal``: evaluate every ``E_e(...)`` with the given noise model."""
    return lambda expr: sp.expand(expr.replace(E_e, lambda arg: expect(arg, noise, moment)))


def _doit(expr: sp.Expr) -> sp.Expr:
    return expr.doit()


def _has_unknown_moment(expr: sp.Expr) -> bool:
    return any(sym.name.startswith("mu[") for sym in expr.free_symbols)


# ---------------------------------------------------------------------------------------------
# [L] the loss (a definition)
# ---------------------------------------------------------------------------------------------
_i = sp.Symbol("i", integer=True, positive=True)
_phi = sp.Function("phi")
_Xi, _Xti = sp.Symbol(r"x_i"), sp.Symbol(r"\tilde{x}_i")
_W1s, _W2s = sp.Symbol("W_1", commutative=False), sp.Symbol("W_2", commutative=False)
L_PRINTED = sp.Eq(
    sp.Symbol("L"),
    sp.Sum(sp.Symbol(r"\|x_i - W_2 \phi(W_1 \tilde{x}_i)\|^2"), (_i, 1, N)) / (2 * N),
)


def _prove_L(pf: Proof) -> Outcome:
    """[L] the DAE loss is the paper's definition; record the linear case used below."""
    chain = Chain()
    chain.fact(L_PRINTED, "definition of the reconstruction loss of a one-hidden-layer DAE")
    xt = x + e
    chain.equal(_sq(x - W2 * (W1 * xt)), SE(x, xt, W2 * W1),
                "with phi(a) = a the summand is SE(x~) = ||x - M x~||^2, M = W2 W1 (D=3, H=2)")
    return chain.outcome(Status.HOLDS, note="A definition: nothing to prove. The linear case "
                         "phi(a) = a is the one analysed in the rest of the paper.")


# ---------------------------------------------------------------------------------------------
# [A.1] cross terms vanish
# ---------------------------------------------------------------------------------------------
def _prove_A1(pf: Proof) -> Outcome:
    """[A.1] E[SE(x~)] = SE(x) + E||M(x - x~)||^2 for zero-mean noise (D = 3, general M)."""
    chain = Chain()
    noise = list(e)
    xt = x + e
    cross = -2 * ((x - M * x).T * (M * e))[0, 0]
    chain.equal(SE(x, xt), SE(x, x) + cross + _sq(M * (x - xt)),
                "x - M x~ = (I - M) x + M (x - x~); expand the square (D = 3, general M)")
    chain.equal(cross, sp.Add(*[sp.diff(cross, ek) * ek for ek in noise]),
                "the cross term is linear (homogeneous of degree 1) in the noise e")
    mom = isotropic_moment(s**2)
    chain.equal(E_e(cross), 0, "E[e_k] = 0 kills every monomial of the cross term",
                via=(expectation_of(noise, mom),))
    lhs = expect(SE(x, xt), noise, mom)
    chain.equal(E_e(SE(x, xt)), SE(x, x) + E_e(_sq(M * (x - xt))),
                "linearity of E: E[SE(x~)] = SE(x) + E||M(x - x~)||^2",
                via=(expectation_of(noise, mom),))
    if _has_unknown_moment(lhs):
        raise AssertionError("a moment of order >= 3 entered E[SE]")
    chain.fact("E[SE(x~)] contains no moment of order >= 3",
               "SE is a polynomial of degree 2 in e")
    return chain.outcome(
        Status.HOLDS,
        note="Only E[e] = 0 is needed for the cross term. General D: the cross term is "
             "-2 x^T (I - M)^T M e, linear in e, so its expectation is "
             "-2 x^T (I - M)^T M E[e] = 0 for any D and any zero-mean noise.")


# ---------------------------------------------------------------------------------------------
# [A.2] the noise term is s^2 tr(M M^T)
# ---------------------------------------------------------------------------------------------
def _prove_A2(pf: Proof) -> Outcome:
    """[A.2] ||M e||^2 = tr(M e e^T M^T); E = tr(M (s^2 I) M^T) = s^2 tr(M M^T)."""
    chain = Chain()
    mom = isotropic_moment(s**2)
    for dim in (2, 3, 4):
        m, ev, xv = _mat("m", dim, dim), _vec("e", dim), _vec("x", dim)
        xt = xv + ev
        chain.equal(_sq(m * (xv - xt)), (m * ev * ev.T * m.T).trace(),
                    f"||M(x - x~)||^2 = tr(M e e^T M^T), entrywise (D = {dim})")
        chain.equal(E_e((m * ev * ev.T * m.T).trace()),
                    (m * (s**2 * sp.eye(dim)) * m.T).trace(),
                    f"E[e e^T] = s^2 I inside the (linear) trace (D = {dim})",
                    via=(expectation_of(list(ev), mom),))
    chain.equal((M * (s**2 * sp.eye(DIM)) * M.T).trace(), s**2 * (M * M.T).trace(),
                "tr(M (s^2 I) M^T) = s^2 tr(M M^T)")
    lhs = expect(_sq(M * e), list(e), mom)
    if _has_unknown_moment(lhs):
        raise AssertionError("a moment of order >= 3 entered E||M e||^2")
    chain.fact("E||M e||^2 involves only E[e e^T] = s^2 I (no third or fourth moments)",
               "||M e||^2 is a quadratic form in e")
    return chain.outcome(
        Status.HOLDS,
        note="Holds for any zero-mean noise with covariance s^2 I (isotropic), i.i.d. or not; "
             "only the second moment enters. General D: ||M e||^2 = sum_{k,l,m} M_kl M_km "
             "e_l e_m, whose expectation is s^2 sum_{k,l} M_kl^2 = s^2 tr(M M^T); checked "
             "entrywise for D = 2..4.")


# ---------------------------------------------------------------------------------------------
# [eq1] the expected loss
# ---------------------------------------------------------------------------------------------
def expected_loss_explicit(m: sp.Matrix, var: sp.Expr) -> sp.Expr:
    """1/(2N) sum_i E||x_i - M x~_i||^2 for the N = 2 explicit samples (isotropic noise)."""
    noise = [ek for ev in ES for ek in ev]
    loss = sp.Add(*[SE(xv, xv + ev, m) for xv, ev in zip(XS, ES, strict=True)]) / (2 * NSAMP)
    return expect(loss, noise, isotropic_moment(var))


EQ1_RHS = (sp.Add(*[SE(xv, xv, W2 * W1) for xv in XS]) / (2 * NSAMP)
           + s**2 / 2 * (W2 * W1 * W1.T * W2.T).trace())


def _prove_eq1(pf: Proof) -> Outcome:
    """[eq1] E[L] = 1/(2N) sum ||x_i - W2 W1 x_i||^2 + (s^2/2) tr(W2 W1 W1^T W2^T)."""
    chain = Chain()
    per_sample = sp.Add(*[SE(xv, xv) + s**2 * (M * M.T).trace() for xv in XS]) / (2 * NSAMP)
    general = expected_loss_explicit(M, s**2)
    chain.equal(general, per_sample,
                "[A.1] and [A.2] per sample, summed (N = 2 samples, D = 3, general M)")
    noise_terms = sp.Mul(sp.Rational(1, 2 * NSAMP),
                         sp.Add(*[s**2 * (M * M.T).trace()] * NSAMP, evaluate=False),
                         evaluate=False)
    chain.equal(sp.Add(*[SE(xv, xv) for xv in XS]) / (2 * NSAMP) + noise_terms,
                sp.Add(*[SE(xv, xv) for xv in XS]) / (2 * NSAMP) + s**2 / 2 * (M * M.T).trace(),
                "1/(2N) sum_i s^2 tr(M M^T) = (s^2/2) tr(M M^T): the N samples cancel the 1/N")
    to_w = dict(zip(M, W2 * W1, strict=True))
    chain.equal(general.xreplace(to_w), EQ1_RHS,
                "M = W2 W1 (H = 2), M M^T = W2 W1 W1^T W2^T: the printed [eq1]")
    return chain.outcome(
        Status.HOLDS,
        note="Linear phi. General N: E is linear and each of the N summands contributes "
             "SE(x_i) + s^2 tr(M M^T), so the noise term is N s^2 tr(M M^T) / (2N).")


# ---------------------------------------------------------------------------------------------
# [noise] Gaussian and Laplace noise
# ---------------------------------------------------------------------------------------------
_z = sp.Symbol("z", real=True)
GAUSS_PDF = sp.exp(-_z**2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
LAPLACE_PDF = sp.exp(-sp.Abs(_z) / b) / (2 * b)


def gaussian_moment_integral(k: int) -> sp.Expr:
    """E[z^k] of N(0, sigma^2) as an unevaluated integral of the density over R."""
    return sp.Integral(_z**k * GAUSS_PDF, (_z, -sp.oo, sp.oo))


def laplace_moment_integral(k: int) -> sp.Expr:
    """E[z^k] of Laplace(0, b) as unevaluated integrals over the two half lines."""
    neg = LAPLACE_PDF.subs(sp.Abs(_z), -_z)
    pos = LAPLACE_PDF.subs(sp.Abs(_z), _z)
    return sp.Integral(_z**k * neg, (_z, -sp.oo, 0)) + sp.Integral(_z**k * pos, (_z, 0, sp.oo))


@lru_cache(maxsize=8)
def _moments(law: str, kmax: int) -> tuple[sp.Expr, ...]:
    integral = gaussian_moment_integral if law == "gaussian" else laplace_moment_integral
    return tuple(integral(k).doit() for k in range(kmax + 1))


def gaussian_moments(kmax: int = 4) -> list[sp.Expr]:
    """E[z^k], k = 0..kmax, of N(0, sigma^2), by integrating the density over R."""
    return list(_moments("gaussian", kmax))


def laplace_moments(kmax: int = 4) -> list[sp.Expr]:
    """E[z^k], k = 0..kmax, of Laplace(0, b), integrating the density on each half line."""
    return list(_moments("laplace", kmax))


def _prove_noise(pf: Proof) -> Outcome:
    """[noise] eps = N sigma^2 (Gaussian), eps = 2 N b^2 (Laplace with scale b)."""
    chain = Chain()
    gm, lm = gaussian_moments(), laplace_moments()
    for k, value, why in ((0, 1, "the Gaussian density integrates to 1"),
                          (1, 0, "Gaussian mean 0"),
                          (2, sigma**2, "Gaussian variance sigma^2")):
        chain.equal(gaussian_moment_integral(k), value, why,
                    via=(_doit, sp.expand))
    for k, value, why in ((0, 1, "the Laplace density integrates to 1 (two half lines)"),
                          (1, 0, "Laplace mean 0"),
                          (2, 2 * b**2, "Laplace variance 2 b^2")):
        chain.equal(laplace_moment_integral(k), value, why,
                    via=(_doit, sp.expand))
    chain.fact(sp.Ne(lm[4] / lm[2] ** 2, gm[4] / gm[2] ** 2),
               f"the fourth moments differ (kurtosis {lm[4] / lm[2]**2} vs {gm[4] / gm[2]**2})")
    # the expected loss under each i.i.d. noise model, computed with its own moments
    loss = sp.Add(*[SE(xv, xv + ev) for xv, ev in zip(XS, ES, strict=True)]) / (2 * NSAMP)
    noise = [ek for ev in ES for ek in ev]
    for name, mom, var in (("Gaussian", gm, sigma**2), ("Laplace", lm, 2 * b**2)):
        chain.equal(E_e(loss), expected_loss_explicit(M, var),
                    f"E[L] under i.i.d. {name} components = [eq1] with s^2 = {var} "
                    "(only the variance enters)", via=(expectation_of(noise, iid_moment(mom)),))
    chain.equal(sp.Subs(N * s**2, s, sigma), N * sigma**2, "eps = N s^2 with s^2 = sigma^2",
                via=(_doit,))
    chain.equal(sp.Subs(N * s**2, s, sp.sqrt(2) * b), 2 * N * b**2,
                "eps = N s^2 with s^2 = 2 b^2", via=(_doit,))
    return chain.outcome(
        Status.HOLDS,
        note="Uses the paper's definition eps = N s^2 (convention 'eps', printed with 3.1a). "
             "The Gaussian and Laplace laws differ in their fourth moments, yet give the same "
             "E[L] at equal variance: [eq1] sees the noise only through s^2.")


# ---------------------------------------------------------------------------------------------
_E = sp.Function("E_e")
_MD = sp.MatrixSymbol("M", D, D)
_SEf = sp.Function("SE")

L = Step(
    id="L", section="2", title="The DAE reconstruction loss",
    printed=L_PRINTED,
    proof=_prove_L,
    note="Definition of the loss; for linear phi the summand is SE(x~_i) = ||x_i - W2 W1 x~_i||^2.",
)

A1 = Step(
    id="A.1", section="2", title="Expected squared error: cross terms vanish",
    printed=sp.Eq(_E(_SEf(_Xti)), _SEf(_Xi) + _E(sp.Symbol(r"\|M(x_i - \tilde{x}_i)\|^2"))),
    proof=_prove_A1, uses=("L",),
    assumes=(Assumption("zero-mean noise, E[e] = 0", sp.Eq(_E(sp.Symbol("e")), 0)),),
    note="SE(x~) = ||x - M x~||^2 with x~ = x + e and M = W2 W1.",
)

A2 = Step(
    id="A.2", section="2", title="Expected noise term is s^2 tr(M M^T)",
    printed=sp.Eq(_E(sp.Symbol(r"\|M(x_i - \tilde{x}_i)\|^2")),
                  sp.Trace(_MD * s**2 * sp.Identity(D) * _MD.T)),
    proof=_prove_A2, uses=("A.1",),
    assumes=(Assumption("isotropic noise covariance, E[e e^T] = s^2 I"),),
)

EQ1 = Step(
    id="eq1", section="2", title="Expected loss of the linear DAE",
    printed=sp.Eq(_E(sp.Symbol("L")),
                  sp.Sum(sp.Symbol(r"\|x_i - W_2 W_1 x_i\|^2"), (_i, 1, N)) / (2 * N)
                  + s**2 / 2 * sp.Symbol(r"\mathrm{tr}(W_2 W_1 W_1^T W_2^T)")),
    proof=_prove_eq1, uses=("L", "A.1", "A.2"),
    assumes=(Assumption("linear activation phi(a) = a"),
             Assumption("noise components zero-mean with covariance s^2 I")),
    exprs={"expected_loss_D3_N2": EQ1_RHS},
)

NOISE = Step(
    id="noise", section="2", title="eps for Gaussian and Laplace noise",
    printed=sp.And(sp.Eq(eps, N * sigma**2), sp.Eq(eps, 2 * N * b**2)),
    statement="Gaussian e ~ N(0, sigma^2 I): eps = N sigma^2; zero-mean Laplace components with "
              "scale b: eps = 2 N b^2 (each read with its own noise model; eps = N s^2).",
    proof=_prove_noise, uses=("eq1", "A.2"),
    note="Convention 'eps': eps = N s^2 (stated by the paper next to 3.1a).",
    exprs={"eps_gaussian": N * sigma**2, "eps_laplace": 2 * N * b**2},
)

STEPS: tuple[Step, ...] = (L, A1, A2, EQ1, NOISE)
