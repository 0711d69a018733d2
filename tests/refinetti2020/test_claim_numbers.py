"""The numbers the RG.S.* claim steps quote (derivations/refinetti2020/claims.py), recomputed
from the flow at the Fig. 2 parameters with the exact flat bulk: if the numerics change, the
notes must change with them."""

from __future__ import annotations

import numpy as np
import pytest

from derivations import get
from numerics.shallow import plateaus
from numerics.shallow.ode import integrate

RT, D = np.array([81.0, 25.0, 9.0]), 1000


def _flow(truncated: bool, seed: int = 1):
    return integrate(RT, 3, "erf", 0.1, truncated=truncated, t_max=1e6, seed=seed, D=D,
                     bulk_trace=(D - 3) / D, bulk_modes=D - 3)


def _at(r, t: float) -> float:
    return float(r.pmse[np.argmin(np.abs(r.t - t))])


@pytest.fixture(scope="module")
def vanilla():
    return _flow(False)


def test_pca_erf_numbers(vanilla) -> None:
    note = get("refinetti2020:RG.S.pca_erf").note or ""
    assert vanilla.pca_errors[-1] == pytest.approx(0.4985, abs=1e-12)
    for t, quoted in ((1e3, 0.8810), (1e4, 0.5705), (1e5, 0.5135), (1e6, 0.5017)):
        assert _at(vanilla, t) == pytest.approx(quoted, abs=2e-3), t
    ex = [_at(vanilla, t) - vanilla.pca_errors[-1] for t in (1e4, 1e5, 1e6)]
    slopes = np.diff(np.log10(ex))  # per decade
    np.testing.assert_allclose(slopes, -2 / 3, atol=0.03)
    assert "0.5017" in _claim_text("RG.S.pca_erf") or "0.5017" in note


def test_sequential_plateaus(vanilla) -> None:
    found = plateaus(vanilla.t, vanilla.pmse, vanilla.pca_errors)
    assert [p.level_index for p in found] == [0, 3]  # levels 1 and 2 are passed through
    assert found[-1].rel_gap == pytest.approx(0.022, abs=2e-3)


def test_truncated_flow_is_diagonal_vanilla_is_not(vanilla) -> None:
    tr = _flow(True)
    a = np.abs(tr.alpha[:, :3])
    assert (a - np.diag(np.diag(a))).max() < 1e-12 * np.diag(a).min()
    v = np.abs(vanilla.alpha[:, :3])
    assert (v - np.diag(np.diag(v))).max() > np.diag(v).min()
    assert _at(tr, 1e6) == pytest.approx(0.5023, abs=2e-3)


def _claim_text(label: str) -> str:
    from derivations.engine.verify import verify_all

    return " ".join(r.outcome.note or "" for r in verify_all(f"refinetti2020:{label}"))
