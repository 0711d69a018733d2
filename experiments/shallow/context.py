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

from .. import checkpoint, provenance
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

    def resume_state(self, path: Path, identity: Mapping[str, Any]
                     ) -> tuple[int, dict[str, np.ndarray]]:
        """``(done, state)`` of the checkpoint at ``path`` under ``--resume`` (``(0, {})`` when
        there is none); without ``--resume`` an existing checkpoint is an error unless
        ``--overwrite`` (a settings mismatch is always one: ``checkpoint.SettingsMismatch``)."""
        if self.resume:
            loaded = checkpoint.load(path, identity)
            return loaded if loaded is not None else (0, {})
        if path.exists() and not self.overwrite:
            raise ValueError(f"{path} holds an unfinished run; pass --resume to continue it or "
                             f"--overwrite to start over")
        return 0, {}

    @staticmethod
    def record_groups(n_records: int, chunks: int) -> list[np.ndarray]:
        """Record indices 1..n_records-1 in at most ``chunks`` consecutive groups of about
        equal size (the checkpoint units of a run; record 0 is the start)."""
        idx = np.arange(1, n_records)
        return [g for g in np.array_split(idx, max(1, min(chunks, idx.size))) if g.size]

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
