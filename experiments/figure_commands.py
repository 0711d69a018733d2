"""``daedyn figures``: Figures 1-4 of the paper from the scalar theory beside GD simulations.

The figures themselves live in :mod:`experiments.scalar_figures`; this module parses the
arguments, checks them before any work starts, and prints a JSON summary (files, seconds and the
measured theory-vs-simulation deviations).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from tqdm import tqdm

from .artifacts import prepare_out
from .cli import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``daedyn figures --out DIR [--only fig1,fig3] [--seed S] [--size tiny|paper]``."""
    p = sub.add_parser(
        "figures", help="Figures 1-4 (scalar theory beside gradient descent)",
        description="Write fig1..fig4 as PNG, PDF, JSON (settings and metrics, with the maximum "
        "theory-vs-simulation deviation of every panel that has both) and npz into --out.")
    p.add_argument("--out", default="results", help="output folder (created if absent)")
    p.add_argument("--only", default=None, metavar="FIGS",
                   help="comma-separated subset of fig1,fig2,fig3,fig4")
    p.add_argument("--seed", type=int, default=0, help="seed of the random starts (default 0)")
    p.add_argument("--size", choices=("paper", "tiny"), default="paper",
                   help="paper: the full figures; tiny: a fast smoke run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _selected(only: str | None) -> list[str]:
    from .scalar_figures import FIGURES

    if only is None:
        return list(FIGURES)
    names = [n.strip() for n in only.split(",") if n.strip()]
    if not names:
        raise UsageError("--only names no figure; choose from " + ", ".join(FIGURES))
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise UsageError(f"unknown figure(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(FIGURES)}")
    return list(dict.fromkeys(names))


def _deviations(metrics: dict[str, Any]) -> dict[str, Any]:
    """The theory-vs-simulation entries of a figure's metrics (for the printed summary)."""
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if key.startswith("max_abs_gd_minus") and not key.endswith("half_lr"):
            out[key] = value
        elif isinstance(value, dict):
            sub = {k: v for k, v in value.items() if k.startswith("max_abs_gd_minus")}
            if sub:
                out[key] = sub
    return out


def run(args: argparse.Namespace) -> int:
    """Build the selected figures into ``--out``; print a JSON summary on stdout."""
    from .scalar_figures import make_figure

    names = _selected(args.only)
    out = prepare_out(args.out)
    summary: dict[str, Any] = {}
    t0 = time.perf_counter()
    for name in tqdm(names, desc="figures", unit="fig", disable=args.no_progress):
        t1 = time.perf_counter()
        res = make_figure(name, out, args.size, args.seed)
        summary[name] = {"files": [str(p) for p in res.paths],
                         "seconds": round(time.perf_counter() - t1, 2),
                         "deviations": _deviations(res.metrics)}
    print(json.dumps({"out": str(out), "size": args.size, "seed": args.seed,
                      "seconds": round(time.perf_counter() - t0, 2), "figures": summary},
                     indent=2, default=float))
    return 0
