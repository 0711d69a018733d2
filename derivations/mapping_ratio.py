"""Appendix F: the identity-mapping estimate lambdahat_j / lambda_j and its range.

Label F.
"""

from __future__ import annotations

import sympy as sp

from .proof import Chain
from .step import Assumption, Outcome, Status, Step
from .symbols import eps, lam, tau, w, w0


def _prove_f() -> Outcome:
    from .registry import get

    chain = Chain()
    c = sp.Symbol("c", real=True)  # V = rotation by c (a general 2 x 2 orthogonal basis)
    v = sp.Matrix([[sp.cos(c), -sp.sin(c)], [sp.sin(c), sp.cos(c)]])
    l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)
    m = sp.Matrix(2, 2, sp.symbols("m_11 m_12 m_21 m_22", real=True))
    sigma = v * sp.diag(l1, l2) * v.T
    lam_hat = v.T * sigma * m.T * v  # xhat_i = M x_i: sum_i x_i xhat_i^T = Sigma M^T
    mapping = v.T * m * v
    for j, lj in ((0, l1), (1, l2)):
        chain.equal(lam_hat[j, j], lj * mapping[j, j],
                    f"Lambdahat_{j + 1}{j + 1} = lambda_{j + 1} (V^T M V)_{j + 1}{j + 1} "
                    "for a linear AE (2 x 2, general M and V)",
                    via=(lambda e: sp.trigsimp(sp.expand(e)),))
    bal = get("eq5.balanced").exprs["w"]
    f = 2 * w * (lam - (lam + eps) * w)
    chain.fact(sp.Gt(f.subs(w, lam / (2 * (lam + eps))), 0),
               "DAE from 0 < w0 < w*: tau dw/dt = 2w(lam - (lam+eps)w) > 0 below w*, so the "
               "ratio rises monotonically inside (0, w*] subset of [0, 1]")
    tt = next(s for s in bal.free_symbols if s.name == "t")
    vals = {lam: 1, eps: 0, tau: 1, w0: sp.Rational(3, 2), tt: sp.Rational(1, 2)}
    above = float(bal.subs(vals))
    chain.fact(sp.Gt(above, 1), f"AE (eps = 0) from w0 = 1.5: w(tau/2) = {above:.4f} > 1: the "
               "ratio leaves [0, 1]")
    return chain.outcome(
        Status.REFUTED,
        counterexample={"lambda": 1.0, "eps": 0.0, "w0": 1.5, "t": 0.5,
                        "ratio": above},
        corrected_text="For a linear AE lambdahat_j/lambda_j = (V^T W V)_jj; it lies in [0, 1] "
                       "when every eigen-direction starts with 0 <= w_j(0) <= w_j* (e.g. small "
                       "positive balanced initialisation), not in general (large or negative "
                       "initial mappings; no guarantee for nonlinear AEs).",
        note="Our ReLU run (daedyn experiment nonlinear) also records ratios slightly above 1.")


STEPS: tuple[Step, ...] = (
    Step(id="F", section="F", title="Identity-mapping estimate in [0, 1]",
         printed="lambdahat_j(t)/lambda_j, with Lambdahat(t) = V^T (sum_i x_i xhat_i(t)^T) V, "
                 "lies in [0, 1]",
         statement="for xhat = M x: lambdahat_j/lambda_j = (V^T M V)_jj in [0, 1]",
         proof=_prove_f, uses=("eq5.balanced",),
         assumes=(Assumption("linear AE (xhat = W2 W1 x) for the identity"),)),
)
