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


def _interrupt_covariance_gd(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """The ``call``-th covariance-mode GD advance raises KeyboardInterrupt (a Ctrl-C)."""
    import numerics

    real = numerics.gd_eigenbasis
    calls = {"n": 0}

    def flaky(*a: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return real(*a, **kw)

    monkeypatch.setattr(numerics, "gd_eigenbasis", flaky)


def test_interrupt_message_resume_with_other_settings_and_finish(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = _mnist(tmp_path)
    base = ["experiment", "linear", "--data-dir", str(data), *TINY]
    assert main([*base, "--out", str(tmp_path / "straight")]) == 0
    out = tmp_path / "o"
    ck = out / "fig5_mnist_covariance.ckpt.npz"
    with monkeypatch.context() as mp:
        _interrupt_covariance_gd(mp, 5)  # WDAE, its second advance (epochs 4 -> 8)
        assert main([*base, "--out", str(out)]) == 130
    err = _err(capsys)
    assert f"interrupted at epoch 4 (WDAE); checkpoint saved to {ck}; rerun with --resume to " \
           "continue" in err
    # a rerun without --resume refuses to overwrite the unfinished run
    assert main([*base, "--out", str(out)]) == 2
    err = _err(capsys)
    assert "--resume" in err and "--overwrite" in err and str(ck) in err
    assert main([*base, "--out", str(out), "--resume", "--lr", "0.005"]) == 2
    err = _err(capsys)
    assert "other settings" in err and "lr" in err
    assert main([*base, "--out", str(out), "--resume"]) == 0
    assert not ck.exists()  # a finished run removes its checkpoint
    a = np.load(tmp_path / "straight" / "fig5_mnist_covariance.npz")
    b = np.load(out / "fig5_mnist_covariance.npz")
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])


def test_resume_without_checkpoint_says_it_starts_fresh(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _mnist(tmp_path)
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(tmp_path / "o"),
                 *TINY, "--resume"]) == 0
    assert "starts a fresh run" in _err(capsys)


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated", b"", b"not a zip at all"])
def test_truncated_or_foreign_checkpoint_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    data = _mnist(tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    ck = out / "fig5_mnist_covariance.ckpt.npz"
    ck.write_bytes(content)
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(out), *TINY,
                 "--resume"]) == 2
    err = _err(capsys)
    assert str(ck) in err and err.count("\n") == 1
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.zeros(3))
    ck.write_bytes(foreign.read_bytes())
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(out), *TINY,
                 "--resume"]) == 2
    assert "not a daedyn checkpoint" in _err(capsys)
    # --overwrite starts over
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(out), *TINY,
                 "--overwrite"]) == 0


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
