"""numerics.shallow.integral against independent quadrature, Monte Carlo and bad input.

References (tests/shallow_references.py) use no closed form of the steps: polar Gauss-Legendre
quadrature in whitened coordinates (split at the ReLU kinks), a regression reduction for I3,
tensor Gauss-Hermite for the smooth I4, and known orthant probabilities for ReLU I4.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.shallow import integral
from numerics.shallow.integrals import ARITY, orthant4, relu_i4
from tests.shallow_references import act, hermite4, reference

LOW = ("E1", "J2", "I2", "I21", "I22", "I3", "K2")
ACTS = ("erf", "relu", "linear")


def _corr(n: int, rho: float) -> np.ndarray:
    return np.full((n, n), rho) + (1 - rho) * np.eye(n)


def _mixed(n: int) -> np.ndarray:
    C = np.array([[1.0, 0.3, -0.2, 0.1], [0.3, 2.0, 0.4, -0.5],
                  [-0.2, 0.4, 1.5, 0.6], [0.1, -0.5, 0.6, 1.2]])
    return C[:n, :n]


COVS = {
    "small": lambda n: 1e-2 * _mixed(n),
    "unit": _mixed,
    "large": lambda n: 10.0 * _mixed(n),
    "corr0.99": lambda n: 3.0 * _corr(n, 0.99),
    "anticorr": lambda n: 0.5 * (np.eye(n) - 0.3 * (np.ones((n, n)) - np.eye(n))),
}


def _tol(C: np.ndarray, ref: float, rel: float) -> float:
    return rel * (abs(ref) + float(np.max(np.diag(C))))


@pytest.mark.parametrize("cov", sorted(COVS))
@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("name", LOW)
def test_closed_forms_match_quadrature(name: str, activation: str, cov: str) -> None:
    C = COVS[cov](ARITY[name])
    ref = reference(name, activation, C)
    val = float(integral(name, activation, C))
    assert abs(val - ref) <= _tol(C, ref, 1e-12), (val, ref)


# degenerate index patterns: the same Gaussian variable in several slots (C singular)
def _pattern(base: np.ndarray, idx: tuple[int, ...]) -> np.ndarray:
    return base[np.ix_(idx, idx)]


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("idx", [(0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 0, 0)])
def test_i3_degenerate_patterns(activation: str, idx: tuple[int, ...]) -> None:
    base = np.array([[0.7, 0.25], [0.25, 1.3]])
    C = _pattern(base, idx)
    g, gp = act(activation)
    # the reduced two-variable integrand, written directly in the distinct variables
    slots = {0: 0, 1: 1}
    def f(u, v):
        xs = (u, v)
        a, b, c = (xs[slots[i]] for i in idx)
        return gp(a) * b * g(c)
    from tests.shallow_references import polar2
    ref = polar2(f, base)
    val = float(integral("I3", activation, C))
    assert abs(val - ref) <= _tol(C, ref, 1e-12), (val, ref)


@pytest.mark.parametrize("name", ["I2", "K2", "I21", "I22", "J2"])
@pytest.mark.parametrize("activation", ACTS)
def test_two_variable_degenerate(name: str, activation: str) -> None:
    C = 0.8 * np.ones((2, 2))  # x1 = x2
    ref = reference(name, activation, C)
    val = float(integral(name, activation, C))
    assert abs(val - ref) <= _tol(C, ref, 1e-12), (val, ref)


@pytest.mark.parametrize("cov", ["small", "unit", "anticorr"])
@pytest.mark.parametrize("activation", ["erf", "linear"])
def test_i4_smooth_vs_hermite(activation: str, cov: str) -> None:
    C = COVS[cov](4)
    g, gp = act(activation)
    ref = hermite4(lambda a, b, c, d: gp(a) * gp(b) * g(c) * g(d), C)
    val = float(integral("I4", activation, C))
    assert abs(val - ref) <= 1e-11 * (abs(ref) + 1), (val, ref)


def test_i4_erf_degenerate_pattern() -> None:
    base = np.array([[0.6, 0.2], [0.2, 0.9]])
    C = _pattern(base, (0, 0, 1, 1))
    from tests.shallow_references import polar2
    g, gp = act("erf")
    ref = polar2(lambda u, v: gp(u) ** 2 * g(v) ** 2, base)
    assert abs(float(integral("I4", "erf", C)) - ref) < 1e-12


def test_orthant4_known_values() -> None:
    # equicorrelated 1/2: P = 1/(n+1); independent blocks: product of bivariate orthants
    assert abs(float(orthant4(_corr(4, 0.5))) - 0.2) < 1e-12
    rho1, rho2 = 0.6, -0.3
    C = np.zeros((4, 4))
    C[:2, :2] = _corr(2, rho1)
    C[2:, 2:] = _corr(2, rho2)
    want = (0.25 + np.arcsin(rho1) / (2 * np.pi)) * (0.25 + np.arcsin(rho2) / (2 * np.pi))
    assert abs(float(orthant4(C)) - want) < 1e-12


def test_relu_i4_independent_blocks() -> None:
    C = np.zeros((4, 4))
    C[:2, :2] = [[1.0, 0.4], [0.4, 2.0]]
    C[2:, 2:] = [[1.5, -0.7], [-0.7, 0.9]]
    k2 = 0.25 + np.arcsin(0.4 / np.sqrt(2.0)) / (2 * np.pi)
    c11, c12, c22 = 1.5, -0.7, 0.9
    i2 = (np.sqrt(c11 * c22 - c12**2) + c12 * (np.pi / 2 + np.arcsin(c12 / np.sqrt(c11 * c22)))) \
        / (2 * np.pi)
    ref_i2 = reference("I2", "relu", C[2:, 2:])  # the I2 used above, itself by quadrature
    assert abs(i2 - ref_i2) < 1e-13
    assert abs(float(relu_i4(C)) - k2 * ref_i2) < 1e-12


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("cov", ["unit", "large", "corr0.99"])
def test_monte_carlo_within_5_sigma(activation: str, cov: str) -> None:
    rng = np.random.default_rng(20260)
    C = COVS[cov](4)
    n = 400_000
    x = rng.standard_normal((n, 4)) @ np.linalg.cholesky(C + 1e-15 * np.eye(4)).T
    g, gp = act(activation)
    G, Gp = g(x), gp(x)
    samples = {
        "E1": Gp[:, 0], "J2": x[:, 0] * G[:, 1], "I2": G[:, 0] * G[:, 1],
        "I21": Gp[:, 0] * x[:, 0] * x[:, 1], "I22": Gp[:, 0] * x[:, 1] ** 2,
        "I3": Gp[:, 0] * x[:, 1] * G[:, 2], "K2": Gp[:, 0] * Gp[:, 1],
        "I4": Gp[:, 0] * Gp[:, 1] * G[:, 2] * G[:, 3],
    }
    for name, s in samples.items():
        k = ARITY[name]
        val = float(integral(name, activation, C[:k, :k]))
        sem = s.std() / np.sqrt(n)
        assert abs(s.mean() - val) < 5 * sem + 1e-14, (name, s.mean(), val, sem)


def test_vectorised_shapes_and_values() -> None:
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 7, 3, 3))
    C = A @ np.swapaxes(A, -1, -2) + 0.1 * np.eye(3)
    out = integral("I3", "erf", C)
    assert out.shape == (5, 7) and out.dtype == np.float64
    assert out[2, 3] == pytest.approx(float(integral("I3", "erf", C[2, 3])), abs=1e-15)
    assert integral("I4", "relu", np.stack([np.eye(4)] * 3)).shape == (3,)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("I9", "erf", np.eye(2)), "unknown integral"),
        (("I2", "tanh", np.eye(2)), "unknown activation"),
        (("I2", "erf", np.eye(3)), "shape"),
        (("I3", "erf", np.eye(2)), "shape"),
        (("I2", "erf", np.array([[1.0, 0.5], [0.4, 1.0]])), "not symmetric"),
        (("I2", "erf", np.array([[1.0, 2.0], [2.0, 1.0]])), "not positive semi-definite"),
        (("I2", "erf", np.array([[1.0, np.nan], [np.nan, 1.0]])), "non-finite"),
        (("K2", "relu", np.zeros((2, 2))), "variance is zero"),
        (("I4", "relu", np.ones((4, 4))), "positive-definite"),
    ],
)
def test_bad_input(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        integral(*args)


@st.composite
def pd_covariances(draw: st.DrawFn, n: int) -> np.ndarray:
    scale = 10 ** draw(st.floats(-2, 1))
    rows = [draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n)) for _ in range(n)]
    A = np.array(rows) + 0.05 * np.eye(n)
    C = A @ A.T
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    R = np.clip(R, -0.99, 0.99) + np.diag(1 - np.clip(np.diag(R), -0.99, 0.99))
    if np.linalg.eigvalsh(R)[0] <= 1e-6:
        R = 0.5 * (R + np.eye(n))
    sd = 10 ** np.array(draw(st.lists(st.floats(-0.5, 0.5), min_size=n, max_size=n)))
    return scale * R * np.outer(sd, sd)


@given(C=pd_covariances(3), activation=st.sampled_from(ACTS))
def test_property_random_covariances(C: np.ndarray, activation: str) -> None:
    for name in LOW:
        k = ARITY[name]
        ref = reference(name, activation, C[:k, :k])
        val = float(integral(name, activation, C[:k, :k]))
        assert abs(val - ref) <= _tol(C[:k, :k], ref, 1e-10), (name, val, ref)

