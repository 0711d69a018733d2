"""Benchmark of the shallow-autoencoder numerics (issue 9), ratios against baselines in one run.

Configuration (issue 9): K = 3, M = 3 spikes rt = 9, 25, 81, a bulk of D - 3 = 997 modes
(trace 997/1000, sigma = 1 noise), erf, eta = 0.1, random start (seed 1, std 0.1), rtol 1e-8.
Three representations of the bulk:
  flat       -- the 997 bulk modes at rt = 1/D, exactly, as 2K = 6 virtual modes
                (bulk_modes=997, compress_flat_bulk): 9 modes, 54 variables;
  aggregated -- the rt -> 0 limit of step RG.ode.bulk (3 modes + K x K matrices Qb, T0b:
                36 variables); it freezes the bulk's encoder part and ends elsewhere at late
                times (pmse at t = 1e3 is printed for both);
  explicit   -- every one of the 1000 modes (6000 variables; BDF with the sparse per-mode
                Jacobian), only to t = 100 unless --explicit-long.
Printed per variant and horizon (t = 1e3, 1e6): wall time, RHS calls, Jacobians (each one
batched evaluation of n + 1 states), time per RHS call, the max relative pmse deviation from a
tighter run (rtol 1e-10) on 25 log-spaced times, and the speed-up over explicit Euler at
dt = 1/D (the authors' scheme) on the same vectorised RHS, timed on a short horizon in this
run and extrapolated linearly; the Euler step's time against the authors' 41-45 ms per step
(their per-element multiprocessing at K = 3, D = 1000).  --ablation re-runs the aggregated variant
to t = 1e6 with the solver's own finite-difference Jacobian (the state before the fix), capped
at 60 s.  Then integrals throughput on a batch of 1e6 covariances.
Run: PYTHONPATH=. python benchmarks/shallow_bench.py [--quick] [--ablation] [--explicit-long]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

from numerics.shallow import integral
from numerics.shallow.ode import Flow, compress_flat_bulk, initial_weights, integrate

D = 1000
K = 3
SPIKES = np.array([9.0, 25.0, 81.0])
AUTHORS_MS = (41.0, 45.0)  # per Euler step, K = 3, M = 3, D = 1000 (issue 9)


def _rhs_time(fl: Flow, y: np.ndarray, n: int = 300) -> float:
    fl(0.0, y)
    t0 = time.perf_counter()
    for _ in range(n):
        fl(0.0, y)
    return (time.perf_counter() - t0) / n


def _euler_per_unit_time(fl: Flow, y: np.ndarray, t_end: float = 0.2) -> float:
    dt = 1.0 / D
    steps = int(round(t_end / dt))
    t0 = time.perf_counter()
    for _ in range(steps):
        y = y + dt * fl(0.0, y)
    return (time.perf_counter() - t0) / t_end


def _variant(label: str) -> tuple[np.ndarray, dict, np.ndarray, np.ndarray]:
    a0, b0 = initial_weights(K, D, D, seed=1)
    if label == "flat":
        return SPIKES, {"bulk_trace": (D - 3) / D, "bulk_modes": D - 3}, a0, b0
    if label == "aggregated":
        return SPIKES, {"bulk_trace": (D - 3) / D}, a0[:, :3], b0[:, :3]
    return np.concatenate([SPIKES, np.full(D - 3, 1.0 / D)]), {}, a0, b0


def _run(label: str, t_max: float, rtol: float, method: str = "LSODA"):
    rt, kw, a0, b0 = _variant(label)
    te = np.concatenate([[0.0], np.geomspace(1e-1, t_max, 25)])
    t0 = time.perf_counter()
    res = integrate(rt, K, "erf", 0.1, t_eval=te, alpha0=a0, beta0=b0, D=D, rtol=rtol,
                    method=method, **kw)
    return res, time.perf_counter() - t0


def _ablation(cap: float = 60.0) -> None:
    """The aggregated variant with the solver's own FD Jacobian (before the fix), wall-capped."""
    rt, kw, a0, b0 = _variant("aggregated")
    fl = Flow(rt, K, "erf", 0.1, bulk_trace=kw["bulk_trace"])
    y0 = fl.pack(a0, b0, 0.01 * kw["bulk_trace"] * np.eye(K), 0.01 * np.eye(K))
    start = time.perf_counter()
    reached = [0.0]

    def f(t: float, y: np.ndarray) -> np.ndarray:
        if time.perf_counter() - start > cap:
            raise TimeoutError
        reached[0] = t
        return fl(t, y)

    try:
        # the atol integrate() uses by default: rtol 1e-3 max(1, max|y0|)
        solve_ivp(f, (0.0, 1e6), y0, method="LSODA", rtol=1e-8,
                  atol=1e-11 * max(1.0, float(np.abs(y0).max())))
        msg = f"finished in {time.perf_counter() - start:.1f} s"
    except TimeoutError:
        msg = f"not finished after {cap:.0f} s: reached t = {reached[0]:.4g}"
    print(f"[ablation] aggregated, LSODA with its own FD Jacobian (before): {msg}, "
          f"{fl.nfev} RHS calls")


def main(quick: bool = False, ablation: bool = False, explicit_long: bool = False) -> None:
    print(f"# shallow AE flow: K={K}, spikes {SPIKES.tolist()}, bulk {D - 3} modes at 1/D, "
          f"erf, eta=0.1, seed 1, rtol=1e-8 (reference: rtol=1e-10)")
    horizons = (1e3,) if quick else (1e3, 1e6)
    for label in ("flat", "aggregated", "explicit"):
        rt, kw, a0, b0 = _variant(label)
        fl = Flow(rt, K, "erf", 0.1, **kw)
        if label == "flat":
            va, vb = compress_flat_bulk(a0[:, 3:], b0[:, 3:])
            a0, b0 = np.concatenate([a0[:, :3], va], 1), np.concatenate([b0[:, :3], vb], 1)
        y0 = fl.pack(a0, b0, 0.01 * kw.get("bulk_trace", 0) * np.eye(K), 0.01 * np.eye(K))
        per_eval = _rhs_time(fl, y0)
        euler = _euler_per_unit_time(fl, y0)
        lo, hi = AUTHORS_MS[0] / 1e3 / per_eval, AUTHORS_MS[1] / 1e3 / per_eval
        print(f"[{label}] {y0.size} variables; RHS {per_eval * 1e6:.0f} us/call = one Euler "
              f"step, vs the authors' 41-45 ms/step: x{lo:.0f}-{hi:.0f}; Euler dt=1/D: "
              f"{euler:.2f} s per unit time (timed to t=0.2)")
        method = "BDF" if label == "explicit" else "LSODA"
        hs = horizons if label != "explicit" else ((1e2, 1e3) if explicit_long else (1e2,))
        for t_max in hs:
            res, wall = _run(label, t_max, 1e-8, method)
            ref, wref = _run(label, t_max, 1e-10, method)
            dev = np.max(np.abs(res.pmse - ref.pmse) / ref.pmse)
            calls = res.nfev + (y0.size + 1) * res.njev
            print(f"[{label}] {method} t={t_max:g}: {wall:.2f} s wall, {res.nfev} RHS calls + "
                  f"{res.njev} Jacobians ({calls} state evaluations), "
                  f"{wall / max(res.nfev, 1) * 1e6:.0f} us/call incl. solver; pmse(t_max) "
                  f"{res.pmse[-1]:.8f}; max rel. pmse deviation from rtol 1e-10 "
                  f"({wref:.1f} s): {dev:.1e}; Euler dt=1/D would take {euler * t_max:.3g} s: "
                  f"speed-up x{euler * t_max / wall:.0f}")
    if ablation:
        _ablation()
    n = 200_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
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
    main(quick="--quick" in sys.argv, ablation="--ablation" in sys.argv,
         explicit_long="--explicit-long" in sys.argv)
