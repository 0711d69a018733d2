"""Benchmarks of daedyn.numerics: every figure is a ratio against a baseline in the same run.

    .venv/bin/python benchmarks/numerics_bench.py [--quick]

1. dae_w points/s on a 5000-epoch x 784-eigenvalue grid (general branch c0 > 0 and the balanced
   branch c0 = 0) and the cost per point as a multiple of one np.exp per point (the floor).
2. Sigma_xx of 50000 x 784 data: one BLAS product vs the paper code's loop of per-sample outer
   products over all samples (same result checked; --quick: a 500-sample slice, scaled linearly).
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


def best_of(fn, repeat: int = 3) -> tuple[float, float]:
    """Best (CPU seconds of this process, wall seconds) over ``repeat`` runs.

    CPU time is the cost figure (the machine is shared; wall time is printed beside it).
    """
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall)


def load_data(n: int) -> tuple[np.ndarray, str]:
    path = MNIST / "train-images-idx3-ubyte.gz"
    if path.exists():
        with gzip.open(path) as fh:
            x = np.frombuffer(fh.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
        return x.astype(np.float64) / 255.0, f"real MNIST ({path})"
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 784)) * np.geomspace(1, 1e-3, 784), "synthetic Gaussian"


def bench_closed_form(repeat: int) -> None:
    t = np.arange(5000.0)[:, None]  # epochs
    lam = np.geomspace(50.0, 0.01, 784)  # one column per eigenvalue
    eps, tau = 25.0, 5000.0
    npts = t.size * lam.size
    grid = np.broadcast_to(t * lam / tau, (5000, 784)).copy()
    floor, floor_w = best_of(lambda: np.exp(grid), repeat)  # fresh output, like dae_w
    gen, gen_w = best_of(lambda: nm.dae_w(t, lam, eps, 0.01, 0.02, tau), repeat)
    neg, neg_w = best_of(lambda: nm.dae_w(t, lam, eps, -0.01, 0.02, tau), repeat)
    bal, bal_w = best_of(lambda: nm.dae_w(t, lam, eps, 0.01, 0.01, tau), repeat)
    print(f"[dae_w] grid 5000 epochs x 784 eigenvalues = {npts:,} points (CPU time, best of "
          f"{repeat}); one np.exp per point: {npts / floor:,.0f} points/s")
    for name, c, w, goal in (("general  (c0 > 0, w0 > 0)", gen, gen_w, 10),
                             ("general  (c0 > 0, w0 < 0)", neg, neg_w, 10),
                             ("balanced (c0 = 0)        ", bal, bal_w, 3)):
        print(f"  {name}: {npts / c:,.0f} points/s (wall {npts / w:,.0f}) = {c / floor:.1f} x "
              f"np.exp (goal <= {goal} x)")


def bench_covariance(x: np.ndarray, loop_n: int) -> None:
    """One BLAS product vs the authors' loop of per-sample outer products, run on the first
    ``loop_n`` samples (all of them unless --quick; then extrapolated linearly in N)."""
    full, full_w = best_of(lambda: nm.covariance(x), repeat=2)
    sl = x[:loop_n]

    def loop() -> np.ndarray:  # the authors' way: sum of per-sample outer products
        s = np.zeros((x.shape[1], x.shape[1]))
        for row in sl:
            s += np.outer(row, row)
        return s

    c0 = time.process_time()
    ref = loop()
    t_loop = time.process_time() - c0
    diff = np.max(np.abs(ref - nm.covariance(sl))) / np.max(np.abs(ref))
    est = t_loop * x.shape[0] / loop_n
    how = "measured" if loop_n == x.shape[0] else f"extrapolated from {loop_n} samples"
    print(f"[Sigma_xx] N = {x.shape[0]}, D = {x.shape[1]}: one BLAS product {full:.2f} s CPU "
          f"({full_w:.2f} s wall); outer-product loop {est:.1f} s CPU ({how}), ratio "
          f"{est / full:,.0f} x; max |difference| / max |Sigma| = {diff:.1e} over the "
          f"{loop_n} samples")


def data_space_gd(x, w1, w2, lr, epochs, eps):
    """Plain full-batch GD on the marginalised DAE loss, in data space, cheapest ordering:
    every product is N x D x H (no D x D or N x N intermediates)."""
    n = x.shape[0]
    for _ in range(epochs):
        h = x @ w1.T  # N x H codes
        r = x - h @ w2.T  # N x D residuals x_i - M x_i
        g2 = -(r.T @ h) / n + eps / n * (w2 @ (w1 @ w1.T))
        g1 = -((r @ w2).T @ x) / n + eps / n * ((w2.T @ w2) @ w1)
        w1, w2 = w1 - lr * g1, w2 - lr * g2
    return w1, w2


def bench_linear_ae(x: np.ndarray, epochs_cov: int, epochs_data: int) -> None:
    n, d, h, lr, eps = x.shape[0], x.shape[1], 256, 0.01, 0.5 * x.shape[0]  # sigma^2 = 0.5
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal((h, d)) * 1e-3, rng.standard_normal((d, h)) * 1e-3
    sigma = nm.covariance(x)
    basis = nm.eigenbasis(sigma)  # once per data set; not part of an epoch
    t_eig, t_eig_w = best_of(lambda: nm.eigenbasis(sigma), 2)

    def cov(epochs: int) -> nm.LinearAETrajectory:
        return nm.simulate_linear_ae(sigma=sigma, N=n, H=h, lr=lr, epochs=epochs, eps=eps,
                                     init=(w1, w2), basis=basis, record_every=epochs)

    # per-epoch cost: difference of two run lengths cancels the fixed set-up cost
    (c_short, w_short), (c_long, w_long) = (best_of(lambda e=e: cov(e), 2)
                                            for e in (1, 1 + epochs_cov))
    t_cov, t_cov_w = (c_long - c_short) / epochs_cov, (w_long - w_short) / epochs_cov
    c0, w0 = time.process_time(), time.perf_counter()
    a1, a2 = data_space_gd(x, w1, w2, lr, epochs_data, eps)
    t_data = (time.process_time() - c0) / epochs_data
    t_data_w = (time.perf_counter() - w0) / epochs_data
    tr = cov(epochs_data)
    diff = max(np.max(np.abs(tr.W1 - a1)), np.max(np.abs(tr.W2 - a2)))
    print(f"[simulate_linear_ae] D = {d}, H = {h}, N = {n}, eps = N * 0.5 (CPU time): eigenbasis "
          f"{1 / t_cov:.1f} epochs/s (wall {1 / t_cov_w:.1f}), data space {1 / t_data:.2f} "
          f"epochs/s (wall {1 / t_data_w:.2f}); {t_data / t_cov:.0f} x cheaper per epoch "
          f"(goal >= 20 x); eigendecomposition once per data set {t_eig:.2f} s CPU "
          f"({t_eig_w:.2f} s wall); max |W diff| after {epochs_data} epochs "
          f"{diff:.1e} (needs < 1e-8)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    a = p.parse_args()
    x, src = load_data(50000)
    print(f"data: {src}, {x.shape[0]} x {x.shape[1]}")
    bench_closed_form(repeat=3 if a.quick else 7)
    bench_covariance(x, loop_n=500 if a.quick else x.shape[0])
    bench_linear_ae(x, epochs_cov=10 if a.quick else 40, epochs_data=2 if a.quick else 3)


if __name__ == "__main__":
    main()
