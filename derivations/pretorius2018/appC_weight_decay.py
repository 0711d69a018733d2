"""Section 5 / Appendix C: the weight-decayed (WDAE) dynamics and the closed form eq7.

Labels eq6, C.loss, C.ode, C.w, C.t, eq7, 5.claim1, plus eq7.critical (N gamma = lam).
Each proof derives its statement from the steps it uses and compares the result with the
printed statement it is handed (``pf.printed``).
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof, ProofError
from ..engine.step import Assumption, Outcome, Status, Step
from .decay_definitions import (
    LOSS_GAMMA,
    RHS_W_GAMMA,
    W_GAMMA_CORRECT,
    W_STAR_EPS,
    initial_rate,
)
from .symbols import XI, N, alpha, gamma, lam, t, tau, w, w0, w1, w2, wf

# -- [eq6] as printed: the plain AE loss plus an L2 penalty on both weight matrices ----------
_i = sp.Symbol("i", integer=True, positive=True)
L_GAMMA = sp.Symbol("L_gamma")
# squared norms (braced names: sympy's LaTeX leaves them whole)
NORM_X = sp.Symbol(r"{\|x_i - W_2 W_1 x_i\|}") ** 2
NORM_W1, NORM_W2 = sp.Symbol(r"{\|W_1\|}") ** 2, sp.Symbol(r"{\|W_2\|}") ** 2
EQ6_RHS = sp.Sum(NORM_X, (_i, 1, N)) / (2 * N) + gamma / 2 * (NORM_W1 + NORM_W2)
ELL_GAMMA = sp.Symbol("ell_gamma")
#: [C.ode] as printed (tau * d/dt)
RHS1 = w2 * (lam - w2 * w1 * lam) - N * gamma * w1
RHS2 = w1 * (lam - w2 * w1 * lam) - N * gamma * w2
#: [C.t] as printed
T_OF_WF = tau / (2 * (lam - N * gamma)) * sp.log(
    wf * (lam - N * gamma - w0 * lam) / (w0 * (lam - N * gamma - wf * lam)))
#: [eq7] as printed: E_gamma = exp(2 xi t / tau)
E_PRINTED = sp.exp(2 * XI * t / tau)
W_PRINTED = XI * E_PRINTED / (E_PRINTED - 1 + XI / w0)
#: N gamma = lam (xi = 0), where eq7 is 0/0
W_CRITICAL = w0 / (1 + 2 * lam * w0 * t / tau)
W_GAMMA = sp.Function("w_gamma")
#: [5.claim1] read precisely: the initial relative growth rates (1/w) dw/dt as w0 -> 0
RATE_DAE, RATE_WDAE = sp.symbols("r_DAE r_WDAE")


def _rot(x: sp.Symbol) -> sp.Matrix:
    return sp.Matrix([[sp.cos(x), -sp.sin(x)], [sp.sin(x), sp.cos(x)]])


def _trig(e: sp.Expr) -> sp.Expr:
    return sp.trigsimp(sp.expand(e))


def _prove_eq6(pf: Proof) -> Outcome:
    """[eq6] is a definition; its penalty is a per-direction sum under orthogonal init [3.2]."""
    ch = pf.chain()
    ch.fact("L_gamma = L + gamma/2 (||W1||_F^2 + ||W2||_F^2), L the plain AE loss "
            "1/(2N) sum_i ||x_i - W2 W1 x_i||^2",
            "a definition of the paper (weight decay: an L2 penalty of strength gamma/2 on both "
            "weight matrices added to the noiseless loss of [eq1])")
    m = sp.Matrix(2, 2, sp.symbols("m_11 m_12 m_21 m_22", real=True))
    ch.equal(sp.Trace(sp.ImmutableMatrix(m.T * m)), sum(e**2 for e in m),
             "||W||_F^2 = tr(W^T W) = sum of the squared entries (2 x 2)")
    a, c = sp.symbols("a c", real=True)  # rotation angles of R and V
    d1 = sp.diag(*sp.symbols("w_11 w_12", real=True))
    w1m = _rot(a) * d1 * _rot(c).T  # W1 = R D1 V^T
    ch.equal((w1m.T * w1m).trace(), (d1.T * d1).trace(),
             "||R D1 V^T||_F^2 = sum_j w1j^2 for orthogonal R, V (2 x 2): the penalty splits over "
             "directions as gamma/2 (w1j^2 + w2j^2)", via=(_trig,))
    data = sp.Sum(NORM_X, (_i, 1, N)) / (2 * N)
    ch.conclude(pf.printed, sp.Eq(L_GAMMA, data + gamma / 2 * (NORM_W1 + NORM_W2)),
                "the printed L_gamma is that definition")
    return ch.outcome(Status.HOLDS, note="A definition; its per-direction form feeds [C.loss].")


def _prove_loss(pf: Proof) -> Outcome:
    """[C.loss] eq6 in the eigenbasis of Sigma_xx ([3.2]), one direction, times alpha."""
    ch = pf.chain()
    eq6 = pf.use("eq6").expr("loss")
    x1, x2 = (sp.Matrix(sp.symbols(f"x_{k}1 x_{k}2", real=True)) for k in (1, 2))
    p = sp.Matrix(2, 2, sp.symbols("p_11 p_12 p_21 p_22", real=True))
    sig = x1 * x1.T + x2 * x2.T
    one = sp.eye(2)
    ch.equal(sum(((x - p * x).T * (x - p * x))[0] for x in (x1, x2)),
             ((one - p) * sig * (one - p).T).trace(),
             "sum_i ||x_i - P x_i||^2 = tr((I - P) Sigma_xx (I - P)^T), Sigma_xx = sum_i x_i x_i^T "
             "(two samples in 2-D)")
    c = sp.Symbol("c", real=True)
    l1, l2, d1, d2 = sp.symbols("lambda_1 lambda_2 d_1 d_2", real=True)
    v = _rot(c)
    sig_v, p_v = v * sp.diag(l1, l2) * v.T, v * sp.diag(d1, d2) * v.T
    ch.equal(((one - p_v) * sig_v * (one - p_v).T).trace(),
             l1 * (1 - d1) ** 2 + l2 * (1 - d2) ** 2,
             "with Sigma_xx = V Lambda V^T and W2 W1 = V D2 D1 V^T ([3.2]) the data term is "
             "sum_j lam_j (1 - w2j w1j)^2", via=(_trig,))
    total = sp.Sum(NORM_X, (_i, 1, N))
    if total not in eq6.atoms(sp.Sum):
        raise ProofError(f"[eq6] has no data term {total}")
    per_dir = eq6.subs({total: lam * (1 - w2 * w1) ** 2, NORM_W1: w1**2, NORM_W2: w2**2})
    ch.equal(sp.Subs(alpha * per_dir, alpha, N / tau), per_dir * N / tau,
             "one direction of [eq6] (data term lam (1 - w2 w1)^2, penalty w1^2 + w2^2, "
             "[eq6]'s split), times alpha = N/tau (convention key 'tau')")
    derived = sp.Eq(ELL_GAMMA, sp.expand(per_dir * N / tau))
    ch.conclude(pf.printed, derived, "the printed l_gamma: the penalty enters as N gamma")
    return ch.outcome(Status.HOLDS, note="Relies on tau = N/alpha; gamma stays eq6's gamma.")


def _rate(var: sp.Symbol) -> sp.Expr:
    """``tau d var/dt`` with ``var`` a function of t (as [eq2]/[eq3] print it)."""
    return tau * sp.Derivative(sp.Function(var.name)(t), t)


def _prove_ode(pf: Proof) -> Outcome:
    """[C.ode] tau dw/dt = -tau dl_gamma/dw (gradient flow of [C.loss])."""
    ch = pf.chain()
    loss = pf.use("C.loss").expr("loss")
    for k, var in enumerate((w1, w2)):
        ch.conclude(pf.printed[k], sp.Eq(_rate(var), -tau * sp.Derivative(loss, var)),
                    f"tau d{var}/dt = -tau dl_gamma/d{var}")
    return ch.outcome(Status.HOLDS)


def _prove_w(pf: Proof) -> Outcome:
    """[C.w] the balanced product flow, from [C.ode]."""
    ch = pf.chain()
    r1, r2 = pf.use("C.ode").expr("rhs1"), pf.use("C.ode").expr("rhs2")
    ch.equal(2 * w2 * r2 - 2 * w1 * r1, -2 * N * gamma * (w2**2 - w1**2),
             "tau d(w2^2 - w1^2)/dt = -2 N gamma (w2^2 - w1^2): the difference decays as "
             "exp(-2 N gamma t/tau), so w1 = w2 at t = 0 stays so")
    root = sp.sqrt(w)
    prod = sp.Subs(w2 * r1 + w1 * r2, (w1, w2), (root, root))
    ch.conclude(pf.printed, sp.Eq(_rate(w), prod),
                "tau dw/dt = w2 tau dw1/dt + w1 tau dw2/dt at w1 = w2 = sqrt(w)")
    return ch.outcome(Status.HOLDS)


def _prove_t(pf: Proof) -> Outcome:
    """[C.t] separate [C.w]: t = int_{w0}^{wf} tau dw / (tau dw/dt)."""
    ch = pf.chain()
    rhs = pf.use("C.w").expr("rhs")
    d = lam - N * gamma
    integrand = sp.apart(tau / rhs, w)
    anti = tau / (2 * d) * (sp.log(w) - sp.log(d - lam * w))
    ch.equal(sp.Derivative(anti, w), integrand,
             "tau / (2 w (d - lam w)) = tau/(2 d) (1/w + lam/(d - lam w)), d = lam - N gamma: "
             "antiderivative tau/(2 d) (ln w - ln(d - lam w)) (0 < w < d/lam)", via=(sp.cancel,))
    derived = anti.subs(w, wf) - anti.subs(w, w0)
    ch.conclude(pf.printed, sp.Eq(t, derived), "t = F(w_f) - F(w_0), logs combined",
                via=(lambda e: sp.expand(sp.expand_log(e, force=True)),))
    return ch.outcome(Status.HOLDS)


def _prove_eq7(pf: Proof) -> Outcome:
    """[eq7] invert [C.t] for w_f; the printed exponent lacks lam."""
    ch = pf.chain()
    t_of = pf.use("C.t").expr("t")
    rhs = pf.use("C.w").expr("rhs")
    d = lam - N * gamma
    big_e = sp.Symbol("E", positive=True)  # exp(2 d t / tau)
    ch.equal(sp.Subs(sp.log(big_e), big_e, sp.exp(2 * d * t_of / tau)),
             sp.expand_log(sp.log(wf * (d - w0 * lam) / (w0 * (d - wf * lam))), force=True),
             "exp(2 (lam - N gamma) t / tau) = w_f (d - w0 lam) / (w0 (d - w_f lam)) ([C.t])",
             via=(lambda e: sp.expand(sp.expand_log(e, force=True)),))
    sol = sp.solve(sp.Eq(big_e * w0 * (d - wf * lam), wf * (d - w0 * lam)), wf)
    if len(sol) != 1:
        raise ProofError(f"expected one root w_f, got {sol}")
    derived = sol[0].subs(big_e, sp.exp(2 * d * t / tau))
    ch.equal(tau * sp.Derivative(derived, t) - rhs.subs(w, derived), 0,
             "the inverted form solves [C.w]",
             via=(sp.cancel, lambda e: sp.cancel(sp.powsimp(sp.expand(e), force=True))))
    ch.equal(sp.Subs(derived, t, 0), w0, "and starts at w_0", via=(sp.cancel,))
    vals = {lam: 2, N: 1, gamma: sp.Rational(1, 2), w0: sp.Rational(1, 10), tau: 1, t: 1}
    true_v = derived.subs(vals)
    ch.disprove(pf.printed, {W_GAMMA(t): true_v, **vals},
                "the printed E_gamma = exp(2 xi t/tau) differs from the solution at lam = 2, "
                "N gamma = 1/2, w0 = 0.1, t = tau = 1")
    corrected = sp.Eq(W_GAMMA(t), W_GAMMA_CORRECT)
    ch.equal(corrected.rhs, derived,
             "corrected: E_gamma = exp(2 lam xi t/tau) = exp(2 (lam - N gamma) t/tau)",
             via=(lambda e: sp.cancel(sp.powsimp(sp.expand(sp.together(e)), force=True)),))
    printed_v = pf.printed.rhs.subs(vals)
    return ch.outcome(
        Status.REFUTED,
        counterexample={"lambda": 2.0, "N": 1.0, "gamma": 0.5, "w0": 0.1, "tau": 1.0, "t": 1.0,
                        "w_printed": float(printed_v), "w_true": float(true_v)},
        corrected=corrected,
        corrected_text="E_gamma = exp(2 lam xi t / tau) = exp(2 (lam - N gamma) t / tau)",
        note="The printed exponent lacks lam (it is right only for lam = 1, i.e. time in units "
             "of tau/lam). N gamma = lam is the separate limit eq7.critical.",
    )


def _prove_critical(pf: Proof) -> Outcome:
    """[eq7.critical] the limit xi -> 0 of the corrected eq7, checked against [C.w]."""
    ch = pf.chain()
    corr = pf.use("eq7").expr("w")
    rhs = pf.use("C.w").expr("rhs")
    x = sp.Symbol("x", positive=True)  # x = xi
    at_x = corr.subs(gamma, lam * (1 - x) / N)
    lim = sp.limit(at_x, x, 0)
    ch.equal(sp.Limit(at_x, x, 0), lim, "the limit xi -> 0 of the corrected eq7 (0/0 as printed)",
             via=(sp.cancel,))
    ch.equal(tau * sp.Derivative(lim, t) - rhs.subs(gamma, lam / N).subs(w, lim), 0,
             "it solves [C.w] with N gamma = lam (tau dw/dt = -2 lam w^2)", via=(sp.cancel,))
    ch.conclude(pf.printed, sp.Eq(W_GAMMA(t), lim), "the printed w_gamma at N gamma = lam",
                via=(sp.cancel,))
    k = sp.Symbol("k", positive=True)  # N gamma = (1 + k) lam: xi = -k < 0
    beyond = sp.cancel(corr.subs(gamma, lam * (1 + k) / N))
    ch.equal(sp.Limit(beyond, t, sp.oo), 0,
             "beyond it, N gamma = (1 + k) lam > lam: E_gamma -> 0 and w -> 0, the only "
             "nonnegative fixed point")
    return ch.outcome(Status.HOLDS)


def _prove_claim1(pf: Proof) -> Outcome:
    """[5.claim1] initial growth rates from the closed forms [eq5.balanced] and [eq7]."""
    ch = pf.chain()
    bal = pf.use("eq5.balanced").expr("w")
    wd = pf.use("eq7").expr("w")
    rate_dae, rate_wd = initial_rate(bal), initial_rate(wd)
    ch.equal(sp.Limit(sp.Subs(sp.Derivative(bal, t), t, 0) / w0, w0, 0), rate_dae,
             "DAE from a small balanced start ([eq5.balanced]): (1/w) dw/dt -> 2 lam/tau, "
             "free of eps", via=(sp.cancel,))
    ch.equal(sp.Limit(sp.Subs(sp.Derivative(wd, t), t, 0) / w0, w0, 0), rate_wd,
             "WDAE ([eq7] corrected): (1/w) dw/dt -> 2 (lam - N gamma)/tau, slower for gamma > 0",
             via=(sp.cancel,))
    ch.conclude(pf.printed[0], sp.Eq(RATE_DAE, rate_dae), "the DAE rate")
    ch.conclude(pf.printed[1], sp.Eq(RATE_WDAE, rate_wd), "the WDAE rate")
    ws = W_STAR_EPS
    t_dae = tau / (2 * lam) * sp.log(ws / w0 - 1)
    ch.equal(sp.Subs(bal, t, t_dae), ws / 2,
             "DAE half-time tau/(2 lam) ln(w*/w0 - 1): eps enters only through w* "
             "(O(1) next to ln(1/w0))", via=(lambda e: sp.cancel(sp.simplify(e)),))
    t_wd = tau / (2 * lam * XI) * sp.log(XI / w0 - 1)
    ch.equal(sp.Subs(wd, t, t_wd), XI / 2,
             "WDAE half-time tau/(2 (lam - N gamma)) ln(xi/w0 - 1): longer by the factor "
             "lam/(lam - N gamma) at leading order", via=(lambda e: sp.cancel(sp.simplify(e)),))
    return ch.outcome(
        Status.CONVENTION,
        convention="small-balanced-init",
        note="'Learning time' read as the time to leave the neighbourhood of 0 from w1 = w2, "
             "w0 -> 0, at leading order in ln(1/w0). Noise leaves the initial growth rate "
             "2 lam/tau unchanged; weight decay lowers it to 2(lam - N gamma)/tau. Exactly, the "
             "DAE half-time still depends on eps through w*, and from unbalanced starts the DAE "
             "rate lam*zeta/tau depends on eps.",
    )


BAL = Assumption("balanced start w1 = w2 (w0 = w1^2 > 0)", sp.Eq(w1, w2))
STEPS: tuple[Step, ...] = (
    Step(id="eq6", section="C", title="Weight-decay loss", proof=_prove_eq6,
         printed=sp.Eq(L_GAMMA, EQ6_RHS), exprs={"loss": EQ6_RHS}),
    Step(id="C.loss", section="C", title="Scalar WDAE loss", printed=sp.Eq(
        ELL_GAMMA, LOSS_GAMMA), proof=_prove_loss, uses=("eq6", "3.2"),
        exprs={"loss": LOSS_GAMMA}),
    Step(id="C.ode", section="C", title="Scalar WDAE gradient flow",
         printed=sp.Tuple(sp.Eq(_rate(w1), RHS1), sp.Eq(_rate(w2), RHS2)),
         proof=_prove_ode, uses=("C.loss",), exprs={"rhs1": RHS1, "rhs2": RHS2}),
    Step(id="C.w", section="C", title="Product flow from a balanced start",
         printed=sp.Eq(_rate(w), RHS_W_GAMMA), proof=_prove_w, uses=("C.ode",),
         assumes=(BAL,), exprs={"rhs": RHS_W_GAMMA, "w_star": XI}),
    Step(id="C.t", section="C", title="Time to reach w_f", printed=sp.Eq(t, T_OF_WF),
         proof=_prove_t, uses=("C.w",),
         assumes=(BAL, Assumption("N gamma != lam", sp.Ne(N * gamma, lam))),
         exprs={"t": T_OF_WF}),
    Step(id="eq7", section="C", title="Closed form of the balanced WDAE flow",
         printed=sp.Eq(W_GAMMA(t), W_PRINTED), proof=_prove_eq7,
         uses=("C.w", "C.t"),
         assumes=(BAL, Assumption("N gamma != lam", sp.Ne(N * gamma, lam))),
         exprs={"w": W_GAMMA_CORRECT, "w_printed": W_PRINTED}),
    Step(id="eq7.critical", section="C", title="The case N gamma = lam (eq7 is 0/0)",
         printed=sp.Eq(W_GAMMA(t), W_CRITICAL), proof=_prove_critical,
         uses=("C.w", "eq7"), printed_in_paper=False, assumes=(BAL,),
         exprs={"w": W_CRITICAL}),
    Step(id="5.claim1", section="C", title="Weight decay delays learning, noise does not",
         printed="with equal learning rates in continuous time, weight decay delays learning "
                 "(longer initial inactive period) while noise has no effect on learning time",
         statement=sp.Tuple(sp.Eq(RATE_DAE, 2 * lam / tau),
                            sp.Eq(RATE_WDAE, 2 * (lam - N * gamma) / tau)),
         note="statement: from w1 = w2 = sqrt(w0), w0 -> 0, the initial relative growth rates "
              "(1/w) dw/dt are r_DAE (any eps) and r_WDAE",
         proof=_prove_claim1, uses=("eq5.balanced", "eq7"), assumes=(BAL,)),
)
