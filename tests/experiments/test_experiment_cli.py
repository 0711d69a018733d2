"""``daedyn experiment`` through the CLI: resume refusal, bad data, determinism by seed."""

from __future__ import annotations

import json
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


BAD_DEVICE = ["tpu", "mps", "cuda:x", "gpu0"]


@pytest.mark.parametrize("device", BAD_DEVICE)
@pytest.mark.parametrize("mode", [["linear"], ["linear", "--mode", "data"],
                                  ["linear", "--mode", "sampled"], ["nonlinear"]])
def test_unknown_device_is_a_one_line_error_in_every_mode(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], device: str,
        mode: list[str]) -> None:
    assert main(["experiment", *mode, "--device", device, "--out", str(tmp_path)]) == 2
    err = _err(capsys)
    assert err.count("\n") == 1 and f"--device must be cpu, cuda or cuda:N (got '{device}')" \
        in err
    assert not list(tmp_path.iterdir())  # rejected before any work


def test_cuda_without_a_gpu_is_rejected_and_covariance_mode_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if not torch.cuda.is_available():
        assert main(["experiment", "nonlinear", "--device", "cuda", "--out",
                     str(tmp_path)]) == 2
        assert "torch sees no CUDA device" in _err(capsys)
    else:  # with a GPU: covariance mode still refuses, with the reason
        assert main(["experiment", "linear", "--device", "cuda", "--out", str(tmp_path)]) == 2
        assert "covariance mode computes in NumPy" in _err(capsys)


@pytest.mark.parametrize(("argv", "needle"), [
    (["linear", "--batch-size", "0", "--mode", "sampled"], "--batch-size must be >= 1 (got 0)"),
    (["nonlinear", "--batch-size", "-5"], "--batch-size must be >= 1"),
    (["linear", "--batch-size", "10"], "--batch-size applies to --mode sampled only"),
    (["linear", "--hidden", "10000"], "--hidden must be <= the input dimension D = 784"),
    (["linear", "--dataset", "cifar10", "--hidden", "4000"], "D = 3072"),
    (["linear", "--sigma2", "-1"], "--sigma2 must be >= 0"),
    (["nonlinear", "--gamma", "-0.5"], "--gamma must be >= 0"),
    (["linear", "--lr", "0"], "--lr must be > 0"),
    (["linear", "--lr", "nan"], "--lr must be > 0 and finite"),
    (["linear", "--seed", "-1"], "--seed must be >= 0"),
    (["linear", "--activation", "tanh"], "--activation applies to nonlinear experiments only"),
    (["linear", "--gamma-convention", "eq6"], "--gamma-convention applies to nonlinear"),
    (["nonlinear", "--mode", "data"], "--mode applies to linear experiments only"),
    (["linear", "--epochs", "0"], "--epochs must be >= 1"),
    (["linear", "--n-samples", "100", "--batch-size", "200", "--mode", "sampled"],
     "--batch-size must be <= --n-samples"),
])
def test_bad_or_inapplicable_options_name_themselves_and_the_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        needle: str) -> None:
    assert main(["experiment", *argv, "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert needle in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()  # checked before any work


def test_resume_and_overwrite_exclude_each_other() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["experiment", "linear", "--resume", "--overwrite"])
    assert exc.value.code == 2


def test_data_dir_that_is_a_file_says_so(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "mnist.gz"
    f.write_bytes(b"x")
    assert main(["experiment", "linear", "--data-dir", str(f), "--out",
                 str(tmp_path / "o"), *TINY]) == 2
    assert f"the data folder {f} is a file" in _err(capsys)


def test_experiment_help_shows_defaults_and_constraints(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["experiment", "--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for needle in ("(default: quick)", "(default mnist;", "(default: results)",
                   "--hidden <= the input dimension", "--lr > 0", "--seed >= 0",
                   "0.8 N / lambda_1", "lr lambda_1 / N < 1", "minibatch size >= 1"):
        assert needle in text, needle


def test_user_lr_above_the_stability_threshold_warns_and_flags_divergence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _mnist(tmp_path)
    out = tmp_path / "o"
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(out), *TINY,
                 "--lr", "0.05"]) == 0
    err = _err(capsys)
    assert "stability threshold" in err and "lr lambda_1 / N" in err
    assert "training diverged" in err
    meta = json.loads((out / "fig5_mnist_covariance.json").read_text())
    assert meta["metrics"]["diverged"] is True
    assert meta["metrics"]["learning_rate"]["lr_lambda1_over_N"] > 1
    assert meta["metrics"]["learning_rate"]["rule"].startswith("given by the user")
