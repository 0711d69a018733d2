"""Smoke runs of the shallow-autoencoder figures on real data and the vanilla/truncated study
(Figures 5-9 and ``gauss``, experiments/shallow/): each runs its ``smoke`` preset end to end,
writes PNG/PDF/JSON/npz with measured deviations, and a property that could fail is checked
(ODE and SGD start from the same weights; the image error at initialisation equals the Gaussian
one; overlaps are cosines; ...).  Real-data figures skip, naming every place looked in, when
CIFAR-10 / Fashion-MNIST are absent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from experiments import datasets  # noqa: E402
from experiments.shallow import run_figure  # noqa: E402


def _need(name: str) -> None:
    """Skip unless the real dataset ``name`` is found, naming every place looked in."""
    folder = datasets.resolve_dir(name)
    if not datasets.holds(name, folder):
        pytest.skip(f"real {name} not found; looked in "
                    + ", ".join(map(str, datasets.candidates(name))) + " (set DAEDYN_DATA)")


def _run(number: str, tmp_path: Path) -> tuple[dict, dict, dict]:
    metrics, paths = run_figure(number, "smoke", out=tmp_path, progress=False)
    suffixes = sorted(p.suffix for p in paths)
    assert suffixes == [".json", ".npz", ".pdf", ".png"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    js = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    assert js["metrics"]["deviations"], "no measured deviations in the JSON"
    assert all(np.isfinite(v) for v in js["metrics"]["deviations"].values())
    arrays = dict(np.load(next(p for p in paths if p.suffix == ".npz")))
    assert not list(tmp_path.glob("*.ckpt.npz")), "finished runs left checkpoints behind"
    return metrics, js, arrays


def test_fig5_vanilla_vs_truncated(tmp_path) -> None:
    metrics, js, a = _run("5", tmp_path)
    K = js["settings"]["K"]
    for rule in ("vanilla", "truncated"):
        # SGD and ODE start from the same weights: the same population error at t = 0
        assert a[f"{rule}_pmse_sgd"][0] == pytest.approx(a[f"{rule}_pmse_ode"][0], rel=1e-9)
        O = a[f"{rule}_overlap"]
        assert O.shape == (K, K)
        assert np.all(np.sum(O**2, axis=1) <= 1 + 1e-12)  # cosines with orthonormal vectors
    long = metrics["ode_beyond_sgd_horizon"]
    assert set(long) == {"vanilla", "truncated"}
    assert all(0 <= long[r]["overlap"]["diag_weight"] <= 1 for r in long)
    assert "fashion_mnist" in metrics
    fm = metrics["fashion_mnist"]
    if "skipped" not in fm:
        for rule in ("vanilla", "truncated"):
            assert fm[rule]["test_error_first_units"] > 0
            assert np.isfinite(fm[rule]["test_error_all_units"])
        # fewer PCA components cannot reconstruct better
        assert fm["pca_error_test_rank_units"] >= fm["pca_error_test_rank_K"]


def test_fig6_cifar_sgd_vs_ode(tmp_path) -> None:
    _need("cifar10")
    metrics, js, a = _run("6", tmp_path)
    K = js["settings"]["Ks"][0]
    ode, gauss, img = (a[f"erf_K{K}_pmse_ode"], a[f"erf_K{K}_pmse_sgd_gauss"],
                       a[f"erf_K{K}_pmse_sgd"])
    assert ode[0] == pytest.approx(gauss[0], rel=1e-12)  # same initial weights
    # at initialisation the error on the images equals the Gaussian one (same second moment,
    # small random weights): a property of the data, not of the code
    assert img[0] == pytest.approx(ode[0], rel=1e-2)
    assert img[-1] < img[0]
    assert js["provenance"]["data"]["cifar10-gray"]["grayscale"].startswith("luminance")


def test_fig7_plain_torch(tmp_path) -> None:
    _need("cifar10")
    metrics, js, a = _run("7", tmp_path)
    pca = np.array(metrics["pca_errors"])
    assert np.all(np.diff(pca) < 0)
    K = js["settings"]["K"]
    D = js["metrics"].get("D", 1024)
    assert a["untied_w_norm"].shape[1] == K
    # PyTorch's default init of nn.Linear, U(-1/sqrt(fan_in), 1/sqrt(fan_in)): no rescaling;
    # |w_k|^2 ~ D / (3 D) and |v_k|^2 ~ D / (3 K), up to the sampling spread (10 %)
    assert np.mean(a["untied_w_norm"][0] ** 2) == pytest.approx(1 / 3, rel=0.1)
    assert np.mean(a["untied_v_norm"][0] ** 2) == pytest.approx(D / (3 * K), rel=0.1)
    assert np.all(np.isfinite(a["tied_loss"]))


def test_fig8_relu_and_linear(tmp_path) -> None:
    _need("cifar10")
    metrics, js, a = _run("8", tmp_path)
    for act in ("relu", "linear"):
        assert act in metrics
        K = js["settings"]["Ks"][0]
        assert a[f"{act}_K{K}_pmse_ode"][0] == pytest.approx(a[f"{act}_K{K}_pmse_sgd_gauss"][0],
                                                             rel=1e-12)
        Kh = js["settings"]["half_D"]["K"]
        assert a[f"{act}_K{Kh}_short_pmse_ode"][0] == pytest.approx(
            a[f"{act}_K{Kh}_short_pmse_sgd"][0], rel=2e-2)  # images vs Gaussian at t = 0


def test_fig9_real_data_insights(tmp_path) -> None:
    _need("cifar10")
    metrics, js, a = _run("9", tmp_path)
    assert len(metrics["final_pmse"]) == 6
    cap = a["capture"]
    assert np.all(cap >= -1e-9) and np.all(cap <= 1 + 1e-9)  # |P_V e|^2 of a unit vector
    assert "none" in metrics["theory"]["erf tied"]


def test_gauss_three_curves(tmp_path) -> None:
    _need("cifar10")
    metrics, js, a = _run("gauss", tmp_path)
    K = js["settings"]["Ks"][0]
    # Gaussian SGD and ODE: same weights at t = 0, same population error
    assert a[f"K{K}_gauss_sgd"][0] == pytest.approx(a[f"K{K}_ode"][0], rel=1e-10)
    assert set(metrics["worst_max_rel_gap"]) == {"images_vs_gauss_sgd", "images_vs_ode",
                                                 "gauss_sgd_vs_ode"}


def test_image_sgd_resumed_equals_uninterrupted(tmp_path, monkeypatch) -> None:
    """A Ctrl-C between chunks, then --resume, gives the run of an uninterrupted call sample for
    sample (images drawn per chunk from the chunk's own seed); no data files needed."""
    import numerics.shallow.sgd as sgd
    from experiments.shallow.context import Context
    from experiments.shallow.image_sgd import image_sgd
    from experiments.training_loop import Interrupted

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12))
    w0, v0 = 0.3 * rng.standard_normal((2, 12)), 0.3 * rng.standard_normal((2, 12))
    times = np.linspace(0, 3, 7)
    kw = dict(w0=w0, v0=v0, activation="erf", eta=0.5, seed=3, chunks=3)
    ctx_a = Context({"figure": "t", "dataset": "cifar10-gray"}, tmp_path / "a", progress=False)
    full = image_sgd(ctx_a, "run", X, 2, times, **kw)
    real = sgd.sgd_steps
    calls = {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(sgd, "sgd_steps", flaky)
    ctx = Context({"figure": "t", "dataset": "cifar10-gray"}, tmp_path / "b", progress=False)
    with pytest.raises(Interrupted):
        image_sgd(ctx, "run", X, 2, times, **kw)
    with pytest.raises(ValueError, match="--resume"):
        image_sgd(ctx, "run", X, 2, times, **kw)
    monkeypatch.setattr(sgd, "sgd_steps", real)
    ctx.resume = True
    again = image_sgd(ctx, "run", X, 2, times, **kw)
    assert again["pmse"].shape == (times.size,)
    for k in ("pmse", "w_norm", "v_norm", "W", "V"):
        np.testing.assert_array_equal(again[k], full[k], err_msg=k)
    assert full["pmse"][-1] != full["pmse"][0]  # the weights moved
