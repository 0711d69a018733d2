"""Provenance recorded in every output JSON: what produced it, from which data, where and when.

``daedyn`` version, git commit (when the package runs from a git checkout and git is present),
the command line, the data file and a hash of the samples used, the start time (UTC, ISO 8601),
the device the numbers were computed on and the float dtype.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

_REPO = Path(__file__).resolve().parents[1]


@cache
def version() -> str:
    """The installed package's version, else the one in ``pyproject.toml``, else ``unknown``."""
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as _v

        return _v("daedyn")
    except PackageNotFoundError:
        pass
    try:
        for line in (_REPO / "pyproject.toml").read_text().splitlines():
            if line.strip().startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


@cache
def git_commit() -> str | None:
    """``HEAD`` of the checkout this code runs from (``+dirty`` if modified), ``None`` if
    unavailable (no git, not a checkout)."""
    try:
        head = subprocess.run(["git", "-C", str(_REPO), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(_REPO), "status", "--porcelain", "-uno"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "") if head else None


def data_hash(x: np.ndarray) -> str:
    """``sha256:`` of the samples used, as C-contiguous float64 bytes with the shape."""
    a = np.ascontiguousarray(x, dtype=np.float64)
    h = hashlib.sha256(repr(a.shape).encode())
    h.update(memoryview(a).cast("B"))
    return "sha256:" + h.hexdigest()


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def record(*, started: str, device: str, dtype: str, data_path: str | Path | None = None,
           x: np.ndarray | None = None, argv: Sequence[str] | None = None) -> dict[str, Any]:
    """The provenance block of an output JSON."""
    out: dict[str, Any] = {
        "daedyn_version": version(),
        "git_commit": git_commit(),
        "command_line": list(sys.argv if argv is None else argv),
        "started_utc": started,
        "device": device,
        "dtype": dtype,
    }
    if data_path is not None:
        out["data_path"] = str(data_path)
    if x is not None:
        out["data_shape"] = list(x.shape)
        out["data_hash"] = data_hash(x)
    return out
