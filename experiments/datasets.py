"""Dataset loaders: MNIST and Fashion-MNIST (IDX, gzipped or not) and CIFAR-10 (python pickles).

Pixels are scaled to [0, 1] (divided by 255), as the paper authors' code did.  Where the data
lives, first found wins: ``--data-dir``, else the environment variable ``DAEDYN_DATA``, else the
standard system path (Debian's ``dataset-fashion-mnist`` installs under
/usr/share/datasets/fashion-mnist), else ``../shared/data/<name>`` beside the checkout.  A
missing, truncated or malformed file raises ``FileNotFoundError``/``ValueError`` naming the file
expected, where it was looked for and how to obtain it.
"""

from __future__ import annotations

import gzip
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

SYSTEM_PATHS = {
    "mnist": Path("/usr/share/datasets/mnist"),
    "fashion-mnist": Path("/usr/share/datasets/fashion-mnist"),
    "cifar10": Path("/usr/share/datasets/cifar-10-batches-py"),
}
HOW_TO_GET = {
    "mnist": "the four IDX files train-images-idx3-ubyte[.gz] ... from the MNIST distribution "
             "(yann.lecun.com/exdb/mnist or any mirror)",
    "fashion-mnist": "Debian: apt-get install dataset-fashion-mnist, or the IDX files of "
                     "zalandoresearch/fashion-mnist",
    "cifar10": "the 'CIFAR-10 python version' archive (cifar-10-python.tar.gz) from "
               "www.cs.toronto.edu/~kriz/cifar.html, unpacked to cifar-10-batches-py/",
}
DATASETS = tuple(SYSTEM_PATHS)
SUBFOLDER = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "cifar10": "cifar-10-batches-py"}
#: the development layout: ../shared/data beside the checkout
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Dataset:
    """Samples in the rows of ``x`` (float64 in [0, 1]) and their integer labels."""

    name: str
    x: NDArray[np.float64]
    labels: NDArray[np.int64]
    source: Path
    files: tuple[Path, ...] = ()


def candidates(name: str, data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders searched for ``name``, in order: ``data_dir`` alone when given; else
    ``$DAEDYN_DATA/<sub>`` and ``$DAEDYN_DATA`` (when set), the system path, and
    ``../shared/data/<sub>``."""
    if name not in SYSTEM_PATHS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if data_dir is not None:
        return [Path(data_dir)]
    out: list[Path] = []
    env = os.environ.get("DAEDYN_DATA")
    if env:
        out += [Path(env) / SUBFOLDER[name], Path(env)]
    return out + [SYSTEM_PATHS[name], SHARED_DATA / SUBFOLDER[name]]


def holds(name: str, folder: Path) -> bool:
    """Whether ``folder`` holds the training files of ``name``."""
    if name == "cifar10":
        return (folder / "data_batch_1").is_file()
    return any((folder / f"train-images-idx3-ubyte{ext}").is_file() for ext in (".gz", ""))


def resolve_dir(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """``data_dir`` when given; else the first of :func:`candidates` that holds the dataset's
    files (the first candidate when none does: the error then lists every place looked in)."""
    places = candidates(name, data_dir)
    if data_dir is None:
        for p in places:
            if holds(name, p):
                return p
    return places[0]


def _missing(name: str, path: Path, looked: list[Path] | None = None) -> FileNotFoundError:
    where = "" if not looked or looked == [path] else (
        " (looked in " + ", ".join(str(p) for p in looked) + ")")
    what = (f"expected {path}, which does not exist" if not path.exists()
            else f"found no {name} training files in {path}")
    return FileNotFoundError(f"{name}: {what}{where}; get "
                             f"{HOW_TO_GET[name]} and pass its folder with --data-dir (or set "
                             f"DAEDYN_DATA)")


def read_idx(path: Path, magic: int, name: str = "mnist") -> NDArray[np.uint8]:
    """Read one IDX file (``.gz`` or raw); check the magic number and the size."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise _missing(name, path) from None
    except (OSError, EOFError) as err:
        raise ValueError(f"{name}: cannot read {path}: {err} (truncated or not gzip?)") from None
    if len(raw) < 8 or int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{name}: {path} is not an IDX file with magic {magic:#010x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    start = 4 + 4 * ndim
    if len(raw) != start + int(np.prod(dims)):
        raise ValueError(f"{name}: {path} is truncated or padded: header says {dims}, "
                         f"found {len(raw) - start} data bytes")
    return np.frombuffer(raw, np.uint8, offset=start).reshape(dims)


def _idx_path(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.exists():
            return candidate
    return folder / f"{stem}.gz"


def load_idx_dataset(name: str, folder: Path, split: str = "train") -> Dataset:
    prefix = "train" if split == "train" else "t10k"
    img = _idx_path(folder, f"{prefix}-images-idx3-ubyte")
    lab = _idx_path(folder, f"{prefix}-labels-idx1-ubyte")
    x = read_idx(img, 0x00000803, name)
    y = read_idx(lab, 0x00000801, name)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{name}: {img} has {x.shape[0]} images but {lab} {y.shape[0]} labels")
    return Dataset(name, x.reshape(x.shape[0], -1) / 255.0, y.astype(np.int64), folder,
                   (img, lab))


def load_cifar10(folder: Path, split: str = "train") -> Dataset:
    files = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    xs, ys = [], []
    for f in files:
        path = folder / f
        try:
            with open(path, "rb") as fh:
                batch = pickle.load(fh, encoding="bytes")  # noqa: S301 - the standard format
        except FileNotFoundError:
            raise _missing("cifar10", path) from None
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as err:
            raise ValueError(f"cifar10: {path} is not a CIFAR-10 python batch ({err})") from None
        if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
            raise ValueError(f"cifar10: {path} has no 'data'/'labels' entries")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != len(batch[b"labels"]):
            raise ValueError(f"cifar10: {path} has data of shape {data.shape}, expected (n, 3072)")
        xs.append(data)
        ys.append(np.asarray(batch[b"labels"], dtype=np.int64))
    return Dataset("cifar10", np.concatenate(xs) / 255.0, np.concatenate(ys), folder,
                   tuple(folder / f for f in files))


def load(name: str, data_dir: str | os.PathLike[str] | None = None, *, n_samples: int | None = None,
         split: str = "train") -> Dataset:
    """Load ``name`` (``mnist``, ``fashion-mnist`` or ``cifar10``), optionally the first
    ``n_samples`` rows (the paper: MNIST N = 50000, CIFAR-10 N = 30000)."""
    folder = resolve_dir(name, data_dir)
    if folder.is_file():
        raise ValueError(f"{name}: the data folder {folder} is a file; pass the folder that "
                         f"holds it with --data-dir")
    if not folder.is_dir() or (data_dir is None and not holds(name, folder)):
        raise _missing(name, folder, candidates(name, data_dir))
    ds = load_cifar10(folder, split) if name == "cifar10" else load_idx_dataset(name, folder, split)
    if n_samples is not None:
        if n_samples < 1 or n_samples > ds.x.shape[0]:
            raise ValueError(f"n_samples must be in 1..{ds.x.shape[0]} for {name}, "
                             f"got {n_samples}")
        ds = Dataset(ds.name, ds.x[:n_samples], ds.labels[:n_samples], ds.source, ds.files)
    return ds
