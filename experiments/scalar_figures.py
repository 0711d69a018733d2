"""Figures 1-4 of the paper: the scalar theory beside finite-step gradient descent.

Every closed form comes from :mod:`numerics` ([eq5] via :func:`numerics.dae_w`, the corrected
[eq7] via :func:`numerics.wdae_w`, [4.fp], [E.equiv], [D.step], [D.wd]; the loss surfaces [eq4]
and [C.loss], [eq8]'s ``R`` and [B.w]'s weight norm from :mod:`numerics.scalar_losses`); this
module only simulates through :mod:`numerics` and draws.  Simulations are
:func:`numerics.simulate_scalar`: one GD step of size ``lr`` per epoch on ``N = 1`` sample, so
``t`` counts epochs and ``tau = N / lr`` (convention ``tau``).

Each figure function returns a :class:`FigureResult` (the matplotlib figure, settings, metrics,
arrays) and writes ``<stem>.{png,pdf,json,npz}`` through :func:`experiments.artifacts.save_run`.
Every panel that shows both a closed form and GD reports ``max |GD - theory|`` in the JSON, at
the stated ``lr`` and (Figs. 1-2) also at ``lr / 2``: a ratio near 2 is the first-order (O(lr))
convergence of GD to the gradient flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import numerics as nm
from numerics.scalar_losses import dae_loss, rate_ratio, wdae_loss, weight_norm

from .artifacts import save_run

#: colours of the paper: DAE green, WDAE orange, small-init runs magenta, manifold cyan
GREEN, ORANGE, MAGENTA, CYAN = "tab:green", "tab:orange", "m", "c"
#: Fig. 3: a DAE-WDAE difference below this is float64 rounding of one and the same map
IDENTICAL = 1e-12


@dataclass(frozen=True)
class Size:
    """How much to compute: ``paper`` (the full figures) or ``tiny`` (a smoke run)."""

    name: str
    starts: int  # random starts per panel (Figs. 1, 3, 4)
    grid: int  # loss-surface resolution per axis
    horizon: float  # fraction of each figure's full time horizon
    levels: tuple[float, ...]  # noise levels of Figs. 2-3


SIZES: dict[str, Size] = {
    "paper": Size("paper", starts=8, grid=161, horizon=1.0, levels=(0.1, 0.5, 1.0, 2.0)),
    "tiny": Size("tiny", starts=3, grid=31, horizon=0.4, levels=(0.5, 2.0)),
}


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


def _max_dev(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def _random_starts(rng: np.random.Generator, n: int, half_width: float,
                   min_c0: float) -> tuple[np.ndarray, np.ndarray]:
    """``n`` starts uniform in the square, kept away from the saddle's stable set ``|w1| = |w2|``.

    ``c0 = |w2^2 - w1^2| >= min_c0`` bounds the time spent near the saddle (from c0 = 0 with a
    negative product the flow never escapes), so the GD-vs-flow deviation stays O(lr).
    """
    w1, w2 = [], []
    while len(w1) < n:
        a, b = rng.uniform(-half_width, half_width, 2)
        if abs(b * b - a * a) >= min_c0:
            w1.append(a)
            w2.append(b)
    return np.array(w1), np.array(w2)


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


# --------------------------------------------------------------------------- Figure 1


def fig1(size: Size, rng: np.random.Generator) -> FigureResult:
    """Figure 1: scalar DAE (lam = 1; eps = 0, 1, 5) from random starts vs [eq5]; loss surfaces.

    Top: GD (dashed orange) and the closed form [eq5] (solid green) for ``w = w1 w2``; red: the
    fixed point [4.fp] ``w* = lam / (lam + eps)`` (1, 1/2, 1/6).  Bottom: [eq4]'s loss over
    ``(w1, w2)``, the minimum-loss manifold ``w1 w2 = w*`` (cyan), the saddle (red star) and the GD
    paths.
    """
    plt = _plt()
    lam, lr, epsilons, lim = 1.0, 0.01, (0.0, 1.0, 5.0), 2.0
    epochs = int(round(8 / lr * size.horizon))  # t / tau = 8 (3.2 tiny)
    w1_0, w2_0 = _random_starts(rng, size.starts, 1.5, 0.1)
    g = np.linspace(-lim, lim, size.grid)
    gw1, gw2 = np.meshgrid(g, g)
    fig, axes = plt.subplots(2, 3, figsize=(13, 8.4))
    dev: dict[str, float] = {}
    dev_half: dict[str, float] = {}
    arrays: dict[str, np.ndarray] = {"w1_0": w1_0, "w2_0": w2_0}
    for k, eps in enumerate(epsilons):
        key = f"eps={eps:g}"
        w_star = float(nm.dae_fixed_point(lam, eps))
        gd = nm.simulate_scalar(lam, eps, lr=lr, w1_0=w1_0, w2_0=w2_0, epochs=epochs)
        theory = nm.dae_w(gd.epochs[:, None], lam, eps, w1_0, w2_0, 1 / lr)
        dev[key] = _max_dev(gd.w, theory)
        # the same flow time at half the step: the deviation should halve (O(lr))
        gd2 = nm.simulate_scalar(lam, eps, lr=lr / 2, w1_0=w1_0, w2_0=w2_0, epochs=2 * epochs)
        theory2 = nm.dae_w(gd2.epochs[:, None], lam, eps, w1_0, w2_0, 2 / lr)
        dev_half[key] = _max_dev(gd2.w, theory2)
        arrays |= {f"eps{eps:g}_epochs": gd.epochs, f"eps{eps:g}_w1": gd.w1,
                   f"eps{eps:g}_w2": gd.w2, f"eps{eps:g}_theory": theory}
        ax = axes[0, k]
        ax.plot(gd.epochs, theory, color=GREEN, lw=2.2, alpha=0.8)
        ax.plot(gd.epochs, gd.w, color=ORANGE, ls="--", lw=1.2)
        ax.axhline(w_star, color="r", lw=1)
        ax.set_title(rf"$\varepsilon={eps:g}$, $w^*={w_star:.3g}$ "
                     f"(max|GD-eq5| = {dev[key]:.1e})", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("$w = w_2 w_1$")
        ax = axes[1, k]
        _surface(ax, dae_loss(gw1, gw2, lam, eps, 1.0), g)
        _hyperbola(ax, w_star, lim, color=CYAN, lw=2)
        for j in range(size.starts):
            ax.plot(gd.w1[:, j], gd.w2[:, j], color=ORANGE, ls="--", lw=1.2)
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
    metrics = {
        "lr": lr, "tau": 1 / lr,
        "max_abs_gd_minus_eq5": dev,
        "max_abs_gd_minus_eq5_at_half_lr": dev_half,
        "deviation_ratio_lr_over_half_lr": {k: dev[k] / dev_half[k] for k in dev},
        "final_w": {f"eps={e:g}": arrays[f"eps{e:g}_theory"][-1] for e in epsilons},
        "fixed_point": {f"eps={e:g}": float(nm.dae_fixed_point(lam, e)) for e in epsilons},
    }
    settings = {"lam": lam, "epsilons": epsilons, "lr": lr, "epochs": epochs, "tau": 1 / lr,
                "starts": "uniform in [-1.5, 1.5]^2 with |w2^2 - w1^2| >= 0.1",
                "surface_tau": 1.0, "size": size.name}
    return FigureResult("fig1", fig, settings, metrics, arrays)


# --------------------------------------------------------------------------- Figure 2


def fig2(size: Size, rng: np.random.Generator) -> FigureResult:
    """Figure 2: noise ([eq5]) vs weight decay ([eq7], corrected) for lam = 2.5, 1, 0.5, 0.1.

    Balanced small start ``w1 = w2 = sqrt(w0)``, ``w0 = 1e-3`` (eq7's setting); each eps is
    paired with its equivalent ``gamma`` from [E.equiv] (equal fixed points).  Top: DAE (green),
    bottom: WDAE (orange), darker = more noise / decay; theory solid, GD dashed; equal lr.
    """
    plt = _plt()
    lams, levels, lr, w0 = (2.5, 1.0, 0.5, 0.1), size.levels, 0.01, 1e-3
    u = float(np.sqrt(w0))
    eps = np.asarray(levels)
    fig, axes = plt.subplots(2, len(lams), figsize=(15, 7), sharey=True)
    metrics: dict[str, Any] = {"lr": lr, "tau": 1 / lr, "max_abs_gd_minus_theory": {},
                               "max_abs_gd_minus_theory_at_half_lr": {},
                               "half_time_epochs": {}, "final_w_theory": {}}
    arrays: dict[str, np.ndarray] = {"eps": eps}
    for c, lam in enumerate(lams):
        epochs = int(round(15 / lam / lr * size.horizon))  # t / tau = 15 / lam
        gam = nm.equivalent_gamma(lam, eps, 1.0)
        runs = {}
        for name, kw in (("DAE", {"eps": eps}), ("WDAE", {"gamma": gam})):
            gd = nm.simulate_scalar(lam, lr=lr, w1_0=u, w2_0=u, epochs=epochs, **kw)
            gd2 = nm.simulate_scalar(lam, lr=lr / 2, w1_0=u, w2_0=u, epochs=2 * epochs, **kw)
            t, t2 = gd.epochs[:, None], gd2.epochs[:, None]
            if name == "DAE":
                th = nm.dae_w(t, lam, eps, u, u, 1 / lr)
                th2 = nm.dae_w(t2, lam, eps, u, u, 2 / lr)
            else:
                th = nm.wdae_w(t, lam, gam, 1.0, w0, 1 / lr)
                th2 = nm.wdae_w(t2, lam, gam, 1.0, w0, 2 / lr)
            runs[name] = (gd, th)
            key = f"lam={lam:g}"
            metrics["max_abs_gd_minus_theory"].setdefault(key, {})[name] = _max_dev(gd.w, th)
            metrics["max_abs_gd_minus_theory_at_half_lr"].setdefault(key, {})[name] = _max_dev(
                gd2.w, th2)
            w_star = nm.dae_fixed_point(lam, eps)
            half = [int(np.argmax(th[:, j] >= w_star[j] / 2)) if np.any(th[:, j] >= w_star[j] / 2)
                    else None for j in range(len(eps))]
            metrics["half_time_epochs"].setdefault(key, {})[name] = dict(
                zip([f"eps={e:g}" for e in levels], half, strict=True))
            metrics["final_w_theory"].setdefault(key, {})[name] = th[-1]
            arrays |= {f"lam{lam:g}_{name}_gd": gd.w, f"lam{lam:g}_{name}_theory": th,
                       f"lam{lam:g}_epochs": gd.epochs}
        metrics.setdefault("gamma_equivalent", {})[f"lam={lam:g}"] = gam
        for r, (name, cmap) in enumerate((("DAE", plt.cm.Greens), ("WDAE", plt.cm.Oranges))):
            gd, th = runs[name]
            ax = axes[r, c]
            for j, col in enumerate(_shades(cmap, len(eps))):
                lab = (rf"$\varepsilon={eps[j]:g}$" if name == "DAE"
                       else rf"$\gamma={gam[j]:.3g}$")
                ax.plot(gd.epochs, th[:, j], color=col, lw=2, label=lab)
                ax.plot(gd.epochs, gd.w[:, j], color="k", ls="--", lw=0.7)
            ax.set_title(rf"{name}, $\lambda={lam:g}$", fontsize=10)
            ax.set_xlabel("epoch")
            ax.legend(fontsize=7, loc="upper left")
        axes[0, c].set_ylim(-0.03, 1.0)
    axes[0, 0].set_ylabel(r"$w$ (noise; theory [eq5], GD black --)")
    axes[1, 0].set_ylabel(r"$w$ (weight decay; theory [eq7], GD black --)")
    fig.suptitle(rf"Figure 2: noise vs weight decay with equivalent $\gamma$ [E.equiv], "
                 rf"$w_1=w_2=\sqrt{{{w0:g}}}$, lr = {lr} (small eigenvalues are suppressed)")
    fig.tight_layout()
    metrics["deviation_ratio_lr_over_half_lr"] = {
        k: {m: v[m] / metrics["max_abs_gd_minus_theory_at_half_lr"][k][m]
            for m in ("DAE", "WDAE")} for k, v in metrics["max_abs_gd_minus_theory"].items()}
    settings = {"lams": lams, "eps": levels, "gamma": "equivalent_gamma(lam, eps, N=1)",
                "lr": lr, "tau": 1 / lr, "w0": w0, "epochs": "15 / lam / lr * horizon",
                "horizon": size.horizon, "size": size.name}
    return FigureResult("fig2", fig, settings, metrics, arrays)


# --------------------------------------------------------------------------- Figure 3


def _half_step(w: np.ndarray, target: np.ndarray) -> list[int | None]:
    """First GD step at which each column of ``w`` reaches ``target`` (None if never)."""
    hit = w >= target
    return [int(np.argmax(hit[:, j])) if hit[:, j].any() else None for j in range(w.shape[1])]


def fig3(size: Size, rng: np.random.Generator) -> FigureResult:
    """Figure 3: 'optimal' learning rates [D.step]/[D.wd], DAE vs WDAE with [E.equiv]'s gamma.

    lam = 1, each model at its own rate ``eta / tau`` per step: ``1 / (2 lam + 3 eps)`` (DAE),
    ``1 / (2 lam + N gamma)`` (WDAE).  Balanced starts (``w0 = 1e-3``) and random unbalanced
    starts.  The paper's 5.claim3 (the DAE is faster, the gap grows with the noise) is measured,
    not assumed: from a balanced start the two finite-step maps coincide ([5.claim3], refuted).
    Also ``R`` of [eq8] against the noise for lam = 0.1, 1, 10.
    """
    plt = _plt()
    lam, w0, levels = 1.0, 1e-3, size.levels
    steps = int(round(80 * max(size.horizon, 0.75)))
    u = float(np.sqrt(w0))
    eps = np.asarray(levels)
    gam = nm.equivalent_gamma(lam, eps, 1.0)
    lr_d = nm.optimal_lr_dae(lam, eps, 1.0)  # eta / tau: the step on the un-scaled loss
    lr_w = nm.optimal_lr_wdae(lam, gam, 1.0, 1.0)
    ua, ub = _random_starts(rng, size.starts, 0.5, 0.01)
    starts = {"balanced": (np.full(1, u), np.full(1, u)), "unbalanced": (ua, ub)}
    traj: dict[str, dict[str, np.ndarray]] = {}
    for name, (a, b) in starts.items():
        d = nm.simulate_scalar(lam, eps[:, None], lr=lr_d[:, None], w1_0=a, w2_0=b, epochs=steps)
        w = nm.simulate_scalar(lam, 0.0, gam[:, None], lr=lr_w[:, None], w1_0=a, w2_0=b,
                               epochs=steps)
        traj[name] = {"DAE": d.w, "WDAE": w.w, "steps": d.epochs}  # (steps+1, levels, starts)
    w_star = nm.dae_fixed_point(lam, eps)
    metrics: dict[str, Any] = {"lr_dae_per_step": dict(zip(map(str, levels), lr_d, strict=True)),
                               "lr_wdae_per_step": dict(zip(map(str, levels), lr_w, strict=True)),
                               "gamma_equivalent": dict(zip(map(str, levels), gam, strict=True)),
                               "max_abs_dae_minus_wdae": {}, "half_time_steps_wdae_minus_dae": {},
                               "diverged": {}}
    for name, tr in traj.items():
        gap = tr["DAE"] - tr["WDAE"]
        metrics["max_abs_dae_minus_wdae"][name] = {
            f"eps={e:g}": float(np.max(np.abs(gap[:, i]))) for i, e in enumerate(levels)}
        hd = [_half_step(tr["DAE"][:, i], w_star[i] / 2) for i in range(len(eps))]
        hw = [_half_step(tr["WDAE"][:, i], w_star[i] / 2) for i in range(len(eps))]
        metrics["half_time_steps_wdae_minus_dae"][name] = {
            f"eps={e:g}": [None if x is None or y is None else y - x
                           for x, y in zip(hd[i], hw[i], strict=True)]
            for i, e in enumerate(levels)}
        metrics["diverged"][name] = bool(not np.all(np.isfinite(gap)))
    # R of eq8 and the two rates over a noise grid
    e_grid = np.linspace(0.0, 5.0, 201)
    r_lams = (0.1, 1.0, 10.0)
    R = {lm: rate_ratio(lm, e_grid, nm.equivalent_gamma(lm, e_grid, 1.0), 1.0) for lm in r_lams}
    ratio_numerics = (nm.optimal_lr_dae(lam, e_grid, 1.0)
                      / nm.optimal_lr_wdae(lam, nm.equivalent_gamma(lam, e_grid, 1.0), 1.0, 1.0))
    metrics["R_eq8_minus_rate_ratio_max_abs"] = _max_dev(R[1.0], ratio_numerics)
    metrics["R_decreasing_in_eps"] = {str(lm): bool(np.all(np.diff(r) < 0)) for lm, r in R.items()}
    metrics["R_at_eps_max"] = {str(lm): float(r[-1]) for lm, r in R.items()}

    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    greens, oranges = _shades(plt.cm.Greens, len(eps)), _shades(plt.cm.Oranges, len(eps))
    for col, name in enumerate(("balanced", "unbalanced")):
        tr = traj[name]
        ax = axes[0, col]
        for i in range(len(eps)):
            ax.plot(tr["steps"], tr["DAE"][:, i, 0], color=greens[i], lw=2.2,
                    label=rf"DAE $\varepsilon={eps[i]:g}$")
            ax.plot(tr["steps"], tr["WDAE"][:, i, 0], color=oranges[i], ls="--", lw=1.4,
                    label=rf"WDAE $\gamma={gam[i]:.3g}$")
        a, b = starts[name][0][0], starts[name][1][0]
        ax.set_title(f"{name} start ({a:.3g}, {b:.3g})", fontsize=10)
        ax.set_xlabel("GD step (each at its optimal rate)")
        ax.set_ylabel("mapping $w$")
        ax = axes[1, col]
        gap = tr["DAE"] - tr["WDAE"]
        mx = float(np.max(np.abs(gap)))
        if mx < IDENTICAL:  # rounding noise, not a signal: say so instead of plotting it
            ax.text(0.5, 0.5, f"identical to {mx:.1g}\n(largest $|w_{{DAE}} - w_{{WDAE}}|$ over "
                    f"all steps and noise levels;\nfloat64 rounding of the same map)",
                    ha="center", va="center", transform=ax.transAxes, fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            for i in range(len(eps)):
                ax.plot(tr["steps"], gap[:, i, :], color=greens[i], lw=1)
            ax.axhline(0, color="k", lw=0.5)
        ax.set_title(rf"{name}: $w_{{DAE}} - w_{{WDAE}}$, max $|\cdot|$ = {mx:.2g}"
                     + ("" if name == "balanced" else f" ({size.starts} random starts)"),
                     fontsize=10)
        ax.set_xlabel("GD step")
        ax.set_ylabel(r"$w_{DAE} - w_{WDAE}$")
    axes[0, 0].legend(fontsize=6, ncol=2)
    ax = axes[0, 2]
    ax.plot(e_grid, nm.optimal_lr_dae(lam, e_grid, 1.0), color=GREEN,
            label=r"DAE $\eta_\varepsilon/\tau = 1/(2\lambda+3\varepsilon)$")
    ax.plot(e_grid, nm.optimal_lr_wdae(lam, nm.equivalent_gamma(lam, e_grid, 1.0), 1.0, 1.0),
            color=ORANGE, label=r"WDAE $\eta_\gamma/\tau$, equivalent $\gamma$")
    ax.set_xlabel(r"noise $\varepsilon$")
    ax.set_ylabel(r"rate per step $\eta / \tau$")
    ax.set_title(r"'optimal' learning rates [D.step], [D.wd], $\lambda=1$", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1, 2]
    for lm, ls in zip(r_lams, (":", "-", "--"), strict=True):
        ax.plot(e_grid, R[lm], color="k", ls=ls, label=rf"$\lambda={lm:g}$")
    ax.set_xlabel(r"noise $\varepsilon$")
    ax.set_ylabel(r"$R$")
    ax.set_title(r"$R = \eta_\varepsilon / \eta_\gamma$ [eq8]", fontsize=10)
    ax.legend(fontsize=8)
    fig.suptitle(r"Figure 3: DAE (green) vs WDAE (orange) at their 'optimal' rates, $\lambda=1$ "
                 "(measured: balanced starts give identical maps)")
    fig.tight_layout()
    arrays = {"eps": eps, "gamma": gam, "lr_dae": lr_d, "lr_wdae": lr_w, "eps_grid": e_grid,
              "unbalanced_w1_0": ua, "unbalanced_w2_0": ub}
    for name, tr in traj.items():
        arrays |= {f"{name}_dae": tr["DAE"], f"{name}_wdae": tr["WDAE"]}
    arrays |= {f"R_lam{lm:g}": r for lm, r in R.items()}
    settings = {"lam": lam, "eps": levels, "w0_balanced": w0, "steps": steps,
                "unbalanced": "uniform in [-0.5, 0.5]^2 with |w2^2 - w1^2| >= 0.01",
                "rates": "per step on the un-scaled loss: D.step / D.wd alpha at tau = 1",
                "theory_vs_simulation": "none: the dynamics panels compare two GD runs at large "
                                        "steps (not the flow); the rate panels are theory only",
                "size": size.name}
    return FigureResult("fig3", fig, settings, metrics, arrays)


# --------------------------------------------------------------------------- Figure 4

#: Fig. 4 line styles (colour, dash) per kind of start, distinguishable in print
STYLE4 = {"random": (ORANGE, "--"), "small": (MAGENTA, "-."), "balanced-small": (MAGENTA, ":")}


def fig4(size: Size, rng: np.random.Generator) -> FigureResult:
    """Figure 4: weight norms, noise (eps = 0.1) vs weight decay (gamma = 0.091), lam = 1.

    Left: loss surfaces ([eq4] / [C.loss]) with GD paths (orange; magenta: small start).
    Middle: the mapping ``w`` over time (theory: [eq5] for the DAE from any start, [eq7]
    corrected for the WDAE from the balanced start only).  Right: ``||(w1, w2)||`` over time;
    DAE theory from [B.w] (``||w||^4 = c0^2 + 4 w^2``), dotted: the minimum norm
    ``sqrt(2 w*)`` on the manifold.  Weight decay keeps shrinking the norm along the manifold;
    the DAE flow conserves ``w2^2 - w1^2`` ([B.conserved]) and stops.
    """
    plt = _plt()
    lam, eps, gam, lr, lim = 1.0, 0.1, 0.091, 0.01, 2.0
    epochs = int(round(25 / lr * size.horizon))  # t / tau = 25 (10 tiny)
    a, b = _random_starts(rng, size.starts, 1.6, 0.3)
    small = rng.uniform(0.005, 0.05, 2)
    w_bal = float(np.sqrt(1e-3))
    w1_0 = np.concatenate([a, small[:1], [w_bal]])
    w2_0 = np.concatenate([b, small[1:], [w_bal]])
    kinds = ["random"] * size.starts + ["small", "balanced-small"]
    runs = {"DAE": nm.simulate_scalar(lam, eps, lr=lr, w1_0=w1_0, w2_0=w2_0, epochs=epochs),
            "WDAE": nm.simulate_scalar(lam, 0.0, gam, lr=lr, w1_0=w1_0, w2_0=w2_0,
                                       epochs=epochs)}
    t = runs["DAE"].epochs
    c0 = np.abs(w2_0**2 - w1_0**2)
    th_dae = nm.dae_w(t[:, None], lam, eps, w1_0, w2_0, 1 / lr)
    th_wdae_bal = nm.wdae_w(t, lam, gam, 1.0, w_bal**2, 1 / lr)
    th_norm_dae = weight_norm(th_dae, c0)
    th_norm_wdae_bal = weight_norm(th_wdae_bal, 0.0)
    fixed = {"DAE": float(nm.dae_fixed_point(lam, eps)),
             "WDAE": float(nm.wdae_fixed_point(lam, gam, 1.0))}
    g = np.linspace(-lim, lim, size.grid)
    gw1, gw2 = np.meshgrid(g, g)
    surfaces = {"DAE": dae_loss(gw1, gw2, lam, eps, 1.0),
                "WDAE": wdae_loss(gw1, gw2, lam, gam, 1.0, 1.0)}
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.6))
    metrics: dict[str, Any] = {"lr": lr, "tau": 1 / lr, "fixed_point": fixed}
    arrays: dict[str, np.ndarray] = {"epochs": t, "w1_0": w1_0, "w2_0": w2_0}
    for r, (name, tr) in enumerate(runs.items()):
        norm = np.hypot(tr.w1, tr.w2)
        c = tr.w2**2 - tr.w1**2
        excess = norm**2 - 2 * np.abs(tr.w)
        arrays |= {f"{name}_w1": tr.w1, f"{name}_w2": tr.w2, f"{name}_norm": norm}
        ax = axes[r, 0]
        _surface(ax, surfaces[name], g)
        _hyperbola(ax, fixed[name], lim, color=CYAN, lw=2)
        if name == "WDAE":  # the penalty leaves two minima on the manifold: w1 = w2 = +-sqrt(w*)
            m = np.sqrt(fixed[name])
            ax.plot([m, -m], [m, -m], "X", color=CYAN, mec="k", ms=9, zorder=6)
        axm, axn = axes[r, 1], axes[r, 2]
        for j, kind in enumerate(kinds):
            col, ls = STYLE4[kind]
            ax.plot(tr.w1[:, j], tr.w2[:, j], color=col, ls=ls, lw=1.3)
            axm.plot(t, tr.w[:, j], color=col, ls=ls, lw=1.3)
            axn.plot(t, norm[:, j], color=col, ls=ls, lw=1.3)
        th_w, th_n = (th_dae, th_norm_dae) if name == "DAE" else (th_wdae_bal, th_norm_wdae_bal)
        axm.plot(t, th_w, color="0.6", lw=2.5, zorder=1)
        axn.plot(t, th_n, color="0.6", lw=2.5, zorder=1)
        axn.axhline(np.sqrt(2 * fixed[name]), color="k", ls=":", lw=1)
        # where each run first comes within 1% of the fixed mapping, and the norm there
        near = np.abs(tr.w - fixed[name]) <= 0.01 * fixed[name]
        arrive = [int(np.argmax(near[:, j])) if near[:, j].any() else None
                  for j in range(len(kinds))]
        metrics[name] = {
            "kinds": kinds,
            # ||w||^2 - 2|w1 w2| = (|w1| - |w2|)^2: the norm above the minimum for the current
            # mapping; zero only on the balanced set (the minimum-norm point of the manifold)
            "excess_norm_sq_on_arrival": [None if k is None else float(excess[k, j])
                                          for j, k in enumerate(arrive)],
            "excess_norm_sq_final": excess[-1],
            "arrival_epoch": arrive,
            "final_norm": norm[-1], "min_norm_on_manifold": float(np.sqrt(2 * fixed[name])),
            "final_w": tr.w[-1],
            "w2sq_minus_w1sq_initial": c[0], "w2sq_minus_w1sq_final": c[-1],
            "max_rel_change_w2sq_minus_w1sq_unbalanced": float(
                np.max(np.abs(c[-1] - c[0])[c0 > 0] / np.abs(c[0])[c0 > 0])),
        }
        if name == "DAE":
            metrics[name]["max_abs_gd_minus_eq5"] = _max_dev(tr.w, th_dae)
            metrics[name]["max_abs_gd_minus_theory_norm"] = _max_dev(norm, th_norm_dae)
        else:
            metrics[name]["max_abs_gd_minus_eq7_balanced"] = _max_dev(tr.w[:, -1], th_wdae_bal)
            metrics[name]["max_abs_gd_minus_theory_norm_balanced"] = _max_dev(
                norm[:, -1], th_norm_wdae_bal)
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
    gd_dae, gd_wd = runs["DAE"], runs["WDAE"]
    metrics["small_start_max_abs_dae_minus_wdae"] = {
        k: _max_dev(gd_dae.w[:, j], gd_wd.w[:, j]) for j, k in enumerate(kinds)
        if k != "random"}
    fig.suptitle(rf"Figure 4: weight norms, noise vs weight decay (lr = {lr}): decay keeps "
                 "shrinking the norm along the manifold, noise does not")
    fig.tight_layout()
    settings = {"lam": lam, "eps": eps, "gamma": gam, "lr": lr, "tau": 1 / lr,
                "epochs": epochs, "random_starts": "uniform in [-1.6, 1.6]^2, |w2^2-w1^2|>=0.3",
                "small_start": small, "balanced_small_start": w_bal, "size": size.name}
    return FigureResult("fig4", fig, settings, metrics, arrays)


FIGURES: dict[str, Callable[[Size, np.random.Generator], FigureResult]] = {
    "fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4}


def make_figure(name: str, out: Path, size: str | Size = "paper", seed: int = 0, *,
                provenance: Mapping[str, Any] | None = None) -> FigureResult:
    """Build figure ``name`` (``fig1`` ... ``fig4``) and write its four files into ``out``
    (the JSON with ``provenance`` when given)."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
        size = SIZES[size]
    return FIGURES[name](size, np.random.default_rng(seed)).save(out, provenance)
