"""Section "N" (derivations/stable_forms.py): statuses, and each stable form against an
independent integration of the paper's ODEs (eq2/eq3 and C.ode typed here from the paper)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from derivations import get
from derivations.pretorius2018 import numerics_forms as sf
from tests.conftest import outcome


@pytest.mark.parametrize("step_id", ["N.dae.template", "N.dae.stable", "N.dae.balanced_neg",
                                     "N.wdae.stable"])
def test_status(step_id):
    step = get(step_id)
    assert step.printed_in_paper is False and step.section == "N"
    assert outcome(step.key).status.value == "holds"


def _flow(lam, eps, ngamma, tau, w1, w2, t):
    """[eq2]/[eq3] plus the decay of [C.ode], integrated to tight tolerances."""
    def f(_, y):
        a, b = y
        return [(b * lam * (1 - a * b) - eps * b * b * a - ngamma * a) / tau,
                (a * lam * (1 - a * b) - eps * b * a * a - ngamma * b) / tau]

    sol = solve_ivp(f, (0, t[-1]), [w1, w2], t_eval=t, rtol=1e-12, atol=1e-14, method="DOP853")
    return sol.y[0] * sol.y[1]


def _by_name(expr):
    return {s.name: s for s in expr.free_symbols}


@pytest.mark.parametrize("lam, eps, tau, w1, w2", [(1.3, 0.7, 2.0, 0.05, 0.4),
                                                   (0.4, 2.0, 1.0, 0.9, -0.2),
                                                   (2.0, 0.0, 1.0, -0.01, 0.3),
                                                   (1.0, 0.3, 1.0, 0.2, 0.2)])
def test_dae_stable_form_solves_eq2_eq3(lam, eps, tau, w1, w2):
    step = get("N.dae.stable")
    expr = step.exprs["w"]
    w0, c0 = w1 * w2, abs(w2**2 - w1**2)
    y0_expr = step.exprs["Y0_nonneg" if w0 >= 0 else "Y0_neg"]
    vals = {"lambda": lam, "varepsilon": eps, "tau": tau, "w_0": w0, "c_0": c0}
    y0 = float(y0_expr.subs({s: vals[n] for n, s in _by_name(y0_expr).items()}))
    assert y0 > 0
    t = np.linspace(0, 6 * tau / lam, 13)
    zeta = np.sqrt((c0 * (lam + eps) / lam) ** 2 + 4)
    q = np.exp(-zeta * lam * t / tau)
    vals.update({"Y_0": y0})
    f = sp.lambdify([sp.Symbol("q", nonnegative=True), sp.Symbol("m", nonnegative=True)],
                    expr.subs({s: vals[n] for n, s in _by_name(expr).items()
                               if n not in ("q", "m")}))
    got = np.array([float(f(qq, 1 - qq)) for qq in q])
    np.testing.assert_allclose(got, _flow(lam, eps, 0.0, tau, w1, w2, t), rtol=1e-8, atol=1e-12)


def test_balanced_negative_form_solves_eq2_eq3():
    expr = get("N.dae.balanced_neg").exprs["w"]
    lam, eps, tau, a = 0.8, 0.5, 1.5, 0.6
    t = np.linspace(0, 5, 11)
    f = sp.lambdify([_by_name(expr)[n] for n in ("t", "lambda", "varepsilon", "tau", "w_0")],
                    expr)
    np.testing.assert_allclose(f(t, lam, eps, tau, -a * a), _flow(lam, eps, 0, tau, -a, a, t),
                               rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("lam, n_gamma", [(1.0, 0.3), (1.0, 1.0), (0.5, 1.7), (2.0, 0.0)])
def test_wdae_stable_forms_solve_c_ode(lam, n_gamma):
    step = get("N.wdae.stable")
    tau, w = 2.0, 0.3
    t = np.linspace(0, 8 * tau / lam, 9)
    x = 2 * (lam - n_gamma) * t / tau
    expr = step.exprs["w" if n_gamma <= lam else "w_neg"]
    b = _by_name(expr)
    f = sp.lambdify([b["x"], b["w_0"], b["lambda"], b["t"], b["tau"]], expr,
                    modules=[{"exprel": lambda z: np.where(z == 0, 1.0, np.expm1(z) / np.where(
                        z == 0, 1.0, z))}, "numpy"])
    np.testing.assert_allclose(f(x, w * w, lam, t, tau), _flow(lam, 0, n_gamma, tau, w, w, t),
                               rtol=1e-8, atol=1e-14)


def test_template_coefficients_rebuild_the_stable_form():
    step = get("N.dae.template")
    rng = np.random.default_rng(0)
    for _ in range(5):
        vals = {sf.lam: rng.uniform(0.1, 3), sf.eps: rng.uniform(0, 3), sf.c0: rng.uniform(0, 2),
                sf.w0: rng.uniform(0.01, 2)}
        s_ = np.sqrt(float(vals[sf.c0]) ** 2 + 4 * float(vals[sf.w0]) ** 2)
        vals[sf.Y0] = 2 * vals[sf.w0] + s_
        qq = rng.uniform(0, 1)
        vals.update({sf.q: qq, sf.m: 1 - qq})
        coeffs = {k: step.exprs[k].subs(vals) for k in ("A1", "B1", "A2", "B2", "C1", "D1",
                                                          "C2", "D2")}
        tmpl = step.exprs["w"]
        b = _by_name(tmpl)
        got = float(tmpl.subs({b[k]: v for k, v in coeffs.items()}).subs(
            {b["q"]: qq, b["m"]: 1 - qq}))
        ref = float(sf.W_DAE_STABLE.subs(vals))
        assert got == pytest.approx(ref, rel=1e-12)
