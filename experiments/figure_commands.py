"""``daedyn figures``: Figures 1-4 of the paper from the scalar theory and GD simulations."""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from tqdm import tqdm

from .artifacts import prepare_out
from .cli import UsageError


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    p = sub.add_parser("figures", help="Figures 1-4 (scalar theory beside gradient descent)",
                       description="Write fig1..fig4 as PNG, PDF, JSON (settings, metrics with "
                       "the theory-vs-simulation deviations) and npz into --out.")
    p.add_argument("--out", default="results", help="output folder (created)")
    p.add_argument("--only", default=None, help="comma-separated subset, e.g. fig1,fig3")
    p.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    p.add_argument("--size", choices=("paper", "tiny"), default="paper",
                   help="resolution (tiny: a smoke run)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .theory_figures import FIGURES, SIZES

    names = list(FIGURES) if args.only is None else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise UsageError(f"unknown figure(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(FIGURES)}")
    out = prepare_out(args.out)
    summary = {}
    t0 = time.perf_counter()
    for name in tqdm(names, desc="figures", disable=args.no_progress):
        summary[name] = FIGURES[name](out, SIZES[args.size], np.random.default_rng(args.seed))
    print(json.dumps({"out": str(out), "figures": names,
                      "seconds": round(time.perf_counter() - t0, 2)}, indent=2))
    return 0
