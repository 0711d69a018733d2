"""Loader edge cases beyond tests/test_datasets.py: truncated CIFAR pickles, wrong shapes,
count mismatches, a raw file named .gz, and the default system locations."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest

from experiments import datasets


def _idx(arr: np.ndarray, magic: int) -> bytes:
    head = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def _cifar(folder: Path, rows: int = 4, cols: int = 3072) -> None:
    rng = np.random.default_rng(2)
    for i in range(1, 6):
        batch = {b"data": rng.integers(0, 256, (rows, cols), dtype=np.uint8),
                 b"labels": list(range(rows)), b"batch_label": b"b"}
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(batch, protocol=2))


def test_truncated_cifar_batch_names_the_file(tmp_path: Path) -> None:
    _cifar(tmp_path)
    p = tmp_path / "data_batch_4"
    p.write_bytes(p.read_bytes()[:500])
    with pytest.raises(ValueError, match="data_batch_4"):
        datasets.load("cifar10", tmp_path)


def test_cifar_rows_of_the_wrong_length(tmp_path: Path) -> None:
    _cifar(tmp_path, cols=1024)
    with pytest.raises(ValueError, match=r"data_batch_1.*\(n, 3072\)"):
        datasets.load("cifar10", tmp_path)


def test_cifar_pixel_order_and_scaling(tmp_path: Path) -> None:
    _cifar(tmp_path)
    raw = pickle.loads((tmp_path / "data_batch_2").read_bytes())[b"data"]  # noqa: S301
    x = datasets.load("cifar10", tmp_path).x
    np.testing.assert_array_equal(x[4:8], raw / 255.0)  # batch order kept, rows unchanged


def test_image_and_label_counts_must_agree(tmp_path: Path) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx(np.zeros((5, 28, 28)), 0x803))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(np.zeros(4), 0x801))
    with pytest.raises(ValueError, match="5 images.*4 labels"):
        datasets.load("mnist", tmp_path)


def test_raw_file_named_gz_and_gz_preferred(tmp_path: Path) -> None:
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(_idx(np.zeros((2, 28, 28)), 0x803))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(np.zeros(2), 0x801))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        datasets.load("mnist", tmp_path)
    img = np.full((2, 28, 28), 51)
    with gzip.open(tmp_path / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(_idx(img, 0x803))
    np.testing.assert_allclose(datasets.load("mnist", tmp_path).x, 0.2)


def test_labels_file_with_image_magic_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx(np.zeros((2, 28, 28)), 0x803))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(np.zeros((2, 28, 28)), 0x803))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*magic"):
        datasets.load("mnist", tmp_path)


def test_default_locations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAEDYN_DATA", raising=False)
    assert datasets.resolve_dir("fashion-mnist") == Path("/usr/share/datasets/fashion-mnist")
    assert datasets.resolve_dir("mnist", "/x/y") == Path("/x/y")
