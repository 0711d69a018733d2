"""Import time of ``numerics`` (and ``derivations``) in fresh interpreters, against
``import sympy`` measured in the same run, and proof that no step is built at import.

    python benchmarks/import_time.py [-n 5]

Prints the median wall time of each import over ``n`` fresh processes, the ratio to the
``import sympy`` baseline, and the derivation step modules that the import loaded (none: steps
are built on first use of a source).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys, time
t = time.perf_counter()
import {module}
dt = time.perf_counter() - t
steps = sorted(m for m in sys.modules if m.startswith("derivations.") and
               not m.startswith("derivations.engine") and m.count(".") >= 2)
print(json.dumps({{"seconds": dt, "step_modules": steps}}))
"""


def measure(module: str, n: int) -> tuple[float, list[str]]:
    times, mods = [], []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        rec = json.loads(out)
        times.append(rec["seconds"])
        mods = rec["step_modules"]
    return statistics.median(times), mods


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=5, help="fresh processes per import (default 5)")
    args = p.parse_args()
    base, _ = measure("sympy", args.n)
    print(f"import sympy        {base:7.3f} s (baseline)")
    for module in ("derivations", "numerics"):
        sec, mods = measure(module, args.n)
        print(f"import {module:<12} {sec:7.3f} s = {sec / base:5.2f} x sympy; "
              f"step modules loaded: {', '.join(mods) or 'none'}")


if __name__ == "__main__":
    main()
