"""Online SGD of the shallow autoencoder (numerics.shallow.sgd) against independent references:
torch.autograd on the per-sample loss ||x - xhat||^2 / (2D) for one step, hand-derived facts
(weight decay, Sanger's fixed-point norm, Eckart-Young), replays in the data basis, and the PCA
error of the data model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import numerics.shallow as shallow_pkg
from numerics.shallow import data_model as dm
from numerics.shallow.sgd import pmse_from_order_parameters, sgd_steps, simulate_sgd


def _g(act: str, lam: torch.Tensor) -> torch.Tensor:
    if act == "erf":
        return torch.erf(lam / math.sqrt(2.0))
    if act == "relu":
        return torch.relu(lam)
    return lam


def _reference_step(W: np.ndarray, V: np.ndarray | None, b: np.ndarray | None, x: np.ndarray,
                    act: str, eta: float, rule: str, tied_gradient: str, kappa: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One step from autograd: unit k follows minus the gradient of
    L_k = ||x - sum_{a in S_k} v_a g(lambda_a)||^2 / (2D) (S_k = all units for vanilla SGD,
    a <= k for truncated SGD) w.r.t. its own w_k (rate eta/D untied, eta tied), v_k (eta) and
    b_k (eta); then every weight is multiplied by 1 - kappa/D."""
    K, D = W.shape
    tied = V is None
    wt = torch.tensor(W, requires_grad=True)
    if tied:
        vt = wt if tied_gradient == "full" else wt.detach()
    else:
        vt = torch.tensor(V, requires_grad=True)
    bt = torch.tensor(np.zeros(K) if b is None else b, requires_grad=b is not None)
    xt = torch.tensor(x)
    lam = (wt @ xt + bt) / math.sqrt(D)
    h = _g(act, lam)
    gw, gv, gb = np.zeros((K, D)), np.zeros((K, D)), np.zeros(K)
    for k in range(K):
        top = K if rule == "vanilla" else k + 1
        loss = ((xt - h[:top] @ vt[:top]) ** 2).sum() / (2 * D)
        inputs = [wt] + ([] if tied else [vt]) + ([bt] if b is not None else [])
        grads = torch.autograd.grad(loss, inputs, retain_graph=True)
        gw[k] = grads[0][k].numpy()
        if not tied:
            gv[k] = grads[1][k].numpy()
        if b is not None:
            gb[k] = grads[-1][k].numpy()
    decay = 1 - kappa / D
    lr_w = eta if tied else eta / D
    w_new = decay * (W - lr_w * gw)
    v_new = w_new if tied else decay * (V - eta * gv)
    b_new = None if b is None else b - eta * gb
    return w_new, v_new, b_new


def _sanger_reference(W: np.ndarray, x: np.ndarray, eta: float, kappa: float) -> np.ndarray:
    """Appendix A with the authors' scaling, written out per unit:
    w_k += (eta/D)(1/D) y_k (x - sum_{a<=k} y_a w_a), y = W x / sqrt(D)."""
    K, D = W.shape
    y = W @ x / math.sqrt(D)
    new = W.copy()
    for k in range(K):
        new[k] += eta / D / D * y[k] * (x - sum(y[a] * W[a] for a in range(k + 1)))
    return (1 - kappa / D) * new


CASES = [(act, rule, tied, bias)
         for act in ("erf", "relu", "linear")
         for rule in ("vanilla", "truncated")
         for tied in (None, "full", "encoder")
         for bias in (False, True)]


@pytest.mark.parametrize("act,rule,tied,bias", CASES)
def test_one_step_is_the_autograd_gradient_step(act: str, rule: str, tied: str | None,
                                                bias: bool) -> None:
    rng = np.random.default_rng(11)
    K, D, eta, kappa = 3, 20, 0.7, 0.3
    W = rng.standard_normal((K, D))
    V = None if tied else rng.standard_normal((K, D))
    b = rng.standard_normal(K) if bias else None
    x = 3 * rng.standard_normal(D)
    ref = _reference_step(W, V, b, x, act, eta, rule, tied or "full", kappa)
    for script in (True, False):
        got = sgd_steps(W, V, x[None], b=b, activation=act, eta=eta, rule=rule,
                        tied_gradient=tied or "full", kappa=kappa, script=script)
        for new, old, r in ((got[0], W, ref[0]), (got[1], W if tied else V, ref[1])):
            inc, inc_ref = new - old, r - old
            assert np.abs(inc_ref).max() > 1e-6  # the step is visible above rounding
            np.testing.assert_allclose(inc, inc_ref, rtol=1e-9,
                                       atol=1e-9 * np.abs(inc_ref).max())
        if bias:
            np.testing.assert_allclose(got[2] - b, ref[2] - b, rtol=1e-9, atol=1e-15)
        else:
            assert got[2] is None
        if tied:
            assert got[1] is got[0]


@given(K=st.integers(1, 4), D=st.integers(4, 40), act=st.sampled_from(["erf", "relu", "linear"]),
       rule=st.sampled_from(["vanilla", "truncated"]), bias=st.booleans(),
       scale=st.floats(0.05, 3.0), eta=st.floats(0.01, 2.0), kappa=st.floats(0.0, 1.0),
       seed=st.integers(0, 2**31))
def test_one_step_matches_autograd_for_random_shapes(K: int, D: int, act: str, rule: str,
                                                     bias: bool, scale: float, eta: float,
                                                     kappa: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    W, V = scale * rng.standard_normal((K, D)), scale * rng.standard_normal((K, D))
    b = rng.standard_normal(K) if bias else None
    x = 2 * rng.standard_normal(D)
    ref = _reference_step(W, V, b, x, act, eta, rule, "full", kappa)
    got = sgd_steps(W, V, x[None], b=b, activation=act, eta=eta, rule=rule, kappa=kappa)
    for new, old, r in ((got[0], W, ref[0]), (got[1], V, ref[1])):
        inc_ref = r - old  # the increment; old + increment is rounded at eps |old|, hence atol
        np.testing.assert_allclose(new - old, inc_ref, rtol=1e-8,
                                   atol=1e-8 * np.abs(inc_ref).max() + 1e-15 * np.abs(old).max())


def test_three_steps_compose_in_order() -> None:
    rng = np.random.default_rng(3)
    K, D = 2, 15
    W, V = rng.standard_normal((K, D)), rng.standard_normal((K, D))
    X = 2 * rng.standard_normal((3, D))
    w, v = W, V
    for x in X:
        w, v, _ = _reference_step(w, v, None, x, "erf", 0.9, "vanilla", "full", 0.0)
    got = sgd_steps(W, V, X, activation="erf", eta=0.9)
    np.testing.assert_allclose(got[0] - W, w - W, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(got[1] - V, v - V, rtol=1e-9, atol=1e-13)


def test_sanger_step_matches_appendix_a() -> None:
    rng = np.random.default_rng(5)
    W = rng.standard_normal((3, 12))
    x = 2 * rng.standard_normal(12)
    got, v, _ = sgd_steps(W, None, x[None], activation="linear", eta=0.8, rule="sanger",
                          kappa=0.5)
    ref = _sanger_reference(W, x, 0.8, 0.5)
    np.testing.assert_allclose(got - W, ref - W, rtol=1e-10, atol=1e-15)
    assert v is got


def test_weight_decay_alone_is_the_multiplier() -> None:
    """With x = 0 the gradient vanishes (erf(0) = 0, no bias): n steps multiply every weight by
    exactly (1 - kappa/D)^n."""
    rng = np.random.default_rng(0)
    W, V = rng.standard_normal((2, 10)), rng.standard_normal((2, 10))
    w, v, _ = sgd_steps(W, V, np.zeros((7, 10)), activation="erf", kappa=0.4)
    np.testing.assert_allclose(w, W * (1 - 0.04) ** 7, rtol=1e-13)
    np.testing.assert_allclose(v, V * (1 - 0.04) ** 7, rtol=1e-13)


def _random_cov(D: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal((D, D))
    return a @ a.T / D + np.diag(np.linspace(3, 0.5, D))


REPLAYS = [("erf", "vanilla", None, None), ("relu", "truncated", None, None),
           ("erf", "truncated", "full", 0.3), ("relu", "vanilla", "encoder", -0.2),
           ("linear", "sanger", None, None)]


@pytest.mark.parametrize("runs", [1, 2])
@pytest.mark.parametrize("act,rule,tied,bias", REPLAYS)
def test_eigenbasis_run_replays_in_the_data_basis(runs: int, act: str, rule: str,
                                                  tied: str | None, bias: float | None) -> None:
    """simulate_sgd steps in the eigenbasis of Omega (several runs batched together); replaying
    its documented random stream in the data basis with sgd_steps (one run at a time) gives the
    same final weights (the update is rotation equivariant), and the recorded order parameters
    are those of the returned weights."""
    D, K, steps = 24, 2, 150
    cov = _random_cov(D, 1)
    spec = dm.eigen_decomposition(cov)
    rng = np.random.default_rng(2)
    w0, v0 = rng.standard_normal((runs, K, D)), rng.standard_normal((runs, K, D))
    is_tied = tied is not None or rule == "sanger"
    kw = dict(activation=act, eta=0.5, rule=rule, kappa=0.2)
    tr = simulate_sgd(spec, K, [steps / D], w0=w0, v0=None if is_tied else v0, seed=9,
                      runs=runs, block=64, pmse_method="monte-carlo", n_test=50, bias=bias,
                      tied=tied is not None, tied_gradient=tied or "full", **kw)
    train = np.random.default_rng(np.random.SeedSequence(9).spawn(3)[1])
    z = train.standard_normal((steps, D) if runs == 1 else (steps, runs, D))
    z = z.reshape(steps, runs, D)
    for r in range(runs):
        X = (z[:, r] * np.sqrt(spec.rho)) @ spec.vectors.T
        w, v, b = sgd_steps(w0[r], None if is_tied else v0[r], X, tied_gradient=tied or "full",
                            b=None if bias is None else np.full(K, bias), **kw)
        np.testing.assert_allclose(tr.W[r], w, rtol=0, atol=1e-11)
        np.testing.assert_allclose(tr.V[r], v, rtol=0, atol=1e-11)
        if bias is not None:
            np.testing.assert_allclose(tr.b[r], b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(tr.Q[-1, r], w @ cov @ w.T / D, rtol=1e-10)
        np.testing.assert_allclose(tr.R[-1, r], v @ cov @ w.T / D**1.5, rtol=1e-10)
        np.testing.assert_allclose(tr.T[-1, r], v @ cov @ v.T / D**2, rtol=1e-10)
        np.testing.assert_allclose(tr.T0[-1, r], v @ v.T / D, rtol=1e-10)
        np.testing.assert_allclose(tr.w_overlap[-1, r], w @ spec.vectors, atol=1e-11)
        np.testing.assert_allclose(tr.v_overlap[-1, r], v @ spec.vectors, atol=1e-11)


def test_linear_pmse_closed_form_is_the_population_error() -> None:
    """For linear units xhat = M x with M = V^T W / sqrt(D), so pmse = tr((I-M) Omega (I-M)^T)
    / (2D) (computed here in the data basis), never below the K-component PCA error
    (Eckart-Young), and the held-out Monte-Carlo estimate agrees within 5 standard errors."""
    D, K = 40, 3
    model = dm.spiked_model(D, 3, seed=4)
    cov = model.covariance()
    times = [0, 2, 6]
    tr = simulate_sgd(model, K, times, activation="linear", eta=0.1, seed=1)
    assert tr.pmse_method == "closed-form"
    mc = simulate_sgd(model, K, times, activation="linear", eta=0.1, seed=1,
                      pmse_method="monte-carlo", n_test=20000)
    np.testing.assert_array_equal(mc.W, tr.W)  # the estimate does not touch the run
    M = tr.V[0].T @ tr.W[0] / math.sqrt(D)
    res = np.eye(D) - M
    np.testing.assert_allclose(tr.pmse[-1, 0], np.trace(res @ cov @ res.T) / (2 * D),
                               rtol=1e-10)
    assert np.all(tr.pmse >= tr.pca_errors[K] - 1e-12)
    assert np.all(np.abs(mc.pmse - tr.pmse) < 5 * mc.pmse_stderr)


def _gauss_hermite_integral(name: str, activation: str, C: np.ndarray) -> np.ndarray:
    """A stand-in for numerics.shallow.integral (J2 and I2 only): 2-D Gauss-Hermite quadrature
    through the eigen square root of C (valid for singular C)."""
    g = {"erf": lambda u: __import__("scipy.special").special.erf(u / np.sqrt(2)),
         "relu": lambda u: np.maximum(u, 0.0)}[activation]
    z, wq = np.polynomial.hermite_e.hermegauss(120)
    wq = wq / wq.sum()
    s, U = np.linalg.eigh(C)
    L = U * np.sqrt(np.maximum(s, 0))[..., None, :]
    x1 = L[..., 0, 0, None, None] * z[:, None] + L[..., 0, 1, None, None] * z[None, :]
    x2 = L[..., 1, 0, None, None] * z[:, None] + L[..., 1, 1, None, None] * z[None, :]
    f = x1 * g(x2) if name == "J2" else g(x1) * g(x2)
    return np.einsum("...ij,i,j->...", f, wq, wq)


@pytest.mark.parametrize("act", ["erf", "relu"])
def test_pmse_from_integrals_assembles_the_local_field_covariances(
        monkeypatch: pytest.MonkeyPatch, act: str) -> None:
    """With an integral provider present, pmse comes from J2(nu_k, lambda_k) and
    I2(lambda_k, lambda_l); it must agree with the held-out Monte-Carlo error within 5 standard
    errors along a run (this fails if the covariance entries are assembled in the wrong
    order)."""
    monkeypatch.setattr(shallow_pkg, "integral", _gauss_hermite_integral, raising=False)
    model = dm.spiked_model(60, 2, seed=2)
    times = [0, 1, 4]
    tr = simulate_sgd(model, 2, times, activation=act, eta=0.3, seed=3, init_std=0.5)
    assert tr.pmse_method == "integrals"
    mc = simulate_sgd(model, 2, times, activation=act, eta=0.3, seed=3, init_std=0.5,
                      pmse_method="monte-carlo", n_test=40000)
    assert np.all(np.abs(mc.pmse - tr.pmse) < 5 * mc.pmse_stderr)
    assert np.ptp(tr.pmse) > 10 * mc.pmse_stderr.max()  # the run moves: a real comparison


def test_pmse_without_integrals_is_a_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(shallow_pkg, "integral", raising=False)
    eye = np.eye(2)[None]
    with pytest.raises(ValueError, match="integral"):
        pmse_from_order_parameters(eye, eye, eye, eye, 1.0, "erf")
    assert np.isclose(pmse_from_order_parameters(eye, eye, eye, eye, 1.0, "linear")[0],
                      1.0 - 2.0 + 0.5 * 2.0)


def test_linear_ae_reaches_the_pca_error_up_to_an_order_eta_excess() -> None:
    """Small D, linear units, small initial weights: the pmse settles on the K = 3 PCA error
    (never below it: Eckart-Young) with a stationary excess from the SGD noise that shrinks
    with eta (about 1% at eta = 0.02, 2.4% at 0.05 when measured)."""
    model = dm.spiked_model(100, 3, seed=1)
    spec = model.spectrum()
    pca = spec.pca_error(3)
    excess = {}
    for eta in (0.02, 0.05):
        tr = simulate_sgd(spec, 3, [70, 80, 90, 100], activation="linear", eta=eta, seed=0,
                          init_std=0.01)
        assert np.all(tr.pmse >= pca - 1e-12)
        assert np.all(tr.pmse < spec.pca_error(2))
        excess[eta] = float(tr.pmse.mean() / pca - 1)
    assert excess[0.02] < 0.02
    assert 1.5 < excess[0.05] / excess[0.02] < 4.0  # ~ proportional to eta (ratio 2.5)


def _normalised_overlaps(w: np.ndarray, n: int) -> np.ndarray:
    return np.abs(w[:, :n]) / np.linalg.norm(w, axis=1)[:, None]


def test_truncated_sgd_recovers_the_eigenvectors() -> None:
    """Eq. 23 with linear units: unit k aligns with the k-th eigenvector (not a rotation of
    the top-3 subspace); encoder and decoder overlap matrices near the identity."""
    spec = dm.spiked_model(100, 3, seed=1).spectrum()
    tr = simulate_sgd(spec, 3, [100], activation="linear", eta=0.05, rule="truncated",
                      seed=0, init_std=0.01)
    for ov in (tr.w_overlap[-1, 0], tr.v_overlap[-1, 0]):
        o = _normalised_overlaps(ov, 3)
        assert np.all(np.diag(o) > 0.98), o
        assert np.all(o[~np.eye(3, dtype=bool)] < 0.1), o


def test_sanger_recovers_the_eigenvectors_at_its_fixed_point_norm() -> None:
    """Sanger's rule: w_k -> +-e_k with |w_k|^2 = sqrt(D) (the fixed point of
    y_k x = sum_{a<=k} y_k y_a w_a on average, y = W x / sqrt(D))."""
    D = 100
    spec = dm.spiked_model(D, 3, seed=1).spectrum()
    tr = simulate_sgd(spec, 3, [200], activation="linear", eta=0.2, rule="sanger", seed=0)
    w = tr.w_overlap[-1, 0]
    o = _normalised_overlaps(w, 3)
    assert np.all(np.diag(o) > 0.99), o
    assert np.all(o[~np.eye(3, dtype=bool)] < 0.08), o
    np.testing.assert_allclose((w**2).sum(1) / math.sqrt(D), 1.0, atol=0.05)
    np.testing.assert_array_equal(tr.V, tr.W)


def test_tied_runs_share_one_tensor() -> None:
    spec = dm.spiked_model(30, 2, seed=0).spectrum()
    for grad in ("full", "encoder"):
        tr = simulate_sgd(spec, 2, [0, 1], activation="erf", tied=True, tied_gradient=grad,
                          pmse_method="monte-carlo", n_test=100)
        np.testing.assert_array_equal(tr.V, tr.W)
        np.testing.assert_array_equal(tr.v_overlap, tr.w_overlap)
        np.testing.assert_allclose(tr.R, tr.Q / math.sqrt(30), rtol=1e-12)
    a = simulate_sgd(spec, 2, [1], activation="erf", tied=True, tied_gradient="full",
                     pmse_method="monte-carlo", n_test=100)
    b = simulate_sgd(spec, 2, [1], activation="erf", tied=True, tied_gradient="encoder",
                     pmse_method="monte-carlo", n_test=100)
    assert not np.allclose(a.W, b.W)  # the two tied rules differ


def test_trained_bias_moves_and_uses_monte_carlo() -> None:
    spec = dm.spiked_model(30, 2, seed=0).spectrum()
    tr = simulate_sgd(spec, 2, [0, 2], activation="relu", bias=0.5, n_test=200)
    assert tr.pmse_method == "monte-carlo"
    assert tr.bias is not None and tr.b is not None
    np.testing.assert_array_equal(tr.bias[0, 0], [0.5, 0.5])
    assert not np.allclose(tr.bias[-1], 0.5)


def test_determinism_by_seed() -> None:
    spec = dm.spiked_model(40, 2, seed=0).spectrum()
    kw = dict(activation="erf", eta=0.2, pmse_method="monte-carlo", n_test=100)
    a = simulate_sgd(spec, 2, [0, 1, 2], seed=5, **kw)
    b = simulate_sgd(spec, 2, [0, 1, 2], seed=5, **kw)
    c = simulate_sgd(spec, 2, [0, 1, 2], seed=6, **kw)
    for f in ("pmse", "Q", "R", "T", "T0", "W", "V"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.allclose(a.W, c.W)
    d = simulate_sgd(spec, 2, [0, 1, 2], seed=5, block=7, script=False, **kw)
    np.testing.assert_allclose(d.W, a.W, rtol=0, atol=1e-12)  # block size and compiler: no


def test_times_are_rounded_to_whole_steps() -> None:
    spec = dm.spiked_model(40, 1, seed=0).spectrum()
    tr = simulate_sgd(spec, 1, [0, 0.51, 1.0], activation="linear")
    np.testing.assert_array_equal(tr.steps, [0, 20, 40])
    np.testing.assert_allclose(tr.times, [0, 0.5, 1.0])
    assert tr.pca_errors.shape == (2,)


@pytest.mark.parametrize("kw,match", [
    (dict(device="tpu"), "device"),
    (dict(device="cuda:x"), "device"),
    (dict(activation="tanh"), "activation"),
    (dict(rule="oja"), "rule"),
    (dict(tied_gradient="decoder"), "tied_gradient"),
    (dict(eta=0.0), "eta"),
    (dict(eta=float("nan")), "eta"),
    (dict(kappa=-1.0), "kappa"),
    (dict(K=0), "K"),
    (dict(K=31), "K"),
    (dict(times=[2, 1]), "non-decreasing"),
    (dict(times=[-1]), "times"),
    (dict(times=[]), "times"),
    (dict(rule="sanger", activation="erf"), "Sanger"),
    (dict(rule="sanger", activation="linear", bias=1.0), "bias"),
    (dict(w0=np.zeros((3, 30))), "w0"),
    (dict(v0=np.full((2, 30), np.nan)), "finite"),
    (dict(tied=True, v0=np.zeros((2, 30))), "tied"),
    (dict(runs=0), "runs"),
    (dict(n_overlap=31), "n_overlap"),
    (dict(dtype=torch.int64), "dtype"),
    (dict(pmse_method="exact"), "pmse_method"),
])
def test_bad_input_is_a_value_error(kw: dict, match: str) -> None:
    spec = dm.spiked_model(30, 2, seed=0).spectrum()
    args = dict(data=spec, K=2, times=[1])
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        simulate_sgd(**args)


def test_bad_covariance_and_cuda_requests_are_value_errors() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        simulate_sgd(np.array([[1.0, 0.5], [0.0, 1.0]]), 1, [1])
    with pytest.raises(ValueError, match="positive semi-definite"):
        simulate_sgd(np.diag([1.0, -1.0]), 1, [1])
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            simulate_sgd(np.eye(3), 1, [1], device="cuda")
    with pytest.raises(ValueError, match="shape"):
        sgd_steps(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="same D"):
        sgd_steps(np.zeros((2, 3)), None, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="Sanger"):
        sgd_steps(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((1, 3)), rule="sanger",
                  activation="linear")


def test_progress_bar_reports_the_steps(capsys: pytest.CaptureFixture[str]) -> None:
    spec = dm.spiked_model(20, 1, seed=0).spectrum()
    simulate_sgd(spec, 1, [0, 3], activation="linear", progress=True)
    err = capsys.readouterr().err
    assert "SGD D=20" in err and "60/60" in err


def test_float32_follows_float64() -> None:
    """Same seed, same samples (drawn in float64, then cast): single precision stays within
    1e-4 of the double-precision pmse over a short run (rounding ~1e-7 per step, 2000 steps)."""
    spec = dm.spiked_model(200, 2, seed=0).spectrum()
    kw = dict(activation="linear", eta=0.1, seed=4)
    a = simulate_sgd(spec, 2, [1, 5, 10], **kw)
    b = simulate_sgd(spec, 2, [1, 5, 10], dtype=torch.float32, **kw)
    np.testing.assert_allclose(b.pmse, a.pmse, rtol=1e-4)
    assert not np.array_equal(b.W, a.W)


def test_informed_start_sits_on_the_eigenvectors() -> None:
    """w_k = e_k, v_k = sqrt(D) e_k: for linear units xhat = sum_k e_k (e_k . x), the
    projection on the top K eigenvectors, whose pmse is exactly the K-component PCA error."""
    spec = dm.spiked_model(50, 3, seed=0).spectrum()
    tr = simulate_sgd(spec, 3, [0], activation="linear", w0="informed")
    np.testing.assert_allclose(tr.W[0], spec.vectors[:, :3].T, atol=1e-14)
    np.testing.assert_allclose(tr.V[0], math.sqrt(50) * spec.vectors[:, :3].T, atol=1e-13)
    assert tr.pmse[0, 0] == pytest.approx(spec.pca_error(3), rel=1e-12)
    with pytest.raises(ValueError, match="informed"):
        simulate_sgd(spec, 3, [0], w0="smart")


def test_weights_at_a_record_rotate_back_from_the_overlaps() -> None:
    spec = dm.spiked_model(30, 2, seed=0).spectrum()
    rng = np.random.default_rng(0)
    w0, v0 = rng.standard_normal((2, 30)), rng.standard_normal((2, 30))
    tr = simulate_sgd(spec, 2, [0, 1], activation="linear", w0=w0, v0=v0)
    W, V = tr.weights(0)
    np.testing.assert_allclose(W[0], w0, atol=1e-13)
    np.testing.assert_allclose(V[0], v0, atol=1e-13)
    np.testing.assert_allclose(tr.weights(1)[0], tr.W, atol=1e-13)
    part = simulate_sgd(spec, 2, [0], activation="linear", n_overlap=3)
    with pytest.raises(ValueError, match="n_overlap"):
        part.weights(0)


def test_mean_step_increment_of_linear_units_by_hand() -> None:
    """Linear units, vanilla SGD: E[Delta W] = (eta/D^2.5) (V Omega - V V^T W Omega / sqrt(D))
    and E[Delta V] = (eta/D) (W Omega / sqrt(D) - W Omega W^T V / D) (the second moment of x is
    Omega); in the eigenbasis Omega -> diag(rho).  The Monte-Carlo means of step_increments
    agree within 5 standard errors, elementwise, and so does T0's rate with its O(eta^2) part."""
    from numerics.shallow.sgd import step_increments

    D, K, eta = 30, 2, 0.5
    spec = dm.eigen_decomposition(_random_cov(D, 3))
    rng = np.random.default_rng(4)
    W, V = rng.standard_normal((K, D)), rng.standard_normal((K, D))
    inc = step_increments(spec, W, V, activation="linear", eta=eta, n_samples=40000, seed=2)
    Wt, Vt, rho = W @ spec.vectors, V @ spec.vectors, spec.rho
    ew = eta / D**2.5 * (Vt * rho - Vt @ Vt.T @ Wt * rho / math.sqrt(D)) * D
    ev = eta / D * (Wt * rho / math.sqrt(D) - (Wt * rho) @ Wt.T @ Vt / D) * D
    assert np.all(np.abs(inc.W - ew) < 5 * inc.W_se)
    assert np.all(np.abs(inc.V - ev) < 5 * inc.V_se)
    assert np.abs(ew).max() > 10 * inc.W_se.max() and np.abs(ev).max() > 10 * inc.V_se.max()
    # T0 = V V^T / D: E[dT0] = (E[dV] V^T + V E[dV]^T + E[dV dV^T]) / D with, for h = A x,
    # delta = B x (A = W / sqrt(D), B = I - V^T W / sqrt(D)), by Isserlis' theorem
    # E[dV dV^T] = (eta/D)^2 (A Om A^T tr(B Om B^T) + 2 A Om B^T B Om A^T)
    A, B, Om = Wt / math.sqrt(D), np.eye(D) - Vt.T @ Wt / math.sqrt(D), np.diag(rho)
    second = (eta / D) ** 2 * (A @ Om @ A.T * np.trace(B @ Om @ B.T)
                               + 2 * A @ Om @ B.T @ B @ Om @ A.T)
    et0 = (ev @ Vt.T + Vt @ ev.T) / D + second  # as a rate: D x (per-step mean)
    assert np.all(np.abs(inc.T0 - et0) < 5 * inc.T0_se)
    assert np.abs(second).max() > 10 * inc.T0_se.max()  # the O(eta^2) part is resolved
    assert inc.b is None and inc.n_samples == 40000


def _sgd_vs_ode_gaps(act: str, rule: str, dims: tuple[int, ...], runs: int,
                     t_max: float = 30.0) -> dict[int, np.ndarray]:
    """Worst relative pmse gap over t <= t_max between finite-D SGD and the D -> infinity flow
    (numerics.shallow.ode, rotated-weight formulation) started from each run's own initial
    weights, for ``runs`` independent runs per D (eq. 3 model, M = K = 3, eta = 0.1)."""
    ode = pytest.importorskip("numerics.shallow.ode")
    ts = np.linspace(0.0, t_max, int(2 * t_max) + 1)
    out = {}
    for D in dims:
        spec = dm.spiked_model(D, 3, seed=0).spectrum()
        tr = simulate_sgd(spec, 3, ts, activation=act, eta=0.1, rule=rule, seed=1, runs=runs)
        gaps = []
        for r in range(runs):
            res = ode.integrate(spec.rhotilde, 3, act, 0.1, 0.0, rule == "truncated",
                                t_eval=ts, alpha0=tr.w_overlap[0, r],
                                beta0=tr.v_overlap[0, r] / math.sqrt(D), rtol=1e-7,
                                method="RK45")
            assert res.pmse[0] == pytest.approx(tr.pmse[0, r], rel=1e-10)  # same start
            gaps.append(np.max(np.abs(tr.pmse[:, r] - res.pmse) / res.pmse))
        out[D] = np.array(gaps)
    return out


def test_finite_d_sgd_approaches_the_flow_ci() -> None:
    """CI-sized version of the slow property below (erf, vanilla SGD, two runs per D): the
    worst relative pmse gap over t <= 30 to the D -> infinity flow shrinks from D = 250 to
    D = 1000 and is a few percent at D = 1000."""
    gaps = _sgd_vs_ode_gaps("erf", "vanilla", (250, 1000), runs=2)  # measured: 0.24, 0.036
    assert gaps[1000].mean() < 0.5 * gaps[250].mean()
    assert gaps[1000].max() < 0.08


@pytest.mark.slow
@pytest.mark.parametrize("act", ["erf", "relu", "linear"])
@pytest.mark.parametrize("rule", ["vanilla", "truncated"])
def test_finite_d_sgd_approaches_the_flow(act: str, rule: str) -> None:
    """The issue's property: the worst relative pmse gap over t <= 30 between SGD at finite D
    and the D -> infinity flow (same start) shrinks as D grows (250, 500, 1000, 2000; mean of
    4 runs).  Measured means (worst gap, t <= 30):

        erf vanilla      0.28  0.080 0.046 0.017     relu vanilla    0.25 0.34 0.17 0.074
        erf truncated    0.24  0.19  0.071 0.040     relu truncated  0.48 0.33 0.16 0.060
        linear vanilla   0.21  0.24  0.11  0.13      linear truncated 0.73 0.70 0.36 0.18

    so the gap shrinks from D = 250 to 2000 everywhere, but not monotonically for every run
    set, and "a few percent at D = 1000" holds for erf (vanilla 4.6%, truncated 7%) only: the
    maximum of a relative gap sits in the steep drops of pmse, where the run-to-run jitter of
    the escape times (not a bias) dominates; linear units drop fastest."""
    dims = (250, 500, 1000, 2000)
    gaps = _sgd_vs_ode_gaps(act, rule, dims, runs=4)
    mean = np.array([gaps[D].mean() for D in dims])
    assert mean[-1] < 0.75 * mean[0], mean
    slope = np.polyfit(np.log(dims), np.log(mean), 1)[0]
    assert slope < 0, (slope, mean)
    if act == "erf":
        assert mean[2] < (0.06 if rule == "vanilla" else 0.1), mean


@pytest.mark.parametrize("activation", ["relu", "linear"])  # erf saturates: bounded outputs
def test_divergence_is_reported_as_divergence(activation: str) -> None:
    """A run whose weights blow up says so (not an integrals' complaint about non-finite C)."""
    from numerics.shallow.data_model import spiked_model

    with pytest.raises(FloatingPointError, match="SGD diverged"):
        simulate_sgd(spiked_model(40, 2, seed=0), 2, [0.0, 5.0], activation=activation,
                     eta=50.0, tied=True, init_std=1.0)
