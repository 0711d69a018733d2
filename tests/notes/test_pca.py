"""Linear AE = PCA numerically: the DAE's rank-H minimum [PCA.dae] reached by training, and SVD
vs PCA without centring on MNIST [LN.pca.svd] (skipped, naming the folders tried, without data).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg

from numerics.optimizers import SGD

REPO = Path(__file__).resolve().parents[2]


def _mnist_folder() -> tuple[Path | None, list[str]]:
    tried = []
    for base in (os.environ.get("DAEDYN_DATA"), str(REPO.parent / "shared" / "data")):
        if not base:
            continue
        for cand in (Path(base) / "mnist", Path(base)):
            tried.append(str(cand))
            if (cand / "train-images-idx3-ubyte.gz").is_file():
                return cand, tried
    return None, tried


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trained_dae_reaches_the_rank_h_minimum(seed: int) -> None:
    """GD with momentum on N E[L] = 1/2 tr((I - M) Sigma (I - M)^T) + eps/2 tr(M M^T), M = W2 W1
    of rank H, from a small random start, ends at V_H diag(lam/(lam + eps)) V_H^T [PCA.dae]."""
    rng = np.random.default_rng(seed)
    d, h, eps = 6, 2, 0.4
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.sort(rng.uniform(0.2, 3.0, d))[::-1]
    lam[:3] = [3.0, 2.0, 1.0]  # a clear gap after H = 2
    sigma = q @ np.diag(lam) @ q.T
    p = rng.normal(scale=0.05, size=2 * h * d)
    opt = SGD(lr=0.05, momentum=0.9)
    state = opt.init(p)
    for _ in range(4000):
        w1, w2 = p[:h * d].reshape(h, d), p[h * d:].reshape(d, h)
        g_m = -(np.eye(d) - w2 @ w1) @ sigma + eps * (w2 @ w1)  # dL/dM
        p, state = opt.step(p, np.concatenate([(w2.T @ g_m).ravel(), (g_m @ w1.T).ravel()]),
                            state)
    w1, w2 = p[:h * d].reshape(h, d), p[h * d:].reshape(d, h)
    target = q[:, :h] @ np.diag(lam[:h] / (lam[:h] + eps)) @ q[:, :h].T
    np.testing.assert_allclose(w2 @ w1, target, atol=1e-8)


def test_uncentred_svd_is_not_pca_on_mnist() -> None:
    """The paper's Sigma_xx is uncentred: X^T X / n = C + mu mu^T [LN.pca.svd]. On MNIST (10,000
    training images in [0, 1]) its top direction is the mean image, 57 degrees from the first
    principal component; the top-k spans approach each other as k grows."""
    folder, tried = _mnist_folder()
    if folder is None:
        pytest.skip("MNIST not found; looked in " + ", ".join(tried))
    raw = gzip.open(folder / "train-images-idx3-ubyte.gz").read()
    x = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)[:10000] / 255.0
    mu = x.mean(axis=0)
    unc = x.T @ x / len(x)
    cen = unc - np.outer(mu, mu)
    k_max = 33
    lu, vu = scipy.linalg.eigh(unc, subset_by_index=(784 - k_max, 783))
    lc, vc = scipy.linalg.eigh(cen, subset_by_index=(784 - k_max, 783))
    lu, vu, lc, vc = lu[::-1], vu[:, ::-1], lc[::-1], vc[:, ::-1]
    # a rank-one update interlaces: lam_i(C) <= lam_i(C + mu mu^T) <= lam_(i-1)(C)
    assert np.all(lc <= lu + 1e-9) and np.all(lu[1:] <= lc[:-1] + 1e-9)
    assert abs(vu[:, 0] @ mu) / np.linalg.norm(mu) > 0.99  # measured 0.9991
    angles = {k: float(np.degrees(scipy.linalg.subspace_angles(vu[:, :k], vc[:, :k]).max()))
              for k in (1, 4, 8, 16, 32)}
    print("largest principal angle (deg), top-k uncentred vs centred:", angles)
    assert angles[1] > 45  # measured 57.4
    assert angles[32] < 10  # measured 6.3: the spans nearly agree once k is large
