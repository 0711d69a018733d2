"""Benchmarks of the real-data experiments (Figure 5), each against a baseline in the same run.

    .venv/bin/python benchmarks/experiments_bench.py [--cifar64-epochs K] [--quick]

1. The paper preset of Figure 5 in covariance mode (the default), timed in full including
   loading, Sigma_xx and its eigenbasis: MNIST (N = 50000, H = 256) and CIFAR-10 (N = 30000,
   H = 512), 3 models x 5000 epochs each, float32 iteration as the preset has it.  Goal: the two
   together under 15 minutes on 2 cores.
2. The same MNIST run in float64, and the max difference of its curves from the float32 run
   (the justification for the preset's float32); CIFAR-10 float64 timed on K epochs per model.
3. Covariance mode vs data mode (torch full-batch GD on the 50000 MNIST samples, float64) per
   epoch at the paper's MNIST scale (the two steppers alone, without loading and eigh), with
   the max difference of W2 W1 after the same epochs from the same start.
``--quick`` replaces 5000 by 250 epochs in (1) and (2) (a smoke run; the totals are then not the
goal's figure).  Needs ../shared/data (or DAEDYN_DATA).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import numerics as nm
from experiments.datasets import load
from experiments.linear_figure import MODELS, LinearSettings, _stepper, run_linear, settings_for

DATA = Path(os.environ.get("DAEDYN_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def timed(s: LinearSettings, data_dir: Path, out: Path) -> float:
    t0 = time.perf_counter()
    run_linear(s, str(data_dir), out, progress=False)
    return time.perf_counter() - t0


def curves(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {m: z[f"{m}_diag"] for m in MODELS}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cifar64-epochs", type=int, default=200)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    epochs = 250 if a.quick else 5000
    out = Path(tempfile.mkdtemp(prefix="daedyn-bench-"))
    mn = settings_for("mnist", "paper", epochs=epochs, checkpoint_every=10**9)
    cf = settings_for("cifar10", "paper", epochs=epochs, checkpoint_every=10**9)
    t_m = timed(mn, DATA / "mnist", out / "m32")
    print(f"[Fig. 5 paper preset] MNIST N=50000 H=256, 3 x {epochs} epochs, covariance float32: "
          f"{t_m:.0f} s", flush=True)
    t_c = timed(cf, DATA / "cifar-10-batches-py", out / "c32")
    print(f"[Fig. 5 paper preset] CIFAR-10 N=30000 H=512, 3 x {epochs} epochs, covariance "
          f"float32: {t_c:.0f} s", flush=True)
    print(f"[Fig. 5 paper preset] total {(t_m + t_c) / 60:.1f} min (goal < 15 min)", flush=True)

    t_m64 = timed(replace(mn, dtype="float64"), DATA / "mnist", out / "m64")
    c32, c64 = curves(out / "m32/fig5_mnist_covariance.npz"), curves(
        out / "m64/fig5_mnist_covariance.npz")
    diff = max(float(np.max(np.abs(c32[m] - c64[m]))) for m in MODELS)
    print(f"[float32 vs float64] MNIST paper preset in float64: {t_m64:.0f} s "
          f"({t_m64 / t_m:.2f} x the float32 run); max |mapping difference| {diff:.1e}",
          flush=True)
    k = a.cifar64_epochs
    t_k = timed(replace(cf, epochs=k, dtype="float64"), DATA / "cifar-10-batches-py",
                out / "c64")
    print(f"[float32 vs float64] CIFAR-10 float64: {t_k:.0f} s for 3 x {k} epochs "
          f"(-> ~{t_k * epochs / k / 60:.0f} min for {epochs}, extrapolated, fixed costs "
          f"included {epochs // k} times)", flush=True)

    # covariance vs data mode per epoch: the two steppers of Figure 5 on the same 50000 images,
    # from the same start, timed without the fixed costs (loading, Sigma_xx, eigh)
    s64 = replace(mn, dtype="float64", lr=mn.lr_max)  # MNIST: the rule keeps the preset lr
    x = load("mnist", str(DATA / "mnist"), n_samples=s64.n_samples).x
    lam, V = nm.eigenbasis(nm.covariance(x))
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((s64.hidden, x.shape[1])) * s64.scale
    w2 = rng.standard_normal((x.shape[1], s64.hidden)) * s64.scale
    cov = _stepper(s64, x, lam, "DAE")
    data = _stepper(replace(s64, mode="data"), x, lam, "DAE")
    k_cov, k_data = 300, 3
    t0 = time.perf_counter()
    cov(w1 @ V, V.T @ w2, k_cov, rng)
    per_cov = (time.perf_counter() - t0) / k_cov
    t0 = time.perf_counter()
    d1, d2 = data(w1, w2, k_data, rng)
    per_data = (time.perf_counter() - t0) / k_data
    c1, c2 = cov(w1 @ V, V.T @ w2, k_data, rng)
    diff = float(np.max(np.abs((V @ c2) @ (c1 @ V.T) - d2 @ d1)))
    scale = float(np.max(np.abs(d2 @ d1)))
    print(f"[covariance vs data mode] MNIST N=50000 H=256 float64, DAE: covariance "
          f"{per_cov * 1e3:.1f} ms/epoch, data (torch) {per_data:.2f} s/epoch: ratio "
          f"{per_data / per_cov:.0f} x; after {k_data} epochs max |W2 W1 difference| "
          f"{diff:.1e} (max |W2 W1| {scale:.1e})", flush=True)


if __name__ == "__main__":
    main()
