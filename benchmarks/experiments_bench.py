"""Benchmarks of the real-data experiments (Figure 5), each figure against a baseline in one run.

    .venv/bin/python benchmarks/experiments_bench.py [--cifar-epochs K]

1. The paper preset of Figure 5 in covariance mode: MNIST (N = 50000, H = 256, 5000 epochs,
   AE + WDAE + DAE) timed in full; CIFAR-10 (N = 30000, H = 512) timed on K epochs per model
   and extrapolated linearly to 5000 (the cost per epoch is constant), in float64 and float32.
2. Covariance mode vs data mode (torch full-batch GD on the 50000 MNIST samples, float64) per
   epoch at the paper's MNIST scale, with the max difference of the learned mappings after the
   same epochs.
Needs ../shared/data (or DAEDYN_DATA).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from experiments.linear_figure import run_linear, settings_for

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def timed(s, data_dir, out):  # noqa: ANN001, ANN201
    t0 = time.perf_counter()
    run_linear(s, str(data_dir), out, progress=False)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cifar-epochs", type=int, default=100)
    p.add_argument("--skip-mnist-full", action="store_true")
    a = p.parse_args()
    out = Path(tempfile.mkdtemp(prefix="daedyn-bench-"))
    mn = settings_for("mnist", "paper", record_every=50, checkpoint_every=10**9)
    total = 0.0
    if not a.skip_mnist_full:
        t = timed(mn, DATA / "mnist", out / "m")
        total += t
        print(f"[Fig. 5 paper preset] MNIST N=50000 H=256, 3 models x 5000 epochs, covariance "
              f"float64: {t:.0f} s (measured in full, including loading and the eigenbasis)")
    for dt in ("float64", "float32"):
        k = a.cifar_epochs
        cs = settings_for("cifar10", "paper", epochs=k, record_every=k, checkpoint_every=10**9,
                          dtype=dt)
        t = timed(cs, DATA / "cifar-10-batches-py", out / f"c{dt}")
        est = t * 5000 / k
        if dt == "float64":
            total_64 = total + est
        print(f"[Fig. 5 paper preset] CIFAR-10 N=30000 H=512, {dt}: {t:.1f} s for {k} epochs "
              f"x 3 models -> {est / 60:.1f} min for 5000 (extrapolated; load + eigh included "
              f"once, so an overestimate)")
    print(f"[Fig. 5 paper preset] total MNIST + CIFAR-10 (float64) ~ {total_64 / 60:.1f} min "
          f"(goal < 15 min)")
    # covariance vs data mode per epoch at MNIST scale, same results
    k = 3
    base = replace(mn, epochs=k, record_every=1)
    t_cov = timed(base, DATA / "mnist", out / "cov")
    t_data = timed(replace(base, mode="data"), DATA / "mnist", out / "data")
    za = np.load(out / "cov" / "fig5_mnist_covariance.npz")
    zb = np.load(out / "data" / "fig5_mnist_data.npz")
    diff = max(float(np.max(np.abs(za[f"{m}_diag"] - zb[f"{m}_diag"])))
               for m in ("AE", "WDAE", "DAE"))
    print(f"[covariance vs data mode] MNIST N=50000 H=256, {k} epochs x 3 models: covariance "
          f"{t_cov:.1f} s, data {t_data:.1f} s (both include loading and the eigenbasis); "
          f"max |mapping difference| {diff:.1e}")
    # per-epoch cost without the fixed overhead: time the epochs alone
    t_cov2 = timed(replace(base, epochs=4 * k), DATA / "mnist", out / "cov2")
    t_data2 = timed(replace(base, epochs=2 * k, mode="data"), DATA / "mnist", out / "data2")
    per_cov = (t_cov2 - t_cov) / (3 * 3 * k)
    per_data = (t_data2 - t_data) / (3 * k)
    print(f"[covariance vs data mode] per epoch: covariance {per_cov * 1e3:.1f} ms, data "
          f"{per_data:.2f} s: ratio {per_data / per_cov:.0f} x")


if __name__ == "__main__":
    main()
