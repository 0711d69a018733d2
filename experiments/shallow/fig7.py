"""Figure 7 of Refinetti & Goldt: the sigmoidal autoencoder trained WITHOUT the theory's
rescalings, i.e. under "standard conditions": inputs normalised the standard way (grayscale
CIFAR-10 luminance minus its scalar mean, divided by its scalar standard deviation, as
``transforms.Normalize`` does for one channel: entries of variance 1, so the top eigenvalues
are O(D), not O(1)); no division of the eigenvalues by D, no 1/sqrt(D) in the
pre-activations, no D-scaled learning rates; a plain ``torch.nn`` network (``nn.Linear``
layers with PyTorch's default initialisation, no bias), ``g(z) = erf(z / sqrt 2)``, the
per-image loss ``||x - xhat||^2 / 2`` and ``torch.optim.SGD`` with one learning rate for all
weights and mini-batches of ``batch`` images drawn with replacement.

The paper's three phenomena, each decided with numbers: tied weights fail to reach even the
rank-1 PCA error; untied weights reach the rank-K PCA error; the encoder norms shrink and the
decoder norms grow (inset).  The PCA errors are those of the uncentred second moment of the same
inputs (the best rank-k linear reconstruction without bias), on the same per-image scale
``||x - P_k x||^2 / 2``.  There is no theory curve: the ODE describes the rescaled model only.
Plain SGD here runs through torch's own optimiser, not :func:`.sgd_runs.resumable_sgd` (which
simulates the rescaled model); it is checkpointed per chunk in the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checkpoint
from ..training_loop import Interrupted
from .context import Context
from .spec import FigureSpec

SPEC = FigureSpec(
    number="7", title="no rescalings: plain torch SGD on raw CIFAR-10 gray",
    datasets=("cifar10-gray",), activations=("erf",), knobs=frozenset({"K"}),
    presets={
        "smoke": {"K": 2, "n_images": 1000, "lr": 1e-3, "batch": 8, "steps": 300,
                  "n_records": 6, "chunks": 1},
        "quick": {"K": 4, "n_images": 10_000, "lr": 1e-3, "batch": 8, "steps": 30_000,
                  "n_records": 30, "chunks": 10},
        "paper": {"K": 4, "n_images": 10_000, "lr": 1e-3, "batch": 8, "steps": 1_000_000,
                  "n_records": 60, "chunks": 40},
    },
)


def _standardised_images(ctx: Context, n: int) -> tuple[np.ndarray, Any]:
    """Luminance of the first ``n`` training images, standardised by its scalar mean and
    standard deviation (no 1/D rescaling of the spectrum).  Standardisation is invariant under
    the affine map of :mod:`.realdata` (scalar divisor and shift), so it is computed from the
    cached scaled images."""
    from .image_theory import images_and_spectrum

    im, _ = images_and_spectrum(ctx, "cifar10-gray", n)
    mean, sd = float(im.x.mean()), float(im.x.std())
    x = (im.x - mean) / sd
    ctx.data["cifar10-gray-standardised"] = {
        "from": "the cifar10-gray record (luminance, paper scaling), then",
        "scaling": "(x - scalar mean) / scalar std ('standard conditions' of Fig. 7; the "
                   "spectrum is not divided by D): the same as standardising the luminance",
        "D": int(x.shape[1]), "n_images": int(x.shape[0])}
    return x, im


def train(ctx: Context, name: str, x: np.ndarray, K: int, tied: bool, rec_steps: np.ndarray,
          lr: float, batch: int, seed: int, chunks: int) -> dict[str, np.ndarray]:
    """Plain torch SGD, recorded at ``rec_steps`` (0 first): mean per-image loss on all images,
    encoder norms ``|w_k|`` and decoder norms ``|v_k|``; checkpointed per chunk."""
    import torch
    from torch import nn

    from .sgd_runs import chunk_seed

    N, D = x.shape
    X = torch.from_numpy(x)
    identity = {**ctx.settings, "part": name, "K": K, "tied": tied,
                "rec_steps": rec_steps.tolist()}
    ck = ctx.checkpoint_path(name)
    torch.manual_seed(seed)
    enc = nn.Linear(D, K, bias=False).double()
    dec = None if tied else nn.Linear(K, D, bias=False).double()
    params = list(enc.parameters()) + ([] if dec is None else list(dec.parameters()))
    opt = torch.optim.SGD(params, lr=lr)

    def forward(xb: torch.Tensor) -> torch.Tensor:
        h = torch.erf(enc(xb) / np.sqrt(2.0))
        return h @ enc.weight if dec is None else dec(h)

    def measure() -> dict[str, np.ndarray]:
        with torch.no_grad():
            loss = float(((X - forward(X)) ** 2).sum(1).mean() / 2)
            w = enc.weight.norm(dim=1).numpy().copy()
            v = w if dec is None else dec.weight.norm(dim=0).numpy().copy()
        if not np.isfinite(loss):
            raise FloatingPointError(f"{name}: loss diverged; lower lr (now {lr:g})")
        return {"loss": np.array([loss]), "w_norm": w[None], "v_norm": v[None]}

    groups = ctx.record_groups(rec_steps.size, chunks)
    done, state = ctx.resume_state(ck, identity)
    if state:
        with torch.no_grad():
            enc.weight.copy_(torch.from_numpy(state["enc"]))
            if dec is not None:
                dec.weight.copy_(torch.from_numpy(state["dec"]))
    if not state:
        state = measure()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small per-step tensors: threads only add synchronisation
    try:
        for c in range(done, len(groups)):
            rng = np.random.default_rng(chunk_seed(seed, c))
            cur = int(rec_steps[groups[c][0] - 1])
            for j in groups[c]:
                for _ in range(int(rec_steps[j]) - cur):
                    xb = X[rng.integers(0, N, size=batch)]
                    opt.zero_grad()
                    loss = ((xb - forward(xb)) ** 2).sum(1).mean() / 2
                    loss.backward()
                    opt.step()
                cur = int(rec_steps[j])
                state = {k: np.concatenate([state[k], v]) for k, v in measure().items()
                         if k in state} | {k: v for k, v in state.items()
                                           if k not in ("loss", "w_norm", "v_norm")}
            state["enc"] = enc.weight.detach().numpy().copy()
            if dec is not None:
                state["dec"] = dec.weight.detach().numpy().copy()
            checkpoint.save(ck, identity, c + 1, state)
    except KeyboardInterrupt:
        loaded = checkpoint.load(ck, identity)
        raise Interrupted(f"{ctx.stem} {name}", int(loaded[0]) if loaded else 0, ck, True,
                          unit="chunk") from None
    finally:
        torch.set_num_threads(threads)
    return state


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = ctx.settings
    K, seed = int(s["K"]), int(s["seed"])
    x, im = _standardised_images(ctx, int(s["n_images"]))
    N, D = x.shape
    rec = np.unique(np.concatenate([[0], np.rint(np.geomspace(10, int(s["steps"]),
                                                              int(s["n_records"])))]
                                   ).astype(np.int64))
    runs = {}
    for tied in (False, True):
        name = "tied" if tied else "untied"
        runs[name] = train(ctx, name, x, K, tied, rec, float(s["lr"]), int(s["batch"]), seed,
                           int(s["chunks"]))
    rho = np.linalg.eigvalsh(x.T @ x / N)[::-1]
    pca = np.array([0.5 * rho[k:].sum() for k in range(K + 1)])  # per-image ||x - P x||^2 / 2
    fu, ft = float(runs["untied"]["loss"][-1]), float(runs["tied"]["loss"][-1])
    wu, vu = runs["untied"]["w_norm"], runs["untied"]["v_norm"]
    metrics: dict[str, Any] = {
        "deviations": {"untied_final_over_pca_rank_K": fu / pca[K],
                       "tied_final_over_pca_rank_1": ft / pca[1]},
        "theory": "none: the ODE describes the rescaled model only",
        "D": int(D), "pca_errors": pca.tolist(), "final_loss": {"untied": fu, "tied": ft},
        "steps": int(rec[-1]), "batch": int(s["batch"]), "lr": float(s["lr"]),
        "epochs_equivalent": float(rec[-1] * int(s["batch"]) / N),
        "encoder_norm_start_end": [float(wu[0].mean()), float(wu[-1].mean())],
        "decoder_norm_start_end": [float(vu[0].mean()), float(vu[-1].mean())],
        "claims": {
            "tied_fails_rank1_pca": bool(ft > pca[1]),
            "untied_reaches_rank_K_pca_within_5_percent": bool(fu < 1.05 * pca[K]),
            # over the second half of the (log-spaced) records, after the alignment phase
            "encoder_shrinks_late": bool(wu[-1].mean() < wu[wu.shape[0] // 2].mean()),
            "decoder_grows_late": bool(vu[-1].mean() > vu[vu.shape[0] // 2].mean()),
        },
    }
    arrays = {"steps": rec, "pca_errors": pca}
    for k, r in runs.items():
        for q in ("loss", "w_norm", "v_norm"):
            arrays[f"{k}_{q}"] = r[q]

    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(rec[1:], runs["untied"]["loss"][1:], "C0-", label="untied")
    ax.plot(rec[1:], runs["tied"]["loss"][1:], "C1-", label="tied")
    ax.axhline(pca[1], color="k", ls="--", lw=0.8, label="PCA rank 1")
    ax.axhline(pca[K], color="k", ls=":", lw=0.8, label=f"PCA rank {K}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"SGD steps (batch {s['batch']}, lr {s['lr']:g})")
    ax.set_ylabel(r"$\langle \|x - \hat x\|^2 \rangle / 2$ (standardised pixels)")
    ax.set_title(f"CIFAR-10 gray (standardised), erf, K={K}, torch defaults", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ins = ax.inset_axes([0.62, 0.55, 0.35, 0.38])
    ins.plot(rec[1:], wu[1:].mean(1), "C0-", label=r"$|w|$")
    ins.plot(rec[1:], vu[1:].mean(1), "C0--", label=r"$|v|$")
    ins.set_xscale("log")
    ins.set_yscale("log")
    ins.tick_params(labelsize=6)
    ins.legend(fontsize=6)
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, x=x, data_path=im.files[0])
    plt.close(fig)
    for name in runs:
        checkpoint.remove(ctx.checkpoint_path(name))
    return metrics
