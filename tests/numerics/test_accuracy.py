"""float64 closed forms against the 50-digit mpmath path over the whole documented domain.

The two paths share no formula: float64 evaluates the stable rewrites [N.dae.stable] /
[N.wdae.stable], mpmath the paper's printed [eq5] / corrected [eq7] with 30 guard digits.
Domain (README): t in [0, 1e6 tau/lam], |w1_0|, |w2_0| in [1e-12, 10] (any signs, balanced
included), eps and N gamma in [0, 1e3 lam], lam in [1e-2, 1e2], tau in [0.1, 10].
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import numerics as nm

REL = 1e-9  # the documented accuracy bar

log_uniform = lambda lo, hi: st.floats(lo, hi).map(lambda e: 10.0**e)  # noqa: E731
lam_s = log_uniform(-2, 2)
tau_s = log_uniform(-1, 1)
scaled_t = st.one_of(st.just(0.0), log_uniform(-6, 6))  # t in units of tau / lam
mag_s = log_uniform(-12, 1)
sign_s = st.sampled_from([-1.0, 1.0])
ratio_s = st.one_of(st.just(0.0), log_uniform(-6, 3))  # eps / lam or N gamma / lam


def _rel(a: np.ndarray, ref: np.ndarray) -> float:
    ref = np.array([float(x) for x in np.ravel(ref)])
    a = np.ravel(a)
    assert np.all(np.isfinite(a))
    scale = np.maximum(np.abs(ref), np.finfo(float).tiny)
    return float(np.max(np.abs(a - ref) / scale))


@given(lam=lam_s, tau=tau_s, s=st.lists(scaled_t, min_size=1, max_size=6), m1=mag_s, m2=mag_s,
       s1=sign_s, s2=sign_s, balanced=st.booleans(), k=ratio_s)
def test_dae_w_matches_50_digit_eq5(lam, tau, s, m1, m2, s1, s2, balanced, k):
    w1, w2 = s1 * m1, s2 * (m1 if balanced else m2)
    t = np.array(s) * tau / lam
    got = nm.dae_w(t, lam, k * lam, w1, w2, tau)
    ref = nm.dae_w(t, lam, k * lam, w1, w2, tau, precision=50)
    assert _rel(got, ref) <= REL


@given(lam=lam_s, tau=tau_s, s=st.lists(scaled_t, min_size=1, max_size=6), m=mag_s,
       k=st.one_of(ratio_s, st.just(1.0)), N=st.sampled_from([1.0, 7.0, 5e4]))
def test_wdae_w_matches_50_digit_eq7(lam, tau, s, m, k, N):
    gamma = k * lam / N
    t = np.array(s) * tau / lam
    got = nm.wdae_w(t, lam, gamma, N, m * m, tau)
    ref = nm.wdae_w(t, lam, gamma, N, m * m, tau, precision=50)
    assert _rel(got, ref) <= REL


def test_far_tail_is_the_fixed_point_without_overflow():
    t = np.array([1e3, 1e6]) / 0.5
    w = nm.dae_w(t, 0.5, 0.25, 1e-12, 3.0)
    np.testing.assert_allclose(w, 0.5 / 0.75, rtol=1e-14)
    assert np.all(nm.wdae_w(t, 0.5, [0.1, 2.0], 1.0, 1e-24) >= 0)


def test_critical_weight_decay_is_the_limit_not_nan():
    # N gamma = lam exactly: printed eq7 is 0/0; the flow is w0 / (1 + 2 lam w0 t / tau)
    lam, N, w0, t = 2.0, 4.0, 0.3, np.array([0.0, 1.0, 1e6])
    got = nm.wdae_w(t, lam, lam / N, N, w0)
    np.testing.assert_allclose(got, w0 / (1 + 2 * lam * w0 * t), rtol=1e-13)
    # continuity in N gamma at fixed t (the gap grows with t: 4 lam t delta / tau, so t <= 10)
    near = nm.wdae_w(t[:2], lam, lam / N * (1 + 1e-12), N, w0)
    np.testing.assert_allclose(near, got[:2], rtol=1e-9)


def test_eps_zero_and_balanced_are_continuous():
    t = np.linspace(0, 20, 50)
    base = nm.dae_w(t, 1.0, 0.0, 0.01, 0.01)
    for d in (1e-8, 1e-6, 1e-4):
        np.testing.assert_allclose(nm.dae_w(t, 1.0, 0.0, 0.01, 0.01 + d), base,
                                   rtol=300 * d / 0.01, atol=0)


def test_weight_decay_gap_is_free_of_the_products_rounding():
    # N gamma = 1 + 2^-53 + ... in exact arithmetic, rounds to 1.0 in float64: the flow sees the
    # exact gap, which the 50-digit path (exact products of the float inputs) confirms
    lam, N, gamma, w0, t = 1.0, 10.0, 0.1, 1e-8, np.array([1e5, 1e6])
    got = nm.wdae_w(t, lam, gamma, N, w0)
    ref = nm.wdae_w(t, lam, gamma, N, w0, precision=50)
    assert _rel(got, ref) <= 1e-13


def test_two_product_is_exact():
    from fractions import Fraction

    from numerics.compensated import two_product

    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1e3, 1e3, 200), rng.uniform(-1e3, 1e3, 200)
    p, e = two_product(a, b)
    for ai, bi, pi, ei in zip(a, b, p, e, strict=True):
        assert Fraction(pi) + Fraction(ei) == Fraction(ai) * Fraction(bi)
