"""Appendix F (label F): the identity-mapping estimate lambdahat_j / lambda_j and its range.

The step lives in ``derivations.pretorius2018.appF_mapping_ratio``; it is reached here by
label.  Independent references written out in this file: the estimate computed from data
exactly as Appendix F describes it (NumPy), and the scalar flow [eq2]/[eq3] typed from the
paper (solve_ivp).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import ortho_group

from derivations import get
from derivations.engine.step import Status
from tests.conftest import EQUATIONS, outcome


def estimate(x: np.ndarray, xhat: np.ndarray) -> np.ndarray:
    """lambdahat_j / lambda_j as printed in Appendix F (samples in columns)."""
    lams, v = np.linalg.eigh(x @ x.T)  # Sigma_xx = sum_i x_i x_i^T = V Lambda V^T
    lam_hat = v.T @ (x @ xhat.T) @ v  # V^T (sum_i x_i xhat_i^T) V
    return np.diag(lam_hat) / lams


def dae_flow(lam_: float, eps_: float, tau_: float):
    def f(_t: float, y: np.ndarray) -> list[float]:
        a, b = y
        return [(b * lam_ * (1 - b * a) - eps_ * b * b * a) / tau_,
                (a * lam_ * (1 - b * a) - eps_ * b * a * a) / tau_]

    return f


def products(lam_: float, eps_: float, a0: float, b0: float, ts: np.ndarray) -> np.ndarray:
    sol = solve_ivp(dae_flow(lam_, eps_, 1.0), (0.0, float(ts[-1])), [a0, b0], t_eval=ts,
                    method="DOP853", rtol=1e-12, atol=1e-14)
    assert sol.success
    return sol.y[0] * sol.y[1]


# ------------------------------------------------------------------------------- verdict
def test_status() -> None:
    """Refuted: 'lies in [0, 1]' fails for a linear AE started above 1 (verdict by hand)."""
    step = get("F")
    out = outcome(step.key)
    assert out.status is Status.REFUTED
    assert step.section == "F" and "[F]" in EQUATIONS.read_text()
    assert out.chain and out.counterexample and out.corrected_text


# ------------------------------------------------------------------------------- identity
def test_ratio_is_eigenbasis_diagonal_of_the_mapping() -> None:
    """For xhat = M x (any M), lambdahat_j / lambda_j = (V^T M V)_jj, from random data."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 30)) * np.array([[3.0], [1.5], [1.0], [0.3]])
    m = rng.normal(size=(4, 4))
    _, v = np.linalg.eigh(x @ x.T)
    np.testing.assert_allclose(estimate(x, m @ x), np.diag(v.T @ m @ v), rtol=1e-10, atol=1e-12)
    # a general M gives values outside [0, 1]
    assert np.any((np.diag(v.T @ m @ v) < 0) | (np.diag(v.T @ m @ v) > 1))


def test_ratio_is_the_scalar_product_for_orthogonal_init() -> None:
    """With W1 = R diag(a) V^T, W2 = V diag(b) R^T ([3.2]) the ratio is w_j = a_j b_j."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 20)) * np.array([[2.0], [1.0], [0.5]])
    _, v = np.linalg.eigh(x @ x.T)
    r = ortho_group.rvs(3, random_state=5)
    a, b = rng.normal(size=3), rng.normal(size=3)
    m = (v @ np.diag(b) @ r.T) @ (r @ np.diag(a) @ v.T)
    np.testing.assert_allclose(estimate(x, m @ x), a * b, rtol=1e-10)


# ------------------------------------------------------------------------------- range
def test_counterexample_leaves_unit_interval() -> None:
    """AE (eps = 0), balanced w1 = w2 = sqrt(1.5): the product stays above 1."""
    out = outcome("F")
    ce = out.counterexample
    w = products(ce["lambda"], ce["eps"], math.sqrt(ce["w0"]), math.sqrt(ce["w0"]),
                 np.array([ce["t"]]))
    assert w[-1] > 1.0
    assert ce["ratio"] == pytest.approx(w[-1], rel=1e-9)


def test_negative_start_leaves_unit_interval() -> None:
    ts = np.linspace(0.0, 0.5, 6)
    w = products(1.0, 1.0, -0.1, 0.2, ts)
    assert w[0] < 0 and w[1] < 0


@pytest.mark.parametrize("eps_", [0.0, 1.0, 5.0])
def test_small_positive_start_stays_in_range(eps_: float) -> None:
    """Inside [0, w*] (a subset of [0, 1]) when 0 <= w0 <= w*, also unbalanced."""
    ts = np.linspace(0.0, 20.0, 201)
    ws = 1.0 / (1.0 + eps_)
    for a0, b0 in ((0.01, 0.01), (0.05, 0.3), (0.3, 0.05)):
        w = products(1.0, eps_, a0, b0, ts)
        assert np.all(w >= 0) and np.all(w <= ws * (1 + 1e-10))
        assert np.all(np.diff(w) >= -1e-12)  # monotone approach from below


# ------------------------------------------------------------------------------- invariance
def wdae_flow(lam_: float, ng: float):
    """[C.ode] typed from the paper (tau = 1); ng = N gamma."""

    def f(_t: float, y: np.ndarray) -> list[float]:
        a, b = y
        return [b * (lam_ - b * a * lam_) - ng * a, a * (lam_ - b * a * lam_) - ng * b]

    return f


@pytest.mark.parametrize("kind,param", [("dae", 0.0), ("dae", 2.0), ("wdae", 0.3),
                                        ("wdae", 1.5)])
def test_unit_interval_is_invariant_from_unbalanced_starts(kind: str, param: float) -> None:
    """Decoupled directions started anywhere in [0, 1], balanced or not, including above the
    fixed point, never leave [0, 1] (the corrected statement of F)."""
    ts = np.linspace(0.0, 15.0, 301)
    f = dae_flow(1.0, param, 1.0) if kind == "dae" else wdae_flow(1.0, param)
    for a0, b0 in ((0.0, 0.8), (0.05, 3.0), (3.0, 0.3), (0.9, 1.1), (0.3, 0.3)):
        assert 0.0 <= a0 * b0 <= 1.0
        sol = solve_ivp(f, (0.0, 15.0), [a0, b0], t_eval=ts, method="DOP853", rtol=1e-11,
                        atol=1e-13)
        w = sol.y[0] * sol.y[1]
        # 1e-9: integrator tolerance; the flows touch the boundary only at t = 0
        assert np.all(w >= -1e-9) and np.all(w <= 1 + 1e-9)


def test_small_random_initialisation_starts_negative() -> None:
    """The paper's small random (non-orthogonal) start: the estimate computed from data is
    negative for some eigen-directions at t = 0."""
    rng = np.random.default_rng(11)
    d, h = 10, 6
    x = rng.normal(size=(d, 200)) * np.linspace(3.0, 0.3, d)[:, None]
    wa, wb = 1e-2 * rng.normal(size=(h, d)), 1e-2 * rng.normal(size=(d, h))
    ratio = estimate(x, wb @ wa @ x)
    assert np.sum(ratio < 0) >= 2
    assert np.max(np.abs(ratio)) < 1e-2  # small, but outside [0, 1]


def test_orthogonal_ratio_expression() -> None:
    expr = get("F").exprs["ratio_orthogonal"]
    names = {s.name: s for s in expr.free_symbols}
    assert set(names) == {"w_1", "w_2"}
    assert float(expr.subs({names["w_1"]: 0.3, names["w_2"]: -2.0})) == pytest.approx(-0.6)
