"""The real images of the shallow-autoencoder figures, preprocessed as SHALLOW_MODEL.md states.

``cifar10-gray``: the CIFAR-10 python batches, each RGB image converted to luminance
(ITU-R BT.601, ``numerics.shallow.data_model.grayscale``) of the [0, 1] pixel values, D = 1024.
``fashion-mnist``: the IDX files, pixels / 255, D = 784.  Then both are scaled as the authors'
code scales them: divided by twice the scalar standard deviation of all entries, minus the
scalar mean (``paper_scaling``; per-pixel means are NOT removed, so the "covariance" the theory
uses is the uncentred second moment ``X^T X / N``).  :func:`load_images` returns the scaled
rows and a record of all of this, which every figure writes to its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..datasets import load

#: the shallow experiments' dataset names -> the loader's names
LOADER_NAME = {"cifar10-gray": "cifar10", "fashion-mnist": "fashion-mnist"}


@dataclass(frozen=True)
class Images:
    """Scaled images ``x`` (N, D), labels, the files read and the preprocessing record."""

    x: NDArray[np.float64]
    labels: NDArray[np.int64]
    files: tuple[str, ...]
    record: dict[str, Any]

    @property
    def D(self) -> int:
        return int(self.x.shape[1])


def load_images(name: str, data_dir: str | None = None, *, n: int | None = None,
                split: str = "train") -> Images:
    """The first ``n`` images of ``split`` of ``name`` ("cifar10-gray" or "fashion-mnist"),
    preprocessed as the module says; ``FileNotFoundError`` naming every place looked in."""
    from numerics.shallow.data_model import grayscale, paper_scaling

    if name not in LOADER_NAME:
        raise ValueError(f"unknown image dataset {name!r}; choose one of "
                         f"{', '.join(LOADER_NAME)}")
    ds = load(LOADER_NAME[name], data_dir, n_samples=n, split=split)
    raw = grayscale(ds.x, "cifar") if name == "cifar10-gray" else ds.x
    sd = float(np.std(raw, ddof=1))
    mean_after = float(np.mean(raw / (2 * sd)))
    x = paper_scaling(raw)
    record = {
        "dataset": name, "split": split, "n_images": int(x.shape[0]), "D": int(x.shape[1]),
        "files": [str(f) for f in ds.files],
        "pixels": "uint8 / 255 in [0, 1]",
        "grayscale": ("luminance 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), not rounded"
                      if name == "cifar10-gray" else "none (already grayscale)"),
        "scaling": "x / (2 * std of all entries, ddof=1), then minus the scalar mean",
        "scale_divisor": 2 * sd, "scalar_mean_removed": mean_after,
        "centring": "scalar mean only; per-pixel means kept (the theory's covariance is the "
                    "uncentred X^T X / N)",
    }
    return Images(x, ds.labels, tuple(str(f) for f in ds.files), record)
