"""numerics.optimizers against torch.optim: step for step, float64, random hyperparameters.

The gradient fed to both sides is the same NumPy function of each side's own iterate, so the
comparison is of whole trajectories (100 steps), on random quadratics and on the paper's
per-direction loss l(w1, w2) = lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2 [4.loss].
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, event, given
from hypothesis import strategies as st

from numerics.optimizers import (
    SGD,
    Adagrad,
    AdagradState,
    Adam,
    AdamState,
    AdamW,
    RMSprop,
    RMSpropState,
    SGDState,
)

STEPS = 100
TOL = 1e-12
BATCH = 4

# ---------------------------------------------------------------- problems


def _quadratic(seed: int, dim: int = 3):
    """l(x) = 1/2 (x - c)^T A (x - c), A symmetric positive definite with spectrum in [0.1, 2]."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    a = q @ np.diag(rng.uniform(0.1, 2.0, dim)) @ q.T
    a = (a + a.T) / 2
    c = rng.normal(size=dim)
    x0 = c + rng.normal(size=(BATCH, dim))
    return (lambda x: (x - c) @ a), x0


def _paper(seed: int):
    """The per-direction loss [4.loss]; params (w1, w2) per batch row, lam, eps per row."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.2, 2.0, (BATCH, 1))
    eps = rng.uniform(0.0, 1.0, (BATCH, 1))
    x0 = rng.uniform(0.05, 1.0, (BATCH, 2)) * rng.choice([-1.0, 1.0], (BATCH, 2))

    def grad(x: np.ndarray) -> np.ndarray:
        w1, w2 = x[:, :1], x[:, 1:]
        r = -lam * (1 - w1 * w2) + eps * w1 * w2  # dl/dw
        return np.concatenate([r * w2, r * w1], axis=1)

    return grad, x0


PROBLEMS = {"quadratic": _quadratic, "paper": _paper}

# ---------------------------------------------------------------- the two implementations


def _torch_run(make, grad_fn, x0: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """torch's trajectory (params after each step) and its state before each step."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    out, states = [], []
    for _ in range(STEPS):
        states.append({k: v.detach().numpy().copy() if isinstance(v, torch.Tensor) else v
                       for k, v in opt.state[p].items()})
        p.grad = torch.from_numpy(grad_fn(p.detach().numpy().copy()))
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out), states


def _ours_run(opt, grad_fn, x0: np.ndarray) -> np.ndarray:
    x, state = x0.copy(), opt.init(x0)
    out = []
    for _ in range(STEPS):
        x, state = opt.step(x, grad_fn(x), state)
        out.append(x)
    return np.array(out)


def _our_state(opt, ts: dict, x: np.ndarray):
    """torch's per-parameter state as our state object (torch's is empty before step 1)."""
    if not ts:
        return opt.init(x)
    step = int(ts.get("step", 0))
    if isinstance(opt, SGD):
        return SGDState(ts.get("momentum_buffer"))
    if isinstance(opt, RMSprop):
        return RMSpropState(ts["square_avg"], ts.get("grad_avg"), ts.get("momentum_buffer"), step)
    if isinstance(opt, Adagrad):
        return AdagradState(ts["sum"], step)
    return AdamState(ts["exp_avg"], ts["exp_avg_sq"], ts.get("max_exp_avg_sq"), step)


def _compare(ours, make_torch, problem: str, seed: int, *, trajectory: bool = True,
             hypothesis_run: bool = True) -> None:
    """Step for step: from torch's params and state before each of 100 steps, our step gives
    torch's params after it (within 1e-12; the only difference left is torch's vectorised sqrt,
    1 ulp).  Whole trajectories are compared in :func:`_compare_trajectories`."""
    grad_fn, x0 = PROBLEMS[problem](seed)
    with np.errstate(over="ignore", invalid="ignore"):
        traj, states = _torch_run(make_torch, grad_fn, x0)
    # the quartic loss diverges for large steps with heavy momentum: such runs compare nothing
    # (and our step refuses non-finite params), so they are discarded, not passed
    bounded = bool(np.all(np.abs(traj) < 1e3))
    if not hypothesis_run:
        assert bounded, "a fixed example must stay bounded"
    else:
        assume(bounded)
    before = np.concatenate([x0[None], traj[:-1]])
    worst = 0.0
    for k in range(STEPS):
        x = before[k]
        new, _ = ours.step(x, grad_fn(x), _our_state(ours, states[k], x))
        worst = max(worst, float(np.max(np.abs(new - traj[k]))))
    assert worst < TOL, f"max one-step |ours - torch| over {STEPS} steps = {worst:.3e} ({ours})"
    if trajectory:
        _compare_trajectories(ours, make_torch, grad_fn, x0, traj)


def _compare_trajectories(ours, make_torch, grad_fn, x0: np.ndarray, traj: np.ndarray) -> None:
    """Whole 100-step trajectories agree within 1e-12 unless the recurrence itself amplifies
    rounding.  The measure: torch rerun with every gradient evaluated at the iterate times
    1 + 2^-52 (a 1-ulp error at every step, the size of the one rounding torch does differently,
    in its sqrt, once it has reached the params).  Where that
    moves torch's own trajectory by more than 1e-14 (adaptive methods oscillating at a minimum
    are expansive maps), two correct implementations need not agree to 1e-12 and the
    step-for-step check is the test; such examples are counted, not silently passed."""
    with np.errstate(over="ignore", invalid="ignore"):
        nudged, _ = _torch_run(make_torch, lambda x: grad_fn(x * (1 + 2.0**-52)), x0)
    sensitivity = float(np.max(np.abs(nudged - traj)))
    event("trajectory compared" if sensitivity <= 1e-14 else "rounding-sensitive trajectory")
    if sensitivity > 1e-14:
        return
    diff = float(np.max(np.abs(_ours_run(ours, grad_fn, x0) - traj)))
    assert diff < TOL, f"max |ours - torch| over {STEPS} steps = {diff:.3e} ({ours})"


problems = st.sampled_from(sorted(PROBLEMS))
seeds = st.integers(0, 2**32 - 1)
unit = st.floats(0.0, 0.99)


@given(lr=st.floats(1e-4, 0.3), momentum=st.one_of(st.just(0.0), unit),
       dampening=st.one_of(st.just(0.0), st.floats(0.0, 1.0)), nesterov=st.booleans(),
       wd=st.one_of(st.just(0.0), st.floats(0.0, 0.1)), problem=problems, seed=seeds)
def test_sgd_matches_torch(lr, momentum, dampening, nesterov, wd, problem, seed) -> None:
    if nesterov:  # torch (and we) require momentum > 0 and zero dampening for Nesterov
        momentum, dampening = max(momentum, 0.1), 0.0
    kw = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=wd)
    _compare(SGD(**kw), lambda ps: torch.optim.SGD(ps, **kw), problem, seed)


@given(lr=st.floats(1e-4, 0.02), alpha=st.floats(0.5, 0.999), eps=st.floats(1e-10, 1e-2),
       momentum=st.one_of(st.just(0.0), st.floats(0.0, 0.9)), centered=st.booleans(),
       wd=st.one_of(st.just(0.0), st.floats(0.0, 0.1)), problem=problems, seed=seeds)
def test_rmsprop_matches_torch(lr, alpha, eps, momentum, centered, wd, problem, seed) -> None:
    kw = dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered, weight_decay=wd)
    # whole trajectories only in test_trajectories_match_torch: near a minimum RMSprop's step is
    # sign-like (g / sqrt(v) with v -> 0), an expansive map at rounding level, where torch's
    # 1-ulp sqrt differences grow to 1e-10 in 100 steps (found by Hypothesis, e.g. eps = 1e-10)
    _compare(RMSprop(**kw), lambda ps: torch.optim.RMSprop(ps, **kw), problem, seed,
             trajectory=False)


@given(lr=st.floats(1e-4, 0.2), lr_decay=st.one_of(st.just(0.0), st.floats(0.0, 0.1)),
       eps=st.floats(1e-12, 1e-2), wd=st.one_of(st.just(0.0), st.floats(0.0, 0.1)),
       acc=st.one_of(st.just(0.0), st.floats(0.0, 1.0)), problem=problems, seed=seeds)
def test_adagrad_matches_torch(lr, lr_decay, eps, wd, acc, problem, seed) -> None:
    kw = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=wd, initial_accumulator_value=acc)
    _compare(Adagrad(**kw), lambda ps: torch.optim.Adagrad(ps, **kw), problem, seed)


@given(lr=st.floats(1e-4, 0.02), b1=st.floats(0.0, 0.99), b2=st.floats(0.5, 0.9999),
       eps=st.floats(1e-10, 1e-2), wd=st.one_of(st.just(0.0), st.floats(0.0, 0.1)),
       amsgrad=st.booleans(), decoupled=st.booleans(), problem=problems, seed=seeds)
def test_adam_matches_torch(lr, b1, b2, eps, wd, amsgrad, decoupled, problem, seed) -> None:
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, amsgrad=amsgrad)
    _compare(Adam(**kw, decoupled_weight_decay=decoupled),
             lambda ps: torch.optim.Adam(ps, **kw, decoupled_weight_decay=decoupled),
             problem, seed, trajectory=False)  # as for RMSprop


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_defaults_match_torch(problem: str) -> None:
    """Every optimiser with no arguments is torch's with none (AdamW: weight decay 1e-2)."""
    for ours, theirs in ((SGD(), torch.optim.SGD), (RMSprop(), torch.optim.RMSprop),
                         (Adagrad(), torch.optim.Adagrad), (Adam(), torch.optim.Adam),
                         (AdamW(), torch.optim.AdamW)):
        _compare(ours, theirs, problem, seed=3, trajectory=False, hypothesis_run=False)
        grad_fn, x0 = PROBLEMS[problem](3)
        diff = float(np.max(np.abs(_ours_run(ours, grad_fn, x0) - _torch_run(theirs, grad_fn,
                                                                              x0)[0])))
        assert diff < TOL, (ours, diff)


TRAJECTORY_CASES = [
    (RMSprop(lr=1e-3), lambda ps: torch.optim.RMSprop(ps, lr=1e-3)),
    (RMSprop(lr=2e-3, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01),
     lambda ps: torch.optim.RMSprop(ps, lr=2e-3, alpha=0.9, momentum=0.5, centered=True,
                                    weight_decay=0.01)),
    (Adam(lr=5e-3, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.05),
     lambda ps: torch.optim.Adam(ps, lr=5e-3, betas=(0.8, 0.99), amsgrad=True,
                                 weight_decay=0.05)),
    (AdamW(lr=1e-3, betas=(0.5, 0.9)), lambda ps: torch.optim.AdamW(ps, lr=1e-3, betas=(0.5, 0.9))),
]


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("case", range(len(TRAJECTORY_CASES)))
def test_adaptive_trajectories_match_torch(case: int, problem: str) -> None:
    """Whole 100-step trajectories of the adaptive methods away from the sign-like regime."""
    ours, theirs = TRAJECTORY_CASES[case]
    for seed in range(3):
        grad_fn, x0 = PROBLEMS[problem](seed)
        diff = float(np.max(np.abs(_ours_run(ours, grad_fn, x0) - _torch_run(theirs, grad_fn,
                                                                              x0)[0])))
        assert diff < TOL, (ours, seed, diff)


# ---------------------------------------------------------------- API behaviour


def test_batch_of_hyperparameters_equals_separate_runs() -> None:
    """A column of learning rates runs independent trajectories, each equal to its own run."""
    grad_fn, x0 = _quadratic(5)
    lrs = np.array([[1e-3], [1e-2], [5e-2], [1e-1]])
    batched = _ours_run(Adam(lr=lrs, betas=(0.8, 0.99)), grad_fn, x0)
    for i, lr in enumerate(lrs[:, 0]):
        single = _ours_run(Adam(lr=float(lr), betas=(0.8, 0.99)),
                           lambda x, i=i: grad_fn(np.repeat(x, BATCH, 0))[i:i + 1], x0[i:i + 1])
        np.testing.assert_array_equal(batched[:, i], single[:, 0])


def test_step_does_not_mutate_its_arguments() -> None:
    x = np.array([[0.3, -0.2]])
    g = np.array([[1.0, 2.0]])
    for opt in (SGD(lr=0.1, momentum=0.9), RMSprop(momentum=0.5, centered=True), Adagrad(),
                Adam(amsgrad=True, weight_decay=0.1)):
        s0 = opt.init(x)
        s1 = opt.step(x, g, s0)[1]
        snap = {k: None if v is None else np.copy(v) for k, v in vars(s1).items()}
        opt.step(x, g, s1)
        np.testing.assert_array_equal(x, [[0.3, -0.2]])
        np.testing.assert_array_equal(g, [[1.0, 2.0]])
        for k, v in vars(s1).items():
            np.testing.assert_array_equal(v, snap[k])


BAD = [
    (SGD, torch.optim.SGD, dict(lr=-0.1)),
    (SGD, torch.optim.SGD, dict(momentum=-0.5)),
    (SGD, torch.optim.SGD, dict(weight_decay=-1.0)),
    (SGD, torch.optim.SGD, dict(nesterov=True)),
    (SGD, torch.optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1)),
    (RMSprop, torch.optim.RMSprop, dict(lr=-1.0)),
    (RMSprop, torch.optim.RMSprop, dict(alpha=-0.1)),
    (RMSprop, torch.optim.RMSprop, dict(eps=-1e-8)),
    (RMSprop, torch.optim.RMSprop, dict(momentum=-0.1)),
    (RMSprop, torch.optim.RMSprop, dict(weight_decay=-0.1)),
    (Adagrad, torch.optim.Adagrad, dict(lr=-1.0)),
    (Adagrad, torch.optim.Adagrad, dict(lr_decay=-1.0)),
    (Adagrad, torch.optim.Adagrad, dict(eps=-1.0)),
    (Adagrad, torch.optim.Adagrad, dict(weight_decay=-1.0)),
    (Adagrad, torch.optim.Adagrad, dict(initial_accumulator_value=-1.0)),
    (Adam, torch.optim.Adam, dict(lr=-1.0)),
    (Adam, torch.optim.Adam, dict(eps=-1.0)),
    (Adam, torch.optim.Adam, dict(betas=(1.0, 0.999))),
    (Adam, torch.optim.Adam, dict(betas=(0.9, 1.0))),
    (Adam, torch.optim.Adam, dict(betas=(-0.1, 0.999))),
    (Adam, torch.optim.Adam, dict(weight_decay=-1.0)),
]


@pytest.mark.parametrize(("ours", "theirs", "kw"), BAD)
def test_bad_hyperparameters_raise_like_torch(ours, theirs, kw) -> None:
    with pytest.raises(ValueError):
        theirs([torch.zeros(2, dtype=torch.float64, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match="(?i)invalid|nesterov|must"):
        ours(**kw)


def test_nan_hyperparameters_and_shape_mismatch_raise() -> None:
    with pytest.raises(ValueError, match="finite"):
        Adam(lr=float("nan"))
    with pytest.raises(ValueError, match="finite"):
        SGD(lr=float("inf"))
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(2), np.zeros(3), opt.init(np.zeros(2)))
    with pytest.raises(ValueError, match="finite"):
        opt.step(np.array([np.nan, 0.0]), np.zeros(2), opt.init(np.zeros(2)))


# ---------------------------------------------------------------- against the verified notes


@given(seed=seeds, beta=st.floats(0.0, 0.999), eps=st.floats(1e-10, 1.0),
       lr=st.floats(1e-4, 1.0))
def test_rmsprop_adagrad_adam_are_the_notes_verified_updates(seed, beta, eps, lr) -> None:
    """One step of each optimiser equals the update of the verified steps [LN.rmsprop],
    [LN.adagrad] and [LN.adam.update] (its corrected form, with mhat, vhat from [LN.adam]),
    lambdified from the registry (to rounding: 1e-14 relative)."""
    from numerics.lambdified import numpy_fn

    rng = np.random.default_rng(seed)
    w, g = rng.normal(size=5), rng.normal(size=5)
    v_prev = rng.uniform(0, 2, size=5)
    rms_v = numpy_fn("notes:LN.rmsprop", "v", ("beta", "g", "v_{t-1}"))(beta, g, v_prev)
    rms_w = numpy_fn("notes:LN.rmsprop", "w", ("epsilon", "eta", "g", "v_t", "w_{t-1}"))
    opt = RMSprop(lr=lr, alpha=beta, eps=eps)
    new, st_ = opt.step(w, g, RMSpropState(v_prev))
    np.testing.assert_allclose(st_.square_avg, rms_v, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(new, rms_w(eps, lr, g, rms_v, w), rtol=1e-14, atol=1e-15)
    ada_v = numpy_fn("notes:LN.adagrad", "v", ("g", "v_{t-1}"))(g, v_prev)
    new, st_ = Adagrad(lr=lr, eps=eps).step(w, g, AdagradState(v_prev))
    np.testing.assert_allclose(st_.sum, ada_v, rtol=1e-14)
    np.testing.assert_allclose(new, rms_w(eps, lr, g, ada_v, w), rtol=1e-14, atol=1e-15)
    adam_w = numpy_fn("notes:LN.adam.update", "w",
                      ("\\hat{m}_t", "\\hat{v}_t", "epsilon", "eta", "w_{t-1}"))
    opt = Adam(lr=lr, betas=(0.9, beta), eps=eps)
    new, _ = opt.step(w, g, opt.init(w))  # t = 1: mhat = g, vhat = g^2 exactly
    np.testing.assert_allclose(new, adam_w(g, g * g, eps, lr, w), rtol=1e-14, atol=1e-15)
