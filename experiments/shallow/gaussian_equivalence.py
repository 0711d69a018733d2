"""Beyond the paper (figure ``gauss``): the Gaussian-equivalence question asked directly.  For
sigmoidal autoencoders on grayscale CIFAR-10, three curves on one plot, all from the SAME initial
weights:

1. online SGD on the real images (one image per step, with replacement; :mod:`.image_sgd`);
2. online SGD on Gaussian samples ``x ~ N(0, Omega)`` with the images' second moment
   ``Omega = X^T X / N`` (:func:`.sgd_runs.resumable_sgd`, the simulator of
   ``numerics.shallow.sgd``);
3. the ODE with the same ``Omega`` (all D modes explicit).

Measured (``deviations``): the pairwise gaps of the three pmse curves (largest and final
relative gap, and the largest gap in units of the curve's decrease).  Curve 1 is the error on
the images, curves 2 and 3 the Gaussian population error.  To separate the two ingredients of
the equivalence, the JSON also has the Gaussian error of the image-trained weights and the image
error of the Gaussian-trained weights, each against its own run: if both are small, the
difference image vs Gaussian lies neither in the error formula at fixed weights nor in the
trajectory of the weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .spec import FigureSpec

SPEC = FigureSpec(
    number="gauss", title="SGD on images vs SGD on Gaussians with their covariance vs ODE",
    datasets=("cifar10-gray",), activations=("erf", "relu", "linear"), knobs=frozenset({"K"}),
    presets={
        "smoke": {"K": None, "Ks": [2], "n_images": 1000, "eta": 1.0, "t_max": 1.0,
                  "n_records": 5, "chunks": 1},
        "quick": {"K": None, "Ks": [2, 8], "n_images": 10_000, "eta": 1.0, "t_max": 150.0,
                  "n_records": 20, "chunks": 5},
        "paper": {"K": None, "Ks": [1, 4, 16, 64], "n_images": 10_000, "eta": 0.1,
                  "t_max": 10_000.0, "n_records": 40, "chunks": 40},
    },
)


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .fig6 import setup
    from .image_sgd import reconstruction_error
    from .image_theory import gap_metrics, sgd_vs_ode
    from .sgd_runs import finish, resumable_sgd

    s = ctx.settings
    act = s["activation"]
    im, spec, Ks, times = setup(ctx)
    D = im.D
    deviations: dict[str, float] = {}
    per_k: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {"times": times}
    curves = {}
    for K in Ks:
        r = sgd_vs_ode(ctx, im.x, spec, K, times, activation=act, eta=float(s["eta"]),
                       seed=int(s["seed"]), chunks=int(s["chunks"]), name=f"images_K{K}")
        g = resumable_sgd(ctx, f"gauss_K{K}", spec, K, times, chunks=int(s["chunks"]),
                          w0=r["w0"], v0=r["v0"], seed=int(s["seed"]), activation=act,
                          eta=float(s["eta"]))
        img, gau, ode = r["sgd"]["pmse"], g["pmse"][:, 0], r["ode"].pmse
        pairs = {"images_vs_gauss_sgd": (img, gau), "images_vs_ode": (img, ode),
                 "gauss_sgd_vs_ode": (gau, ode),
                 "images_weights_gauss_error_vs_images_error": (r["sgd"]["pmse_gauss"], img)}
        # the image error of the Gaussian-trained weights (weights from the eigenbasis records)
        Et = spec.vectors.T
        img_err_of_gauss = np.array([
            reconstruction_error(im.x, g["w_overlap"][i, 0] @ Et, g["v_overlap"][i, 0] @ Et,
                                 None, act).mean() for i in range(times.size)])
        pairs["gauss_weights_image_error_vs_gauss_error"] = (img_err_of_gauss, gau)
        for name, (a, b) in pairs.items():
            for k, v in gap_metrics(times, a, b).items():
                deviations[f"K{K}_{name}_{k}"] = v
        per_k[str(K)] = {"final_pmse": {"images": float(img[-1]), "gauss_sgd": float(gau[-1]),
                                        "ode": float(ode[-1])},
                         "pmse_start": float(ode[0])}
        curves[K] = (img, gau, ode)
        arrays[f"K{K}_images"], arrays[f"K{K}_gauss_sgd"], arrays[f"K{K}_ode"] = img, gau, ode
        arrays[f"K{K}_images_weights_gauss_error"] = r["sgd"]["pmse_gauss"]
        arrays[f"K{K}_gauss_weights_image_error"] = img_err_of_gauss
        finish(r["sgd"])
        finish(g)
    worst = {p: max(deviations[f"K{K}_{p}_max_rel_gap"] for K in Ks)
             for p in ("images_vs_gauss_sgd", "images_vs_ode", "gauss_sgd_vs_ode")}
    metrics: dict[str, Any] = {
        "deviations": deviations, "per_K": per_k, "D": D, "eta": float(s["eta"]),
        "worst_max_rel_gap": worst,
        "images_as_close_to_ode_as_gaussian_sgd": bool(
            worst["images_vs_ode"] <= 2 * worst["gauss_sgd_vs_ode"] + 1e-3),
    }
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(Ks)))
    for c, K in zip(colors, Ks, strict=True):
        img, gau, ode = curves[K]
        ax[0].plot(times[1:], ode[1:], "-", color=c, lw=1.2, label=f"ODE K={K}")
        ax[0].plot(times[1:], img[1:], "x", color=c, ms=5, label=f"SGD images K={K}")
        ax[0].plot(times[1:], gau[1:], "o", color=c, ms=4, mfc="none",
                   label=f"SGD Gaussian K={K}")
        for (a, b), ls, lab in (((img, gau), "-", "images vs Gaussian SGD"),
                                ((img, ode), "--", "images vs ODE"),
                                ((gau, ode), ":", "Gaussian SGD vs ODE")):
            ax[1].plot(times[1:], (np.abs(a - b) / b)[1:], ls, color=c, label=f"K={K}: {lab}")
    ax[0].set_xscale("log")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("pmse")
    ax[0].set_title(f"CIFAR-10 gray, {act}, eta={s['eta']:g}: images / Gaussian / ODE",
                    fontsize=8)
    ax[0].legend(fontsize=6, ncol=2)
    ax[1].set_xscale("log")
    ax[1].set_yscale("log")
    ax[1].set_xlabel("t")
    ax[1].set_ylabel("relative gap")
    ax[1].legend(fontsize=6)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, x=im.x, data_path=im.files[0])
    plt.close(fig)
    return metrics
