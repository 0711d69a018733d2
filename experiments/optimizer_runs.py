"""The lecture notes' optimisers on the paper's linear AE with real data (issue 11's questions).

``daedyn experiment linear --study STUDY`` runs one of four measurements on the data's own
``Sigma_xx`` (full-batch training through the covariance, as Figure 5's covariance mode) and
writes ``optimizers_<study>_<dataset>.json`` (+ ``.npz``; ``adaptive`` also a PNG/PDF):

* ``flow`` -- heavy ball and Nesterov against the gradient flow they approximate [OD.flow]:
  ``lr = lr_eff (1 - beta)`` keeps the time axis ``t = k lr / (1 - beta)`` of the GD preset;
  per plotted direction the largest deviation from the flow (GD at ``lr_eff / 8``, 8x the epochs,
  from the same random start) and from the closed form [eq5] with ``tau (1 - beta)``, against
  ``x_i = lr lambda_i / (N (1 - beta)^2)``, the quantity that controls the approximation; and
  the same at ``lr / 2`` (the error should halve).
* ``adaptive`` -- Adam (or RMSprop, ``--optimizer rmsprop``) on AE, WDAE, DAE: in the eigenbasis
  from the aligned start (``R = I``; the full matrix run beside the per-direction scalar model,
  their largest difference), and in pixel coordinates from the paper's random start (what
  practitioners run), with GD as the reference; the epochs each plotted direction needs to reach
  half of its target (1 for the AE, ``w*`` of [4.fp] for the DAE, ``1 - N gamma / lambda``
  of [C.w] for the WDAE): does Adam remove the eigenvalue ordering? does noise (not) delay
  learning, does weight decay delay it?
* ``thresholds`` -- GD, heavy ball, Nesterov at 0.9 / 0.98 / 1.02 / 1.1 of the data-level
  threshold from ``lambda_1`` ([OD.gd], [OD.heavy-ball], [OD.nesterov] at the balanced fixed
  point of direction 1: ``lr lambda_1 / N < 1``, ``1 + beta``, ``(1 + beta) / (1 + 2 beta)``),
  from the paper's small random start: converge / oscillate / diverge.
* ``pca`` -- principal angles between the trained decoder's span (top-k left singular vectors of
  ``W2 W1``) and the top-k eigenvectors of the uncentred ``Sigma_xx`` (the paper's) and of the
  centred covariance, k = 1, 4, 8, 16, 32, H.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

import numerics as nm
from numerics.linear_ae import _init
from numerics.optimizers import SGD, Adam, RMSprop

from . import provenance
from .artifacts import prepare_out, save_arrays, save_json
from .datasets import load
from .linear_runs import effective_start_rotated, theory_from_start

STUDIES = ("flow", "adaptive", "thresholds", "pca")
BISECTIONS = 6
PLOTTED = (1, 4, 8, 16, 32)
FACTORS = (0.9, 0.98, 1.02, 1.1)
#: the fraction of the target a direction must reach to count as learned (learning time)
HALF = 0.5
#: directions whose target mapping is below this have nothing to learn (WDAE beyond its cutoff)
MIN_TARGET = 0.05
#: a median learning-time ratio to the AE above this counts as a delay
DELAY_RATIO = 1.1
#: the adaptive study's GD reference runs this many times the optimiser's epochs
GD_EPOCHS_FACTOR = 5


@dataclass(frozen=True)
class StudySettings:
    study: str = "flow"
    dataset: str = "mnist"
    n_samples: int = 10000
    hidden: int = 32
    epochs: int = 2000
    #: flow: the effective (GD) lr; adaptive: the optimiser's lr; None: the preset's
    lr: float | None = None
    betas: tuple[float, ...] = (0.5, 0.9)
    optimizer: str = "adam"
    gamma: float = 0.5
    sigma2: float = 0.5
    scale: float = 1e-3
    seed: int = 0
    record_every: int = 10
    #: thresholds: bisection steps for the largest converging factor below the threshold
    bisections: int = BISECTIONS


PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # minutes on a shared 2-core CPU (MNIST, N = 10000); the torch-exact optimisers cost about
    # 20 elementwise passes per step, so the studies use H = 32 (lambda_32 is the last plotted)
    "quick": {"flow": dict(hidden=32, epochs=1000),
              "adaptive": dict(hidden=32, epochs=400, record_every=5),
              "thresholds": dict(hidden=16, epochs=1500, betas=(0.5, 0.9)),
              "pca": dict(hidden=64, epochs=2000)},
    "paper": {"flow": dict(n_samples=50000, hidden=64, epochs=5000),
              "adaptive": dict(n_samples=50000, hidden=64, epochs=1000, record_every=5),
              "thresholds": dict(n_samples=50000, hidden=64, epochs=5000, betas=(0.5, 0.9)),
              "pca": dict(n_samples=50000, hidden=256, epochs=5000)},
}
#: the adaptive optimisers' default learning rates (per step, in weight units: Adam moves each
#: weight by about lr per step, so from scale 1e-3 a direction needs ~1/lr steps)
ADAPTIVE_LR = {"adam": 2e-3, "rmsprop": 5e-4}


def settings_for(study: str, dataset: str, preset: str | None, **overrides: Any
                 ) -> StudySettings:
    if study not in STUDIES:
        raise ValueError(f"study must be one of {', '.join(STUDIES)}, got {study!r}")
    base = StudySettings(study=study, dataset=dataset)
    if preset is not None:
        base = replace(base, **PRESETS[preset][study])
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def _gd_lr(n: int, lam1: float, lr_max: float = 0.02) -> float:
    """Figure 5's preset rule: ``min(0.02, 0.8 N / lambda_1)``."""
    return min(lr_max, 0.8 * n / lam1)


def _half_time(epochs: np.ndarray, curve: np.ndarray, target: float) -> int | None:
    """First recorded epoch at which ``curve`` reaches ``HALF`` of ``target`` (None: never)."""
    hit = np.flatnonzero(np.asarray(curve) >= HALF * target)
    return int(epochs[hit[0]]) if hit.size else None


def _targets(model: str, lam: np.ndarray, n: int, s: StudySettings) -> np.ndarray:
    """The fixed-point mapping of each direction: 1 (AE), lam/(lam + N sigma^2) (DAE, [4.fp]),
    1 - N gamma / lam (WDAE, [C.w]; 0 where negative)."""
    if model == "AE":
        return np.ones_like(lam)
    if model == "DAE":
        return lam / (lam + n * s.sigma2)
    return np.clip(1 - n * s.gamma / lam, 0.0, None)


def _model_params(model: str, n: int, s: StudySettings) -> tuple[float, float]:
    return {"AE": (0.0, 0.0), "WDAE": (0.0, s.gamma), "DAE": (n * s.sigma2, 0.0)}[model]


# ------------------------------------------------------------------------------------ studies


def _flow(s: StudySettings, sigma: np.ndarray, lam: np.ndarray, V: np.ndarray, n: int
          ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    idx = np.asarray(PLOTTED) - 1
    lr_eff = s.lr if s.lr is not None else _gd_lr(n, float(lam[0]))
    init = "random"
    b1, b2 = _init(init, s.hidden, lam.size, V, s.scale, s.seed)
    u = effective_start_rotated(b1, b2)[idx]
    w0 = (b1 @ V.T, V @ b2)
    runs: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for halve in (1, 2):
        lr_e, epochs = lr_eff / halve, s.epochs * halve
        every = s.record_every * halve
        ref = nm.simulate_linear_ae(sigma=sigma, N=n, H=s.hidden, lr=lr_e / 8, epochs=8 * epochs,
                                    init=w0, basis=(lam, V), record_every=8 * every)
        t = ref.epochs / 8.0  # in epochs of lr_e
        closed = theory_from_start("AE", t, lam[idx], u, n=n, lr=lr_e)
        arrays[f"flow_lr{halve}"] = ref.diag[:, idx]
        for method in ("heavy-ball", "nesterov"):
            for beta in s.betas:
                lr = lr_e * (1 - beta)
                opt = SGD(lr=lr, momentum=beta, nesterov=method == "nesterov")
                tr = nm.train_linear_ae(sigma=sigma, N=n, H=s.hidden, epochs=epochs,
                                        optimizer=opt, init=w0, eig=(lam, V),
                                        record_every=every)
                d = tr.diag[:, idx]
                arrays[f"{method}_b{beta}_lr{halve}"] = d
                x = lr * lam[idx] / (n * (1 - beta) ** 2)
                runs.append({
                    "method": method, "beta": beta, "lr": lr, "lr_eff": lr_e, "epochs": epochs,
                    "diverged": tr.diverged is not None,
                    "directions": {f"lambda_{i + 1}": {
                        "x": float(x[j]),
                        "max_abs_minus_flow": float(np.max(np.abs(d[:, j] - ref.diag[:, i]))),
                        "max_abs_minus_closed_form": float(np.max(np.abs(d[:, j]
                                                                          - closed[:, j]))),
                    } for j, i in enumerate(idx)}})
        if halve == 1:  # the reference's own error: GD at lr_e / 8 vs lr_e / 16
            finer = nm.simulate_linear_ae(sigma=sigma, N=n, H=s.hidden, lr=lr_e / 16,
                                          epochs=16 * epochs, init=w0, basis=(lam, V),
                                          record_every=16 * every)
            ref_err = float(np.max(np.abs(finer.diag[:, idx] - ref.diag[:, idx])))
    halving = {}
    for r in runs[: len(runs) // 2]:
        r2 = next(q for q in runs[len(runs) // 2:]
                  if q["method"] == r["method"] and q["beta"] == r["beta"])
        halving[f"{r['method']}_beta{r['beta']}"] = {
            k: (v["max_abs_minus_flow"] / r2["directions"][k]["max_abs_minus_flow"]
                if r2["directions"][k]["max_abs_minus_flow"] > 0 else None)
            for k, v in r["directions"].items()}
    return {"lr_eff": lr_eff, "reference": "GD at lr_eff/8 (8x the epochs) from the same random "
            "start; its own error (vs lr_eff/16)", "reference_error": ref_err, "runs": runs,
            "error_ratio_lr_over_lr_half": halving,
            "note": "time t = k lr/(1 - beta) [OD.flow]; x = lr lambda_i/(N (1 - beta)^2) "
                    "controls the flow approximation; the closed form also carries the "
                    "random-start approximation of Figure 5 (experiments/linear_runs.py)"}, arrays


def _adaptive(s: StudySettings, sigma: np.ndarray, lam: np.ndarray, V: np.ndarray, n: int
              ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    idx = np.asarray(PLOTTED) - 1
    lr = s.lr if s.lr is not None else ADAPTIVE_LR[s.optimizer]
    opt = Adam(lr=lr) if s.optimizer == "adam" else RMSprop(lr=lr)
    gd_lr = _gd_lr(n, float(lam[0]))
    out: dict[str, Any] = {"optimizer": repr(opt), "gd_reference_lr": gd_lr, "models": {}}
    arrays: dict[str, np.ndarray] = {}
    for model in ("AE", "WDAE", "DAE"):
        eps, gamma = _model_params(model, n, s)
        target = _targets(model, lam[idx], n, s)
        runs: dict[str, nm.LinearAETrajectory] = {
            "eigen_aligned": nm.train_linear_ae(
                sigma=sigma, N=n, H=s.hidden, epochs=s.epochs, eps=eps, gamma=gamma,
                optimizer=opt, init="aligned", scale=s.scale, eig=(lam, V),
                record_every=s.record_every),
            "pixel_random": nm.train_linear_ae(
                sigma=sigma, N=n, H=s.hidden, epochs=s.epochs, eps=eps, gamma=gamma,
                optimizer=opt, basis="pixel", init="random", scale=s.scale, seed=s.seed,
                eig=(lam, V), record_every=s.record_every),
            "gd_random": nm.simulate_linear_ae(  # GD learns slower: GD_EPOCHS_FACTOR x
                sigma=sigma, N=n, H=s.hidden, lr=gd_lr, epochs=GD_EPOCHS_FACTOR * s.epochs,
                eps=eps, gamma=gamma,
                init="random", scale=s.scale, seed=s.seed, basis=(lam, V),
                record_every=s.record_every)}
        scalar = nm.simulate_scalar(lam[:s.hidden], eps, gamma, n, w1_0=s.scale, w2_0=s.scale,
                                    epochs=s.epochs, record_every=s.record_every, optimizer=opt)
        diff = float(np.max(np.abs(runs["eigen_aligned"].diag[:, :s.hidden] - scalar.w)))
        entry: dict[str, Any] = {"eigen_aligned_minus_scalar_model_max_abs": diff,
                                 "targets": {f"lambda_{i + 1}": float(target[j])
                                             for j, i in enumerate(idx)}}
        for name, tr in runs.items():
            d = tr.diag[:, idx]
            arrays[f"{model}_{name}"] = d
            entry[name] = {
                "epochs_to_half_target": {f"lambda_{i + 1}": _half_time(tr.epochs, d[:, j],
                                                                        target[j])
                                          for j, i in enumerate(idx)},
                "final": {f"lambda_{i + 1}": float(d[-1, j]) for j, i in enumerate(idx)},
                "diverged": tr.diverged is not None}
        arrays["epochs"] = runs["eigen_aligned"].epochs
        arrays["epochs_gd"] = runs["gd_random"].epochs
        out["models"][model] = entry
    out["answers"] = _adaptive_answers(out["models"])
    return out, arrays


def _adaptive_answers(models: dict[str, Any]) -> dict[str, Any]:
    """The questions of issue 11, read off the learning times (epochs to half the target) of
    the directions that have something to learn (target >= :data:`MIN_TARGET`): per direction
    the ratio DAE / AE and WDAE / AE; "delays" when the median ratio exceeds
    :data:`DELAY_RATIO` (a direction never reaching half its target counts as infinitely
    late)."""
    def times(model: str, run: str) -> dict[str, float]:
        t = models[model][run]["epochs_to_half_target"]
        return {k: np.inf if v is None else float(v) for k, v in t.items()}

    ans: dict[str, Any] = {}
    for run in ("gd_random", "eigen_aligned", "pixel_random"):
        ae = times("AE", run)
        vals = list(ae.values())
        entry: dict[str, Any] = {
            "AE_epochs_to_half": ae,
            "eigenvalue_ordering_of_learning_times": bool(
                all(a <= b for a, b in zip(vals, vals[1:], strict=False)) and vals[-1] > vals[0]),
            "AE_learning_time_spread_max_over_min": (max(vals) / min(vals)
                                                     if min(vals) > 0 else None)}
        for model, key in (("DAE", "noise"), ("WDAE", "weight_decay")):
            tm = times(model, run)
            live = [k for k, v in models[model]["targets"].items() if v >= MIN_TARGET]
            ratios = {k: (tm[k] / ae[k] if np.isfinite(ae[k]) else None) for k in live}
            finite = [r for r in ratios.values() if r is not None]
            med = float(np.median(finite)) if finite else None
            entry[f"{key}_time_ratio_to_AE"] = ratios
            entry[f"{key}_delays_learning"] = None if med is None else bool(med > DELAY_RATIO)
        ans[run] = entry
    return ans


def _spread(ts: list[int | None]) -> float | None:
    vals = [t for t in ts if t is not None]
    if len(vals) < len(ts) or min(vals) == 0:
        return None
    return max(vals) / min(vals)


def _classify(tr: nm.LinearAETrajectory, tail: int) -> tuple[str, float | None]:
    """converge / oscillate / diverge from the last ``tail`` recorded epochs of direction 1."""
    if tr.diverged is not None:
        return "diverge", None
    d = tr.diag[-tail:, 0]
    swing = float(np.max(d) - np.min(d))
    gap = float(np.max(np.abs(d - 1.0)))
    return ("converge" if swing < 1e-6 and gap < 1e-6 else "oscillate"), swing


def _thresholds(s: StudySettings, sigma: np.ndarray, lam: np.ndarray, V: np.ndarray, n: int
                ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    lam1 = float(lam[0])
    b1, b2 = _init("random", s.hidden, lam.size, V, s.scale, s.seed)
    w0 = (b1 @ V.T, V @ b2)
    rows: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    methods: list[tuple[str, float]] = [("gd", 0.0)]
    methods += [(m, b) for b in s.betas for m in ("heavy-ball", "nesterov")]
    for method, beta in methods:
        # the data-level threshold: the balanced fixed point of direction 1, mu = 2 lambda_1/N
        # (per-sample units), eta = lr
        thr = nm.max_stable_step(method, lam1 / n, 0.0, beta=beta)
        for f in FACTORS:
            lr = f * thr
            opt = SGD(lr=lr) if method == "gd" else SGD(lr=lr, momentum=beta,
                                                        nesterov=method == "nesterov")
            tr = nm.train_linear_ae(sigma=sigma, N=n, H=s.hidden, epochs=s.epochs,
                                    optimizer=opt, init=w0, eig=(lam, V), record_every=1)
            outcome, swing = _classify(tr, 20)
            arrays[f"{method}_b{beta}_{f}"] = tr.diag[:, 0]
            rows.append({"method": method, "beta": beta, "factor": f, "lr": lr,
                         "lr_lambda1_over_N": lr * lam1 / n, "outcome": outcome,
                         "contraction_rate_at_fixed_point": nm.contraction_rate(
                             method, lam1 / n, 0.0, lr, beta=beta),
                         "final_swing_lambda_1": swing,
                         "non_finite_from_epoch": tr.diverged,
                         "max_abs_mapping_lambda_1": float(np.nanmax(np.abs(tr.diag[:, 0])))})
    # where a method fails below its local threshold: the largest converging factor (bisection)
    largest: dict[str, float] = {}
    for method, beta in methods:
        fails = [r for r in rows if r["method"] == method and r["beta"] == beta
                 and r["factor"] < 1 and r["outcome"] != "converge"]
        if not fails:
            continue
        thr = nm.max_stable_step(method, lam1 / n, 0.0, beta=beta)
        lo, hi = 0.0, min(r["factor"] for r in fails)
        for _ in range(s.bisections):
            mid = (lo + hi) / 2
            opt = SGD(lr=mid * thr, momentum=beta, nesterov=method == "nesterov") \
                if beta else SGD(lr=mid * thr)
            tr = nm.train_linear_ae(sigma=sigma, N=n, H=s.hidden, epochs=s.epochs,
                                    optimizer=opt, init=w0, eig=(lam, V), record_every=1)
            lo, hi = (mid, hi) if _classify(tr, 20)[0] == "converge" else (lo, mid)
        largest[f"{method}_beta{beta}"] = lo
    return {"largest_converging_factor_below_threshold": largest,
            "largest_converging_factor_note": f"bisection ({s.bisections} steps) on the factor "
            "where a method fails below its local threshold; converges at this factor",
            "rule": "threshold lr* from max_stable_step(method, lambda_1/N, 0, beta): GD N/lam1, "
            "heavy ball (1+beta) N/lam1, Nesterov (1+beta)/(1+2 beta) N/lam1; outcome from the "
            "last 20 epochs of direction 1: converge (swing and |w - 1| < 1e-6), oscillate "
            "(finite, not settled), diverge (non-finite)", "lambda_1": lam1, "runs": rows}, arrays


def principal_angles_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles (degrees, increasing) between the column spans of ``a`` and ``b``."""
    from scipy.linalg import subspace_angles

    return np.degrees(subspace_angles(a, b))[::-1]


def _pca(s: StudySettings, sigma: np.ndarray, lam: np.ndarray, V: np.ndarray, n: int,
         x: np.ndarray) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """During GD training (random start), at checkpoints: ``k`` = the directions learned (singular
    values of ``W2 W1`` above 1/2) and the principal angles between their span (top-k left
    singular vectors) and the top-k eigenvectors of the uncentred / centred covariance; at
    the end also the whole decoder span (k = H).  Computed in the eigenbasis (angles are
    rotation invariant)."""
    lr = s.lr if s.lr is not None else _gd_lr(n, float(lam[0]))
    mean = x.mean(axis=0)
    lam_c, vc = nm.eigenbasis(sigma - n * np.outer(mean, mean))
    vc_rot = V.T @ vc  # the centred eigenvectors in the uncentred eigenbasis
    b1, b2 = _init("random", s.hidden, lam.size, V, s.scale, s.seed)
    checkpoints = sorted({e for e in (25, 50, 100, 200, 500, 1000, 2000, 5000, s.epochs)
                          if e <= s.epochs})
    rows, done = [], 0
    for e in checkpoints:
        b1, b2 = nm.gd_eigenbasis(b1, b2, lam, n, lr, e - done)
        done = e
        u, sv, _ = np.linalg.svd(b2 @ b1, full_matrices=False)
        k = int(np.sum(sv > HALF))
        row: dict[str, Any] = {"epoch": e, "learned_k": k}
        if k:
            a_u = principal_angles_deg(u[:, :k], np.eye(lam.size)[:, :k])
            a_c = principal_angles_deg(u[:, :k], vc_rot[:, :k])
            row |= {"vs_uncentred_max_deg": float(a_u[-1]), "vs_uncentred_mean_deg":
                    float(a_u.mean()), "vs_centred_max_deg": float(a_c[-1]),
                    "vs_centred_mean_deg": float(a_c.mean()),
                    "uncentred_vs_centred_max_deg": float(principal_angles_deg(
                        np.eye(lam.size)[:, :k], vc_rot[:, :k])[-1])}
        rows.append(row)
    dec_u = principal_angles_deg(b2, np.eye(lam.size)[:, :s.hidden])
    dec_c = principal_angles_deg(b2, vc_rot[:, :s.hidden])
    res: dict[str, Any] = {
        "lr": lr, "epochs": s.epochs, "hidden": s.hidden, "during_training": rows,
        "decoder_span_at_end": {"k": s.hidden, "vs_uncentred_mean_deg": float(dec_u.mean()),
                                "vs_uncentred_max_deg": float(dec_u[-1]),
                                "vs_centred_mean_deg": float(dec_c.mean()),
                                "vs_centred_max_deg": float(dec_c[-1])},
        "uncentred_vs_centred_top_k_max_deg": {
            str(k): float(principal_angles_deg(np.eye(lam.size)[:, :k], vc_rot[:, :k])[-1])
            for k in (1, 2, 4, 8, 16, 32, s.hidden) if k <= s.hidden},
        "mean_norm_sq_share_of_lambda_1": float(n * mean @ mean / lam[0]),
        "lambda_1_uncentred_vs_centred": [float(lam[0]), float(lam_c[0])],
        "note": "angles near 90 deg at the largest learned k come from a half-learned direction "
                "mixing with a near-degenerate neighbour eigenvalue; compare the means"}
    return res, {"singular_values": sv}


# ------------------------------------------------------------------------------------ driver

_RUNNERS: dict[str, Callable[..., tuple[dict[str, Any], dict[str, np.ndarray]]]] = {
    "flow": _flow, "adaptive": _adaptive, "thresholds": _thresholds}


def run_study(s: StudySettings, data_dir: str | None, out: Path, *,
              argv: list[str] | None = None) -> dict[str, Any]:
    """Run one study; write ``optimizers_<study>_<dataset>.{json,npz}`` (+ PNG, PDF for
    ``adaptive``); return its metrics."""
    if s.study not in STUDIES:
        raise ValueError(f"study must be one of {', '.join(STUDIES)}, got {s.study!r}")
    if s.hidden < max(PLOTTED) and s.study != "thresholds":
        raise ValueError(f"hidden must be >= {max(PLOTTED)} (lambda_{max(PLOTTED)} is measured)")
    out = prepare_out(out)
    started = provenance.now()
    ds = load(s.dataset, data_dir, n_samples=s.n_samples)
    x = ds.x
    if s.hidden > x.shape[1]:
        raise ValueError(f"hidden must be <= the input dimension D = {x.shape[1]}")
    t0 = time.perf_counter()
    n = x.shape[0]
    sigma = nm.covariance(x)
    lam, V = nm.eigenbasis(sigma)
    if s.study == "pca":
        metrics, arrays = _pca(s, sigma, lam, V, n, x)
    else:
        metrics, arrays = _RUNNERS[s.study](s, sigma, lam, V, n)
    metrics = {"seconds": time.perf_counter() - t0, **metrics}
    stem = f"optimizers_{s.study}_{s.dataset}"
    if s.study == "adaptive":
        _plot_adaptive(s, arrays, out, stem)
    prov = provenance.record(started=started, device="cpu (NumPy)", dtype="float64",
                             data_path=ds.files[0] if ds.files else ds.source, x=x, argv=argv)
    save_json(out / f"{stem}.json", {"settings": asdict(s), "metrics": metrics,
                                     "provenance": prov})
    save_arrays(out / f"{stem}.npz", arrays)
    return metrics


def _plot_adaptive(s: StudySettings, arrays: dict[str, np.ndarray], out: Path, stem: str
                   ) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .artifacts import save_figure

    runs = ("gd_random", "eigen_aligned", "pixel_random")
    titles = {"gd_random": "GD (random start)", "eigen_aligned": f"{s.optimizer}, eigenbasis",
              "pixel_random": f"{s.optimizer}, pixel coordinates"}
    fig, axes = plt.subplots(3, 3, figsize=(12, 9), sharex="col", sharey=True)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(PLOTTED)))
    for r, model in enumerate(("AE", "WDAE", "DAE")):
        for c, run in enumerate(runs):
            ax = axes[r, c]
            d = arrays[f"{model}_{run}"]
            ep = arrays["epochs_gd" if run == "gd_random" else "epochs"]
            for j, col in enumerate(colors):
                ax.plot(ep, d[:, j], color=col, label=rf"$\lambda_{{{PLOTTED[j]}}}$")
            ax.set_title(f"{model}: {titles[run]}", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$(V^T W_2 W_1 V)_{ii}$")
    fig.suptitle(f"{s.dataset}: learning of eigen-directions under GD and {s.optimizer}",
                 fontsize=10)
    save_figure(fig, out, stem)
