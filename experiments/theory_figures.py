"""Figures 1-4 of the paper from the scalar theory, beside finite-step gradient descent.

Closed forms come from :mod:`numerics` (lambdified from the verified derivations), simulations
from :func:`numerics.simulate_scalar` (one GD step per epoch with ``N = 1``, so ``tau = 1/lr``).
Every figure writes ``figN.{png,pdf,json,npz}``; the JSON holds the maximum theory-vs-simulation
deviation of each panel that has both (an O(lr) Euler error at the stated lr).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

import numerics as nm
from derivations import get

from .artifacts import save_run


@dataclass(frozen=True)
class Size:
    """``paper`` resolution or a ``tiny`` smoke run."""

    epochs: int
    starts: int
    grid: int


SIZES = {"paper": Size(epochs=2000, starts=8, grid=121), "tiny": Size(epochs=200, starts=3,
                                                                      grid=25)}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _loss_fn() -> Callable[..., np.ndarray]:
    expr = get("eq4").exprs["loss"]
    names = {s.name: s for s in expr.free_symbols}
    args = [names[n] for n in ("w_1", "w_2", "lambda", "varepsilon", "tau")]
    return sp.lambdify(args, expr, "numpy")


def fig1(out: Path, size: Size, rng: np.random.Generator) -> dict[str, object]:
    """Trajectories from random starts vs eq5 (lam = 1; eps = 0, 1, 5) and loss surfaces."""
    plt = _plt()
    lam, lr, epsilons = 1.0, 0.01, (0.0, 1.0, 5.0)
    w1_0 = rng.uniform(-0.5, 0.5, size.starts)
    w2_0 = rng.uniform(-0.5, 0.5, size.starts)
    fig, axes = plt.subplots(2, 3, figsize=(12, 7.5))
    loss = _loss_fn()
    g = np.linspace(-2, 2, size.grid)
    gw1, gw2 = np.meshgrid(g, g)
    metrics: dict[str, object] = {"lr": lr, "tau": 1 / lr, "max_abs_gd_minus_eq5": {}}
    arrays: dict[str, np.ndarray] = {"w1_0": w1_0, "w2_0": w2_0}
    for k, eps in enumerate(epsilons):
        tr = nm.simulate_scalar(lam, eps, lr=lr, w1_0=w1_0, w2_0=w2_0, epochs=size.epochs)
        theory = nm.dae_w(tr.epochs[:, None], lam, eps, w1_0, w2_0, 1 / lr)
        dev = float(np.max(np.abs(tr.w - theory)))
        metrics["max_abs_gd_minus_eq5"][f"eps={eps:g}"] = dev
        arrays[f"eps{eps:g}_gd"], arrays[f"eps{eps:g}_theory"] = tr.w, theory
        ax = axes[0, k]
        ax.plot(tr.epochs, tr.w, color="tab:blue", lw=1.5)
        ax.plot(tr.epochs, theory, color="k", ls="--", lw=1)
        ax.axhline(float(nm.dae_fixed_point(lam, eps)), color="tab:red", lw=0.8)
        ax.set_title(rf"$\varepsilon={eps:g}$: $w^*={float(nm.dae_fixed_point(lam, eps)):.3g}$")
        ax.set_xlabel("epoch")
        if k == 0:
            ax.set_ylabel(r"$w = w_1 w_2$ (GD solid, eq5 dashed)")
        ax = axes[1, k]
        ax.contourf(gw1, gw2, np.log1p(loss(gw1, gw2, lam, eps, 1.0)), levels=30, cmap="viridis")
        ws = float(nm.dae_fixed_point(lam, eps))
        for sgn in (1, -1):
            x = sgn * np.geomspace(ws / 2, 2, 100)
            ax.plot(x, ws / x, color="w", lw=1.5)
        ax.plot(tr.w1, tr.w2, color="tab:orange", lw=1)
        ax.set_xlim(-2, 2)
        ax.set_ylim(-2, 2)
        ax.set_xlabel("$w_1$")
        if k == 0:
            ax.set_ylabel("$w_2$")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.suptitle(r"Figure 1: scalar DAE, $\lambda = 1$ (white: minimum-loss manifold "
                 r"$w_1 w_2 = w^*$; orange: GD paths)")
    save_run(out, "fig1", fig=fig, settings={"lam": lam, "lr": lr, "epsilons": epsilons,
                                             "epochs": size.epochs}, metrics=metrics,
             arrays=arrays)
    return metrics


def fig2(out: Path, size: Size, rng: np.random.Generator) -> dict[str, object]:
    """Noise vs weight decay (equivalent gamma) for lam = 2.5, 1, 0.5, 0.1."""
    plt = _plt()
    lams, eps, lr, w0 = (2.5, 1.0, 0.5, 0.1), 0.5, 0.01, 1e-3
    epochs = size.epochs * 3
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.5), sharey=True)
    metrics: dict[str, object] = {"eps": eps, "lr": lr, "w0": w0, "max_abs_gd_minus_theory": {}}
    arrays: dict[str, np.ndarray] = {}
    for ax, lam in zip(axes, lams, strict=True):
        gam = float(nm.equivalent_gamma(lam, eps, 1.0))
        u = np.sqrt(w0)
        d = nm.simulate_scalar(lam, eps, lr=lr, w1_0=u, w2_0=u, epochs=epochs)
        wd = nm.simulate_scalar(lam, 0.0, gam, lr=lr, w1_0=u, w2_0=u, epochs=epochs)
        td = nm.dae_w(d.epochs, lam, eps, u, u, 1 / lr)
        tw = nm.wdae_w(wd.epochs, lam, gam, 1.0, w0, 1 / lr)
        metrics["max_abs_gd_minus_theory"][f"lam={lam:g}"] = {
            "DAE": float(np.max(np.abs(d.w - td))), "WDAE": float(np.max(np.abs(wd.w - tw)))}
        arrays |= {f"lam{lam:g}_dae": d.w, f"lam{lam:g}_wdae": wd.w}
        ax.plot(d.epochs, d.w, color="tab:green", label="DAE (GD)")
        ax.plot(wd.epochs, wd.w, color="tab:orange", label=r"WDAE, equiv. $\gamma$ (GD)")
        ax.plot(d.epochs, td, "k--", lw=1, label="theory")
        ax.plot(wd.epochs, tw, "k:", lw=1)
        ax.set_title(rf"$\lambda={lam:g}$, $\gamma={gam:.3g}$")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("mapping $w$")
    axes[0].legend(fontsize=7)
    fig.suptitle(rf"Figure 2: noise ($\varepsilon={eps}$) vs weight decay with equal fixed points, "
                 f"balanced start w0={w0}")
    save_run(out, "fig2", fig=fig, settings={"lams": lams, "eps": eps, "lr": lr, "w0": w0,
                                             "epochs": epochs}, metrics=metrics, arrays=arrays)
    return metrics


def fig3(out: Path, size: Size, rng: np.random.Generator) -> dict[str, object]:
    """'Optimal' learning rates (D.step, D.wd): DAE vs equivalent WDAE, lam = 1."""
    plt = _plt()
    lam, noise = 1.0, (0.1, 0.5, 1.0, 2.0)
    starts = {"balanced": (0.05, 0.05), "unbalanced": (0.01, 0.5)}
    steps = size.epochs // 20 + 20
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    metrics: dict[str, object] = {"max_abs_dae_minus_wdae": {}}
    arrays: dict[str, np.ndarray] = {}
    shades = np.linspace(0.35, 1.0, len(noise))
    for eps, sh in zip(noise, shades, strict=True):
        gam = float(nm.equivalent_gamma(lam, eps, 1.0))
        lr_d = float(nm.optimal_lr_dae(lam, eps, 1.0))
        lr_w = float(nm.optimal_lr_wdae(lam, gam, 1.0, 1.0))
        gaps = {}
        for name, (a, b) in starts.items():
            d = nm.simulate_scalar(lam, eps, lr=lr_d, w1_0=a, w2_0=b, epochs=steps)
            w = nm.simulate_scalar(lam, 0.0, gam, lr=lr_w, w1_0=a, w2_0=b, epochs=steps)
            gaps[name] = float(np.max(np.abs(d.w - w.w)))
            arrays[f"eps{eps:g}_{name}_dae"], arrays[f"eps{eps:g}_{name}_wdae"] = d.w, w.w
            if name == "unbalanced":
                axes[0].plot(d.epochs, d.w, color=plt.cm.Greens(sh))
                axes[0].plot(w.epochs, w.w, color=plt.cm.Oranges(sh), ls="--")
        metrics["max_abs_dae_minus_wdae"][f"eps={eps:g}"] = gaps
    axes[0].set_title("start (0.01, 0.5): DAE (green), WDAE (orange --)", fontsize=10)
    axes[0].set_xlabel("GD step")
    axes[0].set_ylabel("mapping $w$")
    e = np.linspace(0, 3, 200)
    gam_e = nm.equivalent_gamma(lam, np.maximum(e, 0), 1.0)
    axes[1].plot(e, nm.optimal_lr_dae(lam, e, 1.0), color="tab:green",
                 label=r"$\alpha_\varepsilon$")
    axes[1].plot(e, nm.optimal_lr_wdae(lam, gam_e, 1.0, 1.0), color="tab:orange",
                 label=r"$\alpha_\gamma$ (equivalent $\gamma$)")
    axes[1].set_xlabel(r"noise $\varepsilon$")
    axes[1].set_title(r"learning rates ($\tau = 1$)", fontsize=10)
    axes[1].legend()
    ratio = nm.optimal_lr_dae(lam, e, 1.0) / nm.optimal_lr_wdae(lam, gam_e, 1.0, 1.0)
    axes[2].plot(e, ratio, color="k")
    axes[2].set_xlabel(r"noise $\varepsilon$")
    axes[2].set_title(r"$R = \alpha_\varepsilon / \alpha_\gamma$ (eq8)")
    arrays |= {"eps_grid": e, "R": ratio}
    metrics["R_at_eps_1"] = float(ratio[np.argmin(np.abs(e - 1))])
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.suptitle("Figure 3: optimal learning rates, lam = 1 (balanced starts give identical "
                 "DAE/WDAE trajectories: see JSON)", fontsize=11)
    save_run(out, "fig3", fig=fig, settings={"lam": lam, "noise": noise, "starts": starts,
                                             "steps": steps}, metrics=metrics, arrays=arrays)
    return metrics


def fig4(out: Path, size: Size, rng: np.random.Generator) -> dict[str, object]:
    """Weight norms: weight decay keeps shrinking the norm along the manifold, noise does not."""
    plt = _plt()
    lam, eps, gam, lr = 1.0, 0.1, 0.091, 0.01
    epochs = size.epochs * 5
    starts = {"small": (0.01, 0.05), "large": (0.3, 1.5)}
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    metrics: dict[str, object] = {}
    arrays: dict[str, np.ndarray] = {}
    for name, (a, b) in starts.items():
        d = nm.simulate_scalar(lam, eps, lr=lr, w1_0=a, w2_0=b, epochs=epochs)
        w = nm.simulate_scalar(lam, 0.0, gam, lr=lr, w1_0=a, w2_0=b, epochs=epochs)
        for m, tr, c in (("DAE", d, "tab:green"), ("WDAE", w, "tab:orange")):
            norm = tr.w1**2 + tr.w2**2
            arrays[f"{name}_{m}_norm"] = norm
            ls = "-" if name == "small" else "--"
            axes[0].plot(tr.epochs, norm, color=c, ls=ls, label=f"{m}, {name} start")
            axes[1].plot(tr.w1, tr.w2, color=c, ls=ls)
            axes[2].plot(tr.epochs, tr.w2**2 - tr.w1**2, color=c, ls=ls)
            metrics[f"{name}_{m}"] = {"final_norm_sq": float(norm[-1]), "final_w": float(
                tr.w[-1]), "min_norm_sq_for_final_w": 2 * float(abs(tr.w[-1])),
                "final_w2sq_minus_w1sq": float(tr.w2[-1] ** 2 - tr.w1[-1] ** 2)}
    ws = float(nm.dae_fixed_point(lam, eps))
    x = np.geomspace(ws / 2, 2, 100)
    axes[1].plot(x, ws / x, color="k", lw=0.8)
    axes[0].set_title(r"$\|w\|^2 = w_1^2 + w_2^2$")
    axes[0].set_xlabel("epoch")
    axes[0].legend(fontsize=7)
    axes[1].set_title("paths in $(w_1, w_2)$; black: $w_1 w_2 = w^*$")
    axes[1].set_xlabel("$w_1$")
    axes[1].set_ylabel("$w_2$")
    axes[2].set_title(r"$w_2^2 - w_1^2$ (DAE conserves it)")
    axes[2].set_xlabel("epoch")
    fig.suptitle(rf"Figure 4: weight norms, $\lambda=1$, DAE $\varepsilon={eps}$ vs WDAE "
                 rf"$\gamma={gam}$, lr = {lr}")
    save_run(out, "fig4", fig=fig, settings={"lam": lam, "eps": eps, "gamma": gam, "lr": lr,
                                             "starts": starts, "epochs": epochs},
             metrics=metrics, arrays=arrays)
    return metrics


FIGURES: dict[str, Callable[[Path, Size, np.random.Generator], dict[str, object]]] = {
    "fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4}
