"""Experiments: real-data Figure 5 at CI size, smoke runs of every figure, resume, CLI errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import numerics as nm
from experiments import datasets, linear_figure
from experiments.cli import main
from experiments.datasets import load
from tests.conftest import ctrl_c_at_grad_call, write_tiny_mnist

MNIST = datasets.resolve_dir("mnist")
needs_data = pytest.mark.skipif(
    not (MNIST / "train-images-idx3-ubyte.gz").exists()
    and not (MNIST / "train-images-idx3-ubyte").exists(),
    reason="real MNIST not found; looked in " + ", ".join(map(str, datasets.candidates("mnist")))
    + " (set DAEDYN_DATA)")


def _tiny_data(tmp_path: Path) -> Path:
    return write_tiny_mnist(tmp_path, 120, seed=0)


def _files(out: Path, stem: str) -> None:
    for ext in ("png", "pdf", "json", "npz"):
        assert (out / f"{stem}.{ext}").stat().st_size > 0


@needs_data
def test_ci_sized_real_mnist_linear_run_matches_theory(tmp_path: Path) -> None:
    """2000 MNIST images, 300 epochs, covariance mode (always runs where the data exists)."""
    s = linear_figure.settings_for("mnist", "quick", n_samples=2000, epochs=400,
                                   record_every=10)
    m = linear_figure.run_linear(s, str(MNIST), tmp_path, progress=False)
    _files(tmp_path, "fig5_mnist_covariance")
    z = np.load(tmp_path / "fig5_mnist_covariance.npz")
    lam = np.asarray(list(m["eigenvalues"].values()))  # lambda_1, lambda_4, ... lambda_32
    # directions lambda_1, lambda_4, lambda_8 have converged after 400 epochs (rate 2 lr lam/N
    # >= 0.06 per epoch): training sits on the theory's curve (measured gaps <= 3e-4)
    for model in ("AE", "WDAE", "DAE"):
        gap = np.abs(z[f"{model}_theory"][-1, :3] - z[f"{model}_diag"][-1, :3])
        assert np.all(gap < 2e-3), (model, gap)
        assert np.all(np.isfinite(z[f"{model}_diag"]))
    # ... which are the fixed points of 4.fp and C.w with the data's own eigenvalues
    np.testing.assert_allclose(z["DAE_diag"][-1, :3],
                               nm.dae_fixed_point(lam[:3], s.n_samples * s.sigma2), atol=2e-3)
    np.testing.assert_allclose(z["WDAE_diag"][-1, :3],
                               nm.wdae_fixed_point(lam[:3], s.gamma, s.n_samples), atol=2e-3)
    # the transient is only approximated (random, not orthogonal, initialisation): reported
    gaps = m["max_abs_theory_minus_training"]
    assert all(np.isfinite(v["diag"]) for d in gaps.values() for v in d.values())


@pytest.mark.slow
@needs_data
def test_paper_preset_mnist_figure5_reaches_the_fixed_points(tmp_path: Path) -> None:
    """The full paper preset (N = 50000, H = 256, 3 x 5000 epochs, float32; ~3 min): every
    plotted direction ends at its fixed point of 4.fp / C.w at the data's eigenvalues, and
    the authors' measure (singular values) tracks the diagonal measure at the top direction."""
    s = linear_figure.settings_for("mnist", "paper", record_every=100)
    m = linear_figure.run_linear(s, str(MNIST), tmp_path, progress=False)
    z = np.load(tmp_path / "fig5_mnist_covariance.npz")
    lam = np.asarray(list(m["eigenvalues"].values()))  # lambda_1, lambda_4, ... lambda_32
    fixed = {"AE": np.ones_like(lam), "DAE": nm.dae_fixed_point(lam, s.n_samples * s.sigma2),
             "WDAE": nm.wdae_fixed_point(lam, s.gamma, s.n_samples)}
    for model, target in fixed.items():
        # lambda_32 / tau gives exp(-2 * 5000 lr lam_32 / N) < 1e-3: converged to ~1e-3
        np.testing.assert_allclose(z[f"{model}_diag"][-1], target, atol=5e-3)
        assert abs(z[f"{model}_sv"][-1, 0] - z[f"{model}_diag"][-1, 0]) < 5e-3


@needs_data
def test_covariance_mode_equals_data_mode_on_real_data(tmp_path: Path) -> None:
    """Full-batch GD via Sigma_xx is the same algorithm as torch GD on the samples."""
    s = linear_figure.settings_for("mnist", "quick", n_samples=300, hidden=32, epochs=20,
                                   record_every=5, lr=0.01)
    a = linear_figure.run_linear(s, str(MNIST), tmp_path / "c", progress=False)
    b = linear_figure.run_linear(replace(s, mode="data"), str(MNIST), tmp_path / "d",
                                 progress=False)
    za = np.load(tmp_path / "c" / "fig5_mnist_covariance.npz")
    zb = np.load(tmp_path / "d" / "fig5_mnist_data.npz")
    for k in ("AE_diag", "WDAE_diag", "DAE_diag"):
        np.testing.assert_allclose(za[k], zb[k], rtol=1e-8, atol=1e-12)
    assert a["eigenvalues"] == b["eigenvalues"]


def test_resume_after_interrupt_gives_the_same_curves(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = _tiny_data(tmp_path)
    s = linear_figure.settings_for("mnist", None, n_samples=100, hidden=32, epochs=60,
                                   record_every=5, checkpoint_every=10, lr=0.01,
                                   mode="sampled")
    linear_figure.run_linear(s, str(data), tmp_path / "straight", progress=False)
    original = linear_figure._stepper
    calls = {"n": 0}

    def flaky(*args, **kw):
        run = original(*args, **kw)

        def step(*a):
            calls["n"] += 1
            if calls["n"] == 17:
                raise KeyboardInterrupt
            return run(*a)
        return step

    monkeypatch.setattr(linear_figure, "_stepper", flaky)
    with pytest.raises(KeyboardInterrupt):
        linear_figure.run_linear(s, str(data), tmp_path / "resumed", progress=False)
    monkeypatch.setattr(linear_figure, "_stepper", original)
    linear_figure.run_linear(s, str(data), tmp_path / "resumed", resume=True, progress=False)
    za = np.load(tmp_path / "straight" / "fig5_mnist_sampled.npz")
    zb = np.load(tmp_path / "resumed" / "fig5_mnist_sampled.npz")
    for k in za.files:
        np.testing.assert_array_equal(za[k], zb[k])


@pytest.mark.parametrize("mode", ["data", "sampled"])
def test_interrupt_inside_a_float64_torch_advance_resumes_exactly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """Ctrl-C between two GD steps of one advance: the checkpoint must hold the weights of the
    last record epoch, not the half-advanced ones (float64 torch tensors could share memory
    with the saved arrays)."""
    data = _tiny_data(tmp_path)
    s = linear_figure.settings_for("mnist", None, n_samples=100, hidden=32, epochs=40,
                                   record_every=10, checkpoint_every=10, lr=0.01, mode=mode,
                                   dtype="float64")
    linear_figure.run_linear(s, str(data), tmp_path / "straight", progress=False)
    # WDAE, epoch 15 (call 40 + 15): five steps into the advance from epoch 10
    with ctrl_c_at_grad_call(monkeypatch, 55), pytest.raises(KeyboardInterrupt):
        linear_figure.run_linear(s, str(data), tmp_path / "resumed", progress=False)
    linear_figure.run_linear(s, str(data), tmp_path / "resumed", resume=True, progress=False)
    stem = f"fig5_mnist_{mode}.npz"
    za, zb = np.load(tmp_path / "straight" / stem), np.load(tmp_path / "resumed" / stem)
    for k in za.files:
        np.testing.assert_array_equal(za[k], zb[k])


def test_same_seed_same_result_and_nonlinear_smoke(tmp_path: Path) -> None:
    data = _tiny_data(tmp_path)
    for out in ("a", "b"):
        rc = main(["experiment", "nonlinear", "--data-dir", str(data), "--out",
                   str(tmp_path / out), "--n-samples", "100", "--hidden", "16", "--epochs",
                   "20", "--record-every", "5", "--no-progress", "--activation", "tanh"])
        assert rc == 0
    _files(tmp_path / "a", "fig7_mnist_tanh")
    za, zb = (np.load(tmp_path / o / "fig7_mnist_tanh.npz") for o in ("a", "b"))
    for k in za.files:
        np.testing.assert_array_equal(za[k], zb[k])
    meta = json.loads((tmp_path / "a" / "fig7_mnist_tanh.json").read_text())
    assert set(meta["metrics"]["epochs_to_half_of_final_mapping"]) == {"AE", "WDAE", "DAE"}


@pytest.mark.parametrize("argv", [
    ["figures", "--only", "fig9"],
    ["experiment", "linear", "--data-dir", "/nonexistent/mnist"],
    ["experiment", "linear", "--epochs", "0"],
    ["experiment", "nonlinear", "--mode", "data"],
])
def test_cli_errors_exit_2(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
                           ) -> None:
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("daedyn ") and "error:" in err and "Traceback" not in err


def test_cuda_request_without_gpu_is_a_clear_error(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    data = _tiny_data(tmp_path)
    assert main(["experiment", "linear", "--data-dir", str(data), "--out", str(tmp_path),
                 "--device", "cuda", "--mode", "data", "--n-samples", "50"]) == 2


def test_loader_used_by_runs_scales_pixels(tmp_path: Path) -> None:
    x = load("mnist", _tiny_data(tmp_path)).x
    assert 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize("h, d, rank", [(6, 9, 6), (6, 9, 3), (9, 6, 6)])
def test_singular_values_of_the_product_match_numpy_svd(h: int, d: int, rank: int) -> None:
    rng = np.random.default_rng(h * d + rank)
    w1 = rng.standard_normal((h, d))
    w2 = rng.standard_normal((d, rank)) @ rng.standard_normal((rank, h))  # rank-deficient W2
    ref = np.linalg.svd(w2 @ w1, compute_uv=False)[:h]
    got = linear_figure.singular_values(w1, w2)
    assert got.shape == (h,)
    # zero singular values come back as square roots of rounding-level eigenvalues (~1e-8 sv_1)
    np.testing.assert_allclose(got, np.pad(ref, (0, h - ref.size)), rtol=1e-9,
                               atol=1e-7 * ref[0])


def test_figure5_axis_defines_w_and_json_lists_directions(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    data = _tiny_data(tmp_path)
    figs = []
    real = linear_figure.save_run

    def keep(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        figs.append(kw["fig"])
        return real(*a, **kw)

    monkeypatch.setattr(linear_figure, "save_run", keep)
    s = linear_figure.settings_for("mnist", None, n_samples=100, hidden=32, epochs=8,
                                   record_every=4, lr=0.01)
    m = linear_figure.run_linear(s, str(data), tmp_path / "o", progress=False,
                                 argv=["daedyn", "x"])
    assert "W = W_2 W_1" in figs[0].axes[0].get_ylabel()
    assert list(m["eigenvalues"]) == [f"lambda_{i}" for i in (1, 4, 8, 16, 32)]
    assert list(m["theory_start_u"]) == list(m["eigenvalues"])
    assert "balanced" in m["theory_start_u_note"]
    meta = json.loads((tmp_path / "o" / "fig5_mnist_covariance.json").read_text())
    prov = meta["provenance"]
    assert prov["command_line"] == ["daedyn", "x"] and prov["device"] == "cpu (NumPy)"
    assert prov["data_hash"].startswith("sha256:") and prov["data_shape"] == [100, 784]
    assert prov["data_path"].endswith("train-images-idx3-ubyte.gz")
    assert prov["dtype"] == "float64" and prov["started_utc"]
    assert not (tmp_path / "o" / "fig5_mnist_covariance.ckpt.npz").exists()


FASHION = datasets.resolve_dir("fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not datasets.holds("fashion-mnist", FASHION),
    reason="real Fashion-MNIST not found; looked in "
    + ", ".join(map(str, datasets.candidates("fashion-mnist")))
    + " (Debian: apt-get install dataset-fashion-mnist)")


@needs_fashion
def test_fashion_mnist_preset_chooses_a_stable_lr_and_flags_an_unstable_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fashion-MNIST's lambda_1 / N is ~2.8 times MNIST's: the quick preset's nominal lr = 0.02
    gives lr lambda_1 / N = 2.2 (GD diverges); the preset rule keeps it at 0.8."""
    s = linear_figure.settings_for("fashion-mnist", "quick", n_samples=2000, epochs=300,
                                   record_every=10)
    m = linear_figure.run_linear(s, None, tmp_path / "rule", progress=False)
    info = m["learning_rate"]
    assert info["lr_lambda1_over_N"] == pytest.approx(0.8, rel=1e-12) and info["lr"] < 0.02
    assert info["rule"] == linear_figure.LR_RULE and info["preset_lr"] == 0.02
    assert m["diverged"] is False
    z = np.load(tmp_path / "rule" / "fig5_fashion-mnist_covariance.npz")
    assert all(np.all(np.isfinite(z[f"{k}_diag"])) for k in ("AE", "WDAE", "DAE"))
    # the first directions have converged onto the theory's fixed points (lambda_1: rate 1.6)
    assert abs(z["AE_diag"][-1, 0] - 1.0) < 1e-3
    capsys.readouterr()
    bad = linear_figure.run_linear(replace(s, lr=0.02), None, tmp_path / "user",
                                   progress=False)
    err = capsys.readouterr().err
    assert "stability threshold" in err
    assert bad["learning_rate"]["lr_lambda1_over_N"] > 2  # 2.21 on N = 10000 (issue 8)
    assert bad["diverged"] is True
    assert any(d["non_finite_from_epoch"] is not None or d["period_two_amplitude"] > 1e-3
               for d in bad["divergence"].values())


@pytest.mark.slow
@needs_fashion
def test_paper_preset_fashion_mnist_converges_without_divergence(tmp_path: Path) -> None:
    """The full paper preset on Fashion-MNIST (N = 50000, H = 256, 3 x 5000 epochs; ~6 min on
    the 2-core machine): with the paper's lr = 0.01, lr lambda_1 / N = 1.10 gave a period-2
    orbit; the preset rule gives 0.8, and the first four plotted directions end on the fixed
    points of 4.fp / C.w (measured: within 5e-6; lambda_32 of the AE is at 0.983, still
    rising; largest |theory - training| 0.023)."""
    s = linear_figure.settings_for("fashion-mnist", "paper", record_every=100)
    m = linear_figure.run_linear(s, None, tmp_path, progress=False)
    assert m["diverged"] is False
    assert m["learning_rate"]["lr_lambda1_over_N"] == pytest.approx(0.8, rel=1e-9)
    z = np.load(tmp_path / "fig5_fashion-mnist_covariance.npz")
    lam = np.asarray(list(m["eigenvalues"].values()))
    fixed = {"AE": np.ones_like(lam), "DAE": nm.dae_fixed_point(lam, s.n_samples * s.sigma2),
             "WDAE": nm.wdae_fixed_point(lam, s.gamma, s.n_samples)}
    for model, target in fixed.items():
        np.testing.assert_allclose(z[f"{model}_diag"][-1, :4], target[:4], atol=5e-3)
        assert np.max(np.abs(z[f"{model}_theory"] - z[f"{model}_diag"])) < 0.05
