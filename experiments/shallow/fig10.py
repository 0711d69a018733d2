"""Figure 10 of Refinetti & Goldt (appendix C): a sigmoidal (erf) autoencoder, K = M, on the
*noiseless* spiked model (sigma = 0, so the rank-K PCA error is 0, as the appendix says),
trained from three initial conditions:

- random: i.i.d. N(0, 0.1^2) weights;
- informed: the aligned ansatz (eq. 19) with ``a_k = b_k = 1`` (``w_k = e_k``,
  ``v_k = sqrt(D) e_k``);
- perfect: informed encoder (``a_k = 1``) and the optimal decoder scale ``b_k = b*(a_k)`` of
  eq. C.6 (step ``RG.C.bstar``).

Left: pmse vs t (SGD crosses; the full ODE from the same weights, lines; the reduced equations
C.8 for the aligned starts, dashed).  Right: the overlaps ``|w_k . e_tau|`` and
``|v_k . e_tau| / sqrt(D)`` of the randomly started network and the scales of the aligned ones.

Measured: the claim "the perfect start remains at the PCA error" (its pmse at t = 0 is the
derived ``f(b*) = rt/2 (1 - x / asin x)``, x = q/(1+q), which vanishes only as a -> 0, step
``RG.C.valley``: reported as numbers); the time the random start joins the informed one; the
final overlap matrix of the random start (alignment to individual eigenvectors or a
rotation); the theory-vs-SGD gaps.  eta = 0.1 (the authors' default).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .same_start import initial_weights, ode_from_weights, record_times
from .sgd_runs import finish, resumable_sgd
from .spec import FigureSpec

SPEC = FigureSpec(
    number="10", title="random vs informed vs perfect initial conditions",
    datasets=("synthetic",), activations=("erf",), knobs=frozenset({"K", "D"}),
    presets={"smoke": {"K": 2, "D": 60, "eta": 0.1, "t_max": 30.0, "n_times": 30, "chunks": 2},
             "quick": {"K": 2, "D": 500, "eta": 0.1, "t_max": 1000.0, "n_times": 100,
                       "chunks": 10},
             "paper": {"K": 2, "D": 1000, "eta": 0.1, "t_max": 10000.0, "n_times": 150,
                       "chunks": 40}},
)


def bstar(a: np.ndarray, rt: np.ndarray) -> np.ndarray:
    """The optimal decoder scale of eq. C.6 (step ``RG.C.bstar``):
    ``b* = sqrt(pi/2) rt a / sqrt(1 + rt a^2) / asin(rt a^2 / (1 + rt a^2))``."""
    q = rt * a * a
    return np.sqrt(np.pi / 2) * rt * a / np.sqrt(1 + q) / np.arcsin(q / (1 + q))


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow import reduced
    from numerics.shallow.data_model import spiked_model

    s = ctx.settings
    K, D, eta, seed = int(s["K"]), int(s["D"]), float(s["eta"]), int(s["seed"])
    spec = spiked_model(D, K, "gaussian", seed=seed, sigma=0.0).spectrum()
    rt = spec.rhotilde[:K]
    pca = spec.pca_errors(K)
    t = record_times(float(s["t_max"]), D, int(s["n_times"]))
    E = spec.vectors[:, :K].T  # (K, D) unit eigenvectors, decreasing rho
    a0 = np.ones(K)
    b_perf = bstar(a0, rt)
    starts = {
        "random": initial_weights(K, D, seed),
        "informed": (E * a0[:, None], E * np.sqrt(D)),
        "perfect": (E * a0[:, None], E * (b_perf * np.sqrt(D))[:, None]),
    }
    common = dict(chunks=int(s["chunks"]), activation="erf", eta=eta, n_overlap=K,
                  device=s["device"])
    sgd, ode, red = {}, {}, {}
    for i, (name, (W0, V0)) in enumerate(starts.items()):
        sgd[name] = resumable_sgd(ctx, name, spec, K, t, w0=W0, v0=V0, seed=seed + i, **common)
        ode[name] = ode_from_weights(spec, W0, V0, t, activation="erf", eta=eta)
    for name, b0 in (("informed", np.ones(K)), ("perfect", b_perf)):
        red[name] = reduced.integrate(a0, b0, rt, "erf", eta, t_eval=t)
        red[name]["pmse"] = red[name]["excess"].sum(1) + pca[K]

    p = {n: sgd[n]["pmse"][:, 0] for n in sgd}
    f_bstar = 0.5 * rt * (1 - (rt / (1 + rt)) / np.arcsin(rt / (1 + rt)))
    dev: dict[str, float] = {}
    for n in sgd:
        rel = np.abs(p[n] - ode[n].pmse) / ode[n].pmse
        dev[f"{n}_sgd_vs_ode_max_rel_pmse_gap"] = float(rel.max())
        dev[f"{n}_sgd_vs_ode_rel_pmse_gap_at_tmax"] = float(rel[-1])
        dev[f"{n}_sgd_vs_ode_max_rel_pmse_gap_t_le_100"] = float(rel[t <= 100].max())
    for n in red:
        rel = np.abs(ode[n].pmse - red[n]["pmse"]) / red[n]["pmse"]
        dev[f"{n}_ode_vs_reduced_C8_max_rel_pmse_gap"] = float(rel.max())
    pr, pi_ = p["random"], p["informed"]
    after = np.flatnonzero((t > 0) & (pr <= 1.25 * pi_) & (pr < 0.5 * pr[0]))
    w_ov = np.abs(sgd["random"]["w_overlap"][-1, 0])  # (K, K): |w_k . e_tau|
    # cosines within the top-K subspace (with sigma = 0 the bulk part of w gets no gradient)
    align = w_ov / np.linalg.norm(w_ov, axis=1, keepdims=True)
    metrics: dict[str, Any] = {
        "rt": rt.tolist(), "pca_errors": pca.tolist(),
        "perfect_start": {
            "b_star": b_perf.tolist(),
            "derived_excess_f_bstar_per_unit": f_bstar.tolist(),
            "pmse_t0_sgd": float(p["perfect"][0]), "pmse_t0_ode": float(ode["perfect"].pmse[0]),
            "pmse_t0_informed": float(pi_[0]),
            "pmse_tmax_perfect": float(p["perfect"][-1]),
            "pmse_tmax_informed": float(pi_[-1]),
            "remains_at_pca_error": bool(np.all(p["perfect"] <= pca[K] + 1e-3 * pca[0])),
            "note": "at a = 1 the optimal decoder gives f(b*) > 0 (RG.C.valley): the perfect "
                    "start sits at the PCA error only in the limit a -> 0",
            "perfect_below_informed_all_t_ode": bool(np.all(ode["perfect"].pmse
                                                            <= ode["informed"].pmse * (1 + 1e-9))),
            "perfect_over_informed_pmse_ode_at_t": {
                f"{tt:g}": float(np.interp(tt, t, ode["perfect"].pmse)
                                 / np.interp(tt, t, ode["informed"].pmse))
                for tt in (0.0, 1.0, 10.0, 100.0, float(t[-1]))},
        },
        "random_start": {
            "t_join_informed_within_25pct": float(t[after[0]]) if after.size else None,
            "final_alignment_matrix_abs_cos_w_e_in_top_K_subspace": align.tolist(),
            "each_unit_on_one_eigenvector": bool(np.all(align.max(1) > 0.95)),
        },
        "deviations": dev,
    }
    arrays: dict[str, np.ndarray] = {"t": t}
    for n in sgd:
        arrays[f"pmse_sgd_{n}"] = p[n]
        arrays[f"pmse_ode_{n}"] = ode[n].pmse
        arrays[f"w_overlap_sgd_{n}"] = sgd[n]["w_overlap"][:, 0]
        arrays[f"v_overlap_sgd_{n}"] = sgd[n]["v_overlap"][:, 0] / np.sqrt(D)
    for n in red:
        arrays[f"pmse_reduced_{n}"] = red[n]["pmse"]

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    tp = t > 0
    for (n, c) in zip(sgd, ("C0", "C1", "C2"), strict=True):
        ax[0].loglog(t[tp], ode[n].pmse[tp], c + "-", lw=1.2, label=f"{n}: ODE")
        ax[0].loglog(t[tp], p[n][tp], c + "x", ms=3, label=f"{n}: SGD D={D}")
        if n in red:
            ax[0].loglog(t[tp], red[n]["pmse"][tp], c + "--", lw=0.8, label=f"{n}: C.8")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("pmse (PCA error = 0: noiseless)")
    ax[0].set_title(f"(a) erf, K=M={K}, sigma=0, eta={eta:g}")
    ax[0].legend(fontsize=6, ncol=2)
    wo = np.abs(sgd["random"]["w_overlap"][:, 0])
    vo = np.abs(sgd["random"]["v_overlap"][:, 0]) / np.sqrt(D)
    for k in range(K):
        for tau in range(K):
            ls = "-" if k == tau else ":"
            ax[1].loglog(t[tp], wo[tp, k, tau], "C3" + ls, lw=1,
                         label=fr"random $|w_{k + 1}\cdot e_{tau + 1}|$")
            ax[1].loglog(t[tp], vo[tp, k, tau], "C4" + ls, lw=1,
                         label=fr"random $|v_{k + 1}\cdot e_{tau + 1}|/\sqrt{{D}}$")
    wi = np.abs(sgd["informed"]["w_overlap"][:, 0])
    vi = np.abs(sgd["informed"]["v_overlap"][:, 0]) / np.sqrt(D)
    for k in range(K):
        ax[1].loglog(t[tp], wi[tp, k, k], "C3+", ms=3)
        ax[1].loglog(t[tp], vi[tp, k, k], "C4+", ms=3)
    ax[1].set_xlabel("t")
    ax[1].set_title("(b) overlaps (lines: random start; +: informed a_k, b_k)")
    ax[1].legend(fontsize=5, ncol=2)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays)
    for r in sgd.values():
        finish(r)
    return metrics
