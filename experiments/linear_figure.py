"""Figure 5: linear AE, WDAE and DAE trained on real data, beside the theory of daedyn.numerics.

The learned mapping of eigen-direction ``i`` is measured as ``(V^T W2 W1 V)_ii`` and, as the
paper's code did, as the ``i``-th singular value of ``W2 W1``.  The theory curve of each model is
the closed form for the data's own eigenvalue ``lam_i`` (a SUM over samples), ``tau = N / lr``,
``eps = N sigma^2`` and eq6's ``gamma``, from the balanced start ``u_i`` that the paper's
small random (not orthogonal) initialisation amounts to in direction ``i``
(:func:`experiments.linear_runs.effective_start_rotated`: the linearised early flow, deflated by the
directions learned before).  It remains an approximation of a non-decoupled start; the JSON
reports the measured gap per model and direction.

Training modes: ``covariance`` (exact full-batch GD on the marginalised loss through Sigma_xx,
NumPy, weights kept in the eigenbasis, cost independent of N), ``data`` (full-batch torch GD on
the samples with the marginalised noise penalty, as the paper), ``sampled`` (a real DAE: fresh
Gaussian noise every epoch, full batch or minibatches of ``batch_size``).

Optimisers (covariance mode; ``optimizer``, ``beta``, ``basis``): plain GD (``sgd``, the
default), heavy ball (``momentum``) and Nesterov with torch's momentum ``beta``, RMSprop and Adam
(torch's defaults), all from :mod:`numerics.optimizers`, acting on the rotated weights
(``basis="eigen"``) or on the pixel-coordinate weights (``"pixel"``; coordinate-wise optimisers
are not rotation invariant, [OD.decoupling]).  The theory beside a momentum run is the closed
form with ``tau (1 - beta)`` ([OD.flow]; the preset lr is scaled by ``1 - beta`` so the time axis
is GD's); beside an RMSprop/Adam run it is the per-direction scalar model under the same
optimiser (:func:`numerics.simulate_scalar`) from the same start.  The optimiser's state is
checkpointed with the weights (stacked under them), so ``--resume`` continues it exactly.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

import numerics as nm

from . import checkpoint, provenance
from .artifacts import prepare_out, save_run
from .datasets import load
from .linear_runs import effective_start_rotated, theory_from_start
from .training_loop import record_epochs, train_models

PLOTTED = (1, 4, 8, 16, 32)  # eigenvalue indices of Figure 5 (1-based)
MODELS = ("AE", "WDAE", "DAE")


@dataclass(frozen=True)
class LinearSettings:
    dataset: str = "mnist"
    n_samples: int = 10000
    hidden: int = 64
    #: None: the preset rule ``min(lr_max, LR_SAFETY N / lambda_1)`` from the data
    lr: float | None = None
    lr_max: float = 0.02
    epochs: int = 2000
    gamma: float = 0.5
    sigma2: float = 0.5
    seed: int = 0
    scale: float = 1e-3
    mode: str = "covariance"
    batch_size: int = 0  # sampled mode: 0 = full batch
    record_every: int = 10
    checkpoint_every: int = 250
    device: str = "cpu"
    dtype: str = "float64"
    optimizer: str = "sgd"
    #: torch's momentum of ``momentum`` / ``nesterov`` (None: :data:`DEFAULT_BETA`)
    beta: float | None = None
    basis: str = "eigen"


PRESETS: dict[str, dict[str, dict[str, object]]] = {
    # the paper's Section 6 (EQUATIONS.md): MNIST N = 50000, H = 256, lr = 0.01; CIFAR-10
    # N = 30000, H = 512, lr = 0.001; 5000 epochs; WDAE gamma = 0.5; DAE sigma^2 = 0.5
    # float32 iteration (the mappings are measured in float64; float32 vs float64 curves differ
    # by ~1e-6, far below the theory-vs-training gaps, see benchmarks/experiments_bench.py)
    # (record every 20 epochs: 251 points per curve)
    # lr_max is the paper's lr; the run uses min(lr_max, LR_SAFETY N / lambda_1) (lr_rule)
    "paper": {"mnist": dict(n_samples=50000, hidden=256, lr_max=0.01, epochs=5000,
                            dtype="float32", record_every=20),
              "fashion-mnist": dict(n_samples=50000, hidden=256, lr_max=0.01, epochs=5000,
                                    dtype="float32", record_every=20),
              "cifar10": dict(n_samples=30000, hidden=512, lr_max=0.001, epochs=5000,
                              dtype="float32", record_every=20)},
    # minutes on a 2-core CPU: lam / tau = lr (lam / N) does not depend on N, so fewer samples
    # give the same curves; a larger lr (still below the stability bound N / lam_1) shortens
    # the run
    "quick": {"mnist": dict(n_samples=10000, hidden=64, lr_max=0.02, epochs=2000),
              "fashion-mnist": dict(n_samples=10000, hidden=64, lr_max=0.02, epochs=2000),
              "cifar10": dict(n_samples=10000, hidden=128, lr_max=0.001, epochs=3000)},
}

#: full-batch GD on the linear AE, DAE and WDAE is locally stable at the (balanced) fixed point
#: only for ``lr lambda_1 / N < 1`` (the Hessian's largest eigenvalue there is
#: ``2 lambda_1 / tau``, [D.step] at the fixed point; GD on it is stable for ``lr < 2 / that``)
STABILITY_THRESHOLD = 1.0
#: the presets keep ``lr lambda_1 / N`` at most this (MNIST quick: 0.77 at lr = 0.02)
LR_SAFETY = 0.8
LR_RULE = f"lr = min(preset lr, {LR_SAFETY} N / lambda_1)"
#: a sustained period-2 swing above this in a plotted direction flags the run as diverged
OSCILLATION_TOL = 1e-3
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
MOMENTUM = ("momentum", "nesterov")
DEFAULT_BETA = 0.9
#: the adaptive optimisers' preset lr (Adam moves each weight by about lr per step)
ADAPTIVE_LR = {"rmsprop": 5e-4, "adam": 2e-3}


def make_optimizer(s: LinearSettings) -> object:
    """The :mod:`numerics.optimizers` object of a run (``s.lr`` already chosen)."""
    from numerics.optimizers import SGD, Adam, RMSprop

    if s.optimizer == "sgd":
        return SGD(lr=s.lr)
    if s.optimizer in MOMENTUM:
        return SGD(lr=s.lr, momentum=beta_of(s), nesterov=s.optimizer == "nesterov")
    return RMSprop(lr=s.lr) if s.optimizer == "rmsprop" else Adam(lr=s.lr)


def beta_of(s: LinearSettings) -> float:
    return DEFAULT_BETA if s.beta is None else float(s.beta)


def stem_of(s: LinearSettings) -> str:
    """``fig5_<dataset>_<mode>``, plus ``_<optimizer>[<beta>]_<basis>`` unless plain GD in the
    eigenbasis (the basis is part of a run's identity)."""
    stem = f"fig5_{s.dataset}_{s.mode}"
    if s.optimizer == "sgd" and s.basis == "eigen":
        return stem
    beta = f"{beta_of(s):g}" if s.optimizer in MOMENTUM else ""
    return f"{stem}_{s.optimizer}{beta}_{s.basis}"


def check_optimizer(s: LinearSettings) -> None:
    """``ValueError`` for an optimiser setting that does not apply."""
    if s.optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {s.optimizer!r}")
    if s.basis not in ("eigen", "pixel"):
        raise ValueError(f"basis must be eigen or pixel, got {s.basis!r}")
    if s.beta is not None:
        if s.optimizer not in MOMENTUM:
            raise ValueError(f"beta applies to --optimizer momentum or nesterov only (got "
                             f"{s.optimizer})")
        if not 0 < s.beta < 1:
            raise ValueError(f"beta must lie in (0, 1) (got {s.beta:g})")
    if s.mode != "covariance" and (s.optimizer != "sgd" or s.basis != "eigen"):
        raise ValueError("optimizer and basis apply to --mode covariance only (data and sampled "
                         "modes run plain GD on the samples, in pixel coordinates)")


def stability_number(lr: float, lam1: float, n: int) -> float:
    """``lr lambda_1 / N``: full-batch GD is locally stable at the fixed point below 1."""
    return float(lr * lam1 / n)


def choose_lr(s: LinearSettings, lam1: float) -> tuple[float, dict[str, object]]:
    """The run's lr and what the JSON records about it: the preset rule when ``s.lr`` is None,
    else the user's lr (with a warning on stderr above the method's stability threshold of
    ``lr lambda_1 / N``: 1 for GD, ``1 + beta`` heavy ball, ``(1 + beta)/(1 + 2 beta)``
    Nesterov [OD.heavy-ball], [OD.nesterov]; the preset rule of a momentum run is GD's times
    ``1 - beta``, the same effective lr ``lr / (1 - beta)``).  RMSprop and Adam have no such
    threshold: preset lr :data:`ADAPTIVE_LR`."""
    if s.optimizer in ADAPTIVE_LR:
        lr = ADAPTIVE_LR[s.optimizer] if s.lr is None else s.lr
        return lr, {"rule": "given by the user (--lr)" if s.lr is not None else
                    f"preset lr of {s.optimizer}", "lr": lr, "lambda_1": lam1,
                    "lr_lambda1_over_N": stability_number(lr, lam1, s.n_samples),
                    "stability_threshold": None}
    threshold = STABILITY_THRESHOLD
    if s.optimizer in MOMENTUM:
        b = beta_of(s)
        threshold = float(nm.max_stable_step("heavy-ball" if s.optimizer == "momentum"
                                             else "nesterov", 1.0, 0.0, beta=b))
    if s.lr is None:
        lr = min(s.lr_max, LR_SAFETY * s.n_samples / lam1)
        info: dict[str, object] = {"rule": LR_RULE, "preset_lr": s.lr_max}
        if s.optimizer in MOMENTUM:
            lr *= 1 - beta_of(s)
            info["rule"] = LR_RULE + " times (1 - beta) (the same lr / (1 - beta) as GD's)"
    else:
        lr, info = s.lr, {"rule": "given by the user (--lr)"}
    k = stability_number(lr, lam1, s.n_samples)
    info |= {"lr": lr, "lambda_1": lam1, "lr_lambda1_over_N": k,
             "stability_threshold": threshold}
    if s.optimizer in MOMENTUM:
        info["effective_lr"] = lr / (1 - beta_of(s))
    if k >= threshold:
        print(f"daedyn: warning: lr = {lr:g} gives lr lambda_1 / N = {k:.3g} >= "
              f"{threshold:g}, the stability threshold of full-batch {s.optimizer} at the fixed "
              f"point (lambda_1 = {lam1:.6g}, N = {s.n_samples}); expect divergence or "
              f"oscillation; lr < {threshold * s.n_samples / lam1:.4g} is stable",
              file=sys.stderr)
    return lr, info


def model_params(s: LinearSettings, model: str) -> tuple[float, float]:
    """``(eps, gamma)`` of a model: eps = N sigma^2 for the DAE, eq6's gamma for the WDAE."""
    return {"AE": (0.0, 0.0), "WDAE": (0.0, s.gamma), "DAE": (s.n_samples * s.sigma2, 0.0)}[model]


def _packed(s: LinearSettings) -> bool:
    """Whether the run carries an optimiser state (stacked under the weights)."""
    return s.optimizer != "sgd" or s.basis != "eigen"


def pack(w: np.ndarray, state: object) -> np.ndarray:
    """Weights and their optimiser state as one array ``(1 + fields, *w.shape)``: the state's
    arrays in field order, ``None`` as a NaN slot, an int (step count) as a constant slot."""
    slots = [w]
    for f in fields(state):
        v = getattr(state, f.name)
        slots.append(np.full(w.shape, np.nan) if v is None else
                     np.full(w.shape, float(v)) if isinstance(v, int) else np.asarray(v))
    return np.stack(slots)


def unpack(arr: np.ndarray, template: object) -> tuple[np.ndarray, object]:
    """The inverse of :func:`pack`, given a state of the same type (e.g. the initial one)."""
    vals = {}
    for i, f in enumerate(fields(template), start=1):
        if isinstance(getattr(template, f.name), int):
            vals[f.name] = int(arr[i].flat[0])
        else:
            vals[f.name] = None if np.isnan(arr[i].flat[0]) else arr[i].copy()
    return arr[0].copy(), type(template)(**vals)


def _optimizer_stepper(s: LinearSettings, lam: np.ndarray, V: np.ndarray, eps: float,
                       gamma: float) -> Callable:
    from numerics.linear_ae import OptimizerLinearAE

    trainer = OptimizerLinearAE(lam, V, s.n_samples, make_optimizer(s), eps, gamma, s.basis)

    def run(w1, w2, k, _rng):
        t1, t2 = trainer.init(w1[0], w2[0])
        p1, st1 = unpack(w1, t1)
        p2, st2 = unpack(w2, t2)
        p1, p2, (st1, st2) = trainer.advance(p1, p2, (st1, st2), k)
        return pack(p1, st1), pack(p2, st2)
    return run


def _stepper(s: LinearSettings, x: np.ndarray, lam: np.ndarray, model: str,
             V: np.ndarray | None = None
             ) -> Callable[[np.ndarray, np.ndarray, int, np.random.Generator], tuple]:
    """One model's advance ``(W1, W2, epochs, rng) -> (W1, W2)``; in covariance mode the
    weights are the rotated ones and ``lam`` the eigenvalues of Sigma_xx."""
    eps, gamma = model_params(s, model)
    if s.mode == "covariance" and _packed(s):
        return _optimizer_stepper(s, lam, V, eps, gamma)
    if s.mode == "covariance":  # the weights stay rotated into the eigenbasis between calls
        def run(w1, w2, k, _rng):
            return nm.gd_eigenbasis(w1, w2, lam, s.n_samples, s.lr, k, eps=eps, gamma=gamma,
                                    dtype=s.dtype)
        return run
    import torch

    dt = {"float64": torch.float64, "float32": torch.float32}[s.dtype]
    xt = torch.as_tensor(x, dtype=dt, device=s.device)
    n = xt.shape[0]

    def run(w1, w2, k, rng):
        # a copy (torch.tensor, not as_tensor): the caller's arrays are the checkpointed state
        # and must not move while an interrupted advance is under way
        a = torch.tensor(w1, dtype=dt, device=s.device, requires_grad=True)
        b = torch.tensor(w2, dtype=dt, device=s.device, requires_grad=True)
        for _ in range(k):
            if s.mode == "data":  # marginalised noise penalty, full batch (the paper's code)
                r = xt - xt @ a.T @ b.T
                m = b @ a
                loss = (r * r).sum() / (2 * n) + s.sigma2 / 2 * (m * m).sum() * (eps > 0)
                batches = [loss]
            else:  # sampled: fresh Gaussian noise each epoch
                order = rng.permutation(n) if s.batch_size else np.arange(n)
                size = s.batch_size or n
                batches = []
                for i in range(0, n, size):
                    idx = torch.as_tensor(order[i:i + size], device=s.device)
                    xb = xt[idx]
                    noise = rng.standard_normal(tuple(xb.shape)) * np.sqrt(s.sigma2)
                    xn = xb + torch.as_tensor(noise, dtype=dt, device=s.device) * (eps > 0)
                    r = xb - xn @ a.T @ b.T
                    batches.append((r * r).sum() / (2 * xb.shape[0]))
            for loss in batches:
                if gamma:
                    loss = loss + gamma / 2 * ((a * a).sum() + (b * b).sum())
                ga, gb = torch.autograd.grad(loss, (a, b))
                with torch.no_grad():
                    a -= s.lr * ga
                    b -= s.lr * gb
        return a.detach().cpu().double().numpy(), b.detach().cpu().double().numpy()
    return run


def _measure(w1: np.ndarray, w2: np.ndarray, V: np.ndarray | None, idx: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal of ``V^T W2 W1 V`` at ``idx`` and the singular values of ``W2 W1`` there (the
    authors' measure); ``V = None`` for weights already rotated into the eigenbasis.  NaN for
    weights that left the finite numbers (a diverged run)."""
    if not (np.all(np.isfinite(w1)) and np.all(np.isfinite(w2))):
        return np.full(idx.size, np.nan), np.full(idx.size, np.nan)
    if V is None:
        diag = np.sum(w2[idx, :] * w1[:, idx].T, axis=1)
    else:
        vi = V[:, idx]
        diag = np.sum((vi.T @ w2) * (w1 @ vi).T, axis=1)
    if w1.shape[0] <= idx.max():
        return diag, np.full(idx.size, np.nan)
    return diag, singular_values(w1, w2, top=int(idx.max()) + 1)[idx]


def singular_values(w1: np.ndarray, w2: np.ndarray, top: int | None = None) -> np.ndarray:
    """The ``top`` largest singular values of ``W2 W1`` (all H by default), decreasing, from
    H x H matrices only: with ``W1 W1^T = L L^T``, ``sv^2 = eig(L^T W2^T W2 L)`` (the nonzero
    eigenvalues of ``(W2 W1)^T W2 W1``); when ``W1 W1^T`` is singular, ``L = U S^(1/2)`` from
    its eigendecomposition.  About 20 times cheaper than a QR + SVD at D = 3072, H = 512.
    """
    from scipy.linalg import eigvalsh

    a, b = w1 @ w1.T, w2.T @ w2
    h = a.shape[0]
    try:
        low = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        s, u = np.linalg.eigh(a)
        low = u * np.sqrt(np.clip(s, 0.0, None))
    k = h if top is None else min(top, h)
    ev = eigvalsh(low.T @ b @ low, subset_by_index=[h - k, h - 1])
    return np.sqrt(np.clip(ev, 0.0, None))[::-1]


def run_linear(s: LinearSettings, data_dir: str | None, out: Path, *, resume: bool = False,
               overwrite: bool = False, progress: bool = True,
               argv: list[str] | None = None) -> dict[str, object]:
    """Train AE, WDAE and DAE; write ``fig5_<dataset>_<mode>.{png,pdf,json,npz}``; return the
    metrics.  The learning rate follows :func:`choose_lr`; a run that leaves the finite numbers
    or ends on a period-2 orbit is flagged ``"diverged": true`` (JSON and figure title)."""
    if s.mode not in ("covariance", "data", "sampled"):
        raise ValueError(f"mode must be covariance, data or sampled, got {s.mode!r}")
    check_optimizer(s)
    if _packed(s) and s.dtype != "float64":  # numerics.optimizers iterate in float64
        s = replace(s, dtype="float64")
    _check_device(s)
    if s.hidden < max(PLOTTED):
        raise ValueError(f"hidden must be >= {max(PLOTTED)} to plot eigenvalue {max(PLOTTED)}")
    out = prepare_out(out)
    started = provenance.now()
    ds = load(s.dataset, data_dir, n_samples=s.n_samples)
    x = ds.x
    if s.hidden > x.shape[1]:
        raise ValueError(f"hidden must be <= the input dimension D = {x.shape[1]} "
                         f"(got {s.hidden})")
    t0 = time.perf_counter()
    sigma = nm.covariance(x)
    lam, V = nm.eigenbasis(sigma)
    lr, lr_info = choose_lr(s, float(lam[0]))
    s = replace(s, lr=lr)
    idx = np.asarray(PLOTTED) - 1
    stem = stem_of(s)
    rec = record_epochs(s.epochs, s.record_every)
    rng0 = np.random.default_rng(s.seed)
    w1_0 = rng0.standard_normal((s.hidden, x.shape[1])) * s.scale
    w2_0 = rng0.standard_normal((x.shape[1], s.hidden)) * s.scale
    b1_0, b2_0 = w1_0 @ V, V.T @ w2_0  # Wb1 = W1 V, Wb2 = V^T W2 ([3.1b])
    start = effective_start_rotated(b1_0, b2_0)[idx]  # the theory's per-direction start
    steppers = {m: _stepper(s, x, lam, m, V) for m in MODELS}
    rotated = s.mode == "covariance" and s.basis == "eigen"
    if rotated:  # covariance mode trains, and checkpoints, the rotated weights
        w1_0, w2_0 = b1_0, b2_0
    packed = s.mode == "covariance" and _packed(s)
    if packed:  # the optimiser's state travels (and is checkpointed) with the weights
        from numerics.linear_ae import OptimizerLinearAE

        st1, st2 = OptimizerLinearAE(lam, V, s.n_samples, make_optimizer(s),
                                     basis=s.basis).init(w1_0, w2_0)
        w1_0, w2_0 = pack(w1_0, st1), pack(w2_0, st2)

    def measure(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        if packed:
            w1, w2 = w1[0], w2[0]
        return np.concatenate(_measure(w1, w2, None if rotated else V, idx))

    ck_path = out / f"{stem}.ckpt.npz"
    run = train_models(
        MODELS, (w1_0, w2_0), lambda m, w1, w2, k, rng: steppers[m](w1, w2, k, rng), measure,
        rec, 2 * idx.size, ck_path=ck_path, settings=asdict(s), seed=s.seed,
        checkpoint_every=s.checkpoint_every, resume=resume, overwrite=overwrite,
        progress=progress, desc=f"Fig. 5 {s.dataset} ({s.mode})")
    divergence: dict[str, dict[str, object]] = {}
    for m in MODELS:
        at = run.diverged_at[m]
        # (sampled mode: fresh noise every step makes single-step changes random; only a
        # non-finite run is flagged there)
        amp = None if at is not None or s.mode == "sampled" else period_two_amplitude(
            steppers[m], measure, *run.weights[m], idx.size)
        divergence[m] = {"non_finite_from_epoch": at, "period_two_amplitude": amp,
                         "diverged": at is not None or (amp is not None
                                                        and amp > OSCILLATION_TOL)}
    curves = {}
    for m in MODELS:
        raw = run.curves[m]
        curves[f"{m}_diag"], curves[f"{m}_sv"] = raw[:, :idx.size], raw[:, idx.size:]
    seconds = time.perf_counter() - t0
    device = "cpu (NumPy)" if s.mode == "covariance" else _torch_device(s.device)
    prov = provenance.record(started=started, device=device, dtype=s.dtype,
                             data_path=ds.files[0] if ds.files else ds.source, x=x, argv=argv)
    metrics = _finish(s, out, stem, rec, lam, idx, start, curves, seconds,
                      lr_info=lr_info, divergence=divergence, provenance=prov)
    checkpoint.remove(ck_path)
    return metrics


def period_two_amplitude(stepper: Callable, measure: Callable, w1: np.ndarray, w2: np.ndarray,
                         width: int) -> float:
    """Amplitude of a sustained period-2 orbit after the run's last epoch, 0 if there is none.

    Three more single steps (on copies, with their own generator) give the changes ``d1, d2,
    d3`` of the plotted diagonal entries; a direction oscillates when their signs alternate and
    the swing does not decay (``|d3| >= 0.9 |d1|``): a transient overshoot (GD multiplier
    between -1 and 0) decays, a period-2 orbit (which records every even number of epochs
    cannot see) does not.  ``inf`` if a step leaves the finite numbers."""
    rng = np.random.default_rng(0)  # the run's own generators are not touched
    ws = [(w1, w2)]
    for _ in range(3):
        ws.append(stepper(*ws[-1], 1, rng))
    x = np.array([np.asarray(measure(*w))[:width] for w in ws])
    if not np.all(np.isfinite(x)):
        return float("inf")
    d = np.diff(x, axis=0)
    alternating = (d[0] * d[1] < 0) & (d[1] * d[2] < 0) & (np.abs(d[2]) >= 0.9 * np.abs(d[0]))
    swing = np.min(np.abs(d), axis=0) / 2
    return float(np.max(np.where(alternating, swing, 0.0)))


def _check_device(s: LinearSettings) -> None:
    from .cli import UsageError, check_device

    check_device(s.device)
    if s.mode == "covariance" and s.device != "cpu":
        raise UsageError("--device applies to --mode data and sampled only (covariance mode "
                         "computes in NumPy on the CPU)")


def _torch_device(device: str) -> str:
    import torch

    return f"{torch.device(device)} (torch {torch.__version__})"


def theory(s: LinearSettings, lam: np.ndarray, start: np.ndarray, t: np.ndarray, model: str
           ) -> np.ndarray:
    """Closed-form mapping per plotted eigenvalue (columns) at epochs ``t`` (rows), from the
    balanced starts ``start`` that the random initialisation amounts to (see
    :mod:`experiments.linear_runs`); momentum: with ``tau (1 - beta)`` [OD.flow]; RMSprop and
    Adam: the per-direction scalar model under the same optimiser (``t`` every
    ``record_every`` epochs and the last)."""
    eps, gamma = model_params(s, model)
    if s.optimizer in ADAPTIVE_LR:
        tr = nm.simulate_scalar(lam, eps, gamma, s.n_samples, w1_0=start, w2_0=start,
                                epochs=int(t[-1]), record_every=s.record_every,
                                optimizer=make_optimizer(s))
        return tr.w
    lr = s.lr / (1 - beta_of(s)) if s.optimizer in MOMENTUM else s.lr
    return theory_from_start(model, t, lam, start, n=s.n_samples, lr=lr, eps=eps,
                             gamma=gamma)


def theory_label(s: LinearSettings) -> str:
    if s.optimizer in ADAPTIVE_LR:
        return f"per-direction scalar model under {s.optimizer} (same start)"
    if s.optimizer in MOMENTUM:
        return r"theory [eq5] / [C.w], $\tau(1-\beta)$ [OD.flow]"
    return "theory [eq5] / [C.w]"


def _finish(s, out, stem, rec, lam, idx, start, curves, seconds, *, lr_info, divergence,
            provenance):  # noqa: ANN001, ANN202
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    diverged = any(d["diverged"] for d in divergence.values())
    metrics: dict[str, object] = {
        "seconds": seconds,
        "diverged": diverged,
        "divergence": divergence,
        "learning_rate": lr_info,
        "eigenvalues": {f"lambda_{i + 1}": float(lam[i]) for i in idx},
        "theory_start_u": {f"lambda_{i + 1}": float(u) for i, u in zip(idx, start, strict=True)},
        "theory_start_u_note": "an ESTIMATE, not a verified step (the paper's theory assumes an "
        "orthogonal start; a random start has no exact per-direction reading): the theory "
        "curve of direction i starts from the balanced "
        "w1 = w2 = u_i that the random initialisation amounts to in that direction (the norm of "
        "the direction's share of W1 and W2, deflated by the earlier directions; see "
        "experiments/linear_runs.py)",
        "max_abs_theory_minus_training": {},
        "optimizer": {"name": s.optimizer, "basis": s.basis, "repr": repr(make_optimizer(s)),
                      "theory": theory_label(s)}}
    if s.optimizer in MOMENTUM:
        b = beta_of(s)
        metrics["optimizer"]["flow_parameter_x"] = {  # [OD.flow]: lr lam_i / (N (1 - beta)^2)
            f"lambda_{i + 1}": float(s.lr * lam[i] / (s.n_samples * (1 - b) ** 2)) for i in idx}
    arrays = {"epochs": rec, "eigenvalues": lam[idx], "theory_start_u": start}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    colors = plt.cm.viridis(np.linspace(0, 0.9, idx.size))
    for ax, m in zip(axes, MODELS, strict=True):
        th = theory(s, lam[idx], start, rec.astype(float), m)
        arrays[f"{m}_theory"] = th
        arrays |= {f"{m}_diag": curves[f"{m}_diag"], f"{m}_sv": curves[f"{m}_sv"]}
        metrics["max_abs_theory_minus_training"][m] = {
            f"lambda_{i + 1}": {"diag": _max_gap(th[:, j], curves[f"{m}_diag"][:, j]),
                                "singular_value": _max_gap(th[:, j], curves[f"{m}_sv"][:, j])}
            for j, i in enumerate(idx)}
        for c, j in zip(colors, range(idx.size), strict=True):
            ax.plot(rec, curves[f"{m}_diag"][:, j], color=c, lw=2,
                    label=rf"$\lambda_{{{idx[j] + 1}}}$ training")
            ax.plot(rec, th[:, j], color="k", ls="--", lw=1)
        ax.set_title(f"{m}" + {"AE": "", "WDAE": rf" ($\gamma$={s.gamma})",
                               "DAE": rf" ($\sigma^2$={s.sigma2})"}[m]
                     + (" DIVERGED" if divergence[m]["diverged"] else ""),
                     color="red" if divergence[m]["diverged"] else "black")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel(r"mapping $(V^T W V)_{ii}$, $W = W_2 W_1$")
    handles, labels = axes[0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="k", ls="--", lw=1))
    labels.append(theory_label(s))
    axes[0].legend(handles, labels, fontsize=7, loc="lower right")
    opt = "" if not _packed(s) else f", {s.optimizer}" + (
        f" beta={beta_of(s):g}" if s.optimizer in MOMENTUM else "") + f", {s.basis} basis"
    title = (f"Figure 5, {s.dataset} (N={s.n_samples}, H={s.hidden}, lr={s.lr:.4g}, "
             f"{s.mode} mode{opt}): training (colour) vs theory (dashed)")
    if diverged:
        title = "DIVERGED: " + title
    fig.suptitle(title, fontsize=10, color="red" if diverged else "black")
    save_run(out, stem, fig=fig, settings=asdict(s), metrics=metrics, arrays=arrays,
             provenance=provenance)
    return metrics


def _max_gap(a: np.ndarray, b: np.ndarray) -> float | None:
    """``max |a - b|`` over the finite entries (``None`` when there are none)."""
    d = np.abs(np.asarray(a) - np.asarray(b))
    d = d[np.isfinite(d)]
    return float(d.max()) if d.size else None


def settings_for(dataset: str, preset: str | None, **overrides: object) -> LinearSettings:
    base = LinearSettings(dataset=dataset)
    if "lr" in overrides and overrides["lr"] is None:
        del overrides["lr"]
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        base = replace(base, **PRESETS[preset][dataset])
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})
