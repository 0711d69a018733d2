"""Benchmark of numerics.shallow.sgd: SGD steps/s of the shallow autoencoder against a naive
per-sample loop in the same run (ratios, never absolute thresholds).

    PYTHONPATH=. .venv/bin/python benchmarks/shallow_sgd_bench.py [--quick] [--device cuda]

Configuration: K = 3, D = 1000, erf, eta = 0.1, inputs N(0, Omega) with Omega the population
covariance of eq. 3 (M = 3 Gaussian directions: rhotilde ~ 70, 24, 9).

Baseline ("naive"): what the authors' scripts do per step, in torch float64 on the CPU: draw
one sample in the data basis, ``x = z sqrt(Lambda) E^T`` (O(D^2)), then compute the gradient
with separate tensor ops (their ``dw_mse``) and update, one Python iteration per sample.

Measured: simulate_sgd (eigenbasis sampling, O(D) per sample; a TorchScript block stepper;
eager for comparison), vanilla and truncated, one run and 8 runs batched (per-run throughput).
Before timing, the naive loop and sgd_steps are fed the same 200 data-basis samples and the
largest weight difference is printed (same algorithm, not just the same speed).  One torch
thread; CPU seconds of this process are the cost (the machine is shared), wall beside them.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from numerics.shallow import data_model as dm
from numerics.shallow.sgd import sgd_steps, simulate_sgd


def timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def naive_loop(W: torch.Tensor, V: torch.Tensor, S: torch.Tensor, steps: int, eta: float,
               X: torch.Tensor | None = None) -> None:
    """The per-sample baseline (see the module docstring); ``X`` replaces the sampling."""
    D = W.shape[1]
    for i in range(steps):
        x = torch.randn(1, D, dtype=torch.float64) @ S if X is None else X[i:i + 1]
        lam = x @ W.t() / math.sqrt(D)
        g = torch.erf(lam / math.sqrt(2))
        dg = math.sqrt(2 / math.pi) * torch.exp(-lam**2 / 2)
        deltas = x - g @ V
        dw = -1 / D * (V @ deltas.T / math.sqrt(D)) * dg.T @ x
        dv = -1 / D * g.T @ deltas
        W -= eta / D * dw
        V -= eta * dv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    ap.add_argument("--device", default="cpu", help="device for simulate_sgd (cpu or cuda)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    D, K, eta = 1000, 3, 0.1
    n_naive = 500 if args.quick else 3000
    n_fast = 5000 if args.quick else 40000
    spec = dm.spiked_model(D, 3, seed=0).spectrum()
    print(f"K={K} D={D} erf eta={eta}; rhotilde spikes {np.round(spec.rhotilde[:3], 2)}; "
          f"torch {torch.__version__}, 1 thread, device {args.device}")

    # same algorithm check on identical data-basis samples
    rng = np.random.default_rng(1)
    W0, V0 = rng.standard_normal((K, D)) * 0.1, rng.standard_normal((K, D)) * 0.1
    Xc = (rng.standard_normal((200, D)) * np.sqrt(spec.rho)) @ spec.vectors.T
    Wn, Vn = torch.tensor(W0), torch.tensor(V0)
    naive_loop(Wn, Vn, None, 200, eta, torch.tensor(Xc))  # type: ignore[arg-type]
    Wf, Vf, _ = sgd_steps(W0, V0, Xc, activation="erf", eta=eta)
    diff = max(np.abs(Wf - Wn.numpy()).max(), np.abs(Vf - Vn.numpy()).max())
    print(f"same 200 samples: max |weight difference| naive vs sgd_steps = {diff:.2e}")

    S = torch.tensor((spec.vectors * np.sqrt(spec.rho)).T)  # x = z sqrt(Lambda) E^T
    W, V = torch.tensor(W0), torch.tensor(V0)
    cpu, wall = timed(lambda: naive_loop(W, V, S, n_naive, eta))
    base = n_naive / cpu
    print(f"\n{'method':44s} {'steps/s (cpu)':>14s} {'wall':>9s} {'x naive':>8s}")
    print(f"{'naive per-sample loop (data basis)':44s} {base:14.0f} {n_naive / wall:9.0f} "
          f"{1.0:8.2f}")
    simulate_sgd(spec, K, [1], activation="erf", eta=eta, pmse_method="monte-carlo",
                 n_test=10, device=args.device)  # compile the stepper once
    for rule in ("vanilla", "truncated"):
        for script in (True, False):
            for runs in (1, 8):
                n = n_fast if runs == 1 else n_fast // 4
                out = {}

                def run(rule=rule, script=script, runs=runs, n=n, out=out) -> None:
                    out["tr"] = simulate_sgd(spec, K, [n / D], activation="erf", eta=eta,
                                             rule=rule, script=script, runs=runs, n_test=10,
                                             pmse_method="monte-carlo", device=args.device)
                cpu, wall = timed(run)
                rate = n * runs / cpu
                name = (f"simulate_sgd {rule:9s} {'script' if script else 'eager':6s} "
                        f"runs={runs}")
                print(f"{name:44s} {rate:14.0f} {n * runs / wall:9.0f} {rate / base:8.2f}")
    t_1000 = 1000 * D / (n_fast / timed(lambda: simulate_sgd(
        spec, K, [n_fast / D], activation="erf", eta=eta, pmse_method="monte-carlo",
        n_test=10, device=args.device))[0])
    print(f"\nprojected CPU time of one run to t = 1000 (1e6 steps): {t_1000:.0f} s")


if __name__ == "__main__":
    main()
