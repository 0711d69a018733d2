"""Cold-start timing of ``daedyn verify``: a fresh interpreter per run, nothing cached.

Usage::

    .venv/bin/python benchmarks/verify_cold.py [-n 3] [--only LABELS] [--budget 30]

Each run is ``python -m experiments.cli verify --json <tmp>`` in a new subprocess, so the
time includes interpreter start, imports and every proof.  Prints each run's wall time,
the median, and the ten slowest steps (median of their per-run proof seconds).  Exits 1
when the median exceeds ``--budget`` seconds (the goal: under 30 s for the whole registry).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(only: str | None) -> tuple[float, list[dict[str, object]]]:
    """One cold ``daedyn verify``; returns its wall time and its JSON records."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "experiments.cli", "verify", "--json", str(out)]
        if only:
            cmd += ["--only", only]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"daedyn verify failed (exit {proc.returncode}):\n{proc.stderr}")
        return wall, json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--runs", type=int, default=3, help="number of cold runs (default 3)")
    p.add_argument("--only", help="comma-separated labels (default: the whole registry)")
    p.add_argument("--budget", type=float, default=30.0,
                   help="seconds the median may take (default 30)")
    args = p.parse_args(argv)

    walls: list[float] = []
    per_step: dict[str, list[float]] = {}
    statuses: dict[str, str] = {}
    for i in range(max(args.runs, 1)):
        wall, recs = run_once(args.only)
        walls.append(wall)
        proof = sum(float(r["seconds"]) for r in recs)  # type: ignore[arg-type]
        print(f"run {i + 1}: {wall:6.2f} s wall ({len(recs)} steps, {proof:.2f} s in proofs)")
        for r in recs:
            per_step.setdefault(str(r["id"]), []).append(float(r["seconds"]))  # type: ignore[arg-type]
            statuses[str(r["id"])] = str(r["status"])
    median = statistics.median(walls)
    print(f"median wall time: {median:.2f} s over {len(walls)} cold run(s) "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); budget {args.budget:g} s")
    slowest = sorted(per_step.items(), key=lambda kv: statistics.median(kv[1]), reverse=True)
    print("slowest steps (median proof seconds):")
    for sid, secs in slowest[:10]:
        print(f"  {sid:<16} {statistics.median(secs):7.3f} s  {statuses[sid]}")
    return 0 if median <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
