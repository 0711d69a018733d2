"""Dataset loaders on small files written here, and on the real data when present."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest

from experiments import datasets
from tests.conftest import SHARED_DATA


def _write_idx(path: Path, arr: np.ndarray, magic: int, compress: bool) -> None:
    head = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    raw = head + arr.astype(np.uint8).tobytes()
    if compress:
        with gzip.open(path.with_name(path.name + ".gz"), "wb") as fh:
            fh.write(raw)
    else:
        path.write_bytes(raw)


@pytest.mark.parametrize("compress", [True, False])
def test_idx_roundtrip_scaled_to_unit_interval(tmp_path: Path, compress: bool) -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (7, 28, 28))
    lab = rng.integers(0, 10, 7)
    _write_idx(tmp_path / "train-images-idx3-ubyte", img, 0x803, compress)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", lab, 0x801, compress)
    ds = datasets.load("mnist", tmp_path)
    np.testing.assert_array_equal(ds.x, img.reshape(7, -1) / 255.0)
    np.testing.assert_array_equal(ds.labels, lab)
    assert datasets.load("fashion-mnist", tmp_path, n_samples=3).x.shape == (3, 784)


def test_truncated_and_wrong_magic_name_the_file(tmp_path: Path) -> None:
    img = np.zeros((4, 28, 28))
    _write_idx(tmp_path / "train-images-idx3-ubyte", img, 0x803, False)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4), 0x801, False)
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.*truncated"):
        datasets.load("mnist", tmp_path)
    _write_idx(p, img, 0x801, False)
    with pytest.raises(ValueError, match="magic"):
        datasets.load("mnist", tmp_path)


def test_missing_folder_and_file_say_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--data-dir"):
        datasets.load("mnist", tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.load("mnist", tmp_path)
    with pytest.raises(FileNotFoundError, match="data_batch_1.*cifar"):
        datasets.load("cifar10", tmp_path)
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load("svhn", tmp_path)


def test_cifar_pickles_and_bad_pickle(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    for i in range(1, 6):
        batch = {b"data": rng.integers(0, 256, (3, 3072), dtype=np.uint8),
                 b"labels": [1, 2, 3], b"batch_label": b"x"}
        (tmp_path / f"data_batch_{i}").write_bytes(pickle.dumps(batch, protocol=2))
    ds = datasets.load("cifar10", tmp_path)
    assert ds.x.shape == (15, 3072) and 0 <= ds.x.min() and ds.x.max() <= 1
    (tmp_path / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="data_batch_3"):
        datasets.load("cifar10", tmp_path)


def test_environment_variable_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAEDYN_DATA", str(tmp_path))
    (tmp_path / "mnist").mkdir()
    assert datasets.resolve_dir("mnist") == tmp_path / "mnist"
    assert datasets.resolve_dir("cifar10") == tmp_path


@pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(), reason="../shared/data not present")
def test_real_mnist_and_cifar_statistics() -> None:
    m = datasets.load("mnist", SHARED_DATA / "mnist")
    assert m.x.shape == (60000, 784)
    # README of ../shared/data: mean pixel 33.318421 on the 0..255 scale, first labels 5 0 4 1 9
    assert abs(m.x.mean() * 255 - 33.318421) < 1e-5
    assert m.labels[:5].tolist() == [5, 0, 4, 1, 9]
    c = datasets.load("cifar10", SHARED_DATA / "cifar-10-batches-py", n_samples=30000)
    assert c.x.shape == (30000, 3072)
