"""Finite-D online SGD against the D -> infinity flow (issue 9): how the pmse gap scales with D.

Eq. 3 model (M = 3 spikes, population covariance: spikes + a flat bulk at 1/D), K = 3,
eta = 0.1, t <= 30; for each D, ``runs`` SGD runs (numerics.shallow.sgd.simulate_sgd) and the
flow (numerics.shallow.ode.integrate, flat bulk compressed exactly) from each run's own initial
weights.  Printed per activation / rule and D, averaged over runs:
  worst  -- max_t |pmse_sgd - pmse_ode| / pmse_ode (the test's metric),
  mean   -- the time average of the same relative gap,
  bias   -- max_t of the run-averaged signed relative gap (what survives averaging over runs:
            a systematic finite-D drift; the rest is run-to-run noise),
  shift  -- the time shift s (|s| <= 3) minimising the worst gap of pmse_sgd(t) against
            pmse_ode(t + s), and the worst gap left after it;
  spread -- max_t of the run-to-run standard deviation of the signed relative gap;
  t_worst -- median over runs of the time of the worst gap;
then least-squares slopes of log(metric) against log(D).
Run: PYTHONPATH=. python benchmarks/shallow_sgd_gap.py [--acts erf,relu,linear]
     [--rules vanilla] [--dims 250,500,1000,2000] [--runs 4]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from numerics.shallow import data_model as dm
from numerics.shallow.ode import integrate
from numerics.shallow.sgd import simulate_sgd


def gaps(act: str, rule: str, D: int, runs: int, t_max: float = 30.0) -> dict[str, float]:
    ts = np.linspace(0.0, t_max, int(4 * t_max) + 1)
    spec = dm.spiked_model(D, 3, seed=0).spectrum()
    rt = np.asarray(spec.rhotilde)
    order = np.argsort(rt)[::-1]
    spikes, bulk = order[:3], order[3:]
    rb = rt[bulk]
    assert np.ptp(rb) < 1e-9 * rb.mean(), "population bulk is flat"
    tr = simulate_sgd(spec, 3, ts, activation=act, eta=0.1, rule=rule, seed=1, runs=runs)
    out = {"worst": [], "mean": [], "signed": [], "shift": [], "shifted": []}
    fine = np.linspace(0.0, t_max + 3.0, int(40 * (t_max + 3)) + 1)
    for r in range(runs):
        a0 = np.asarray(tr.w_overlap[0, r])
        b0 = np.asarray(tr.v_overlap[0, r]) / math.sqrt(D)
        a0 = np.concatenate([a0[:, spikes], a0[:, bulk]], axis=1)
        b0 = np.concatenate([b0[:, spikes], b0[:, bulk]], axis=1)
        res = integrate(rt[spikes], 3, act, 0.1, 0.0, rule == "truncated", t_eval=fine,
                        alpha0=a0, beta0=b0, bulk_trace=float(rb.sum()), bulk_modes=bulk.size,
                        rtol=1e-8)
        ode = np.interp(ts, res.t, res.pmse)
        sgd = np.asarray(tr.pmse[:, r])
        assert abs(ode[0] / sgd[0] - 1) < 1e-8, (ode[0], sgd[0])  # same start
        rel = (sgd - ode) / ode
        out["worst"].append(np.max(np.abs(rel)))
        out.setdefault("t_worst", []).append(ts[np.argmax(np.abs(rel))])
        out["mean"].append(np.mean(np.abs(rel)))
        out["signed"].append(rel)
        best = (np.inf, 0.0)
        for s in np.linspace(-3.0, 3.0, 121):
            ok = (ts + s >= 0) & (ts + s <= t_max + 3.0)
            o = np.interp(ts[ok] + s, res.t, res.pmse)
            best = min(best, (float(np.max(np.abs(sgd[ok] - o) / o)), float(s)))
        out["shifted"].append(best[0])
        out["shift"].append(best[1])
    return {"worst": float(np.mean(out["worst"])), "mean": float(np.mean(out["mean"])),
            "bias": float(np.max(np.abs(np.mean(out["signed"], axis=0)))),
            "shift": float(np.mean(out["shift"])), "shifted": float(np.mean(out["shifted"])),
            "t_worst": float(np.median(out["t_worst"])),
            "spread": float(np.max(np.std(out["signed"], axis=0, ddof=1))) if runs > 1 else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--acts", default="erf,relu,linear")
    ap.add_argument("--rules", default="vanilla")
    ap.add_argument("--dims", default="250,500,1000,2000")
    ap.add_argument("--runs", type=int, default=4)
    a = ap.parse_args()
    dims = [int(d) for d in a.dims.split(",")]
    for act in a.acts.split(","):
        for rule in a.rules.split(","):
            rows = []
            for D in dims:
                t0 = time.perf_counter()
                g = gaps(act, rule, D, a.runs)
                rows.append(g)
                print(f"{act:6s} {rule:9s} D={D:5d}: worst {g['worst']:.4f}  mean "
                      f"{g['mean']:.4f}  bias {g['bias']:.4f}  shift {g['shift']:+.3f} -> "
                      f"{g['shifted']:.4f}  spread {g['spread']:.4f}  t_worst {g['t_worst']:.1f}"
                      f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
            if len(dims) > 1:
                sl = {k: np.polyfit(np.log(dims), np.log([r[k] for r in rows]), 1)[0]
                      for k in ("worst", "mean", "bias", "shifted", "spread")}
                print(f"{act:6s} {rule:9s} slopes d log / d log D: " +
                      "  ".join(f"{k} {v:+.2f}" for k, v in sl.items()), flush=True)


if __name__ == "__main__":
    main()
