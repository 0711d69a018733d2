"""Appendix F: the identity-mapping estimate lambdahat_j / lambda_j and its range.

Label F.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import N, eps, gamma, lam, tau, w, w0, w1, w2


def _rot_numerator(u: sp.Symbol) -> sp.Matrix:
    """(1 + u^2) times the 2 x 2 rotation of angle 2 arctan(u) (polynomial entries)."""
    return sp.Matrix([[1 - u**2, -2 * u], [2 * u, 1 - u**2]])


def _rot(u: sp.Symbol) -> sp.Matrix:
    """A 2 x 2 rotation in the rational (Cayley) parametrisation u = tan(angle / 2)."""
    return _rot_numerator(u) / (1 + u**2)


def _prove_f(pf: Proof) -> Outcome:
    """[F] the estimate is the eigenbasis diagonal of the mapping; its range is not [0, 1]."""
    chain = pf.chain()
    c, r = sp.symbols("c r", real=True)  # V, R: rotations (tan of half their angles)
    v = _rot(c)
    l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)
    m = sp.Matrix(2, 2, sp.symbols("m_11 m_12 m_21 m_22", real=True))
    sigma = v * sp.diag(l1, l2) * v.T
    lam_hat = v.T * sigma * m.T * v  # xhat_i = M x_i: sum_i x_i xhat_i^T = Sigma M^T
    mapping = v.T * m * v
    for j, lj in ((0, l1), (1, l2)):
        chain.equal(lam_hat[j, j], lj * mapping[j, j],
                    f"Lambdahat_{j + 1}{j + 1} = lambda_{j + 1} (V^T M V)_{j + 1}{j + 1} "
                    "for a linear AE (2 x 2, general M and V)", via=(sp.cancel,))
    # orthogonal initialisation [3.2]: W1 = R D1 V^T, W2 = V D2 R^T
    rr = _rot(r)
    eye = sp.ImmutableMatrix(sp.eye(2))
    chain.equal(sp.ImmutableMatrix(rr.T * rr), eye, "R^T R = I", via=(sp.cancel,))
    chain.equal(sp.ImmutableMatrix(v.T * v), eye, "V^T V = I", via=(sp.cancel,))
    d1 = sp.diag(*sp.symbols("d_11 d_12", real=True))
    d2 = sp.diag(*sp.symbols("d_21 d_22", real=True))
    vn, rn = _rot_numerator(c), _rot_numerator(r)  # V = vn/(1 + c^2), R = rn/(1 + r^2)
    chain.equal(sp.ImmutableMatrix(vn.T * (vn * d2 * rn.T) * (rn * d1 * vn.T) * vn),
                sp.ImmutableMatrix((1 + c**2) ** 4 * (1 + r**2) ** 2 * d2 * d1),
                "with the orthogonal initialisation [3.2] (W1 = R D1 V^T, W2 = V D2 R^T), "
                "V^T W2 W1 V = D2 D1 (2 x 2, general rotations R, V; both sides times the "
                "denominators (1 + c^2)^4 (1 + r^2)^2): the ratio of direction j is the scalar "
                "product w_j = w2j w1j")
    # the scalar product flows, unbalanced as well as balanced
    q = sp.Symbol("q", nonnegative=True)  # q = w1^2 + w2^2 >= 0
    dae = (lam - (lam + eps) * w) * q
    wdae = lam * (1 - w) * q - 2 * N * gamma * w

    def at(x: int) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([sp.Subs(dae, w, x), sp.Subs(wdae, w, x)])

    r1, r2 = pf.use("eq2").expr("rhs"), pf.use("eq3").expr("rhs")
    chain.equal(w2 * r1 + w1 * r2, dae.subs({w: w1 * w2, q: w1**2 + w2**2}),
                "DAE ([eq2], [eq3]): tau dw/dt = (lam - (lam + eps) w)(w1^2 + w2^2)")
    c1, c2 = pf.use("C.ode").expr("rhs1"), pf.use("C.ode").expr("rhs2")
    chain.equal(w2 * c1 + w1 * c2, wdae.subs({w: w1 * w2, q: w1**2 + w2**2}),
                "WDAE ([C.ode]): tau dw/dt = lam (1 - w)(w1^2 + w2^2) - 2 N gamma w")
    chain.equal(at(0), sp.Matrix([lam * q, lam * q]),
                "at w = 0 both flows are lam (w1^2 + w2^2) >= 0: w cannot fall below 0")
    chain.equal(at(1), sp.Matrix([-eps * q, -2 * N * gamma]),
                "at w = 1 they are -eps (w1^2 + w2^2) <= 0 and -2 N gamma <= 0 (for the AE, "
                "w1 w2 = 1 is a set of fixed points): w cannot rise above 1")
    chain.equal(wdae - 2 * lam * w * (1 - N * gamma / lam - w), lam * (1 - w) * (q - 2 * w),
                "WDAE minus its balanced form 2 lam w (xi - w) is lam (1 - w)(q - 2w) >= 0 for "
                "w <= 1 (q >= 2|w|): from 0 < w < xi = w* it rises, as the DAE's does below w*")
    chain.fact(sp.Implies(sp.And(w0 >= 0, w0 <= 1), sp.And(w >= 0, w <= 1)),
               "so [0, 1] is forward-invariant for every decoupled direction of the linear AE, "
               "DAE and WDAE, balanced or not")
    # counterexample 1: a decoupled start above 1 (the AE keeps it above 1)
    bal = pf.use("eq5.balanced").expr("w")
    tt = next(s for s in bal.free_symbols if s.name == "t")
    vals = {lam: 1, eps: 0, tau: 1, w0: sp.Rational(3, 2), tt: sp.Rational(1, 2)}
    above_exact = 3 * sp.E / (3 * sp.E - 1)
    chain.equal(sp.Subs(bal, tuple(vals), tuple(vals.values())), above_exact,
                "AE (eps = 0), balanced start w0 = 1.5, by [eq5.balanced]: w(tau/2) = "
                "3e/(3e - 1)", via=(sp.cancel,))
    above = float(above_exact)
    chain.equal(sp.sign(above_exact - 1, evaluate=False), 1,
                f"3e/(3e - 1) - 1 = 1/(3e - 1) > 0: w(tau/2) = {above:.4f} > 1, the ratio "
                "leaves [0, 1]", via=(lambda e: sp.simplify(e.doit()),))
    # counterexample 2: the paper's own small random (non-orthogonal) initialisation
    k = sp.Rational(1, 100)
    w1m, w2m = k * sp.Matrix([[1, 1], [0, 1]]), k * sp.Matrix([[1, 0], [-2, 1]])
    diag0 = sp.ImmutableMatrix([sp.Add(*(sp.Mul(w2m[j, i], w1m[i, j], evaluate=False)
                                       for i in range(2)), evaluate=False)
                                for j in range(2)])  # (W2 W1)_jj = sum_i W2_ji W1_ij
    chain.equal(diag0, sp.Matrix([k**2, -k**2]),
                "small non-orthogonal start (V = I, W1 = 0.01 [[1, 1], [0, 1]], W2 = 0.01 "
                "[[1, 0], [-2, 1]]): the second ratio is -1e-4 < 0 at t = 0; a small random "
                "initialisation gives each diagonal entry a random sign")
    return chain.outcome(
        Status.REFUTED,
        counterexample={"lambda": 1.0, "eps": 0.0, "w0": 1.5, "t": 0.5, "ratio": above},
        corrected=sp.Implies(sp.And(w0 >= 0, w0 <= 1), sp.And(w >= 0, w <= 1)),
        corrected_text="For a linear AE lambdahat_j/lambda_j = (V^T W2 W1 V)_jj. With the "
                       "orthogonal initialisation [3.2] it is the scalar product w_j, and "
                       "[0, 1] is forward-invariant for the AE, DAE and WDAE flows: it lies in "
                       "[0, 1] for all t iff it starts there (from 0 < w_j(0) <= w_j* it rises "
                       "monotonically to w_j*). Not in general: initial products above 1 or "
                       "below 0, including the negative entries a small random non-orthogonal "
                       "initialisation produces at t = 0; no guarantee for nonlinear AEs.",
        note="The ratio is (V^T W2 W1 V)_jj, in [0, 1] only from decoupled starts in [0, 1]: it "
             "exceeds 1 from w0 = 1.5 (1.1398 at t = tau/2) and is negative at t = 0 for small "
             "random non-orthogonal starts. Our ReLU runs (daedyn experiment nonlinear) also "
             "record ratios slightly above 1.")


STEPS: tuple[Step, ...] = (
    Step(id="F", section="F", title="Identity-mapping estimate in [0, 1]",
         printed="lambdahat_j(t)/lambda_j, with Lambdahat(t) = V^T (sum_i x_i xhat_i(t)^T) V, "
                 "lies in [0, 1]",
         statement="for xhat = M x: lambdahat_j/lambda_j = (V^T M V)_jj in [0, 1]",
         proof=_prove_f, uses=("eq2", "eq3", "C.ode", "eq5.balanced", "3.2"),
         assumes=(Assumption("linear AE (xhat = W2 W1 x) for the identity"),),
         exprs={"ratio_orthogonal": w2 * w1}),
)
