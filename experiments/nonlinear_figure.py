"""Figures 6 and 7: ReLU and tanh autoencoders, with the identity-mapping estimate of [F].

``xhat = W2 phi(W1 x~)`` (no biases, as in the paper's loss [L]) trained by full-batch gradient
descent with equal learning rates: AE, WDAE (eq6's gamma) and DAE (fresh Gaussian noise of
variance sigma^2 every epoch).  Every ``record_every`` epochs the mapping of eigen-direction j is
estimated as in Appendix F: ``lambdahat_j / lambda_j`` with ``Lambdahat = V^T (sum_i x_i
xhat_i^T) V`` on the clean inputs.  The paper does not state the epochs or learning rate of these
runs; the presets' choices are ours and written to the JSON.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

import numerics as nm

from . import checkpoint, provenance
from .artifacts import prepare_out, save_run
from .datasets import load
from .training_loop import record_epochs, train_models

MODELS = ("AE", "WDAE", "DAE")
DIRECTIONS = 4  # the first four eigenvalues


@dataclass(frozen=True)
class NonlinearSettings:
    dataset: str = "mnist"
    activation: str = "relu"
    n_samples: int = 5000
    hidden: int = 64
    lr: float = 0.01
    epochs: int = 300
    gamma: float = 0.0045
    sigma2: float = 3.0
    seed: int = 0
    scale: float = 0.01
    batch_size: int = 0
    record_every: int = 10
    #: every epoch is recorded below this one (the lambda_1 rise takes ~20 epochs)
    dense_until: int = 60
    checkpoint_every: int = 100
    device: str = "cpu"
    dtype: str = "float32"
    # "authors": the paper's gamma as the authors' code applied it (torch MSELoss, a mean over
    # samples AND pixels, plus weight_decay gamma), i.e. eq6's gamma times D / 2 in our loss
    # (1/2N) sum ||r||^2; "eq6": the printed gamma in eq6's scaling, where 0.0045 is negligible
    # (N gamma / lambda_1 ~ 1e-3 on MNIST: the WDAE is the AE)
    gamma_convention: str = "authors"


GAMMA_CONVENTIONS = ("authors", "eq6")


def effective_gamma(s: NonlinearSettings, dim: int) -> float:
    """The decay in our loss ``(1/2N) sum_i ||x_i - xhat_i||^2 + gamma/2 ||W||^2``."""
    if s.gamma_convention not in GAMMA_CONVENTIONS:
        raise ValueError(f"gamma convention must be one of {', '.join(GAMMA_CONVENTIONS)}, "
                         f"got {s.gamma_convention!r}")
    return s.gamma * dim / 2 if s.gamma_convention == "authors" else s.gamma


_PAPER_N = {"mnist": 50000, "fashion-mnist": 50000, "cifar10": 30000}
_PAPER_H = {"mnist": 256, "fashion-mnist": 256, "cifar10": 512}
_PAPER_LR = {"mnist": 0.01, "fashion-mnist": 0.01, "cifar10": 0.001}


def settings_for(dataset: str, preset: str | None, *, activation: str = "relu",
                 **overrides: object) -> NonlinearSettings:
    if activation not in ("relu", "tanh"):
        raise ValueError(f"activation must be relu or tanh, got {activation!r}")
    base = NonlinearSettings(dataset=dataset, activation=activation,
                             sigma2=3.0 if activation == "relu" else 2.0,
                             record_every=10 if activation == "relu" else 20)
    if preset == "paper":  # N, gamma, sigma^2: the paper; epochs, lr, estimate spacing: ours
        base = replace(base, n_samples=_PAPER_N[dataset], hidden=_PAPER_H[dataset],
                       lr=_PAPER_LR[dataset], epochs=1000 if activation == "relu" else 5000)
    elif preset == "quick":
        base = replace(base, record_every=10, epochs=300 if activation == "relu" else 400,
                       lr=_PAPER_LR[dataset] * (1 if dataset != "cifar10" else 2))
    elif preset is not None:
        raise ValueError(f"unknown preset {preset!r}; choose paper or quick")
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def run_nonlinear(s: NonlinearSettings, data_dir: str | None, out: Path, *,
                  resume: bool = False, overwrite: bool = False, progress: bool = True,
                  argv: list[str] | None = None) -> dict[str, object]:
    """Train the three nonlinear models; write ``fig6|7_<dataset>_<activation>.*``.  No
    stability threshold is known for these nets: a model whose estimate leaves the finite
    numbers stops and the run is flagged ``"diverged": true`` (JSON and figure title)."""
    import torch

    from .cli import check_device

    check_device(s.device)
    effective_gamma(s, 1)  # reject an unknown convention before any work
    out = prepare_out(out)
    started = provenance.now()
    t0 = time.perf_counter()
    ds = load(s.dataset, data_dir, n_samples=s.n_samples)
    x = ds.x
    if s.hidden > x.shape[1]:
        raise ValueError(f"hidden must be <= the input dimension D = {x.shape[1]} "
                         f"(got {s.hidden})")
    gamma = effective_gamma(s, x.shape[1])
    lam, V = nm.eigenbasis(nm.covariance(x))
    vj = V[:, :DIRECTIONS]
    dt = {"float64": torch.float64, "float32": torch.float32}[s.dtype]
    torch.manual_seed(s.seed)
    xt = torch.as_tensor(x, dtype=dt, device=s.device)
    xv = x @ vj  # projections of the clean inputs on v_j
    phi = torch.relu if s.activation == "relu" else torch.tanh
    n = x.shape[0]

    def advance(model, w1, w2, k, rng):  # noqa: ANN001, ANN202
        a = torch.tensor(w1, dtype=dt, device=s.device, requires_grad=True)
        b = torch.tensor(w2, dtype=dt, device=s.device, requires_grad=True)
        size = s.batch_size or n
        for _ in range(k):
            order = rng.permutation(n) if s.batch_size else None
            for i in range(0, n, size):
                xb = xt if order is None else xt[torch.as_tensor(order[i:i + size])]
                xin = xb
                if model == "DAE":
                    noise = rng.standard_normal(tuple(xb.shape)) * np.sqrt(s.sigma2)
                    xin = xb + torch.as_tensor(noise, dtype=dt, device=s.device)
                r = xb - phi(xin @ a.T) @ b.T
                loss = (r * r).sum() / (2 * xb.shape[0])
                if model == "WDAE":
                    loss = loss + gamma / 2 * ((a * a).sum() + (b * b).sum())
                ga, gb = torch.autograd.grad(loss, (a, b))
                with torch.no_grad():
                    a -= s.lr * ga
                    b -= s.lr * gb
        return a.detach().cpu().double().numpy(), b.detach().cpu().double().numpy()

    def measure(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        if not (np.all(np.isfinite(w1)) and np.all(np.isfinite(w2))):
            return np.full(DIRECTIONS, np.nan)
        with torch.no_grad():
            a = torch.as_tensor(w1, dtype=dt, device=s.device)
            b = torch.as_tensor(w2, dtype=dt, device=s.device)
            xhat = (phi(xt @ a.T) @ b.T).double().cpu().numpy()
        return np.sum(xv * (xhat @ vj), axis=0) / lam[:DIRECTIONS]  # lambdahat_j / lambda_j

    rng0 = np.random.default_rng(s.seed)
    init = (rng0.standard_normal((s.hidden, x.shape[1])) * s.scale,
            rng0.standard_normal((x.shape[1], s.hidden)) * s.scale)
    rec = record_epochs(s.epochs, s.record_every, s.dense_until)
    fig_no = 6 if s.activation == "relu" else 7
    stem = f"fig{fig_no}_{s.dataset}_{s.activation}"
    ck_path = out / f"{stem}.ckpt.npz"
    run = train_models(MODELS, init, advance, measure, rec, DIRECTIONS, ck_path=ck_path,
                       settings=asdict(s), seed=s.seed, checkpoint_every=s.checkpoint_every,
                       resume=resume, overwrite=overwrite, progress=progress,
                       desc=f"Fig. {fig_no} {s.dataset} ({s.activation})")
    prov = provenance.record(started=started, device=f"{torch.device(s.device)} (torch "
                             f"{torch.__version__})", dtype=s.dtype,
                             data_path=ds.files[0] if ds.files else ds.source, x=x, argv=argv)
    metrics = _finish(s, out, stem, fig_no, rec, lam, run.curves, time.perf_counter() - t0,
                      gamma, run.diverged_at, prov)
    checkpoint.remove(ck_path)
    return metrics


def half_time(rec: np.ndarray, curve: np.ndarray) -> float | None:
    """First recorded epoch at which the curve reaches half of its final value (``None`` if
    never, or if the final value is not positive)."""
    final = curve[-1]
    if not np.isfinite(final) or final <= 0:
        return None
    hit = np.nonzero(curve >= final / 2)[0]
    return float(rec[hit[0]]) if hit.size else None


def _finish(s, out, stem, fig_no, rec, lam, curves, seconds, gamma, diverged_at,
            prov):  # noqa: ANN001, ANN202
    diverged = any(v is not None for v in diverged_at.values())
    metrics: dict[str, object] = {
        "seconds": seconds,
        "diverged": diverged,
        "divergence": {m: {"non_finite_from_epoch": diverged_at[m]} for m in MODELS},
        "stability_threshold": "none known for the nonlinear nets; only training that leaves "
                               "the finite numbers is flagged",
        "eigenvalues": {f"lambda_{j + 1}": float(lam[j]) for j in range(DIRECTIONS)},
        "epochs_to_half_of_final_mapping": {
            m: {f"lambda_{j + 1}": half_time(rec, curves[m][:, j]) for j in range(DIRECTIONS)}
            for m in MODELS},
        "final_mapping": {m: curves[m][-1].tolist() for m in MODELS},
        "mapping_outside_0_1": {m: bool(np.any((curves[m] < 0) | (curves[m] > 1)))
                                for m in MODELS},
        # in eq6's scaling (a mean loss plus gamma/2 ||W||^2) the decay's strength relative to
        # direction j is N gamma / lambda_j (lambda_j of the SUM Sigma_xx)
        "gamma_in_eq6_scaling": gamma,
        "n_gamma_over_lambda": (s.n_samples * gamma / lam[:DIRECTIONS]).tolist(),
    }
    fig = draw_figure(s, fig_no, rec, lam, curves, gamma, diverged)
    arrays = {"epochs": rec, **{m: curves[m] for m in MODELS}}
    save_run(out, stem, fig=fig, settings=asdict(s), metrics=metrics, arrays=arrays,
             provenance=prov)
    return metrics


def draw_figure(s: NonlinearSettings, fig_no: int, rec: np.ndarray, lam: np.ndarray,
                curves: dict[str, np.ndarray], gamma: float, diverged: bool):  # noqa: ANN201
    """Figure 6/7: the estimate of every direction per model over the recorded epochs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"AE": "tab:blue", "WDAE": "tab:orange", "DAE": "tab:green"}
    styles = {"AE": "-", "WDAE": "--", "DAE": "-."}
    fig, axes = plt.subplots(1, DIRECTIONS, figsize=(13, 3.6), sharey=True,
                             layout="constrained")
    for j, ax in enumerate(axes):
        for m in MODELS:
            ax.plot(rec, curves[m][:, j], color=colors[m], ls=styles[m], label=m)
        ax.set_title(rf"direction $j = {j + 1}$ ($\lambda_{{{j + 1}}}$ = {lam[j]:.4g})",
                     fontsize=10)
        ax.set_xlabel("epoch")
    axes[0].set_ylabel(r"$\hat\lambda_j(t) / \lambda_j$")
    axes[0].legend(fontsize=8)
    title = (f"Figure {fig_no}: {s.activation} AE on {s.dataset} ($N$ = {s.n_samples}, "
             f"$H$ = {s.hidden}, lr = {s.lr:g}; WDAE $\\gamma$ = {s.gamma:g} "
             f"({s.gamma_convention}: {gamma:.4g} in eq6), DAE $\\sigma^2$ = {s.sigma2:g})")
    if diverged:
        title = "DIVERGED: " + title
    fig.suptitle(title, fontsize=10, color="red" if diverged else "black")
    return fig
