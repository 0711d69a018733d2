"""Figures 6/7 runs: Ctrl-C mid-training and --resume give the straight run's curves exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from experiments import nonlinear_figure
from tests.conftest import ctrl_c_at_grad_call, write_tiny_mnist


def _mnist(tmp_path: Path, n: int = 80) -> Path:
    return write_tiny_mnist(tmp_path, n, seed=11)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_interrupt_and_resume_equal_the_straight_run(tmp_path: Path, activation: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = _mnist(tmp_path)
    s = nonlinear_figure.settings_for("mnist", None, activation=activation, n_samples=60,
                                      hidden=16, epochs=30, record_every=5,
                                      checkpoint_every=10)
    nonlinear_figure.run_nonlinear(s, str(data), tmp_path / "straight", progress=False)
    # DAE, epoch 15 of 30: its noise RNG state must be restored
    with ctrl_c_at_grad_call(monkeypatch, 75), pytest.raises(KeyboardInterrupt):
        nonlinear_figure.run_nonlinear(s, str(data), tmp_path / "resumed", progress=False)
    assert (tmp_path / "resumed" / f"fig{6 if activation == 'relu' else 7}_mnist_"
            f"{activation}.ckpt.npz").exists()
    nonlinear_figure.run_nonlinear(s, str(data), tmp_path / "resumed", resume=True,
                                   progress=False)
    stem = f"fig{6 if activation == 'relu' else 7}_mnist_{activation}.npz"
    a, b = np.load(tmp_path / "straight" / stem), np.load(tmp_path / "resumed" / stem)
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    assert np.all(np.isfinite(a["AE"]))


def test_gamma_conventions_scale_the_decay(tmp_path: Path) -> None:
    """'authors' (MSE mean over D pixels + weight_decay) is eq6's gamma x D / 2; 'eq6' is literal.
    The WDAE run records the gamma it trained with and shrinks the mapping more under 'authors'."""
    data = _mnist(tmp_path)
    finals = {}
    for conv in ("eq6", "authors"):
        s = nonlinear_figure.settings_for("mnist", None, n_samples=60, hidden=16, epochs=40,
                                          record_every=20, gamma=0.0045, gamma_convention=conv)
        m = nonlinear_figure.run_nonlinear(s, str(data), tmp_path / conv, progress=False)
        expected = 0.0045 * 784 / 2 if conv == "authors" else 0.0045
        assert m["gamma_in_eq6_scaling"] == pytest.approx(expected)
        finals[conv] = np.asarray(m["final_mapping"]["WDAE"])
    assert np.all(finals["authors"] < finals["eq6"])
    bad = nonlinear_figure.settings_for("mnist", None, gamma_convention="pixels")
    with pytest.raises(ValueError, match="gamma convention"):
        nonlinear_figure.run_nonlinear(bad, str(data), tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_figure_titles_use_mathtext_and_flag_divergence() -> None:
    s = nonlinear_figure.settings_for("mnist", "quick", activation="tanh")
    rec = np.arange(0, 11)
    curves = {m: np.linspace(0, 0.9, 11)[:, None] * np.ones((1, 4)) for m in ("AE", "WDAE",
                                                                              "DAE")}
    lam = np.array([40.0, 20.0, 10.0, 5.0])
    fig = nonlinear_figure.draw_figure(s, 7, rec, lam, curves, 0.0045, diverged=False)
    title = fig._suptitle.get_text()
    assert r"$\sigma^2$" in title and r"$\gamma$" in title
    assert "sigma^2=" not in title.replace(r"$\sigma^2$", "")
    styles = {line.get_linestyle() for line in fig.axes[0].lines}
    assert len(styles) == 3  # AE, WDAE, DAE distinguishable without colour
    bad = nonlinear_figure.draw_figure(s, 7, rec, lam, curves, 0.0045, diverged=True)
    assert bad._suptitle.get_text().startswith("DIVERGED")


def test_presets_record_the_early_rise_densely() -> None:
    """The lambda_1 rise takes ~20 epochs: every epoch below dense_until is recorded."""
    from experiments.training_loop import record_epochs

    for act in ("relu", "tanh"):
        for preset in ("quick", "paper"):
            s = nonlinear_figure.settings_for("mnist", preset, activation=act)
            rec = record_epochs(s.epochs, s.record_every, s.dense_until)
            assert set(range(40)) <= set(rec.tolist())
            assert np.max(np.diff(rec)) <= 20
