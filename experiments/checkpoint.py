"""Resumable runs: state saved atomically every k epochs and on Ctrl-C, refused if settings differ.

A checkpoint is one ``.npz`` holding the arrays of the run (weights, curves so far, RNG state as
bytes) and its settings as JSON; ``--resume`` continues from the last saved epoch, so an
interrupted run loses nothing.  Writes go to a temporary file in the same folder that replaces
the checkpoint only once complete (``os.replace``), so an interrupted write leaves the previous
checkpoint intact.  A finished run removes its checkpoint.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


class CheckpointError(ValueError):
    """The checkpoint file is unreadable, truncated or not one of daedyn's."""


class SettingsMismatch(CheckpointError):
    """The checkpoint on disk belongs to a run with other settings."""


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def save(path: Path, settings: Mapping[str, Any], epoch: int,
         arrays: Mapping[str, np.ndarray]) -> None:
    """Write the checkpoint atomically (temporary file, flushed to disk, then ``os.replace``)."""
    tmp = _tmp(path)
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, __settings__=np.frombuffer(json.dumps(settings, sort_keys=True).encode(),
                                                    np.uint8),
                     __epoch__=np.asarray(epoch), **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load(path: Path, settings: Mapping[str, Any]) -> tuple[int, dict[str, np.ndarray]] | None:
    """``(epoch, arrays)`` of the checkpoint, ``None`` if there is none; ``SettingsMismatch``
    if it was written by a run with different settings, ``CheckpointError`` if it is not a
    readable daedyn checkpoint."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if "__settings__" not in z.files or "__epoch__" not in z.files:
                raise CheckpointError(f"checkpoint {path} is not a daedyn checkpoint (no "
                                      f"settings record); delete it or pass --overwrite")
            saved = json.loads(bytes(z["__settings__"]).decode())
            want = json.loads(json.dumps(settings, sort_keys=True))
            if saved != want:
                diff = sorted(k for k in set(saved) | set(want)
                              if saved.get(k) != want.get(k))
                raise SettingsMismatch(f"checkpoint {path} was written with other settings "
                                       f"({', '.join(diff)}); rerun with the same settings, "
                                       f"or with --overwrite to start over")
            return int(z["__epoch__"]), {k: z[k] for k in z.files if not k.startswith("__")}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, AttributeError,
            UnicodeDecodeError) as err:
        raise CheckpointError(f"checkpoint {path} is truncated or not a daedyn checkpoint "
                              f"({type(err).__name__}); delete it or pass --overwrite") from None


def remove(path: Path) -> None:
    """Delete a finished run's checkpoint (and a leftover temporary file)."""
    path.unlink(missing_ok=True)
    _tmp(path).unlink(missing_ok=True)
