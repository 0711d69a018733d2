"""The run of one shallow-autoencoder figure: its settings, where it writes, and how it saves.

A :class:`Context` carries the resolved settings (written to the JSON and the identity of every
checkpoint), the output folder, the data folder, and the resume/progress switches.  Figures
write through :meth:`Context.save`, which adds the provenance record and returns the paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import provenance
from ..artifacts import prepare_out, save_run


@dataclass
class Context:
    """Everything a figure's ``run`` needs besides the numerics."""

    settings: dict[str, Any]
    out: Path
    data_dir: str | None = None
    resume: bool = False
    overwrite: bool = False
    progress: bool = True
    argv: list[str] | None = None
    started: str = field(default_factory=provenance.now)
    written: list[Path] = field(default_factory=list)
    #: preprocessing and data-file records a figure adds (real data), written to the JSON
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.out = prepare_out(self.out)

    @property
    def stem(self) -> str:
        s = self.settings
        parts = [f"shallow_fig{s['figure']}", s["dataset"]]
        if s.get("activation"):
            parts.append(s["activation"])
        return "_".join(parts)

    def checkpoint_path(self, name: str) -> Path:
        """The checkpoint of the part ``name`` of this figure (one per SGD run)."""
        return self.out / f"{self.stem}.{name}.ckpt.npz"

    def device_label(self) -> str:
        import torch

        return f"{torch.device(self.settings['device'])} (torch {torch.__version__})"

    def save(self, fig: Any, metrics: Mapping[str, Any], arrays: Mapping[str, np.ndarray], *,
             x: np.ndarray | None = None, data_path: str | Path | None = None,
             stem: str | None = None) -> list[Path]:
        """Write ``<stem>.png|pdf|json|npz`` with settings, metrics and provenance (``x``, the
        samples used, is hashed into it when given)."""
        prov = provenance.record(started=self.started, device=self.device_label(),
                                 dtype="float64", data_path=data_path, x=x, argv=self.argv)
        if self.data:
            prov = {**prov, "data": self.data}
        paths = save_run(self.out, stem or self.stem, fig=fig, settings=self.settings,
                         metrics=metrics, arrays=arrays, provenance=prov)
        self.written.extend(paths)
        return paths
