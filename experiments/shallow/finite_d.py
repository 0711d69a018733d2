"""Beyond the paper ("dscale"): how far finite-D online SGD is from the D -> infinity ODE, as a
function of D, for the synthetic model of Figure 2 (K = M = 3, erf, eta = 0.1).

For each D and seed, SGD and the ODE start from the same weights (``same_start``); the gap is
``Delta(t) = pmse_SGD(t) - pmse_ODE(t)``.  Two measures, each fitted as ``c D^slope`` in log-log
(least squares over the D values, with the slope's standard error):

- ``rms``: the single-run gap, ``sqrt(mean_seeds mean_t (Delta / pmse_ODE)^2)`` over the record
  times in ``[t_min, t_max]``: the fluctuations of one run, expected ``O(1/sqrt D)``;
- ``mean``: the seed-averaged gap ``mean_t |mean_seeds Delta| / pmse_ODE``: the systematic part,
  expected ``O(1/D)`` once it is above its own noise floor ``rms / sqrt(seeds)`` (reported, so
  the slope is read with it).

With ``t_late`` set (paper preset) the first two use ``[t_min, t_late)`` and a third measure
is taken on ``[t_late, t_max]``: the seed- and time-averaged *signed* relative gap, where SGD
sits above the ODE at late times (the finite-D excess seen in Figure 2).

The spectrum is redrawn per D (the spiked model at that D, seed ``seed``); inputs are sampled
from its population covariance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .same_start import initial_weights, ode_from_weights, record_times
from .sgd_runs import finish, resumable_sgd
from .spec import FigureSpec

SPEC = FigureSpec(
    number="dscale", title="SGD-ODE gap vs D", datasets=("synthetic",), activations=("erf",),
    presets={"smoke": {"K": 3, "M": 3, "Ds": [40, 80], "seeds": 2, "eta": 0.1, "t_max": 8.0,
                       "t_min": 0.5, "t_late": None, "n_times": 20},
             "quick": {"K": 3, "M": 3, "Ds": [250, 500, 1000, 2000], "seeds": 3, "eta": 0.1,
                       "t_max": 30.0, "t_min": 0.5, "t_late": None, "n_times": 40},
             "paper": {"K": 3, "M": 3, "Ds": [250, 500, 1000, 2000], "seeds": 4, "eta": 0.1,
                       "t_max": 400.0, "t_min": 0.5, "t_late": 100.0, "n_times": 60}},
)


def loglog_slope(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Least-squares slope of ``ln y`` on ``ln x`` with its standard error (n >= 3; for two
    points the slope and a NaN error)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    A = np.vstack([lx, np.ones_like(lx)]).T
    coef, *_ = np.linalg.lstsq(A, ly, rcond=None)
    n = lx.size
    if n < 3:
        return {"slope": float(coef[0]), "stderr": float("nan"),
                "prefactor": float(np.exp(coef[1]))}
    res = ly - A @ coef
    se = np.sqrt(float(res @ res) / (n - 2) / np.sum((lx - lx.mean()) ** 2))
    return {"slope": float(coef[0]), "stderr": float(se), "prefactor": float(np.exp(coef[1]))}


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow.data_model import spiked_model

    s = ctx.settings
    K, M, eta, seed, n_seeds = int(s["K"]), int(s["M"]), float(s["eta"]), int(s["seed"]), \
        int(s["seeds"])
    Ds = [int(d) for d in s["Ds"]]
    if len(Ds) < 2 or min(Ds) < K:
        raise ValueError(f"dscale needs at least two D values >= K, got {Ds}")
    per_D: dict[str, Any] = {}
    curves: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    rms, mean_gap, floor, late = [], [], [], []
    t_late = s.get("t_late")
    for D in Ds:
        spec = spiked_model(D, M, "gaussian", seed=seed).spectrum()
        t = record_times(float(s["t_max"]), D, int(s["n_times"]))
        win = t >= float(s["t_min"])
        if t_late is not None:
            win = win & (t < float(t_late))
            lwin = t >= float(t_late)
        deltas, rels = [], []
        for i in range(n_seeds):
            W0, V0 = initial_weights(K, D, seed + i)
            r = resumable_sgd(ctx, f"D{D}_s{i}", spec, K, t, chunks=4, w0=W0, v0=V0,
                              seed=seed + i, activation="erf", eta=eta, n_overlap=0,
                              device=s["device"])
            th = ode_from_weights(spec, W0, V0, t, activation="erf", eta=eta)
            d = r["pmse"][:, 0] - th.pmse
            deltas.append(d)
            rels.append(d / th.pmse)
            if i == 0:
                curves[D] = (t, r["pmse"][:, 0], th.pmse)
            finish(r)
            if abs(d[0]) > 1e-9 * th.pmse[0]:
                raise RuntimeError(f"SGD and ODE do not start equal at D = {D}: {d[0]:g}")
        rel = np.array(rels)[:, win]
        po = curves[D][2][win]
        r_rms = float(np.sqrt(np.mean(rel ** 2)))
        m_gap = float(np.mean(np.abs(np.mean(np.array(deltas)[:, win], 0)) / po))
        rms.append(r_rms)
        mean_gap.append(m_gap)
        floor.append(r_rms / np.sqrt(n_seeds))
        per_D[str(D)] = {"rms_rel_gap": r_rms, "mean_rel_gap": m_gap,
                         "mean_gap_noise_floor": r_rms / np.sqrt(n_seeds),
                         "max_rel_gap_seed0": float(np.max(np.abs(rel[0]))),
                         "rms_rel_gap_per_seed": np.sqrt(np.mean(rel ** 2, 1)).tolist()}
        if t_late is not None:
            lr = np.array(rels)[:, lwin]
            late.append(float(np.mean(lr)))
            per_D[str(D)]["late_signed_rel_gap"] = late[-1]
            per_D[str(D)]["late_signed_rel_gap_seed_std"] = float(np.std(lr.mean(1), ddof=1)) \
                if n_seeds > 1 else None
    fit_rms = loglog_slope(np.array(Ds), np.array(rms))
    fit_mean = loglog_slope(np.array(Ds), np.array(mean_gap))

    def verdict(fit: dict[str, float]) -> str:
        sl, se = fit["slope"], fit["stderr"]
        d_half, d_one = abs(sl + 0.5), abs(sl + 1.0)
        best = "O(1/sqrt D)" if d_half < d_one else "O(1/D)"
        if not np.isfinite(se) or se <= 0:
            return f"slope {sl:.2f} (no error estimate); nearer {best}"
        return (f"slope {sl:.2f} +- {se:.2f}: {d_half / se:.1f} s.e. from -1/2, "
                f"{d_one / se:.1f} s.e. from -1; nearer {best}")

    metrics: dict[str, Any] = {
        "Ds": Ds, "seeds": n_seeds,
        "window": [float(s["t_min"]), float(t_late if t_late is not None else s["t_max"])],
        "per_D": per_D,
        "fit_rms_gap_vs_D": fit_rms, "fit_mean_gap_vs_D": fit_mean,
        "verdict": {"single_run_gap": verdict(fit_rms), "seed_mean_gap": verdict(fit_mean),
                    "mean_gap_above_noise_floor": [bool(m > 2 * f)
                                                   for m, f in zip(mean_gap, floor, strict=True)]},
        "deviations": {f"rms_rel_gap_D{D}": v for D, v in zip(Ds, rms, strict=True)},
    }
    if t_late is not None:
        metrics["late_window"] = [float(t_late), float(s["t_max"])]
        if all(v > 0 for v in late):
            metrics["fit_late_gap_vs_D"] = loglog_slope(np.array(Ds), np.array(late))
            metrics["verdict"]["late_signed_gap"] = verdict(metrics["fit_late_gap_vs_D"])
    arrays: dict[str, np.ndarray] = {"Ds": np.array(Ds), "rms": np.array(rms),
                                     "mean_gap": np.array(mean_gap), "floor": np.array(floor)}
    for D, (t, ps, po) in curves.items():
        arrays[f"t_D{D}"], arrays[f"pmse_sgd_D{D}"], arrays[f"pmse_ode_D{D}"] = t, ps, po

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for j, (D, (t, ps, po)) in enumerate(curves.items()):
        tp = t > 0
        ax[0].loglog(t[tp], np.abs(ps[tp] - po[tp]) / po[tp], "-", color=f"C{j}", lw=1,
                     label=f"D={D}")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("|pmse_SGD - pmse_ODE| / pmse_ODE (seed 0)")
    ax[0].set_title("(a) gap along the run, same initial weights", fontsize=9)
    ax[0].legend(fontsize=7)
    Da = np.array(Ds, float)
    ax[1].loglog(Da, rms, "ko", label=f"single run (rms): slope {fit_rms['slope']:.2f}")
    ax[1].loglog(Da, mean_gap, "bs", label=f"seed mean: slope {fit_mean['slope']:.2f}")
    ax[1].loglog(Da, floor, "b:", lw=0.8, label="noise floor of the mean")
    ax[1].loglog(Da, rms[0] * (Da / Da[0]) ** -0.5, "k--", lw=0.8, label=r"$D^{-1/2}$")
    ax[1].loglog(Da, mean_gap[0] * (Da / Da[0]) ** -1.0, "b--", lw=0.8, label=r"$D^{-1}$")
    if late and all(v > 0 for v in late):
        ax[1].loglog(Da, late, "r^", label=f"late signed gap, t >= {t_late:g}: slope "
                     f"{metrics['fit_late_gap_vs_D']['slope']:.2f}")
    ax[1].set_xlabel("D")
    ax[1].set_ylabel("relative pmse gap")
    w = metrics["window"]
    ax[1].set_title(f"(b) gap vs D ({n_seeds} seeds; rms and mean over t in [{w[0]:g}, "
                    f"{w[1]:g}])", fontsize=9)
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, stem="shallow_figdscale_synthetic_erf")
    return metrics
