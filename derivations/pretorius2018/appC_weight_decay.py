"""Section 5 / Appendix C: the weight-decayed (WDAE) dynamics and the closed form eq7.

Labels eq6, C.loss, C.ode, C.w, C.t, eq7, 5.claim1, plus eq7.critical (N gamma = lam).
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import N, alpha, eps, gamma, lam, t, tau, w, w0, w1, w2, wf

XI = 1 - N * gamma / lam
#: [C.loss] as printed
LOSS = lam / (2 * tau) * (1 - w2 * w1) ** 2 + N * gamma / (2 * tau) * (w1**2 + w2**2)
#: [C.ode] as printed (tau * d/dt)
RHS1 = w2 * (lam - w2 * w1 * lam) - N * gamma * w1
RHS2 = w1 * (lam - w2 * w1 * lam) - N * gamma * w2
#: [C.w] as printed
RHS_W = 2 * w * (lam - N * gamma - w * lam)
#: [C.t] as printed
T_OF_WF = tau / (2 * (lam - N * gamma)) * sp.log(
    wf * (lam - N * gamma - w0 * lam) / (w0 * (lam - N * gamma - wf * lam)))
#: [eq7] as printed: E_gamma = exp(2 xi t / tau)
E_PRINTED = sp.exp(2 * XI * t / tau)
W_PRINTED = XI * E_PRINTED / (E_PRINTED - 1 + XI / w0)
#: corrected: E_gamma = exp(2 lam xi t / tau)
E_CORRECT = sp.exp(2 * lam * XI * t / tau)
W_CORRECT = XI * E_CORRECT / (E_CORRECT - 1 + XI / w0)
#: N gamma = lam (xi = 0), where eq7 is 0/0
W_CRITICAL = w0 / (1 + 2 * lam * w0 * t / tau)


def _ode_residual(expr: sp.Expr, rhs_ngamma: sp.Expr | None = None) -> sp.Expr:
    rhs = RHS_W if rhs_ngamma is None else rhs_ngamma
    return tau * sp.Derivative(expr, t) - rhs.subs(w, expr)


def _prove_eq6(pf: Proof) -> Outcome:
    """[eq6] is a definition; its penalty is a per-direction sum under orthogonal init [3.2]."""
    chain = Chain()
    chain.fact("L_gamma = 1/(2N) sum_i ||x_i - W2 W1 x_i||^2 + gamma/2 (||W1||^2 + ||W2||^2)",
               "definition (the plain AE loss plus an L2 penalty on both weight matrices)")
    a, c = sp.symbols("a c", real=True)  # rotation angles of R and V
    rot = lambda x: sp.Matrix([[sp.cos(x), -sp.sin(x)], [sp.sin(x), sp.cos(x)]])  # noqa: E731
    d1 = sp.diag(*sp.symbols("w_11 w_12", real=True))
    w1m = rot(a) * d1 * rot(c).T  # W1 = R D1 V^T
    chain.equal(sum(e**2 for e in w1m), sum(e**2 for e in d1),
                "||R D1 V^T||_F^2 = sum_j w1j^2 for orthogonal R, V (2 x 2 check): the penalty "
                "splits over directions as gamma/2 (w1j^2 + w2j^2)",
                via=(lambda e: sp.trigsimp(sp.expand(e)),))
    return chain.outcome(Status.HOLDS, note="A definition; its per-direction form feeds [C.loss].")


def _prove_loss(pf: Proof) -> Outcome:
    chain = Chain()
    lamj = lam
    per_dir = lamj / (2 * N) * (1 - w2 * w1) ** 2 + gamma / 2 * (w1**2 + w2**2)
    chain.equal((alpha * per_dir).subs(alpha, N / tau), LOSS,
                "alpha times eq6's per-direction loss with alpha = N/tau (key 'tau') is the "
                "printed l_gamma: the penalty enters as N gamma")
    return chain.outcome(Status.HOLDS, note="Relies on tau = N/alpha; gamma stays eq6's gamma.")


def _prove_ode(pf: Proof) -> Outcome:
    chain = Chain()
    chain.equal(-tau * sp.Derivative(LOSS, w1), RHS1, "tau dw1/dt = -tau dl_gamma/dw1")
    chain.equal(-tau * sp.Derivative(LOSS, w2), RHS2, "tau dw2/dt = -tau dl_gamma/dw2")
    return chain.outcome(Status.HOLDS)


def _prove_w(pf: Proof) -> Outcome:
    chain = Chain()
    chain.equal(2 * w2 * RHS2 - 2 * w1 * RHS1, -2 * N * gamma * (w2**2 - w1**2),
                "tau d(w2^2 - w1^2)/dt = -2 N gamma (w2^2 - w1^2): the difference decays as "
                "exp(-2 N gamma t/tau), so w1 = w2 at t = 0 stays so")
    chain.equal((w2 * RHS1 + w1 * RHS2).subs(w2, w1), RHS_W.subs(w, w1**2),
                "tau dw/dt = w2 tau dw1/dt + w1 tau dw2/dt with w1 = w2 (w = w1^2): "
                "2 w (lam - N gamma - w lam)")
    return chain.outcome(Status.HOLDS)


def _prove_t(pf: Proof) -> Outcome:
    chain = Chain()
    chain.equal(sp.Derivative(T_OF_WF, wf), 1 / RHS_W.subs(w, wf) * tau,
                "d t / d w_f = tau / (2 w_f (lam - N gamma - w_f lam)): the separated [C.w]",
                via=(sp.cancel,))
    chain.equal(sp.Subs(T_OF_WF, wf, w0), 0, "t = 0 at w_f = w_0", via=(sp.expand_log, sp.cancel))
    return chain.outcome(Status.HOLDS)


def _prove_eq7(pf: Proof) -> Outcome:
    chain = Chain()
    chain.equal(_ode_residual(W_CORRECT), 0,
                "with E_gamma = exp(2 lam xi t/tau) the formula solves [C.w]",
                via=(sp.cancel, lambda e: sp.cancel(sp.powsimp(sp.expand(e), force=True))))
    chain.equal(sp.Subs(W_CORRECT, t, 0), w0, "and starts at w_0", via=(sp.cancel,))
    resid = sp.cancel(_ode_residual(W_PRINTED).doit())
    vals = {lam: 2, N: 1, gamma: sp.Rational(1, 2), w0: sp.Rational(1, 10), tau: 1, t: 1}
    printed_v, correct_v = (float(e.subs(vals)) for e in (W_PRINTED, W_CORRECT))
    chain.fact(sp.Ne(resid.subs(vals), 0),
               f"the printed E_gamma = exp(2 xi t/tau) does not solve [C.w]: residual "
               f"{float(resid.subs(vals)):.4g} at lam = 2, N gamma = 1/2, w0 = 0.1, t = tau = 1")
    chain.equal(sp.Subs(_ode_residual(W_PRINTED), lam, 1), 0,
                "the printed form is right only when lam = 1",
                via=(sp.cancel,))
    return chain.outcome(
        Status.REFUTED,
        counterexample={"lambda": 2.0, "N": 1.0, "gamma": 0.5, "w0": 0.1, "tau": 1.0, "t": 1.0,
                        "w_printed": printed_v, "w_true": correct_v},
        corrected=sp.Eq(sp.Function("w_gamma")(t), W_CORRECT),
        corrected_text="E_gamma = exp(2 lam xi t / tau) = exp(2 (lam - N gamma) t / tau)",
        note="The printed exponent lacks lam (it is right only for lam = 1, i.e. time in units "
             "of tau/lam). N gamma = lam is the separate limit eq7.critical.",
    )


def _prove_critical(pf: Proof) -> Outcome:
    chain = Chain()
    crit = RHS_W.subs(gamma, lam / N)
    chain.equal(_ode_residual(W_CRITICAL, crit), 0,
                "w0/(1 + 2 lam w0 t/tau) solves [C.w] with N gamma = lam (tau dw/dt = -2 lam w^2)",
                via=(sp.cancel,))
    x = sp.Symbol("x", positive=True)  # x = xi
    corr = W_CORRECT.subs(gamma, lam * (1 - x) / N)
    chain.equal(sp.Limit(corr, x, 0), W_CRITICAL,
                "it is the limit xi -> 0 of the corrected eq7 (0/0 as printed)", via=(sp.cancel,))
    chain.fact("N gamma > lam: xi < 0, E_gamma -> 0 and w -> 0",
               "the only nonnegative fixed point is then 0")
    return chain.outcome(Status.HOLDS)


def _prove_claim1(pf: Proof) -> Outcome:
    chain = Chain()
    dae = 2 * w * (lam - (lam + eps) * w)  # balanced DAE product flow ([eq5.balanced])
    chain.equal(sp.Subs(sp.Derivative(dae, w), w, 0), 2 * lam,
                "DAE from a small balanced start: tau dw/dt ~ 2 lam w, eps-free growth rate")
    chain.equal(sp.Subs(sp.Derivative(RHS_W, w), w, 0), 2 * (lam - N * gamma),
                "WDAE: tau dw/dt ~ 2 (lam - N gamma) w, slower for gamma > 0")
    bal = pf.use("eq5.balanced").expr("w")
    tt = next(s for s in bal.free_symbols if s.name == "t")
    ws = lam / (lam + eps)
    t_dae = tau / (2 * lam) * sp.log(ws / w0 - 1)
    chain.equal(sp.Subs(bal, tt, t_dae), ws / 2,
                "DAE half-time tau/(2 lam) ln(w*/w0 - 1): eps enters only through w* "
                "(O(1) next to ln(1/w0))", via=(lambda e: sp.cancel(sp.simplify(e)),))
    t_wd = tau / (2 * lam * XI) * sp.log(XI / w0 - 1)
    chain.equal(sp.Subs(W_CORRECT, t, t_wd), XI / 2,
                "WDAE half-time tau/(2 (lam - N gamma)) ln(xi/w0 - 1): longer by the factor "
                "lam/(lam - N gamma) at leading order", via=(lambda e: sp.cancel(sp.simplify(e)),))
    return chain.outcome(
        Status.CONVENTION,
        convention="small-balanced-init: w1 = w2, w0 -> 0; 'learning time' = the time to leave "
                   "the neighbourhood of 0, at leading order in ln(1/w0)",
        note="Noise leaves the initial growth rate 2 lam/tau unchanged; weight decay lowers it to "
             "2(lam - N gamma)/tau. Exactly, the DAE half-time still depends on eps through w*, "
             "and from unbalanced starts the DAE rate lam*zeta/tau depends on eps.",
    )


BAL = Assumption("balanced start w1 = w2 (w0 = w1^2 > 0)", sp.Eq(w1, w2))
STEPS: tuple[Step, ...] = (
    Step(id="eq6", section="C", title="Weight-decay loss", proof=_prove_eq6,
         printed=sp.Eq(sp.Symbol("L_gamma"), sp.Symbol(
             r"\frac{1}{2N}\sum_i \|x_i - W_2 W_1 x_i\|^2 + \frac{\gamma}{2}"
             r"(\|W_1\|^2 + \|W_2\|^2)"))),
    Step(id="C.loss", section="C", title="Scalar WDAE loss", printed=sp.Eq(
        sp.Symbol("ell_gamma"), LOSS), proof=_prove_loss, uses=("eq6", "3.2"),
        exprs={"loss": LOSS}),
    Step(id="C.ode", section="C", title="Scalar WDAE gradient flow",
         printed=sp.Tuple(sp.Eq(tau * sp.Derivative(w1, t), RHS1),
                          sp.Eq(tau * sp.Derivative(w2, t), RHS2)),
         proof=_prove_ode, uses=("C.loss",), exprs={"rhs1": RHS1, "rhs2": RHS2}),
    Step(id="C.w", section="C", title="Product flow from a balanced start",
         printed=sp.Eq(tau * sp.Derivative(w, t), RHS_W), proof=_prove_w, uses=("C.ode",),
         assumes=(BAL,), exprs={"rhs": RHS_W, "w_star": XI}),
    Step(id="C.t", section="C", title="Time to reach w_f", printed=sp.Eq(t, T_OF_WF),
         proof=_prove_t, uses=("C.w",),
         assumes=(BAL, Assumption("N gamma != lam", sp.Ne(N * gamma, lam)))),
    Step(id="eq7", section="C", title="Closed form of the balanced WDAE flow",
         printed=sp.Eq(sp.Function("w_gamma")(t), W_PRINTED), proof=_prove_eq7,
         uses=("C.w", "C.t"),
         assumes=(BAL, Assumption("N gamma != lam", sp.Ne(N * gamma, lam))),
         exprs={"w": W_CORRECT, "w_printed": W_PRINTED}),
    Step(id="eq7.critical", section="C", title="The case N gamma = lam (eq7 is 0/0)",
         printed=sp.Eq(sp.Function("w_gamma")(t), W_CRITICAL), proof=_prove_critical,
         uses=("C.w", "eq7"), printed_in_paper=False, assumes=(BAL,),
         exprs={"w": W_CRITICAL}),
    Step(id="5.claim1", section="C", title="Weight decay delays learning, noise does not",
         printed="with equal learning rates in continuous time, weight decay delays learning "
                 "(longer initial inactive period) while noise has no effect on learning time",
         statement="from w1 = w2 = sqrt(w0), w0 -> 0: initial growth rates 2 lam/tau (DAE, any "
                   "eps) and 2 (lam - N gamma)/tau (WDAE)",
         proof=_prove_claim1, uses=("eq5.balanced", "C.w", "eq7"), assumes=(BAL,)),
)
