"""The notes' optimisers on the paper's per-direction loss lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2.

Labels OD.hessian, OD.hessian.wd, OD.gd, OD.heavy-ball, OD.nesterov, OD.polyak, OD.imbalance,
OD.flow, OD.adam.scale, OD.decoupling (not printed in the notes; they answer issue 11's questions).
``eta`` multiplies grad l (eta = lr/N = 1/tau in the paper's units, its l carrying 1/tau);
``beta`` is torch's momentum.  Every fixed point with w = w1 w2 = w* = lam/(lam + eps) lies on a
hyperbola of fixed points, so each linearisation has an eigenvalue 1 along it; "stable" and
"contraction rate" refer to the transverse block (the Hessian's nonzero eigenvalue mu), which
governs w1 w2 - w*.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import LOSS, LOSS_WD, W_STAR, beta, c0, eps, eta, gam, lam, mu, w1, w2, z

u = sp.Symbol("u", positive=True)  # fixed point (w1, w2) = (u, w*/u)
FP = {w1: u, w2: W_STAR / u}
HESS = sp.hessian(LOSS, (w1, w2))
MU = (lam + eps) * (w1**2 + w2**2)  # nonzero eigenvalue at a fixed point
MU_C0 = sp.sqrt((lam + eps) ** 2 * c0**2 + 4 * lam**2)
GRAD = sp.Matrix([sp.diff(LOSS, w1), sp.diff(LOSS, w2)])
p1, p2 = sp.symbols("w_1' w_2'", real=True)  # previous iterate (momentum methods)

# ------------------------------------------------------------------ Hessian at the fixed points

HESSIAN = sp.Eq(sp.Symbol("mu"), MU_C0)


def _prove_hessian(pf: Proof) -> Outcome:
    ch = pf.chain()
    hfp = HESS.subs(FP)
    xs = (w1, w2)
    ch.equal(sp.Matrix(2, 2, lambda i, j: sp.Subs(sp.Derivative(LOSS, xs[i], xs[j]), xs,
                                                   (u, W_STAR / u))),
             sp.Matrix([[(lam + eps) * (W_STAR / u) ** 2, lam], [lam, (lam + eps) * u**2]]),
             "at a fixed point w1 w2 = w*: H = [[(lam+eps) w2^2, lam], [lam, (lam+eps) w1^2]] "
             "(off-diagonal 2 (lam+eps) w* - lam = lam)", via=(sp.cancel,))
    ch.equal(sp.Determinant(hfp - z * sp.eye(2)), z * (z - MU.subs(FP)),
             "det H = (lam+eps)^2 w*^2 - lam^2 = 0: eigenvalues 0 (along the hyperbola of fixed "
             "points) and mu = tr H = (lam + eps)(w1^2 + w2^2)", via=(sp.expand, sp.cancel))
    ch.equal(MU.subs(FP) ** 2, ((lam + eps) ** 2 * (sp.Symbol("D") ** 2 + 4 * W_STAR**2)).subs(
        sp.Symbol("D"), (W_STAR / u) ** 2 - u**2), "(w1^2 + w2^2)^2 = c0^2 + 4 w1^2 w2^2 with "
        "c0 = |w2^2 - w1^2|: mu^2 = (lam+eps)^2 c0^2 + 4 lam^2", via=(sp.expand, sp.cancel))
    zeta = sp.sqrt(c0**2 * (1 + eps / lam) ** 2 + 4)  # eq5: beta = c0 (1 + eps/lam)
    ch.equal(lam * zeta, MU_C0, "= lam zeta of [eq5] (zeta = sqrt(beta^2 + 4), beta = c0 (1 + "
             "eps/lam)): the Hessian's nonzero eigenvalue is eq5's asymptotic rate, "
             "w(t) - w* ~ exp(-lam zeta t/tau)", via=(lambda e: sp.simplify(e**1),))
    ch.conclude(pf.printed.rhs, sp.sqrt((lam + eps) ** 2 * c0**2 + 4 * lam**2),
                "mu in the paper's quantities; balanced (c0 = 0): mu = 2 lam, free of eps")
    return ch.outcome(Status.HOLDS, note="At the origin (a saddle) the eigenvalues are +-lam.")


# ------------------------------------------------------------------ weight-decay variant

GRAD_WD = sp.Matrix([sp.diff(LOSS_WD, w1), sp.diff(LOSS_WD, w2)])
HESS_WD = sp.hessian(LOSS_WD, (w1, w2))
U_WD = sp.sqrt(1 - gam / lam)  # balanced fixed point w1 = w2 = u, u^2 = 1 - gamma_N/lam
HESSIAN_WD = sp.Tuple(sp.Eq(sp.Symbol("mu_1"), 2 * (lam - gam)), sp.Eq(sp.Symbol("mu_2"), 2 * gam))


def _prove_hessian_wd(pf: Proof) -> Outcome:
    ch = pf.chain()
    rr = lam * (w1 * w2 - 1)
    ch.equal(GRAD_WD, sp.Matrix([rr * w2 + gam * w1, rr * w1 + gam * w2]),
             "grad l_gamma = r (w2, w1) + gamma_N (w1, w2), r = lam (w1 w2 - 1)")
    ch.equal(w1 * GRAD_WD[0] - w2 * GRAD_WD[1], gam * (w1**2 - w2**2),
             "w1 d1 - w2 d2 = gamma_N (w1^2 - w2^2): for gamma_N > 0 every fixed point is "
             "balanced (w1^2 = w2^2); the hyperbola of fixed points collapses to points")
    ch.equal(sp.Subs(GRAD_WD[0], (w1, w2), (U_WD, U_WD)), 0,
             "w1 = w2 = u with u^2 = 1 - gamma_N/lam is a fixed point (gamma_N < lam)")
    hfp = HESS_WD.subs({w1: U_WD, w2: U_WD})
    ch.equal(sp.Determinant(hfp - z * sp.eye(2)), (z - 2 * (lam - gam)) * (z - 2 * gam),
             "its Hessian has eigenvalues 2 (lam - gamma_N) (along w1 w2) and 2 gamma_N "
             "(across the old hyperbola, rebalancing): no neutral direction",
             via=(sp.expand,))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(sp.Symbol("mu_1"), 2 * (lam - gam)),
                                     sp.Eq(sp.Symbol("mu_2"), 2 * gam)),
                "GD is stable iff eta < 1/max(lam - gamma_N, gamma_N); the slow mode contracts "
                "by 1 - 2 eta gamma_N per step")
    return ch.outcome(Status.HOLDS, note="Weight decay makes the fixed point isolated: the "
                      "imbalance decays (factor (1 - eta gamma_N)^2 - eta^2 r^2 per GD step, "
                      "OD.imbalance) instead of being conserved. numerics.stability covers the "
                      "noise (DAE) loss only.")


# ------------------------------------------------------------------ GD, heavy ball, Nesterov


A1, A0 = sp.symbols("a_1 a_0")


def _shown_jacobian(step: sp.Matrix, xs: list[sp.Symbol]) -> sp.Matrix:
    """The Jacobian as unevaluated derivatives (at w_prev = w), for the report."""
    at = {p1: w1, p2: w2}
    return sp.Matrix(step.shape[0], len(xs), lambda i, j: sp.Subs(
        sp.Derivative(step[i], xs[j]), tuple(at), tuple(at.values())))


def _transverse(ch, jac: sp.Matrix, poly: sp.Matrix, block: sp.Expr, neutral: sp.Expr,  # noqa: ANN001
                what: str) -> None:
    """``poly`` (2 x 2, a polynomial in z and H) is det-equivalent to J - z I; check that its
    determinant at a fixed point factors as neutral(z) * block(z) with mu the nonzero
    eigenvalue of H."""
    ch.equal(sp.Determinant(poly.subs(FP)), sp.expand(neutral * block.subs(mu, MU.subs(FP))),
             f"{what}: at a fixed point (w1, w2) = (u, w*/u) the characteristic polynomial "
             "factors into the neutral direction (mu = 0) times the transverse one",
             via=(sp.expand, sp.cancel))


GD_BLOCK = z - (1 - eta * mu)
GD_THRESHOLD = 2 / mu
GD = sp.Tuple(sp.Eq(sp.Symbol("eta_max"), 2 / mu), sp.Eq(sp.Symbol("rho"), sp.Abs(1 - eta * mu)))


def _prove_gd(pf: Proof) -> Outcome:
    ch = pf.chain()
    step = sp.Matrix([w1, w2]) - eta * GRAD
    jac = step.jacobian([w1, w2])
    ch.equal(_shown_jacobian(step, [w1, w2]), sp.eye(2) - eta * HESS,
             "the GD map's Jacobian is I - eta H")
    _transverse(ch, jac, jac - z * sp.eye(2), GD_BLOCK, z - 1, "GD w <- w - eta grad l")
    ch.equal(sp.Subs(1 - eta * mu, eta, 2 / mu), -1, "the multiplier 1 - eta mu leaves (-1, 1) at "
             "eta = 2/mu (it decreases in eta)")
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(sp.Symbol("eta_max"), GD_THRESHOLD),
                                     sp.Eq(sp.Symbol("rho"), sp.Abs(1 - eta * mu))),
                "stable iff 0 < eta < 2/mu; per-step contraction |1 - eta mu|")
    return ch.outcome(Status.HOLDS, note="Balanced fixed point: eta < 1/lam (= tau/lam), the "
                      "bound of pretorius2018:D.step. Beyond the local threshold (measured, "
                      "tests/test_notes_dynamics.py): at the balanced point GD, heavy ball and "
                      "Nesterov settle into a bounded period-2 oscillation, not divergence; at "
                      "an unbalanced point they drift to a more balanced fixed point (smaller "
                      "mu) and converge there.")


HB_BLOCK = z**2 - (1 + beta - eta * mu) * z + beta
HB = sp.Eq(sp.Symbol("eta_max"), 2 * (1 + beta) / mu)


def _jury(block: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Schur-Cohn/Jury for z^2 + a1 z + a0: both roots in |z| < 1 iff |a0| < 1, 1 + a1 + a0 > 0,
    1 - a1 + a0 > 0; returns (a0, 1 + a1 + a0, 1 - a1 + a0)."""
    p = sp.Poly(block, z)
    _, a1, a0 = p.all_coeffs()
    return a0, sp.expand(1 + a1 + a0), sp.expand(1 - a1 + a0)


def _prove_hb(pf: Proof) -> Outcome:
    ch = pf.chain()
    hb = pf.use("LN.hb")
    ch.fact(hb.printed, "the heavy-ball map (torch's SGD with momentum beta, dampening 0, from "
            "the second step on), on the state (w, w_prev)")
    w, wp = sp.Matrix([w1, w2]), sp.Matrix([p1, p2])
    step = sp.Matrix.vstack(w - eta * GRAD + beta * (w - wp), w)
    jac = step.jacobian([w1, w2, p1, p2]).subs({p1: w1, p2: w2})
    i2, z2 = sp.eye(2), sp.zeros(2)
    ch.equal(_shown_jacobian(step, [w1, w2, p1, p2]),
             sp.Matrix(sp.BlockMatrix([[(1 + beta) * i2 - eta * HESS, -beta * i2], [i2, z2]])),
             "Jacobian on (w, w_prev) at w_prev = w: [[(1+beta) I - eta H, -beta I], [I, 0]]")
    ch.fact("det(J - z I) = det(z^2 I - z ((1+beta) I - eta H) + beta I)", "Schur complement; "
            "the blocks are polynomials in H, so they commute")
    _transverse(ch, jac, z**2 * i2 - z * ((1 + beta) * i2 - eta * HESS) + beta * i2, HB_BLOCK,
                z**2 - (1 + beta) * z + beta, "heavy ball")
    a0, s_plus, s_minus = _jury(HB_BLOCK)
    ch.equal(sp.Subs(1 + A1 + A0, (A1, A0), (-(1 + beta - eta * mu), beta)), s_plus,
             "Jury: 1 + a1 + a0 = eta mu > 0")
    ch.equal(sp.Subs(1 - A1 + A0, (A1, A0), (-(1 + beta - eta * mu), beta)),
             2 * (1 + beta) - eta * mu, "1 - a1 + a0 = 2(1 + beta) - eta mu > 0 iff "
             "eta < 2(1 + beta)/mu; |a0| = beta < 1")
    ch.equal(sp.Subs(s_minus, eta, 2 * (1 + beta) / mu), 0, "the boundary: a root at z = -1")
    ch.conclude(pf.printed.rhs, 2 * (1 + beta) / mu, "heavy ball is linearly stable at the fixed "
                "point iff 0 < eta < 2(1 + beta)/mu (0 <= beta < 1); rate = largest |root| of "
                "z^2 - (1 + beta - eta mu) z + beta (sqrt(beta) when the roots are complex)")
    return ch.outcome(Status.HOLDS, note="The neutral factor (z - 1)(z - beta): motion along "
                      "the hyperbola of fixed points is damped by beta per step.")


NAG_BLOCK = z**2 - (1 + beta) * (1 - eta * mu) * z + beta * (1 - eta * mu)
NAG = sp.Eq(sp.Symbol("eta_max"), 2 * (1 + beta) / ((1 + 2 * beta) * mu))


def _prove_nag(pf: Proof) -> Outcome:
    ch = pf.chain()
    # torch: b_k = beta b_{k-1} + g_k; w_{k+1} = w_k - eta (g_k + beta b_k).  In (w, w_prev):
    gk, gkm, bkm, wk, wkm = sp.symbols("g_k g_{k-1} b_{k-1} w_k w_{k-1}", real=True)
    torch_step = wk - eta * (gk + beta * (beta * bkm + gk))
    prev = wkm - eta * (gkm + beta * bkm)  # w_k from w_{k-1}: solve for b_{k-1}
    bsol = sp.solve(sp.Eq(wk, prev), bkm)[0]
    two_step = wk + beta * (wk - wkm) - eta * (1 + beta) * gk + eta * beta * gkm
    ch.equal(torch_step.subs(bkm, bsol), two_step, "torch's Nesterov step in (w, w_prev): "
             "w_{k+1} = w_k + beta (w_k - w_{k-1}) - eta (1 + beta) g_k + eta beta g_{k-1}",
             via=(sp.expand, sp.cancel))
    w, wp = sp.Matrix([w1, w2]), sp.Matrix([p1, p2])
    gp = GRAD.subs({w1: p1, w2: p2}, simultaneous=True)
    step = sp.Matrix.vstack(w + beta * (w - wp) - eta * (1 + beta) * GRAD + eta * beta * gp, w)
    jac = step.jacobian([w1, w2, p1, p2]).subs({p1: w1, p2: w2})
    i2, z2 = sp.eye(2), sp.zeros(2)
    k_ = i2 - eta * HESS
    ch.equal(_shown_jacobian(step, [w1, w2, p1, p2]),
             sp.Matrix(sp.BlockMatrix([[(1 + beta) * k_, -beta * k_], [i2, z2]])),
             "Jacobian on (w, w_prev) at w_prev = w: [[(1+beta)(I - eta H), -beta (I - eta H)], "
             "[I, 0]]")
    ch.fact("det(J - z I) = det(z^2 I - z (1+beta)(I - eta H) + beta (I - eta H))",
            "Schur complement; the blocks are polynomials in H, so they commute")
    _transverse(ch, jac, z**2 * i2 - z * (1 + beta) * k_ + beta * k_, NAG_BLOCK,
                z**2 - (1 + beta) * z + beta, "Nesterov (torch)")
    a0, s_plus, s_minus = _jury(NAG_BLOCK)
    coeffs = (-(1 + beta) * (1 - eta * mu), beta * (1 - eta * mu))
    ch.equal(sp.Subs(1 + A1 + A0, (A1, A0), coeffs), eta * mu, "Jury: 1 + a1 + a0 = eta mu > 0")
    ch.equal(sp.Subs(1 - A1 + A0, (A1, A0), coeffs), 2 + 2 * beta - (1 + 2 * beta) * eta * mu,
             "1 - a1 + a0 > 0 iff eta < "
             "2(1 + beta)/((1 + 2 beta) mu); then |a0| = beta |1 - eta mu| < beta < 1")
    ch.conclude(pf.printed.rhs, sp.solve(s_minus, eta)[0], "the threshold: where a root reaches "
                "z = -1")
    return ch.outcome(Status.HOLDS, note="Nesterov's threshold is below heavy ball's 2(1+beta)/mu "
                      "by the factor 1 + 2 beta (e.g. 1/2.8 at beta = 0.9).")


# ------------------------------------------------------------------ Polyak

m_, L_ = sp.symbols("m L", positive=True)
POLYAK = sp.Tuple(sp.Eq(sp.Symbol("eta^*"), 4 / (sp.sqrt(L_) + sp.sqrt(m_)) ** 2),
                  sp.Eq(sp.Symbol("beta^*"), ((sp.sqrt(L_) - sp.sqrt(m_))
                                              / (sp.sqrt(L_) + sp.sqrt(m_))) ** 2))


def _prove_polyak(pf: Proof) -> Outcome:
    ch = pf.chain()
    e_s, b_s = POLYAK[0].rhs, POLYAK[1].rhs
    disc = (1 + beta - eta * mu) ** 2 - 4 * beta
    for end in (m_, L_):
        ch.equal(sp.Subs(disc, (eta, beta, mu), (e_s, b_s, end)), 0,
                 f"at mu = {end} the heavy-ball roots coincide (double root sqrt(beta*))",
                 via=(sp.cancel, sp.radsimp, sp.expand))
    ch.fact("for mu in [m, L] the roots are complex with modulus sqrt(beta*) (discriminant <= 0 "
            "between its two zeros); no (eta, beta) gives a smaller worst-case modulus",
            "Polyak (1964); the discriminant is convex in mu and vanishes at both ends")
    ch.equal(sp.Subs((sp.sqrt(L_) - sp.sqrt(m_)) / (sp.sqrt(L_) + sp.sqrt(m_)), L_,
                     sp.Symbol("kappa", positive=True) * m_),
             (sp.sqrt(sp.Symbol("kappa", positive=True)) - 1)
             / (sp.sqrt(sp.Symbol("kappa", positive=True)) + 1),
             "rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = L/m", via=(sp.simplify,))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(sp.Symbol("eta^*"), e_s), sp.Eq(sp.Symbol("beta^*"),
                                                                             b_s)),
                "Polyak's optimal heavy-ball parameters for curvatures in [m, L]")
    return ch.outcome(Status.HOLDS, note="Per direction (one curvature mu, m = L): beta* = 0, "
                      "eta* = 1/mu (Newton's step, rate 0). For all directions at the balanced "
                      "fixed points mu_j = 2 lam_j: m = 2 lam_H, L = 2 lam_1.")


# ------------------------------------------------------------------ GD imbalance law

r = sp.Symbol("r", real=True)  # dl/dw at w = w1 w2
Dk = sp.Symbol("D_k", real=True)
IMBALANCE = sp.Eq(sp.Symbol("D_{k+1}"), (1 - eta**2 * r**2) * Dk)


def _prove_imbalance(pf: Proof) -> Outcome:
    ch = pf.chain()
    rr = (lam + eps) * w1 * w2 - lam
    ch.equal(GRAD, sp.Matrix([rr * w2, rr * w1]), "grad l = r (w2, w1), r = dl/dw = (lam + eps) "
             "w - lam")
    n1, n2 = w1 - eta * r * w2, w2 - eta * r * w1
    ch.equal(n2**2 - n1**2, (1 - eta**2 * r**2) * (w2**2 - w1**2),
             "one GD step: D = w2^2 - w1^2 is multiplied by 1 - eta^2 r^2")
    g1, g2 = w1 - eta * (r * w2 + gam * w1), w2 - eta * (r * w1 + gam * w2)
    ch.equal(g2**2 - g1**2, ((1 - eta * gam) ** 2 - eta**2 * r**2) * (w2**2 - w1**2),
             "with weight decay (l_gamma, r = lam (w - 1), N gamma = gamma_N): factor "
             "(1 - eta gamma_N)^2 - eta^2 r^2")
    ch.check("tests/test_notes_dynamics.py: the law holds along nonlinear GD runs to 1e-12")
    ch.conclude(pf.printed.rhs, (n2**2 - n1**2).subs(w2, sp.sqrt(Dk + w1**2)),
                "the exact discrete law; the flow's conservation "
                "(pretorius2018 B.conserved) is its eta -> 0 limit, broken at O(eta^2 r^2) per "
                "step", via=(sp.expand,))
    return ch.outcome(Status.HOLDS, note="Since r -> 0 at the fixed point, D_k converges to a "
                      "nonzero limit: GD keeps the imbalance up to prod(1 - eta^2 r_k^2); it "
                      "shrinks |D| (never flips its sign while eta |r| < 1).")


# ------------------------------------------------------------------ momentum flow limit

h = sp.Symbol("h", positive=True)
FLOW = sp.Eq(sp.Symbol("c_2"), (1 + beta) * eta / (2 * (1 - beta) ** 2))


def _prove_flow(pf: Proof) -> Outcome:
    ch = pf.chain()
    tt = sp.Symbol("t")
    x = sp.Function("w")
    hh = eta / (1 - beta)  # time per step
    lhs = x(tt + h) - (1 + beta) * x(tt) + beta * x(tt - h)
    ser = sp.series(lhs, h, 0, 3).removeO().doit()
    d1, d2 = sp.Derivative(x(tt), tt), sp.Derivative(x(tt), (tt, 2))
    ch.equal(ser, (1 - beta) * h * d1 + (1 + beta) * h**2 / 2 * d2,
             "Taylor: w(t+h) - (1+beta) w(t) + beta w(t-h) = (1-beta) h w' + (1+beta) h^2/2 w'' "
             "+ O(h^3)", via=(lambda e: sp.expand(e.doit()),))
    ch.fact("heavy ball: w_{k+1} - (1+beta) w_k + beta w_{k-1} = -eta grad l(w_k)", "[LN.hb]")
    coef = sp.cancel(((1 + beta) * h**2 / 2) / ((1 - beta) * h)).subs(h, hh)
    ch.equal(coef, (1 + beta) * eta / (2 * (1 - beta) ** 2),
             "dividing by (1 - beta) h = eta with h = eta/(1 - beta): w' + c2 w'' = -grad l, "
             "c2 = (1 + beta) eta / (2 (1 - beta)^2)", via=(sp.cancel,))
    ch.conclude(pf.printed.rhs, coef, "the flow limit: t = k eta/(1 - beta), i.e. the paper's "
                "closed forms with tau_eff = tau (1 - beta); first-order error O(eta/(1-beta)^2)",
                via=(sp.cancel,))
    return ch.outcome(Status.HOLDS, note="The paper's closed forms describe momentum with time "
                      "rescaled by 1/(1 - beta) (tau -> tau (1 - beta)), to first order in "
                      "eta/(1 - beta)^2: the error halves with eta at fixed beta (tested), "
                      "and the initial velocity layer (torch starts at rest) is of the same order.")


# ------------------------------------------------------------------ Adam scale invariance

cs = sp.Symbol("c", positive=True)
gg, mm, vv = sp.Symbol("g", real=True), sp.Symbol("m", real=True), sp.Symbol("v", nonnegative=True)
b1, b2 = sp.symbols("beta_1 beta_2", nonnegative=True)


def _adam_delta(gr: sp.Expr, m0: sp.Expr, v0: sp.Expr, e: sp.Expr) -> sp.Expr:
    m1 = b1 * m0 + (1 - b1) * gr
    v1 = b2 * v0 + (1 - b2) * gr**2
    return -eta * m1 / (sp.sqrt(v1) + e)


ADAM_SCALE = sp.Eq(_adam_delta(cs * gg, cs * mm, cs**2 * vv, 0), _adam_delta(gg, mm, vv, 0),
                   evaluate=False)


def _prove_adam_scale(pf: Proof) -> Outcome:
    ch = pf.chain()
    scaled = _adam_delta(cs * gg, cs * mm, cs**2 * vv, 0)
    ch.equal(scaled, _adam_delta(gg, mm, vv, 0), "gradients (and so the moments) scaled by c > 0: "
             "the eps = 0 update of Adam/RMSprop is unchanged (by induction, along the whole "
             "run; the bias corrections do not involve g)", via=(sp.powsimp, sp.cancel))
    ee = sp.Symbol("epsilon", positive=True)
    ch.equal(_adam_delta(cs * gg, cs * mm, cs**2 * vv, ee), _adam_delta(gg, mm, vv, ee / cs),
             "with eps > 0 scaling by c equals eps -> eps/c", via=(sp.cancel,))
    ch.equal(GRAD, (lam + eps) * (w1 * w2 - W_STAR) * sp.Matrix([w2, w1]),
             "per direction grad l = (lam + eps)(w - w*)(w2, w1): lam and eps enter only through "
             "the factor lam + eps and the target w* = lam/(lam + eps)", via=(sp.cancel,))
    ch.conclude(pf.printed.lhs, _adam_delta(gg, mm, vv, 0), "the printed invariance: "
                "Delta(c g, c m, c^2 v) = Delta(g, m, v)", via=(sp.powsimp, sp.cancel))
    ch.conclude(pf.printed.rhs, _adam_delta(gg, mm, vv, 0), "its right side is the unscaled "
                "update", via=(sp.cancel,))
    return ch.outcome(Status.HOLDS, note="Consequences (eps_Adam -> 0): a direction's trajectory "
                      "depends on lam and the noise eps only through w* = lam/(lam + eps): "
                      "without noise every direction learns on the same clock (the eigenvalue "
                      "ordering of learning times disappears); noise changes only the target. "
                      "Weight decay does not factor out (grad l_gamma = lam (w - 1)(w2, w1) + "
                      "gamma_N (w1, w2)): it still shapes the trajectory, through gamma_N/lam.")


# ------------------------------------------------------------------ decoupling / equivariance

th = sp.Symbol("theta", real=True)
Q = sp.Matrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])
_gv = sp.Matrix(sp.symbols("g_1 g_2", real=True))
_bv = sp.Matrix(sp.symbols("b_1 b_2", real=True))


def _hb_step(gr: sp.Matrix, buf: sp.Matrix) -> sp.Matrix:
    """torch's SGD with momentum: w <- w - eta (beta b + g) (the buffer update itself)."""
    return -eta * (beta * buf + gr)


_lhs, _rhs = Q * _hb_step(_gv, _bv), _hb_step(Q * _gv, Q * _bv)
DECOUPLING = sp.Tuple(*(sp.Eq(_lhs[i], _rhs[i], evaluate=False) for i in range(2)))


def _prove_decoupling(pf: Proof) -> Outcome:
    ch = pf.chain()
    ch.equal(Q * _hb_step(_gv, _bv), _hb_step(Q * _gv, Q * _bv),
             "heavy ball (and Nesterov, GD): the update is linear in (g, buffer) with scalar "
             "coefficients, so it commutes with any rotation Q: orthogonal initialisation "
             "decouples in every basis", via=(sp.expand,))

    def rms(gr: sp.Matrix) -> sp.Matrix:  # first RMSprop step (v_0 = 0, eps = 0), elementwise
        return sp.Matrix([-eta * x / sp.sqrt((1 - beta) * x**2) for x in gr])

    gnum = sp.Matrix([1, 2])
    qq = Q.subs(th, sp.pi / 4)
    ch.equal(qq * rms(gnum) - rms(qq * gnum),
             -eta / sp.sqrt(1 - beta) * sp.Matrix([1, sp.sqrt(2) - 1]),
             "RMSprop/Adam (elementwise sqrt of g o g): g = (1, 2), Q = rotation by pi/4: "
             "Q step(g) - step(Q g) != 0; equivariance only for signed permutations",
             via=(sp.expand, sp.radsimp, sp.simplify))
    derived_l, derived_r = Q * _hb_step(_gv, _bv), _hb_step(Q * _gv, Q * _bv)
    for i in range(2):
        ch.conclude(pf.printed[i], sp.Eq(derived_r[i], derived_l[i], evaluate=False),
                    f"component {i + 1}: Q step(g, b) = step(Q g, Q b) for heavy ball (each side "
                    "equals the rotated update)", via=(sp.expand,))
    return ch.outcome(Status.HOLDS, note="GD, heavy ball and Nesterov preserve the paper's "
                      "eigenbasis decoupling from orthogonal initialisation in any coordinates; "
                      "RMSprop, AdaGrad and Adam only in the eigenbasis (or any basis obtained "
                      "from it by a signed permutation), not in pixel coordinates.")


FIXED = Assumption("a fixed point: w1 w2 = w* = lam/(lam + eps), lam > 0, eps >= 0")
STEPS: tuple[Step, ...] = (
    Step(id="OD.hessian", section="D", title="Hessian at the fixed points, eq5's rate",
         printed=HESSIAN, proof=_prove_hessian, printed_in_paper=False, assumes=(FIXED,),
         exprs={"hessian": sp.ImmutableMatrix(HESS), "mu": MU, "mu_c0": MU_C0, "w_star": W_STAR}),
    Step(id="OD.hessian.wd", section="D", title="Weight decay: isolated fixed points",
         printed=HESSIAN_WD, proof=_prove_hessian_wd, printed_in_paper=False,
         assumes=(Assumption("0 < gamma_N < lam (gamma_N = N gamma)"),),
         exprs={"hessian": sp.ImmutableMatrix(HESS_WD), "u_squared": 1 - gam / lam}),
    Step(id="OD.gd", section="D", title="GD: stability threshold and contraction",
         printed=GD, proof=_prove_gd, printed_in_paper=False, assumes=(FIXED,),
         exprs={"threshold": GD_THRESHOLD, "block": GD_BLOCK, "grad_1": GRAD[0],
                "grad_2": GRAD[1]}),
    Step(id="OD.heavy-ball", section="D", title="Heavy ball: stability threshold and rate",
         printed=HB, proof=_prove_hb, uses=("LN.hb",), printed_in_paper=False,
         assumes=(FIXED, Assumption("0 <= beta < 1")),
         exprs={"threshold": 2 * (1 + beta) / mu, "block": HB_BLOCK}),
    Step(id="OD.nesterov", section="D", title="Nesterov (torch's form): threshold and rate",
         printed=NAG, proof=_prove_nag, printed_in_paper=False,
         assumes=(FIXED, Assumption("0 <= beta < 1")),
         exprs={"threshold": NAG.rhs, "block": NAG_BLOCK}),
    Step(id="OD.polyak", section="D", title="Polyak's optimal momentum and step",
         printed=POLYAK, proof=_prove_polyak, printed_in_paper=False,
         exprs={"eta": POLYAK[0].rhs, "beta": POLYAK[1].rhs}),
    Step(id="OD.imbalance", section="D", title="The exact discrete law of the GD imbalance",
         printed=IMBALANCE, proof=_prove_imbalance, printed_in_paper=False,
         exprs={"factor": 1 - eta**2 * ((lam + eps) * w1 * w2 - lam) ** 2,
                "factor_wd": (1 - eta * gam) ** 2 - eta**2 * (lam * (w1 * w2 - 1)) ** 2,
                "loss_wd": LOSS_WD}),
    Step(id="OD.flow", section="D", title="Momentum's flow limit", printed=FLOW,
         proof=_prove_flow, printed_in_paper=False,
         exprs={"time_per_step": eta / (1 - beta)}),
    Step(id="OD.adam.scale", section="D", title="Adam/RMSprop scale invariance",
         printed=ADAM_SCALE, proof=_prove_adam_scale, printed_in_paper=False),
    Step(id="OD.decoupling", section="D", title="Which optimisers keep eigenbasis decoupling",
         printed=DECOUPLING, proof=_prove_decoupling, printed_in_paper=False),
)
