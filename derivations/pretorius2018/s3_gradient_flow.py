"""Section 3: gradient flow of the expected DAE loss and its scalar dynamics (3.1a ... eq4).

Two kinds of proof are combined in every matrix step:

* matrix calculus on ``MatrixSymbol`` expressions of symbolic shape (general D, H): SymPy's
  derivative of traces, and a rewrite that cancels adjacent ``Q^T Q`` / ``Q Q^T`` factors of an
  orthogonal matrix ``Q`` (``V`` or ``R``);
* the same statements entrywise with explicit small matrices of independent symbols (D = 3,
  H = 2, N = 2 samples), differentiating the scalar loss with respect to each weight, and with
  exactly orthogonal rational matrices built by the Cayley transform.

Each proof derives from [eq1] (through ``pf.use``) and compares with the printed statement it
is handed (``pf.printed``) at the end; the printed notation (dW/dt, the sum over samples, the
per-direction indices) is given its meaning by a *reading* (see ``definitions``).

Conventions used (keys of derivations/pretorius2018/conventions.py), stated by the paper next
to 3.1a:
``"tau"`` (tau = N/alpha, one full-batch gradient step per unit of t), ``"eps"`` (eps = N s^2)
and ``"sigma-sum"`` (Sigma_xx = sum_i x_i x_i^T, a sum).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions import MatMul

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .definitions import (
    GW1,
    GW2,
    LOSS_J,
    NSAMP,
    RHS_W1,
    RHS_W2,
    SIGMA,
    W1,
    W2,
    XS,
    convention,
    explicit_shapes,
    reading,
    zero_matrix_to_scalar,
)
from .symbols import D, H, N, alpha, eps, lam, s, t, tau, w1, w2

# ---------------------------------------------------------------------------------------------
# matrix symbols of general shape (D inputs, H hidden units); W_1, W_2, Sigma_xx are shared
# ---------------------------------------------------------------------------------------------
V = sp.MatrixSymbol("V", D, D)  # orthogonal eigenvectors of Sigma_xx
LAMBDA = sp.MatrixSymbol(r"\Lambda", D, D)  # eigenvalues
BW1 = sp.MatrixSymbol(r"\bar{W}_1", H, D)  # rotated weights W1 V
BW2 = sp.MatrixSymbol(r"\bar{W}_2", D, H)  # rotated weights V^T W2
R = sp.MatrixSymbol("R", H, H)  # orthogonal, arbitrary
D1 = sp.MatrixSymbol("D_1", H, D)  # rectangular diagonal
D2 = sp.MatrixSymbol("D_2", D, H)  # rectangular diagonal
ID = sp.Identity(D)


def _tr(m: Any) -> Any:
    """Transpose of a SymPy matrix or matrix expression."""
    return m.T


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


# ---------------------------------------------------------------------------------------------
# tools: closing matrix-expression links
# ---------------------------------------------------------------------------------------------
_mzero = zero_matrix_to_scalar


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
# the printed notation: placeholders, and what they mean
# ---------------------------------------------------------------------------------------------
_dot = sp.MatrixSymbol
WDOT1 = _dot(r"\dot{W}_1", H, D)  # dW1/dt
WDOTB1 = _dot(r"\dot{\bar{W}}_1", H, D)  # dWb1/dt
WDOTB2 = _dot(r"\dot{\bar{W}}_2", D, H)  # dWb2/dt
_SUM_FORM = sp.MatrixSymbol(r"\sum_{i=1}^{N} W_2^T (x_i x_i^T - W_2 W_1 x_i x_i^T)", H, D)
_j = sp.Symbol("j", integer=True, positive=True)
_lamb, _w1b, _w2b = sp.IndexedBase(r"\lambda"), sp.IndexedBase("w_1"), sp.IndexedBase("w_2")
_lamj, _w1j, _w2j = _lamb[_j], _w1b[_j], _w2b[_j]
_dw1j = sp.Derivative(sp.Function("w_1j")(t), t)
_dw2j = sp.Derivative(sp.Function("w_2j")(t), t)


def _per_j(expr: sp.Expr) -> sp.Expr:
    return expr.subs({w1: _w1j, w2: _w2j, lam: _lamj}, simultaneous=True)


def _gd_units() -> dict[sp.Symbol, sp.Expr]:
    """alpha = N/tau and s = sqrt(eps/N), solved from the conventions 'tau' and 'eps'."""
    return {alpha: sp.solve(convention("tau"), alpha)[0], s: sp.solve(convention("eps"), s)[0]}


def _matrix_grad(loss: sp.Expr, wrt: sp.MatrixSymbol) -> sp.Basic:
    """d loss / d wrt by SymPy's matrix calculus, term by term, with Sigma^T = Sigma."""
    return sp.Add(*[term.diff(wrt) for term in sp.Add.make_args(loss)]).xreplace(
        {SIGMA.T: SIGMA})


# ---------------------------------------------------------------------------------------------
# [3.1a] gradient flow of E[L]
# ---------------------------------------------------------------------------------------------
def _prove_31a(pf: Proof) -> Outcome:
    """[3.1a] tau dW1/dt from one gradient step on E[L] ([eq1]) with tau = N/alpha, eps = N s^2."""
    ch = pf.chain()
    units = _gd_units()
    # general D, H: E[L] in trace form ([eq1], Sigma_xx = sum_i x_i x_i^T), matrix calculus
    e_loss = pf.use("eq1").expr("expected_loss_trace")
    flow1 = tau * (-alpha * _matrix_grad(e_loss, GW1)).subs(units)
    flow2 = tau * (-alpha * _matrix_grad(e_loss, GW2)).subs(units)
    ch.equal(tau * -alpha * _matrix_grad(e_loss, GW1), flow1,
             "tau dW1/dt = -tau alpha dE[L]/dW1 (one full-batch GD step per unit of t), "
             "with alpha = N/tau, s^2 = eps/N (general D, H)",
             via=(lambda ex: ex.subs(units), *_VIA_M))
    dot1 = reading({WDOT1: flow1 / tau})  # dW1/dt: the GD step per unit of t
    sums = reading({_SUM_FORM: GW2.T * (SIGMA - GW2 * GW1 * SIGMA)})  # linearity, sigma-sum
    for k, eq in enumerate(pf.printed):
        ch.conclude(eq.lhs, flow1, f"line {k + 1}: tau dW1/dt read as the GD step",
                    via=(dot1, *_VIA_M))
    ch.conclude(pf.printed[0].rhs, flow1,
                "sum_i W2^T (x_i x_i^T - W2 W1 x_i x_i^T) = W2^T (Sigma - W2 W1 Sigma) by "
                "linearity, Sigma_xx = sum_i x_i x_i^T (general D, H)", via=(sums, *_VIA_M))
    ch.conclude(pf.printed[1].rhs, flow1, "the printed Sigma form (general D, H)", via=_VIA_M)
    ch.equal(pf.step.expr("rhs_W1"), flow1, "the form numerics evaluates", via=_VIA_M)
    ch.equal(pf.step.expr("rhs_W2"), flow2,
             "the same for W2: tau dW2/dt = (Sigma - W2 W1 Sigma) W1^T - eps W2 W1 W1^T",
             via=_VIA_M)
    # explicit N = 2, D = 3, H = 2: differentiate the scalar loss of [eq1] entry by entry,
    # and read the printed sum over the samples literally
    loss = pf.use("eq1").expr("expected_loss_D3_N2")
    nunits = {k: v.subs(N, NSAMP) for k, v in units.items()}
    step1 = (-alpha * W1.applyfunc(lambda wij: sp.diff(loss, wij))).subs(nunits)
    cov, sum_form = sp.zeros(DIM, DIM), sp.zeros(HID, DIM)
    for xv in XS:
        cov += xv * xv.T
        sum_form += W2.T * (xv * xv.T - W2 * W1 * xv * xv.T)
    read3 = explicit_shapes({D: DIM, H: HID},
                            {"W_1": W1, "W_2": W2, SIGMA.name: cov, _SUM_FORM.name: sum_form})
    for k, eq in enumerate(pf.printed):
        ch.equal(read3(eq.rhs), tau * step1,
                 f"line {k + 1} at N = 2, D = 3, H = 2: the printed right side = tau (W1' - W1) "
                 "= -tau alpha dE[L]/dW1, entrywise (the sum over the two samples written out)",
                 via=(sp.expand,))
    return ch.outcome(
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
    ch = pf.chain()
    r1, r2 = pf.use("3.1a").expr("rhs_W1"), pf.use("3.1a").expr("rhs_W2")
    to_bar = {GW1: BW1 * V.T, GW2: V * BW2, SIGMA: V * LAMBDA * V.T}
    via = _via_orth(V)
    # the intermediate printed line
    mid = (GW2.T * V * (LAMBDA - V.T * GW2 * GW1 * V * LAMBDA) * V.T
           - eps * GW2.T * GW2 * GW1)
    ch.equal(r1.xreplace({SIGMA: V * LAMBDA * V.T}), mid,
             "Sigma = V Lambda V^T, V^T V = I (the paper's intermediate line)", via=via)
    ch.equal(GW1 * V * V.T, GW1, "W1 = Wb1 V^T and W2 = V Wb2, since V V^T = I", via=via)
    flow1 = r1.xreplace(to_bar) * V  # tau dWb1/dt = (tau dW1/dt) V, V constant
    flow2 = V.T * r2.xreplace(to_bar)  # tau dWb2/dt = V^T (tau dW2/dt)
    dots = reading({WDOTB1: flow1 / tau, WDOTB2: flow2 / tau})
    for k, (eq, flow) in enumerate(zip(pf.printed, (flow1, flow2), strict=True)):
        ch.conclude(eq.lhs, flow, f"tau dWb{k + 1}/dt, Wb1 = W1 V, Wb2 = V^T W2 (V constant)",
                    via=(dots, *via))
        ch.conclude(eq.rhs, flow, f"[3.1a] rotated: cancel V^T V = V V^T = I (Wb{k + 1}, "
                    "general D, H)", via=via)
    # explicit: an exactly orthogonal rational V (Cayley), symbolic weights and eigenvalues
    ch.equal(sp.MatMul(sp.ImmutableMatrix(V3).T, sp.ImmutableMatrix(V3)), sp.eye(DIM),
             "the Cayley matrix V (D = 3) is orthogonal", via=(_doit, _mzero))
    explicit = explicit_shapes({D: DIM, H: HID}, {V.name: V3, LAMBDA.name: LAM3,
                                                   BW1.name: BW1_3, BW2.name: BW2_3})
    for k, (eq, flow) in enumerate(zip(pf.printed, (flow1, flow2), strict=True)):
        ch.equal(flow, eq.rhs, f"entrywise at D = 3, H = 2 with the Cayley V: general Wb1, "
                 f"Wb2, Lambda (Wb{k + 1} equation; products exact in Q[entries])",
                 via=(explicit, _mzero))
    return ch.outcome(
        Status.HOLDS,
        note="Exact rewriting of [3.1a] (and of the W2 flow derived there) in the eigenbasis; "
             "needs only V orthogonal and constant. Conventions as in 3.1a.")


# ---------------------------------------------------------------------------------------------
# [3.2] orthogonal initialisation: diagonal product, invariant form, decoupling
# ---------------------------------------------------------------------------------------------
def _prove_32(pf: Proof) -> Outcome:
    """[3.2] W2 = V D2 R^T, W1 = R D1 V^T: Wb2 Wb1 = D2 D1 and the form is kept by the flow."""
    ch = pf.chain()
    via = _via_orth(V, R)
    init = {GW1: R * D1 * V.T, GW2: V * D2 * R.T}
    bar = {BW1: GW1 * V, BW2: V.T * GW2}  # Wb1 = W1 V, Wb2 = V^T W2
    product = (V.T * GW2 * GW1 * V).xreplace(init)  # before any cancellation
    first, second = pf.printed
    ch.conclude(first.lhs, product, "Wb2 Wb1 = V^T W2 W1 V with W2 = V D2 R^T, W1 = R D1 V^T",
                via=(reading(bar), reading(init), *_VIA_M))
    ch.conclude(first.rhs, product, "the substitution, as written (no cancellation)",
                via=_VIA_M)
    ch.conclude(second.lhs, product, "the same product", via=_VIA_M)
    ch.conclude(second.rhs, product, "V^T V = I, R^T R = I: the product is D2 D1 "
                "(general D, H)", via=via)
    f1, f2 = pf.use("3.1b").expr("rhs_bar_W1"), pf.use("3.1b").expr("rhs_bar_W2")
    on_set = {BW1: R * D1, BW2: D2 * R.T}
    ch.equal(f1.xreplace(on_set), R * (D2.T * (LAMBDA - D2 * D1 * LAMBDA) - eps * D2.T * D2 * D1),
             "vector field at Wb1 = R D1, Wb2 = D2 R^T: R times a product of "
             "(rectangular) diagonal matrices", via=via)
    ch.equal(f2.xreplace(on_set), ((LAMBDA - D2 * D1 * LAMBDA) * D1.T - eps * D2 * D1 * D1.T)
             * R.T, "and for Wb2: (rectangular diagonal) R^T", via=via)
    # explicit D = 3 > H = 2 with a symbolic rotation R(r) and the rational V
    ch.equal(R2.T * R2, sp.eye(HID), "R(r) (Cayley, H = 2) is orthogonal for every r",
             via=(_cancel,))
    w2e, w1e = V3 * D2_3 * R2.T, R2 * D1_3 * V3.T
    read3 = explicit_shapes({D: DIM, H: HID}, {D1.name: D1_3, D2.name: D2_3})
    ch.equal(V3.T * w2e * w1e * V3, read3(second.rhs),
             "explicit D = 3, H = 2: Wb2 Wb1 = diag(b1 a1, b2 a2, 0); the direction j = 3 > H "
             "has zero mapping", via=(_cancel,))
    read_f = explicit_shapes({D: DIM, H: HID}, {BW1.name: R2 * D1_3, BW2.name: D2_3 * R2.T,
                                                LAMBDA.name: LAM3})
    ch.equal(R2.T * read_f(f1), _diag_field(RHS_W1, HID, DIM),
             "explicit: R^T tau dWb1/dt = diag(eq2 rhs per direction)", via=(_cancel,))
    ch.equal(read_f(f2) * R2, _diag_field(RHS_W2, DIM, HID),
             "explicit: tau dWb2/dt R = diag(eq3 rhs per direction)", via=(_cancel,))
    ch.fact("the set {Wb1 = R D1, Wb2 = D2 R^T : D1, D2 rectangular diagonal} is invariant",
            "the vector field is tangent to it (the lines above); the field is polynomial, "
            "hence locally Lipschitz, so the solution started there is unique and stays there")
    return ch.outcome(
        Status.HOLDS,
        note="R in R^{HxH} orthogonal and constant, D1 (HxD) and D2 (DxH) rectangular diagonal, "
             "V the eigenvectors of Sigma_xx. Directions j > H (H < D) carry no weights: their "
             "mapping [Wb2 Wb1]_jj is 0 for all t. The paper's 'D1, D2 diagonal' must be read "
             "as rectangular diagonal when H != D.")


# ---------------------------------------------------------------------------------------------
# [eq2], [eq3] scalar dynamics, [eq4] the loss they descend
# ---------------------------------------------------------------------------------------------
def _prove_scalar(pf: Proof, which: int) -> Outcome:
    """[eq2] (which = 1) or [eq3] (which = 2): the (j, j) entry of tau dD1/dt or tau dD2/dt."""
    ch = pf.chain()
    field = pf.use("3.1b").expr(f"rhs_bar_W{which}")
    read_f = explicit_shapes({D: DIM, H: HID}, {BW1.name: R2 * D1_3, BW2.name: D2_3 * R2.T,
                                                LAMBDA.name: LAM3})
    # on the invariant set of [3.2], Wb1 = R D1(t), Wb2 = D2(t) R^T with R constant
    moving = (D1_3 if which == 1 else D2_3).applyfunc(
        lambda a: sp.Function(str(a))(t) if a != 0 else a)
    on_set = R2 * moving if which == 1 else moving * R2.T
    ch.equal(on_set.applyfunc(lambda a: sp.Derivative(a, t)),
             R2 * moving.diff(t) if which == 1 else moving.diff(t) * R2.T,
             "d/dt (R D1(t)) = R dD1/dt (R constant), so tau dD1/dt = R^T (tau dWb1/dt)"
             if which == 1 else
             "d/dt (D2(t) R^T) = (dD2/dt) R^T (R constant), so tau dD2/dt = (tau dWb2/dt) R",
             via=(_cancel,))
    product = R2.T * read_f(field) if which == 1 else read_f(field) * R2
    flow = product.applyfunc(_cancel)
    diag = sp.Matrix(*flow.shape, lambda i, j: flow[i, j] if i == j else 0)
    ch.equal(product, diag, f"tau dD{which}/dt is rectangular diagonal: its off-diagonal entries "
             "vanish (D = 3, H = 2, R = R(r) Cayley, general D1, D2, Lambda)", via=(_cancel,))
    dot = _dw1j if which == 1 else _dw2j
    for k in range(HID):
        entry = diag[k, k]
        per_k = reading({_w1j: A_S[k], _w2j: B_S[k], _lamj: LAMS[k]})
        ch.conclude(pf.printed.rhs, entry, f"direction j = {k + 1}: the ({k + 1}, {k + 1}) entry "
                    f"of tau dD{which}/dt", via=(per_k, _cancel))
        ch.conclude(pf.printed.lhs, entry, f"tau dw{which}j/dt is that entry (j = {k + 1})",
                    via=(reading({dot: entry / tau}), per_k, _cancel))
        ch.equal(sp.Subs(pf.step.expr("rhs"), (w1, w2, lam), (A_S[k], B_S[k], LAMS[k])), entry,
                 f"the form numerics evaluates (j = {k + 1})", via=(_doit, _cancel))
    ch.fact("general D, H: the (j, j) entry of a product of rectangular diagonal matrices is "
            "the product of their (j, j) entries", "so entry j involves only w1j, w2j, lam_j")
    return ch.outcome(Status.HOLDS,
                      note="For j <= min(H, D). Conventions 'tau', 'eps', 'sigma-sum' as in "
                           "3.1a (lam_j is an eigenvalue of the SUM Sigma_xx).")


def _prove_eq2(pf: Proof) -> Outcome:
    """[eq2] tau dw1j/dt = w2j lam_j (1 - w2j w1j) - eps w2j^2 w1j."""
    return _prove_scalar(pf, 1)


def _prove_eq3(pf: Proof) -> Outcome:
    """[eq3] tau dw2j/dt = w1j lam_j (1 - w2j w1j) - eps w2j w1j^2."""
    return _prove_scalar(pf, 2)


def _prove_eq4(pf: Proof) -> Outcome:
    """[eq4] l = alpha E[L] on the decoupled weights, and dw/dt = -dl/dw (t in epochs)."""
    ch = pf.chain()
    units = _gd_units()
    # [eq1] in trace form on the decoupled weights W2 = V D2 R^T, W1 = R D1 V^T (D = 3, H = 2)
    e_loss = pf.use("eq1").expr("expected_loss_trace")
    read_w = explicit_shapes({D: DIM, H: HID}, {"W_1": R2 * D1_3 * V3.T, "W_2": V3 * D2_3 * R2.T,
                                                SIGMA.name: V3 * LAM3 * V3.T})
    prods = [B_S[0] * A_S[0], B_S[1] * A_S[1], sp.S.Zero]  # w_j = w2j w1j; w_3 = 0 (j > H)
    eig_form = sp.Add(*[(LAMS[j] * (1 - prods[j]) ** 2 + N * s**2 * prods[j] ** 2)
                        for j in range(DIM)]) / (2 * N)
    ch.equal(read_w(e_loss), eig_form,
             "[eq1] in trace form on the decoupled weights (D = 3, H = 2, V, R Cayley): "
             "E[L] = 1/(2N) sum_j [lam_j (1 - w_j)^2 + N s^2 w_j^2], w_3 = 0", via=(_cancel,))
    ell = (alpha * eig_form).subs(units)
    ch.equal(sp.Subs(alpha * eig_form, (alpha, s), (units[alpha], units[s])), ell,
             "l = alpha E[L] with alpha = N/tau, eps = N s^2", via=(_doit, sp.expand))
    idx = {}
    for k in range(DIM):
        idx[_w1b[k + 1]] = A_S[k] if k < HID else sp.S.Zero
        idx[_w2b[k + 1]] = B_S[k] if k < HID else sp.S.Zero
        idx[_lamb[k + 1]] = LAMS[k]

    def read_p(expr: sp.Basic) -> sp.Basic:  # the printed sum over j = 1..D at D = 3
        return expr.subs(D, DIM).doit().xreplace(idx)

    ch.conclude(pf.printed.rhs, ell,
                "the printed sum over j = 1..D at D = 3 (direction 3 > H has w2 w1 = 0 and "
                "contributes the constant lam_3/(2 tau))", via=(read_p, sp.expand))
    ell_printed = read_p(pf.printed.rhs)
    for k in range(HID):
        at_k = ((w1, w2, lam), (A_S[k], B_S[k], LAMS[k]))
        ch.equal(-sp.Derivative(ell_printed, A_S[k]),
                 sp.Subs(pf.use("eq2").expr("rhs") / tau, *at_k),
                 f"dw1j/dt = [eq2]/tau = -dl/dw1j (j = {k + 1}): unit-rate gradient flow of l",
                 via=(_doit, sp.expand))
        ch.equal(-sp.Derivative(ell_printed, B_S[k]),
                 sp.Subs(pf.use("eq3").expr("rhs") / tau, *at_k),
                 f"dw2j/dt = [eq3]/tau = -dl/dw2j (j = {k + 1})", via=(_doit, sp.expand))
    loss_j = pf.step.expr("loss")
    ch.equal(sp.Add(*[sp.Subs(loss_j, (w1, w2, lam), (A_S[k] if k < HID else 0,
                                                       B_S[k] if k < HID else 0, LAMS[k]))
                      for k in range(DIM)]), ell,
             "the per-direction loss numerics evaluates, summed over j = 1..3", via=(_doit,
                                                                                     sp.expand))
    return ch.outcome(
        Status.HOLDS,
        note="l = alpha E[L] restricted to the decoupled weights, so 'gradient descent on l' is "
             "dw/dt = -dl/dw with t in epochs (equivalently tau dw/dt = -d(tau l)/dw, "
             "tau l = N E[L]); this matches the GD step on E[L] with rate alpha in 3.1a. "
             "Consistent with eq1's scaling under conventions 'tau' and 'eps'. The sum over "
             "j = 1..D includes directions j > H (w2j w1j = 0), which add a constant.")


# ---------------------------------------------------------------------------------------------
S31A = Step(
    id="3.1a", section="3", title="Gradient flow of the expected loss",
    printed=sp.Tuple(
        sp.Eq(tau * WDOT1, _SUM_FORM - eps * GW2.T * GW2 * GW1, evaluate=False),
        sp.Eq(tau * WDOT1, rhs_w1(GW1, GW2, SIGMA), evaluate=False)),
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
        sp.Eq(tau * WDOTB1, rhs_bar_w1(BW1, BW2, LAMBDA), evaluate=False),
        sp.Eq(tau * WDOTB2, rhs_bar_w2(BW1, BW2, LAMBDA), evaluate=False)),
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
    printed=sp.Eq(tau * _dw1j, _per_j(RHS_W1)),
    proof=_prove_eq2, uses=("3.1b", "3.2"),
    note="One pair (w1j, w2j) per direction j <= min(H, D).",
    exprs={"rhs": RHS_W1},
)

EQ3 = Step(
    id="eq3", section="3", title="Scalar dynamics of w2j",
    printed=sp.Eq(tau * _dw2j, _per_j(RHS_W2)),
    proof=_prove_eq3, uses=("3.1b", "3.2"),
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
