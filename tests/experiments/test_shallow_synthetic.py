"""The synthetic-data figures of Refinetti & Goldt (2, 3, 4, 10 and the D-scaling study) at their
smoke presets, and the helpers they rest on: the exact compression of degenerate modes (SGD and
ODE start from the same weights) and the curve fits."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from experiments.shallow import run_figure  # noqa: E402
from experiments.shallow.curve_fits import plateaus, power_law_fit  # noqa: E402
from experiments.shallow.same_start import compress_degenerate  # noqa: E402


def _order_parameters(rt, al, be):
    return (al * rt @ al.T, be * rt @ al.T, be * rt @ be.T, be @ be.T)


def test_compression_keeps_every_order_parameter() -> None:
    rng = np.random.default_rng(1)
    K, D = 2, 40
    rt = np.concatenate([[30.0, 7.0], np.full(D - 2, 1.0 / D)])
    al, be = rng.standard_normal((K, D)), rng.standard_normal((K, D))
    rt_c, al_c, be_c, dropped = compress_degenerate(rt, al, be)
    assert rt_c.size == 2 + 2 * K
    assert dropped == pytest.approx((D - 2 - 2 * K) / D)
    for full, comp in zip(_order_parameters(rt, al, be), _order_parameters(rt_c, al_c, be_c),
                          strict=True):
        np.testing.assert_allclose(comp, full, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="must agree"):
        compress_degenerate(rt, al[:, :3], be)


def test_curve_fits_on_known_curves() -> None:
    t = np.geomspace(1e-2, 1e4, 200)
    fit = power_law_fit(t, 3 * t ** -0.5, (1, 1e3))
    assert fit["exponent"] == pytest.approx(-0.5, abs=1e-10)
    # two sigmoidal drops in log t with a flat stretch (a plateau at 10) between them
    y = 1 + 9 / (1 + (t / 1e2) ** 3) + 90 / (1 + (t / 0.1) ** 3)
    found = plateaus(t, y)
    assert len(found) == 1
    assert 0.3 < found[0]["t"] < 30 and found[0]["pmse"] == pytest.approx(10, rel=0.05)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("shallow_synthetic")


def _run(number, out):
    metrics, paths = run_figure(number, "smoke", out=out, progress=False)
    suffixes = {p.suffix for p in paths}
    assert {".png", ".pdf", ".json", ".npz"} <= suffixes
    for p in paths:
        assert p.exists() and p.stat().st_size > 0
    saved = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    assert saved["metrics"]["deviations"], "no measured deviations in the JSON"
    npz = np.load(next(p for p in paths if p.suffix == ".npz"))
    return metrics, npz


def test_fig2_smoke(out) -> None:
    m, a = _run("2", out)
    assert m["deviations"]["pmse_rel_gap_at_t0"] < 1e-12  # same initial weights
    assert np.all(np.isfinite(a["pmse_sgd"])) and np.all(np.isfinite(a["pmse_ode"]))
    assert a["pmse_ode"][-1] < 0.5 * a["pmse_ode"][0]
    assert np.all(np.diff(a["pca_errors"]) < 0)
    assert m["deviations"]["pmse_max_rel_gap_t_le_10"] < 0.2
    assert a["Q_ode"].shape == a["Q_sgd"].shape == (a["t"].size, 3, 3)


def test_fig3_smoke(out) -> None:
    m, a = _run("3", out)
    assert m["encoder_shrinks_decoder_grows"]["holds"]
    assert m["deviations"]["informed_sgd_vs_reduced_C8_max_rel_excess_gap_t_ge_1"] < 0.2
    ex = m["exponents"]
    assert ex["a"]["sgd_informed"] < 0 < ex["b"]["sgd_informed"]
    assert ex["excess"]["derived_asymptotic"] == pytest.approx(-2 / 3)


def test_fig4_smoke(out) -> None:
    m, a = _run("4", out)
    assert m["theory"]["erf_tied"].startswith("none")
    assert m["theory"]["relu_untied_bias"].startswith("none")
    assert m["theory"]["erf_untied"].startswith("ODE")
    assert m["final_pmse"]["erf_tied"] > m["final_pmse"]["erf_untied"]
    assert "bias_relu_untied_bias" in a.files
    assert a["bias_relu_untied_bias"][0] == pytest.approx(np.zeros(3))


def test_fig10_smoke(out) -> None:
    m, a = _run("10", out)
    # the full ODE (all modes) and the reduced flow C.8 are independent implementations
    assert m["deviations"]["informed_ode_vs_reduced_C8_max_rel_pmse_gap"] < 1e-5
    assert m["deviations"]["perfect_ode_vs_reduced_C8_max_rel_pmse_gap"] < 1e-5
    rt = np.asarray(m["rt"])
    x = rt / (1 + rt)  # q = rt a^2 with a = 1
    f = 0.5 * rt * (1 - x / np.arcsin(x))  # f at the optimal decoder (eq. C.6 into C.4)
    assert m["perfect_start"]["pmse_t0_ode"] == pytest.approx(f.sum(), rel=1e-8)
    assert m["perfect_start"]["pmse_t0_sgd"] == pytest.approx(f.sum(), rel=1e-8)
    assert a["pmse_sgd_perfect"][0] < a["pmse_sgd_informed"][0]


def test_dscale_smoke(out) -> None:
    m, a = _run("dscale", out)
    assert np.all(np.isfinite(a["rms"])) and np.all(a["rms"] > 0)
    assert np.isfinite(m["fit_rms_gap_vs_D"]["slope"])
    assert list(a["Ds"]) == [40, 80]
