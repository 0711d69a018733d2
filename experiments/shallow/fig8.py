"""Figure 8 of Refinetti & Goldt (appendix): as Figure 6 for ReLU and linear autoencoders (no
bias), SGD on grayscale CIFAR-10 beside the ODE with the images' covariance, including a K
comparable to D/2 (the paper's point that the Gaussian equivalence holds for "essentially any
number of hidden neurons").

Both activations run in one figure (one row each).  The paper preset includes K = 512 = D/2;
the quick preset stops at K = 64 (SGD costs O(K D) per step and the ODE O(K^2 D) per
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
                  "n_records": 5, "chunks": 1, "activations": ["relu", "linear"]},
        "quick": {"K": None, "Ks": [1, 8, 64], "n_images": 10_000, "eta": 1.0,
                  "t_max": 100.0, "n_records": 20, "chunks": 10,
                  "activations": ["relu", "linear"]},
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
    fig, ax = plt.subplots(len(acts), 2, figsize=(10, 3.8 * len(acts)), squeeze=False)
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
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, x=im.x, data_path=im.files[0])
    plt.close(fig)
    for res in done:
        for r in res["runs"].values():
            finish(r["sgd"])
    return metrics
