"""Dataset loaders (``experiments.datasets``) on small files written here: IDX round trips,
truncated files, wrong magic numbers, shapes and counts, CIFAR pickles, the search order of the
data locations; and on the real data when present (skipped naming every place looked in)."""

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


def _write_idx(path: Path, arr: np.ndarray, magic: int, compress: bool) -> None:
    raw = _idx(arr, magic)
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
    (tmp_path / "mnist" / "train-images-idx3-ubyte.gz").write_bytes(b"")
    (tmp_path / "data_batch_1").write_bytes(b"")
    assert datasets.resolve_dir("mnist") == tmp_path / "mnist"
    assert datasets.resolve_dir("cifar10") == tmp_path  # the folder itself holds the batches


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


def _real(name: str) -> Path:
    """The folder of the real dataset ``name``, or skip naming every place looked in."""
    folder = datasets.resolve_dir(name)
    if not folder.is_dir() or not any(folder.iterdir()):
        pytest.skip(f"real {name} not found; looked in "
                    + ", ".join(map(str, datasets.candidates(name))) + " (set DAEDYN_DATA)")
    return folder


def test_real_mnist_and_cifar_statistics() -> None:
    m = datasets.load("mnist", _real("mnist"))
    assert m.x.shape == (60000, 784)
    # README of ../shared/data: mean pixel 33.318421 on the 0..255 scale, first labels 5 0 4 1 9
    assert abs(m.x.mean() * 255 - 33.318421) < 1e-5
    assert m.labels[:5].tolist() == [5, 0, 4, 1, 9]
    c = datasets.load("cifar10", _real("cifar10"), n_samples=30000)
    assert c.x.shape == (30000, 3072)


def test_real_fashion_mnist_from_the_system_package() -> None:
    """Debian's dataset-fashion-mnist: 60000 training images of 28 x 28; the first labels of
    the published training set are 9 0 0 3 0 (ankle boot, T-shirt, T-shirt, dress, T-shirt)."""
    f = datasets.load("fashion-mnist", _real("fashion-mnist"))
    assert f.x.shape == (60000, 784) and 0 <= f.x.min() and f.x.max() <= 1
    assert f.labels[:5].tolist() == [9, 0, 0, 3, 0]
    assert f.files and f.files[0].name.startswith("train-images-idx3-ubyte")


def test_search_order_and_file_instead_of_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAEDYN_DATA", raising=False)
    assert datasets.resolve_dir("fashion-mnist") == Path("/usr/share/datasets/fashion-mnist")
    assert datasets.resolve_dir("mnist", "/x/y") == Path("/x/y")  # an explicit folder wins
    places = datasets.candidates("mnist")
    assert places[0] == datasets.SYSTEM_PATHS["mnist"]
    assert places[-1] == datasets.SHARED_DATA / "mnist"
    monkeypatch.setenv("DAEDYN_DATA", str(tmp_path))
    assert datasets.candidates("mnist")[:2] == [tmp_path / "mnist", tmp_path]
    f = tmp_path / "a_file"
    f.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        datasets.load("mnist", f)
    monkeypatch.delenv("DAEDYN_DATA")
    monkeypatch.setitem(datasets.SYSTEM_PATHS, "cifar10", tmp_path / "no_system")
    monkeypatch.setattr(datasets, "SHARED_DATA", tmp_path / "no_shared")
    with pytest.raises(FileNotFoundError, match="looked in .*no_system.*no_shared"):
        datasets.load("cifar10")
