"""Figure 3 of Refinetti & Goldt: the two phases of learning of a sigmoidal (erf) autoencoder,
K = M = 1 (one leading eigenvalue, so the unit recovers the PC itself, not a rotation).

(a) pmse - PCA_1 (log-log) from a random start (SGD and the ODE from the same weights) and from
the aligned ("informed") start ``w = e_1``, ``v = sqrt(D) e_1`` (SGD, and the reduced equations
C.8 of ``numerics.shallow.reduced`` from ``(a, b) = (1, 1)``); (b) the encoder scale
``a = |w . e_1|`` shrinking and the decoder scale ``b = |v . e_1| / sqrt(D)`` growing.

Measured beyond the picture: the two phases decided by fits (an exponential fits the early
drop of the random start better than a power law, a power law fits the late decay better than
an exponential: ``phases``), the time at which the random start joins the aligned one; the
power-law exponents of a, b and the excess fitted over the late window with their standard
errors (residual-based, and the spread over seeds in the paper preset), beside the local
exponents of the reduced flow over the *same* window and the derived asymptotic ones
(-1/6, 1/6, -2/3; step ``RG.C.powerlaw``, reached only as t -> infinity).
Parameters not in the prose: eta = 0.1 and N(0, 0.1^2) weights (the authors' defaults).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .curve_fits import exponential_fit, power_law_fit
from .same_start import initial_weights, ode_from_weights, record_times
from .sgd_runs import finish, resumable_sgd
from .spec import FigureSpec

SPEC = FigureSpec(
    number="3", title="two phases: exponential then power law", datasets=("synthetic",),
    activations=("erf",), knobs=frozenset({"D"}),
    presets={"smoke": {"D": 60, "eta": 0.1, "t_max": 60.0, "n_times": 40, "seeds": 1,
                       "chunks": 2, "window_decades": 1.0},
             "quick": {"D": 400, "eta": 0.1, "t_max": 4000.0, "n_times": 120, "seeds": 1,
                       "chunks": 20, "window_decades": 1.5},
             "paper": {"D": 1000, "eta": 0.1, "t_max": 10000.0, "n_times": 150, "seeds": 3,
                       "chunks": 40, "window_decades": 1.5}},
)

#: derived asymptotic exponents of a, b and pmse - PCA (step RG.C.powerlaw)
DERIVED = {"a": -1 / 6, "b": 1 / 6, "excess": -2 / 3}


def _scales(run: dict[str, Any], D: int) -> tuple[np.ndarray, np.ndarray]:
    return np.abs(run["w_overlap"][:, 0, 0, 0]), np.abs(run["v_overlap"][:, 0, 0, 0]) / np.sqrt(D)


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow import reduced
    from numerics.shallow.data_model import spiked_model

    s = ctx.settings
    D, eta, seed, n_seeds = int(s["D"]), float(s["eta"]), int(s["seed"]), int(s["seeds"])
    spec = spiked_model(D, 1, "gaussian", seed=seed).spectrum()
    pca1 = float(spec.pca_errors(1)[1])
    rt1 = float(spec.rhotilde[0])
    t = record_times(float(s["t_max"]), D, int(s["n_times"]))
    window = (float(t[-1]) / 10 ** float(s["window_decades"]), float(t[-1]))
    common = dict(chunks=int(s["chunks"]), activation="erf", eta=eta, n_overlap=1,
                  device=s["device"])

    runs: dict[str, list[dict[str, Any]]] = {"random": [], "informed": []}
    for i in range(n_seeds):
        W0, V0 = initial_weights(1, D, seed + i)
        runs["random"].append(resumable_sgd(ctx, f"random{i}", spec, 1, t, w0=W0, v0=V0,
                                            seed=seed + i, **common))
        if i == 0:
            th = ode_from_weights(spec, W0, V0, t, activation="erf", eta=eta)
        runs["informed"].append(resumable_sgd(ctx, f"informed{i}", spec, 1, t, w0="informed",
                                              seed=seed + 100 + i, **common))
    red = reduced.integrate([1.0], [1.0], [rt1], "erf", eta, t_eval=t)
    # the reduced flow has no bulk: its excess is pmse - PCA_1 exactly (eq. C.4)
    curves: dict[str, dict[str, np.ndarray]] = {
        "reduced_C8": {"excess": red["excess"][:, 0], "a": np.abs(red["a"][:, 0]),
                       "b": np.abs(red["b"][:, 0])}}
    for name, rs in runs.items():
        for i, r in enumerate(rs):
            a, b = _scales(r, D)
            curves[f"sgd_{name}{i}"] = {"excess": r["pmse"][:, 0] - pca1, "a": a, "b": b}
    ode_a = np.abs(th.alpha[0, 0]) if th.alpha.size else None  # final only
    curves["ode_random"] = {"excess": th.pmse - pca1}

    fits: dict[str, Any] = {}
    for name, c in curves.items():
        fits[name] = {}
        for q in ("a", "b", "excess"):
            if q not in c:
                continue
            try:
                fits[name][q] = power_law_fit(t, c[q], window)
            except ValueError as err:
                fits[name][q] = {"skipped": str(err)}
    summary: dict[str, Any] = {}
    for q in ("a", "b", "excess"):
        row: dict[str, Any] = {"derived_asymptotic": DERIVED[q],
                               "reduced_C8_local_in_window": fits["reduced_C8"][q]["exponent"]}
        for name in ("random", "informed"):
            ex = [fits[f"sgd_{name}{i}"][q].get("exponent") for i in range(n_seeds)]
            se = [fits[f"sgd_{name}{i}"][q].get("stderr") for i in range(n_seeds)]
            ok = [e for e in ex if e is not None]
            row[f"sgd_{name}"] = float(np.mean(ok)) if ok else None
            row[f"sgd_{name}_fit_stderr"] = float(np.mean([x for x in se if x is not None])) \
                if ok else None
            row[f"sgd_{name}_seed_std"] = float(np.std(ok, ddof=1)) if len(ok) > 1 else None
        summary[q] = row

    # two phases of the random start (seed 0): exponential early drop, power law late
    ex_r = curves["sgd_random0"]["excess"]
    ex_i = curves["sgd_informed0"]["excess"]
    e0 = ex_r[0]
    drop_start = t[int(np.argmax(ex_r < 0.9 * e0))]
    joined = np.flatnonzero((t >= drop_start) & (ex_r <= 1.25 * ex_i) & (ex_r > 0))
    t_join = float(t[joined[0]]) if joined.size else float("nan")
    phases: dict[str, Any] = {"drop_start": float(drop_start), "t_join_informed": t_join}
    if joined.size and t_join > drop_start * 1.5:
        early = (float(drop_start), t_join)
        phases["early_window"] = early
        phases["early_exponential"] = exponential_fit(t, ex_r, early)
        phases["early_power_law"] = power_law_fit(t, ex_r, early)
        phases["late_window"] = window
        phases["late_exponential"] = exponential_fit(t, ex_r, window)
        phases["late_power_law"] = power_law_fit(t, ex_r, window)
        phases["early_is_exponential"] = bool(phases["early_exponential"]["r2"]
                                              > phases["early_power_law"]["r2"])
        phases["late_is_power_law"] = bool(phases["late_power_law"]["r2"]
                                           > phases["late_exponential"]["r2"])
    a_s, b_s = curves["sgd_informed0"]["a"], curves["sgd_informed0"]["b"]
    rel_ex = np.abs(ex_i[t >= 1] - red["excess"][t >= 1, 0]) / red["excess"][t >= 1, 0]
    metrics: dict[str, Any] = {
        "rt1": rt1, "pca1": pca1, "fit_window": window,
        "exponents": summary, "fits": fits, "phases": phases,
        "encoder_shrinks_decoder_grows": {
            "sgd_informed_a_t1_to_tmax": [float(a_s[np.searchsorted(t, 1.0)]), float(a_s[-1])],
            "sgd_informed_b_t1_to_tmax": [float(b_s[np.searchsorted(t, 1.0)]), float(b_s[-1])],
            "holds": bool(a_s[-1] < a_s[np.searchsorted(t, 1.0)]
                          and b_s[-1] > b_s[np.searchsorted(t, 1.0)]),
            "a_times_b_at_tmax_sgd": float(a_s[-1] * b_s[-1]), "sqrt_pi_over_2": np.sqrt(np.pi / 2),
        },
        "deviations": {
            "informed_sgd_vs_reduced_C8_max_rel_excess_gap_t_ge_1": float(rel_ex.max()),
            "informed_sgd_vs_reduced_C8_excess_ratio_at_tmax":
                float(ex_i[-1] / red["excess"][-1, 0]),
            "informed_sgd_vs_reduced_a_rel_gap_at_tmax":
                float(abs(a_s[-1] / red["a"][-1, 0] - 1)),
            "informed_sgd_vs_reduced_b_rel_gap_at_tmax":
                float(abs(b_s[-1] / red["b"][-1, 0] - 1)),
            "random_sgd_vs_ode_max_rel_pmse_gap": float(np.max(
                np.abs(runs["random"][0]["pmse"][:, 0] - th.pmse) / th.pmse)),
            "random_sgd_vs_ode_excess_ratio_at_tmax": float(ex_r[-1] / (th.pmse[-1] - pca1)),
        },
        "theory": "random start: full ODE from the same weights; aligned start: reduced C.8",
        "ode_random_final_encoder_overlap": None if ode_a is None else float(ode_a),
    }
    arrays: dict[str, np.ndarray] = {"t": t}
    for name, c in curves.items():
        for q, v in c.items():
            arrays[f"{name}_{q}"] = v

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    tp = t > 0
    ax[0].loglog(t[tp], curves["ode_random"]["excess"][tp], "C0-", label="ODE, random start")
    ax[0].loglog(t[tp], ex_r[tp], "C0x", ms=3, label=f"SGD random, D={D}")
    ax[0].loglog(t[tp], red["excess"][tp, 0], "C1-", label="reduced C.8, aligned")
    ax[0].loglog(t[tp], ex_i[tp], "C1+", ms=4, label="SGD aligned start")
    ref = red["excess"][-1, 0] * (t[tp] / t[-1]) ** (-2 / 3)
    ax[0].loglog(t[tp][t[tp] > window[0] / 10], ref[t[tp] > window[0] / 10], "k--", lw=0.8,
                 label=r"$t^{-2/3}$")
    ax[0].axvspan(*window, color="0.9")
    if np.isfinite(t_join):
        ax[0].axvline(t_join, color="C2", lw=0.8, ls=":")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel(r"pmse $-$ PCA$_1$")
    ax[0].set_title(f"(a) erf, K=M=1, rt={rt1:.2f}, eta={eta:g}")
    ax[0].legend(fontsize=7)
    for q, col in (("a", "C3"), ("b", "C4")):
        ax[1].loglog(t[tp], curves["reduced_C8"][q][tp], col + "-", label=f"{q}: reduced C.8")
        ax[1].loglog(t[tp], curves["sgd_informed0"][q][tp], col + "+", ms=4,
                     label=f"{q}: SGD aligned")
        ax[1].loglog(t[tp], curves["sgd_random0"][q][tp], col + "x", ms=3, alpha=0.6,
                     label=f"{q}: SGD random")
    ax[1].axvspan(*window, color="0.9")
    lines = ["exponents in the shaded window (SGD aligned | C.8 local | asymptotic):"]
    for q in ("a", "b", "excess"):
        f = fits["sgd_informed0"][q]
        if "exponent" in f:
            lines.append(f"{q}: {f['exponent']:.3f}+-{f['stderr']:.3f} | "
                         f"{summary[q]['reduced_C8_local_in_window']:.3f} | {DERIVED[q]:+.3f}")
    ax[1].text(0.02, 0.02, "\n".join(lines), transform=ax[1].transAxes, fontsize=6,
               va="bottom")
    ax[1].set_xlabel("t")
    ax[1].set_title("(b) encoder scale a shrinks, decoder scale b grows")
    ax[1].legend(fontsize=6, ncol=2, loc="upper left")
    fig.tight_layout()
    ctx.save(fig, metrics, arrays)
    for rs in runs.values():
        for r in rs:
            finish(r)
    return metrics
