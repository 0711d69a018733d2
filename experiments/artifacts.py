"""Where a run's outputs go: a figure as PNG and PDF, settings and metrics as JSON, curves as .npz.

Every figure or experiment writes the same four kinds of file into ``--out`` under one stem,
so a user finds ``<stem>.png``, ``<stem>.pdf``, ``<stem>.json`` and ``<stem>.npz`` together.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


def prepare_out(out: str | os.PathLike[str]) -> Path:
    """Create the output directory (and parents); ``ValueError`` if it cannot be written."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot create output directory {str(path)!r}: {err.strerror}") from None
    if not os.access(path, os.W_OK):
        raise ValueError(f"output directory {str(path)!r} is not writable")
    return path


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None  # "never reached" / undefined: null
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Path):
        return str(value)
    return value


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def save_json(path: Path, payload: Mapping[str, Any]) -> Path:
    """Write ``payload`` as indented JSON (non-finite floats as strings), atomically."""
    _atomic_write(path, lambda p: p.write_text(json.dumps(_jsonable(payload), indent=2) + "\n"))
    return path


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write the curves as a compressed ``.npz``, atomically."""
    def write(p: Path) -> None:
        with open(p, "wb") as fh:
            np.savez_compressed(fh, **{k: np.asarray(v) for k, v in arrays.items()})

    _atomic_write(path, write)
    return path


def save_figure(fig: Any, out: Path, stem: str) -> list[Path]:
    """Save a matplotlib figure as ``<stem>.png`` (150 dpi) and ``<stem>.pdf``; close it."""
    import matplotlib.pyplot as plt

    paths = [out / f"{stem}.png", out / f"{stem}.pdf"]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    return paths


def save_run(out: Path, stem: str, *, fig: Any, settings: Mapping[str, Any],
             metrics: Mapping[str, Any], arrays: Mapping[str, np.ndarray],
             provenance: Mapping[str, Any] | None = None) -> list[Path]:
    """Write all four artefacts of one figure/run and return their paths (the JSON holds
    ``settings``, ``metrics`` and, when given, ``provenance``)."""
    paths = save_figure(fig, out, stem)
    payload = {"settings": settings, "metrics": metrics}
    if provenance is not None:
        payload["provenance"] = provenance
    paths.append(save_json(out / f"{stem}.json", payload))
    paths.append(save_arrays(out / f"{stem}.npz", arrays))
    return paths
