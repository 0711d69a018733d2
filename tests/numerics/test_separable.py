"""The blocked evaluator reproduces a plain lambdify of the registry templates, for any shape."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import numerics.separable as sep
from derivations import get


def _direct(name: str, decay: str, t, rate, coeffs: dict[str, np.ndarray]) -> np.ndarray:
    """Lambdify of the whole registry expression (q, m written out), no splitting, no blocks."""
    expr = get("N.dae.template").exprs[name]
    by = {s.name: s for s in expr.free_symbols}
    k, tt = sp.Symbol("k"), sp.Symbol("tt")
    expr = expr.subs(by[decay], sp.exp(-k * tt))
    if "m" in by:
        expr = expr.subs(by["m"], 1 - sp.exp(-k * tt))
    names = sorted(coeffs)
    f = sp.lambdify([k, tt, *(by[n] for n in names)], expr, "mpmath")
    shape = np.broadcast_shapes(np.shape(t), np.shape(rate), *(np.shape(v) for v in
                                                                coeffs.values()))
    out = np.empty(shape)
    args = np.broadcast_arrays(rate, t, *(coeffs[n] for n in names))
    for idx in np.ndindex(shape):
        out[idx] = float(f(*(float(a[idx]) for a in args)))
    return out


def test_linear_factors_of_the_dae_template():
    expr = get("N.dae.template").exprs["w"]
    by = {s.name: s for s in expr.free_symbols}
    factors, scale = sep.linear_factors(expr, (by["q"], by["m"]))
    assert scale == sp.Rational(1, 4)
    assert sorted(f.power for f in factors) == [-1, -1, 1, 1]
    rebuilt = scale * sp.Mul(*[(sum(c * (1 if k == "1" else by[k]) for k, c in f.coef.items()))
                               ** f.power for f in factors])
    assert sp.cancel(rebuilt - expr) == 0


def test_non_linear_factor_is_refused():
    q, a = sp.symbols("q a")
    with pytest.raises(ValueError, match="not linear"):
        sep.linear_factors(a / (1 + a * q**2), (q,))


@pytest.mark.parametrize("shape_t, shape_p", [((), ()), ((7,), ()), ((40, 1), (3,)),
                                                ((5, 1, 1), (2, 3)), ((0, 1), (3,))])
@pytest.mark.parametrize("block", [1, 5, 10**6])
def test_blocks_match_direct_evaluation(shape_t, shape_p, block, monkeypatch):
    monkeypatch.setattr(sep, "BLOCK", block)
    rng = np.random.default_rng(sum(shape_t) + block)
    t = rng.uniform(0, 30, shape_t)
    rate = rng.uniform(0.01, 2, shape_p)
    names = ("A1", "B1", "A2", "B2", "C1", "D1", "C2", "D2")
    coeffs = {n: rng.uniform(0.1, 3, shape_p) for n in names}
    tp = sep.template("N.dae.template", "w", "q", "m", ())  # coefficients given directly
    got = sep.evaluate(tp, rate, t, coeffs, np.broadcast_shapes(shape_t, shape_p))
    ref = _direct("w", "q", t, rate, coeffs)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-13)


def test_logistic_template_blocks():
    tp = sep.template("N.dae.template", "logistic", "q_2", None, ("L_A", "L_B"))
    t = np.arange(50.0)[:, None]
    w0 = np.array([1e-12, 0.3, 2.0])
    params = {"lambda": np.array([0.5, 1.0, 3.0]), "varepsilon": np.array([0.0, 1.0, 0.1]),
              "w_0": w0}
    rate = 2 * params["lambda"]
    got = sep.evaluate(tp, rate, t, params, (50, 3))
    ws = params["lambda"] / (params["lambda"] + params["varepsilon"])
    # independent: logistic solution of tau dw/dt = 2 w (lam - (lam + eps) w), tau = 1
    ref = ws / (1 + (ws / w0 - 1) * np.exp(-rate * t))
    np.testing.assert_allclose(got, ref, rtol=1e-14)
