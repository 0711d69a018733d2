"""simulate_scalar(optimizer=) and train_linear_ae(optimizer=, basis=) [OD.decoupling],
[OD.adam.scale]: the eigenbasis run of a coordinate-wise optimiser is the per-direction scalar
model, the pixel run is not; heavy ball and Nesterov are rotation-equivariant."""

from __future__ import annotations

import numpy as np
import pytest

import numerics as nm
from numerics.linear_ae import OptimizerLinearAE, linear_ae_gradient, train_linear_ae
from numerics.optimizers import SGD, Adagrad, Adam, RMSprop

D, H, N = 10, 4, 200.0


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    lam = np.geomspace(300.0, 3.0, D)
    return (q * lam) @ q.T, lam, q


def test_scalar_sgd_optimizer_is_plain_gd() -> None:
    """SGD(lr) on the per-sample loss is GD with tau = N / lr (to rounding)."""
    lam, eps, gam = np.array([2.0, 0.7, 0.1]), np.array([0.0, 0.5, 0.0]), np.array([0, 0, 0.3])
    a = nm.simulate_scalar(lam, eps, gam, N=5.0, lr=0.3, w1_0=0.02, w2_0=0.05, epochs=400)
    b = nm.simulate_scalar(lam, eps, gam, N=5.0, w1_0=0.02, w2_0=0.05, epochs=400,
                           optimizer=SGD(lr=0.3))
    np.testing.assert_allclose(b.w1, a.w1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.w2, a.w2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.tau, a.tau)
    assert a.optimizer is None and isinstance(b.optimizer, SGD)


def test_scalar_optimizer_batch_of_learning_rates_and_divergence() -> None:
    """A column of learning rates; the entry above GD's threshold (eta lam > 1 at the balanced
    fixed point, [OD.gd]) is NaN and flagged, the others run on."""
    lr = np.array([[0.1], [0.5], [4.0]])
    t = nm.simulate_scalar(1.0, N=1.0, w1_0=0.1, w2_0=0.1, epochs=300, optimizer=SGD(lr=lr))
    assert t.diverged.tolist() == [False, False, True]
    np.testing.assert_allclose(t.w[-1, :2], 1.0, atol=1e-9)


def test_scalar_optimizer_bad_input() -> None:
    with pytest.raises(ValueError, match="not both"):
        nm.simulate_scalar(1.0, lr=0.1, optimizer=SGD(lr=0.1))
    with pytest.raises(ValueError, match="optimizer must be"):
        nm.simulate_scalar(1.0, optimizer="adam")
    with pytest.raises(ValueError, match="broadcast"):
        nm.simulate_scalar(np.ones(3), optimizer=SGD(lr=np.ones((4, 1))))


def test_gradient_is_the_marginalised_gradient_in_both_bases() -> None:
    """The fast gradient equals marginalised_gradient (pixel) and its rotation (eigen)."""
    from numerics.linear_ae import marginalised_gradient

    sigma, lam, q = _data()
    rng = np.random.default_rng(1)
    w1, w2 = rng.normal(size=(H, D)), rng.normal(size=(D, H))
    ref1, ref2 = marginalised_gradient(w1, w2, sigma, N, s2=0.3, gamma=0.2)
    g1, g2 = linear_ae_gradient(w1, w2, sigma, N, eps=0.3 * N, gamma=0.2)
    np.testing.assert_allclose(g1, ref1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g2, ref2, rtol=1e-12, atol=1e-12)
    e1, e2 = linear_ae_gradient(w1 @ q, q.T @ w2, lam, N, eps=0.3 * N, gamma=0.2)
    np.testing.assert_allclose(e1, ref1 @ q, atol=1e-10)
    np.testing.assert_allclose(e2, q.T @ ref2, atol=1e-10)


def test_sgd_optimizer_run_is_simulate_linear_ae() -> None:
    sigma, lam, q = _data()
    a = nm.simulate_linear_ae(sigma=sigma, N=N, H=H, lr=0.3, epochs=300, init="random",
                              scale=1e-2, basis=(lam, q))
    b = train_linear_ae(sigma=sigma, N=N, H=H, epochs=300, optimizer=SGD(lr=0.3), init="random",
                        scale=1e-2, eig=(lam, q))
    np.testing.assert_allclose(b.diag, a.diag, atol=1e-12)
    assert (b.basis, b.tau) == ("eigen", a.tau) and a.optimizer is None


@pytest.mark.parametrize("opt", [SGD(lr=0.1, momentum=0.9), SGD(lr=0.05, momentum=0.8,
                                                                   nesterov=True)])
def test_momentum_pixel_run_is_the_eigenbasis_run_rotated(opt: SGD) -> None:
    """[OD.decoupling]: heavy ball / Nesterov commute with rotations, from any (random) start."""
    sigma, lam, q = _data()
    kw = dict(sigma=sigma, N=N, H=H, epochs=400, optimizer=opt, init="random", scale=1e-2,
              eig=(lam, q))
    e, p = train_linear_ae(**kw), train_linear_ae(**kw, basis="pixel")
    assert p.basis == "pixel"
    np.testing.assert_allclose(p.diag, e.diag, atol=1e-12)
    np.testing.assert_allclose(p.W1, e.W1, atol=1e-12)
    np.testing.assert_allclose(p.W2, e.W2, atol=1e-12)


@pytest.mark.parametrize("opt", [Adam(lr=1e-2), RMSprop(lr=1e-3), Adagrad(lr=0.05)])
@pytest.mark.parametrize(("eps", "gamma"), [(0.0, 0.0), (50.0, 0.0), (0.0, 0.2)])
def test_adaptive_eigenbasis_run_is_the_scalar_model(opt, eps: float, gamma: float) -> None:
    """From the aligned start (R = I) the eigenbasis run of a coordinate-wise optimiser is the
    per-direction scalar model (simulate_scalar with the same optimiser): measured 7e-16."""
    sigma, lam, q = _data()
    e = train_linear_ae(sigma=sigma, N=N, H=H, epochs=600, eps=eps, gamma=gamma, optimizer=opt,
                        init="aligned", scale=1e-2, eig=(lam, q))
    s = nm.simulate_scalar(lam[:H], eps, gamma, N, w1_0=1e-2, w2_0=1e-2, epochs=600,
                           optimizer=opt)
    np.testing.assert_allclose(e.diag[:, :H], s.w, rtol=0, atol=1e-12)
    assert np.all(e.diag[:, H:] == 0)
    assert np.ptp(e.diag[-1, :H]) > 1e-3 or eps == gamma == 0  # the directions did learn


@pytest.mark.parametrize("opt", [Adam(lr=1e-2), RMSprop(lr=1e-3)])
def test_adaptive_pixel_run_is_not_the_eigenbasis_run(opt) -> None:
    """The control of the test above: trained in pixel coordinates (what practitioners run)
    the same start leaves the per-direction model (a simulator that silently trained in the
    eigenbasis would give 0 here); measured max gaps 0.3-0.7."""
    sigma, lam, q = _data()
    kw = dict(sigma=sigma, N=N, H=H, epochs=600, optimizer=opt, init="aligned", scale=1e-2,
              eig=(lam, q), track_offdiag=True)
    e, p = train_linear_ae(**kw), train_linear_ae(**kw, basis="pixel")
    assert np.nanmax(e.offdiag) == 0
    assert np.max(np.abs(p.diag - e.diag)) > 0.05
    assert np.nanmax(p.offdiag) > 1e-2


def test_adam_learning_time_does_not_depend_on_the_eigenvalue() -> None:
    """[OD.adam.scale]: in the eigenbasis (eps_Adam -> 0) every AE direction follows the same
    trajectory, whatever its eigenvalue (here 300 ... 3, a 100-fold spread); GD's do not."""
    sigma, lam, q = _data()
    kw = dict(sigma=sigma, N=N, H=H, epochs=500, init="aligned", scale=1e-2, eig=(lam, q))
    adam = train_linear_ae(**kw, optimizer=Adam(lr=1e-2, eps=1e-14))
    np.testing.assert_allclose(adam.diag[:, :H], np.repeat(adam.diag[:, :1], H, axis=1),
                               atol=1e-9)
    gd = train_linear_ae(**kw, optimizer=SGD(lr=0.3))
    assert np.max(np.ptp(gd.diag[:, :H], axis=1)) > 0.5


def test_adam_scale_invariance_of_the_pixel_run() -> None:
    """[OD.adam.scale] in pixel coordinates: Sigma -> c Sigma, eps -> c eps scales the loss by
    c; Adam without eps is unchanged (exactly, for c a power of 2; to rounding otherwise)."""
    sigma, lam, q = _data()
    for c, tol in ((4.0, 0.0), (3.7, 1e-9)):
        kw = dict(N=N, H=H, epochs=300, optimizer=Adam(lr=1e-2, eps=0.0), init="random",
                  scale=1e-2, basis="pixel")
        a = train_linear_ae(sigma=sigma, eps=20.0, eig=(lam, q), **kw)
        b = train_linear_ae(sigma=c * sigma, eps=c * 20.0, eig=(c * lam, q), **kw)
        np.testing.assert_allclose(b.diag, a.diag, rtol=tol, atol=tol)


def test_bad_input() -> None:
    sigma, lam, q = _data()
    with pytest.raises(ValueError, match="basis"):
        train_linear_ae(sigma=sigma, N=N, optimizer=SGD(), basis="hidden")
    with pytest.raises(ValueError, match="optimizer"):
        train_linear_ae(sigma=sigma, N=N, optimizer=None)
    with pytest.raises(ValueError, match="needs the eigenvectors"):
        OptimizerLinearAE(lam, None, N, SGD(), basis="pixel")
    with pytest.raises(ValueError, match="scalar lr"):
        train_linear_ae(sigma=sigma, N=N, optimizer=SGD(lr=np.ones(2)))


def test_divergence_is_recorded_not_raised() -> None:
    """GD (as SGD) well above lr lambda_1 / N = 1 leaves the finite numbers: recorded."""
    sigma, lam, q = _data()
    t = train_linear_ae(sigma=sigma, N=N, H=H, epochs=400, optimizer=SGD(lr=3 * N / lam[0]),
                        init="random", scale=1e-2, eig=(lam, q))
    assert t.diverged is not None and np.isnan(t.diag[-1]).all()
