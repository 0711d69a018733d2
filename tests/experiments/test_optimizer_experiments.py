"""``daedyn experiment linear --optimizer/--beta/--basis/--study`` (issue 11's experiments)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from experiments import datasets
from experiments.cli import main
from experiments.linear_figure import pack, unpack
from numerics.optimizers import SGD, Adagrad, Adam, RMSprop
from tests.conftest import write_tiny_mnist as _mnist

TINY = ["--n-samples", "60", "--hidden", "32", "--epochs", "12", "--record-every", "4",
        "--checkpoint-every", "4", "--no-progress"]
MNIST = datasets.resolve_dir("mnist")
needs_mnist = pytest.mark.skipif(
    not MNIST.is_dir(), reason="real MNIST not found; looked in "
    + ", ".join(map(str, datasets.candidates("mnist"))) + " (set DAEDYN_DATA)")


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("opt", [SGD(lr=0.1), SGD(lr=0.1, momentum=0.9), RMSprop(centered=True,
                                                                               momentum=0.5),
                                 Adagrad(), Adam(amsgrad=True)])
def test_pack_unpack_round_trip(opt: object) -> None:
    """Weights and optimiser state survive pack/unpack (the checkpoint format), before and
    after steps (SGD's buffer is None until the first step)."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 5))
    st = opt.init(w)
    for _ in range(3):
        w2, st2 = unpack(pack(w, st), opt.init(w))
        np.testing.assert_array_equal(w2, w)
        for k, v in vars(st).items():
            got = getattr(st2, k)
            if v is None:
                assert got is None
            else:
                np.testing.assert_array_equal(got, v)
        w, st = opt.step(w, rng.normal(size=w.shape), st)


def test_momentum_run_resumes_with_its_optimiser_state(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of a heavy-ball run, then --resume: the same curves bit for bit
    (a resume that restarted the momentum buffer would differ)."""
    from numerics.linear_ae import OptimizerLinearAE

    data = _mnist(tmp_path)
    base = ["experiment", "linear", "--data-dir", str(data), *TINY, "--optimizer", "momentum",
            "--beta", "0.8"]
    assert main([*base, "--out", str(tmp_path / "straight")]) == 0
    out = tmp_path / "o"
    real, calls = OptimizerLinearAE.advance, {"n": 0}

    def flaky(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, *a, **kw)

    with monkeypatch.context() as mp:
        mp.setattr(OptimizerLinearAE, "advance", flaky)
        assert main([*base, "--out", str(out)]) == 130
    assert "--resume" in _err(capsys)
    assert main([*base, "--out", str(out), "--resume"]) == 0
    stem = "fig5_mnist_covariance_momentum0.8_eigen"
    a, b = np.load(tmp_path / "straight" / f"{stem}.npz"), np.load(out / f"{stem}.npz")
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    meta = json.loads((out / f"{stem}.json").read_text())
    assert meta["settings"]["optimizer"] == "momentum" and meta["settings"]["basis"] == "eigen"
    lr_info = meta["metrics"]["learning_rate"]
    assert lr_info["stability_threshold"] == pytest.approx(1.8)  # 1 + beta [OD.heavy-ball]
    assert lr_info["effective_lr"] == pytest.approx(lr_info["lr"] / 0.2)
    x = meta["metrics"]["optimizer"]["flow_parameter_x"]["lambda_1"]
    assert x == pytest.approx(lr_info["lr_lambda1_over_N"] / 0.2**2)


@pytest.mark.slow  # two Figure 5 runs with figures (~15 s); the property is also tested in
# tests/numerics/test_optimizer_runs.py
def test_adam_pixel_run_records_basis_and_differs_from_eigen(tmp_path: Path) -> None:
    data = _mnist(tmp_path)
    runs = {}
    for basis in ("eigen", "pixel"):
        assert main(["experiment", "linear", "--data-dir", str(data), *TINY, "--optimizer",
                     "adam", "--basis", basis, "--out", str(tmp_path / basis)]) == 0
        stem = f"fig5_mnist_covariance_adam_{basis}"
        meta = json.loads((tmp_path / basis / f"{stem}.json").read_text())
        assert meta["settings"]["basis"] == basis and "Adam" in meta["metrics"]["optimizer"][
            "repr"]
        assert meta["metrics"]["learning_rate"]["lr"] == 2e-3
        runs[basis] = np.load(tmp_path / basis / f"{stem}.npz")
    assert np.max(np.abs(runs["eigen"]["AE_diag"] - runs["pixel"]["AE_diag"])) > 1e-6
    # the theory column is the scalar model under Adam: the same in both runs
    np.testing.assert_array_equal(runs["eigen"]["AE_theory"], runs["pixel"]["AE_theory"])


@pytest.mark.parametrize("study", ["flow", pytest.param("adaptive", marks=pytest.mark.slow),
                                   "thresholds", "pca"])
def test_studies_run_and_write_their_json(tmp_path: Path, study: str) -> None:
    data = _mnist(tmp_path)
    extra = {"thresholds": ["--epochs", "30", "--hidden", "4", "--beta", "0.5"],
             "pca": ["--epochs", "6"]}.get(study, ["--epochs", "6", "--record-every", "2"])
    argv = ["experiment", "linear", "--study", study, "--data-dir", str(data), "--out",
            str(tmp_path / "o"), "--n-samples", "60", "--hidden", "32", *extra]
    assert main(argv) == 0
    meta = json.loads((tmp_path / "o" / f"optimizers_{study}_mnist.json").read_text())
    assert meta["settings"]["study"] == study and meta["metrics"]["seconds"] > 0
    if study == "thresholds":
        assert {r["method"] for r in meta["metrics"]["runs"]} == {"gd", "heavy-ball",
                                                                  "nesterov"}
    if study == "adaptive":
        assert (tmp_path / "o" / "optimizers_adaptive_mnist.png").exists()
        for m in ("AE", "WDAE", "DAE"):  # the per-direction scalar model, to rounding
            assert meta["metrics"]["models"][m]["eigen_aligned_minus_scalar_model_max_abs"] \
                < 1e-12


@pytest.mark.parametrize(("argv", "needle"), [
    (["--beta", "0.9"], "--beta applies to --optimizer momentum or nesterov only"),
    (["--optimizer", "adam", "--beta", "0.9"], "--beta applies to --optimizer momentum"),
    (["--optimizer", "momentum", "--beta", "1"], "--beta must lie in (0, 1)"),
    (["--optimizer", "nesterov", "--beta", "0"], "--beta must lie in (0, 1)"),
    (["--optimizer", "adam", "--mode", "data"], "apply to --mode covariance only"),
    (["--basis", "pixel", "--mode", "sampled"], "apply to --mode covariance only"),
    (["--optimizer", "adam", "--dtype", "float32"], "--dtype float32 applies to plain GD"),
    (["--study", "pca", "--mode", "data"], "--mode does not apply"),
    (["--study", "flow", "--basis", "pixel"], "--basis does not apply to --study"),
    (["--study", "flow", "--resume"], "do not apply to --study"),
    (["--study", "flow", "--optimizer", "adam"], "applies to --study adaptive only"),
    (["--study", "adaptive", "--optimizer", "momentum"], "applies to --study adaptive only"),
    (["--study", "pca", "--beta", "0.5"], "applies to flow and thresholds only"),
    (["--study", "thresholds", "--sigma2", "0.1"], "--sigma2 applies to --study adaptive"),
    (["--study", "flow", "--checkpoint-every", "5"], "--checkpoint-every does not apply"),
    (["--study", "thresholds", "--lr", "0.01"], "--lr does not apply to --study thresholds"),
    (["--study", "pca", "--record-every", "5"], "--record-every does not apply"),
])
def test_inapplicable_optimizer_options_are_one_line_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        needle: str) -> None:
    assert main(["experiment", "linear", *argv, "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert needle in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_optimizer_options_are_linear_only(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    for flag in (["--optimizer", "adam"], ["--beta", "0.5"], ["--basis", "pixel"],
                 ["--study", "pca"]):
        assert main(["experiment", "nonlinear", *flag, "--out", str(tmp_path / "o")]) == 2
        assert "applies to linear experiments only" in _err(capsys)


# ------------------------------------------------------------------ real data (skip if absent)


@needs_mnist
def test_real_mnist_gd_threshold_and_momentum_below_it() -> None:
    """2000 MNIST images, H = 4, from the paper's small random start: GD converges at 0.98 of
    N / lambda_1 and does not at 1.02; heavy ball (beta = 0.9) diverges already at 0.9 of its
    local threshold 1.9 N / lambda_1 (measured on the quick preset too: the transient
    overshoot), Nesterov converges at 0.9 of its own."""
    import numerics as nm
    from experiments.optimizer_runs import StudySettings, _thresholds

    x = datasets.load("mnist", MNIST, n_samples=2000).x
    sigma = nm.covariance(x)
    lam, V = nm.eigenbasis(sigma)
    s = StudySettings(study="thresholds", hidden=4, epochs=500, betas=(0.9,), bisections=2)
    res, _ = _thresholds(s, sigma, lam, V, x.shape[0])
    got = {(r["method"], r["factor"]): r["outcome"] for r in res["runs"]}
    assert got[("gd", 0.98)] == "converge" and got[("gd", 1.02)] != "converge"
    assert got[("nesterov", 0.9)] == "converge" and got[("nesterov", 1.1)] != "converge"
    assert got[("heavy-ball", 0.9)] == "diverge"
    assert res["largest_converging_factor_below_threshold"]["heavy-ball_beta0.9"] < 0.9


@needs_mnist
def test_real_mnist_ae_learns_the_uncentred_not_the_centred_pca() -> None:
    """The first learned direction is the top eigenvector of the paper's uncentred Sigma_xx
    (< 1 degree), about 55 degrees from the centred covariance's (the mean dominates)."""
    import numerics as nm
    from experiments.optimizer_runs import StudySettings, _pca

    x = datasets.load("mnist", MNIST, n_samples=2000).x
    sigma = nm.covariance(x)
    lam, V = nm.eigenbasis(sigma)
    res, _ = _pca(StudySettings(study="pca", hidden=8, epochs=50), sigma, lam, V, x.shape[0], x)
    row = res["during_training"][-1]
    assert row["learned_k"] >= 1
    assert row["vs_uncentred_max_deg"] < 1.0 and row["vs_centred_max_deg"] > 30.0
