"""The notes' autoencoder statements: the loss, the rank-1 problem, Eckart-Young, SVD and PCA.

Labels LN.ae.loss, LN.pca.rank1, LN.pca.vw, LN.pca.ey, LN.pca.svd, LN.pca.var, LN.pca.sgd.
Symbolic proofs run in explicit small cases (SymPy); where the general case is a classical
theorem (Eckart-Young-Mirsky, Ky Fan, the spectral theorem) it is cited as a stated fact and
checked numerically on random matrices.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step

# ------------------------------------------------------------------ the loss

L_sym, rn = sp.Symbol("L", nonnegative=True), sp.Symbol("\\|x - g(f(x))\\|", nonnegative=True)
AE_LOSS = sp.Eq(L_sym, rn ** sp.Rational(1, 2))
AE_LOSS_CORRECT = sp.Eq(L_sym, rn**2)


def _prove_ae_loss(pf: Proof) -> Outcome:
    ch = pf.chain()
    r = sp.symbols("r_1:4", real=True)
    ch.equal(sum(x**2 for x in r), sp.Subs(rn**2, rn, sp.sqrt(sum(x**2 for x in r))),
             "the squared error of r = x - g(f(x)) in R^3 is sum r_i^2 = ||r||^2")
    ch.disprove(pf.printed, {L_sym: 16, rn: 4}, "r = (4, 0, 0): squared error 16, the printed "
                "||r||^(1/2) = 2")
    return ch.outcome(Status.REFUTED, counterexample={"r_1": 4.0, "squared error": 16.0,
                                                      "printed": 2.0},
                      corrected=AE_LOSS_CORRECT,
                      note="Typo: exponent 1/2 for 2 (the squared error is ||x - g(f(x))||^2; "
                           "the paper's [L] adds the factor 1/(2N)).")


# ------------------------------------------------------------------ rank-1 problem

s1, s2, s3 = sp.symbols("sigma_1 sigma_2 sigma_3", nonnegative=True)
Emin, FX2 = sp.Symbol("E_{min}", nonnegative=True), sp.Symbol("\\|X\\|_F^2", nonnegative=True)
RANK1 = sp.Eq(Emin, FX2 - s1**2)


def _fro2(m: sp.Matrix) -> sp.Expr:
    return sum(e**2 for e in m)


def _rank1_pieces(ch) -> None:  # noqa: ANN001 - a Chain
    """||X - a b^T||^2 expanded, and the minimum over a, on a generic 3 x 2 X."""
    x = sp.Matrix(3, 2, sp.symbols("x_11 x_12 x_21 x_22 x_31 x_32", real=True))
    av = sp.Matrix(sp.symbols("a_1:4", real=True))
    bv = sp.Matrix(sp.symbols("b_1:3", real=True))
    ch.equal(_fro2(x - av * bv.T), _fro2(x) - 2 * (av.T * x * bv)[0] + (av.T * av)[0]
             * (bv.T * bv)[0], "||X - a b^T||_F^2 = ||X||^2 - 2 a^T X b + |a|^2 |b|^2 "
             "(3 x 2 X; in general by linearity of the trace)")
    a_opt = x * bv / (bv.T * bv)[0]
    ch.equal(_fro2(x - a_opt * bv.T), _fro2(x) - (x * bv).dot(x * bv) / (bv.T * bv)[0],
             "the best a for given b is X b/|b|^2 (a convex quadratic in a), leaving "
             "||X||^2 - |X b|^2/|b|^2", via=(sp.cancel,))


def _prove_rank1(pf: Proof) -> Outcome:
    ch = pf.chain()
    _rank1_pieces(ch)
    ch.fact(sp.Le(sp.Symbol("|Xb|^2/|b|^2"), s1**2), "Rayleigh quotient of X^T X: at most its "
            "largest eigenvalue sigma_1^2, with equality at b = v_1 (spectral theorem)")
    ch.fact("X v w^T with v = b/|b|^2, w = b is X b b^T/|b|^2, the optimal a b^T",
            "so the (v, w) problem reaches the rank-<=1 minimum; every rank-1 B = a b^T with "
            "a in col(X) is some X v w^T, and the optimal a = X b is in col(X)")
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(20):
        xm = rng.normal(size=(7, 4))
        u, sv, vt = np.linalg.svd(xm)
        best = np.sum(xm**2) - sv[0] ** 2
        worst = max(worst, abs(np.sum((xm - xm @ np.outer(vt[0], vt[0])) ** 2) - best))
        for _ in range(50):  # no random (v, w) does better
            v, w_ = rng.normal(size=4), rng.normal(size=4)
            assert np.sum((xm - xm @ np.outer(v, w_)) ** 2) >= best - 1e-9
    ch.check(f"20 random 7 x 4 X: ||X - X v1 v1^T||^2 = ||X||^2 - sigma_1^2 to {worst:.1e}; "
             "1000 random (v, w) never below it")
    ch.conclude(pf.printed.rhs, FX2 - s1**2, "min_{v,w} ||X - X v w^T||^2 = min_{rank B <= 1} "
                "||X - B||^2 = ||X||^2 - sigma_1^2")
    return ch.outcome(Status.HOLDS, note="Precise reading: the two minima are equal (X != 0); "
                      "X v w^T has rank <= 1 (0 when X v = 0 or w = 0), and not every rank-1 B "
                      "is an X v w^T (its columns must lie in col(X)), but the minimiser is.")


VW = sp.Eq(sp.Symbol("E(v_1, v_1)"), s2**2 + s3**2)


def _prove_vw(pf: Proof) -> Outcome:
    ch = pf.chain()
    # SVD coordinates (U = V = I; Frobenius norm is orthogonally invariant): X = diag(s1, s2, s3)
    x = sp.diag(s1, s2, s3)
    e1 = sp.Matrix([1, 0, 0])
    r_ = sp.ImmutableMatrix(x - x * e1 * e1.T)
    res = _fro2(r_)
    ch.equal(sp.Trace(sp.ImmutableMatrix(r_.T * r_)), _fro2(x) - s1**2,
             "with v = w = v_1 the residual is ||X||^2 - sigma_1^2, the "
             "minimum of [LN.pca.rank1] (SVD coordinates, 3 x 3; any size likewise)")
    cc, tt = sp.Symbol("c", nonzero=True, real=True), sp.Symbol("t", real=True)
    x0 = sp.diag(s1, s2, 0)  # a null direction e_3
    fam = sp.MatMul(sp.ImmutableMatrix(x0), sp.ImmutableMatrix(e1 / cc + tt * sp.Matrix([0, 0, 1])),
                    sp.ImmutableMatrix((cc * e1).T), evaluate=False)
    ch.equal(fam, x0 * e1 * e1.T, "v = v_1/c + t n (n in null(X)), w = c v_1 gives the same "
             "X v w^T for every c != 0, t: v = w is one minimiser of a family", via=(sp.cancel,))
    ch.conclude(pf.printed.rhs, res, "residual at v = w = v_1")
    return ch.outcome(Status.HOLDS, note="Holds, but v = w is not the only minimiser: all "
                      "(v, w) = (v_1/c + n, c v_1), c != 0, X n = 0 (the product X v w^T is "
                      "unique iff sigma_1 > sigma_2; v_1 is then unique up to sign).")


k_ = sp.Symbol("k", integer=True, positive=True)
EY = sp.Eq(sp.Symbol("min_{rank B <= k} ||X - B||_F^2"),
           sp.Sum(sp.Indexed(sp.IndexedBase("sigma"), sp.Symbol("j")) ** 2,
                  (sp.Symbol("j"), k_ + 1, sp.Symbol("r"))))


def _prove_ey(pf: Proof) -> Outcome:
    ch = pf.chain()
    ch.fact(EY, "Eckart-Young-Mirsky theorem (Eckart & Young 1936; Mirsky 1960): cited for "
            "general k; proved here for k = 1 ([LN.pca.rank1])")
    # explicit k = 1, 2 x 2: min over rank-1 B of ||diag(s1, s2) - B||^2 is s2^2 (s1 >= s2)
    th = sp.Symbol("theta", real=True)
    bvec = sp.Matrix([sp.cos(th), sp.sin(th)])
    x = sp.diag(s1, s2)
    val = _fro2(x) - (x * bvec).dot(x * bvec)  # best a for unit b, from [LN.pca.rank1]
    ch.equal(val, s2**2 + (s1**2 - s2**2) * sp.sin(th) ** 2, "2 x 2, k = 1: the residual of the "
             "best rank-1 fit along unit b = (cos t, sin t) is s2^2 + (s1^2 - s2^2) sin^2 t, "
             "smallest (s2^2) at t = 0: the first singular vector",
             via=(sp.expand, lambda e: sp.trigsimp(e)))
    rng = np.random.default_rng(1)
    worst, beaten = 0.0, 0
    for _ in range(20):
        xm = rng.normal(size=(8, 6))
        u, sv, vt = np.linalg.svd(xm, full_matrices=False)
        for kk in (1, 2, 3):
            xk = (u[:, :kk] * sv[:kk]) @ vt[:kk]
            best = float(np.sum(sv[kk:] ** 2))
            worst = max(worst, abs(np.sum((xm - xk) ** 2) - best))
            for _ in range(20):
                b = rng.normal(size=(8, kk)) @ rng.normal(size=(kk, 6))
                q, _ = np.linalg.qr(b)
                beaten += np.sum((xm - q @ q.T @ xm) ** 2) < best - 1e-9
    ch.check(f"20 random 8 x 6 X, k = 1, 2, 3: ||X - X_k||^2 = sum_(j>k) sigma_j^2 to "
             f"{worst:.1e}; best fits in 1200 random rank-k column spaces never better "
             f"({beaten} beat it)")
    ch.conclude(pf.printed.rhs, EY.rhs, "the cited theorem's value, the tail of the squared "
                "singular values")
    return ch.outcome(Status.HOLDS, note="General k cited (Eckart-Young-Mirsky), k = 1 proved "
                      "symbolically in [LN.pca.rank1] and here (2 x 2), k <= 3 checked "
                      "numerically. The approximation is unique iff sigma_k > sigma_{k+1}.")


nn = sp.Symbol("n", positive=True)
SVD_PCA = sp.Eq(sp.Symbol("sigma_i") ** 2, nn * sp.Symbol("lambda_i(C)"))


def uncentred_identity() -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """X^T X, the covariance C (1/n) and the mean mu for n = 3 symbolic samples in R^2."""
    xs = sp.Matrix(3, 2, sp.symbols("x_11 x_12 x_21 x_22 x_31 x_32", real=True))
    mu = sp.Matrix([sum(xs[:, j]) / 3 for j in range(2)])
    cen = xs - sp.ones(3, 1) * mu.T
    return xs.T * xs, cen.T * cen / 3, mu


def _prove_svd(pf: Proof) -> Outcome:
    ch = pf.chain()
    xtx, cov, mu = uncentred_identity()
    ch.equal(xtx, 3 * cov + 3 * mu * mu.T, "n = 3, d = 2: X^T X = n C + n mu mu^T (C the 1/n "
             "covariance); so X^T X = n C exactly when mu = 0", via=(sp.expand,))
    ch.fact("X = U S V^T => X^T X = V S^2 V^T", "the right singular vectors of X are the "
            "eigenvectors of X^T X, with eigenvalues sigma_i^2")
    sym_s, sym_l = sp.Symbol("sigma_i"), sp.Symbol("lambda_i(C)")
    ch.conclude(pf.printed, sp.Eq(sym_s**2, nn * sym_l), "with mu = 0: eigenpairs of X^T X = "
                "n C, so sigma_i^2 = n lambda_i and the right singular vectors are the "
                "principal axes")
    ch.check("uncentred vs centred on MNIST: tests/test_notes_pca.py (principal angles)")
    return ch.outcome(Status.CONVENTION, convention="centred",
                      note="Holds for centred X only. Uncentred, X^T X = n(C + mu mu^T): the top "
                           "singular vector leans towards the mean (MNIST: see PCA.uncentred); "
                           "the paper's Sigma_xx is uncentred.")


_j, _kv = sp.Symbol("j", integer=True, positive=True), sp.Symbol("k", integer=True, positive=True)
_lam_j = sp.IndexedBase("lambda")
VAR = sp.Eq(sp.Symbol("max_{W^T W = I_k} tr(W^T C W)"), sp.Sum(_lam_j[_j], (_j, 1, _kv)))


def _prove_var(pf: Proof) -> Outcome:
    ch = pf.chain()
    l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)
    th = sp.Symbol("theta", real=True)
    bvec = sp.Matrix([sp.cos(th), sp.sin(th)])
    c = sp.diag(l1, l2)
    ch.equal((bvec.T * c * bvec)[0], l1 - (l1 - l2) * sp.sin(th) ** 2,
             "2-D, eigenbasis: the variance along unit b is lambda_1 - (lambda_1 - lambda_2) "
             "sin^2 t <= lambda_1", via=(sp.expand, sp.trigsimp))
    phi = sp.Symbol("phi", real=True)
    rot = sp.ImmutableMatrix([[sp.cos(phi), -sp.sin(phi)], [sp.sin(phi), sp.cos(phi)]])
    cov = rot * sp.diag(l1, l2) * rot.T  # any 2-D covariance, eigenvectors the columns of rot
    ch.equal(sp.MatMul(rot.T, sp.ImmutableMatrix(cov), rot, evaluate=False), sp.diag(l1, l2),
             "components z = V^T x have covariance V^T C V = Lambda (2-D, C = V Lambda V^T): "
             "uncorrelated", via=(sp.expand, sp.trigsimp))
    ch.fact("max over orthonormal k-frames W of tr(W^T C W) = lambda_1 + ... + lambda_k",
            "Ky Fan's maximum principle (cited): for every k the first k components carry the "
            "largest possible variance")
    ch.equal(sp.Subs(pf.printed.rhs, _kv, 1), (bvec.T * c * bvec)[0].subs(th, 0).subs(
        {l1: _lam_j[1], l2: _lam_j[2]}), "k = 1: the maximum lambda_1, at b = v_1 "
             "(2-D, above)")
    ch.conclude(pf.printed.rhs, sp.Sum(_lam_j[_j], (_j, 1, _kv)), "Ky Fan's value: the sum of "
                "the k largest eigenvalues of the covariance", via=(lambda e: e.doit(),))
    return ch.outcome(Status.HOLDS, note="Precise reading: for every k, the top-k eigenvectors "
                      "of the covariance maximise the captured variance tr(W^T C W) over "
                      "orthonormal W (Ky Fan, cited; k = 1 in 2-D proved), and the components "
                      "are uncorrelated. Variance = of centred data (PCA centres).")


SGD_CLAIM = sp.Eq(sp.Symbol("index at (v, w) = (v_i/c, c v_i)"),
                  sp.Symbol("i", integer=True, positive=True) - 1)


def _prove_sgd(pf: Proof) -> Outcome:
    ch = pf.chain()
    crit = pf.use("PCA.critical")
    ch.fact(crit.statement if crit.statement is not None else crit.printed,
            "[PCA.critical]: the only local minima are the global ones (direction v_1); the "
            "other critical points (directions v_i, i > 1, and the origin) are strict saddles")
    ch.fact("gradient descent with small enough steps from a random start avoids strict "
            "saddles almost surely", "Lee, Simchowitz, Jordan & Recht (2016), cited; this is "
            "'if all goes well'")
    ch.conclude(pf.printed.rhs, crit.expr("index"), "Morse index i - 1 at the critical family of "
                "eigen-direction i: only i = 1 is a minimum")
    return ch.outcome(Status.HOLDS, note="Precise reading: if GD converges to a local minimum "
                      "(true for almost every start with small steps), it is one with X v w^T = "
                      "X v_1 v_1^T; v w^T is the projection v_1 v_1^T itself when X has full "
                      "column rank (else up to null(X)). Needs sigma_1 > sigma_2.")


RANK = Assumption("sigma_1 > sigma_2 where uniqueness is claimed; X != 0")
STEPS: tuple[Step, ...] = (
    Step(id="LN.ae.loss", section="A", title="The squared-error loss", printed=AE_LOSS,
         proof=_prove_ae_loss),
    Step(id="LN.pca.rank1", section="A", title="The rank-1 linear AE is a rank-1 approximation",
         printed="min over v, w of ||X - X v w^T||_F^2; X v w^T has rank 1, so this is "
                 "min ||X - B||_F^2 subject to rank(B) = 1", statement=RANK1,
         proof=_prove_rank1, assumes=(RANK,)),
    Step(id="LN.pca.vw", section="A", title="Solved by v = w = the first right-singular vector",
         printed="it is solved by setting v = w = the first right-singular vector of X",
         statement=VW, proof=_prove_vw, uses=("LN.pca.rank1",), assumes=(RANK,)),
    Step(id="LN.pca.ey", section="A", title="Eckart-Young",
         printed="the best rank-k approximation of X is given by the first k singular vectors "
                 "of X", statement=EY, proof=_prove_ey, uses=("LN.pca.rank1",)),
    Step(id="LN.pca.svd", section="A", title="SVD = PCA",
         printed="the singular value decomposition of X corresponds to the principal component "
                 "analysis of X", statement=SVD_PCA, proof=_prove_svd),
    Step(id="LN.pca.var", section="A", title="PCA maximises the captured variance",
         printed="PCA decomposes a signal into uncorrelated components such that for all k the "
                 "first k components account for the largest possible variance of X",
         statement=VAR, proof=_prove_var),
    Step(id="LN.pca.sgd", section="A", title="SGD finds the PCA solution 'if all goes well'",
         printed="trained with standard tools (e.g. minibatch SGD), the linear AE does not know "
                 "about eigenvalues or the SVD, but if all goes well it finds a solution where "
                 "v w^T projects X onto the space spanned by the first singular vector",
         statement=SGD_CLAIM, proof=_prove_sgd, uses=("PCA.critical",), assumes=(RANK,)),
)
