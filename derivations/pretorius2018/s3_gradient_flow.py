"""Section 3: gradient flow of the expected DAE loss and its scalar dynamics (3.1a ... eq4).

Two kinds of proof are combined in every matrix step:

* matrix calculus on ``MatrixSymbol`` expressions of symbolic shape (general D, H): SymPy's
  derivative of traces, and a rewrite that cancels adjacent ``Q^T Q`` / ``Q Q^T`` factors of an
  orthogonal matrix ``Q`` (``V`` or ``R``);
* the same statements entrywise with explicit small matrices of independent symbols (D = 3,
  H = 2, N = 2 samples), differentiating the scalar loss with respect to each weight, and with
  exactly orthogonal rational matrices built by the Cayley transform.

Conventions used (derivations/conventions.py), all stated by the paper next to 3.1a:
``"tau"`` (tau = N/alpha, one full-batch gradient step per unit of t), ``"eps"`` (eps = N s^2)
and ``"sigma-sum"`` (Sigma_xx = sum_i x_i x_i^T, a sum).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions import MatMul
from sympy.polys.matrices import DomainMatrix

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .s2_noise import EQ1_RHS, NSAMP, W1, W2, XS
from .symbols import D, H, N, alpha, eps, lam, s, t, tau, w1, w2

# ---------------------------------------------------------------------------------------------
# the scalar dynamics: the exprs contracts of [eq2], [eq3], [eq4]
# ---------------------------------------------------------------------------------------------
#: [eq2] right-hand side of tau dw1/dt for one direction j
RHS_W1 = w2 * lam * (1 - w2 * w1) - eps * w2**2 * w1
#: [eq3] right-hand side of tau dw2/dt for one direction j
RHS_W2 = w1 * lam * (1 - w2 * w1) - eps * w2 * w1**2
#: [eq4] the loss of one direction j
LOSS_J = lam / (2 * tau) * (1 - w2 * w1) ** 2 + eps / (2 * tau) * (w2 * w1) ** 2

# ---------------------------------------------------------------------------------------------
# matrix symbols of general shape (D inputs, H hidden units)
# ---------------------------------------------------------------------------------------------
GW1 = sp.MatrixSymbol("W_1", H, D)
GW2 = sp.MatrixSymbol("W_2", D, H)
SIGMA = sp.MatrixSymbol(r"\Sigma_{xx}", D, D)
V = sp.MatrixSymbol("V", D, D)  # orthogonal eigenvectors of Sigma_xx
LAMBDA = sp.MatrixSymbol(r"\Lambda", D, D)  # eigenvalues
BW1 = sp.MatrixSymbol(r"\bar{W}_1", H, D)  # rotated weights W1 V
BW2 = sp.MatrixSymbol(r"\bar{W}_2", D, H)  # rotated weights V^T W2
R = sp.MatrixSymbol("R", H, H)  # orthogonal, arbitrary
D1 = sp.MatrixSymbol("D_1", H, D)  # rectangular diagonal
D2 = sp.MatrixSymbol("D_2", D, H)  # rectangular diagonal
ID = sp.Identity(D)


def _tr(m: Any) -> Any:
    """Transpose of a SymPy matrix (expression) or of a ``DomainMatrix``."""
    return m.transpose() if isinstance(m, DomainMatrix) else m.T


def rhs_w1(m1: Any, m2: Any, cov: Any, e: Any = eps) -> Any:
    """[3.1a] tau dW1/dt = W2^T (Sigma - W2 W1 Sigma) - eps W2^T W2 W1 (any matrix type)."""
    return _tr(m2) * (cov - m2 * m1 * cov) - e * _tr(m2) * m2 * m1


def rhs_w2(m1: Any, m2: Any, cov: Any, e: Any = eps) -> Any:
    """tau dW2/dt = (Sigma - W2 W1 Sigma) W1^T - eps W2 W1 W1^T (derived in [3.1a])."""
    return (cov - m2 * m1 * cov) * _tr(m1) - e * m2 * m1 * _tr(m1)


def rhs_bar_w1(b1: Any, b2: Any, lm: Any, e: Any = eps) -> Any:
    """[3.1b] tau dWb1/dt = Wb2^T (Lambda - Wb2 Wb1 Lambda) - eps Wb2^T Wb2 Wb1, as printed."""
    return _tr(b2) * (lm - b2 * b1 * lm) - e * _tr(b2) * b2 * b1


def rhs_bar_w2(b1: Any, b2: Any, lm: Any, e: Any = eps) -> Any:
    """[3.1b] tau dWb2/dt = (Lambda - Wb2 Wb1 Lambda) Wb1^T - eps Wb2 Wb1 Wb1^T, as printed."""
    return (lm - b2 * b1 * lm) * _tr(b1) - e * b2 * b1 * _tr(b1)


def in_polynomials(fn: Callable[..., Any], *mats: sp.Matrix) -> sp.Matrix:
    """Evaluate ``fn(*mats, e=eps)`` exactly in the polynomial ring of the entries (fast)."""
    gens = sorted(set().union(*(m.free_symbols for m in mats)) | {eps}, key=str)
    ring = sp.QQ[tuple(gens)]
    args = [DomainMatrix.from_Matrix(m).convert_to(ring) for m in mats]
    return fn(*args, e=ring.from_sympy(eps)).to_Matrix()


# ---------------------------------------------------------------------------------------------
# tools: closing matrix-expression links
# ---------------------------------------------------------------------------------------------
def _mzero(expr: sp.Basic) -> sp.Basic:
    """Map a zero matrix (e.g. what ``expand`` leaves of a vanishing MatAdd) to the scalar 0."""
    if getattr(expr, "is_ZeroMatrix", False):
        return sp.S.Zero
    if isinstance(expr, sp.MatrixBase) and expr.is_zero_matrix:
        return sp.S.Zero
    return expr


def _doit(expr: sp.Basic) -> sp.Basic:
    return expr.doit()


def orthogonal(*qs: sp.MatrixSymbol) -> Callable[[sp.Basic], sp.Basic]:
    """Rewrite cancelling adjacent ``Q^T Q`` and ``Q Q^T`` (Q square orthogonal) in products."""

    def cancel_pairs(expr: sp.Basic) -> sp.Basic:
        if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, sp.MatrixSymbol):
            return expr
        expr = expr.func(*[cancel_pairs(a) for a in expr.args])
        if not isinstance(expr, MatMul):
            return expr
        coeff, mats = expr.as_coeff_matrices()
        out: list[sp.Basic] = []
        for m in mats:
            if out and any((out[-1], m) in ((q.T, q), (q, q.T)) for q in qs):
                out.pop()
            else:
                out.append(m)
        if not out:  # the whole product was Q^T Q (or Q Q^T ...): an identity
            return coeff * sp.Identity(mats[0].shape[0])
        return coeff * (MatMul(*out).doit() if len(out) > 1 else out[0])

    return cancel_pairs


def _via_orth(*qs: sp.MatrixSymbol) -> tuple[Callable[[sp.Basic], sp.Basic], ...]:
    return (sp.expand, orthogonal(*qs), sp.expand, _mzero)


_VIA_M = (sp.expand, _mzero)


def _cayley(params: list[list[sp.Expr]]) -> sp.Matrix:
    """An exactly orthogonal matrix (I - A)(I + A)^{-1} from a skew-symmetric A."""
    n = len(params) + 1
    a = sp.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = params[i][j - i - 1]
            a[j, i] = -a[i, j]
    return ((sp.eye(n) - a) * (sp.eye(n) + a).inv()).applyfunc(sp.cancel)


def _cancel(expr: sp.Expr) -> sp.Expr:
    return sp.cancel(sp.together(expr))


# explicit objects (D = 3, H = 2): rational V, symbolic diagonal Lambda, a 1-parameter R
DIM, HID = W1.shape[1], W1.shape[0]
V3 = _cayley([[sp.Rational(1, 2), sp.Rational(1, 3)], [2]])
LAMS = sp.symbols("lambda_1:4", positive=True)
LAM3 = sp.diag(*LAMS)
_r = sp.Symbol("r", real=True)
R2 = _cayley([[_r]])
A_S = sp.symbols("a_1:3", real=True)  # diagonal of D1
B_S = sp.symbols("b_1:3", real=True)  # diagonal of D2
D1_3 = sp.Matrix(HID, DIM, lambda i, j: A_S[i] if i == j else 0)
D2_3 = sp.Matrix(DIM, HID, lambda i, j: B_S[j] if i == j else 0)
BW1_3 = sp.Matrix(HID, DIM, lambda i, j: sp.Symbol(f"p_{i + 1}{j + 1}", real=True))
BW2_3 = sp.Matrix(DIM, HID, lambda i, j: sp.Symbol(f"q_{i + 1}{j + 1}", real=True))


def _diag_field(rhs: sp.Expr, rows: int, cols: int) -> sp.Matrix:
    """Rectangular-diagonal matrix whose (j, j) entry is ``rhs`` of direction j."""
    return sp.Matrix(rows, cols, lambda i, j: rhs.subs(
        {w1: A_S[i], w2: B_S[i], lam: LAMS[i]}, simultaneous=True) if i == j else 0)


# ---------------------------------------------------------------------------------------------
# [3.1a] gradient flow of E[L]
# ---------------------------------------------------------------------------------------------
def _prove_31a(pf: Proof) -> Outcome:
    """[3.1a] tau dW1/dt from one gradient step on E[L] ([eq1]) with tau = N/alpha, eps = N s^2."""
    chain = Chain()
    nn = NSAMP
    cov = sp.zeros(DIM, DIM)
    for xv in XS:
        cov += xv * xv.T
    # explicit: differentiate the scalar loss with respect to every weight
    g1 = W1.applyfunc(lambda wij: sp.diff(EQ1_RHS, wij))
    g2 = W2.applyfunc(lambda wij: sp.diff(EQ1_RHS, wij))
    sub = {alpha: nn / tau, s: sp.sqrt(eps / nn)}  # tau = N/alpha, eps = N s^2
    step1 = (-alpha * g1).subs(sub)  # one GD step = one unit of t (one epoch)
    step2 = (-alpha * g2).subs(sub)
    sum_form = sp.zeros(HID, DIM)
    for xv in XS:
        sum_form += W2.T * (xv * xv.T - W2 * W1 * xv * xv.T)
    sum_form -= eps * W2.T * W2 * W1
    chain.equal(tau * step1, sum_form,
                "tau (W1' - W1) = -tau alpha dE[L]/dW1, entrywise (D=3, H=2, N=2; tau = N/alpha, "
                "eps = N s^2): the printed sum form")
    chain.equal(sum_form, rhs_w1(W1, W2, cov),
                "sum_i x_i x_i^T = Sigma_xx (a sum): the printed Sigma form")
    chain.equal(tau * step2, rhs_w2(W1, W2, cov),
                "the same for W2: tau dW2/dt = (Sigma - W2 W1 Sigma) W1^T - eps W2 W1 W1^T")
    # general D, H: trace form of the loss and matrix calculus
    m = W2 * W1
    chain.equal(sp.Add(*[((xv - m * xv).T * (xv - m * xv))[0, 0] for xv in XS]),
                ((sp.eye(DIM) - m) * cov * (sp.eye(DIM) - m).T).trace(),
                "sum_i ||(I - M) x_i||^2 = tr((I - M) Sigma_xx (I - M)^T), entrywise")
    gm = GW2 * GW1
    terms = (sp.Trace((ID - gm) * SIGMA * (ID - gm).T) / (2 * N),
             s**2 / 2 * sp.Trace(gm * GW1.T * GW2.T))
    sym = {SIGMA.T: SIGMA}
    dg1 = sp.Add(*[term.diff(GW1) for term in terms]).xreplace(sym)
    dg2 = sp.Add(*[term.diff(GW2) for term in terms]).xreplace(sym)
    gsub = {alpha: N / tau, s: sp.sqrt(eps / N)}
    chain.equal(tau * (-alpha * dg1).subs(gsub), rhs_w1(GW1, GW2, SIGMA),
                "general D, H: d tr(.)/dW1 (SymPy matrix calculus, Sigma^T = Sigma), "
                "tau = N/alpha, eps = N s^2", via=_VIA_M)
    chain.equal(tau * (-alpha * dg2).subs(gsub), rhs_w2(GW1, GW2, SIGMA),
                "general D, H: the same for W2", via=_VIA_M)
    return chain.outcome(
        Status.HOLDS,
        note="Conventions 'tau' (tau = N/alpha, t in epochs: one full-batch GD step "
             "W1 <- W1 - alpha dE[L]/dW1 per unit of t, the small-alpha limit being the ODE), "
             "'eps' (eps = N s^2) and 'sigma-sum' (Sigma_xx a sum); all three are stated by the "
             "paper with this equation, so the printed line holds exactly.")


# ---------------------------------------------------------------------------------------------
# [3.1b] the rotated flow
# ---------------------------------------------------------------------------------------------
def _prove_31b(pf: Proof) -> Outcome:
    """[3.1b] rotate by the eigenvectors V of Sigma_xx = V Lambda V^T: both printed ODEs."""
    chain = Chain()
    to_bar = {GW1: BW1 * V.T, GW2: V * BW2, SIGMA: V * LAMBDA * V.T}
    via = _via_orth(V)
    # the intermediate printed line
    mid = (GW2.T * V * (LAMBDA - V.T * GW2 * GW1 * V * LAMBDA) * V.T
           - eps * GW2.T * GW2 * GW1)
    chain.equal(rhs_w1(GW1, GW2, V * LAMBDA * V.T), mid,
                "Sigma = V Lambda V^T, V^T V = I (the paper's intermediate line)", via=via)
    chain.fact(sp.Eq(GW1, BW1 * V.T), "W1 = Wb1 V^T and W2 = V Wb2, since V V^T = I")
    chain.equal(rhs_w1(GW1, GW2, SIGMA).xreplace(to_bar) * V, rhs_bar_w1(BW1, BW2, LAMBDA),
                "tau dWb1/dt = (tau dW1/dt) V (V constant); cancel V^T V = V V^T = I "
                "(general D, H)", via=via)
    chain.equal(V.T * rhs_w2(GW1, GW2, SIGMA).xreplace(to_bar), rhs_bar_w2(BW1, BW2, LAMBDA),
                "tau dWb2/dt = V^T (tau dW2/dt): the W2 equation the paper only states "
                "(general D, H)", via=via)
    # explicit: an exactly orthogonal rational V (Cayley), symbolic weights and eigenvalues
    chain.equal(sp.MatMul(sp.ImmutableMatrix(V3).T, sp.ImmutableMatrix(V3)), sp.eye(DIM),
                "the Cayley matrix V (D = 3) is orthogonal", via=(_doit, _mzero))
    cov = V3 * LAM3 * V3.T
    w1e, w2e = BW1_3 * V3.T, V3 * BW2_3
    chain.equal(in_polynomials(lambda a, c, d, v, e: rhs_w1(a, c, d, e) * v, w1e, w2e, cov, V3),
                rhs_bar_w1(BW1_3, BW2_3, LAM3),
                "entrywise check, D = 3, H = 2, V Cayley, general Wb1, Wb2, Lambda "
                "(products computed exactly in Q[entries])")
    chain.equal(in_polynomials(lambda a, c, d, v, e: _tr(v) * rhs_w2(a, c, d, e),
                               w1e, w2e, cov, V3),
                rhs_bar_w2(BW1_3, BW2_3, LAM3), "entrywise check of the Wb2 equation")
    return chain.outcome(
        Status.HOLDS,
        note="Exact rewriting of [3.1a] (and of the W2 flow derived there) in the eigenbasis; "
             "needs only V orthogonal and constant. Conventions as in 3.1a.")


# ---------------------------------------------------------------------------------------------
# [3.2] orthogonal initialisation: diagonal product, invariant form, decoupling
# ---------------------------------------------------------------------------------------------
def _prove_32(pf: Proof) -> Outcome:
    """[3.2] W2 = V D2 R^T, W1 = R D1 V^T: Wb2 Wb1 = D2 D1 and the form is kept by the flow."""
    chain = Chain()
    via = _via_orth(V, R)
    bw1, bw2 = GW1 * V, V.T * GW2
    init = {GW1: R * D1 * V.T, GW2: V * D2 * R.T}
    chain.equal((bw2 * bw1).xreplace(init), D2 * D1,
                "Wb2 Wb1 = V^T V D2 R^T R D1 V^T V = D2 D1 (general D, H)", via=via)
    chain.equal(rhs_bar_w1(R * D1, D2 * R.T, LAMBDA),
                R * (D2.T * (LAMBDA - D2 * D1 * LAMBDA) - eps * D2.T * D2 * D1),
                "vector field at Wb1 = R D1, Wb2 = D2 R^T: R times a product of "
                "(rectangular) diagonal matrices", via=via)
    chain.equal(rhs_bar_w2(R * D1, D2 * R.T, LAMBDA),
                ((LAMBDA - D2 * D1 * LAMBDA) * D1.T - eps * D2 * D1 * D1.T) * R.T,
                "and for Wb2: (rectangular diagonal) R^T", via=via)
    # explicit D = 3 > H = 2 with a symbolic rotation R(r) and the rational V
    chain.equal(R2.T * R2, sp.eye(HID), "R(r) (Cayley, H = 2) is orthogonal for every r",
                via=(_cancel,))
    w2e, w1e = V3 * D2_3 * R2.T, R2 * D1_3 * V3.T
    prod = sp.diag(B_S[0] * A_S[0], B_S[1] * A_S[1], 0)
    chain.equal(V3.T * w2e * w1e * V3, prod,
                "explicit D = 3, H = 2: Wb2 Wb1 = diag(b1 a1, b2 a2, 0); the direction j = 3 > H "
                "has zero mapping", via=(_cancel,))
    chain.equal(rhs_bar_w1(R2 * D1_3, D2_3 * R2.T, LAM3), R2 * _diag_field(RHS_W1, HID, DIM),
                "explicit: tau dWb1/dt = R diag(eq2 rhs per direction)", via=(_cancel,))
    chain.equal(rhs_bar_w2(R2 * D1_3, D2_3 * R2.T, LAM3), _diag_field(RHS_W2, DIM, HID) * R2.T,
                "explicit: tau dWb2/dt = diag(eq3 rhs per direction) R^T", via=(_cancel,))
    chain.fact("the set {Wb1 = R D1, Wb2 = D2 R^T : D1, D2 rectangular diagonal} is invariant",
               "the vector field is tangent to it (the lines above); the field is polynomial, "
               "hence locally Lipschitz, so the solution started there is unique and stays there")
    return chain.outcome(
        Status.HOLDS,
        note="R in R^{HxH} orthogonal and constant, D1 (HxD) and D2 (DxH) rectangular diagonal, "
             "V the eigenvectors of Sigma_xx. Directions j > H (H < D) carry no weights: their "
             "mapping [Wb2 Wb1]_jj is 0 for all t. The paper's 'D1, D2 diagonal' must be read "
             "as rectangular diagonal when H != D.")


# ---------------------------------------------------------------------------------------------
# [eq2], [eq3] scalar dynamics, [eq4] the loss they descend
# ---------------------------------------------------------------------------------------------
def _prove_scalar(rhs: sp.Expr, label: str) -> Outcome:
    chain = Chain()
    bracket1 = D2_3.T * (LAM3 - D2_3 * D1_3 * LAM3) - eps * D2_3.T * D2_3 * D1_3
    bracket2 = (LAM3 - D2_3 * D1_3 * LAM3) * D1_3.T - eps * D2_3 * D1_3 * D1_3.T
    chain.fact("tau dWb1/dt = R (tau dD1/dt), tau dWb2/dt = (tau dD2/dt) R^T",
               "R constant and invertible; [3.2] gives the brackets below")
    if label == "eq2":
        chain.equal(bracket1, _diag_field(rhs, HID, DIM),
                    "tau dD1/dt = D2^T (Lambda - D2 D1 Lambda) - eps D2^T D2 D1 is rectangular "
                    "diagonal with (j, j) entry w2j lam_j (1 - w2j w1j) - eps w2j^2 w1j (D=3, H=2)")
    else:
        chain.equal(bracket2, _diag_field(rhs, DIM, HID),
                    "tau dD2/dt = (Lambda - D2 D1 Lambda) D1^T - eps D2 D1 D1^T is rectangular "
                    "diagonal with (j, j) entry w1j lam_j (1 - w2j w1j) - eps w2j w1j^2 (D=3, H=2)")
    chain.fact("general D, H: the (j, j) entry of a product of rectangular diagonal matrices is "
               "the product of their (j, j) entries", "so entry j involves only w1j, w2j, lam_j")
    return chain.outcome(Status.HOLDS,
                         note="For j <= min(H, D). Conventions 'tau', 'eps', 'sigma-sum' as in "
                              "3.1a (lam_j is an eigenvalue of the SUM Sigma_xx).")


def _prove_eq2(pf: Proof) -> Outcome:
    """[eq2] tau dw1j/dt = w2j lam_j (1 - w2j w1j) - eps w2j^2 w1j."""
    return _prove_scalar(RHS_W1, "eq2")


def _prove_eq3(pf: Proof) -> Outcome:
    """[eq3] tau dw2j/dt = w1j lam_j (1 - w2j w1j) - eps w2j w1j^2."""
    return _prove_scalar(RHS_W2, "eq3")


def _prove_eq4(pf: Proof) -> Outcome:
    """[eq4] dw/dt = -dl/dw (time t in epochs, l carries 1/tau), and l = alpha E[L]."""
    chain = Chain()
    chain.equal(-sp.Derivative(LOSS_J, w1), RHS_W1 / tau,
                "dw1j/dt = [eq2]/tau = -dl/dw1j: unit-rate gradient flow of l in t",
                via=(_doit, sp.expand))
    chain.equal(-sp.Derivative(LOSS_J, w2), RHS_W2 / tau, "dw2j/dt = [eq3]/tau = -dl/dw2j",
                via=(_doit, sp.expand))
    # l against [eq1] on the decoupled weights: M = V diag(w2j w1j) V^T, Sigma = V Lambda V^T
    prods = [B_S[0] * A_S[0], B_S[1] * A_S[1], sp.S.Zero]
    m = V3 * sp.diag(*prods) * V3.T
    cov = V3 * LAM3 * V3.T
    e_loss = (((sp.eye(DIM) - m) * cov * (sp.eye(DIM) - m).T).trace() / (2 * N)
              + s**2 / 2 * (m * m.T).trace())
    eig_form = sp.Add(*[(LAMS[j] * (1 - prods[j]) ** 2 + N * s**2 * prods[j] ** 2)
                        for j in range(DIM)]) / (2 * N)
    chain.equal(e_loss, eig_form,
                "[eq1] in trace form on the decoupled weights (D = 3, H = 2, V Cayley): "
                "E[L] = 1/(2N) sum_j [lam_j (1 - w_j)^2 + N s^2 w_j^2], w_3 = 0")
    l_sum = sp.Add(*[LOSS_J.subs({w1: A_S[j], w2: B_S[j], lam: LAMS[j]}, simultaneous=True)
                     for j in range(HID)]) + LOSS_J.subs({w1: 0, w2: 0, lam: LAMS[2]})
    chain.equal((alpha * eig_form).subs({alpha: N / tau, s: sp.sqrt(eps / N)}), l_sum,
                "alpha E[L] = l with alpha = N/tau, eps = N s^2 (direction j = 3 > H contributes "
                "the constant lam_3/(2 tau))")
    return chain.outcome(
        Status.HOLDS,
        note="l = alpha E[L] restricted to the decoupled weights, so 'gradient descent on l' is "
             "dw/dt = -dl/dw with t in epochs (equivalently tau dw/dt = -d(tau l)/dw, "
             "tau l = N E[L]); this matches the GD step on E[L] with rate alpha in 3.1a. "
             "Consistent with eq1's scaling under conventions 'tau' and 'eps'. The sum over "
             "j = 1..D includes directions j > H (w2j w1j = 0), which add a constant.")


# ---------------------------------------------------------------------------------------------
_dot = sp.MatrixSymbol
_SUM_FORM = sp.MatrixSymbol(r"\sum_{i=1}^{N} W_2^T (x_i x_i^T - W_2 W_1 x_i x_i^T)", H, D)
_j = sp.Symbol("j", integer=True, positive=True)
_lamj = sp.IndexedBase(r"\lambda")[_j]
_w1j, _w2j = sp.IndexedBase("w_1")[_j], sp.IndexedBase("w_2")[_j]


def _per_j(expr: sp.Expr) -> sp.Expr:
    return expr.subs({w1: _w1j, w2: _w2j, lam: _lamj}, simultaneous=True)


S31A = Step(
    id="3.1a", section="3", title="Gradient flow of the expected loss",
    printed=sp.Tuple(
        sp.Eq(tau * _dot(r"\dot{W}_1", H, D), _SUM_FORM - eps * GW2.T * GW2 * GW1,
              evaluate=False),
        sp.Eq(tau * _dot(r"\dot{W}_1", H, D), rhs_w1(GW1, GW2, SIGMA), evaluate=False)),
    proof=_prove_31a, uses=("eq1",),
    assumes=(Assumption("tau = N / alpha, t in epochs (one full-batch GD step per unit t)",
                        sp.Eq(tau, N / alpha)),
             Assumption("eps = N s^2", sp.Eq(eps, N * s**2)),
             Assumption("Sigma_xx = sum_i x_i x_i^T (a sum)")),
    note="Continuous-time limit of gradient descent on [eq1]. Conventions: tau, eps, sigma-sum.",
    exprs={"rhs_W1": rhs_w1(GW1, GW2, SIGMA), "rhs_W2": rhs_w2(GW1, GW2, SIGMA)},
)

S31B = Step(
    id="3.1b", section="3", title="The flow in the eigenbasis of Sigma_xx",
    printed=sp.Tuple(
        sp.Eq(tau * _dot(r"\dot{\bar{W}}_1", H, D), rhs_bar_w1(BW1, BW2, LAMBDA), evaluate=False),
        sp.Eq(tau * _dot(r"\dot{\bar{W}}_2", D, H), rhs_bar_w2(BW1, BW2, LAMBDA), evaluate=False)),
    proof=_prove_31b, uses=("3.1a",),
    assumes=(Assumption("Sigma_xx = V Lambda V^T with V orthogonal (constant)"),),
    note="Wb1 = W1 V, Wb2 = V^T W2.",
    exprs={"rhs_bar_W1": rhs_bar_w1(BW1, BW2, LAMBDA), "rhs_bar_W2": rhs_bar_w2(BW1, BW2, LAMBDA)},
)

S32 = Step(
    id="3.2", section="3", title="Orthogonal initialisation decouples the dynamics",
    printed=sp.Tuple(sp.Eq(BW2 * BW1, V.T * V * D2 * R.T * R * D1 * V.T * V, evaluate=False),
                     sp.Eq(V.T * V * D2 * R.T * R * D1 * V.T * V, D2 * D1, evaluate=False)),
    statement="With W2 = V D2 R^T, W1 = R D1 V^T (R orthogonal, D1, D2 rectangular diagonal), "
              "Wb2 Wb1 = D2 D1 is diagonal, and the flow [3.1b] keeps Wb1 = R D1(t), "
              "Wb2 = D2(t) R^T with D1(t), D2(t) rectangular diagonal: the directions decouple.",
    proof=_prove_32, uses=("3.1b",),
    assumes=(Assumption("R (H x H) orthogonal and constant; D1, D2 rectangular diagonal"),),
)

EQ2 = Step(
    id="eq2", section="3", title="Scalar dynamics of w1j",
    printed=sp.Eq(tau * sp.Derivative(sp.Function("w_1j")(t), t), _per_j(RHS_W1)),
    proof=_prove_eq2, uses=("3.2",),
    note="One pair (w1j, w2j) per direction j <= min(H, D).",
    exprs={"rhs": RHS_W1},
)

EQ3 = Step(
    id="eq3", section="3", title="Scalar dynamics of w2j",
    printed=sp.Eq(tau * sp.Derivative(sp.Function("w_2j")(t), t), _per_j(RHS_W2)),
    proof=_prove_eq3, uses=("3.2",),
    exprs={"rhs": RHS_W2},
)

EQ4 = Step(
    id="eq4", section="3", title="The scalar dynamics are gradient descent on l",
    printed=sp.Eq(sp.Symbol(r"\ell"), sp.Sum(_per_j(LOSS_J), (_j, 1, D))),
    statement="dw1j/dt = -dl/dw1j and dw2j/dt = -dl/dw2j (t in epochs), with l = alpha E[L] "
              "on the decoupled weights",
    proof=_prove_eq4, uses=("eq2", "eq3", "eq1"),
    exprs={"loss": LOSS_J},
)

STEPS: tuple[Step, ...] = (S31A, S31B, S32, EQ2, EQ3, EQ4)

__all__ = ["LOSS_J", "RHS_W1", "RHS_W2", "STEPS"]
