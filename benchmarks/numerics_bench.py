"""Benchmarks of daedyn.numerics: every figure is a ratio against a baseline in the same run.

    .venv/bin/python benchmarks/numerics_bench.py [--quick]

1. dae_w points/s on a 5000-epoch x 784-eigenvalue grid (general branch c0 > 0 and the balanced
   branch c0 = 0) and the cost per point as a multiple of one np.exp per point (the floor).
2. Sigma_xx of 50000 x 784 data: one BLAS product vs the paper code's loop of per-sample outer
   products (the loop is timed on a slice and scaled linearly; same result checked on the slice).
3. simulate_linear_ae at D = 784, H = 256 (eigenbasis, exact full-batch GD on the marginalised
   loss) vs plain data-space full-batch GD on N = 50000 samples: epochs/s and the ratio, with the
   max difference of the weights after the same epochs.
Data: the real MNIST training images from ../shared/data/mnist when present, else Gaussian data
with a decaying spectrum of the same shape.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np

import numerics as nm

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def load_data(n: int) -> tuple[np.ndarray, str]:
    path = MNIST / "train-images-idx3-ubyte.gz"
    if path.exists():
        with gzip.open(path) as fh:
            x = np.frombuffer(fh.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
        return x.astype(np.float64) / 255.0, f"real MNIST ({path})"
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 784)) * np.geomspace(1, 1e-3, 784), "synthetic Gaussian"


def bench_closed_form() -> None:
    t = np.arange(5000.0)[:, None]
    lam = np.geomspace(50.0, 0.01, 784)
    eps, tau = 25.0, 5000.0
    npts = t.size * lam.size
    grid = np.broadcast_to(t * lam / tau, (5000, 784)).copy()
    floor = best_of(lambda: np.exp(-grid))
    gen = best_of(lambda: nm.dae_w(t, lam, eps, 0.01, 0.02, tau))
    bal = best_of(lambda: nm.dae_w(t, lam, eps, 0.01, 0.01, tau))
    print(f"[dae_w] grid 5000 x 784 = {npts:,} points; np.exp floor {npts / floor:,.0f} points/s")
    print(f"  general  (c0 > 0): {npts / gen:,.0f} points/s = {gen / floor:.1f} x np.exp "
          f"(goal <= 10 x)")
    print(f"  balanced (c0 = 0): {npts / bal:,.0f} points/s = {bal / floor:.1f} x np.exp "
          f"(goal <= 3 x)")


def bench_covariance(x: np.ndarray, loop_n: int) -> None:
    full = best_of(lambda: nm.covariance(x), repeat=2)
    sl = x[:loop_n]

    def loop() -> np.ndarray:
        s = np.zeros((x.shape[1], x.shape[1]))
        for row in sl:
            s += np.outer(row, row)
        return s

    t0 = time.perf_counter()
    ref = loop()
    t_loop = time.perf_counter() - t0
    diff = np.max(np.abs(ref - nm.covariance(sl))) / np.max(np.abs(ref))
    est = t_loop * x.shape[0] / loop_n
    print(f"[Sigma_xx] N = {x.shape[0]}, D = {x.shape[1]}: BLAS {full:.3f} s; outer-product loop "
          f"{t_loop:.2f} s on {loop_n} samples -> {est:.1f} s for N (linear), ratio "
          f"{est / full:,.0f} x; max rel diff on the slice {diff:.1e}")


def data_space_gd(x, w1, w2, lr, epochs, eps):
    n = x.shape[0]
    for _ in range(epochs):
        h = x @ w1.T  # N x H
        r = x - h @ w2.T  # N x D residuals x_i - M x_i
        g2 = -(r.T @ h) / n + eps / n * (w2 @ (w1 @ w1.T))
        g1 = -(w2.T @ (r.T @ x)) / n + eps / n * (w2.T @ w2 @ w1)
        w1, w2 = w1 - lr * g1, w2 - lr * g2
    return w1, w2


def bench_linear_ae(x: np.ndarray, epochs_cov: int, epochs_data: int) -> None:
    n, d, h, lr, eps = x.shape[0], x.shape[1], 256, 0.01, 0.5 * x.shape[0]
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal((h, d)) * 1e-3, rng.standard_normal((d, h)) * 1e-3
    sigma = nm.covariance(x)
    nm.simulate_linear_ae(sigma=sigma, N=n, H=h, lr=lr, epochs=1, eps=eps, init=(w1, w2))
    t0 = time.perf_counter()
    nm.simulate_linear_ae(sigma=sigma, N=n, H=h, lr=lr, epochs=epochs_cov, eps=eps,
                          init=(w1, w2), record_every=epochs_cov)
    t_cov = (time.perf_counter() - t0) / epochs_cov
    t0 = time.perf_counter()
    a1, a2 = data_space_gd(x, w1, w2, lr, epochs_data, eps)
    t_data = (time.perf_counter() - t0) / epochs_data
    tr = nm.simulate_linear_ae(sigma=sigma, N=n, H=h, lr=lr, epochs=epochs_data, eps=eps,
                               init=(w1, w2), record_every=epochs_data)
    diff = max(np.max(np.abs(tr.W1 - a1)), np.max(np.abs(tr.W2 - a2)))
    print(f"[simulate_linear_ae] D = {d}, H = {h}, N = {n}: eigenbasis {1 / t_cov:.1f} epochs/s, "
          f"data space {1 / t_data:.2f} epochs/s; ratio {t_data / t_cov:.1f} x cheaper per epoch "
          f"(goal >= 20 x); max |W diff| after {epochs_data} epochs {diff:.1e} (needs < 1e-8)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    a = p.parse_args()
    x, src = load_data(50000)
    print(f"data: {src}, {x.shape[0]} x {x.shape[1]}")
    bench_closed_form()
    bench_covariance(x, loop_n=500 if a.quick else 2000)
    bench_linear_ae(x, epochs_cov=5 if a.quick else 20, epochs_data=2 if a.quick else 3)


if __name__ == "__main__":
    main()
