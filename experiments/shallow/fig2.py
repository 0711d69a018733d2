"""Figure 2 of Refinetti & Goldt: pmse vs time of a K = 3 sigmoidal autoencoder on the synthetic
spiked model (eq. 3, M = 3, Gaussian directions), online SGD (crosses) and the D -> infinity
ODE (line) from the *same* initial weights, with the PCA errors of k = 0..K components as
horizontal lines.

Parameters the prose does not give are the authors' script defaults (``train_autoencoder.py``):
eta = 0.1, weights i.i.d. N(0, 0.1^2).  Deviation from the authors: the inputs are sampled from
the *population* covariance of eq. 3 (the authors use the empirical covariance of 10^4 samples);
its D - M bulk eigenvalues are then exactly degenerate and the ODE runs on compressed modes
(``same_start.compress_degenerate``, exact), so its cost does not grow with D.

Measured beyond the picture: the theory-vs-SGD pmse gap (``deviations``); the plateaus of both
curves (local minima of the decay rate ``-d ln pmse / d ln t``, ``curve_fits.plateaus``) and
where each sits against the nearest PCA line (``plateau_levels_vs_pca``); and the late-time
behaviour of both: the excess ``pmse - PCA_K`` at the end of the run, its local log-log slope
over the last decade (the aligned-ansatz analysis predicts ``t^(-2/3)`` asymptotically, step
``RG.C.powerlaw``), and the SGD excess against the ODE's (finite-D SGD noise floor).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .curve_fits import log_slope, nearest_level, plateaus
from .same_start import initial_weights, ode_from_weights, record_times
from .sgd_runs import finish, resumable_sgd
from .spec import FigureSpec

SPEC = FigureSpec(
    number="2", title="pmse vs t, SGD and ODE, PCA levels", datasets=("synthetic",),
    activations=("erf", "relu", "linear"), knobs=frozenset({"K", "D"}),
    presets={"smoke": {"K": 3, "M": 3, "D": 100, "eta": 0.1, "t_max": 30.0, "n_times": 40,
                       "chunks": 2},
             "quick": {"K": 3, "M": 3, "D": 1000, "eta": 0.1, "t_max": 2000.0, "n_times": 120,
                       "chunks": 20},
             "paper": {"K": 3, "M": 3, "D": 1000, "eta": 0.1, "t_max": 20000.0,
                       "n_times": 160, "chunks": 40}},
)


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow.data_model import spiked_model

    s = ctx.settings
    K, M, D, eta, seed = int(s["K"]), int(s["M"]), int(s["D"]), float(s["eta"]), int(s["seed"])
    act = s["activation"]
    spec = spiked_model(D, M, "gaussian", seed=seed).spectrum()
    pca = spec.pca_errors(K)
    W0, V0 = initial_weights(K, D, seed)
    times = record_times(float(s["t_max"]), D, int(s["n_times"]))
    sgd = resumable_sgd(ctx, "sgd", spec, K, times, chunks=int(s["chunks"]), w0=W0, v0=V0,
                        seed=seed, activation=act, eta=eta, n_overlap=M, device=s["device"])
    th = ode_from_weights(spec, W0, V0, times, activation=act, eta=eta)
    ps, po = sgd["pmse"][:, 0], th.pmse
    if not (np.all(np.isfinite(ps)) and np.all(np.isfinite(po))):
        raise FloatingPointError("figure 2: non-finite pmse")
    rel = np.abs(ps - po) / po
    t = times
    late = t >= t[-1] / 10
    ex_o, ex_s = po - pca[K], ps - pca[K]

    pl_o = []
    for p in plateaus(t, po):
        near = nearest_level(p["pmse"], pca)
        i = int(np.searchsorted(t, p["t"]))
        pl_o.append({**p, "sgd_pmse_at_t": float(ps[i]), "nearest_pca_k": near["k"],
                     "pca_level": near["level"], "rel_distance_to_pca": near["rel_distance"]})

    def crossing(curve: np.ndarray, level: float) -> float | None:
        below = np.flatnonzero(curve <= level)
        return float(t[below[0]]) if below.size else None

    crossings = {f"pca{k}": {"level": float(pca[k]), "t_ode": crossing(po, pca[k]),
                             "t_sgd": crossing(ps, pca[k])} for k in range(1, K + 1)}
    metrics: dict[str, Any] = {
        "pca_errors": pca.tolist(),
        "pmse_method_sgd": sgd["pmse_method"],
        "ode_modes": th.alpha.shape[1], "ode_seconds": th.seconds,
        "deviations": {
            "pmse_rel_gap_at_t0": float(rel[0]),
            "pmse_max_rel_gap": float(rel.max()),
            "pmse_median_rel_gap": float(np.median(rel)),
            "pmse_max_rel_gap_t_le_10": float(rel[t <= 10].max()),
            "pmse_max_rel_gap_t_le_100": float(rel[t <= 100].max()),
            "sgd_records_above_2x_ode_after_t100": int(np.sum((t > 100) & (ps > 2 * po))),
            "pmse_rel_gap_at_t_max": float(rel[-1]),
            "t_of_max_rel_gap": float(t[int(np.argmax(rel))]),
        },
        "plateau_levels_vs_pca": {
            "ode_plateaus": pl_o,
            "finder": "local minima of -d ln pmse / d ln t below 0.3 x the largest rate before "
                      "and after (curve_fits.plateaus), on the ODE curve (SGD is read at the "
                      "same times; its own late-time noise makes spurious minima)",
            "n_plateaus_ode": len(pl_o),
            "ode_shoulders_depth_0.95": [
                {**p, "nearest_pca_k": nearest_level(p["pmse"], pca)["k"],
                 "rel_distance_to_pca": nearest_level(p["pmse"], pca)["rel_distance"]}
                for p in plateaus(t, po, depth=0.95)],
            "first_time_below_pca_level": crossings,
        },
        "late_time": {
            "t_max": float(t[-1]),
            "ode_excess_over_pca_K": float(ex_o[-1]),
            "sgd_excess_over_pca_K": float(ex_s[-1]),
            "ode_excess_local_slope_last_decade": (
                float(np.mean(log_slope(t[late], ex_o[late]))) if np.all(ex_o[late] > 0)
                else None),
            "sgd_excess_local_slope_last_decade": (
                float(np.polyfit(np.log(t[late]), np.log(ex_s[late]), 1)[0])
                if np.all(ex_s[late] > 0) else None),
            "derived_asymptotic_slope": -2 / 3,
            "sgd_over_ode_excess_at_t_max": float(ex_s[-1] / ex_o[-1]),
            "ode_reaches_pca_K_within_1pct": bool(po[-1] <= pca[K] * 1.01),
            "sgd_reaches_pca_K_within_1pct": bool(ps[-1] <= pca[K] * 1.01),
        },
        "theory": "ODE of numerics.shallow.ode from the SGD run's initial weights "
                  "(rotated, degenerate bulk compressed exactly)",
        "data": "population covariance of eq. 3 (the authors: empirical covariance of 1e4 "
                "samples)",
    }
    arrays = {"t": t, "pmse_sgd": ps, "pmse_ode": po, "pca_errors": pca,
              "Q_sgd": sgd["Q"][:, 0], "Q_ode": th.Q, "R_sgd": sgd["R"][:, 0], "R_ode": th.R,
              "T0_sgd": sgd["T0"][:, 0], "T0_ode": th.T0}

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for a in ax:
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("t (steps / D)")
    tp = t[1:]
    ax[0].plot(tp, po[1:], "C0-", lw=1.5, label="ODE (D -> inf)")
    ax[0].plot(tp, ps[1:], "kx", ms=4, label=f"SGD, D={D}")
    for k in range(K + 1):
        ax[0].axhline(pca[k], color="C3", lw=0.8, ls="-" if k else ":")
        ax[0].text(tp[0], pca[k] * 1.08, f"PCA {k}", color="C3", fontsize=7)
    for p in pl_o:
        ax[0].plot(p["t"], p["pmse"], "o", mfc="none", color="C2", ms=9)
    ax[0].set_ylabel("pmse")
    ax[0].set_title(f"K={K}, M={M}, {act}, eta={eta:g}")
    ax[0].legend(fontsize=7, loc="lower left")
    good_o, good_s = ex_o[1:] > 0, ex_s[1:] > 0
    ax[1].plot(tp[good_o], ex_o[1:][good_o], "C0-", label="ODE")
    ax[1].plot(tp[good_s], ex_s[1:][good_s], "kx", ms=4, label="SGD")
    ref = ex_o[-1] * (tp / tp[-1]) ** (-2 / 3)
    sel = tp >= tp[-1] / 100
    ax[1].plot(tp[sel], ref[sel], "C3--", lw=1, label=r"$t^{-2/3}$ (derived)")
    ax[1].set_ylabel(f"pmse - PCA{K}")
    ax[1].set_title("late times: excess over the rank-K PCA error")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays)
    finish(sgd)
    return metrics
