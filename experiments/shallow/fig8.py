"""Figure 8 of Refinetti & Goldt (appendix): as Figure 6 for ReLU and linear autoencoders (no
bias), SGD on grayscale CIFAR-10 beside the ODE with the images' covariance, including a K
comparable to D/2 (the paper's point that the Gaussian equivalence holds for "essentially any
number of hidden neurons").

Both activations run in one figure (one row each).  The paper preset includes K = 512 = D/2;
the quick preset has K = 1, 8, 64 up to t = 100 and, in a third column, K = 512 = D/2 over a
short horizon (t = 10) (SGD costs O(K D) per step and the ODE O(K^2 D) per
evaluation; the JSON says which K ran).  Measured beyond the picture, per activation and K:
the gaps of :mod:`.fig6` (``deviations`` keyed ``<activation>_K<k>_...``).
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .fig6 import compute, plot_row, setup
from .spec import FigureSpec

SPEC = FigureSpec(
    number="8", title="SGD on CIFAR-10 gray vs the ODE, ReLU and linear",
    datasets=("cifar10-gray",), activations=(), knobs=frozenset({"K"}),
    presets={
        "smoke": {"K": None, "Ks": [2], "n_images": 1000, "eta": 1.0, "t_max": 1.0,
                  "n_records": 5, "chunks": 1, "activations": ["relu", "linear"],
                  "half_D": {"K": 4, "t_max": 0.5, "n_records": 3}},
        "quick": {"K": None, "Ks": [1, 8, 64], "n_images": 10_000, "eta": 1.0,
                  "t_max": 100.0, "n_records": 20, "chunks": 10,
                  "activations": ["relu", "linear"],
                  "half_D": {"K": 512, "t_max": 10.0, "n_records": 8}},
        "paper": {"K": None, "Ks": [1, 4, 16, 64, 512], "n_images": 10_000, "eta": 0.1,
                  "t_max": 10_000.0, "n_records": 40, "chunks": 40,
                  "activations": ["relu", "linear"]},
    },
)


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .sgd_runs import finish

    im, spec, Ks, times = setup(ctx)
    acts = list(ctx.settings["activations"])
    half = ctx.settings.get("half_D")
    ncol = 3 if half else 2
    fig, ax = plt.subplots(len(acts), ncol, figsize=(5 * ncol, 3.8 * len(acts)),
                           squeeze=False)
    metrics: dict[str, Any] = {"deviations": {}, "D": im.D, "Ks": Ks,
                               "K_over_D_max": max(Ks) / im.D}
    arrays: dict[str, Any] = {}
    done = []
    for row, act in zip(ax, acts, strict=True):
        res = compute(ctx, act, im, spec, Ks, times)
        plot_row(row, res, im, act, float(ctx.settings["eta"]))
        m = res["metrics"]
        metrics["deviations"].update({f"{act}_{k}": v for k, v in m.pop("deviations").items()})
        metrics[act] = m
        arrays.update(res["arrays"])
        done.append(res)
        if half:
            r = _half_d(ctx, act, im, spec, half, row[2])
            metrics["deviations"].update({f"{act}_K{half['K']}_short_{k}": v
                                          for k, v in r["gaps"].items()})
            metrics[act]["half_D_run"] = {"K": int(half["K"]), "t_max": float(half["t_max"]),
                                          "seconds_sgd": r["seconds_sgd"],
                                          "seconds_ode": r["seconds_ode"]}
            arrays[f"{act}_K{half['K']}_short_pmse_sgd"] = r["sgd"]["pmse"]
            arrays[f"{act}_K{half['K']}_short_pmse_ode"] = r["ode"].pmse
            done.append({"runs": {0: r}})
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, x=im.x, data_path=im.files[0])
    plt.close(fig)
    for res in done:
        for r in res["runs"].values():
            finish(r["sgd"])
    return metrics


def _half_d(ctx: Context, act: str, im: Any, spec: Any, half: dict[str, Any], ax: Any
            ) -> dict[str, Any]:
    """A short run at K = ``half["K"]`` (D/2 for CIFAR-10): SGD on the images vs the ODE up to
    ``half["t_max"]``, drawn on ``ax``."""
    from .image_theory import record_times, sgd_vs_ode

    K = int(half["K"])
    if K > im.D:
        raise ValueError(f"half_D K = {K} exceeds D = {im.D}")
    times = record_times(float(half["t_max"]), int(half["n_records"]), im.D)
    r = sgd_vs_ode(ctx, im.x, spec, K, times, activation=act, eta=float(ctx.settings["eta"]),
                   seed=int(ctx.settings["seed"]), chunks=2, name=f"{act}_K{K}_short")
    ax.plot(times[1:], r["ode"].pmse[1:], "-", color="C3", label=f"ODE K={K}")
    ax.plot(times[1:], r["sgd"]["pmse"][1:], "x", color="C3", label=f"SGD on images K={K}")
    ax.set_xscale("log")
    ax.set_xlabel("t")
    ax.set_title(f"{act}, K = {K} = D/{im.D // K} (short run): max rel. gap "
                 f"{r['gaps']['sgd_images_vs_ode_max_rel_gap']:.2%}", fontsize=8)
    ax.legend(fontsize=6)
    return r
