"""Tests for derivations.pretorius2018.appB_closed_form: eq5 and Appendix B (B.9 ...
B.solve), B.conserved, eq5.balanced.

Ground truth here is an independent numerical integration of the printed scalar dynamics
[eq2]/[eq3], written out in this file (not taken from the module under test).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad, solve_ivp

from derivations import get
from derivations.engine.step import Method
from derivations.pretorius2018 import appB_closed_form as hyp
from derivations.pretorius2018.symbols import c0, eps, lam, t, tau, theta, w0
from tests.conftest import EQUATIONS, check_verdict, outcome
from tests.scalar_references import simulate_dae as simulate

#: expected verdicts, decided by hand (see the module docstrings for the reasoning)
EXPECTED = {
    "eq5": "holds",
    "B.conserved": "holds",
    "B.9": "holds",
    "B.coords": "holds",
    "B.w": "holds",
    "B.theta": "holds",
    "B.int": "holds",
    "B.E": "holds",
    "B.solve": "holds",
    "eq5.balanced": "holds",
}


def closed_form(expr: sp.Expr):
    return sp.lambdify((t, lam, eps, tau, c0, w0), expr, "numpy")


W5 = closed_form(get("eq5").exprs["w"])
W5_ALG = closed_form(get("eq5").exprs["w_algebraic"])
THETA5 = closed_form(get("eq5").exprs["theta_t"])
WBAL = sp.lambdify((t, lam, eps, tau, w0), get("eq5.balanced").exprs["w"], "numpy")


# ------------------------------------------------------------------------------- verdicts
def test_module_steps_and_labels() -> None:
    ids = [s.id for s in hyp.STEPS]
    assert sorted(ids) == sorted(EXPECTED)
    text = EQUATIONS.read_text()
    for s in hyp.STEPS:
        if s.printed_in_paper:
            assert f"[{s.id}]" in text, s.id
        else:
            assert s.section == "B"


@pytest.mark.parametrize("step_id", sorted(EXPECTED))
def test_status(step_id: str) -> None:
    check_verdict(step_id, EXPECTED[step_id])


def test_numeric_checks_are_labelled() -> None:
    for step_id in ("eq5", "B.int", "eq5.balanced"):
        out = outcome(step_id)
        assert out.method is Method.SYMBOLIC_NUMERIC and out.checks


# ------------------------------------------------------------------------------- eq5 vs ODE
CASES = [
    # lam, eps, tau, w1(0), w2(0)
    (1.0, 0.5, 2.0, 0.1, 0.3),  # w1^2 < w2^2, small init
    (2.0, 1.0, 1.0, 0.8, 0.2),  # w1^2 > w2^2
    (1.0, 5.0, 1.0, -0.5, 1.5),  # w0 < 0, crosses zero
    (1.0, 0.0, 1.0, 2.0, 0.01),  # no noise, w1^2 > w2^2
    (1.0, 1.0, 3.0, 1.2, 1.0),  # w0 = 1.2 > w* = 0.5: decreasing
    (3.0, 0.2, 1.0, -0.2, -0.6),  # w2 < 0: the (-w1, -w2) sheet
    (1.0, 1.0, 1.0, 0.3, -0.05),  # w1^2 > w2^2 with w2 < 0
]


@pytest.mark.parametrize("case", CASES)
def test_eq5_matches_ode(case: tuple[float, ...]) -> None:
    lv, ev, tv, a0, b0 = case
    ts = np.linspace(0.0, 8.0, 41)
    y = simulate(lv, ev, tv, a0, b0, ts)
    w_num = y[0] * y[1]
    cv, wv = abs(b0**2 - a0**2), a0 * b0
    np.testing.assert_allclose(W5(ts, lv, ev, tv, cv, wv), w_num, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(W5_ALG(ts, lv, ev, tv, cv, wv), w_num, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cv / 2 * np.sinh(THETA5(ts, lv, ev, tv, cv, wv)), w_num,
                               rtol=1e-8, atol=1e-10)
    # conserved quantity [B.conserved]
    np.testing.assert_allclose(y[1] ** 2 - y[0] ** 2, b0**2 - a0**2, atol=1e-9)


@given(lv=st.floats(0.2, 5.0), ev=st.floats(0.0, 5.0), tv=st.floats(0.5, 5.0),
       a0=st.floats(-2.0, 2.0), b0=st.floats(-2.0, 2.0))
def test_eq5_matches_ode_random(lv: float, ev: float, tv: float, a0: float, b0: float) -> None:
    cv = abs(b0**2 - a0**2)
    if cv < 0.05:  # near-balanced: eq5 is a 0/0 form there (see eq5.balanced)
        return
    ts = np.linspace(0.0, 3.0, 7)
    y = simulate(lv, ev, tv, a0, b0, ts)
    np.testing.assert_allclose(W5(ts, lv, ev, tv, cv, a0 * b0), y[0] * y[1],
                               rtol=1e-7, atol=1e-9)


def test_eq5_high_precision() -> None:
    """mpmath Taylor integration of eq2/eq3 at 30 digits against eq5 at 30 digits."""
    fw = sp.lambdify((t, lam, eps, tau, c0, w0), get("eq5").exprs["w"], "mpmath")
    with mp.workdps(30):
        for lv, ev, tv, a0, b0 in (("1", "0.5", "2", "0.1", "0.3"), ("2", "3", "1", "1.1", "0.2")):
            lv, ev, tv, a0, b0 = (mp.mpf(x) for x in (lv, ev, tv, a0, b0))

            def rhs(_t, y, lv=lv, ev=ev, tv=tv):
                a, b = y
                return [(b * lv * (1 - b * a) - ev * b * b * a) / tv,
                        (a * lv * (1 - b * a) - ev * b * a * a) / tv]

            sol = mp.odefun(rhs, 0, [a0, b0])
            for x in (mp.mpf("0.5"), mp.mpf(2)):
                a, b = sol(x)
                got = fw(x, lv, ev, tv, abs(b0**2 - a0**2), a0 * b0)
                assert abs(got - a * b) < mp.mpf(10) ** -20


# ------------------------------------------------------------------------------- Appendix B
def test_b_theta_rhs_reproduces_product() -> None:
    """Integrate the exposed tau dtheta/dt and map back with w = (c0/2) sinh theta."""
    lv, ev, tv, a0, b0 = 1.5, 0.7, 2.0, 0.3, 0.9
    cv = b0**2 - a0**2
    rhs = sp.lambdify((theta, lam, eps, c0), get("B.theta").exprs["rhs"], "math")
    th0 = math.asinh(2 * a0 * b0 / cv)
    ts = np.linspace(0.0, 5.0, 11)
    sol = solve_ivp(lambda _t, y: [rhs(y[0], lv, ev, cv) / tv], (0, 5), [th0], t_eval=ts,
                    rtol=1e-12, atol=1e-14)
    y = simulate(lv, ev, tv, a0, b0, ts)
    np.testing.assert_allclose(cv / 2 * np.sinh(sol.y[0]), y[0] * y[1], rtol=1e-8)


def test_fixed_point_and_rate() -> None:
    lv, ev, tv, a0, b0 = 1.0, 2.0, 1.5, 0.4, 1.0
    cv = b0**2 - a0**2
    w_star = lv / (lv + ev)
    rate = float(get("B.theta").exprs["rate"].subs({lam: lv, eps: ev, tau: tv, c0: cv}))
    th_star = float(get("B.theta").exprs["theta_star"].subs({lam: lv, eps: ev, c0: cv}))
    assert cv / 2 * math.sinh(th_star) == pytest.approx(w_star, rel=1e-12)
    rhs = sp.lambdify((theta, lam, eps, c0), get("B.theta").exprs["rhs"], "math")
    h = 1e-6
    slope = (rhs(th_star + h, lv, ev, cv) - rhs(th_star - h, lv, ev, cv)) / (2 * h) / tv
    assert slope == pytest.approx(-rate, rel=1e-7)
    # the simulated product approaches w* at that rate (late-time log slope)
    # (t = 5..7: the gap is ~1e-4, so the nonlinear correction is ~1e-4 relative and the
    # integrator's rtol 1e-12 is negligible against it; later times lose digits to rtol)
    ts = np.array([5.0, 7.0])
    y = simulate(lv, ev, tv, a0, b0, ts)
    gap = np.abs(y[0] * y[1] - w_star)
    assert -math.log(gap[1] / gap[0]) / 2.0 == pytest.approx(rate, rel=1e-3)


def test_rate_increases_with_noise_only_if_unbalanced() -> None:
    r = get("B.theta").exprs["rate"]
    vals = [float(r.subs({lam: 1, tau: 1, c0: 0.5, eps: e})) for e in (0, 1, 5)]
    assert vals[0] < vals[1] < vals[2]
    assert float(r.subs({lam: 1, tau: 1, c0: 0, eps: 5})) == pytest.approx(2.0)


@pytest.mark.parametrize("bv,th0,thf", [(0.7, -1.0, 0.9), (2.5, 3.0, 1.0), (1.0, 0.0, 0.8)])
def test_b_int_printed_bracket(bv: float, th0: float, thf: float) -> None:
    """[B.int] as printed (complex principal logs above theta*) against quadrature."""
    lv, tv = 1.3, 0.7
    zv = math.sqrt(bv**2 + 4)

    def bracket(x: float) -> complex:
        u = math.tanh(x / 2)
        return tv / (zv * lv) * np.log(complex((zv + bv + 2 * u) / (zv - bv - 2 * u)))

    val, _ = quad(lambda x: tv / (lv * (2 - bv * math.sinh(x))), th0, thf, epsabs=1e-13)
    got = bracket(thf) - bracket(th0)
    assert abs(got.imag) < 1e-12
    assert got.real == pytest.approx(val, rel=1e-10)


def test_b_e_and_b_solve_printed_along_flow() -> None:
    """Printed [B.E] and [B.solve] hold for (delta_0, delta_f) read off a simulated theta path."""
    lv, ev, tv, a0, b0 = 1.0, 0.5, 1.0, 0.2, 0.7
    cv = b0**2 - a0**2
    bv = cv * (1 + ev / lv)
    zv = math.sqrt(bv**2 + 4)
    ts = np.array([0.0, 1.3])
    y = simulate(lv, ev, tv, a0, b0, ts)
    d0, df = (math.tanh(math.asinh(2 * y[0][i] * y[1][i] / cv) / 2) for i in (0, 1))
    e = math.exp(lv * zv * ts[1] / tv)
    printed_e = (zv + bv + 2 * df) * (zv - bv - 2 * d0) / ((zv - bv - 2 * df) * (zv + bv + 2 * d0))
    assert printed_e == pytest.approx(e, rel=1e-8)
    lhs = df * ((1 - e) * (2 * bv + 4 * d0) - 2 * (e + 1) * zv)
    rhs = (1 - e) * (zv**2 - bv**2 - 2 * bv * d0) - 2 * (1 + e) * zv * d0
    assert lhs == pytest.approx(rhs, rel=1e-8)


def test_b9_numeric() -> None:
    """[B.9] by finite differences of w1 w2 along a simulated path."""
    lv, ev, tv = 1.0, 0.8, 2.0
    h = 1e-3
    ts = np.array([1.0 - h, 1.0, 1.0 + h])
    y = simulate(lv, ev, tv, 0.3, 0.6, ts)
    w_ = y[0] * y[1]
    dw = (w_[2] - w_[0]) / (2 * h)
    a, b = y[0][1], y[1][1]
    # central difference error O(h^2) ~ 1e-6 relative, integrator error ~1e-12 / h
    assert tv * dw == pytest.approx((lv - w_[1] * (lv + ev)) * (a * a + b * b), rel=1e-5)


# ------------------------------------------------------------------------------- balanced case
@pytest.mark.parametrize("lv,ev,tv,v0", [(1.0, 0.5, 2.0, 0.1), (2.0, 3.0, 1.0, 1.2),
                                         (1.0, 0.0, 1.0, 0.05)])
def test_balanced_matches_ode(lv: float, ev: float, tv: float, v0: float) -> None:
    ts = np.linspace(0.0, 6.0, 25)
    y = simulate(lv, ev, tv, v0, v0, ts)
    np.testing.assert_allclose(WBAL(ts, lv, ev, tv, v0 * v0), y[0] * y[1], rtol=1e-8)


def test_eq5_tends_to_balanced() -> None:
    """eq5 -> logistic as c0 -> 0+ (high precision: eq5 is a 0/0 form there).

    The gap shrinks like c0^2 (measured; w depends on the initial weights through c0^2 and w0
    only at leading order), so each factor 10 in c0 gives a factor ~100.
    """
    fw = sp.lambdify((t, lam, eps, tau, c0, w0), get("eq5").exprs["w"], "mpmath")
    fb = sp.lambdify((t, lam, eps, tau, w0), get("eq5.balanced").exprs["w"], "mpmath")
    with mp.workdps(60):
        args = (mp.mpf("1.5"), mp.mpf(1), mp.mpf("0.5"), mp.mpf(2))
        wv = mp.mpf("0.04")
        target = fb(*args, wv)
        gaps = [abs(fw(*args, mp.mpf(10) ** -k, wv) - target) for k in (4, 6, 8)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert float(gaps[0] / gaps[1]) == pytest.approx(1e4, rel=0.01)
    assert float(gaps[1] / gaps[2]) == pytest.approx(1e4, rel=0.01)


def test_not_conserved_under_weight_decay() -> None:
    """Contrast of [B.conserved]: with [C.ode] w2^2 - w1^2 decays like exp(-2 N gamma t / tau)."""
    lv, ng, tv, a0, b0 = 1.0, 0.3, 1.0, 0.2, 0.9

    def f(_t: float, y: np.ndarray) -> list[float]:
        a, b = y
        return [(b * (lv - b * a * lv) - ng * a) / tv, (a * (lv - b * a * lv) - ng * b) / tv]

    sol = solve_ivp(f, (0, 2), [a0, b0], t_eval=[2.0], rtol=1e-12, atol=1e-14)
    c_t = sol.y[1][-1] ** 2 - sol.y[0][-1] ** 2
    assert c_t == pytest.approx((b0**2 - a0**2) * math.exp(-2 * ng * 2.0 / tv), rel=1e-8)
