"""Every public numerics function over the whole float64 range: a finite, accurate result or a
``ValueError`` saying the inputs are outside the supported range; never a silent NaN or inf.

References: the printed closed forms typed here in mpmath (an independent transcription: the
fixed points, rates and [eq5.balanced]); ``scipy.integrate.solve_ivp`` of the flow [eq3]; the
fixed point the flow must reach; and, for the trajectories away from those, the 30-digit path of
the printed [eq5] / corrected [eq7] (a different formula from the float64 path's [N.*] rewrites).
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numerics as nm
from numerics import highprec

REL = 1e-9  # the documented accuracy bar
TINY = 1e-300  # below it a result is compared absolutely (subnormal / underflowed values)

full = st.floats(-300, 300).map(lambda e: 10.0**e)  # log-uniform over 1e-300 .. 1e300
maybe_zero = st.one_of(st.just(0.0), full)
signed = st.tuples(full, st.sampled_from([-1.0, 1.0])).map(lambda p: p[0] * p[1])


def _close(got: float, ref: float) -> bool:
    return bool(np.isfinite(got)) and (abs(got - ref) <= REL * abs(ref) or abs(got - ref) < TINY)


def _outside(err: ValueError) -> None:
    assert "outside the supported range" in str(err), str(err)


def _call(f, *args):  # noqa: ANN001, ANN202
    """``f(*args)`` with NumPy warnings as errors: a float warning escaping is a defect."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*args)


# ----------------------------------------------------------------------- the cases


def test_tiny_unbalanced_start_is_not_nan():
    # w0 = 1e-450 underflows in float64; the exact flow stays near 1.2e-292 at t = 10
    got = float(_call(nm.dae_w, 10.0, 1.0, 0.5, 1e-300, 1e-150))
    assert np.isfinite(got) and 1.2e-292 < got < 1.22e-292


@pytest.mark.parametrize("w", [1e-91, 1e-150, 1e-300])
@pytest.mark.parametrize("t", [1e3, 1e6])
def test_tiny_balanced_start_reaches_the_fixed_point(w: float, t: float):
    # the escape from w0 = w^2 takes ln(1 / w0) / 2 < 700 time units: at t >= 1e3 the flow is on
    # its fixed point lam / (lam + eps) = 2/3 ([4.fp])
    assert float(_call(nm.dae_w, t, 1.0, 0.5, w, w)) == pytest.approx(2 / 3, rel=1e-12)


@pytest.mark.parametrize("lam", [1e-19, 1e-20, 1e-100, 1e-300])
def test_tiny_eigenvalue_follows_the_flow(lam: float):
    # balanced start w1 = w2 = 0.1, eps = 0.5: the logistic [eq5.balanced] in mpmath (typed here)
    t, eps = 1.0, 0.5
    with mpmath.workdps(800):  # the form cancels terms of relative size lam
        L, E, W = mpmath.mpf(lam), mpmath.mpf(eps), mpmath.mpf(0.1) ** 2
        ref = L / ((L + E) * ((L / (W * (L + E)) - 1) * mpmath.exp(-2 * L * t) + 1))
    assert _close(float(_call(nm.dae_w, t, lam, eps, 0.1, 0.1)), float(ref))


@pytest.mark.parametrize(("lam", "eps"), [(1e200, 0.5), (1.0, 1e200), (1e300, 1e300),
                                          (1e-300, 1e300)])
def test_huge_parameters_give_the_flow_not_nan(lam: float, eps: float):
    # w1 = 0.1, w2 = 0.2 (c0 = 0.03): at t = 1e6 tau / lam every trajectory sits on its fixed
    # point, of the product's sign: lam / (lam + eps) ([4.fp])
    with mpmath.workdps(50):
        ref = float(mpmath.mpf(lam) / (mpmath.mpf(lam) + mpmath.mpf(eps)))
    assert _close(float(_call(nm.dae_w, 1e6 / lam, lam, eps, 0.1, 0.2)), ref)


def test_high_precision_path_tiny_weights_is_finite():
    v = nm.dae_w(1.0, 1.0, 0.5, 1e-41, 1e-41, precision=40)[()]
    # balanced: [eq5.balanced] typed here
    with mpmath.workdps(80):
        W = mpmath.mpf(1e-41) ** 2
        ref = 1 / (mpmath.mpf(1.5) * ((1 / (W * mpmath.mpf(1.5)) - 1) * mpmath.exp(-2) + 1))
    assert mpmath.isfinite(v) and abs(v - ref) <= abs(ref) * mpmath.mpf(10) ** -38
    big = nm.dae_w(1.0, 1.0, 0.5, 1e-200, 1e-41, precision=40)[()]
    assert mpmath.isfinite(big) and big > 0


@pytest.mark.parametrize("precision", ["40", 15, 40.0, True, -3])
def test_precision_must_be_an_integer_of_at_least_16_digits(precision: object):
    with pytest.raises(ValueError, match="precision must be an integer >= 16"):
        nm.dae_w(1.0, 1.0, 0.5, 0.1, 0.2, precision=precision)
    with pytest.raises(ValueError, match="precision must be an integer >= 16"):
        nm.wdae_w(1.0, 1.0, 0.1, 1.0, 0.1, precision=precision)


def test_result_beyond_float64_names_the_inputs():
    with pytest.raises(ValueError, match=r"dae_w\(.*w1_0=1e\+200.*outside the supported range"):
        nm.dae_w(0.0, 1.0, 1.0, 1e200, 1e200)
    with pytest.raises(ValueError, match=r"equivalent_gamma\(lam=1e\+300.*outside"):
        nm.equivalent_gamma(1e300, 1e300, 1e-300)


def test_rational_forms_outside_the_float64_products():
    # lam eps overflows (1e600) and lam + eps rounds: the exact quotients, typed here
    assert float(_call(nm.equivalent_gamma, 1e300, 1e300, 1e300)) == 0.5
    assert float(_call(nm.optimal_lr_dae, 1e300, 1e300, 1e300)) == pytest.approx(0.2, rel=1e-15)
    assert float(_call(nm.dae_fixed_point, 1e-300, 1e-300)) == 0.5
    assert float(_call(nm.wdae_fixed_point, 1e-300, 1e300, 1e300)) == 0.0  # N gamma >> lam


# ----------------------------------------------------------------------- solve_ivp of the flow


@pytest.mark.parametrize(("w1", "w2", "lam", "eps", "tau", "s_end"), [
    (1e-200, 3e-100, 1.0, 0.5, 1.0, 0.5), (-2e-160, 1e-170, 2.0, 0.0, 1.0, 0.5),
    (2e4, 1e4, 1.0, 1.0, 1.0, 1e-9), (0.3, 0.1, 1e-40, 1e-40, 1e-40, 0.5),
    (0.3, 0.1, 1e40, 1e41, 1e40, 0.5)])
def test_outside_the_box_matches_solve_ivp(w1, w2, lam, eps, tau, s_end):
    """[eq3] integrated in the scaled time s = t lam / tau (w1, w2 rescaled by their size)."""
    from scipy.integrate import solve_ivp

    k = eps / lam
    scale = max(abs(w1), abs(w2))

    def rhs(_s, y):  # noqa: ANN001, ANN202 - y = (w1, w2) / scale
        a, b = y
        r = 1 - (1 + k) * scale**2 * a * b
        return [b * r, a * r]

    sol = solve_ivp(rhs, (0, s_end), [w1 / scale, w2 / scale], method="Radau", rtol=1e-12,
                    atol=1e-14, first_step=s_end * 1e-6)
    assert sol.success
    a, b = sol.y[:, -1]
    ref = a * b * scale**2
    got = float(_call(nm.dae_w, s_end * tau / lam, lam, eps, w1, w2, tau))
    assert np.isfinite(got)
    assert abs(got - ref) <= 1e-8 * abs(ref) + 1e-12 * abs(w1 * w2)


# ----------------------------------------------------------------------- Hypothesis, full range


@given(t=maybe_zero, lam=full, eps=maybe_zero, w1=signed, w2=signed, tau=full,
       balanced=st.booleans())
def test_dae_w_full_range(t, lam, eps, w1, w2, tau, balanced):
    w2 = abs(w1) * np.sign(w2) if balanced else w2
    try:
        got = float(_call(nm.dae_w, t, lam, eps, w1, w2, tau))
    except ValueError as err:
        _outside(err)
        return
    ref = highprec.dae_w(*(np.array(v) for v in (t, lam, eps, w1, w2, tau)), 30)[()]
    assert _close(got, float(ref)), (got, ref)


def test_critical_weight_decay_decays_algebraically_at_huge_times():
    # N gamma = lam: w0 / (1 + 2 lam w0 t / tau) ([eq7.critical]), not an exponential tail
    for t in (1e6, 1e100, 1e300):
        assert float(_call(nm.wdae_w, t, 1.0, 1.0, 1.0, 1.0)) == pytest.approx(1 / (1 + 2 * t))
    assert float(_call(nm.wdae_w, 1e250, 1e-200, 1e-200, 1.0, 1.0)) == pytest.approx(
        1 / (1 + 2e50))


@given(t=maybe_zero, lam=full, gamma=maybe_zero, N=full, w0=full, tau=full)
def test_wdae_w_full_range(t, lam, gamma, N, w0, tau):
    try:
        got = float(_call(nm.wdae_w, t, lam, gamma, N, w0, tau))
    except ValueError as err:
        _outside(err)
        return
    ref = highprec.wdae_w(*(np.array(v) for v in (t, lam, gamma, N, w0, tau)), 30)[()]
    assert _close(got, float(ref)), (got, ref)


def _mp(*xs: float) -> list[mpmath.mpf]:
    return [mpmath.mpf(x) for x in xs]


@given(lam=full, eps=maybe_zero, gamma=maybe_zero, N=full, tau=full)
def test_rational_forms_full_range(lam, eps, gamma, N, tau):
    with mpmath.workdps(1500):  # exact enough for any float64 inputs
        L, E, G, n, T = _mp(lam, eps, gamma, N, tau)
        refs = {
            "dae_fixed_point": (nm.dae_fixed_point, (lam, eps), L / (L + E)),
            "wdae_fixed_point": (nm.wdae_fixed_point, (lam, gamma, N),
                                 max(1 - n * G / L, mpmath.mpf(0))),
            "equivalent_gamma": (nm.equivalent_gamma, (lam, eps, N), L * E / (n * (L + E))),
            "optimal_lr_dae": (nm.optimal_lr_dae, (lam, eps, tau), T / (2 * L + 3 * E)),
            "optimal_lr_wdae": (nm.optimal_lr_wdae, (lam, gamma, N, tau), T / (2 * L + n * G)),
        }
        for name, (f, args, ref) in refs.items():
            try:
                got = float(_call(f, *args))
            except ValueError as err:
                _outside(err)
                assert abs(ref) > mpmath.mpf("1.7e308"), (name, args)
                continue
            # wdae_fixed_point: 1 - N gamma / lam cancels near N gamma = lam; float64 keeps
            # the rounding of N gamma / lam (relative 1e-16 of 1), so compare absolutely there
            tol = 1e-15 if name == "wdae_fixed_point" else 0.0
            assert np.isfinite(got) and (abs(got - ref) <= REL * abs(ref) + tol
                                         or abs(got - ref) < TINY), (name, args, got, ref)


# ----------------------------------------------------------------------- simulators


def test_simulate_linear_ae_empty_data_is_a_value_error():
    with pytest.raises(ValueError, match="no samples"):
        nm.simulate_linear_ae(np.zeros((0, 4)), H=2, epochs=3)
    with pytest.raises(ValueError, match="no samples or no features"):
        nm.simulate_linear_ae(np.zeros((5, 0)), H=2, epochs=3)


def test_diverging_linear_simulation_reports_diverged_without_warnings():
    x = np.random.default_rng(0).standard_normal((50, 4)) * [3, 2, 1, 0.5]
    lam1 = np.linalg.eigvalsh(x.T @ x).max()
    lr = 3.0 * 50 / lam1  # lr lambda_1 / N = 3 > 1: GD leaves every bound
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = nm.simulate_linear_ae(x, H=2, lr=lr, epochs=400, scale=0.5, record_every=10)
    assert tr.diverged is not None and tr.diverged <= 400
    row = int(np.searchsorted(tr.epochs, tr.diverged))
    assert np.all(np.isfinite(tr.diag[:row])) and np.all(np.isnan(tr.diag[row:]))
    stable = nm.simulate_linear_ae(x, H=2, lr=0.5 * 50 / lam1, epochs=400, scale=0.5)
    assert stable.diverged is None and np.all(np.isfinite(stable.diag))


@pytest.mark.parametrize(("lam", "match"), [
    (np.array([1.0, np.nan, 0.5]), "finite"), (np.ones((2, 2)), "1-D"),
    (np.array([1.0, -0.5, 0.1]), "covariance"), (np.array([]), "1-D"), ("abc", "lam")])
def test_gd_eigenbasis_validates_its_eigenvalues(lam: object, match: str):
    b1, b2 = np.full((1, 3), 0.1), np.full((3, 1), 0.1)
    with pytest.raises(ValueError, match=match):
        nm.gd_eigenbasis(b1, b2, lam, N=10, lr=0.01, epochs=2)


def test_gd_eigenbasis_accepts_rounding_level_negative_eigenvalues():
    lam = np.array([2.0, 1.0, -1e-14])
    b1, b2 = nm.gd_eigenbasis(np.full((1, 3), 0.1), np.full((3, 1), 0.1), lam, N=10, lr=0.01,
                              epochs=2)
    assert np.all(np.isfinite(b1)) and np.all(np.isfinite(b2))


def test_covariance_overflow_is_a_value_error():
    with pytest.raises(ValueError, match="overflows"):
        nm.covariance(np.full((3, 2), 1e200))


@given(scale=full, seed=st.integers(0, 2**16))
def test_covariance_and_eigenbasis_full_range(scale, seed):
    z = np.random.default_rng(seed).standard_normal((6, 3))
    try:
        s = _call(nm.covariance, z * scale)
    except ValueError as err:
        assert "overflows" in str(err)
        assert scale > 1e150  # (scale |z|)^2 beyond float64
        return
    lam, V = _call(nm.eigenbasis, s)
    assert np.all(np.isfinite(lam)) and np.all(np.isfinite(V))
    ref = np.sort(np.linalg.eigvalsh(z.T @ z))[::-1]
    if scale**2 * ref.min() > 1e-290:  # normal floats: relative accuracy
        np.testing.assert_allclose(lam / scale**2, ref, rtol=1e-9)


@given(lam=full, eps=maybe_zero, lr=full, w1=signed, w2=signed)
def test_simulate_scalar_full_range_flags_what_it_cannot_follow(lam, eps, lr, w1, w2):
    tr = _call(nm.simulate_scalar, lam, eps, 0.0, 1.0, lr, w1, w2, 5)
    finite = np.isfinite(tr.w1).all(axis=0) & np.isfinite(tr.w2).all(axis=0)
    assert np.array_equal(~finite, tr.diverged)  # every non-finite entry is flagged


@given(w1=signed, w2=signed, lam=full, eps=maybe_zero, gamma=maybe_zero, N=full, tau=full)
def test_scalar_losses_full_range(w1, w2, lam, eps, gamma, N, tau):
    from numerics.scalar_losses import dae_loss, rate_ratio, wdae_loss, weight_norm

    for f, args in ((dae_loss, (w1, w2, lam, eps, tau)), (wdae_loss, (w1, w2, lam, gamma, N,
                                                                       tau)),
                    (rate_ratio, (lam, eps, gamma, N)), (weight_norm, (w1 * 1e-10, abs(w1)))):
        try:
            out = _call(f, *args)
        except ValueError as err:
            _outside(err)
            continue
        assert np.all(np.isfinite(out)), (f.__name__, args)


def test_scalar_losses_values():
    from numerics.scalar_losses import dae_loss, rate_ratio, wdae_loss, weight_norm

    # [eq4] at lam = 1, eps = 0.5, tau = 1, w1 w2 = 0.02: (0.98^2 + 0.5 * 0.02^2) / 2
    assert float(dae_loss(0.1, 0.2, 1.0, 0.5)) == pytest.approx((0.98**2 + 0.5 * 4e-4) / 2)
    assert float(wdae_loss(0.1, 0.2, 1.0, 0.1, 1.0)) == pytest.approx((0.98**2 + 0.1 * 0.05) / 2)
    assert float(rate_ratio(1.0, 1.0, 0.05, 10.0)) == pytest.approx(2.5 / 5)
    # w1 = w2 = sqrt(0.5): c0 = 0, w = 0.5, ||(w1, w2)|| = 1
    assert float(weight_norm(0.5, 0.0)) == pytest.approx(1.0)
    assert float(weight_norm(0.3 * 0.4, 0.4**2 - 0.3**2)) == pytest.approx(0.5)
