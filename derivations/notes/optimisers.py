"""The notes' optimisers: heavy ball, EWMA, RMSprop, AdaGrad, Adam, input standardisation.

Labels LN.hb.picture, LN.hb, LN.adaptive, LN.ewma, LN.ewma.bias, LN.rmsprop, LN.adagrad
(+ LN.adagrad.sparse), LN.adam, LN.adam.update, LN.standardise, LN.wilson.  "torch's form" is
``torch.optim``'s update written out (the form ``numerics.optimizers`` implements), one
coordinate at a time (every update is elementwise).
"""

from __future__ import annotations

import sympy as sp

from ..engine.proof import Proof
from ..engine.step import Assumption, Outcome, Status, Step
from .symbols import (
    a,
    alpha,
    beta,
    beta1,
    beta2,
    epsilon,
    eta,
    g,
    k,
    m_hat,
    m_new,
    m_old,
    t,
    v_hat,
    v_new,
    v_old,
    w_new,
    w_old,
    w_older,
)

# ------------------------------------------------------------------ heavy ball

G_k = sp.Symbol("g_k", real=True)  # gradient at w_k
b_prev = sp.Symbol("b_{k-1}", real=True)  # torch's momentum buffer
HB_PRINTED = sp.Eq(sp.Symbol("w_{k+1}"), w_old - alpha * G_k + beta * (w_old - w_older))


def _prove_hb(pf: Proof) -> Outcome:
    """[LN.hb] equals torch's SGD(momentum=beta, dampening=0): b_k = beta b_{k-1} + g_k,
    w_{k+1} = w_k - alpha b_k, with w_{k-1} - w_k = alpha b_{k-1} (the previous step)."""
    ch = pf.chain()
    b_k = beta * b_prev + G_k
    torch_step = w_old - alpha * b_k
    ch.equal(torch_step.subs(b_prev, (w_older - w_old) / alpha),
             w_old - alpha * G_k + beta * (w_old - w_older),
             "substitute alpha b_{k-1} = w_{k-1} - w_k (torch's previous step) into "
             "w_k - alpha (beta b_{k-1} + g_k)", via=(sp.expand,))
    ch.fact(sp.Eq(sp.Symbol("b_1"), sp.Symbol("g_1")),
            "torch starts the buffer at the first gradient, i.e. the first step is plain GD: "
            "[LN.hb] with w_{-1} = w_0 (zero initial velocity)")
    ch.conclude(pf.printed.rhs, torch_step.subs(b_prev, (w_older - w_old) / alpha),
                "the printed heavy-ball update is torch's SGD with lr = alpha, momentum = beta",
                via=(sp.expand,))
    return ch.outcome(Status.HOLDS, note="alpha_k, beta_k constant as the notes say; torch's "
                      "dampening must be 0 (with dampening d the gradient enters as (1 - d) "
                      "g_k from the second step on).")


V_const = sp.Symbol("v_infty^{const}", real=True)
A_alt = sp.Symbol("A_{alt}", positive=True)
HB_PICTURE = sp.Tuple(sp.Eq(V_const, -alpha * g / (1 - beta)), sp.Eq(A_alt, alpha * a / (1 + beta)))


def _prove_hb_picture(pf: Proof) -> Outcome:
    """Velocity u_k = w_k - w_{k-1} obeys u_{k+1} = beta u_k - alpha g_k [LN.hb]."""
    ch = pf.chain()
    u = -alpha * g * (1 - beta**k) / (1 - beta)  # from u_0 = 0 under a constant gradient g
    ch.equal(u.subs(k, k + 1), beta * u - alpha * g,
             "constant gradient g: u_k = -alpha g (1 - beta^k)/(1 - beta) solves "
             "u_{k+1} = beta u_k - alpha g", via=(sp.expand, sp.cancel))
    ch.equal(sp.Subs(u, k, 0), 0, "and starts at rest")
    ch.fact(sp.Lt(beta, 1), "0 <= beta < 1, so beta^k -> 0 and u_k -> -alpha g/(1 - beta): "
            "consistent gradients are amplified by 1/(1 - beta) over plain GD (10x at 0.9)")
    c = alpha * a / (1 + beta)
    sgn = sp.Symbol("s_k")  # (-1)^k; (-1)^(k+1) = -s_k
    ch.equal(sp.Subs(-sgn * sp.Symbol("C"), sp.Symbol("C"), c),
             beta * sgn * c - alpha * sgn * a,
             "alternating gradient g_k = (-1)^k |g|: u_k = (-1)^k alpha |g|/(1 + beta) solves the "
             "recurrence, u_{k+1} = -(-1)^k C = beta (-1)^k C - alpha (-1)^k |g| (the steady "
             "oscillation; the transient decays like beta^k)", via=(sp.expand, sp.cancel))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(V_const, -alpha * g / (1 - beta)), sp.Eq(A_alt, c)),
                "limit velocity under a constant gradient, amplitude under an alternating one: "
                "accelerated by 1/(1 - beta) > 1, smoothed by 1/(1 + beta) < 1")
    return ch.outcome(Status.HOLDS, note="The picture made precise: velocity u_k = w_k - w_{k-1}, "
                      "viscosity 1 - beta per step; the viscosity is what bounds the velocity.")


# ------------------------------------------------------------------ RMSprop / EWMA

eta_eff = sp.Symbol("eta_eff", positive=True)
ADAPTIVE = sp.Eq(eta_eff, eta / (sp.sqrt(1 - beta**t) * a + epsilon))


def _prove_adaptive(pf: Proof) -> Outcome:
    """Under a constant gradient of size a = |g| (v_0 = 0) the effective rate decreases in a."""
    ch = pf.chain()
    v = (1 - beta**t) * g**2
    ch.equal(v.subs(t, t + 1), beta * v + (1 - beta) * g**2,
             "v_t = (1 - beta^t) g^2 solves [LN.rmsprop]'s v_t = beta v_{t-1} + (1 - beta) g^2",
             via=(sp.expand,))
    ch.equal(sp.Subs(v, t, 0), 0, "from v_0 = 0")
    rate = eta / (sp.sqrt(v.subs(g, a)) + epsilon)
    ch.equal(sp.Derivative(rate, a), -eta * sp.sqrt(1 - beta**t) / (sp.sqrt(1 - beta**t) * a
                                                                     + epsilon) ** 2,
             "d eta_eff / d|g| < 0 for 0 <= beta < 1, t >= 1: larger consistent gradients get "
             "smaller rates", via=(sp.simplify,))
    ch.conclude(pf.printed.rhs, rate, "the rate multiplying g in w_t = w_{t-1} - eta g/(sqrt(v_t) "
                "+ epsilon)", via=(sp.simplify,))
    return ch.outcome(Status.HOLDS, note="Precise reading: effective rate eta/(sqrt(v_t) + eps) "
                      "under a constant gradient. The step itself, eta |g|/(sqrt(1-beta^t)|g| + "
                      "eps), is nearly eta/sqrt(1 - beta^t) whatever |g| (sign-like), and is "
                      "eta/sqrt(1-beta) (10 eta at beta = 0.99) at t = 1: the early bias of "
                      "[LN.ewma.bias], which RMSprop does not correct.")


x_k = sp.IndexedBase("x")
v_i, v0, x_plain = sp.Symbol("v_i", real=True), sp.Symbol("v_0", real=True), sp.Symbol("x")
i_, kk = sp.Symbol("i", integer=True, positive=True), sp.Symbol("k", integer=True, positive=True)
EWMA_PRINTED = sp.Eq(v_i, (1 - beta) * sp.Sum(beta ** (i_ - kk) * x_plain, (kk, 1, i_)))
EWMA_CORRECT = sp.Eq(v_i, beta**i_ * v0 + (1 - beta) * sp.Sum(beta ** (i_ - kk) * x_k[kk],
                                                                (kk, 1, i_)))


def _ewma(n: int) -> sp.Expr:
    v = v0
    for j in range(1, n + 1):
        v = beta * v + (1 - beta) * x_k[j]
    return v


def _prove_ewma(pf: Proof) -> Outcome:
    ch = pf.chain()
    for n in range(2, 7):
        ch.equal(_ewma(n), EWMA_CORRECT.rhs.subs(i_, n).doit(),
                 f"i = {n}: the recurrence unrolled equals beta^i v_0 + (1 - beta) sum_k "
                 "beta^(i-k) x_k", via=(sp.expand,))
    ch.fact(EWMA_CORRECT, "induction on i: peel the k = i term off the sum, the rest is beta "
            "v_{i-1} (checked for i = 1..6 above)")
    subs = {v_i: sp.Rational(1, 4), beta: sp.Rational(1, 2), i_: 2, x_plain: 0}
    ch.disprove(pf.printed, subs, "x_1 = 1, x_2 = 0, beta = 1/2, v_0 = 0: the recurrence gives "
                "v_2 = 1/4, the printed sum with x read as x_i = x_2 gives 0")
    return ch.outcome(
        Status.REFUTED, counterexample={"beta": 0.5, "x_1": 1.0, "x_2": 0.0, "v_0": 0.0,
                                        "v_2 (recurrence)": 0.25, "v_2 (printed)": 0.0},
        corrected=EWMA_CORRECT,
        note="Typo: the summand prints x for x_k; and v_0 = 0 is needed (and unstated) for the "
             "printed form. Corrected: v_i = beta^i v_0 + (1 - beta) sum_{k=1}^i beta^(i-k) x_k.")


BIAS = sp.Tuple(sp.Eq(v_i, (1 - beta**i_) * x_plain), sp.Eq(v_i / (1 - beta**i_), x_plain))


def _prove_bias(pf: Proof) -> Outcome:
    ch = pf.chain()
    for n in range(2, 6):
        ch.equal(_ewma(n).subs(v0, 0).subs({x_k[j]: x_plain for j in range(1, n + 1)}),
                 (1 - beta**n) * x_plain, f"i = {n}: constant input x from v_0 = 0",
                 via=(sp.expand,))
    ch.fact(sp.Eq((1 - beta) * sp.Sum(beta ** (i_ - kk), (kk, 1, i_)), 1 - beta**i_),
            "geometric sum, any i (checked for i = 1..5 above)")
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(v_i, (1 - beta**i_) * x_plain),
                                     sp.Eq(v_i / (1 - beta**i_),
                                           (1 - beta**i_) * x_plain / (1 - beta**i_))),
                "the early bias is the factor 1 - beta^i (towards v_0 = 0); dividing by it "
                "(Adam's correction) recovers a constant input exactly", via=(sp.cancel,))
    return ch.outcome(Status.HOLDS, note="Precise reading: with v_0 = 0 and constant input, "
                      "v_i = (1 - beta^i) x; the relative bias beta^i drops below delta after "
                      "i > ln(delta)/ln(beta) steps (about 459 for beta = 0.99, delta = 1%).")


def _torch_rmsprop(sq: sp.Expr, w: sp.Expr, gr: sp.Expr, al: sp.Expr, lr: sp.Expr,
                   ep: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """torch.optim.RMSprop (centered=False, momentum=0, weight_decay=0), one coordinate."""
    sq_new = al * sq + (1 - al) * gr * gr
    return sq_new, w - lr * gr / (sp.sqrt(sq_new) + ep)


RMSPROP = sp.Tuple(sp.Eq(v_new, beta * v_old + (1 - beta) * g * g),
                   sp.Eq(w_new, w_old - eta * g / (sp.sqrt(v_new) + epsilon)))


def _prove_rmsprop(pf: Proof) -> Outcome:
    ch = pf.chain()
    sq, w = _torch_rmsprop(v_old, w_old, g, beta, eta, epsilon)
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(v_new, sq), sp.Eq(w_new, w.subs(sq, v_new))),
                "torch's RMSprop with alpha = beta, lr = eta, eps = epsilon (eps outside the "
                "square root, as printed)")
    return ch.outcome(Status.HOLDS, note="Holds as torch implements it (v_0 = 0). Keras/TF put "
                      "epsilon inside the root (sqrt(v + eps)) in some versions: a different "
                      "optimiser for small gradients.")


ADAGRAD = sp.Tuple(sp.Eq(v_new, v_old + g * g),
                   sp.Eq(w_new, w_old - eta * g / (sp.sqrt(v_new) + epsilon)))


def _prove_adagrad(pf: Proof) -> Outcome:
    ch = pf.chain()
    s_new = v_old + 1 * g * g  # torch: state_sum.addcmul_(grad, grad, value=1)
    upd = w_old - eta / (1 + (t - 1) * 0) * g / (sp.sqrt(v_new) + epsilon)  # lr_decay = 0
    ch.equal(sp.Sum(g**2, (k, 1, t)), t * g**2, "under a constant gradient v_t = t g^2: the step "
             "eta g/(sqrt(t)|g| + eps) decays like 1/sqrt(t) (no EWMA forgetting)",
             via=(lambda e: e.doit(),))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(v_new, s_new), sp.Eq(w_new, upd)),
                "torch's Adagrad with lr_decay = 0, initial_accumulator_value = 0")
    return ch.outcome(Status.HOLDS, note="The update rule; the printed convergence claim is "
                      "LN.adagrad.sparse.")


def _prove_sparse(pf: Proof) -> Outcome:
    ch = pf.chain()
    ch.fact("Duchi, Hazan & Singer (2011): AdaGrad's regret bound can be sqrt(d) times smaller "
            "than online GD's for sparse gradients", "cited worst-case regret bound; not an "
            "every-problem convergence-rate statement, not re-derived here")
    return ch.outcome(Status.UNVERIFIED, note="Cited result about regret bounds (online convex "
                      "optimisation), not decided here; 'converges faster' holds only as a "
                      "comparison of worst-case bounds.")


# ------------------------------------------------------------------ Adam

ADAM = sp.Tuple(sp.Eq(m_new, beta1 * m_old + (1 - beta1) * g),
                sp.Eq(v_new, beta2 * v_old + (1 - beta2) * g * g),
                sp.Eq(m_hat, m_new / (1 - beta1**t)), sp.Eq(v_hat, v_new / (1 - beta2**t)))


c1, c2 = sp.symbols("c_1 c_2", positive=True)  # 1 - beta1^t, 1 - beta2^t (> 0 for t >= 1)


def _torch_adam(m: sp.Expr, v: sp.Expr, w: sp.Expr, gr: sp.Expr, b1: sp.Expr, b2: sp.Expr,
                lr: sp.Expr, ep: sp.Expr, bc1: sp.Expr, bc2: sp.Expr
                ) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """torch.optim.Adam (amsgrad=False, weight_decay=0), one coordinate; ``bc1``, ``bc2`` are
    its bias corrections 1 - beta1^t, 1 - beta2^t at the step number t."""
    m_n = m + (1 - b1) * (gr - m)  # exp_avg.lerp_(grad, 1 - beta1)
    v_n = b2 * v + (1 - b2) * gr * gr
    step_size = lr / bc1
    denom = sp.sqrt(v_n) / sp.sqrt(bc2) + ep
    return m_n, v_n, w - step_size * m_n / denom


def _prove_adam(pf: Proof) -> Outcome:
    ch = pf.chain()
    m_n, v_n, _ = _torch_adam(m_old, v_old, w_old, g, beta1, beta2, eta, epsilon, c1, c2)
    ch.equal(sp.Subs(w_old - eta * m_hat / (sp.sqrt(v_hat) + epsilon), (m_hat, v_hat),
                     (m_new / c1, v_new / c2)),
             w_old - eta / c1 * m_new / (sp.sqrt(v_new) / sp.sqrt(c2) + epsilon),
             "eta mhat/(sqrt(vhat) + eps) with mhat = m/c1, vhat = v/c2 is torch's step "
             "(lr/c1) m/(sqrt(v)/sqrt(c2) + eps), c1 = 1 - beta1^t, c2 = 1 - beta2^t > 0",
             via=(sp.cancel,))
    cm = (1 - beta1**t) * g  # constant gradient, m_0 = 0
    ch.equal(cm.subs(t, t + 1), beta1 * cm + (1 - beta1) * g,
             "constant gradient g: m_t = (1 - beta1^t) g, so mhat_t = g exactly (likewise "
             "vhat_t = g^2): 'correct bias'", via=(sp.expand,))
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(m_new, m_n), sp.Eq(v_new, v_n),
                                     sp.Eq(m_hat, m_new / (1 - beta1**t)),
                                     sp.Eq(v_hat, v_new / (1 - beta2**t))),
                "torch's moments (lerp(m, g, 1 - beta1) = beta1 m + (1 - beta1) g in exact "
                "arithmetic) and the bias corrections its step applies")
    return ch.outcome(Status.HOLDS, note="m_0 = v_0 = 0, t counts from 1.")


ADAM_UPDATE = sp.Eq(w_new, w_old - eta * m_hat / (sp.sqrt(v_hat) + 1))
ADAM_UPDATE_CORRECT = sp.Eq(w_new, w_old - eta * m_hat / (sp.sqrt(v_hat) + epsilon))


def _prove_adam_update(pf: Proof) -> Outcome:
    ch = pf.chain()
    # t = 1 from zero moments: beta1 = 1 - c1, beta2 = 1 - c2, m_1 = c1 g, v_1 = c2 g^2
    _, _, w1_torch = _torch_adam(0, 0, w_old, g, 1 - c1, 1 - c2, eta, epsilon, c1, c2)
    ch.equal(w1_torch, sp.Subs(ADAM_UPDATE_CORRECT.rhs, (m_hat, v_hat), (g, g**2)),
             "first step of torch's Adam: mhat_1 = g, vhat_1 = g^2, the corrected update",
             via=(sp.cancel,))
    num = {g: sp.Rational(1, 100), eta: sp.Rational(1, 1000), epsilon: sp.Rational(1, 10**8),
           c1: sp.Rational(1, 10), c2: sp.Rational(1, 1000), w_old: 0}
    w_adam = w1_torch.subs(num)
    ch.disprove(pf.printed, {w_new: w_adam, w_old: 0, eta: num[eta], m_hat: num[g],
                             v_hat: num[g] ** 2},
                "g = 0.01, eta = 1e-3, eps = 1e-8, t = 1: Adam moves by -9.99999e-4, the "
                "printed '+ 1' by -9.9e-6")
    return ch.outcome(
        Status.REFUTED,
        counterexample={"g": 0.01, "eta": 1e-3, "epsilon": 1e-8, "t": 1.0,
                        "step Adam": float(w_adam), "step printed": -1e-3 * 0.01 / 1.01},
        corrected=ADAM_UPDATE_CORRECT,
        note="Typo: '+ 1' for '+ epsilon' (Kingma & Ba: epsilon = 1e-8). With '+ 1' the update "
             "is about eta mhat (SGD with momentum) for |g| << 1 and loses Adam's scale "
             "invariance (OD.adam.scale).")


# ------------------------------------------------------------------ standardisation, Wilson

P = 4
xs = sp.symbols(f"x_1:{P + 1}", real=True)
E1, E2 = sp.Symbol("E[\\hat{x}_i]"), sp.Symbol("E[\\hat{x}_i^2]")
STANDARDISE = sp.Tuple(sp.Eq(E1, 0), sp.Eq(E2, 1))


def _prove_standardise(pf: Proof) -> Outcome:
    ch = pf.chain()
    mu = sum(xs) / P
    var_pop = sum((x - mu) ** 2 for x in xs) / P
    sig = sp.Symbol("sigma", positive=True)
    xhat = [(x - mu) / sig for x in xs]
    m1 = sum(xhat) / P
    m2 = (sum(h**2 for h in xhat) / P).subs(sig, sp.sqrt(var_pop))
    ch.equal(sum(xhat) * sig, sum(xs) - P * mu, "p = 4 samples: sum of x - mu_i vanishes")
    var_unb = sum((x - mu) ** 2 for x in xs) / (P - 1)
    ch.equal((sum(h**2 for h in xhat) / P).subs(sig, sp.sqrt(var_unb)), sp.Rational(P - 1, P),
             "with the 1/(p-1) standard deviation (torch.std's default) E[xhat^2] = (p-1)/p, "
             "not 1", via=(sp.cancel,))
    ch.fact("the same two lines for any p", "sum_alpha (x_alpha - mu) = 0 and "
            "sum (x - mu)^2 / (p sigma^2) = 1 by the definitions of mu and sigma^2 (1/p)")
    ch.conclude(pf.printed, sp.Tuple(sp.Eq(E1, m1), sp.Eq(E2, m2)),
                "training-set moments of the standardised inputs with the 1/p variance",
                via=(sp.cancel,))
    return ch.outcome(Status.CONVENTION, convention="population-std",
                      note="Holds with sigma_i^2 the 1/p variance and sigma_i > 0; MNIST has "
                           "constant (all-zero) border pixels, where sigma_i = 0 (67 of 784 in "
                           "the 60,000 training images, measured). On the test "
                           "set the moments are not 0 and 1 in general (same mu, sigma).")


def _prove_wilson(pf: Proof) -> Outcome:
    ch = pf.chain()
    ch.fact("Wilson et al. (2017), 'The marginal value of adaptive gradient methods'",
            "cited empirical finding about generalisation; only its constructed example "
            "(under-determined least squares: GD from 0 reaches the minimum-norm solution, "
            "adaptive methods a different one) is mathematics, and it is not re-derived here")
    return ch.outcome(Status.UNVERIFIED, note="Cited empirical claim (generalisation of SGD vs "
                      "adaptive methods); no statement here for the verifier to decide. In the "
                      "paper's linear setting see OD.decoupling: Adam does not keep the "
                      "eigenbasis decoupling in pixel coordinates.")


# ------------------------------------------------------------------ the steps

ZERO_V0 = Assumption("states start at zero: v_0 = 0, m_0 = 0 (torch's initialisation)")
STEPS: tuple[Step, ...] = (
    Step(id="LN.hb.picture", section="O", title="Heavy ball: accelerates consistent, smooths "
         "alternating gradients",
         printed="the parameter vector is a particle subject to the gradient and a viscosity "
                 "proportional to its velocity; momentum smooths out oscillating gradients of "
                 "opposite sign and accelerates the particle in directions with consistent "
                 "gradients", statement=HB_PICTURE, proof=_prove_hb_picture, uses=("LN.hb",),
         assumes=(Assumption("0 <= beta < 1, velocity u_0 = 0"),)),
    Step(id="LN.hb", section="O", title="Heavy-ball update", printed=HB_PRINTED, proof=_prove_hb,
         assumes=(Assumption("alpha_k = alpha, beta_k = beta constant"),)),
    Step(id="LN.adaptive", section="O", title="RMSprop's per-parameter learning rate",
         printed="RMSProp divides the gradient by the square root of an exponentially weighted "
                 "average of its square: parameters with consistently large gradients end up "
                 "with a smaller learning rate, consistently small gradients with a larger one",
         statement=ADAPTIVE, proof=_prove_adaptive, uses=("LN.rmsprop",),
         assumes=(ZERO_V0, Assumption("a constant gradient g, |g| = a"))),
    Step(id="LN.ewma", section="O", title="Exponentially weighted moving average, unrolled",
         printed=EWMA_PRINTED, proof=_prove_ewma),
    Step(id="LN.ewma.bias", section="O", title="The early bias of the EWMA",
         printed="Note the early bias due to initialization!", statement=BIAS, proof=_prove_bias,
         uses=("LN.ewma",), assumes=(ZERO_V0, Assumption("constant input x"))),
    Step(id="LN.rmsprop", section="O", title="RMSprop", printed=RMSPROP, proof=_prove_rmsprop,
         assumes=(ZERO_V0,), exprs={"v": RMSPROP[0].rhs, "w": RMSPROP[1].rhs}),
    Step(id="LN.adagrad", section="O", title="AdaGrad", printed=ADAGRAD, proof=_prove_adagrad,
         assumes=(ZERO_V0,), exprs={"v": ADAGRAD[0].rhs, "w": ADAGRAD[1].rhs}),
    Step(id="LN.adagrad.sparse", section="O", title="AdaGrad and sparse features",
         printed="Adagrad provably leads to faster convergence rates in the case of sparse "
                 "features", statement="AdaGrad's regret bound (Duchi et al. 2011) is smaller "
                 "than online GD's when gradients are sparse", proof=_prove_sparse,
         printed_in_paper=False),
    Step(id="LN.adam", section="O", title="Adam's moments and bias correction", printed=ADAM,
         proof=_prove_adam, assumes=(ZERO_V0,)),
    Step(id="LN.adam.update", section="O", title="Adam's update", printed=ADAM_UPDATE,
         proof=_prove_adam_update, uses=("LN.adam",),
         exprs={"w": ADAM_UPDATE_CORRECT.rhs}),
    Step(id="LN.standardise", section="O", title="Standardised inputs have mean 0, variance 1",
         printed=STANDARDISE, proof=_prove_standardise),
    Step(id="LN.wilson", section="O", title="SGD and adaptive methods find different solutions",
         printed="SGD and adaptive methods arrive at very different solutions; SGD is slower to "
                 "minimise the training error but its solutions generalise better",
         statement="cited empirical claim (Wilson et al. 2017)", proof=_prove_wilson),
)
