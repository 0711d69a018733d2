"""Linear autoencoders and PCA: facts the notes leave implicit, in the paper's notation.

Labels PCA.trace (the rank-1 problem as the paper's trace loss), PCA.critical (critical points
and Morse indices: symbolic by a Groebner basis for D = 2, 3, H = 1; numeric for D = 4, H = 1, 2),
PCA.dae (the minimum of the paper's marginalised DAE loss over rank-H maps).  Sigma = X^T X =
sum_i x_i x_i^T is the paper's uncentred Sigma_xx; W1 = v^T, W2 = w for H = 1.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step

# ------------------------------------------------------------------ rank-1 as trace loss

Nn = sp.Symbol("N", positive=True)
Lsym = sp.Symbol("L_{AE}")
tr_s, wSv, vSv, ww = sp.symbols("tr(Sigma) w^TSigmav v^TSigmav w^Tw", real=True)
TRACE = sp.Eq(Lsym, (tr_s - 2 * wSv + vSv * ww) / (2 * Nn))


def _prove_trace(pf: Proof) -> Outcome:
    ch = pf.chain()
    x = sp.Matrix(3, 2, sp.symbols("x_11 x_12 x_21 x_22 x_31 x_32", real=True))
    v = sp.Matrix(sp.symbols("v_1:3", real=True))
    w = sp.Matrix(sp.symbols("w_1:3", real=True))
    sig = x.T * x  # sum_i x_i x_i^T (rows of X are the samples)
    paper = sum((sum(e**2 for e in (x[i, :].T - w * v.T * x[i, :].T)) for i in range(3)),
                sp.S.Zero) / (2 * 3)
    notes = sum(e**2 for e in (x - x * v * w.T)) / (2 * 3)
    ch.equal(paper, notes, "the paper's [L] (no noise, W1 = v^T, W2 = w) is the notes' "
             "||X - X v w^T||_F^2 / (2N), here N = 3, D = 2")
    derived = (sig.trace() - 2 * (w.T * sig * v)[0] + (v.T * sig * v)[0] * (w.T * w)[0]) / 6
    ch.equal(notes, derived, "= (tr Sigma - 2 w^T Sigma v + (v^T Sigma v)(w^T w)) / (2N)")
    ch.conclude(pf.printed.rhs, (tr_s - 2 * wSv + vSv * ww) / (2 * Nn),
                "the trace form, with tr Sigma, w^T Sigma v, v^T Sigma v, w^T w read off the "
                "line above (N = 3 there; the algebra is the same for any N, D)")
    return ch.outcome(Status.HOLDS, note="Sigma is the paper's uncentred sum; with noise the "
                      "paper adds (s^2/2) tr(W2 W1 W1^T W2^T) = (s^2/2) (v^T v)(w^T w).")


# ------------------------------------------------------------------ critical points, D = 2, H = 1

l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)
cc = sp.Symbol("c", nonzero=True, real=True)
mu_ = sp.Symbol("mu")
idx = sp.Symbol("i", integer=True, positive=True)
LAMS = sp.symbols("lambda_1:4", positive=True)
GAPS = sp.symbols("delta_1:3", positive=True)  # lambda_i - lambda_(i+1) > 0
CRITICAL = sp.Tuple(*(sp.Eq(sp.Symbol(f"ind_{{{d},{i}}}"), i - 1 if i else d)
                      for d in (2, 3) for i in range(d + 1)))


def _ae_loss(d: int) -> tuple[sp.Expr, list[sp.Symbol], list[sp.Symbol]]:
    """H = 1 linear AE loss with Sigma = diag(lambda_1..lambda_d): 1/2 ||X - X v w^T||^2."""
    s = sp.diag(*LAMS[:d])
    v = sp.Matrix(sp.symbols(f"v_1:{d + 1}", real=True))
    w = sp.Matrix(sp.symbols(f"w_1:{d + 1}", real=True))
    f = (s.trace() - 2 * (v.T * s * w)[0] + (v.T * s * v)[0] * (w.T * w)[0]) / 2
    return f, list(v), list(w)


def _ordered(d: int) -> dict[sp.Symbol, sp.Expr]:
    """lambda_1 > ... > lambda_d written with positive gaps: lambda_i = lambda_d + sum gaps."""
    return {LAMS[i]: LAMS[d - 1] + sum(GAPS[i:d - 1]) for i in range(d - 1)}


def _negatives(charpoly: sp.Expr, order: dict[sp.Symbol, sp.Expr]) -> int:
    """Number of negative roots of a product of factors of degree <= 2 in mu (Vieta), with the
    eigenvalues ordered by ``order``, c != 0; ValueError if a sign is undecided."""
    n = 0
    for fac, mult in sp.factor_list(charpoly, mu_)[1]:
        p = sp.Poly(fac, mu_)
        cs = [sp.factor(x.subs(order)) for x in p.all_coeffs()]
        if p.degree() == 1:
            root = sp.factor(-cs[1] / cs[0])
            if root == 0:
                continue
            if root.is_negative is None:
                raise ValueError(f"undecided sign of {root}")
            n += mult * bool(root.is_negative)
        elif p.degree() == 2:
            prod, tot = sp.factor(cs[2] / cs[0]), sp.factor(-cs[1] / cs[0])
            if prod.is_negative:
                n += mult
            elif prod.is_positive and tot.is_positive:
                pass
            elif prod.is_positive and tot.is_negative:
                n += 2 * mult
            else:
                raise ValueError(f"undecided signs: product {prod}, sum {tot}")
        elif p.degree() > 2:
            raise ValueError(f"factor of degree {p.degree()}")
    return n


def _baldi_hornik_numeric(rng: np.random.Generator) -> tuple[int, float]:
    """D = 4, H = 1, 2: at W2 = U_S C, W1 = C^-1 U_S^T (S a set of eigen-directions) the gradient
    vanishes and the Hessian's negative count is #{(i in S, j not in S): lam_j > lam_i}."""
    d = 4
    lam = np.sort(rng.uniform(0.5, 3.0, d))[::-1]
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    sig = q @ np.diag(lam) @ q.T

    def loss(p: np.ndarray, h: int) -> float:
        w1m, w2m = p[:h * d].reshape(h, d), p[h * d:].reshape(d, h)
        m = np.eye(d) - w2m @ w1m
        return 0.5 * np.trace(m @ sig @ m.T)

    checked, worst = 0, 0.0
    for h in (1, 2):
        for sel in itertools.combinations(range(d), h):
            cmat = np.diag(rng.uniform(0.5, 2.0, h))
            us = q[:, list(sel)]
            p = np.concatenate([(np.linalg.inv(cmat) @ us.T).ravel(), (us @ cmat).ravel()])
            n, e = p.size, 1e-4
            hess = np.empty((n, n))
            grad0 = np.empty(n)
            for a_ in range(n):
                ea = np.eye(n)[a_] * e
                grad0[a_] = (loss(p + ea, h) - loss(p - ea, h)) / (2 * e)
                for b_ in range(n):
                    eb = np.eye(n)[b_] * e
                    hess[a_, b_] = (loss(p + ea + eb, h) - loss(p + ea - eb, h)
                                    - loss(p - ea + eb, h) + loss(p - ea - eb, h)) / (4 * e * e)
            ev = np.linalg.eigvalsh((hess + hess.T) / 2)
            expected = sum(1 for i in sel for j in range(d) if j not in sel and lam[j] > lam[i])
            got = int(np.sum(ev < -1e-5))
            if got != expected:
                raise AssertionError(f"Morse index {got} != {expected} at S = {sel}")
            worst = max(worst, float(np.max(np.abs(grad0))))
            checked += 1
    return checked, worst


def _combo(basis: sp.GroebnerBasis, e: sp.Expr) -> sp.Expr:
    """``e`` written as a combination of ``basis`` (remainder 0, else AssertionError)."""
    q, r = basis.reduce(e)
    if r != 0:
        raise AssertionError(f"{e} is not in the ideal (remainder {r})")
    return sum((qi * gi for qi, gi in zip(q, basis.exprs, strict=True)), sp.S.Zero)


def _critical_d(ch, d: int) -> list[int]:  # noqa: ANN001 - a Chain
    """Groebner basis of grad f and Morse indices at e_1..e_d and the origin, for H = 1."""
    f, v, w = _ae_loss(d)
    xs = v + w
    dom = sp.QQ.frac_field(*LAMS[:d])
    grad = [sp.expand(sp.diff(f, x)) for x in xs]
    gb = sp.groebner(grad, *xs, order="lex", domain=dom)
    expected = [v[i] * (v[i] * w[i] - 1) for i in range(d)] + [
        w[i] * (v[i] * w[i] - 1) for i in range(d)] + [
        a * b for i in range(d) for j in range(d) if i < j
        for a, b in ((v[i], v[j]), (w[i], w[j]), (v[i], w[j]), (v[j], w[i]))]
    if sorted(map(str, gb.exprs)) != sorted(map(str, map(sp.expand, expected))):
        raise AssertionError(f"unexpected Groebner basis {gb.exprs}")
    ch.check(f"D = {d}, H = 1, Sigma = diag(lambda_1..lambda_{d}): the reduced lex Groebner basis "
             "of grad f (SymPy, coefficients in Q(lambda)) is v_i v_j, w_i w_j, v_i w_j (i != j), "
             "v_i (v_i w_i - 1), w_i (v_i w_i - 1): these vanish at every critical point")
    red = sp.groebner(expected, *xs, order="lex", domain=dom)
    ch.equal(sp.Tuple(*grad), sp.Tuple(*[_combo(red, e) for e in grad]),
             f"D = {d}: conversely grad f lies in their ideal, so the critical set is exactly the "
             "origin and the families v = e_i / c, w = c e_i (c != 0)", via=(sp.cancel,))
    hess = sp.hessian(f, xs)
    indices = []
    points = []
    for i in range(d):
        pt = {x: 0 for x in xs}
        pt[v[i]], pt[w[i]] = 1 / cc, cc
        points.append((pt, f"e_{i + 1}"))
    points.append(({x: 0 for x in xs}, "the origin"))
    for pt, name in points:
        cp = sp.factor(hess.subs(pt).charpoly(mu_).as_expr())
        ch.equal(sp.Determinant(hess.subs(pt) - mu_ * sp.eye(2 * d)), cp,
                 f"D = {d}: characteristic polynomial of the Hessian at {name}",
                 via=(sp.expand, sp.cancel))
        indices.append(_negatives(sp.numer(sp.together(cp)), _ordered(d)))
    ch.check(f"D = {d}: signs by Vieta with lambda_1 > ... > lambda_{d} (positive gaps): "
             f"negative eigenvalues at e_1..e_{d}, origin = {indices} (one zero eigenvalue along "
             "each family: the rescaling v -> v/c, w -> c w)")
    return indices


def _prove_critical(pf: Proof) -> Outcome:
    ch = pf.chain()
    found = {d: _critical_d(ch, d) for d in (2, 3)}
    checked, worst = _baldi_hornik_numeric(np.random.default_rng(7))
    ch.check(f"D = 4, H = 1, 2, random Sigma: at all {checked} eigen-subset critical points the "
             f"gradient is {worst:.1e} (finite differences) and the Hessian has "
             "#{(i in S, j not in S): lambda_j > lambda_i} negative eigenvalues (Baldi & Hornik)")
    derived = sp.Tuple(*(sp.Eq(sp.Symbol(f"ind_{{{d},{i}}}"),
                               found[d][i - 1] if i else found[d][d])
                         for d in (2, 3) for i in range(d + 1)))
    ch.conclude(pf.printed, derived, "Morse indices: direction i has index i - 1 (only i = 1 a "
                "minimum), the origin index D")
    return ch.outcome(Status.HOLDS, note="D = 2, 3 (H = 1) symbolic: Groebner basis (lex) and "
                      "Hessian signatures by Vieta; D = 4, H <= 2 numeric. Beyond: the Baldi-"
                      "Hornik theorem (cited): no spurious local minima, every non-global "
                      "critical point a saddle, for distinct eigenvalues.")


# ------------------------------------------------------------------ marginalised DAE, rank H

lam, eps = sp.Symbol("lambda_j", positive=True), sp.Symbol("varepsilon", nonnegative=True)
m_star, gain = sp.Symbol("m_j^*"), sp.Symbol("g_j")
DAE = sp.Tuple(sp.Eq(m_star, lam / (lam + eps)), sp.Eq(gain, lam**2 / (lam + eps)))


def _prove_dae(pf: Proof) -> Outcome:
    ch = pf.chain()
    e = sp.Symbol("varepsilon", positive=True)
    m = sp.Matrix(2, 2, sp.symbols("m_11 m_12 m_21 m_22", real=True))
    s = sp.diag(l1, l2)
    a_ = s + e * sp.eye(2)
    loss = ((sp.eye(2) - m) * s * (sp.eye(2) - m).T).trace() / 2 + e / 2 * (m * m.T).trace()
    half = sp.diag(sp.sqrt(l1 + e), sp.sqrt(l2 + e))
    resid = (m - s * a_.inv()) * half
    sq = (s.trace() - (s * a_.inv() * s).trace()) / 2 + sum(x**2 for x in resid) / 2
    ch.equal(loss, sq, "N E_e[L] of [eq1] (Sigma = diag, 2 x 2 M = W2 W1): completing the "
             "square, = 1/2 tr Sigma - 1/2 tr(Sigma A^-1 Sigma) + 1/2 ||(M - Sigma A^-1) "
             "A^(1/2)||_F^2 with A = Sigma + eps I", via=(sp.expand, sp.cancel))
    ch.fact("rank(M A^(1/2)) = rank M <= H", "A is invertible for eps > 0, so the problem is "
            "Eckart-Young ([LN.pca.ey]) for the target T = Sigma A^(-1/2) = V diag(lambda_j / "
            "sqrt(lambda_j + eps)) V^T")
    ch.equal(sp.Derivative(lam / sp.sqrt(lam + e), lam), (lam + 2 * e) / (2 * (lam + e)
                                                                           ** sp.Rational(3, 2)),
             "T's singular values lambda/sqrt(lambda + eps) increase with lambda: the best "
             "rank-H fit keeps the top-H eigen-directions", via=(sp.simplify,))
    tj = sp.Symbol("t_j")
    mj = lam / (lam + eps)
    ch.equal(sp.Subs(tj / sp.sqrt(lam + eps), tj, lam / sp.sqrt(lam + eps)), mj,
             "M* = T_H A^(-1/2): m_j = lambda_j/(lambda_j + eps) on the "
             "kept directions, 0 elsewhere (the paper's per-direction fixed point [4.fp])")
    g_expr = (lam - (lam * (1 - mj) ** 2 + eps * mj**2))
    ch.equal(g_expr, lam**2 / (lam + eps), "loss reduction of a kept direction: lambda - "
             "[lambda (1 - m)^2 + eps m^2] at m = m_j", via=(sp.cancel,))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(m_star, mj), sp.Eq(gain, g_expr)),
                "min over rank-H M of N E[L] = 1/2 sum_j lambda_j - 1/2 sum_(j <= H) "
                "lambda_j^2/(lambda_j + eps)", via=(sp.cancel,))
    return ch.outcome(Status.HOLDS, note="The paper's per-direction fixed point w* = lambda/"
                      "(lambda + eps) is the global minimiser of the marginalised DAE loss over "
                      "rank-H maps, on the top-H eigen-directions of the uncentred Sigma_xx "
                      "(ties among equal eigenvalues: any choice). eps > 0; eps = 0 is Eckart-"
                      "Young (m_j = 1).")


STEPS: tuple[Step, ...] = (
    Step(id="PCA.trace", section="P", title="The rank-1 problem as the paper's trace loss",
         printed=TRACE, proof=_prove_trace, printed_in_paper=False),
    Step(id="PCA.critical", section="P", title="Critical points of the linear AE and their "
         "Morse indices", printed="the linear AE loss has no spurious local minima: the "
         "critical points on other eigen-directions are saddles",
         statement=CRITICAL, proof=_prove_critical, printed_in_paper=False,
         assumes=(Assumption("distinct eigenvalues lambda_1 > lambda_2 (> lambda_3) > 0"),),
         exprs={"index": idx - 1}),
    Step(id="PCA.dae", section="P", title="The marginalised DAE loss over rank-H maps",
         printed=DAE, proof=_prove_dae, uses=("LN.pca.ey",), printed_in_paper=False,
         assumes=(Assumption("eps > 0; H <= D; Sigma_xx = V Lambda V^T uncentred"),),
         exprs={"m": lam / (lam + eps), "gain": lam**2 / (lam + eps)}),
)
