"""The shallow-AE flow's solver machinery (numerics.shallow.ode): the batched right-hand side
against the (J0, J1) blocks of step RG.ode.weights, the group-scaled finite-difference Jacobian
against central differences, the exact flat-bulk compression against explicit modes, and the
long horizon that used to stall (t = 1e6, K = 3, spikes 9, 25, 81, aggregated bulk)."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.shallow.ode import Flow, compress_flat_bulk, initial_weights, integrate

SPIKES = np.array([9.0, 25.0, 81.0])


def _state(fl: Flow, rng: np.random.Generator) -> np.ndarray:
    K, N = fl.K, fl.N
    al, be = rng.standard_normal((K, N)), 3 * rng.standard_normal((K, N))
    A, B = rng.standard_normal((K, K)), rng.standard_normal((K, K))
    return fl.pack(al, be, 0.1 * A @ A.T, B @ B.T)


@pytest.mark.parametrize("act", ["erf", "relu", "linear"])
@pytest.mark.parametrize("truncated", [False, True])
def test_batched_rhs_is_the_block_flow(act: str, truncated: bool) -> None:
    fl = Flow(SPIKES, 3, act, 0.1, kappa=0.3, truncated=truncated, bulk_trace=1.0)
    rng = np.random.default_rng(0)
    Y = np.array([_state(fl, rng) for _ in range(4)])
    got = fl.rhs_batch(Y)
    for y, g in zip(Y, got, strict=True):
        J0, J1, c, _ = fl.blocks(y)
        al, be, Qb, T0b = fl.unpack(y)
        z = np.concatenate([al, be])
        G = fl.eta * fl.mask * c["I2"]
        want = np.concatenate([(J0 @ z + (J1 @ z) * fl.rt).ravel(), (-0.6 * Qb).ravel(),
                               (-(G @ T0b + T0b @ G.T) - 0.6 * T0b).ravel()])
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
        np.testing.assert_array_equal(fl(0.0, y), g)


def test_fd_jacobian_matches_central_differences() -> None:
    fl = Flow(SPIKES, 3, "erf", 0.1, bulk_trace=1.0)
    y = _state(fl, np.random.default_rng(1))
    J = fl.jac_fd(0.0, y)
    n = y.size
    ref = np.empty((n, n))
    for j in range(n):
        h = 1e-5 * max(abs(y[j]), 1.0)
        e = np.zeros(n)
        e[j] = h
        ref[:, j] = (fl(0.0, y + e) - fl(0.0, y - e)) / (2 * h)
    # forward differences at sqrt(eps) steps: error ~ sqrt(eps) relative to the entries
    assert np.abs(J - ref).max() < 1e-6 * np.abs(ref).max()
    assert fl.njev == 1


def test_flat_bulk_compression_is_exact() -> None:
    """n modes at one rt replaced by 2K virtual modes: same pmse trajectory (to the solver's
    tolerance) as the n explicit modes."""
    D, K = 80, 2
    rt = np.concatenate([[6.0, 2.0], np.full(D - 2, 1.0 / D)])
    a0, b0 = initial_weights(K, D, D, seed=3, init_std=0.5)
    te = np.array([0.0, 1.0, 5.0, 20.0])
    full = integrate(rt, K, "erf", 0.3, t_eval=te, alpha0=a0, beta0=b0, rtol=1e-10,
                     method="DOP853")
    flat = integrate(rt[:2], K, "erf", 0.3, t_eval=te, alpha0=a0, beta0=b0,
                     bulk_trace=(D - 2) / D, bulk_modes=D - 2, rtol=1e-10, method="DOP853")
    assert flat.alpha.shape == (K, 2 + 2 * K)
    assert full.pmse[-1] < 0.7 * full.pmse[0]  # it moved
    np.testing.assert_allclose(flat.pmse, full.pmse, rtol=1e-8)
    np.testing.assert_allclose(flat.T0, full.T0, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(flat.pca_errors, full.pca_errors, rtol=1e-12)
    # the factor reproduces the Gram matrix of the modes it replaces
    va, vb = compress_flat_bulk(a0[:, 2:], b0[:, 2:])
    Z, F = np.concatenate([a0[:, 2:], b0[:, 2:]]), np.concatenate([va, vb])
    np.testing.assert_allclose(F @ F.T, Z @ Z.T, rtol=1e-12, atol=1e-14)


def test_bad_bulk_modes() -> None:
    with pytest.raises(ValueError, match="bulk_trace"):
        Flow(SPIKES, 3, bulk_modes=10)
    with pytest.raises(ValueError, match="bulk_modes"):
        Flow(SPIKES, 3, bulk_trace=1.0, bulk_modes=0)


def test_long_horizon_does_not_stall() -> None:
    """Issue 9's configuration to t = 1e6 at rtol 1e-8: before the group-scaled Jacobian
    LSODA/BDF collapsed their step near t ~ 3e5-6e5 (> 10 min, > 4e5 evaluations); now a few
    thousand evaluations.  Agreement of LSODA and BDF on the final pmse checks accuracy."""
    a0, b0 = initial_weights(3, 3, 1000, seed=1)
    out = {}
    for method in ("LSODA", "BDF"):
        r = integrate(SPIKES, 3, "erf", 0.1, t_eval=np.array([0.0, 1e3, 1e6]), alpha0=a0,
                      beta0=b0, D=1000, bulk_trace=1.0, rtol=1e-8, method=method)
        assert r.nfev + (3 * 6 + 18 + 1) * r.njev < 30_000, (method, r.nfev, r.njev)
        out[method] = r.pmse
    np.testing.assert_allclose(out["LSODA"], out["BDF"], rtol=1e-7)
