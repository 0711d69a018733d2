"""``daedyn figures`` (Figures 1-4): files, measured theory-vs-GD deviations, CLI exit codes.

One tiny run of all four figures through the CLI is shared by the module (about 10 s).  The
deviation checks do not compare with numbers produced by the code under test: GD with step ``lr``
is the explicit Euler scheme of the gradient flow with step 1 in units of ``tau = 1 / lr``, so
its deviation from the closed forms must (a) shrink like ``lr`` (halving lr halves it) and (b)
stay a small multiple of ``lr``; a wrong time scale or a wrong closed form gives O(1) gaps.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from experiments.cli import main
from experiments.scalar_figures import FigureResult, make_figure

FIGS = ("fig1", "fig2", "fig3", "fig4")
PROVENANCE = {"daedyn_version": "test", "command_line": ["pytest"]}


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FigureResult]:
    out = tmp_path_factory.mktemp("figures")
    return {f: make_figure(f, out, "tiny", 0, provenance=PROVENANCE) for f in FIGS}


@pytest.fixture(scope="module")
def tiny_out(tiny_results: dict[str, FigureResult]) -> Path:
    return tiny_results["fig1"].paths[0].parent


def _metrics(out: Path, fig: str) -> dict:
    return json.loads((out / f"{fig}.json").read_text())["metrics"]


def _leaves(tree: object, key_filter: str = "") -> list[float]:
    """All numbers under the keys of ``tree`` whose name contains ``key_filter``."""
    found: list[float] = []

    def walk(node: object, hit: bool) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, hit or key_filter in str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, hit)
        elif hit and isinstance(node, (int, float)) and not isinstance(node, bool):
            found.append(float(node))
        elif hit and isinstance(node, str):
            found.append(float(node))  # non-finite floats are written as strings: fail below

    walk(tree, False)
    return found


@pytest.mark.parametrize("fig", FIGS)
def test_every_figure_writes_its_four_files(tiny_out: Path, fig: str) -> None:
    png, pdf = tiny_out / f"{fig}.png", tiny_out / f"{fig}.pdf"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    payload = json.loads((tiny_out / f"{fig}.json").read_text())
    assert set(payload) == {"settings", "metrics", "provenance"}
    assert payload["provenance"] == PROVENANCE
    assert payload["settings"]["size"] == "tiny"
    with np.load(tiny_out / f"{fig}.npz") as npz:
        assert len(npz.files) > 0
        assert all(np.all(np.isfinite(npz[k])) for k in npz.files)


@pytest.mark.parametrize("fig", ("fig1", "fig2", "fig4"))
def test_gd_vs_theory_deviation_is_finite_and_small_multiple_of_lr(tiny_out: Path,
                                                                   fig: str) -> None:
    m = _metrics(tiny_out, fig)
    lr = m["lr"]
    devs = _leaves(m, "max_abs_gd_minus")
    assert devs, "no theory-vs-simulation deviation reported"
    assert all(math.isfinite(d) for d in devs)
    # Euler's global error is C * lr with C ~ (time-integrated Jacobian growth); for these flows
    # (rates up to (lam + eps) = 6 and |w| <= 2 at the start) C stays below 10.  A wrong tau (by a
    # factor 2, say) or a wrong closed form gives deviations of order w* ~ 0.1-1 instead.
    assert max(devs) < 10 * lr
    assert max(devs) > 0  # GD is not the flow: an exact zero would mean theory == simulation


@pytest.mark.parametrize("fig", ("fig1", "fig2"))
def test_deviation_is_first_order_in_lr(tiny_out: Path, fig: str) -> None:
    ratios = _leaves(_metrics(tiny_out, fig)["deviation_ratio_lr_over_half_lr"])
    assert ratios
    # first-order convergence: halving the step halves the error (up to O(lr) corrections)
    assert all(1.7 < r < 2.4 for r in ratios), ratios


def test_fig1_fixed_points_are_those_of_the_paper(tiny_out: Path) -> None:
    fp = _metrics(tiny_out, "fig1")["fixed_point"]
    assert fp["eps=0"] == pytest.approx(1.0)
    assert fp["eps=1"] == pytest.approx(0.5)
    assert fp["eps=5"] == pytest.approx(1 / 6)


def test_fig2_weight_decay_delays_learning(tiny_out: Path) -> None:
    """5.claim1 in the figure: at equal lr and equal fixed points the WDAE is never earlier."""
    half = _metrics(tiny_out, "fig2")["half_time_epochs"]
    for lam, models in half.items():
        for eps, t_dae in models["DAE"].items():
            t_wdae = models["WDAE"][eps]
            assert t_dae is not None, (lam, eps)
            assert t_wdae is None or t_wdae > t_dae, (lam, eps, t_dae, t_wdae)


def test_fig3_balanced_maps_identical_unbalanced_not(tiny_out: Path) -> None:
    m = _metrics(tiny_out, "fig3")
    gaps = m["max_abs_dae_minus_wdae"]
    # [5.claim3] refuted: from w1 = w2 one DAE step at eta_eps equals one WDAE step at eta_gamma
    # (exact algebra); in floating point only rounding separates them
    assert max(gaps["balanced"].values()) < 1e-12
    # the gap needs c0 > 0; it is real but small (the starts have |w2^2 - w1^2| >= 0.01)
    assert min(gaps["unbalanced"].values()) > 1e-4
    assert not any(m["diverged"].values())
    assert m["R_eq8_minus_rate_ratio_max_abs"] < 1e-12
    assert all(m["R_decreasing_in_eps"].values())


def test_fig4_decay_shrinks_the_norm_along_the_manifold_noise_does_not(tiny_out: Path) -> None:
    m = _metrics(tiny_out, "fig4")
    rnd = [i for i, k in enumerate(m["DAE"]["kinds"]) if k == "random"]
    dae, wd = m["DAE"], m["WDAE"]
    for i in rnd:
        # the DAE flow conserves w2^2 - w1^2; GD only changes it by (1 - lr^2 k^2) per step
        assert dae["excess_norm_sq_final"][i] > 0.9 * dae["excess_norm_sq_on_arrival"][i]
        # weight decay keeps moving along the manifold towards the balanced (minimum-norm) point
        assert wd["excess_norm_sq_final"][i] < 0.5 * wd["excess_norm_sq_on_arrival"][i]
        assert wd["final_norm"][i] < dae["final_norm"][i]
    assert dae["max_rel_change_w2sq_minus_w1sq_unbalanced"] < 0.1
    assert wd["max_rel_change_w2sq_minus_w1sq_unbalanced"] > 0.5


def test_same_seed_same_arrays_other_seed_other_starts(tiny_out: Path, tmp_path: Path) -> None:
    for d, seed in (("a", 0), ("b", 4)):
        assert main(["figures", "--out", str(tmp_path / d), "--only", "fig1", "--size", "tiny",
                     "--seed", str(seed), "--no-progress"]) == 0
    with (np.load(tiny_out / "fig1.npz") as ref, np.load(tmp_path / "a/fig1.npz") as a,
          np.load(tmp_path / "b/fig1.npz") as b):
        assert all(np.array_equal(ref[k], a[k]) for k in ref.files)
        assert not np.array_equal(ref["w1_0"], b["w1_0"])
    assert not (tmp_path / "a/fig2.png").exists()  # --only


def test_cli_unknown_figure_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--out", str(tmp_path), "--only", "fig1,fig9", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "fig9" in err and "fig1, fig2, fig3, fig4" in err
    assert not list(tmp_path.iterdir())  # rejected before any work


def test_cli_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["figures", "--out", str(blocker / "sub"), "--only", "fig3",
                 "--no-progress"]) == 2
    assert "cannot create output directory" in capsys.readouterr().err
    if os.geteuid() != 0:  # root ignores permission bits
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        assert main(["figures", "--out", str(ro), "--only", "fig3", "--no-progress"]) == 2


def test_cli_bad_size_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--size", "huge"])
    assert exc.value.code == 2


def _labels(ax) -> list[str]:  # noqa: ANN001
    leg = ax.get_legend()
    return [] if leg is None else [t.get_text() for t in leg.get_texts()]


def test_fig1_loss_surfaces_have_colorbars_and_explained_markers(
        tiny_results: dict[str, FigureResult]) -> None:
    fig = tiny_results["fig1"].fig
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 3 and all("log" in b.get_ylabel() for b in bars)
    labels = " ".join(t for ax in fig.axes for t in _labels(ax))
    assert "start" in labels and "saddle" in labels and "manifold" in labels


def test_fig3_does_not_plot_rounding_noise(tiny_results: dict[str, FigureResult]) -> None:
    axes = [ax for ax in tiny_results["fig3"].fig.axes if ax.get_label() != "<colorbar>"]
    balanced_gap = axes[3]  # second row, first column
    assert not balanced_gap.lines  # identical maps: a statement, not a plot of 1e-16 noise
    assert any("identical to" in t.get_text() for t in balanced_gap.texts)
    assert all(ax.get_ylabel() for ax in axes)  # every panel says what it shows


def test_fig4_distinct_line_styles_and_a_legend_entry_per_marker(
        tiny_results: dict[str, FigureResult]) -> None:
    from experiments.scalar_figures import STYLE4

    assert len(set(STYLE4.values())) == len(STYLE4)
    fig = tiny_results["fig4"].fig
    labels = " ".join(t for ax in fig.axes for t in _labels(ax))
    for what in ("saddle", "minima", "manifold", "random start", "small random start",
                 "theory", "minimum norm"):
        assert what in labels, what
    assert all(ax.get_ylabel() for ax in fig.axes)


def test_figures_prints_a_summary_table_and_json_on_request(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--out", str(tmp_path), "--only", "fig3", "--size", "tiny",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["figure", "seconds", "largest", "|GD", "-", "theory|", "files"]
    assert out[1].startswith("fig3") and f"{tmp_path}/fig3.{{png,pdf,json,npz}}" in out[1]
    assert main(["figures", "--out", str(tmp_path), "--only", "fig3", "--size", "tiny",
                 "--no-progress", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["figures"]) == {"fig3"}
    prov = json.loads((tmp_path / "fig3.json").read_text())["provenance"]
    assert prov["command_line"][:2] == ["daedyn", "figures"] and prov["started_utc"]
    assert prov["dtype"] == "float64" and "daedyn_version" in prov


def test_negative_seed_names_the_option(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--out", str(tmp_path), "--seed", "-1", "--no-progress"]) == 2
    assert "--seed must be >= 0" in capsys.readouterr().err


@pytest.mark.parametrize("fig", FIGS)
def test_figures_redraw_from_their_written_files(tiny_out: Path, fig: str) -> None:
    """Computing and drawing are separate: the JSON and npz alone redraw the figure."""
    from experiments import scalar_figures
    from experiments.scalar_runs import Computed

    payload = json.loads((tiny_out / f"{fig}.json").read_text())
    with np.load(tiny_out / f"{fig}.npz") as z:
        arrays = {k: z[k] for k in z.files}
    draw = scalar_figures.FIGURES[fig][1]
    redrawn = draw(Computed(payload["settings"], payload["metrics"], arrays))
    assert len(redrawn.axes) >= 6
