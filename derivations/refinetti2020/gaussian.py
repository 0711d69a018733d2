"""Gaussian lemmas the integrals and the dynamics rest on (section "G").

``RG.stein``: E[x_i f(x)] = sum_j C_ij E[d_j f(x)]; ``RG.price``: d E[f(x)] / d C_ij =
E[d_i d_j f(x)] (i != j); ``RG.tilt``: a Gaussian factor exp(-x^T A x / 2) re-weights a
Gaussian into another one; ``RG.cond``: conditioning on coordinates at zero.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Assumption, Outcome, Proof, Step
from .symbols import C11, C12, C22, cov, gauss_density, x1, x2, x3

_PSD = Assumption("C symmetric positive definite (the positive semi-definite case by continuity)")
_GROWTH = Assumption("f weakly differentiable with derivatives of polynomial growth "
                     "(distributional derivatives such as Heaviside' = delta allowed)")


def _grad_identity(n: int) -> sp.Matrix:
    xs = sp.Matrix([x1, x2, x3][:n])
    C = cov(n)
    phi = gauss_density(xs, C)
    grad = sp.Matrix([sp.diff(phi, v) for v in xs])
    return (xs * phi + C * grad) / phi


def _prove_stein(pf: Proof) -> Outcome:
    ch = pf.chain()
    for n in (2, 3):
        ch.equal(_grad_identity(n), sp.zeros(n, 1),
                 f"x phi_C(x) = -C grad phi_C(x) for the {n}-variate density "
                 "(grad log phi = -C^{-1} x)", via=(sp.cancel,))
    ch.fact("E[x_i f] = -sum_j C_ij int f d_j phi = sum_j C_ij E[d_j f]",
            "integration by parts; boundary terms vanish (Gaussian decay, polynomial growth)")
    xs = sp.Matrix([x1, x2])
    ch.conclude(pf.printed, xs, "-C grad(phi)/phi = x: the kernel of the lemma (bivariate)",
                via=(sp.cancel,))
    return ch.outcome()


def _stein_kernel() -> sp.ImmutableMatrix:
    xs = sp.Matrix([x1, x2])
    phi = gauss_density(xs, cov(2))
    grad = sp.Matrix([sp.diff(phi, v) for v in xs])
    return sp.ImmutableMatrix(-cov(2) * grad / phi)


STEIN = Step(
    id="RG.stein", section="G", title="Stein's lemma",
    printed=_stein_kernel(),
    statement="E[x_i f(x)] = sum_j C_ij E[d_j f(x)] (printed: its kernel -C grad phi/phi = x)",
    proof=_prove_stein, assumes=(_PSD, _GROWTH), printed_in_paper=False,
    note="Exact for jointly Gaussian zero-mean x; used for every x-factor in the integrals "
         "and for the input factor x_tau in the dynamics (no weak-correlation expansion needed).",
)


def _prove_price(pf: Proof) -> Outcome:
    ch = pf.chain()
    xs = sp.Matrix([x1, x2])
    phi = gauss_density(xs, cov(2))
    ch.equal(sp.diff(phi, C12) / phi, sp.diff(phi, x1, x2) / phi,
             "d phi / d C12 = d1 d2 phi for the bivariate density (heat equation)",
             via=(sp.cancel,))
    ch.fact("d/dC_ij E[f] = int f d_i d_j phi = E[d_i d_j f]",
            "differentiate under the integral, integrate by parts twice; for n > 2 the same "
            "computation holds for any pair after marginalising the other coordinates "
            "(d/dC_ij of the marginal of (x_i, x_j) is the bivariate case)")
    ch.conclude(pf.printed, sp.diff(phi, C12) / phi,
                "d1 d2 phi / phi = (d phi/d C12)/phi: the kernel of the theorem", via=(sp.cancel,))
    return ch.outcome()


def _price_kernel() -> sp.Expr:
    phi = gauss_density(sp.Matrix([x1, x2]), cov(2))
    return sp.diff(phi, x1, x2) / phi


PRICE = Step(
    id="RG.price", section="G", title="Price's theorem",
    printed=_price_kernel(),
    statement="d E[f(x)] / d C_ij = E[d_i d_j f(x)], i != j (printed: its kernel "
              "d_i d_j phi / phi = (d phi / d C_ij)/phi)",
    proof=_prove_price, assumes=(_PSD, _GROWTH,
                                 Assumption("i != j; C_ij = C_ji varied together")),
    printed_in_paper=False,
)


def _prove_tilt(pf: Proof) -> Outcome:
    ch = pf.chain()
    # rank-2 tilt of a 4-variate Gaussian: A = U U^T with U = [e1 e2]
    C = cov(4)
    U = sp.Matrix([[1, 0], [0, 1], [0, 0], [0, 0]])
    M = U.T * C * U
    Cp = C - C * U * (sp.eye(2) + M).inv() * U.T * C
    ch.equal(Cp + C * U * U.T * Cp, C,
             "Woodbury: C' = C - C U (I + U^T C U)^{-1} U^T C satisfies (C^{-1} + U U^T) C' = I",
             via=(sp.cancel,))
    ch.equal(sp.Determinant(sp.eye(4) + C * U * U.T), sp.Determinant(sp.eye(2) + M),
             "Sylvester: det(I + C U U^T) = det(I + U^T C U)", via=(sp.expand,))
    ch.fact("phi_C(x) exp(-x^T A x/2) = det(I + C A)^{-1/2} phi_{C'}(x), C' = (C^{-1}+A)^{-1}",
            "completing the square: the exponents add and det(C')/det(C) = 1/det(I + C A)")
    ch.conclude(pf.printed, Cp, "the tilted covariance C' (Woodbury, checked above)",
                via=(sp.cancel,))
    return ch.outcome()


def _tilt_cov() -> sp.ImmutableMatrix:
    C = cov(4)
    U = sp.Matrix([[1, 0], [0, 1], [0, 0], [0, 0]])
    return sp.ImmutableMatrix(C - C * U * (sp.eye(2) + U.T * C * U).inv() * U.T * C)


TILT = Step(
    id="RG.tilt", section="G", title="Gaussian tilt",
    printed=_tilt_cov(),
    statement="E_C[exp(-x^T A x/2) f(x)] = det(I + C A)^(-1/2) E_{C'}[f(x)], printed: C' for "
              "A = diag(1, 1, 0, 0)",
    proof=_prove_tilt, assumes=(_PSD, Assumption("A positive semi-definite")),
    printed_in_paper=False,
    note="C' = (C^{-1} + A)^{-1} = C - C U (I + U^T C U)^{-1} U^T C for A = U U^T.",
)


def _prove_cond(pf: Proof) -> Outcome:
    ch = pf.chain()
    xs = sp.Matrix([x1, x2])
    C = cov(2)
    s = C22 - C12**2 / C11
    quad = (xs.T * C.inv() * xs)[0, 0]
    ch.equal(quad, x1**2 / C11 + (x2 - C12 / C11 * x1) ** 2 / s,
             "x^T C^{-1} x = x1^2/C11 + (x2 - C12 x1/C11)^2 / (C22 - C12^2/C11)",
             via=(sp.cancel,))
    ch.equal(C.det(), C11 * s, "det C = C11 (C22 - C12^2/C11): the normalisations agree",
             via=(sp.cancel,))
    ch.fact("phi_C(x1, x2) = N(x1; 0, C11) N(x2; C12 x1 / C11, C22 - C12^2/C11)",
            "the two identities above")
    ch.fact("E[delta(x1) F(x2..xn)] = N(0; 0, C11) E[F | x1 = 0], the conditional law being "
            "N(0, C_rest - c c^T / C11)", "the factorisation above, blockwise")
    ch.conclude(pf.printed, quad, "the printed factorised exponent", via=(sp.cancel,))
    return ch.outcome()


COND = Step(
    id="RG.cond", section="G", title="Conditioning on a coordinate at zero",
    printed=x1**2 / C11 + (x2 - C12 / C11 * x1) ** 2 / (C22 - C12**2 / C11),
    statement="E[delta(x_1) F(x_rest)] = E[F(x_rest) | x_1 = 0] / sqrt(2 pi C_11) (printed: "
              "the factorised exponent x^T C^{-1} x)",
    proof=_prove_cond, assumes=(_PSD,), printed_in_paper=False,
)

STEPS = (STEIN, PRICE, TILT, COND)
