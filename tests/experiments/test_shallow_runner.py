"""The shared machinery of the shallow-autoencoder figures: settings from a figure's spec (with
every inapplicable option rejected), resumable chunked SGD (a resumed run equals an
uninterrupted one), and the command line's validation."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from experiments.cli import main  # noqa: E402
from experiments.shallow import FIGURES, figure_module  # noqa: E402
from experiments.shallow.context import Context  # noqa: E402
from experiments.shallow.sgd_runs import resumable_sgd  # noqa: E402
from experiments.shallow.spec import FigureSpec  # noqa: E402
from experiments.training_loop import Interrupted  # noqa: E402

_P = {"smoke": {"D": 50}, "quick": {"D": 100}, "paper": {"D": 1000}}


def test_spec_settings_and_rejections() -> None:
    spec = FigureSpec("x", "test", datasets=("synthetic",), activations=("erf", "relu"),
                      knobs=frozenset({"D"}), presets=_P)
    s = spec.settings("quick", D=64, activation="relu", seed=3)
    assert (s["D"], s["activation"], s["seed"], s["dataset"]) == (64, "relu", 3, "synthetic")
    assert spec.settings("smoke")["D"] == 50
    with pytest.raises(ValueError, match="--K does not apply to figure x"):
        spec.settings("quick", K=3)
    with pytest.raises(ValueError, match="--activation linear does not apply"):
        spec.settings("quick", activation="linear")
    with pytest.raises(ValueError, match="--dataset cifar10-gray does not apply"):
        spec.settings("quick", dataset="cifar10-gray")
    with pytest.raises(ValueError, match="--D must be >= 1"):
        spec.settings("quick", D=0)
    with pytest.raises(ValueError, match="presets"):
        FigureSpec("y", "no presets", presets={"quick": {}})


def test_every_registered_figure_module_has_a_valid_spec() -> None:
    for number in FIGURES:
        try:
            mod = figure_module(number)
        except ModuleNotFoundError:  # pragma: no cover - a figure not yet written
            pytest.fail(f"figure {number} has no module")
        assert mod.SPEC.number == number
        assert callable(mod.run)


def _model():
    from numerics.shallow.data_model import spiked_model

    return spiked_model(60, 2, seed=0).spectrum()


def test_resumed_sgd_equals_uninterrupted(tmp_path, monkeypatch) -> None:
    import numerics.shallow.sgd as sgd

    times = np.linspace(0, 2, 9)
    spec = _model()
    kw = dict(chunks=4, seed=5, activation="erf", eta=0.5, bias=0.1)
    full = resumable_sgd(Context({"figure": "t", "dataset": "synthetic"}, tmp_path / "a",
                                 progress=False), "run", spec, 2, times, **kw)
    real = sgd.simulate_sgd
    calls = {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(sgd, "simulate_sgd", flaky)
    ctx = Context({"figure": "t", "dataset": "synthetic"}, tmp_path / "b", progress=False)
    with pytest.raises(Interrupted, match="chunk 2"):
        resumable_sgd(ctx, "run", spec, 2, times, **kw)
    with pytest.raises(ValueError, match="--resume"):
        resumable_sgd(ctx, "run", spec, 2, times, **kw)
    monkeypatch.setattr(sgd, "simulate_sgd", real)
    ctx.resume = True
    again = resumable_sgd(ctx, "run", spec, 2, times, **kw)
    assert again["pmse"].shape == (times.size, 1)
    for k in ("Q", "R", "T0", "bias", "W", "V", "b"):
        np.testing.assert_array_equal(again[k], full[k], err_msg=k)
    # the bias is trained (it moved) and the time axis is the requested one
    assert not np.allclose(full["bias"][-1], 0.1)
    np.testing.assert_array_equal(again["times"], times)


@pytest.mark.parametrize("argv, message", [
    (["experiment", "shallow"], "needs --figure"),
    (["experiment", "shallow", "--figure", "99"], "unknown figure"),
    (["experiment", "shallow", "--figure", "1", "--lr", "0.1"], "--lr does not apply"),
    (["experiment", "shallow", "--figure", "1", "--dataset", "mnist"], "does not apply"),
    (["experiment", "shallow", "--figure", "1", "--K", "3"], "--K does not apply"),
    (["experiment", "shallow", "--figure", "1", "--activation", "tanh"], "tanh"),
    (["experiment", "linear", "--figure", "2"], "shallow only"),
    (["experiment", "linear", "--dataset", "synthetic"], "shallow only"),
    (["experiment", "nonlinear", "--activation", "erf"], "shallow only"),
    (["figures", "--source", "refinetti2020", "--only", "11"], "unknown figure"),
    (["figures", "--preset", "quick"], "refinetti2020 only"),
])
def test_cli_rejects(argv, message, capsys, tmp_path) -> None:
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_figure1_smoke(tmp_path) -> None:
    """Figure 1's smoke preset: the bulk follows Marchenko-Pastur, the outliers sit near the
    population spikes; the CIFAR-10 panel is there when the data is, else the JSON says where
    it looked."""
    import json

    from experiments.shallow import run_figure

    metrics, paths = run_figure("1", "smoke", out=tmp_path, progress=False)
    assert {p.suffix for p in paths} == {".png", ".pdf", ".json", ".npz"}
    assert metrics["bulk_ks_distance_to_marchenko_pastur"] < 0.1
    # outliers: relative sampling error of a variance from n = 2000 samples is sqrt(2/n) = 3 %
    assert max(metrics["outlier_rel_error_vs_population"]) < 0.15
    cifar = json.loads((tmp_path / "shallow_fig1_synthetic.json").read_text())["metrics"][
        "cifar10_gray"]
    assert ("skipped" in cifar and "looked in" in cifar["skipped"]) or cifar["D"] == 1024
