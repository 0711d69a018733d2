"""The order-parameter flow (numerics.shallow.ode) against one-step SGD means, PCA and invariants.

The SGD step is a tiny numpy reference written here from SHALLOW_MODEL.md (loss
||x - xhat||^2/(2D), encoder rate eta/D, decoder rate eta, lambda = w.x/sqrt D, nu = v.x/D,
truncated: unit k sees the error of units l <= k); the flow's right-hand side is the expected
increment per unit time t = steps/D, so D times the mean increment must match it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from numerics.shallow.ode import Flow, integrate, pca_errors, pmse, rotate_weights

G = {
    "erf": (lambda z: erf(z / np.sqrt(2)), lambda z: np.sqrt(2 / np.pi) * np.exp(-z * z / 2)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
}


def _sgd_increments(W, V, X, eta, act, truncated):
    """Per-sample increments (dW, dV) of one online SGD step for each row of X (S, D)."""
    S, D = X.shape
    K = W.shape[0]
    g, gp = G[act]
    lam = X @ W.T / np.sqrt(D)
    gl, gpl = g(lam), gp(lam)
    dW = np.empty((S, K, D))
    dV = np.empty((S, K, D))
    for k in range(K):
        units = range(k + 1) if truncated else range(K)
        err = X - sum(gl[:, [m]] * V[m] for m in units)
        dV[:, k] = eta / D * err * gl[:, [k]]
        dW[:, k] = eta / D / D * ((err @ V[k]) * gpl[:, k])[:, None] * X / np.sqrt(D)
    return dW, dV


def _problem(D: int = 24, seed: int = 0):
    rng = np.random.default_rng(seed)
    Qm, _ = np.linalg.qr(rng.standard_normal((D, D)))
    rt = np.concatenate([[6.0, 2.5], rng.uniform(0.5, 1.5, D - 2) / D])
    Omega = D * (Qm * rt) @ Qm.T
    W = 0.8 * rng.standard_normal((2, D))
    V = 0.8 * rng.standard_normal((2, D)) + 1.5 * np.sqrt(D) * Qm[:, :2].T * [[1.0], [0.5]]
    return rng, Qm, rt, Omega, W, V


_SLOW = pytest.mark.slow


@pytest.mark.parametrize(("act", "truncated"), [
    ("erf", False), ("relu", True),
    pytest.param("erf", True, marks=_SLOW), pytest.param("relu", False, marks=_SLOW),
    pytest.param("linear", False, marks=_SLOW), pytest.param("linear", True, marks=_SLOW),
])
def test_rhs_matches_mean_sgd_increment(act: str, truncated: bool) -> None:
    rng, E, rt, Omega, W, V = _problem()
    D = W.shape[1]
    eta = 0.1
    L = np.linalg.cholesky(Omega)
    sums = sq = 0.0
    S, batches = 50_000, 8
    for _ in range(batches):
        X = rng.standard_normal((S, D)) @ L.T
        dW, dV = _sgd_increments(W, V, X, eta, act, truncated)
        inc = np.concatenate([dW @ E, dV @ E / np.sqrt(D)], axis=1) * D  # per unit time
        sums = sums + inc.sum(0)
        sq = sq + (inc**2).sum(0)
    n = S * batches
    mean = sums / n
    sem = np.sqrt(np.maximum(sq / n - mean**2, 0) / n)
    fl = Flow(rt, 2, act, eta, truncated=truncated)
    al, be = rotate_weights(W, V, E)
    rhs = fl(0.0, fl.pack(al, be)).reshape(4, D)
    z = np.abs(mean - rhs) / (sem + 1e-300)
    assert np.max(z) < 5.5, (np.max(z), np.unravel_index(np.argmax(z), z.shape))
    # the dominant components agree to ~1 % (measured 0.2-0.6 % at 4e5 samples)
    big = np.abs(rhs) > 0.2 * np.abs(rhs).max()
    assert np.max(np.abs(mean - rhs)[big] / np.abs(rhs)[big]) < 0.02


@pytest.mark.parametrize("act", ["erf", "relu", "linear"])
def test_pmse_matches_monte_carlo_loss(act: str) -> None:
    rng, E, rt, Omega, W, V = _problem(seed=1)
    D = W.shape[1]
    g, _ = G[act]
    X = rng.standard_normal((400_000, D)) @ np.linalg.cholesky(Omega).T
    xhat = g(X @ W.T / np.sqrt(D)) @ V
    loss = ((X - xhat) ** 2).sum(1) / (2 * D)
    al, be = rotate_weights(W, V, E)
    want = pmse(al, be, rt, act)
    assert abs(loss.mean() - want) < 5 * loss.std() / np.sqrt(loss.size), (loss.mean(), want)


def test_linear_converges_to_pca_error() -> None:
    rt = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.25])
    res = integrate(rt, 2, "linear", 0.5, t_max=400.0, seed=3, rtol=1e-9)
    assert res.pca_errors[2] == pytest.approx(0.5 * (2.0 + 1.0 + 0.5 + 0.25))
    assert abs(res.pmse[-1] - res.pca_errors[2]) < 1e-6
    assert np.all(res.pmse >= res.pca_errors[2] - 1e-9)


@pytest.mark.parametrize(("act", "truncated", "t_max"), [
    ("erf", True, 300.0), ("relu", False, 300.0),
    pytest.param("erf", False, 3e3, marks=_SLOW), pytest.param("erf", True, 3e3, marks=_SLOW),
    pytest.param("relu", False, 3e3, marks=_SLOW), pytest.param("relu", True, 3e3, marks=_SLOW),
])
def test_pmse_above_pca_and_rank_one_long_horizon(act: str, truncated: bool,
                                                  t_max: float) -> None:
    rt = np.concatenate([[9.0, 4.0, 2.0], np.full(10, 1 / 10)])
    res = integrate(rt, 2, act, 0.2, truncated=truncated, t_max=t_max, seed=5, rtol=1e-8)
    assert np.all(res.pmse >= res.pca_errors[2] - 1e-9)
    # densities q_kk(tau) t_kk(tau) = r_kk(tau)^2 per mode (push-forward of the weights)
    q, r, t = res.alpha**2, res.beta * res.alpha, res.beta**2
    assert np.max(np.abs(q * t - r**2)) <= 1e-12 * np.max(q * t + r**2)
    assert res.pmse[-1] < res.pmse[0]


def test_pca_errors_and_bad_input() -> None:
    assert pca_errors([1.0, 4.0, 2.0], 2).tolist() == [3.5, 1.5, 0.5]
    with pytest.raises(ValueError, match="seed"):
        integrate([1.0, 2.0], 1)
    with pytest.raises(ValueError, match="tied"):
        integrate([1.0, 2.0], 1, seed=0, tied=True)
    with pytest.raises(ValueError, match="activation"):
        integrate([1.0, 2.0], 1, "tanh", seed=0)
    with pytest.raises(ValueError, match="shape"):
        integrate([1.0, 2.0], 1, alpha0=np.zeros((1, 3)), beta0=np.zeros((1, 3)))
