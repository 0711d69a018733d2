"""Figure 5 theory from the random initialisation (experiments.linear_runs) against full GD."""

from __future__ import annotations

import numpy as np
import pytest

import numerics as nm
from experiments import datasets
from experiments.linear_runs import effective_start_rotated, theory_from_start

MNIST = datasets.resolve_dir("mnist")


def effective_start(w1: np.ndarray, w2: np.ndarray, V: np.ndarray, *, deflate: bool = True
                    ) -> np.ndarray:
    """The per-direction balanced start of weights in the data basis (rotated here)."""
    return effective_start_rotated(w1 @ V, V.T @ w2, deflate=deflate)


def _gaps(x: np.ndarray, h: int, lr: float, epochs: int, scale: float, idx: np.ndarray,
          every: int = 5) -> dict[str, dict[str, np.ndarray]]:
    n = x.shape[0]
    sigma = nm.covariance(x)
    lam, V = nm.eigenbasis(sigma)
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((h, x.shape[1])) * scale
    w2 = rng.standard_normal((x.shape[1], h)) * scale
    starts = {"deflated": effective_start(w1, w2, V),
              "per_direction": effective_start(w1, w2, V, deflate=False),
              "balanced_scale": np.full(lam.size, scale * np.sqrt(h))}
    out: dict[str, dict[str, np.ndarray]] = {}
    for model, eps, gamma in (("AE", 0.0, 0.0), ("WDAE", 0.0, 0.5), ("DAE", n * 0.5, 0.0)):
        tr = nm.simulate_linear_ae(sigma=sigma, N=n, H=h, lr=lr, epochs=epochs, eps=eps,
                                   gamma=gamma, init=(w1, w2), basis=(lam, V),
                                   record_every=every)
        t = tr.epochs.astype(float)
        out[model] = {k: np.abs(theory_from_start(model, t, lam[idx], u[idx], n=n, lr=lr,
                                                  eps=eps, gamma=gamma) - tr.diag[:, idx]
                                ).max(axis=0)
                      for k, u in starts.items()}
    return out


def test_synthetic_spectrum_transients_follow_the_theory() -> None:
    """Gaussian data with a known, well separated spectrum; lr small enough that GD ~ flow."""
    rng = np.random.default_rng(3)
    d, n = 12, 400
    scales = np.geomspace(3.0, 0.3, d)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    x = (rng.standard_normal((n, d)) * scales) @ q.T
    idx = np.array([0, 2, 4])
    g = _gaps(x, h=6, lr=0.002, epochs=6000, scale=1e-3, idx=idx, every=20)
    for model, gaps in g.items():
        # measured max gaps <= 0.03 (deflated start); 0.06 leaves room for the O(lr) GD-flow
        # difference and the cross-direction coupling the scalar theory ignores
        assert np.all(gaps["deflated"] < 0.06), (model, gaps)


@pytest.mark.skipif(not MNIST.is_dir(), reason="real MNIST not found; looked in "
                    + ", ".join(map(str, datasets.candidates("mnist"))) + " (set DAEDYN_DATA)")
def test_real_mnist_transients_with_the_deflated_start() -> None:
    """2000 MNIST images, H = 64, lr = 0.02, 300 epochs (the CI-sized Figure 5)."""
    from experiments.datasets import load

    x = load("mnist", MNIST, n_samples=2000).x
    idx = np.array([8, 16]) - 1  # lambda_8, lambda_16: mid-transient during the 300 epochs
    g = _gaps(x, h=64, lr=0.02, epochs=300, scale=1e-3, idx=idx)
    for model, gaps in g.items():
        # measured: deflated <= 0.033 (AE lambda_8); the remainder is GD vs flow at
        # lr lam_8 / N = 0.03 per epoch.  The balanced scale*sqrt(H) start is off by 0.15-0.24.
        assert np.all(gaps["deflated"] < 0.05), (model, gaps)
        assert np.all(gaps["deflated"] <= gaps["per_direction"] + 1e-9), (model, gaps)
    ae = g["AE"]
    assert np.all(ae["balanced_scale"] > 3 * ae["deflated"]), ae


def test_unknown_model_and_dead_direction() -> None:
    t = np.array([0.0, 10.0])
    w = theory_from_start("AE", t, np.array([2.0, 1.0]), np.array([0.1, 0.0]), n=10, lr=0.1)
    assert w[0, 0] == pytest.approx(0.01) and np.all(w[:, 1] == 0)
    with pytest.raises(ValueError, match="model"):
        theory_from_start("VAE", t, np.array([1.0]), np.array([0.1]), n=10, lr=0.1)
