"""Invalid input raises ValueError naming the argument; shapes broadcast NumPy-style."""

from __future__ import annotations

import numpy as np
import pytest

import numerics as nm


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: nm.dae_w(1.0, 0.0, 0.1, 0.1, 0.2), "lam"),
        (lambda: nm.dae_w(1.0, 1.0, -0.1, 0.1, 0.2), "eps"),
        (lambda: nm.dae_w(1.0, 1.0, 0.1, 0.1, 0.2, tau=-1), "tau"),
        (lambda: nm.dae_w(-1.0, 1.0, 0.1, 0.1, 0.2), "t"),
        (lambda: nm.dae_w(1.0, 1.0, 0.1, np.nan, 0.2), "w1_0"),
        (lambda: nm.dae_w(1.0, 1.0, 0.1, 0.1, np.inf), "w2_0"),
        (lambda: nm.dae_w(np.ones(3), np.ones(2), 0.1, 0.1, 0.2), "shapes"),
        (lambda: nm.wdae_w(1.0, 1.0, 0.1, 10, 0.0), "w0"),
        (lambda: nm.wdae_w(1.0, 1.0, -0.1, 10, 0.1), "gamma"),
        (lambda: nm.wdae_w(1.0, 1.0, 0.1, 0, 0.1), "N"),
        (lambda: nm.dae_w("a", 1.0, 0.1, 0.1, 0.2), "t"),
        (lambda: nm.simulate_scalar(1.0, lr=-0.1), "lr"),
        (lambda: nm.simulate_scalar(1.0, epochs=-1), "epochs"),
        (lambda: nm.optimal_lr_dae(1.0, 0.1, 0.0), "tau"),
        (lambda: nm.equivalent_gamma(1.0, 0.1, -5), "N"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_broadcasting_and_dtype():
    w = nm.dae_w(np.arange(4.0)[:, None], np.array([0.5, 1.0, 2.0]), 0.1, 0.01, 0.02)
    assert w.shape == (4, 3) and w.dtype == np.float64
    assert nm.dae_fixed_point(2.0, 0.5).shape == ()
    assert nm.wdae_fixed_point([1.0, 2.0], 0.5, 1.0).tolist() == [0.5, 0.75]


@pytest.mark.parametrize(
    "call",
    [
        lambda: nm.dae_w(1.0, 1.0, 0.1, 0.1, 0.2),
        lambda: nm.dae_w(1.0, 1.0, 0.1, 0.1, 0.1),
        lambda: nm.dae_w(1.0, 1.0, 0.1, -0.1, 0.1),
        lambda: nm.wdae_w(1.0, 1.0, 0.1, 10, 0.1),
        lambda: nm.dae_fixed_point(1.0, 0.5),
        lambda: nm.wdae_fixed_point(1.0, 0.01, 10),
        lambda: nm.equivalent_gamma(1.0, 0.5, 10),
        lambda: nm.optimal_lr_dae(1.0, 0.5, 100.0),
        lambda: nm.optimal_lr_wdae(1.0, 0.01, 10, 100.0),
    ],
)
def test_scalar_input_gives_a_writable_0d_float64_array(call):
    out = call()
    assert type(out) is np.ndarray and out.shape == () and out.dtype == np.float64
    assert out.flags.writeable


_X = np.random.default_rng(0).standard_normal((20, 4))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"X": _X, "H": 0}, "H"),
        ({"X": _X, "epochs": -1}, "epochs"),
        ({"X": _X, "lr": 0.0}, "lr"),
        ({"X": _X, "eps": -1.0}, "eps"),
        ({"X": _X, "gamma": -1.0}, "gamma"),
        ({"X": _X, "init": "zeros"}, "init"),
        ({"X": _X, "init": (np.zeros((2, 4)), np.zeros((4, 3)))}, "init"),
        ({"X": np.where(_X > 2, np.nan, _X)}, "X"),
        ({"X": _X, "sigma": _X.T @ _X, "N": 20}, "X"),
        ({"sigma": _X.T @ _X}, "N"),
        ({"sigma": np.full((4, 4), np.nan), "N": 20}, "sigma"),
        ({"sigma": np.ones((4, 3)), "N": 20}, "sigma"),
    ],
)
def test_simulate_linear_ae_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        nm.simulate_linear_ae(**{"H": 2, "epochs": 3, **kwargs})
