"""numerics.shallow.plateaus: plateaus of a pmse curve in log-time against the PCA levels, on a
synthetic staircase with known steps (clean and noisy), a power law (no plateau), and an ODE
run of the flow (the k = 0 plateau before the first escape)."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.shallow.ode import integrate
from numerics.shallow.plateaus import plateaus

LEVELS = np.array([58.0, 17.5, 5.0, 0.5])
CENTRES = np.array([0.0, 1.5, 3.0])  # log10 t of the drops


def _staircase(t: np.ndarray, width: float = 0.03) -> np.ndarray:
    x = np.log10(t)
    drop = (LEVELS[:-1] - LEVELS[1:])[:, None] / (1 + np.exp(-(x - CENTRES[:, None]) / width))
    return LEVELS[0] - drop.sum(0)


def test_staircase_plateaus_sit_on_the_levels() -> None:
    t = np.geomspace(1e-2, 1e5, 400)
    found = plateaus(t, _staircase(t), LEVELS)
    assert [p.level_index for p in found] == [0, 1, 2, 3]
    for p in found:
        assert abs(p.rel_gap) < 1e-3
    # each plateau ends before the next drop and starts after the previous one
    for p, c in zip(found[:-1], CENTRES, strict=True):
        assert c - 0.4 < np.log10(p.t_end) < c
    for p, c in zip(found[1:], CENTRES, strict=True):
        assert c < np.log10(p.t_start) < c + 0.4
    assert found[-1].open_end and not found[0].open_end
    assert found[0].t_start == pytest.approx(1e-2)


def test_noisy_staircase_needs_smoothing() -> None:
    rng = np.random.default_rng(0)
    t = np.geomspace(1e-2, 1e5, 2000)
    noisy = _staircase(t) * np.exp(0.01 * rng.standard_normal(t.size))
    found = plateaus(t, noisy, LEVELS, smooth_decades=0.2)
    assert [p.level_index for p in found] == [0, 1, 2, 3]
    assert max(abs(p.rel_gap) for p in found) < 5e-3
    # without smoothing the sample-to-sample noise breaks the slope criterion
    assert len(plateaus(t, noisy, LEVELS)) != 4


def test_power_law_has_no_plateau() -> None:
    t = np.geomspace(1.0, 1e6, 300)
    assert plateaus(t, 3.0 * t**-0.5) == []
    # a slope below the threshold is a plateau; no levels -> no level fields
    (p,) = plateaus(t, 3.0 * t**-0.01)
    assert p.level_index is None and p.decades == pytest.approx(6.0)


def test_ode_run_first_plateau_is_the_k0_pca_level() -> None:
    """Flow from a small random start (std 0.01, K = 3, spikes 9, 25, 81, flat bulk of 997
    modes): pmse first sits at the k = 0 PCA level (the total variance / 2) and leaves it."""
    D = 1000
    te = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 121)])
    res = integrate([9.0, 25.0, 81.0], 3, "erf", 0.1, seed=1, D=D, init_std=0.01,
                    bulk_trace=(D - 3) / D, bulk_modes=D - 3, t_eval=te)
    found = plateaus(res.t, res.pmse, res.pca_errors)
    assert found, "no plateau"
    first = found[0]
    assert first.level_index == 0 and abs(first.rel_gap) < 1e-3
    # it really ends: pmse 10x later is below 90 % of the level
    later = np.interp(10 * first.t_end, res.t, res.pmse)
    assert later < 0.9 * res.pca_errors[0]
    for p in found:  # every plateau is flat on the raw samples inside it
        inside = (res.t >= p.t_start) & (res.t <= p.t_end)
        if inside.sum() >= 2:
            r = res.pmse[inside]
            assert np.log(r.max() / r.min()) < 0.05 * np.log(p.t_end / p.t_start) + 1e-9


@pytest.mark.parametrize(("t", "p", "match"), [
    ([1.0, 2.0], [1.0, 1.0], "3 positive"),
    ([1.0, 3.0, 2.0], [1.0, 1.0, 1.0], "increasing"),
    ([1.0, 2.0, 3.0], [1.0, 0.0, 1.0], "positive"),
    ([1.0, 2.0, 3.0], [1.0, np.nan, 1.0], "finite"),
    ([1.0, 2.0, 3.0], [1.0, 1.0], "length"),
])
def test_bad_input(t: list, p: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        plateaus(t, p)


def test_bad_levels() -> None:
    with pytest.raises(ValueError, match="levels"):
        plateaus([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [1.0, -1.0])
