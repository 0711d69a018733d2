"""Reduced (C.8) flow vs the full flow on the aligned ansatz, C.6 and the power laws."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.shallow import reduced
from numerics.shallow.ode import Flow, integrate

RT = np.array([9.0, 4.0])


def test_reduced_rhs_equals_full_flow_on_ansatz() -> None:
    fl = Flow(RT, 2, "erf", 0.1)
    for a, b in (([1.0, 0.7], [0.5, 2.0]), ([0.05, 0.3], [20.0, 3.0]), ([2.0, 1e-3], [0.1, 1e3])):
        a, b = np.array(a), np.array(b)
        y = fl.pack(np.diag(a), np.diag(b))
        full = fl(0.0, y).reshape(4, 2)
        da, db = reduced.rhs(a, b, RT, "erf", 0.1)
        assert np.allclose(np.diag(full[:2]), da, rtol=1e-13, atol=0)
        assert np.allclose(np.diag(full[2:]), db, rtol=1e-13, atol=0)
        # the ansatz is invariant: off-diagonal (unit on another mode) increments vanish
        assert np.max(np.abs(full[:2] - np.diag(np.diag(full[:2])))) == 0.0
        assert np.max(np.abs(full[2:] - np.diag(np.diag(full[2:])))) == 0.0


def test_reduced_trajectory_equals_full_flow() -> None:
    a0, b0 = np.array([0.8, 0.6]), np.array([0.3, 0.9])
    te = np.linspace(0, 200, 21)
    full = integrate(RT, 2, "erf", 0.1, t_eval=te, alpha0=np.diag(a0), beta0=np.diag(b0),
                     rtol=1e-12, atol=1e-15)
    red = reduced.integrate(a0, b0, RT, "erf", 0.1, t_eval=te, rtol=1e-12)
    # both solved to rtol 1e-12; agreement limited by the two integrators' errors
    assert np.allclose(np.sqrt(np.diagonal(full.Q, axis1=1, axis2=2) / RT), red["a"], rtol=1e-9)
    assert np.allclose(np.diagonal(full.T0, axis1=1, axis2=2), red["b"] ** 2, rtol=1e-9)
    excess = full.pmse - full.pca_errors[2]
    assert np.allclose(excess, red["excess"].sum(1), rtol=1e-9, atol=1e-12)


def test_optimal_decoder_is_stationary() -> None:
    import sympy as sp

    from derivations.engine import get

    bs = get("refinetti2020:RG.C.bstar").expr("bstar")
    f = sp.lambdify(sorted(bs.free_symbols, key=str), bs)  # (a, rt)
    a = np.array([0.01, 0.3, 2.0])
    b = f(a, 9.0)
    _, db = reduced.rhs(a, b, np.full(3, 9.0))
    assert np.max(np.abs(db)) < 1e-12 * np.max(b)


@pytest.mark.parametrize("t_end", [1e9, pytest.param(1e14, marks=pytest.mark.slow)])
def test_power_laws(t_end: float) -> None:
    te = np.concatenate([[0.0], np.geomspace(1e-2, t_end, 240)])
    r = reduced.integrate([1.0], [0.5], [9.0], t_eval=te, rtol=1e-10)
    lt = np.log(r["t"][1:])
    tail = slice(-30, None)  # the last decade and a half
    for series, want in ((r["a"][1:, 0], -1 / 6), (r["b"][1:, 0], 1 / 6),
                         (r["excess"][1:, 0], -2 / 3)):
        slope = np.polyfit(lt[tail], np.log(series[tail]), 1)[0]
        assert abs(slope - want) < 0.01 * abs(want), (slope, want)
    assert abs(r["a"][-1, 0] * r["b"][-1, 0] - np.sqrt(np.pi / 2)) < 0.05
