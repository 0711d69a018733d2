"""Property suite, matrix part: 6 decoupling of full-matrix GD, 7 noise marginalisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import numerics as nm
from numerics.linear_ae import marginalised_gradient, marginalised_loss


def _data(seed: int, n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) * np.linspace(1.0, 0.2, d)


# 6 ------------------------------------------------------------------------------------------
@given(seed=st.integers(0, 10**6), s2=st.floats(0.0, 0.5), H=st.integers(1, 5))
def test_orthogonal_init_decouples_and_follows_scalar_dynamics(seed, s2, H):
    n, d, lr, epochs, scale = 40, 6, 0.05, 400, 0.05
    x = _data(seed, n, d)
    eps = n * s2
    traj = nm.simulate_linear_ae(x, H=H, lr=lr, epochs=epochs, eps=eps, init="orthogonal",
                                 scale=scale, seed=seed, record_every=50, track_offdiag=True)
    assert np.all(traj.offdiag <= 1e-12 * max(1.0, np.abs(traj.diag).max()))
    # directions j < H follow the scalar GD exactly and the flow eq5 to O(lr)
    lam = traj.lam[:H]
    gd = nm.simulate_scalar(lam, eps, N=n, lr=lr, w1_0=scale, w2_0=scale, epochs=epochs,
                            record_every=50)
    np.testing.assert_allclose(traj.diag[:, :H], gd.w, rtol=1e-9, atol=1e-13)
    flow = nm.dae_w(traj.epochs[:, None], lam, eps, scale, scale, n / lr)
    h = lr * lam.max() / n  # Euler step in units of the fastest rate
    assert np.max(np.abs(traj.diag[:, :H] - flow)) < 5 * h
    assert np.all(traj.diag[:, H:] == 0.0)  # no weights for directions j > H


# 7 ------------------------------------------------------------------------------------------
FALSE_FAILURE = 1e-6  # per test call; Bonferroni over every checked coordinate


@given(seed=st.integers(0, 10**6), s2=st.floats(0.05, 1.0))
def test_sampled_noise_averages_to_the_marginalised_loss_and_gradient(seed, s2):
    """z-test on K independent noise draws: |mean - marginalised| <= z * standard error.

    With Bonferroni over the 1 + |grad| coordinates the false-failure probability of one call is
    at most FALSE_FAILURE (the draws are i.i.d. with finite variance; K = 4000 is in the CLT
    regime for these Gaussian quadratics).
    """
    rng = np.random.default_rng(seed)
    n, d, h, k = 8, 4, 3, 4000
    x = _data(seed, n, d)
    w1, w2 = rng.standard_normal((h, d)) * 0.5, rng.standard_normal((d, h)) * 0.5
    e = rng.standard_normal((k, n, d)) * np.sqrt(s2)
    xt = x[None] + e  # K x N x D corrupted inputs
    m = w2 @ w1
    resid = x[None] - xt @ m.T  # x_i - M x~_i
    losses = 0.5 * np.sum(resid**2, axis=(1, 2)) / n
    g_m = -np.einsum("kni,knj->kij", resid, xt) / n  # d loss / d M per draw
    g1 = np.einsum("ji,kjl->kil", w2, g_m)  # W2^T g_M
    g2 = np.einsum("kij,lj->kil", g_m, w1)  # g_M W1^T
    samples = np.concatenate([losses[:, None], g1.reshape(k, -1), g2.reshape(k, -1)], axis=1)
    sigma = nm.covariance(x)
    exact1, exact2 = marginalised_gradient(w1, w2, sigma, n, s2)
    exact = np.concatenate([[marginalised_loss(w1, w2, sigma, n, s2)], exact1.ravel(),
                            exact2.ravel()])
    z = stats.norm.isf(FALSE_FAILURE / (2 * exact.size))
    se = samples.std(axis=0, ddof=1) / np.sqrt(k)
    assert np.all(np.abs(samples.mean(axis=0) - exact) <= z * se + 1e-12)


def test_marginalised_gradient_is_one_simulator_step():
    x = _data(3, 30, 5)
    sigma, n, lr, s2, g = nm.covariance(x), 30, 0.1, 0.2, 0.01
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((3, 5)) * 0.1, rng.standard_normal((5, 3)) * 0.1
    g1, g2 = marginalised_gradient(w1, w2, sigma, n, s2, g)
    traj = nm.simulate_linear_ae(x, H=3, lr=lr, epochs=1, eps=n * s2, gamma=g, init=(w1, w2))
    np.testing.assert_allclose(traj.W1, w1 - lr * g1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(traj.W2, w2 - lr * g2, rtol=1e-12, atol=1e-15)


def test_gd_eigenbasis_is_the_data_space_step_also_for_rank_deficient_sigma():
    """Rotated GD == marginalised-gradient GD, for a covariance with zero (so, after eigh,
    rounding-level negative) eigenvalues: the split of Wb1 (Lam + eps) Wb1^T is exact."""
    x = _data(4, 30, 8)
    x[:, 5:] = x[:, :3] @ np.random.default_rng(1).standard_normal((3, 3))  # rank 5 of 8
    sigma, n, lr, s2, g = nm.covariance(x), 30, 0.05, 0.0, 0.02
    lam, V = nm.eigenbasis(sigma)
    assert lam.min() < 1e-9 * lam.max()
    rng = np.random.default_rng(2)
    w1, w2 = rng.standard_normal((3, 8)) * 0.1, rng.standard_normal((8, 3)) * 0.1
    ref1, ref2 = w1, w2
    for _ in range(3):
        g1, g2 = marginalised_gradient(ref1, ref2, sigma, n, s2, g)
        ref1, ref2 = ref1 - lr * g1, ref2 - lr * g2
    b1, b2 = nm.gd_eigenbasis(w1 @ V, V.T @ w2, lam, n, lr, 3, eps=n * s2, gamma=g)
    np.testing.assert_allclose(b1 @ V.T, ref1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(V @ b2, ref2, rtol=1e-10, atol=1e-14)
    # resuming in chunks is the same iteration
    c1, c2 = nm.gd_eigenbasis(w1 @ V, V.T @ w2, lam, n, lr, 1, eps=n * s2, gamma=g)
    c1, c2 = nm.gd_eigenbasis(c1, c2, lam, n, lr, 2, eps=n * s2, gamma=g)
    np.testing.assert_array_equal(c1, b1)
    np.testing.assert_array_equal(c2, b2)


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=-1.0), "lr"), (dict(N=0.0), "N"), (dict(eps=-1.0), "eps"),
    (dict(gamma=np.nan), "gamma"), (dict(epochs=-1), "epochs"), (dict(dtype="float16"), "dtype"),
])
def test_gd_eigenbasis_bad_input(kwargs, name):
    base = dict(N=10.0, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match=name):
        nm.gd_eigenbasis(np.zeros((2, 3)), np.zeros((3, 2)), np.ones(3), **(base | kwargs))
    with pytest.raises(ValueError, match="Wb1"):
        nm.gd_eigenbasis(np.zeros((2, 3)), np.zeros((2, 3)), np.ones(3), **base)
