"""Figures 1-4 of the paper drawn: the scalar theory beside finite-step gradient descent.

Everything a panel shows is computed by :mod:`experiments.scalar_runs` (GD through
:func:`numerics.simulate_scalar`, the closed forms [eq5], the corrected [eq7], [4.fp],
[E.equiv], [D.step], [D.wd] and [eq8]'s ``R`` through :mod:`numerics`); the loss surfaces
([eq4], [C.loss]) come from :mod:`numerics.scalar_losses` at drawing time.  This module only
draws: ``draw_figN(computed)`` turns a :class:`~experiments.scalar_runs.Computed` into a
matplotlib figure, and :func:`make_figure` writes ``<stem>.{png,pdf,json,npz}`` through
:func:`experiments.artifacts.save_run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from numerics.scalar_losses import dae_loss, wdae_loss

from .artifacts import save_run
from .scalar_runs import (
    KINDS4,
    SIZES,
    Computed,
    Size,
    compute_fig1,
    compute_fig2,
    compute_fig3,
    compute_fig4,
)

__all__ = ["FIGURES", "SIZES", "FigureResult", "Size", "make_figure"]

#: colours of the paper: DAE green, WDAE orange, small-init runs magenta, manifold cyan
GREEN, ORANGE, MAGENTA, CYAN = "tab:green", "tab:orange", "m", "c"
#: Fig. 3: a DAE-WDAE difference below this is float64 rounding of one and the same map
IDENTICAL = 1e-12
#: Fig. 4 line styles (colour, dash) per kind of start, distinguishable in print
STYLE4 = {"random": (ORANGE, "--"), "small": (MAGENTA, "-."), "balanced-small": (MAGENTA, ":")}
assert set(STYLE4) == set(KINDS4)


@dataclass
class FigureResult:
    """One figure: the matplotlib figure and what its JSON and npz hold."""

    stem: str
    fig: Any
    settings: dict[str, Any]
    metrics: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)

    def save(self, out: Path, provenance: Mapping[str, Any] | None = None) -> FigureResult:
        """Write PNG, PDF, JSON (settings, metrics, provenance) and npz into ``out``."""
        self.paths = save_run(out, self.stem, fig=self.fig, settings=self.settings,
                              metrics=self.metrics, arrays=self.arrays, provenance=provenance)
        return self


# --------------------------------------------------------------------------- helpers


def _plt():  # noqa: ANN202 - the pyplot module
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _shades(cmap: Any, n: int) -> list[Any]:
    """``n`` colours of ``cmap``, light to dark (darker: more noise / weight decay)."""
    return [cmap(x) for x in np.linspace(0.45, 0.95, n)]


def _hyperbola(ax: Any, w_star: float, lim: float, **kw: Any) -> None:
    """Draw the minimum-loss manifold ``w1 w2 = w*`` (both branches) inside ``[-lim, lim]^2``."""
    if w_star <= 0:
        return
    x = np.geomspace(w_star / lim, lim, 200)
    ax.plot(x, w_star / x, **kw)
    kw.pop("label", None)
    ax.plot(-x, -w_star / x, **kw)


def _surface(ax: Any, loss: np.ndarray, g: np.ndarray) -> Any:
    """Filled contours of ``log(1 + loss)`` with a colorbar; the saddle marked (red star)."""
    cs = ax.contourf(g, g, np.log1p(loss), levels=30, cmap="viridis")
    ax.figure.colorbar(cs, ax=ax, fraction=0.046, pad=0.03, label=r"$\log(1 + \ell)$")
    ax.plot(0, 0, "r*", ms=11, zorder=5)  # the saddle at w1 = w2 = 0
    ax.set_xlim(g[0], g[-1])
    ax.set_ylim(g[0], g[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return cs


def _grid(settings: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lim = settings["surface_limit"]
    g = np.linspace(-lim, lim, settings["grid"])
    gw1, gw2 = np.meshgrid(g, g)
    return g, gw1, gw2


# --------------------------------------------------------------------------- Figure 1


def draw_fig1(c: Computed) -> Any:
    """Top: GD (dashed orange) and [eq5] (solid green) for ``w = w1 w2``; red: the fixed point
    [4.fp].  Bottom: [eq4]'s loss over ``(w1, w2)`` with a colorbar, the minimum-loss manifold
    ``w1 w2 = w*`` (cyan), the saddle (red star), the GD paths and their starts (dots)."""
    plt = _plt()
    s, m, a = c.settings, c.metrics, c.arrays
    lam, lr, lim = s["lam"], s["lr"], s["surface_limit"]
    g, gw1, gw2 = _grid(s)
    w1_0, w2_0 = a["w1_0"], a["w2_0"]
    fig, axes = plt.subplots(2, 3, figsize=(13, 8.4))
    for k, eps in enumerate(s["epsilons"]):
        key, pre = f"eps={eps:g}", f"eps{eps:g}"
        w_star = m["fixed_point"][key]
        t, theory = a[f"{pre}_epochs"], a[f"{pre}_theory"]
        w1, w2 = a[f"{pre}_w1"], a[f"{pre}_w2"]
        ax = axes[0, k]
        ax.plot(t, theory, color=GREEN, lw=2.2, alpha=0.8)
        ax.plot(t, w1 * w2, color=ORANGE, ls="--", lw=1.2)
        ax.axhline(w_star, color="r", lw=1)
        ax.set_title(rf"$\varepsilon={eps:g}$, $w^*={w_star:.3g}$ "
                     f"(max|GD-eq5| = {m['max_abs_gd_minus_eq5'][key]:.1e})", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("$w = w_2 w_1$")
        ax = axes[1, k]
        _surface(ax, dae_loss(gw1, gw2, lam, eps, s["surface_tau"]), g)
        _hyperbola(ax, w_star, lim, color=CYAN, lw=2)
        for j in range(w1_0.size):
            ax.plot(w1[:, j], w2[:, j], color=ORANGE, ls="--", lw=1.2)
            ax.plot(w1_0[j], w2_0[j], "o", color=ORANGE, mec="k", mew=0.5, ms=5)
        ax.set_title(rf"loss [eq4], $\lambda=1$, $\varepsilon={eps:g}$", fontsize=10)
    axes[1, 0].legend(handles=[
        plt.Line2D([], [], color=ORANGE, ls="--", marker="o", mec="k", mew=0.5, ms=5,
                   label="GD path from its start (dot)"),
        plt.Line2D([], [], color=CYAN, lw=2, label=r"minimum-loss manifold $w_1 w_2 = w^*$"),
        plt.Line2D([], [], color="r", marker="*", ls="", ms=11, label="saddle (0, 0)")],
        fontsize=7, loc="lower left", framealpha=0.9)
    axes[0, 0].legend(handles=[
        plt.Line2D([], [], color=GREEN, lw=2.2, label="theory [eq5]"),
        plt.Line2D([], [], color=ORANGE, ls="--", label=f"GD, lr={lr}"),
        plt.Line2D([], [], color="r", label="$w^*$")], fontsize=8, loc="lower right")
    fig.suptitle(r"Figure 1: scalar linear DAE, $\lambda = 1$, GD from random starts (dots) "
                 r"beside [eq5]")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- Figure 2


def draw_fig2(c: Computed) -> Any:
    """Top: DAE (green), bottom: WDAE (orange), darker = more noise / decay; theory solid, GD
    dashed black; one column per eigenvalue."""
    plt = _plt()
    s, m, a = c.settings, c.metrics, c.arrays
    lams, eps, lr, w0 = s["lams"], a["eps"], s["lr"], s["w0"]
    fig, axes = plt.subplots(2, len(lams), figsize=(15, 7), sharey=True)
    for col, lam in enumerate(lams):
        gam = a[f"lam{lam:g}_gamma"]
        t = a[f"lam{lam:g}_epochs"]
        for r, (name, cmap) in enumerate((("DAE", plt.cm.Greens), ("WDAE", plt.cm.Oranges))):
            gd, th = a[f"lam{lam:g}_{name}_gd"], a[f"lam{lam:g}_{name}_theory"]
            ax = axes[r, col]
            for j, shade in enumerate(_shades(cmap, len(eps))):
                lab = (rf"$\varepsilon={eps[j]:g}$" if name == "DAE"
                       else rf"$\gamma={gam[j]:.3g}$")
                ax.plot(t, th[:, j], color=shade, lw=2, label=lab)
                ax.plot(t, gd[:, j], color="k", ls="--", lw=0.7)
            ax.set_title(rf"{name}, $\lambda={lam:g}$", fontsize=10)
            ax.set_xlabel("epoch")
            ax.legend(fontsize=7, loc="upper left")
        axes[0, col].set_ylim(-0.03, 1.0)
    axes[0, 0].set_ylabel(r"$w$ (noise; theory [eq5], GD black --)")
    axes[1, 0].set_ylabel(r"$w$ (weight decay; theory [eq7], GD black --)")
    fig.suptitle(rf"Figure 2: noise vs weight decay with equivalent $\gamma$ [E.equiv], "
                 rf"$w_1=w_2=\sqrt{{{w0:g}}}$, lr = {lr} (small eigenvalues are suppressed)")
    fig.tight_layout()
    del m
    return fig


# --------------------------------------------------------------------------- Figure 3


def draw_fig3(c: Computed) -> Any:
    """Top: the mappings at the 'optimal' rates from a balanced and an unbalanced start, and
    the rates; bottom: their difference (stated, not plotted, when it is rounding noise) and
    [eq8]'s ``R``."""
    plt = _plt()
    s, a = c.settings, c.arrays
    eps, gam = a["eps"], a["gamma"]
    steps = a["steps"]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    greens, oranges = _shades(plt.cm.Greens, len(eps)), _shades(plt.cm.Oranges, len(eps))
    for col, name in enumerate(("balanced", "unbalanced")):
        dae, wdae = a[f"{name}_dae"], a[f"{name}_wdae"]
        ax = axes[0, col]
        for i in range(len(eps)):
            ax.plot(steps, dae[:, i, 0], color=greens[i], lw=2.2,
                    label=rf"DAE $\varepsilon={eps[i]:g}$")
            ax.plot(steps, wdae[:, i, 0], color=oranges[i], ls="--", lw=1.4,
                    label=rf"WDAE $\gamma={gam[i]:.3g}$")
        w1_0, w2_0 = a[f"{name}_w1_0"][0], a[f"{name}_w2_0"][0]
        ax.set_title(f"{name} start ({w1_0:.3g}, {w2_0:.3g})", fontsize=10)
        ax.set_xlabel("GD step (each at its optimal rate)")
        ax.set_ylabel("mapping $w$")
        ax = axes[1, col]
        gap = dae - wdae
        mx = float(np.max(np.abs(gap)))
        if mx < IDENTICAL:  # rounding noise, not a signal: say so instead of plotting it
            ax.text(0.5, 0.5, f"identical to {mx:.1g}\n(largest $|w_{{DAE}} - w_{{WDAE}}|$ over "
                    f"all steps and noise levels;\nfloat64 rounding of the same map)",
                    ha="center", va="center", transform=ax.transAxes, fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            for i in range(len(eps)):
                ax.plot(steps, gap[:, i, :], color=greens[i], lw=1)
            ax.axhline(0, color="k", lw=0.5)
        ax.set_title(rf"{name}: $w_{{DAE}} - w_{{WDAE}}$, max $|\cdot|$ = {mx:.2g}"
                     + ("" if name == "balanced" else f" ({s['starts']} random starts)"),
                     fontsize=10)
        ax.set_xlabel("GD step")
        ax.set_ylabel(r"$w_{DAE} - w_{WDAE}$")
    axes[0, 0].legend(fontsize=6, ncol=2)
    ax = axes[0, 2]
    e_grid = a["eps_grid"]
    ax.plot(e_grid, a["rate_dae_grid"], color=GREEN,
            label=r"DAE $\eta_\varepsilon/\tau = 1/(2\lambda+3\varepsilon)$")
    ax.plot(e_grid, a["rate_wdae_grid"], color=ORANGE,
            label=r"WDAE $\eta_\gamma/\tau$, equivalent $\gamma$")
    ax.set_xlabel(r"noise $\varepsilon$")
    ax.set_ylabel(r"rate per step $\eta / \tau$")
    ax.set_title(r"'optimal' learning rates [D.step], [D.wd], $\lambda=1$", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1, 2]
    for lm, ls in zip((0.1, 1.0, 10.0), (":", "-", "--"), strict=True):
        ax.plot(e_grid, a[f"R_lam{lm:g}"], color="k", ls=ls, label=rf"$\lambda={lm:g}$")
    ax.set_xlabel(r"noise $\varepsilon$")
    ax.set_ylabel(r"$R$")
    ax.set_title(r"$R = \eta_\varepsilon / \eta_\gamma$ [eq8]", fontsize=10)
    ax.legend(fontsize=8)
    fig.suptitle(r"Figure 3: DAE (green) vs WDAE (orange) at their 'optimal' rates, $\lambda=1$ "
                 "(measured: balanced starts give identical maps)")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- Figure 4


def draw_fig4(c: Computed) -> Any:
    """Left: loss surfaces ([eq4] / [C.loss]) with GD paths; middle: the mapping over time
    (grey: theory); right: ``||(w1, w2)||`` (dotted: the minimum norm ``sqrt(2 w*)``)."""
    plt = _plt()
    s, m, a = c.settings, c.metrics, c.arrays
    lam, eps, gam, lr, lim = s["lam"], s["eps"], s["gamma"], s["lr"], s["surface_limit"]
    g, gw1, gw2 = _grid(s)
    t = a["epochs"]
    surfaces = {"DAE": dae_loss(gw1, gw2, lam, eps, 1.0),
                "WDAE": wdae_loss(gw1, gw2, lam, gam, 1.0, 1.0)}
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.6))
    for r, name in enumerate(("DAE", "WDAE")):
        w1, w2, norm = a[f"{name}_w1"], a[f"{name}_w2"], a[f"{name}_norm"]
        fixed = m["fixed_point"][name]
        ax = axes[r, 0]
        _surface(ax, surfaces[name], g)
        _hyperbola(ax, fixed, lim, color=CYAN, lw=2)
        if name == "WDAE":  # the penalty leaves two minima on the manifold: w1 = w2 = +-sqrt(w*)
            root = np.sqrt(fixed)
            ax.plot([root, -root], [root, -root], "X", color=CYAN, mec="k", ms=9, zorder=6)
        axm, axn = axes[r, 1], axes[r, 2]
        for j, kind in enumerate(m[name]["kinds"]):
            col, ls = STYLE4[kind]
            ax.plot(w1[:, j], w2[:, j], color=col, ls=ls, lw=1.3)
            axm.plot(t, w1[:, j] * w2[:, j], color=col, ls=ls, lw=1.3)
            axn.plot(t, norm[:, j], color=col, ls=ls, lw=1.3)
        axm.plot(t, a[f"{name}_theory"], color="0.6", lw=2.5, zorder=1)
        axn.plot(t, a[f"{name}_theory_norm"], color="0.6", lw=2.5, zorder=1)
        axn.axhline(np.sqrt(2 * fixed), color="k", ls=":", lw=1)
        label = (rf"noise: $\lambda=1$, $\varepsilon={eps}$" if name == "DAE"
                 else rf"weight decay: $\lambda=1$, $\gamma={gam}$")
        ax.set_title(label, fontsize=10)
        axm.set_title(f"{name}: mapping $w$ (grey: theory"
                      + (", balanced start only)" if name == "WDAE" else ")"), fontsize=10)
        axm.set_xlabel("epoch")
        axm.set_ylabel("$w = w_2 w_1$")
        axn.set_ylabel(r"$\|(w_1, w_2)\|$")
        axn.set_title(rf"{name}: $\|(w_1, w_2)\|$ (dotted: $\sqrt{{2 w^*}}$)", fontsize=10)
        axn.set_xlabel("epoch")
    lines = [plt.Line2D([], [], color=STYLE4["random"][0], ls=STYLE4["random"][1],
                        label="GD, random start"),
             plt.Line2D([], [], color=STYLE4["small"][0], ls=STYLE4["small"][1],
                        label="GD, small random start"),
             plt.Line2D([], [], color=STYLE4["balanced-small"][0],
                        ls=STYLE4["balanced-small"][1], label=r"GD, $w_1=w_2=\sqrt{10^{-3}}$"),
             plt.Line2D([], [], color="0.6", lw=2.5, label="theory")]
    for ax in axes[:, 1]:
        ax.legend(handles=lines, fontsize=7)
    axes[0, 2].legend(handles=[*lines, plt.Line2D([], [], color="k", ls=":", lw=1,
                                                  label=r"minimum norm $\sqrt{2 w^*}$")],
                      fontsize=7)
    markers = [plt.Line2D([], [], color=CYAN, lw=2, label=r"manifold $w_1 w_2 = w^*$"),
               plt.Line2D([], [], color="r", marker="*", ls="", ms=10, label="saddle"),
               plt.Line2D([], [], color=STYLE4["random"][0], ls=STYLE4["random"][1],
                          label="GD paths")]
    axes[0, 0].legend(handles=markers, fontsize=7, loc="lower left", framealpha=0.9)
    axes[1, 0].legend(handles=[*markers, plt.Line2D(
        [], [], color=CYAN, marker="X", mec="k", ls="", ms=9,
        label=r"minima $w_1 = w_2 = \pm\sqrt{w^*}$")], fontsize=7, loc="lower left",
        framealpha=0.9)
    fig.suptitle(rf"Figure 4: weight norms, noise vs weight decay (lr = {lr}): decay keeps "
                 "shrinking the norm along the manifold, noise does not")
    fig.tight_layout()
    return fig


Compute = Callable[[Size, np.random.Generator], Computed]
FIGURES: dict[str, tuple[Compute, Callable[[Computed], Any]]] = {
    "fig1": (compute_fig1, draw_fig1), "fig2": (compute_fig2, draw_fig2),
    "fig3": (compute_fig3, draw_fig3), "fig4": (compute_fig4, draw_fig4)}


def make_figure(name: str, out: Path, size: str | Size = "paper", seed: int = 0, *,
                provenance: Mapping[str, Any] | None = None) -> FigureResult:
    """Compute and draw figure ``name`` (``fig1`` ... ``fig4``) and write its four files into
    ``out`` (the JSON with ``provenance`` when given)."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
        size = SIZES[size]
    compute, draw = FIGURES[name]
    c = compute(size, np.random.default_rng(seed))
    return FigureResult(name, draw(c), c.settings, c.metrics, c.arrays).save(out, provenance)
