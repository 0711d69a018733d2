"""Property suite, scalar part: closed forms against what gradient descent actually does.

Numbers refer to the issue's list: 1 O(lr) convergence of GD to the closed form, 2 conserved
quantity, 3 fixed point and saddle, 4 balanced limit, 5 Hessian stability threshold.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import numerics as nm
from derivations import get

lam_s = st.floats(0.3, 3.0)
eps_s = st.one_of(st.just(0.0), st.floats(0.0, 3.0))
w_s = st.floats(0.05, 1.5)
sign_s = st.sampled_from([-1.0, 1.0])


def _flow_rhs():
    """tau d(w1, w2)/dt of the DAE (eq2, eq3) plus the decay terms of C.ode, from the registry."""
    r1, r2 = get("eq2").exprs["rhs"], get("eq3").exprs["rhs"]
    names = {s.name: s for s in r1.free_symbols | r2.free_symbols}
    args = [names["w_1"], names["w_2"], names["lambda"], names["varepsilon"]]
    return sp.lambdify(args, [r1, r2], "numpy")


RHS = _flow_rhs()


def _ivp(lam, eps, ngamma, tau, w1, w2, t_end, t_eval):
    def f(_, y):
        d1, d2 = RHS(y[0], y[1], lam, eps)
        return [(d1 - ngamma * y[0]) / tau, (d2 - ngamma * y[1]) / tau]

    # an explicit first step: scipy's initial-step estimate divides 0/0 (a RuntimeWarning) when
    # the start is a fixed point (Hypothesis draws w1 = w2 = 0); the steps stay adaptive
    return solve_ivp(f, (0, t_end), [w1, w2], t_eval=t_eval, rtol=1e-11, atol=1e-13,
                     method="DOP853", first_step=t_end * 1e-6).y


# 1 ------------------------------------------------------------------------------------------
def _base_lr(stiffness: float) -> float:
    """Largest rate (<= 0.02) with lr * stiffness <= 0.1, so the three runs are in the
    asymptotic O(lr) regime (a bigger step is dominated by O(lr^2) terms and the ratio drifts)."""
    return min(0.02, 0.1 / stiffness)


def _errors(run, lr0: float) -> list[float]:
    """max_k |w_gd(k) - w(k)| at lr0, lr0 / 2, lr0 / 4 (same flow time)."""
    return [run(lr0 / 2**i) for i in range(3)]


@given(lam=lam_s, eps=eps_s, w1=w_s, w2=w_s, s2=sign_s)
def test_gd_error_shrinks_linearly_with_lr(lam, eps, w1, w2, s2):
    """max_k |w_gd(k) - w(k)| over the same flow time halves when lr halves (O(lr) Euler)."""

    def run(lr: float) -> float:
        tau = 1.0 / lr  # N = 1
        epochs = int(round(8.0 / (lam * lr)))  # flow time 8 / lam in tau units
        traj = nm.simulate_scalar(lam, eps, lr=lr, w1_0=w1, w2_0=s2 * w2, epochs=epochs)
        exact = nm.dae_w(traj.epochs, lam, eps, w1, s2 * w2, tau)
        return float(np.max(np.abs(traj.w - exact)))

    # Jacobian scale of (eq2, eq3) times tau along the path (|w_i|^2 <= max(start, w*) + 1)
    errs = _errors(run, _base_lr(lam + 2 * (lam + eps) * (w1**2 + w2**2 + 1)))
    assume(errs[0] > 1e-9)  # a start at the fixed point has nothing to measure
    for a, b in zip(errs, errs[1:], strict=False):
        assert 1.6 < a / b < 2.5, errs


@given(lam=lam_s, k=st.one_of(st.just(1.0), st.floats(0.0, 2.0)), w=w_s)
def test_weight_decay_gd_error_shrinks_linearly_with_lr(lam, k, w):
    """Same O(lr) check for the balanced WDAE flow (N gamma = k lam, k = 1 included)."""
    N = 1.0

    def run(lr: float) -> float:
        tau = N / lr
        epochs = int(round(8.0 * tau / lam))
        traj = nm.simulate_scalar(lam, gamma=k * lam / N, N=N, lr=lr, w1_0=w, w2_0=w,
                                  epochs=epochs, record_every=max(1, epochs // 400))
        exact = nm.wdae_w(traj.epochs, lam, k * lam / N, N, w * w, tau)
        return float(np.max(np.abs(traj.w - exact)))

    errs = _errors(run, _base_lr(k * lam + 2 * lam * (2 * w**2 + 1)))
    assume(errs[0] > 1e-9)
    for a, b in zip(errs, errs[1:], strict=False):
        assert 1.6 < a / b < 2.5, errs


# 2 ------------------------------------------------------------------------------------------
@given(lam=lam_s, eps=eps_s, w1=st.floats(-1.5, 1.5), w2=st.floats(-1.5, 1.5),
       ng=st.floats(0.0, 1.0), tau=st.floats(0.5, 5.0))
def test_conserved_quantity_and_its_decay_under_weight_decay(lam, eps, w1, w2, ng, tau):
    t = np.linspace(0, 5 * tau, 11)
    y = _ivp(lam, eps, 0.0, tau, w1, w2, t[-1], t)
    c = y[1] ** 2 - y[0] ** 2
    assert np.max(np.abs(c - c[0])) <= 1e-8 * (1 + abs(c[0]))
    y = _ivp(lam, 0.0, ng, tau, w1, w2, t[-1], t)
    c = y[1] ** 2 - y[0] ** 2
    np.testing.assert_allclose(c, c[0] * np.exp(-2 * ng * t / tau), rtol=1e-6, atol=1e-10)


# 3 ------------------------------------------------------------------------------------------
@given(lam=lam_s, eps=eps_s, w1=st.floats(-2, 2), w2=st.floats(-2, 2))
def test_every_non_saddle_start_converges_to_the_fixed_point(lam, eps, w1, w2):
    assume(abs(w1) + abs(w2) > 1e-3 and abs(w1 + w2) > 1e-3)  # off the origin and w1 = -w2
    w_inf = nm.dae_w(1e4 / lam, lam, eps, w1, w2)
    np.testing.assert_allclose(w_inf, nm.dae_fixed_point(lam, eps), rtol=1e-9)
    traj = nm.simulate_scalar(lam, eps, lr=0.05, w1_0=w1, w2_0=w2, epochs=4000, record_every=4000)
    np.testing.assert_allclose(traj.w[-1], nm.dae_fixed_point(lam, eps), rtol=1e-6)


@given(lam=lam_s, eps=eps_s, a=st.floats(0.01, 2.0))
def test_origin_is_a_saddle_and_w1_eq_minus_w2_flows_into_it(lam, eps, a):
    h = 1e-6
    jac = np.array([[(RHS(h, 0, lam, eps)[i] - RHS(-h, 0, lam, eps)[i]) / (2 * h),
                     (RHS(0, h, lam, eps)[i] - RHS(0, -h, lam, eps)[i]) / (2 * h)]
                    for i in range(2)])
    ev = np.sort(np.linalg.eigvals(jac).real)
    np.testing.assert_allclose(ev, [-lam, lam], rtol=1e-6)
    w = nm.dae_w([0.0, 10 / lam, 60 / lam], lam, eps, -a, a)
    assert w[0] < 0 and abs(w[2]) < abs(w[1]) < abs(w[0]) and abs(w[2]) < 1e-20 + 1e-40


# 4 ------------------------------------------------------------------------------------------
@given(lam=lam_s, eps=eps_s, w=w_s, tau=st.floats(0.5, 5.0))
def test_balanced_limit_is_continuous(lam, eps, w, tau):
    t = np.linspace(0, 15 * tau / lam, 31)
    bal = nm.dae_w(t, lam, eps, w, w, tau)
    prev = None
    for d in (1e-3, 1e-5, 1e-7):
        gap = np.max(np.abs(nm.dae_w(t, lam, eps, w, w + d, tau) - bal))
        assert gap < 20 * d * (1 + w)  # Lipschitz in the initial condition
        if prev is not None:
            assert gap < prev
        prev = gap


# 5 ------------------------------------------------------------------------------------------
def _lr_threshold(lam, eps, N=1.0):
    """lr with step 1 = 2 / lambda_max of the registry Hessian at the fixed point."""
    hess = get("D.hess").exprs["hessian"]
    names = {s.name: s for s in hess.free_symbols}
    u = float(np.sqrt(lam / (lam + eps)))
    vals = {names["w_1"]: u, names["w_2"]: u, names["lambda"]: lam,
            names["varepsilon"]: eps, names["tau"]: 1.0}
    lmax = max(np.linalg.eigvalsh(np.array(hess.subs(vals), dtype=float)))
    return 2 * N / lmax  # l carries 1/tau = lr/N, so lambda_max(l) = lr lmax / N


@given(lam=lam_s, eps=eps_s, f=st.one_of(st.floats(0.8, 0.995), st.just(0.995)),
       kick=st.floats(1e-4, 1e-3))
def test_gd_stable_below_and_unstable_above_the_hessian_threshold(lam, eps, f, kick):
    """lr = f lr_c converges, lr = (2 - f) lr_c does not; f up to 0.995 (0.5 % from the edge).

    Along the balanced direction the linearised GD multiplier is 1 - 2 f, so the epochs needed to
    shrink the kick below 1e-9 grow like 1 / (1 - f): the run length is chosen from that.
    """
    lr_c = _lr_threshold(lam, eps)
    u = np.sqrt(lam / (lam + eps))
    epochs = int(np.ceil(np.log(1e-9 / kick) / np.log(abs(1 - 2 * f)))) + 200
    for lr, stable in ((f * lr_c, True), ((2 - f) * lr_c, False)):
        traj = nm.simulate_scalar(lam, eps, lr=lr, w1_0=u + kick, w2_0=u + kick, epochs=epochs,
                                  record_every=epochs)
        dist = abs(traj.w[-1] - lam / (lam + eps))
        if stable:
            assert dist < 1e-8
        else:  # diverges, or is thrown onto a period-2 orbit away from the fixed point
            assert not np.isfinite(dist) or dist > kick
