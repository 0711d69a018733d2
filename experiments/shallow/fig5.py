"""Figure 5 of Refinetti & Goldt: vanilla (eq. 4) vs truncated (eq. 23) SGD of a sigmoidal
autoencoder.

(a) pmse of both algorithms on the synthetic model with sinusoidal directions (eq. 3, M = K
spikes; inputs divided by their scalar standard deviation, as the authors' script does), SGD
beside the modified ODEs (``truncated=True``: the lower-triangular mask), from the
same initial weights, with the PCA errors of 1..K components.  (b) the final decoder weights of
the truncated run against the eigenvectors.  (c) the overlap matrices
``O_k,tau = v_k . e_tau / |v_k|`` (decoder; the encoder keeps its random bulk part) of both
algorithms with the top K eigenvectors.  (d)
Fashion-MNIST, K = 64: a test image reconstructed by all units and by the first five units of
each algorithm.

Measured beyond the picture: the SGD-vs-ODE gaps of both algorithms (``deviations``); for each
overlap matrix how close it is to the identity (``diag_weight``: mean of ``O_kk^2``), to some
permutation (``best_permutation_weight``: the best assignment of units to eigenvectors), and
how much of each weight lies in the top-K subspace (``subspace_weight``); truncated SGD should
give the identity, vanilla SGD a rotation (subspace captured, permutation weight well below 1).
The same overlap measures from the ODE alone integrated past the SGD horizon (``ode_t_long``),
where the slow last PC has settled.  On Fashion-MNIST: the full and the five-unit partial
reconstruction errors over the WHOLE test
set for both algorithms, beside the PCA errors of rank 5 and 64 on the same test set.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .context import Context
from .spec import FigureSpec

SPEC = FigureSpec(
    number="5", title="vanilla vs truncated SGD: PCs, overlaps, partial reconstructions",
    datasets=("synthetic",), activations=("erf",), knobs=frozenset({"K", "D"}),
    presets={
        "smoke": {"D": 100, "K": 3, "eta": 0.4, "t_max": 3.0, "n_records": 20, "chunks": 2,
                  "fmnist_K": 8, "fmnist_units": 2, "fmnist_train": 1000, "fmnist_test": 500,
                  "fmnist_eta": 1.0, "fmnist_t_max": 1.0, "fmnist_chunks": 1,
                  "ode_t_long": 10.0},
        "quick": {"D": 500, "K": 5, "eta": 0.4, "t_max": 1000.0, "n_records": 60, "chunks": 10,
                  "fmnist_K": 64, "fmnist_units": 5, "fmnist_train": 10_000,
                  "fmnist_test": 10_000, "fmnist_eta": 1.0, "fmnist_t_max": 100.0,
                  "fmnist_chunks": 10, "ode_t_long": 20_000.0},
        "paper": {"D": 500, "K": 5, "eta": 0.4, "t_max": 4000.0, "n_records": 100, "chunks": 20,
                  "fmnist_K": 64, "fmnist_units": 5, "fmnist_train": 60_000,
                  "fmnist_test": 10_000, "fmnist_eta": 1.0, "fmnist_t_max": 2000.0,
                  "fmnist_chunks": 40, "ode_t_long": 40_000.0},
    },
)


def overlap_measures(O: NDArray) -> dict[str, float]:
    """How close the overlap matrix ``O`` (K units x K eigenvectors, rows ``w_k . e_tau / |w_k|``)
    is to the identity, to a permutation, and to the top-K subspace (squared cosines)."""
    O2 = np.asarray(O, float) ** 2
    K = O2.shape[0]
    if K <= 8:
        best = max(sum(O2[k, p[k]] for k in range(K)) for p in permutations(range(K))) / K
    else:
        from scipy.optimize import linear_sum_assignment

        r, c = linear_sum_assignment(-O2)
        best = float(O2[r, c].sum() / K)
    return {"diag_weight": float(np.mean(np.diag(O2))),
            "diag_per_unit": np.diag(O2).tolist(),
            "best_permutation_weight": float(best),
            "subspace_weight": float(np.mean(O2.sum(1))),
            "max_entry_weight": float(np.mean(O2.max(1)))}


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow.data_model import Spectrum, spiked_model
    from numerics.shallow.ode import integrate, rotate_weights

    from .image_theory import gap_metrics, initial_weights, record_times
    from .sgd_runs import finish, resumable_sgd

    s = ctx.settings
    D, K, eta = int(s["D"]), int(s["K"]), float(s["eta"])
    raw = spiked_model(D, K, "sinusoidal").spectrum()
    # the authors' scaling of the synthetic inputs (truncated_vanilla_SGD: x / std of all
    # entries): Omega / (tr Omega / D), so the spikes are rt = s_m^2 / (sum s^2 + 1) < 1
    # instead of s_m^2 up to 1089 (which makes the flow stiff and SGD need eta ~ 1e-3)
    var = float(raw.rho.sum() / D)
    spec = Spectrum(raw.rho / var, raw.vectors)
    times = record_times(float(s["t_max"]), int(s["n_records"]), D)
    w0, v0 = initial_weights(K, D, int(s["seed"]), 0.1)
    al, be = rotate_weights(w0, v0, spec.vectors)
    pca = spec.pca_errors(K)
    res: dict[str, Any] = {}
    deviations: dict[str, float] = {}
    for rule in ("vanilla", "truncated"):
        sgd = resumable_sgd(ctx, rule, spec, K, times, chunks=int(s["chunks"]), w0=w0, v0=v0,
                            seed=int(s["seed"]), activation="erf", eta=eta, rule=rule,
                            n_overlap=K)
        ode = integrate(spec.rho / D, K, "erf", eta=eta, truncated=(rule == "truncated"),
                        t_eval=times, alpha0=al, beta0=be, rtol=1e-7, method="RK45", D=D)
        res[rule] = (sgd, ode)
        for k, v in gap_metrics(times, sgd["pmse"][:, 0], ode.pmse).items():
            deviations[f"{rule}_sgd_vs_ode_{k}"] = v
    overlaps: dict[str, NDArray] = {}
    measures: dict[str, Any] = {}
    for rule, (sgd, ode) in res.items():
        # the decoder: its bulk part decays (-eta I2), while the encoder keeps its random bulk
        # part and shrinks its spike part (the sigmoidal AE's route to the linear regime)
        V = sgd["V"][0]
        O = (V @ spec.vectors[:, :K]) / np.linalg.norm(V, axis=1)[:, None]
        overlaps[rule] = O
        measures[rule] = overlap_measures(O)
        W = sgd["W"][0]
        measures[rule]["encoder"] = overlap_measures(
            (W @ spec.vectors[:, :K]) / np.linalg.norm(W, axis=1)[:, None])
        # the ODE's final weights give the same matrix in the D -> infinity flow
        Oo = ode.beta[:, :K] / np.linalg.norm(ode.beta, axis=1)[:, None]
        measures[rule]["ode"] = overlap_measures(Oo)
        overlaps[f"{rule}_ode"] = Oo
    long: dict[str, Any] = {}
    if s.get("ode_t_long"):
        # the D -> infinity flow alone past the SGD horizon (it matches SGD above): do the
        # overlaps reach the identity / stay a rotation, and does pmse approach PCA?
        for rule in res:
            lo = integrate(spec.rho / D, K, "erf", eta=eta, truncated=(rule == "truncated"),
                           t_eval=np.array([0.0, float(s["ode_t_long"])]), alpha0=al,
                           beta0=be, rtol=1e-7, method="RK45", D=D)
            Ol = lo.beta[:, :K] / np.linalg.norm(lo.beta, axis=1)[:, None]
            long[rule] = {"t": float(s["ode_t_long"]), "pmse": float(lo.pmse[-1]),
                          "excess_over_pca_rank_K": float(lo.pmse[-1] - pca[K]),
                          "overlap": overlap_measures(Ol)}
    metrics: dict[str, Any] = {
        "deviations": deviations,
        "ode_beyond_sgd_horizon": long or "not run (preset without ode_t_long)",
        "input_scaling": {"divided_by_scalar_variance": var,
                          "rhotilde_top": (spec.rho[:K] / D).tolist()},
        "pca_errors": pca.tolist(),
        "final_pmse": {r: {"sgd": float(res[r][0]["pmse"][-1, 0]),
                           "ode": float(res[r][1].pmse[-1])} for r in res},
        "excess_over_pca_rank_K": {r: {"sgd": float(res[r][0]["pmse"][-1, 0] - pca[K]),
                                       "ode": float(res[r][1].pmse[-1] - pca[K])}
                                   for r in res},
        "overlap_measures": measures,
        "claims": {
            "truncated_recovers_exact_pcs": bool(measures["truncated"]["diag_weight"] > 0.9),
            "truncated_recovers_exact_pcs_ode_long": bool(
                long and long["truncated"]["overlap"]["diag_weight"] > 0.9),
            "vanilla_recovers_a_rotation_ode_long": bool(
                long and long["vanilla"]["overlap"]["subspace_weight"] > 0.9
                and long["vanilla"]["overlap"]["best_permutation_weight"] < 0.9),
            "vanilla_recovers_a_rotation": bool(
                measures["vanilla"]["subspace_weight"] > 0.9
                and measures["vanilla"]["best_permutation_weight"] < 0.9),
            "truncated_pmse_increases_temporarily": bool(
                np.any(np.diff(res["truncated"][1].pmse) > 1e-9)),
        },
    }
    arrays: dict[str, np.ndarray] = {"times": times, "rho": spec.rho, "pca_errors": pca}
    for rule, (sgd, ode) in res.items():
        arrays[f"{rule}_pmse_sgd"] = sgd["pmse"][:, 0]
        arrays[f"{rule}_pmse_ode"] = ode.pmse
        arrays[f"{rule}_W"] = sgd["W"][0]
        arrays[f"{rule}_overlap"] = overlaps[rule]

    fm = _fashion(ctx, metrics, arrays)

    ncol = 4 if fm is not None else 3
    fig = plt.figure(figsize=(4.0 * ncol, 3.8))
    ax = fig.add_subplot(1, ncol, 1)
    for rule, c in (("vanilla", "C0"), ("truncated", "C3")):
        sgd, ode = res[rule]
        ax.plot(times[1:], ode.pmse[1:], "-", color=c, label=f"{rule} ODE")
        ax.plot(times[1:], sgd["pmse"][1:, 0], "x", color=c, ms=3, label=f"{rule} SGD")
    for k in range(1, K + 1):
        ax.axhline(pca[k], color="k", lw=0.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("t")
    ax.set_ylabel("pmse")
    ax.set_title(f"(a) sinusoidal model D={D}, K=M={K}", fontsize=9)
    ax.legend(fontsize=6)
    ax = fig.add_subplot(1, ncol, 2)
    V = res["truncated"][0]["V"][0]
    for k in range(K):
        e = spec.vectors[:, k] * np.sign(V[k] @ spec.vectors[:, k])
        ax.plot(e + 0.25 * k, "k", lw=1.5)
        ax.plot(V[k] / np.linalg.norm(V[k]) + 0.25 * k, "C3", lw=0.6)
    ax.set_title("(b) truncated decoder v_k/|v_k| (red) vs e_k (black)", fontsize=9)
    ax.set_xlabel("i")
    ax = fig.add_subplot(1, ncol, 3)
    both = np.hstack([np.abs(overlaps["vanilla"]), np.full((K, 1), np.nan),
                      np.abs(overlaps["truncated"])])
    im = ax.imshow(both, vmin=0, vmax=1, cmap="magma")
    fig.colorbar(im, ax=ax, fraction=0.03)
    ax.set_title(f"(c) |decoder overlap|: vanilla (left) diag "
                 f"{measures['vanilla']['diag_weight']:.2f}, truncated (right) "
                 f"{measures['truncated']['diag_weight']:.2f}", fontsize=7)
    ax.set_xlabel("eigenvector")
    ax.set_ylabel("unit")
    if fm is not None:
        ax = fig.add_subplot(1, ncol, 4)
        ax.imshow(fm, cmap="gray")
        ax.set_axis_off()
        m = metrics["fashion_mnist"]
        u = m["units_partial"]
        ax.set_title(f"(d) FMNIST K={m['K']}: rows vanilla / truncated;\ncols original, all "
                     f"units, first {u}, PCA-{u}", fontsize=7)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays)
    plt.close(fig)
    for rule in res:
        finish(res[rule][0])
    return metrics


def _fashion(ctx: Context, metrics: dict[str, Any], arrays: dict[str, np.ndarray]
             ) -> NDArray | None:
    """Fig. 5(d): K = ``fmnist_K`` units trained by vanilla and truncated SGD on Fashion-MNIST;
    full and partial reconstruction errors over the test set; returns the picture grid (or None
    when the data are absent, the JSON saying where it looked)."""
    from numerics.shallow.data_model import eigen_decomposition, empirical_covariance

    from .image_sgd import image_sgd, reconstruct, reconstruction_error
    from .image_theory import initial_weights, record_times
    from .realdata import load_images
    from .sgd_runs import finish

    s = ctx.settings
    try:
        tr = load_images("fashion-mnist", ctx.data_dir, n=int(s["fmnist_train"]))
        te = load_images("fashion-mnist", ctx.data_dir, n=int(s["fmnist_test"]), split="test")
    except FileNotFoundError as err:
        metrics["fashion_mnist"] = {"skipped": str(err)}
        return None
    ctx.data["fashion-mnist-train"] = tr.record
    ctx.data["fashion-mnist-test"] = te.record
    # the test images scaled with the TRAINING set's constants (the same map for both)
    xt = _rescale_like(te, tr)
    spec = eigen_decomposition(empirical_covariance(tr.x))
    D, K, u = tr.D, int(s["fmnist_K"]), int(s["fmnist_units"])
    times = record_times(float(s["fmnist_t_max"]), 12, D)
    w0, v0 = initial_weights(K, D, int(s["seed"]) + 1, 0.1)
    E = spec.vectors
    pca_full = _pca_error(xt, E, K)
    out: dict[str, Any] = {"K": K, "units_partial": u, "D": D, "eta": float(s["fmnist_eta"]),
                           "t_max": float(s["fmnist_t_max"]), "n_train": tr.x.shape[0],
                           "n_test": xt.shape[0],
                           "pca_error_test_rank_K": pca_full,
                           "pca_error_test_rank_units": _pca_error(xt, E, u)}
    # a test image of the class "trouser" (label 1), as the paper's example shows trousers
    pick = int(np.flatnonzero(te.labels == 1)[0]) if np.any(te.labels == 1) else 0
    rows = []
    runs = {}
    for rule in ("vanilla", "truncated"):
        r = image_sgd(ctx, f"fmnist_{rule}", tr.x, K, times, w0=w0, v0=v0, activation="erf",
                      eta=float(s["fmnist_eta"]), rule=rule, seed=int(s["seed"]) + 1,
                      chunks=int(s["fmnist_chunks"]))
        runs[rule] = r
        W, V = r["W"], r["V"]
        full = reconstruction_error(xt, W, V, None, "erf")
        part = reconstruction_error(xt, W, V, None, "erf", units=u)
        out[rule] = {"test_error_all_units": float(full.mean()),
                     "test_error_first_units": float(part.mean()),
                     "test_error_first_units_stderr": float(part.std() / np.sqrt(part.size)),
                     "train_pmse_curve_final": float(r["pmse"][-1]),
                     "partial_over_pca_partial": float(part.mean()
                                                       / out["pca_error_test_rank_units"])}
        arrays[f"fmnist_{rule}_pmse_train"] = r["pmse"]
        img = xt[pick:pick + 1]
        rows.append(np.hstack([img.reshape(28, 28),
                               reconstruct(img, W, V, None, "erf").reshape(28, 28),
                               reconstruct(img, W, V, None, "erf", units=u).reshape(28, 28),
                               (img @ E[:, :u] @ E[:, :u].T).reshape(28, 28)]))
    arrays["fmnist_times"] = times
    out["claims"] = {
        "full_reconstructions_similar": bool(
            abs(out["vanilla"]["test_error_all_units"] - out["truncated"]["test_error_all_units"])
            < 0.1 * out["truncated"]["test_error_all_units"]),
        "truncated_partial_better_than_vanilla": bool(
            out["truncated"]["test_error_first_units"]
            < out["vanilla"]["test_error_first_units"]),
        "truncated_partial_over_vanilla_partial": float(
            out["truncated"]["test_error_first_units"]
            / out["vanilla"]["test_error_first_units"]),
    }
    out["test_image_index"] = pick
    metrics["fashion_mnist"] = out
    for r in runs.values():
        finish(r)
    return np.vstack(rows)


def _pca_error(x: NDArray, E: NDArray, k: int) -> float:
    """Mean ``||x - P_k x||^2 / (2D)`` over the rows of ``x`` (P_k: top-k eigenvectors)."""
    P = E[:, :k]
    r = x - (x @ P) @ P.T
    return float(np.mean(np.sum(r * r, 1)) / (2 * x.shape[1]))


def _rescale_like(te: Any, tr: Any) -> NDArray:
    """The test images mapped with the training set's scaling constants (divisor and mean)."""
    raw = (te.x + te.record["scalar_mean_removed"]) * te.record["scale_divisor"]
    return raw / tr.record["scale_divisor"] - tr.record["scalar_mean_removed"]
