"""The data model of the shallow autoencoder (numerics.shallow.data_model): eq. 3, its exact
spectrum, sampling, PCA errors, and the paper's scaling of images; values derived by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.shallow import data_model as dm


def test_spike_stds_are_two_to_the_m_plus_one() -> None:
    np.testing.assert_array_equal(dm.spike_stds(4), [3.0, 5.0, 9.0, 17.0])


def test_sinusoidal_directions() -> None:
    D = 500
    A = dm.directions(D, 3, "sinusoidal")
    np.testing.assert_allclose(np.linalg.norm(A, axis=1), math.sqrt(D), rtol=1e-14)
    i = np.arange(D)
    for m in range(3):  # frequencies 2, 3, 4 (the authors' sin((k + 2) i / 100), k = 0, 1, 2)
        row = np.sin((m + 2) * i / 100)
        np.testing.assert_allclose(A[m], row / np.linalg.norm(row) * math.sqrt(D), atol=1e-13)


def test_orthogonal_directions_give_spikes_s2_d_plus_sigma2() -> None:
    """Rows orthogonal with norm sqrt(D): Omega A_m^T = (s_m^2 D + sigma^2) A_m^T exactly, the
    bulk is sigma^2, so rhotilde = s^2 + sigma^2 / D."""
    D = 64
    H = np.linalg.qr(np.random.default_rng(0).standard_normal((D, 3)))[0].T * math.sqrt(D)
    model = dm.SpikedModel(H, dm.spike_stds(3), sigma=1.5)
    spec = model.spectrum()
    np.testing.assert_allclose(spec.rho[:3], [81 * D + 2.25, 25 * D + 2.25, 9 * D + 2.25],
                               rtol=1e-13)
    np.testing.assert_allclose(spec.rho[3:], 2.25, rtol=1e-13)
    for m, k in zip(range(3), (2, 1, 0), strict=True):  # largest spike = largest s_m
        assert abs(abs(spec.vectors[:, m] @ H[k]) / math.sqrt(D) - 1) < 1e-12


@pytest.mark.parametrize("kind", ["gaussian", "sinusoidal"])
def test_exact_spectrum_diagonalises_the_population_covariance(kind: str) -> None:
    D = 300  # large enough for three well separated sinusoidal spikes (rhotilde 81, 25, 9)
    model = dm.spiked_model(D, 3, kind, seed=3)
    cov = model.covariance()
    spec = model.spectrum()
    # eigvalsh's backward error is ~ D eps ||Omega||, hence the absolute tolerance
    tol = D * np.finfo(float).eps * spec.rho[0]
    np.testing.assert_allclose(spec.rho, np.linalg.eigvalsh(cov)[::-1], rtol=0, atol=tol)
    np.testing.assert_allclose(spec.vectors.T @ spec.vectors, np.eye(D), atol=1e-12)
    np.testing.assert_allclose(cov @ spec.vectors, spec.vectors * spec.rho, atol=tol)
    np.testing.assert_allclose(spec.rhotilde, spec.rho / D)
    assert np.all(spec.rhotilde[:3] > 5) and np.allclose(spec.rhotilde[3:], 1 / D)


def test_pca_errors_by_hand() -> None:
    """rho = (4, 3, 2, 1), D = 4: rhotilde = (1, 3/4, 1/2, 1/4); error_k = half the tail."""
    spec = dm.eigen_decomposition(np.diag([2.0, 4.0, 1.0, 3.0]))
    np.testing.assert_array_equal(spec.rho, [4, 3, 2, 1])
    np.testing.assert_allclose(spec.pca_errors(4), [1.25, 0.75, 0.375, 0.125, 0.0])
    assert spec.pca_error(1) == pytest.approx(0.75)
    assert spec.pca_error(4) == 0.0


def test_samples_have_the_model_covariance() -> None:
    """Projected on an eigenvector e with eigenvalue rho, n samples give a mean square with
    mean rho and standard deviation rho sqrt(2/n): within 5 of those, for eq. 3's sampler and
    for the Gaussian sampler; the empirical covariance is the uncentred X^T X / n."""
    model = dm.spiked_model(80, 3, seed=1)
    spec = model.spectrum()
    n = 10000
    for X in (model.sample(n, seed=2), dm.gaussian_samples(spec, n, seed=2)):
        proj = X @ spec.vectors[:, [0, 1, 2, 40]]
        ms = (proj**2).mean(0)
        rho = spec.rho[[0, 1, 2, 40]]
        assert np.all(np.abs(ms / rho - 1) < 5 * math.sqrt(2 / n)), ms / rho
        np.testing.assert_allclose(dm.empirical_covariance(X), X.T @ X / n)
    emp = model.empirical_covariance(1000, seed=0)
    assert emp.shape == (80, 80) and np.allclose(emp, emp.T)


def test_gaussian_sampler_handles_a_singular_covariance() -> None:
    u = np.array([1.0, 2.0, -2.0]) / 3
    cov = 4.0 * np.outer(u, u)  # rank one; eigh may give tiny negative eigenvalues
    X = dm.gaussian_samples(cov, 5000, seed=0)
    resid = X - np.outer(X @ u, u)
    assert np.abs(resid).max() < 1e-12  # all samples on the line of u
    assert abs((X @ u).var() / 4.0 - 1) < 5 * math.sqrt(2 / 5000)


@pytest.mark.parametrize("cov,match", [
    (np.ones((2, 3)), "square"),
    (np.array([[1.0, 0.2], [0.0, 1.0]]), "symmetric"),
    (np.diag([1.0, -0.5]), "positive semi-definite"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), "finite"),
    (np.ones(3), "2-D"),
])
def test_bad_covariances(cov: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        dm.eigen_decomposition(cov)


def test_bad_model_arguments() -> None:
    with pytest.raises(ValueError, match="M"):
        dm.spiked_model(3, 4)
    with pytest.raises(ValueError, match="kind"):
        dm.spiked_model(10, 2, "cosine")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="D"):
        dm.spiked_model(0, 1)
    with pytest.raises(ValueError, match="s "):
        dm.SpikedModel(np.ones((2, 5)), np.ones(3))
    with pytest.raises(ValueError, match="sigma"):
        dm.SpikedModel(np.ones((2, 5)), np.ones(2), sigma=-1.0)
    with pytest.raises(ValueError, match="n"):
        dm.spiked_model(10, 2).sample(0)
    spec = dm.eigen_decomposition(np.eye(3))
    with pytest.raises(ValueError, match="k"):
        spec.pca_error(4)
    with pytest.raises(ValueError, match="sorted"):
        dm.Spectrum(np.array([1.0, 2.0]), np.eye(2))


def test_grayscale_layouts_and_weights() -> None:
    rng = np.random.default_rng(0)
    hwc = rng.random((4, 5, 6, 3))
    chw = hwc.transpose(0, 3, 1, 2)
    cifar = chw.reshape(4, -1)  # channel-major rows, as the CIFAR-10 python batches
    ref = 0.299 * hwc[..., 0] + 0.587 * hwc[..., 1] + 0.114 * hwc[..., 2]
    for arr, layout in ((hwc, "hwc"), (chw, "chw"), (cifar, "cifar")):
        np.testing.assert_allclose(dm.grayscale(arr, layout), ref.reshape(4, -1), rtol=1e-14)
    with pytest.raises(ValueError, match="layout"):
        dm.grayscale(hwc, "rgb")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cifar"):
        dm.grayscale(np.ones((2, 10)))


def test_paper_scaling_by_hand() -> None:
    """x / (2 std) minus the scalar mean: mean 0 and standard deviation 1/2 afterwards; on
    [[0, 2], [4, 6]] (std 2.582 unbiased) the result is (x - 3) / (2 * 2.582)."""
    X = np.array([[0.0, 2.0], [4.0, 6.0]])
    sd = math.sqrt(((X - 3) ** 2).sum() / 3)
    np.testing.assert_allclose(dm.paper_scaling(X), (X - 3) / (2 * sd), rtol=1e-14)
    Y = dm.paper_scaling(np.random.default_rng(1).random((50, 7)) * 255)
    assert abs(Y.mean()) < 1e-14 and Y.std(ddof=1) == pytest.approx(0.5, rel=1e-12)
    S = (X - 3) / (2 * sd)
    np.testing.assert_allclose(dm.image_covariance(X), S.T @ S / 2, rtol=1e-14)
    np.testing.assert_allclose(dm.image_covariance(X, scale=False), X.T @ X / 2)
    with pytest.raises(ValueError, match="constant"):
        dm.paper_scaling(np.ones((3, 3)))
