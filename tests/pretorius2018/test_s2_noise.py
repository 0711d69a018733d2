"""Section 2 / Appendix A (labels L, A.1, A.2, eq1, noise): statuses and independent checks.

The expected loss [eq1] is checked against Monte Carlo averages over sampled Gaussian and
Laplace noise, written here in NumPy (not from the module's expressions).
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.pretorius2018 import s2_noise as noise
from derivations.pretorius2018.symbols import N, b, sigma
from tests.conftest import outcome

EXPECTED = {"L": "holds", "A.1": "holds", "A.2": "holds", "eq1": "holds", "noise": "holds"}


@pytest.mark.parametrize("step", noise.STEPS, ids=lambda s: s.id)
def test_status(step) -> None:
    out = outcome(step.key)
    assert out.status.value == EXPECTED[step.id]
    assert out.chain, "a proof must record its chain"


def test_ids_and_section() -> None:
    assert [s.id for s in noise.STEPS] == ["L", "A.1", "A.2", "eq1", "noise"]
    assert {s.section for s in noise.STEPS} == {"2"}


def _eq1_numpy(x: np.ndarray, w1: np.ndarray, w2: np.ndarray, var: float) -> float:
    """[eq1] written out in NumPy: x is D x N (columns are samples)."""
    m = w2 @ w1
    n = x.shape[1]
    return float(np.sum((x - m @ x) ** 2) / (2 * n) + var / 2 * np.trace(m @ m.T))


def _mc_loss(x, w1, w2, draw, reps: int) -> tuple[float, float]:
    """Monte Carlo E_e[L] (mean, standard error) with noise drawn by ``draw(shape)``."""
    m = w2 @ w1
    n = x.shape[1]
    vals = np.empty(reps)
    for r in range(reps):
        e = draw(x.shape)
        vals[r] = np.sum((x - m @ (x + e)) ** 2) / (2 * n)
    return float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(reps))


@pytest.mark.parametrize("law", ["gaussian", "laplace"])
def test_eq1_monte_carlo(law: str) -> None:
    rng = np.random.default_rng(7)
    d, h, n = 4, 3, 5
    x = rng.normal(size=(d, n))
    w1, w2 = rng.normal(size=(h, d)), rng.normal(size=(d, h))
    if law == "gaussian":
        sd = 0.7
        var = sd**2
        draw = lambda shape: rng.normal(0.0, sd, size=shape)  # noqa: E731
    else:
        scale = 0.5
        var = 2 * scale**2  # variance of Laplace(0, b)
        draw = lambda shape: rng.laplace(0.0, scale, size=shape)  # noqa: E731
    mean, se = _mc_loss(x, w1, w2, draw, 20000)
    # 5 standard errors: a false failure has probability < 1e-6
    assert abs(mean - _eq1_numpy(x, w1, w2, var)) < 5 * se


def test_eq1_printed_expression_matches_numpy() -> None:
    """The module's explicit [eq1] (D=3, H=2, N=2) evaluated at numbers equals the NumPy form."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2))
    w1, w2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    var = 0.3
    subs = {noise.s: np.sqrt(var)}
    subs.update({sym: w1[i, j] for (i, j), sym in np.ndenumerate(np.array(noise.W1))})
    subs.update({sym: w2[i, j] for (i, j), sym in np.ndenumerate(np.array(noise.W2))})
    for k, xv in enumerate(noise.XS):
        subs.update({sym: x[i, k] for i, sym in enumerate(xv)})
    val = float(noise.EQ1.exprs["expected_loss_D3_N2"].subs(subs))
    assert val == pytest.approx(_eq1_numpy(x, w1, w2, var), rel=1e-12)


def test_noise_eps_against_sampled_variances() -> None:
    rng = np.random.default_rng(11)
    n_data, sd, scale = 50000, 0.8, 0.6
    g = rng.normal(0.0, sd, size=400000)
    lap = rng.laplace(0.0, scale, size=400000)
    eps_g = float(noise.NOISE.exprs["eps_gaussian"].subs({N: n_data, sigma: sd}))
    eps_l = float(noise.NOISE.exprs["eps_laplace"].subs({N: n_data, b: scale}))
    # sample variance of 4e5 draws: relative standard error ~ sqrt(2/4e5) (Gaussian),
    # sqrt(5/4e5) (Laplace, kurtosis 6); 2% is > 5 standard errors
    assert eps_g == pytest.approx(n_data * g.var(), rel=0.02)
    assert eps_l == pytest.approx(n_data * lap.var(), rel=0.02)


def test_moments_by_integration_match_scipy() -> None:
    from scipy import stats

    gm = [float(m.subs(sigma, 1.3)) for m in noise.gaussian_moments()]
    lm = [float(m.subs(b, 0.7)) for m in noise.laplace_moments()]
    for k in range(5):
        assert gm[k] == pytest.approx(stats.norm(scale=1.3).moment(k), rel=1e-12, abs=1e-14)
        assert lm[k] == pytest.approx(stats.laplace(scale=0.7).moment(k), rel=1e-12, abs=1e-14)


def test_expectation_operator_keeps_unknown_moments() -> None:
    """The 'no moment of order >= 3' checks in A.1/A.2 are not vacuous."""
    e1, e2 = sp.symbols("e1 e2")
    mom = noise.isotropic_moment(sp.Symbol("v"))
    assert noise.expect(e1**3 + e1 * e2, [e1, e2], mom).free_symbols != set()
    assert noise._has_unknown_moment(noise.expect(e1**2 * e2, [e1, e2], mom))
    assert noise.expect(3 * e1**2 + e1 * e2 + e2 + 2, [e1, e2], mom) == 3 * sp.Symbol("v") + 2


@lru_cache(maxsize=1)
def _laplace_moments_6() -> tuple[sp.Expr, ...]:
    return tuple(noise.laplace_moments(kmax=6))


@given(st.integers(min_value=1, max_value=3), st.floats(min_value=0.1, max_value=2.0))
def test_iid_moment_products(power: int, scale: float) -> None:
    """E[e1^2 e2^(2p)] for i.i.d. Laplace components equals the product of 1-D moments."""
    e1, e2 = sp.symbols("e1 e2")
    lm = _laplace_moments_6()
    val = noise.expect(e1**2 * e2 ** (2 * power), [e1, e2], noise.iid_moment(lm))
    expected = 2 * scale**2 * factorial(2 * power) * scale ** (2 * power)  # E|z|^k = k! b^k
    assert float(val.subs(b, scale)) == pytest.approx(expected, rel=1e-12)


def test_unevaluated_expectation_link_rejects_wrong_value() -> None:
    """The E_e(...) links of A.1/A.2 are closed by evaluating E, so a wrong value fails."""
    from derivations.engine.proof import Chain, ProofError

    ev = list(noise.e)
    to_e = noise.expectation_of(ev, noise.isotropic_moment(noise.s**2))
    Chain().equal(noise.E_e(ev[0] ** 2 + ev[0] * ev[1]), noise.s**2, "E", via=(to_e,))
    with pytest.raises(ProofError):
        Chain().equal(noise.E_e(ev[0] ** 2), 0, "wrong", via=(to_e,))
