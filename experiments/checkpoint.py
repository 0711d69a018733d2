"""Resumable runs: state saved atomically every k epochs and on Ctrl-C, refused if settings differ.

A checkpoint is one ``.npz`` holding the arrays of the run (weights, curves so far, RNG state as
bytes) and its settings as JSON; ``--resume`` continues from the last saved epoch, so an
interrupted run loses nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


class SettingsMismatch(ValueError):
    """The checkpoint on disk belongs to a run with other settings."""


def save(path: Path, settings: Mapping[str, Any], epoch: int,
         arrays: Mapping[str, np.ndarray]) -> None:
    """Write the checkpoint atomically (temporary file, then ``os.replace``)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, __settings__=np.frombuffer(json.dumps(settings, sort_keys=True).encode(),
                                                np.uint8),
                 __epoch__=np.asarray(epoch), **arrays)
    os.replace(tmp, path)


def load(path: Path, settings: Mapping[str, Any]) -> tuple[int, dict[str, np.ndarray]] | None:
    """``(epoch, arrays)`` of the checkpoint, ``None`` if there is none; ``SettingsMismatch``
    if it was written by a run with different settings."""
    if not path.exists():
        return None
    with np.load(path) as z:
        saved = json.loads(bytes(z["__settings__"]).decode())
        want = json.loads(json.dumps(settings, sort_keys=True))
        if saved != want:
            diff = sorted(k for k in set(saved) | set(want) if saved.get(k) != want.get(k))
            raise SettingsMismatch(f"checkpoint {path} was written with other settings "
                                   f"({', '.join(diff)}); rerun without --resume or with the "
                                   f"same settings")
        return int(z["__epoch__"]), {k: z[k] for k in z.files if not k.startswith("__")}
