"""What Figures 1-4 show, computed (no drawing): GD through :mod:`numerics` beside the closed
forms, the deviations, and every array a panel plots.

Each ``compute_figN(size, rng)`` returns a :class:`Computed` (settings, metrics, arrays) and is
pure apart from ``rng``; :mod:`experiments.scalar_figures` draws from it alone (the arrays are
also what the ``.npz`` holds).  Every panel that shows both a closed form and GD reports
``max |GD - theory|`` in the metrics, at the stated ``lr`` and (Figs. 1-2) also at ``lr / 2``:
a ratio near 2 is the first-order (O(lr)) convergence of GD to the gradient flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import numerics as nm
from numerics.scalar_losses import rate_ratio, weight_norm


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
class Computed:
    """A figure's settings, metrics (the JSON) and arrays (the npz and the plotted data)."""

    settings: dict[str, Any]
    metrics: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def max_dev(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def random_starts(rng: np.random.Generator, n: int, half_width: float,
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


def compute_fig1(size: Size, rng: np.random.Generator) -> Computed:
    """Figure 1: scalar DAE (lam = 1; eps = 0, 1, 5) from random starts, GD vs [eq5]."""
    lam, lr, epsilons, lim = 1.0, 0.01, (0.0, 1.0, 5.0), 2.0
    epochs = int(round(8 / lr * size.horizon))  # t / tau = 8 (3.2 tiny)
    w1_0, w2_0 = random_starts(rng, size.starts, 1.5, 0.1)
    dev: dict[str, float] = {}
    dev_half: dict[str, float] = {}
    arrays: dict[str, np.ndarray] = {"w1_0": w1_0, "w2_0": w2_0}
    for eps in epsilons:
        key = f"eps={eps:g}"
        gd = nm.simulate_scalar(lam, eps, lr=lr, w1_0=w1_0, w2_0=w2_0, epochs=epochs)
        theory = nm.dae_w(gd.epochs[:, None], lam, eps, w1_0, w2_0, 1 / lr)
        dev[key] = max_dev(gd.w, theory)
        # the same flow time at half the step: the deviation should halve (O(lr))
        gd2 = nm.simulate_scalar(lam, eps, lr=lr / 2, w1_0=w1_0, w2_0=w2_0, epochs=2 * epochs)
        theory2 = nm.dae_w(gd2.epochs[:, None], lam, eps, w1_0, w2_0, 2 / lr)
        dev_half[key] = max_dev(gd2.w, theory2)
        arrays |= {f"eps{eps:g}_epochs": gd.epochs, f"eps{eps:g}_w1": gd.w1,
                   f"eps{eps:g}_w2": gd.w2, f"eps{eps:g}_theory": theory}
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
                "surface_tau": 1.0, "surface_limit": lim, "grid": size.grid,
                "size": size.name}
    return Computed(settings, metrics, arrays)


def compute_fig2(size: Size, rng: np.random.Generator) -> Computed:
    """Figure 2: noise ([eq5]) vs weight decay ([eq7], corrected) for lam = 2.5, 1, 0.5, 0.1,
    each eps paired with its equivalent gamma of [E.equiv]; balanced small start, equal lr."""
    del rng  # deterministic
    lams, levels, lr, w0 = (2.5, 1.0, 0.5, 0.1), size.levels, 0.01, 1e-3
    u = float(np.sqrt(w0))
    eps = np.asarray(levels)
    metrics: dict[str, Any] = {"lr": lr, "tau": 1 / lr, "max_abs_gd_minus_theory": {},
                               "max_abs_gd_minus_theory_at_half_lr": {},
                               "half_time_epochs": {}, "final_w_theory": {},
                               "gamma_equivalent": {}}
    arrays: dict[str, np.ndarray] = {"eps": eps}
    for lam in lams:
        key = f"lam={lam:g}"
        epochs = int(round(15 / lam / lr * size.horizon))  # t / tau = 15 / lam
        gam = nm.equivalent_gamma(lam, eps, 1.0)
        w_star = nm.dae_fixed_point(lam, eps)
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
            metrics["max_abs_gd_minus_theory"].setdefault(key, {})[name] = max_dev(gd.w, th)
            metrics["max_abs_gd_minus_theory_at_half_lr"].setdefault(key, {})[name] = max_dev(
                gd2.w, th2)
            half = [int(np.argmax(th[:, j] >= w_star[j] / 2)) if np.any(th[:, j] >= w_star[j] / 2)
                    else None for j in range(len(eps))]
            metrics["half_time_epochs"].setdefault(key, {})[name] = dict(
                zip([f"eps={e:g}" for e in levels], half, strict=True))
            metrics["final_w_theory"].setdefault(key, {})[name] = th[-1]
            arrays |= {f"lam{lam:g}_{name}_gd": gd.w, f"lam{lam:g}_{name}_theory": th,
                       f"lam{lam:g}_epochs": gd.epochs}
        metrics["gamma_equivalent"][key] = gam
        arrays[f"lam{lam:g}_gamma"] = gam
    metrics["deviation_ratio_lr_over_half_lr"] = {
        k: {m: v[m] / metrics["max_abs_gd_minus_theory_at_half_lr"][k][m]
            for m in ("DAE", "WDAE")} for k, v in metrics["max_abs_gd_minus_theory"].items()}
    settings = {"lams": lams, "eps": levels, "gamma": "equivalent_gamma(lam, eps, N=1)",
                "lr": lr, "tau": 1 / lr, "w0": w0, "epochs": "15 / lam / lr * horizon",
                "horizon": size.horizon, "size": size.name}
    return Computed(settings, metrics, arrays)


def half_step(w: np.ndarray, target: np.ndarray) -> list[int | None]:
    """First GD step at which each column of ``w`` reaches ``target`` (None if never)."""
    hit = w >= target
    return [int(np.argmax(hit[:, j])) if hit[:, j].any() else None for j in range(w.shape[1])]


def compute_fig3(size: Size, rng: np.random.Generator) -> Computed:
    """Figure 3: 'optimal' learning rates [D.step]/[D.wd], DAE vs WDAE with [E.equiv]'s gamma.

    lam = 1, each model at its own rate ``eta / tau`` per step: ``1 / (2 lam + 3 eps)`` (DAE),
    ``1 / (2 lam + N gamma)`` (WDAE).  Balanced starts (``w0 = 1e-3``) and random unbalanced
    starts.  The paper's 5.claim3 (the DAE is faster, the gap grows with the noise) is measured,
    not assumed: from a balanced start the two finite-step maps coincide ([5.claim3], refuted).
    Also ``R`` of [eq8] against the noise for lam = 0.1, 1, 10.
    """
    lam, w0, levels = 1.0, 1e-3, size.levels
    steps = int(round(80 * max(size.horizon, 0.75)))
    u = float(np.sqrt(w0))
    eps = np.asarray(levels)
    gam = nm.equivalent_gamma(lam, eps, 1.0)
    lr_d = nm.optimal_lr_dae(lam, eps, 1.0)  # eta / tau: the step on the un-scaled loss
    lr_w = nm.optimal_lr_wdae(lam, gam, 1.0, 1.0)
    ua, ub = random_starts(rng, size.starts, 0.5, 0.01)
    starts = {"balanced": (np.full(1, u), np.full(1, u)), "unbalanced": (ua, ub)}
    w_star = nm.dae_fixed_point(lam, eps)
    metrics: dict[str, Any] = {"lr_dae_per_step": dict(zip(map(str, levels), lr_d, strict=True)),
                               "lr_wdae_per_step": dict(zip(map(str, levels), lr_w, strict=True)),
                               "gamma_equivalent": dict(zip(map(str, levels), gam, strict=True)),
                               "max_abs_dae_minus_wdae": {}, "half_time_steps_wdae_minus_dae": {},
                               "diverged": {}}
    arrays: dict[str, np.ndarray] = {"eps": eps, "gamma": gam, "lr_dae": lr_d, "lr_wdae": lr_w,
                                     "unbalanced_w1_0": ua, "unbalanced_w2_0": ub}
    for name, (a, b) in starts.items():
        d = nm.simulate_scalar(lam, eps[:, None], lr=lr_d[:, None], w1_0=a, w2_0=b, epochs=steps)
        w = nm.simulate_scalar(lam, 0.0, gam[:, None], lr=lr_w[:, None], w1_0=a, w2_0=b,
                               epochs=steps)
        arrays |= {f"{name}_dae": d.w, f"{name}_wdae": w.w,  # (steps+1, levels, starts)
                   f"{name}_w1_0": a, f"{name}_w2_0": b}
        arrays["steps"] = d.epochs
        gap = d.w - w.w
        metrics["max_abs_dae_minus_wdae"][name] = {
            f"eps={e:g}": float(np.max(np.abs(gap[:, i]))) for i, e in enumerate(levels)}
        hd = [half_step(d.w[:, i], w_star[i] / 2) for i in range(len(eps))]
        hw = [half_step(w.w[:, i], w_star[i] / 2) for i in range(len(eps))]
        metrics["half_time_steps_wdae_minus_dae"][name] = {
            f"eps={e:g}": [None if x is None or y is None else y - x
                           for x, y in zip(hd[i], hw[i], strict=True)]
            for i, e in enumerate(levels)}
        metrics["diverged"][name] = bool(not np.all(np.isfinite(gap)))
    # R of eq8 and the two rates over a noise grid
    e_grid = np.linspace(0.0, 5.0, 201)
    arrays["eps_grid"] = e_grid
    for lm in (0.1, 1.0, 10.0):
        arrays[f"R_lam{lm:g}"] = rate_ratio(lm, e_grid, nm.equivalent_gamma(lm, e_grid, 1.0), 1.0)
    arrays["rate_dae_grid"] = nm.optimal_lr_dae(lam, e_grid, 1.0)
    arrays["rate_wdae_grid"] = nm.optimal_lr_wdae(lam, nm.equivalent_gamma(lam, e_grid, 1.0),
                                                  1.0, 1.0)
    metrics["R_eq8_minus_rate_ratio_max_abs"] = max_dev(
        arrays["R_lam1"], arrays["rate_dae_grid"] / arrays["rate_wdae_grid"])
    metrics["R_decreasing_in_eps"] = {str(lm): bool(np.all(np.diff(arrays[f"R_lam{lm:g}"]) < 0))
                                      for lm in (0.1, 1.0, 10.0)}
    metrics["R_at_eps_max"] = {str(lm): float(arrays[f"R_lam{lm:g}"][-1])
                               for lm in (0.1, 1.0, 10.0)}
    settings = {"lam": lam, "eps": levels, "w0_balanced": w0, "steps": steps,
                "unbalanced": "uniform in [-0.5, 0.5]^2 with |w2^2 - w1^2| >= 0.01",
                "rates": "per step on the un-scaled loss: D.step / D.wd alpha at tau = 1",
                "theory_vs_simulation": "none: the dynamics panels compare two GD runs at large "
                                        "steps (not the flow); the rate panels are theory only",
                "starts": size.starts, "size": size.name}
    return Computed(settings, metrics, arrays)


KINDS4 = ("random", "small", "balanced-small")


def compute_fig4(size: Size, rng: np.random.Generator) -> Computed:
    """Figure 4: weight norms, noise (eps = 0.1) vs weight decay (gamma = 0.091), lam = 1.

    GD from random, small random and balanced small starts; theory [eq5] for the DAE from any
    start, the corrected [eq7] for the WDAE from the balanced start; norms from [B.w]
    (``||w||^4 = c0^2 + 4 w^2``).  Weight decay keeps shrinking the norm along the manifold;
    the DAE flow conserves ``w2^2 - w1^2`` ([B.conserved]) and stops.
    """
    lam, eps, gam, lr, lim = 1.0, 0.1, 0.091, 0.01, 2.0
    epochs = int(round(25 / lr * size.horizon))  # t / tau = 25 (10 tiny)
    a, b = random_starts(rng, size.starts, 1.6, 0.3)
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
    theory = {"DAE": nm.dae_w(t[:, None], lam, eps, w1_0, w2_0, 1 / lr),
              "WDAE": nm.wdae_w(t, lam, gam, 1.0, w_bal**2, 1 / lr)}
    theory_norm = {"DAE": weight_norm(theory["DAE"], c0),
                   "WDAE": weight_norm(theory["WDAE"], 0.0)}
    fixed = {"DAE": float(nm.dae_fixed_point(lam, eps)),
             "WDAE": float(nm.wdae_fixed_point(lam, gam, 1.0))}
    metrics: dict[str, Any] = {"lr": lr, "tau": 1 / lr, "fixed_point": fixed}
    arrays: dict[str, np.ndarray] = {"epochs": t, "w1_0": w1_0, "w2_0": w2_0}
    for name, tr in runs.items():
        norm = np.hypot(tr.w1, tr.w2)
        c = tr.w2**2 - tr.w1**2
        excess = norm**2 - 2 * np.abs(tr.w)
        arrays |= {f"{name}_w1": tr.w1, f"{name}_w2": tr.w2, f"{name}_norm": norm,
                   f"{name}_theory": theory[name], f"{name}_theory_norm": theory_norm[name]}
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
            metrics[name]["max_abs_gd_minus_eq5"] = max_dev(tr.w, theory["DAE"])
            metrics[name]["max_abs_gd_minus_theory_norm"] = max_dev(norm, theory_norm["DAE"])
        else:
            metrics[name]["max_abs_gd_minus_eq7_balanced"] = max_dev(tr.w[:, -1],
                                                                     theory["WDAE"])
            metrics[name]["max_abs_gd_minus_theory_norm_balanced"] = max_dev(
                norm[:, -1], theory_norm["WDAE"])
    metrics["small_start_max_abs_dae_minus_wdae"] = {
        k: max_dev(runs["DAE"].w[:, j], runs["WDAE"].w[:, j]) for j, k in enumerate(kinds)
        if k != "random"}
    settings = {"lam": lam, "eps": eps, "gamma": gam, "lr": lr, "tau": 1 / lr,
                "epochs": epochs, "random_starts": "uniform in [-1.6, 1.6]^2, |w2^2-w1^2|>=0.3",
                "small_start": small, "balanced_small_start": w_bal, "surface_limit": lim,
                "grid": size.grid, "size": size.name}
    return Computed(settings, metrics, arrays)
