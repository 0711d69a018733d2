"""Benchmark of the shallow-autoencoder numerics (issue 9), ratios against a baseline in one run.

Configuration: K = 3, M = 3 spikes rt = 9, 25, 81, a bulk of D - 3 = 997 modes (rt ~ 1/D,
trace ~ 1), erf, eta = 0.1, random start (seed 1, std 0.1).  Two representations of the bulk:
  aggregated -- the D -> infinity spike/bulk equations (step RG.ode.bulk): 3 explicit modes +
                K x K bulk matrices (36 variables);
  explicit   -- every one of the 1000 modes (the full-covariance path; 6000 variables).
Reported: wall time to t = 1000 and t = 1e6 at rtol 1e-8 (LSODA; the explicit variant only to
t = 100 with RK45: LSODA's dense finite-difference Jacobian of 6000 variables is prohibitive,
and BDF with the sparse per-mode Jacobian needs many more steps), number of right-hand-side
evaluations, time per evaluation, and the speed-up over explicit Euler with dt = 1/D (the
authors' scheme, here on the same vectorised right-hand side, timed on a short horizon and
extrapolated linearly); then integrals throughput on a batch of 1e6 covariances.
Run: PYTHONPATH=. python benchmarks/shallow_bench.py [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from numerics.shallow import integral
from numerics.shallow.ode import Flow, initial_weights, integrate

D = 1000
K = 3
SPIKES = np.array([9.0, 25.0, 81.0])


def _rhs_time(fl: Flow, y: np.ndarray, n: int = 300) -> float:
    fl(0.0, y)
    t0 = time.perf_counter()
    for _ in range(n):
        fl(0.0, y)
    return (time.perf_counter() - t0) / n


def _euler(fl: Flow, y: np.ndarray, t_end: float) -> tuple[float, np.ndarray]:
    dt = 1.0 / D
    t0 = time.perf_counter()
    for _ in range(int(round(t_end / dt))):
        y = y + dt * fl(0.0, y)
    return time.perf_counter() - t0, y


def main(quick: bool = False) -> None:
    rng = np.random.default_rng(0)
    bulk = rng.uniform(0.5, 1.5, D - 3)
    bulk = bulk / bulk.sum()  # trace 1 (sigma = 1 noise)
    print(f"# shallow AE flow: K={K}, spikes {SPIKES.tolist()}, bulk {D - 3} modes, erf, "
          f"eta=0.1, rtol=1e-8")
    horizons = (1e3,) if quick else (1e3, 1e6)
    for label, rt, btr, n_modes in (("aggregated", SPIKES, 1.0, 3),
                                    ("explicit", np.concatenate([SPIKES, bulk]), 0.0, D)):
        fl = Flow(rt, K, "erf", 0.1, bulk_trace=btr)
        a0, b0 = initial_weights(K, n_modes, D, seed=1)
        y0 = fl.pack(a0, b0, 0.01 * btr * np.eye(K), 0.01 * np.eye(K))
        per_eval = _rhs_time(fl, y0)
        short = 0.2
        te, _ = _euler(fl, y0, short)
        euler_per_unit = te / short
        print(f"[{label}] {y0.size} variables; RHS {per_eval * 1e6:.1f} us/eval; explicit Euler "
              f"dt=1/D: {euler_per_unit:.3f} s per unit time (timed to t={short})")
        method = "LSODA" if label == "aggregated" else "RK45"
        for t_max in horizons if label == "aggregated" else (100.0,):
            t0 = time.perf_counter()
            try:
                res = integrate(rt, K, "erf", 0.1, t_max=t_max, alpha0=a0, beta0=b0, D=D,
                                bulk_trace=btr, rtol=1e-8, method=method,
                                t_eval=np.array([0.0, t_max]))
            except RuntimeError as err:
                print(f"[{label}] t={t_max:g}: failed ({err})")
                continue
            wall = time.perf_counter() - t0
            euler = euler_per_unit * t_max
            print(f"[{label}] {method} t={t_max:g}: {wall:.2f} s, {res.nfev} RHS evals "
                  f"({wall / res.nfev * 1e6:.0f} us/eval incl. solver), pmse {res.pmse[-1]:.6f}; "
                  f"Euler dt=1/D would take {euler:.1f} s: speed-up x{euler / wall:.0f}")
    n = 200_000 if quick else 1_000_000
    A = rng.standard_normal((n, 4, 4)) * 0.7
    C4 = A @ np.swapaxes(A, -1, -2) + 0.05 * np.eye(4)
    print(f"# integrals on a batch of {n} covariances (validation included)")
    for name, k in (("E1", 1), ("J2", 2), ("I2", 2), ("K2", 2), ("I21", 2), ("I22", 2),
                    ("I3", 3), ("I4", 4)):
        for act in ("erf", "relu", "linear"):
            C = np.ascontiguousarray(C4[:, :k, :k])
            integral(name, act, C[:10])
            t0 = time.perf_counter()
            integral(name, act, C)
            dt = time.perf_counter() - t0
            print(f"  {name:4s} {act:6s}: {n / dt / 1e6:7.2f} M evals/s")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
