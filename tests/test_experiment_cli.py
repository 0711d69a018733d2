"""``daedyn experiment`` through the CLI: resume refusal, bad data, determinism by seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from experiments.cli import main
from tests.conftest import write_tiny_mnist as _mnist

TINY = ["--n-samples", "60", "--hidden", "32", "--epochs", "12", "--record-every", "4",
        "--checkpoint-every", "4", "--no-progress"]


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_resume_with_other_settings_exits_2(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = _mnist(tmp_path)
    base = ["experiment", "linear", "--data-dir", str(data), "--out", str(tmp_path / "o"), *TINY]
    assert main(base) == 0
    assert main([*base, "--resume", "--lr", "0.05"]) == 2
    err = _err(capsys)
    assert "other settings" in err and "lr" in err
    # the same settings resume (here: from the finished run) and give the same curves
    before = dict(np.load(tmp_path / "o" / "fig5_mnist_covariance.npz"))
    assert main([*base, "--resume"]) == 0
    after = np.load(tmp_path / "o" / "fig5_mnist_covariance.npz")
    for k, v in before.items():
        np.testing.assert_array_equal(v, after[k])


def test_truncated_gzip_and_missing_cifar_exit_2(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = _mnist(tmp_path, truncate=100)
    assert main(["experiment", "linear", "--data-dir", str(data), "--out",
                 str(tmp_path / "o"), *TINY]) == 2
    assert "train-images-idx3-ubyte" in _err(capsys)
    empty = tmp_path / "cifar"
    empty.mkdir()
    assert main(["experiment", "linear", "--dataset", "cifar10", "--data-dir", str(empty),
                 "--out", str(tmp_path / "o"), *TINY]) == 2
    err = _err(capsys)
    assert "data_batch_1" in err and "cifar" in err.lower()


def test_sampled_mode_is_deterministic_by_seed(tmp_path: Path) -> None:
    data = _mnist(tmp_path)
    runs = {}
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert main(["experiment", "linear", "--mode", "sampled", "--data-dir", str(data),
                     "--out", str(tmp_path / name), "--seed", seed, *TINY]) == 0
        runs[name] = np.load(tmp_path / name / "fig5_mnist_sampled.npz")
    for k in ("AE_diag", "WDAE_diag", "DAE_diag"):
        np.testing.assert_array_equal(runs["a"][k], runs["b"][k])
    assert not np.array_equal(runs["a"]["DAE_diag"], runs["c"]["DAE_diag"])


@pytest.mark.parametrize("flag", [["--hidden", "0"], ["--n-samples", "-3"],
                                  ["--n-samples", "1000"]])
def test_bad_numbers_exit_2(tmp_path: Path, flag: list[str],
                            capsys: pytest.CaptureFixture[str]) -> None:
    data = _mnist(tmp_path)
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(tmp_path / "o"),
                 *TINY, *flag]) == 2
    assert "error:" in _err(capsys)
