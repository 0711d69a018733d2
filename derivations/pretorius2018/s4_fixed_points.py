"""Section 4: the scalar DAE loss of the simulations, its fixed point and the speed claim.

Labels 4.loss, 4.grad, 4.fp, 4.claim.
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Chain, Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import c0, eps, lam, tau, w, w0, w1, w2

#: [4.loss] as printed: no 1/tau (eq4's per-direction loss carries one)
LOSS_PRINTED = lam / 2 * (1 - w) ** 2 + eps / 2 * w**2
#: [4.grad] as printed
GRAD_PRINTED = -(lam / tau) * (1 - w) + (eps / tau) * w
W_STAR = lam / (lam + eps)


def _eq4_loss(pf: Proof) -> sp.Expr:
    return pf.use("eq4").expr("loss")


def _prove_loss(pf: Proof) -> Outcome:
    """[4.loss] is tau times the per-direction loss of [eq4], written in w = w2 w1."""
    chain = Chain()
    l4 = _eq4_loss(pf)
    chain.equal(tau * l4, LOSS_PRINTED.subs(w, w2 * w1),
                "tau * l_j of [eq4] with w = w2 w1 is the printed l_lambda")
    return chain.outcome(Status.HOLDS, note="A definition (the loss simulated in Fig. 1); it is "
                         "eq4's loss WITHOUT the 1/tau, which matters for [4.grad].")


def _prove_grad(pf: Proof) -> Outcome:
    """[4.grad]: the printed derivative carries 1/tau, the printed loss does not."""
    chain = Chain()
    d_printed_loss = sp.diff(LOSS_PRINTED, w)
    chain.equal(sp.Derivative(LOSS_PRINTED, w), -lam * (1 - w) + eps * w,
                "d/dw of the printed [4.loss]")
    chain.equal(GRAD_PRINTED, d_printed_loss / tau,
                "the printed [4.grad] is that derivative divided by tau")
    l4w = _eq4_loss(pf).subs(w2, w / w1)
    chain.equal(sp.Derivative(l4w, w), GRAD_PRINTED,
                "d/dw of eq4's loss (which carries 1/tau) is exactly the printed [4.grad]",
                via=(sp.expand, sp.cancel))
    vals = {lam: 1, eps: 0, tau: 2, w: 0}
    return chain.outcome(
        Status.CONVENTION,
        convention="l_lambda in [4.grad] must be read as eq4's loss l = l_lambda / tau (the "
                   "printed [4.loss] omits the 1/tau; key 'tau')",
        note=f"Literally inconsistent with [4.loss]: at {vals} d l_lambda/dw = "
             f"{d_printed_loss.subs(vals)} but [4.grad] prints {GRAD_PRINTED.subs(vals)}.",
    )


def _prove_fp(pf: Proof) -> Outcome:
    """[4.fp] the nonzero fixed point, all fixed points of eq2/eq3, and their stability."""
    chain = Chain()
    chain.equal(sp.Subs(GRAD_PRINTED, w, W_STAR), 0, "[4.grad] vanishes at w* = lam/(lam+eps)",
                via=(sp.cancel,))
    r1, r2 = pf.use("eq2").expr("rhs"), pf.use("eq3").expr("rhs")
    # the flow vanishes iff w2 (lam - (lam+eps) w) = 0 = w1 (lam - (lam+eps) w)
    chain.equal(r1, w2 * (lam - (lam + eps) * w1 * w2), "eq2 = w2 (lam - (lam+eps) w)")
    chain.equal(r2, w1 * (lam - (lam + eps) * w1 * w2), "eq3 = w1 (lam - (lam+eps) w)")
    chain.fact("fixed points: the origin (w1 = w2 = 0) and the hyperbola w1 w2 = w*",
               "both factors vanish only there")
    jac = sp.Matrix([[sp.diff(r, v) for v in (w1, w2)] for r in (r1, r2)]) / tau
    j0 = jac.subs({w1: 0, w2: 0})
    if j0 != sp.Matrix([[0, lam / tau], [lam / tau, 0]]):
        raise AssertionError("unexpected Jacobian at the origin")
    chain.fact(sp.Eq(sp.Symbol("J(0, 0)"), sp.ImmutableMatrix([[0, lam / tau], [lam / tau, 0]])),
               "Jacobian of (eq2, eq3)/tau at the origin (computed)")
    if set(j0.eigenvals()) != {-lam / tau, lam / tau}:
        raise AssertionError("unexpected eigenvalues at the origin")
    chain.fact(sp.Eq(sp.Symbol("spec"), sp.FiniteSet(-lam / tau, lam / tau)),
               "its eigenvalues are -lam/tau and +lam/tau: the origin is a saddle")
    a = sp.Symbol("a", positive=True)
    on = {w1: a, w2: W_STAR / a}
    jm = jac.subs(on)
    chain.equal(sp.Determinant(sp.ImmutableMatrix(jm)), 0,
                "on the hyperbola det J = 0: one zero eigenvalue (along the manifold of minima)",
                via=(sp.cancel,))
    chain.equal(sp.Trace(sp.ImmutableMatrix(jm)), -(lam + eps) * (a**2 + W_STAR**2 / a**2) / tau,
                "and trace J = -(lam+eps)(w1^2 + w2^2)/tau < 0: the other is negative "
                "(attracting)", via=(sp.cancel,))
    figs = [sp.Subs(W_STAR, (lam, eps), (1, e)) for e in (0, 1, 5)]
    chain.equal(sp.Matrix(figs), sp.Matrix([1, sp.Rational(1, 2), sp.Rational(1, 6)]),
                "Fig. 1 (lam = 1; eps = 0, 1, 5): w* = 1, 1/2, 1/6")
    return chain.outcome(Status.HOLDS)


def _prove_claim(pf: Proof) -> Outcome:
    """[4.claim] rate of convergence at the fixed point, with and without balance."""
    chain = Chain()
    rate = pf.use("B.theta").expr("rate")  # lam zeta / tau, zeta = sqrt(c0^2 (1+eps/lam)^2 + 4)
    drate = sp.Derivative(rate, eps)
    zeta_ = sp.sqrt(c0**2 * (1 + eps / lam) ** 2 + 4)
    chain.equal(drate, c0**2 * (1 + eps / lam) / (tau * zeta_),
                "d(rate)/d eps = c0^2 (1 + eps/lam) / (tau zeta) > 0 for c0 > 0",
                via=(sp.cancel, lambda e: sp.cancel(sp.radsimp(e))))
    chain.equal(sp.Subs(rate, c0, 0), 2 * lam / tau,
                "balanced start (c0 = 0): rate 2 lam / tau, the same for every eps")
    f = 2 * w * (lam - (lam + eps) * w)  # tau dw/dt in the balanced case ([eq5.balanced])
    chain.equal(sp.Subs(sp.Derivative(f, w), w, W_STAR), -2 * lam,
                "linearising tau dw/dt = 2w(lam - (lam+eps)w) at w*: -2 lam, independent of "
                "eps", via=(sp.cancel,))
    t_half = tau / (2 * lam) * sp.log(W_STAR / w0 - 1)
    bal = pf.use("eq5.balanced").expr("w")
    tt = next(s for s in bal.free_symbols if s.name == "t")
    chain.equal(sp.Subs(bal, tt, t_half), W_STAR / 2,
                "balanced: w reaches w*/2 at t = tau/(2 lam) ln(w*/w0 - 1); eps enters only "
                "through w*", via=(lambda e: sp.cancel(sp.expand_log(sp.simplify(e))),))
    return chain.outcome(
        Status.CONVENTION,
        convention="unbalanced-init: c0 = |w2^2 - w1^2| > 0, as in Fig. 1's random starts",
        note="Precisely: the asymptotic rate lam*zeta/tau grows strictly with eps iff c0 > 0; "
             "from a balanced start it is 2 lam/tau whatever the noise (faster arrival at a "
             "fraction of w* only through the smaller w*).",
    )


STEPS: tuple[Step, ...] = (
    Step(id="4.loss", section="4", title="Scalar DAE loss of the simulations",
         printed=sp.Eq(sp.Symbol("ell_lambda"), LOSS_PRINTED), proof=_prove_loss,
         uses=("eq4",), note="Fig. 1 uses lam = 1, eps = 0, 1, 5.",
         exprs={"loss": LOSS_PRINTED}),
    Step(id="4.grad", section="4", title="Its derivative in the product w",
         printed=sp.Eq(sp.Derivative(sp.Symbol("ell_lambda"), w), GRAD_PRINTED),
         proof=_prove_grad, uses=("4.loss", "eq4")),
    Step(id="4.fp", section="4", title="Fixed point w* = lam/(lam + eps)",
         printed=sp.Eq(sp.Symbol("w^*"), W_STAR), proof=_prove_fp, uses=("4.grad", "eq2", "eq3"),
         assumes=(Assumption("lam > 0, eps >= 0", sp.And(lam > 0, eps >= 0)),),
         exprs={"w_star": W_STAR}),
    Step(id="4.claim", section="4", title="More noise: faster convergence to a smaller fixed "
         "point", printed="adding more noise results in faster convergence (Fig. 1)",
         statement="rate at the fixed point lam*zeta/tau, zeta = sqrt(c0^2 (1 + eps/lam)^2 + 4),"
                   " strictly increasing in eps iff c0 > 0; equal to 2 lam/tau when c0 = 0",
         proof=_prove_claim, uses=("B.theta", "eq5.balanced", "4.fp"),
         assumes=(Assumption("c0 > 0 (unbalanced start)", sp.Gt(c0, 0)),)),
)
