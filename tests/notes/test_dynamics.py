"""numerics.stability and the OD.* steps against the nonlinear recurrences.

The recurrences are run with numerics.optimizers (torch's SGD/Adam semantics) on the paper's
per-direction loss l = lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2, whose gradient is written out here
by hand (r (w2, w1), r = (lam + eps) w1 w2 - lam), independently of the steps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from numerics.lambdified import numpy_fn
from numerics.optimizers import SGD, Adam
from numerics.stability import contraction_rate, fixed_point_mu, max_stable_step


def grad(w: np.ndarray, lam: float, eps: float, gam: float = 0.0) -> np.ndarray:
    """grad of lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2 + gam/2 (w1^2 + w2^2)."""
    r = (lam + eps) * w[..., 0] * w[..., 1] - lam
    return np.stack([r * w[..., 1] + gam * w[..., 0], r * w[..., 0] + gam * w[..., 1]], axis=-1)


def optimiser(method: str, eta: float, beta: float) -> SGD:
    if method == "gd" or beta == 0:  # momentum 0: all three are GD (torch refuses Nesterov)
        return SGD(lr=eta)
    return SGD(lr=eta, momentum=beta, nesterov=method == "nesterov")


def run(opt, w0: np.ndarray, lam: float, eps: float, steps: int) -> np.ndarray:
    """Products w1 w2 along the run (NaN once the iterate leaves the finite numbers)."""
    w, state = np.array(w0, dtype=float), opt.init(w0)
    out = np.full(steps + 1, np.nan)
    out[0] = w[0] * w[1]
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = grad(w, lam, eps)
            if not np.all(np.isfinite(g)) or np.max(np.abs(w)) > 1e6:
                break
            w, state = opt.step(w, g, state)
            out[k + 1] = w[0] * w[1]
    return out


def fixed_point(lam: float, eps: float, skew: float) -> np.ndarray:
    ws = lam / (lam + eps)
    u = math.sqrt(ws) * skew
    return np.array([u, ws / u])


def nudged(fp: np.ndarray, delta: float) -> np.ndarray:
    """A point delta away from the fixed point, across the hyperbola (along grad of w1 w2)."""
    n = np.array([fp[1], fp[0]])
    return fp + delta * n / np.linalg.norm(n)


methods = st.sampled_from(["gd", "heavy-ball", "nesterov"])
lams = st.floats(0.1, 5.0)
epss = st.floats(0.0, 2.0)
betas = st.floats(0.0, 0.9)


# ---------------------------------------------------------------- hand-derived closed forms


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_balanced_thresholds_are_the_hand_derived_ones(beta: float) -> None:
    """At the balanced fixed point mu = 2 lam (free of eps): GD 1/lam, heavy ball (1+beta)/lam,
    Nesterov (1+beta)/((1+2 beta) lam) (derived by hand from the Jury conditions)."""
    lam, eps = 1.7, 0.3
    assert fixed_point_mu(lam, eps) == pytest.approx(2 * lam, rel=1e-14)
    if beta == 0:
        assert max_stable_step("gd", lam, eps) == pytest.approx(1 / lam, rel=1e-14)
    assert max_stable_step("heavy-ball", lam, eps, beta=beta) == pytest.approx(
        (1 + beta) / lam, rel=1e-14)
    assert max_stable_step("nesterov", lam, eps, beta=beta) == pytest.approx(
        (1 + beta) / ((1 + 2 * beta) * lam), rel=1e-14)
    assert contraction_rate("gd", lam, eps, 0.2) == pytest.approx(abs(1 - 0.4 * lam), rel=1e-14)


def test_unbalanced_mu_is_eq5s_rate() -> None:
    """mu = sqrt((lam+eps)^2 c0^2 + 4 lam^2) at a fixed point with c0 = |w2^2 - w1^2|."""
    lam, eps = 0.8, 0.5
    fp = fixed_point(lam, eps, 1.7)
    c0 = abs(fp[1] ** 2 - fp[0] ** 2)
    assert fixed_point_mu(lam, eps, *fp) == pytest.approx(
        math.sqrt((lam + eps) ** 2 * c0**2 + 4 * lam**2), rel=1e-13)


# ---------------------------------------------------------------- thresholds on the recurrence


def _steps_for(rate: float, factor: float) -> int:
    return int(min(400_000, math.ceil(math.log(factor) / math.log(rate)) + 50))


@given(method=methods, lam=lams, eps=epss, beta=betas, skew=st.floats(0.5, 2.0))
def test_just_below_the_threshold_converges(method, lam, eps, beta, skew) -> None:
    beta = 0.0 if method == "gd" else beta
    fp = fixed_point(lam, eps, skew)
    eta = 0.99 * max_stable_step(method, lam, eps, beta=beta, w1=fp[0], w2=fp[1])
    rate = contraction_rate(method, lam, eps, eta, beta=beta, w1=fp[0], w2=fp[1])
    assert rate < 1
    delta = 1e-6
    prod = run(optimiser(method, eta, beta), nudged(fp, delta), lam, eps, _steps_for(rate, 1e-4))
    ws = lam / (lam + eps)
    assert abs(prod[-1] - ws) < 1e-2 * delta * max(1.0, ws), (rate, prod[-1] - ws)


@given(method=methods, lam=lams, eps=epss, beta=betas)
def test_just_above_the_threshold_does_not_converge(method, lam, eps, beta) -> None:
    """From next to the balanced fixed point (where mu is smallest, so the iteration cannot
    drift to a more stable fixed point: off balance, GD's imbalance shrinks [OD.imbalance] and
    an unstable run can settle at a more balanced, stable fixed point)."""
    beta = 0.0 if method == "gd" else beta
    fp = fixed_point(lam, eps, 1.0)
    eta = 1.01 * max_stable_step(method, lam, eps, beta=beta)
    rate = contraction_rate(method, lam, eps, eta, beta=beta)
    assert rate > 1
    delta = 1e-6
    prod = run(optimiser(method, eta, beta), nudged(fp, delta), lam, eps,
               _steps_for(1 / rate, 1e-4))
    ws = lam / (lam + eps)
    tail = prod[-20:]
    assert not np.all(np.abs(tail - ws) < delta), "converged above the threshold"


@pytest.mark.parametrize("method", ["gd", "heavy-ball", "nesterov"])
def test_beyond_the_threshold_off_balance_the_run_rebalances(method: str) -> None:
    """At 1.01 x the local threshold of an unbalanced fixed point the run leaves it, loses
    imbalance and converges at a more balanced fixed point (smaller mu, so stable there); at
    the balanced point it oscillates with bounded amplitude (period 2) instead of diverging."""
    lam, eps, beta = 1.0, 0.5, 0.9
    beta = 0.0 if method == "gd" else beta
    ws = lam / (lam + eps)
    for skew, converges in ((1.5, True), (1.0, False)):
        fp = fixed_point(lam, eps, skew)
        eta = 1.01 * max_stable_step(method, lam, eps, beta=beta, w1=fp[0], w2=fp[1])
        opt = optimiser(method, eta, beta)
        w = nudged(fp, 1e-4)
        state = opt.init(w)
        for _ in range(6_000):
            w, state = opt.step(w, grad(w, lam, eps), state)
        gap = abs(w[0] * w[1] - ws)
        if converges:
            assert gap < 1e-10
            assert abs(w[1] ** 2 - w[0] ** 2) < abs(fp[1] ** 2 - fp[0] ** 2)
        else:
            assert 1e-3 < gap < 1.0  # measured 0.063 for all three methods


@given(method=methods, lam=lams, eps=epss, beta=betas,
       frac=st.one_of(st.floats(0.01, 0.4), st.floats(0.6, 0.97)), skew=st.floats(0.6, 1.6))
def test_contraction_of_the_recurrence_is_the_closed_form(method, lam, eps, beta, frac,
                                                           skew) -> None:
    beta = 0.0 if method == "gd" else beta
    fp = fixed_point(lam, eps, skew)
    eta = frac * max_stable_step(method, lam, eps, beta=beta, w1=fp[0], w2=fp[1])
    rate = contraction_rate(method, lam, eps, eta, beta=beta, w1=fp[0], w2=fp[1])
    assume(0.2 < rate < 0.995)
    # near a double root the deviation is k rho^k, whose measured rate is biased by
    # (k2/k1)^(1/span): keep the discriminant (written out by hand) away from 0
    em = eta * (lam + eps) * (fp[0] ** 2 + fp[1] ** 2)
    tr, det = {"heavy-ball": (1 + beta - em, beta),
               "nesterov": ((1 + beta) * (1 - em), beta * (1 - em)), "gd": (1 - em, 0.0)}[method]
    disc = tr**2 - 4 * det
    assume(abs(disc) > 0.05)
    k1 = max(3, int(math.ceil(math.log(0.1) / math.log(rate))))  # first decade: transient
    if disc > 0:  # real roots (written out by hand): wait until the smaller one is 1e-3 behind
        z1, z2 = sorted(np.abs([(tr + math.sqrt(disc)) / 2, (tr - math.sqrt(disc)) / 2]))[::-1]
        if z2 > 0:
            k1 = max(k1, int(math.ceil(math.log(1e-3) / math.log(z2 / z1))))
    span = int(math.ceil(math.log(1e-4) / math.log(rate)))  # then 4 decades
    assume(rate ** (k1 + span + 1) > 1e-7)  # end >= 1e-13, far above rounding (1e-16)
    # start 1e-6 off: second-order terms (e.g. the momentum's neutral mode, which decays only
    # like beta^k) stay O(1e-12), below the transverse mode we measure
    prod = run(optimiser(method, eta, beta), nudged(fp, 1e-6), lam, eps, k1 + span + 2)
    d = prod - lam / (lam + eps)
    if disc < 0:  # complex pair: d_k = rho^k (A cos k theta + B sin k theta), whose Casoratian
        # d_k^2 - d_(k-1) d_(k+1) is exactly proportional to rho^(2k)
        cas = [d[k] ** 2 - d[k - 1] * d[k + 1] for k in (k1, k1 + span)]
        measured = (abs(cas[1]) / abs(cas[0])) ** (1 / (2 * span))
    else:
        measured = (abs(d[k1 + span]) / abs(d[k1])) ** (1 / span)
    # 1%: start 1e-6 off the fixed point, values >= 1e-13 (rounding 1e-16), the slower real
    # root 1e-3 ahead after k1 steps
    assert measured == pytest.approx(rate, rel=1e-2)


# ---------------------------------------------------------------- imbalance law


@given(lam=lams, eps=epss, gam=st.one_of(st.just(0.0), st.floats(0.0, 0.5)),
       frac=st.floats(0.05, 0.9), start=st.tuples(st.floats(0.05, 1.0), st.floats(1.0, 2.0)))
def test_gd_imbalance_law(lam, eps, gam, frac, start) -> None:
    """D = w2^2 - w1^2 is multiplied by 1 - eta^2 r^2 per GD step (weight decay: (1 - eta
    gamma)^2 - eta^2 r^2) [OD.imbalance], along a nonlinear run."""
    if gam:
        eps = 0.0
    eta = frac / (lam + eps + gam) / 4
    w = np.array(start)
    opt = SGD(lr=eta)
    state = opt.init(w)
    factor = numpy_fn("notes:OD.imbalance", "factor",
                      ("eta", "lambda", "varepsilon", "w_1", "w_2"))
    factor_wd = numpy_fn("notes:OD.imbalance", "factor_wd",
                         ("eta", "gamma_N", "lambda", "w_1", "w_2"))
    for _ in range(200):
        d0 = w[1] ** 2 - w[0] ** 2
        f = factor_wd(eta, gam, lam, w[0], w[1]) if gam else factor(eta, lam, eps, w[0], w[1])
        w, state = opt.step(w, grad(w, lam, eps, gam), state)
        d1 = w[1] ** 2 - w[0] ** 2
        assert d1 == pytest.approx(f * d0, rel=1e-10, abs=1e-14)


# ---------------------------------------------------------------- momentum flow limit


def _flow_product(lam: float, eps: float, w0: np.ndarray, t_end: float) -> float:
    sol = solve_ivp(lambda t, y: -grad(y, lam, eps), (0.0, t_end), w0, rtol=1e-12, atol=1e-14,
                    method="DOP853")
    return float(sol.y[0, -1] * sol.y[1, -1])


@pytest.mark.parametrize("method", ["heavy-ball", "nesterov"])
def test_momentum_flow_limit_error_halves_with_eta(method: str) -> None:
    """[OD.flow]: with t = k eta/(1 - beta) the iterates follow the gradient flow to first order
    in eta/(1 - beta)^2: at fixed beta the error at a fixed time halves when eta halves."""
    lam, eps, beta, t_end = 1.0, 0.5, 0.5, 3.0
    w0 = np.array([0.3, 0.6])
    exact = _flow_product(lam, eps, w0, t_end)
    errs = []
    for eta in (4e-3, 2e-3, 1e-3):
        steps = round(t_end * (1 - beta) / eta)
        prod = run(optimiser(method, eta, beta), w0, lam, eps, steps)
        errs.append(abs(prod[-1] - exact))
    ratios = [errs[0] / errs[1], errs[1] / errs[2]]
    assert all(1.8 < r < 2.2 for r in ratios), (errs, ratios)


# ---------------------------------------------------------------- Adam


def _adam_run(lam: float, eps: float, scale: float, steps: int = 150) -> np.ndarray:
    opt = Adam(lr=1e-2, betas=(0.9, 0.999), eps=0.0)
    w = np.array([0.05, 0.1])
    state = opt.init(w)
    out = []
    for _ in range(steps):
        w, state = opt.step(w, scale * grad(w, lam, eps), state)
        out.append(w)
    return np.array(out)


@given(lam=lams, eps=epss, c=st.floats(0.01, 100.0))
def test_adam_scale_invariance(lam, eps, c) -> None:
    """[OD.adam.scale]: with eps_Adam = 0 the run on c * l equals the run on l; so (lam, eps)
    and (c lam, c eps), which have the same w*, give the same trajectory: no 1/lam clock."""
    base = _adam_run(lam, eps, 1.0)
    np.testing.assert_allclose(_adam_run(lam, eps, c), base, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_adam_run(c * lam, c * eps, 1.0), base, rtol=1e-9, atol=1e-12)


def test_gd_does_depend_on_lam_where_adam_does_not() -> None:
    """The control: GD on (lam, 0) and (4 lam, 0) differ (its clock runs at lam)."""
    a = run(SGD(lr=0.05), np.array([0.05, 0.1]), 0.5, 0.0, 100)
    b = run(SGD(lr=0.05), np.array([0.05, 0.1]), 2.0, 0.0, 100)
    assert abs(a[-1] - b[-1]) > 0.1


# ---------------------------------------------------------------- decoupling


def _linear_ae(opt_name: str, basis: str, steps: int = 300) -> float:
    """Largest off-diagonal of V^T W2 W1 V along the training of a D = 3, H = 2 linear AE from
    the paper's orthogonal initialisation (R = I), in pixel or eigen coordinates."""
    rng = np.random.default_rng(3)
    d, hdim = 3, 2
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.array([3.0, 1.5, 0.5])
    sigma = q @ np.diag(lam) @ q.T
    d1 = np.zeros((hdim, d))
    d1[[0, 1], [0, 1]] = [0.1, 0.2]
    w1, w2 = d1 @ q.T, q @ d1.T * 0.5  # W1 = D1 V^T, W2 = V D2
    if basis == "eigen":  # built there directly: rotating w1 by q leaves 1e-17 off-diagonal
        # entries, which Adam's sign-like steps grow to O(lr) (its step ignores gradient size)
        w1, w2, sigma = d1.copy(), d1.T * 0.5, np.diag(lam)
    opt = SGD(lr=0.05, momentum=0.9) if opt_name == "momentum" else Adam(lr=1e-2)
    p = np.concatenate([w1.ravel(), w2.ravel()])
    state = opt.init(p)
    worst = 0.0
    for _ in range(steps):
        a, b = p[:hdim * d].reshape(hdim, d), p[hdim * d:].reshape(d, hdim)
        res = (np.eye(d) - b @ a) @ sigma
        g = np.concatenate([(-b.T @ res).ravel(), (-res @ a.T).ravel()])
        p, state = opt.step(p, g, state)
        a, b = p[:hdim * d].reshape(hdim, d), p[hdim * d:].reshape(d, hdim)
        m = b @ a if basis == "eigen" else q.T @ b @ a @ q
        worst = max(worst, float(np.max(np.abs(m - np.diag(np.diag(m))))))
    return worst


def test_momentum_keeps_decoupling_in_pixel_coordinates() -> None:
    assert _linear_ae("momentum", "pixel") < 1e-12


def test_adam_keeps_decoupling_only_in_the_eigenbasis() -> None:
    """[OD.decoupling]: a simulator that silently trained in the eigenbasis would pass the
    first assertion and fail the second."""
    assert _linear_ae("adam", "eigen") < 1e-12
    # measured: up to 0.1 during learning; the run still ends at the (decoupled) PCA optimum
    assert _linear_ae("adam", "pixel") > 1e-2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("call", "match"), [
    (lambda: max_stable_step("sgd", 1.0, 0.0), "method"),
    (lambda: max_stable_step("gd", 1.0, 0.0, beta=0.5), "beta must be 0"),
    (lambda: max_stable_step("heavy-ball", 1.0, 0.0, beta=1.0), "beta"),
    (lambda: max_stable_step("gd", 0.0, 0.0), "lam"),
    (lambda: max_stable_step("gd", 1.0, -0.1), "eps"),
    (lambda: max_stable_step("gd", 1.0, 0.5, w1=1.0, w2=1.0), "not a fixed point"),
    (lambda: max_stable_step("gd", 1.0, 0.5, w1=1.0), "both"),
    (lambda: contraction_rate("gd", 1.0, 0.5, 0.0), "eta"),
    (lambda: contraction_rate("nesterov", 1.0, float("nan"), 0.1, beta=0.5), "eps"),
])
def test_bad_input_raises(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()
