"""Section 4: the scalar DAE loss of the simulations, its fixed point and the speed claim.

Labels 4.loss, 4.grad, 4.fp, 4.claim.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof, ProofError
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import c0, eps, lam, tau, w, w0, w1, w2

#: the printed names: l_lambda of [4.loss] / [4.grad] and w* of [4.fp]
ELL = sp.Symbol("ell_lambda")
W_STAR_SYM = sp.Symbol("w^*")
#: [4.loss] as printed: no 1/tau (eq4's per-direction loss carries one)
LOSS_PRINTED = lam / 2 * (1 - w) ** 2 + eps / 2 * w**2
#: [4.grad] as printed
GRAD_PRINTED = -(lam / tau) * (1 - w) + (eps / tau) * w
W_STAR = lam / (lam + eps)


def _in_product(loss: sp.Expr) -> sp.Expr:
    """A loss of (w1, w2) that depends on the product only, written in w = w2 w1."""
    in_w = sp.expand(loss.subs(w2, w / w1))
    if in_w.has(w1):
        raise ProofError(f"{loss} is not a function of w = w1 w2 alone")
    return in_w


def _prove_loss(pf: Proof) -> Outcome:
    """[4.loss] is tau times the per-direction loss of [eq4], written in w = w2 w1."""
    ch = pf.chain()
    l4 = pf.use("eq4").expr("loss")
    in_w = _in_product(tau * l4)
    ch.equal(tau * l4, in_w.subs(w, w1 * w2), "tau * l_j of [eq4] depends on w = w2 w1 only")
    ch.conclude(pf.printed, sp.Eq(ELL, in_w), "l_lambda = tau l_j of [eq4] in w")
    return ch.outcome(Status.HOLDS, note="A definition (the loss simulated in Fig. 1); it is "
                      "eq4's loss WITHOUT the 1/tau, which matters for [4.grad].")


def _prove_grad(pf: Proof) -> Outcome:
    """[4.grad]: the printed derivative carries 1/tau, the printed loss does not."""
    ch = pf.chain()
    lhs = pf.printed.lhs
    if not isinstance(lhs, sp.Derivative) or lhs.variables != (w,):
        raise ProofError(f"the printed left-hand side {lhs} is not d(.)/dw")
    ch.conclude(lhs.expr, ELL, "the printed left-hand side is d l_lambda / dw")
    ell = pf.use("4.loss").expr("loss")  # l_lambda in w, no 1/tau
    l4w = _in_product(pf.use("eq4").expr("loss"))  # eq4's l_j in w, with 1/tau
    ch.equal(l4w, ell / tau, "eq4's loss in w is l_lambda / tau (convention 'tau')")
    literal = sp.diff(ell, w)
    ch.equal(sp.Derivative(ell, w), -lam * (1 - w) + eps * w,
             "d/dw of the printed [4.loss] (no 1/tau)")
    ch.conclude(pf.printed.rhs, sp.Derivative(l4w, w),
                "d/dw of eq4's loss l = l_lambda / tau is the printed [4.grad]",
                via=(sp.expand, sp.cancel))
    vals = {lam: 1, eps: 0, tau: 2, w: 0}
    return ch.outcome(
        Status.CONVENTION, convention="tau",
        note=f"Literally inconsistent with [4.loss]: at {vals} d l_lambda/dw = "
             f"{literal.subs(vals)} but [4.grad] prints {pf.printed.rhs.subs(vals)}. It holds "
             "when l_lambda in [4.grad] is read as eq4's loss l = l_lambda / tau (the printed "
             "[4.loss] omits the 1/tau).",
    )


def _prove_fp(pf: Proof) -> Outcome:
    """[4.fp] the nonzero fixed point, all fixed points of eq2/eq3, and their stability."""
    ch = pf.chain()
    grad = pf.use("4.grad").expr("grad")
    roots = sp.solve(grad, w)
    if len(roots) != 1:
        raise ProofError(f"[4.grad] does not vanish at a unique w: {roots}")
    ws = roots[0]
    ch.equal(sp.Subs(grad, w, ws), 0, "[4.grad] is linear in w and vanishes at w = lam/(lam+eps)",
             via=(sp.cancel,))
    ch.conclude(pf.printed, sp.Eq(W_STAR_SYM, ws), "w* = lam/(lam + eps)", via=(sp.cancel,))
    r1, r2 = pf.use("eq2").expr("rhs"), pf.use("eq3").expr("rhs")
    # the flow vanishes iff w2 (lam - (lam+eps) w) = 0 = w1 (lam - (lam+eps) w)
    ch.equal(r1, w2 * (lam - (lam + eps) * w1 * w2), "eq2 = w2 (lam - (lam+eps) w)")
    ch.equal(r2, w1 * (lam - (lam + eps) * w1 * w2), "eq3 = w1 (lam - (lam+eps) w)")
    ch.equal(sp.Subs(lam - (lam + eps) * w, w, ws), 0,
             "the common factor vanishes at the same w*", via=(sp.cancel,))
    ch.fact("fixed points: the origin (w1 = w2 = 0) and the hyperbola w1 w2 = w*",
            "w2 g = 0 = w1 g with g = lam - (lam+eps) w1 w2: either g = 0 (the hyperbola) or "
            "w1 = w2 = 0 (g = lam != 0 there)")
    jac = sp.Matrix([[sp.diff(r, v) for v in (w1, w2)] for r in (r1, r2)]) / tau
    j0 = jac.subs({w1: 0, w2: 0})
    x = sp.Symbol("x")
    ch.equal(sp.Determinant(sp.ImmutableMatrix(j0 - x * sp.eye(2))),
             (x - lam / tau) * (x + lam / tau),
             "J(0, 0), the Jacobian of (eq2, eq3)/tau at the origin, has the eigenvalues "
             "-lam/tau and +lam/tau: the origin is a saddle")
    a = sp.Symbol("a", positive=True)
    on = {w1: a, w2: ws / a}
    jm = jac.subs(on)
    ch.equal(sp.Determinant(sp.ImmutableMatrix(jm)), 0,
             "on the hyperbola det J = 0: one zero eigenvalue (along the manifold of minima)",
             via=(sp.cancel,))
    ch.equal(sp.Trace(sp.ImmutableMatrix(jm)), -(lam + eps) * (a**2 + ws**2 / a**2) / tau,
             "and trace J = -(lam+eps)(w1^2 + w2^2)/tau < 0: the other is negative "
             "(attracting)", via=(sp.cancel,))
    figs = [sp.Subs(ws, (lam, eps), (1, e)) for e in (0, 1, 5)]
    ch.equal(sp.Matrix(figs), sp.Matrix([1, sp.Rational(1, 2), sp.Rational(1, 6)]),
             "Fig. 1 (lam = 1; eps = 0, 1, 5): w* = 1, 1/2, 1/6")
    return ch.outcome(Status.HOLDS)


def _prove_claim(pf: Proof) -> Outcome:
    """[4.claim] rate of convergence at the fixed point, with and without balance."""
    ch = pf.chain()
    rate = pf.use("B.theta").expr("rate")  # lam zeta / tau, zeta = sqrt(c0^2 (1+eps/lam)^2 + 4)
    w_star = pf.use("4.fp").expr("w_star")
    drate = sp.Derivative(rate, eps)
    zeta_ = sp.sqrt(c0**2 * (1 + eps / lam) ** 2 + 4)
    ch.equal(drate, c0**2 * (1 + eps / lam) / (tau * zeta_),
             "d(rate)/d eps = c0^2 (1 + eps/lam) / (tau zeta) > 0 for c0 > 0",
             via=(sp.cancel, lambda e: sp.cancel(sp.radsimp(e))))
    ch.equal(sp.Subs(rate, c0, 0), 2 * lam / tau,
             "balanced start (c0 = 0): rate 2 lam / tau, the same for every eps")
    bal = pf.use("eq5.balanced").expr("w")
    tt = next(s for s in bal.free_symbols if s.name == "t")
    flow = tau * sp.diff(bal, tt)  # tau dw/dt along the balanced solution, as a function of w
    f = 2 * w * (lam - (lam + eps) * w)
    ch.equal(flow, f.subs(w, bal), "[eq5.balanced] solves tau dw/dt = 2 w (lam - (lam+eps) w)",
             via=(sp.cancel,))
    ch.equal(sp.Subs(sp.Derivative(f, w), w, w_star), -2 * lam,
             "linearising tau dw/dt = 2w(lam - (lam+eps)w) at w*: -2 lam, independent of "
             "eps", via=(sp.cancel,))
    t_half = tau / (2 * lam) * sp.log(w_star / w0 - 1)
    ch.equal(sp.Subs(bal, tt, t_half), w_star / 2,
             "balanced: w reaches w*/2 at t = tau/(2 lam) ln(w*/w0 - 1); eps enters only "
             "through w*", via=(lambda e: sp.cancel(sp.expand_log(sp.simplify(e))),))
    return ch.outcome(
        Status.CONVENTION, convention="unbalanced-init",
        note="Holds from unbalanced starts, c0 = |w2^2 - w1^2| > 0, as in Fig. 1's random "
             "starts. Precisely: the asymptotic rate lam*zeta/tau grows strictly with eps iff "
             "c0 > 0; from a balanced start it is 2 lam/tau whatever the noise (faster arrival "
             "at a fraction of w* only through the smaller w*).",
    )


STEPS: tuple[Step, ...] = (
    Step(id="4.loss", section="4", title="Scalar DAE loss of the simulations",
         printed=sp.Eq(ELL, LOSS_PRINTED), proof=_prove_loss,
         uses=("eq4",), note="Fig. 1 uses lam = 1, eps = 0, 1, 5.",
         exprs={"loss": LOSS_PRINTED}),
    Step(id="4.grad", section="4", title="Its derivative in the product w",
         printed=sp.Eq(sp.Derivative(ELL, w), GRAD_PRINTED),
         proof=_prove_grad, uses=("4.loss", "eq4"), exprs={"grad": GRAD_PRINTED}),
    Step(id="4.fp", section="4", title="Fixed point w* = lam/(lam + eps)",
         printed=sp.Eq(W_STAR_SYM, W_STAR), proof=_prove_fp, uses=("4.grad", "eq2", "eq3"),
         assumes=(Assumption("lam > 0, eps >= 0", sp.And(lam > 0, eps >= 0)),),
         exprs={"w_star": W_STAR}),
    Step(id="4.claim", section="4", title="More noise: faster convergence to a smaller fixed "
         "point", printed="adding more noise results in faster convergence (Fig. 1)",
         statement="rate at the fixed point lam*zeta/tau, zeta = sqrt(c0^2 (1 + eps/lam)^2 + 4),"
                   " strictly increasing in eps iff c0 > 0; equal to 2 lam/tau when c0 = 0",
         proof=_prove_claim, uses=("B.theta", "eq5.balanced", "4.fp"),
         assumes=(Assumption("c0 > 0 (unbalanced start)", sp.Gt(c0, 0)),)),
)
