"""``daedyn experiment linear|nonlinear``: Figures 5-7 on real data (see README, Experiments)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .artifacts import prepare_out
from .cli import UsageError
from .datasets import DATASETS

_COMMON = (
    ("--n-samples", int, "number of training samples N"),
    ("--hidden", int, "hidden units H"),
    ("--lr", float, "learning rate alpha (tau = N / alpha)"),
    ("--epochs", int, "epochs of full-batch GD"),
    ("--gamma", float, "WDAE weight decay (eq6)"),
    ("--sigma2", float, "DAE Gaussian noise variance"),
    ("--seed", int, "random seed (runs are deterministic on CPU)"),
    ("--record-every", int, "epochs between recorded mapping estimates"),
    ("--checkpoint-every", int, "epochs between checkpoints"),
    ("--batch-size", int, "sampled noise: minibatch size (0 = full batch)"),
)


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    p = sub.add_parser("experiment", help="train on real data beside the theory (Figures 5-7)",
                       description="Train linear (Figure 5) or nonlinear (Figures 6, 7) AE, "
                       "WDAE and DAE on MNIST, Fashion-MNIST or CIFAR-10 and write the figure "
                       "(PNG, PDF), its settings and metrics (JSON) and curves (npz) to --out.")
    p.add_argument("kind", choices=("linear", "nonlinear"))
    p.add_argument("--dataset", choices=DATASETS, default="mnist")
    p.add_argument("--data-dir", default=None,
                   help="folder of the dataset files (default: $DAEDYN_DATA, then the system "
                   "path)")
    p.add_argument("--out", default="results", help="output folder (created)")
    p.add_argument("--preset", choices=("paper", "quick"), default="quick",
                   help="the paper's exact settings or a few-minute CPU run (default quick)")
    p.add_argument("--mode", choices=("covariance", "data", "sampled"), default=None,
                   help="linear: training mode (default covariance)")
    p.add_argument("--activation", choices=("relu", "tanh"), default="relu",
                   help="nonlinear: the activation (relu: Figure 6, tanh: Figure 7)")
    for flag, typ, text in _COMMON:
        p.add_argument(flag, type=typ, default=None, help=text)
    p.add_argument("--gamma-convention", choices=("authors", "eq6"), default=None,
                   help="nonlinear: how --gamma enters the loss: as the authors' code applied "
                   "it (MSE mean over pixels + weight decay = eq6's gamma x D/2; default) or "
                   "literally in eq6's scaling")
    p.add_argument("--device", default="cpu", help="torch device (cpu, or cuda when present)")
    p.add_argument("--dtype", choices=("float64", "float32"), default=None)
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = prepare_out(args.out)
    overrides = {k: getattr(args, k) for k in ("n_samples", "hidden", "lr", "epochs", "gamma",
                                               "sigma2", "seed", "record_every",
                                               "checkpoint_every", "batch_size", "dtype")}
    overrides["device"] = args.device
    for k in ("n_samples", "hidden", "epochs", "record_every", "checkpoint_every"):
        if overrides[k] is not None and overrides[k] < 1:
            raise UsageError(f"--{k.replace('_', '-')} must be >= 1")
    if args.kind == "linear":
        from .linear_figure import run_linear, settings_for

        if args.gamma_convention is not None:
            raise UsageError("--gamma-convention applies to nonlinear experiments only (Figure "
                             "5 uses eq6's gamma, as the paper's linear theory does)")
        s = settings_for(args.dataset, args.preset, mode=args.mode, **overrides)
        metrics = run_linear(s, args.data_dir, Path(out), resume=args.resume,
                             progress=not args.no_progress)
        stem = f"fig5_{s.dataset}_{s.mode}"
    else:
        if args.mode is not None:
            raise UsageError("--mode applies to linear experiments only (nonlinear ones use "
                             "sampled noise)")
        from .nonlinear_figure import run_nonlinear
        from .nonlinear_figure import settings_for as nl_settings

        s = nl_settings(args.dataset, args.preset, activation=args.activation,
                        gamma_convention=args.gamma_convention, **overrides)
        metrics = run_nonlinear(s, args.data_dir, Path(out), resume=args.resume,
                                progress=not args.no_progress)
        stem = f"fig{6 if s.activation == 'relu' else 7}_{s.dataset}_{s.activation}"
    print(json.dumps({"outputs": [str(Path(out) / f"{stem}.{e}")
                                  for e in ("png", "pdf", "json", "npz")],
                      "seconds": round(float(metrics["seconds"]), 2)}, indent=2))
    return 0
