"""Mutation testing of the verifier: a perturbed printed statement must never pass.

For each step whose statement is a SymPy object, :func:`mutants` makes small, meaningful
perturbations of it (a numeric coefficient or exponent changed, a sign flipped, two symbols
swapped, a term dropped, a symbol ``x`` replaced by ``x + y``), keeps only those that are not
equivalent to the original (compared at random points with 30 digits, matrices and sums made
explicit at a small size), and :func:`mutation_test` runs the step's own proof on each with the
mutant handed to it as ``pf.printed``.  A mutant is *killed* when the verdict is no longer the
original one (``holds`` or ``holds-under-convention``).  Bare-name left-hand sides (``ell = ...``)
are names, not mathematics, and are not mutated.

Command line: ``python -m derivations.engine.mutate [--only LABELS] [--source NAME] [--json F]
[--seed S] [--per-step N]`` (also ``daedyn mutate``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from . import registry
from .step import Status, Step
from .verify import StepTimeout, _time_limit, resolve_ids, verify_step

__all__ = ["StepMutation", "equivalent", "mutants", "mutation_test", "main"]

Path_ = tuple[int, ...]
_OK = (Status.HOLDS, Status.CONVENTION)


# ------------------------------------------------------------------------- tree positions
def _positions(expr: sp.Basic, path: Path_ = ()) -> Iterator[tuple[Path_, sp.Basic]]:
    yield path, expr
    opaque = (sp.MatrixSymbol, sp.Indexed, sp.Identity, sp.ZeroMatrix, sp.OneMatrix)
    if isinstance(expr, sp.Basic) and not isinstance(expr, opaque):
        for i, a in enumerate(expr.args):
            if isinstance(a, sp.Basic) and not isinstance(a, sp.Tuple | sp.Dummy) or (
                    isinstance(a, sp.Tuple) and not _is_limits(expr, i)):
                yield from _positions(a, path + (i,))


def _is_limits(parent: sp.Basic, i: int) -> bool:
    """Limits of Sum/Integral/Derivative/Subs are bookkeeping, not mathematics to mutate."""
    kinds = (sp.Sum, sp.Integral, sp.Product, sp.Derivative, sp.Subs, sp.Lambda)
    return isinstance(parent, kinds) and i > 0


def _replace_at(expr: sp.Basic, path: Path_, new: sp.Basic) -> sp.Basic:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:
        return expr.func(*args)


# ------------------------------------------------------------------------- operators
def _ops_at(node: sp.Basic, symbols: Sequence[sp.Symbol]) -> Iterator[tuple[str, sp.Basic]]:
    """(description, replacement) for one node."""
    if isinstance(node, sp.Number) and node.is_real and not isinstance(node, sp.NumberSymbol):
        for new in {node + 1, node * 2, -node} - {node}:
            yield f"number {node} -> {new}", new
    if isinstance(node, sp.Pow) and node.exp.is_number:
        for new in (node.exp + 1, node.exp - 1):
            if new != 0:
                yield f"exponent {node.exp} -> {new}", sp.Pow(node.base, new, evaluate=False)
    if isinstance(node, sp.Add) and len(node.args) >= 2:
        for i, term in enumerate(node.args):
            rest = [a for j, a in enumerate(node.args) if j != i]
            yield f"flip sign of {term}", sp.Add(*rest, -term, evaluate=False)
            yield f"drop term {term}", sp.Add(*rest, evaluate=False)
    if isinstance(node, sp.Symbol) and not isinstance(node, sp.Dummy):
        yield f"{node} -> 2 {node}", sp.Mul(2, node, evaluate=False)
        yield f"{node} -> {node} + 1", sp.Add(node, 1, evaluate=False)
        others = [s for s in symbols if s != node]
        for other in others[:3]:
            yield f"{node} -> {node} + {other}", sp.Add(node, other, evaluate=False)
            yield f"{node} -> {other}", other
    if isinstance(node, sp.Mul) and node.args and node.args[0] != -1:
        yield f"flip sign of {node}", sp.Mul(-1, node, evaluate=False)
    if isinstance(node, sp.Function) and len(node.args) == 1 and node.args[0].is_commutative:
        yield f"{node.func}(x) -> {node.func}(2 x)", node.func(2 * node.args[0])


def _skip_paths(printed: sp.Basic) -> set[Path_]:
    """Positions not to mutate: bare-name left-hand sides (``Symbol = ...``)."""
    out: set[Path_] = set()

    def visit(obj: sp.Basic, path: Path_) -> None:
        if isinstance(obj, sp.Eq) and isinstance(obj.lhs, sp.Symbol):
            out.add(path + (0,))
        if isinstance(obj, sp.Tuple):
            for i, a in enumerate(obj.args):
                visit(a, path + (i,))

    visit(printed, ())
    return out


def _candidates(printed: sp.Basic) -> list[tuple[str, sp.Basic]]:
    skip = _skip_paths(printed)
    names = {_at(printed, p) for p in skip}  # bare-name left-hand sides are no candidates
    symbols = sorted((s for s in printed.free_symbols if isinstance(s, sp.Symbol)
                      and s not in names), key=str)
    out = []
    seen: set[sp.Basic] = set()
    for path, node in _positions(printed):
        if any(path[: len(p)] == p for p in skip):
            continue
        for desc, new in _ops_at(node, symbols):
            try:
                mutant = _replace_at(printed, path, new)
            except Exception:  # an operator that makes no valid object here
                continue
            if mutant in seen or mutant == printed:
                continue
            seen.add(mutant)
            out.append((desc, mutant))
    pairs = [(a, b) for i, a in enumerate(symbols) for b in symbols[i + 1:]]
    for a, b in pairs[:12]:  # swap two symbols everywhere but in bare-name left-hand sides
        mutant = _swap(printed, a, b, skip)
        if mutant not in seen and mutant != printed:
            seen.add(mutant)
            out.append((f"swap {a} and {b}", mutant))
    return out


def _at(obj: sp.Basic, path: Path_) -> sp.Basic:
    for i in path:
        obj = obj.args[i]
    return obj


def _swap(obj: sp.Basic, a: sp.Symbol, b: sp.Symbol, skip: set[Path_],
          path: Path_ = ()) -> sp.Basic:
    if path in skip:
        return obj
    if isinstance(obj, sp.Tuple | sp.Eq) and any(p[: len(path)] == path and len(p) > len(path)
                                                  for p in skip):
        args = [_swap(x, a, b, skip, path + (i,)) for i, x in enumerate(obj.args)]
        return obj.func(*args, evaluate=False) if isinstance(obj, sp.Eq) else obj.func(*args)
    return obj.xreplace({a: b, b: a})


# ------------------------------------------------------------------------- equivalence
def _residuals(obj: sp.Basic) -> list[sp.Basic]:
    """What must vanish (or the truth value) for ``obj`` to hold, part by part."""
    if isinstance(obj, sp.Tuple | sp.And):
        return [r for a in obj.args for r in _residuals(a)]
    if isinstance(obj, sp.Eq):
        return [obj.lhs - obj.rhs]
    if isinstance(obj, sp.core.relational.Relational):  # an inequality: its kind and lhs - rhs
        return [sp.Integer(_RELATIONS.index(type(obj).__name__) + 1), obj.lhs - obj.rhs]
    return [obj]


_RELATIONS = ("StrictLessThan", "LessThan", "StrictGreaterThan", "GreaterThan", "Unequality")


def _explicit(expr: sp.Basic, rng: random.Random) -> sp.Basic:
    """Make matrix symbols, shape symbols, sums and derivatives explicit at a small size."""
    ints = {s: rng.randint(2, 3) for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s.is_integer}
    if ints:
        expr = expr.subs(ints)
    mats = {m: sp.ImmutableMatrix(int(m.shape[0]), int(m.shape[1]),
                                  lambda i, j: sp.Rational(rng.randint(-9, 9), 7))
            for m in expr.atoms(sp.MatrixSymbol) if all(d.is_Integer for d in m.shape)}
    if mats:
        expr = expr.xreplace(mats)
    # a derivative is carried out with every symbol it does not differentiate by read as a
    # function of the variables (so d(w2^2 - w1^2)/dt is 2 w2 w2' - 2 w1 w1', not 0); then each
    # function value and each derivative of a function becomes a named free value
    undef = sp.core.function.AppliedUndef
    for d in sorted(expr.atoms(sp.Derivative), key=sp.default_sort_key):
        var = set(d.variables)
        as_fn = {x: sp.Function(x.name)(*d.variables) for x in d.expr.free_symbols - var
                 if isinstance(x, sp.Symbol)}
        expr = expr.xreplace({d: sp.Derivative(d.expr.xreplace(as_fn), *d.variable_count).doit()})
    named = {f: sp.Symbol(f"__d_{sp.srepr(f)}") for f in expr.atoms(sp.Derivative)
             if f.expr.atoms(undef)}
    expr = expr.xreplace(named) if named else expr
    named = {f: sp.Symbol(f"__f_{sp.srepr(f)}") for f in expr.atoms(undef)}
    expr = expr.xreplace(named) if named else expr
    try:
        expr = expr.doit(integrals=False)  # an integral is evaluated numerically below
    except Exception:
        pass
    return expr


def _values(residuals: Sequence[sp.Basic], point_seed: int, dps: int) -> list[object]:
    rng = random.Random(point_seed)
    out = []
    for res in residuals:
        rng_m = random.Random(point_seed)
        r = _explicit(res, rng_m)
        atoms = sorted(r.free_symbols, key=str)
        vals = {a: sp.Rational(rng.randint(11, 29), 10) for a in atoms}
        v = r.subs(vals) if atoms else r
        if isinstance(v, sp.MatrixBase):
            out.append(tuple(sp.N(e, dps) for e in v))
        elif isinstance(v, sp.Basic) and v.is_Relational or v in (sp.true, sp.false):
            out.append(bool(v))
        else:
            try:
                out.append(sp.N(v, dps))
            except Exception:
                out.append(str(v))
    return out


def _close(a: object, b: object, tol: float) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    try:
        za, zb = complex(a), complex(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a) == str(b)
    return abs(za - zb) <= tol * max(1.0, abs(za), abs(zb))


def equivalent(original: sp.Basic, mutant: sp.Basic, points: int = 4, dps: int = 30,
               _cache: dict[int, list[object]] | None = None) -> bool:
    """Whether ``mutant`` says the same as ``original`` (equal residuals at random points).

    ``_cache`` keeps the original's values per point across calls (one original, many
    mutants); a mutant is dropped at the first point where it differs."""
    ro, rm = _residuals(original), _residuals(mutant)
    if len(ro) != len(rm):
        return False
    cache = {} if _cache is None else _cache
    try:
        for k in range(points):
            if k not in cache:
                cache[k] = _values(ro, 1000 + k, dps)
            if not all(_close(a, b, 1e-20) for a, b in
                       zip(cache[k], _values(rm, 1000 + k, dps), strict=True)):
                return False
    except Exception:  # cannot evaluate: treat as different (the proof must decide it)
        return False
    return True


def mutants(printed: sp.Basic, *, limit: int | None = None, seed: int = 0,
            check_seconds: float = 5.0) -> list[tuple[str, sp.Basic]]:
    """Non-equivalent perturbations of ``printed`` (a random sample of ``limit`` if given).

    An equivalence check that runs past ``check_seconds`` (a numeric integral, say) keeps the
    mutant: the step's proof then has to decide it."""
    cands = _candidates(printed)
    if limit is not None:  # a seeded sample: the first `limit` non-equivalent ones in this order
        cands = random.Random(seed).sample(cands, len(cands))
    out = []
    cache: dict[int, list[object]] = {}
    for desc, m in cands:
        try:
            with _time_limit(check_seconds):
                same = equivalent(printed, m, _cache=cache)
        except StepTimeout:
            same = False
        if not same:
            out.append((desc, m))
            if limit is not None and len(out) >= limit:
                break
    return out


# ------------------------------------------------------------------------- running
@dataclass
class StepMutation:
    """The mutation result of one step."""

    key: str
    status: str
    generated: int = 0
    killed: int = 0
    timed_out: int = 0
    #: the statement had more non-equivalent mutants than the per-step limit: a seeded sample
    sampled: bool = False
    survivors: list[tuple[str, str]] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"step": self.key, "status": self.status, "generated": self.generated,
                "killed": self.killed, "killed_by_time_limit": self.timed_out,
                "sampled": self.sampled,
                "survived": len(self.survivors),
                "survivors": [{"mutation": d, "mutant": m} for d, m in self.survivors],
                "skipped": self.skipped or None, "seconds": round(self.seconds, 3)}


def mutation_test(step: Step, steps: Sequence[Step] = (), *, limit: int | None = None,
                  seed: int = 0, timeout: float | None = 60.0,
                  baseline: Status | None = None) -> StepMutation:
    """Run ``step``'s proof on each mutant of its statement; count the killed ones.

    A mutant whose proof runs past ``min(timeout, max(5 s, 4 x the original proof's time))``
    is unverified, hence killed (the proof did not establish it)."""
    start = time.perf_counter()
    limit_s = timeout
    if baseline is None:
        base = verify_step(step, steps, timeout=timeout)
        baseline = base.status
        # a mutant's proof may run at most 4x the original's time (5 s at least): one that
        # runs longer has not established the mutant within the time the statement needs
        if timeout is not None:
            limit_s = min(timeout, max(5.0, 4 * base.seconds))
    res = StepMutation(step.key, baseline.value)
    printed = step.decided
    if printed is None:
        res.skipped = "no SymPy statement (a qualitative claim)"
    elif baseline not in _OK:
        res.skipped = f"status {baseline.value}: only holds / holds-under-convention are mutated"
    else:
        for desc, m in mutants(printed, limit=limit, seed=seed):
            res.generated += 1
            r = verify_step(step, steps, timeout=limit_s, printed=m)
            if r.status in _OK:
                res.survivors.append((desc, str(m)))
            else:
                res.killed += 1
                res.timed_out += "StepTimeout" in (r.error or "")
        res.sampled = limit is not None and res.generated >= limit
    res.seconds = time.perf_counter() - start
    return res


def run(ids: Iterable[str] | None = None, *, source: str | None = None,
        limit: int | None = None, seed: int = 0, timeout: float | None = 60.0,
        progress: Callable[[int, int, Step], None] | None = None) -> list[StepMutation]:
    """Mutation-test the chosen steps (all steps of all sources by default)."""
    names = None if source is None else [source]
    steps = registry.all_steps(names)
    chosen = resolve_ids(ids, steps)
    out = []
    for i, st in enumerate(chosen):
        if progress:
            progress(i, len(chosen), st)
        out.append(mutation_test(st, steps, limit=limit, seed=seed, timeout=timeout))
    return out


def summary(results: Sequence[StepMutation], per_step: int | None = None) -> dict[str, object]:
    """Totals, and per source: steps, mutants generated and killed, steps skipped, and the
    steps whose mutants were a seeded sample of ``per_step`` (the limit of the run)."""
    gen = sum(r.generated for r in results)
    killed = sum(r.killed for r in results)
    by_source: dict[str, dict[str, int]] = {}
    for r in results:
        src = r.key.split(":")[0]
        d = by_source.setdefault(src, {"steps": 0, "generated": 0, "killed": 0, "skipped": 0,
                                       "killed_by_time_limit": 0, "sampled_steps": 0,
                                       "per_step": per_step})
        d["steps"] += 1
        d["generated"] += r.generated
        d["killed"] += r.killed
        d["skipped"] += bool(r.skipped)
        d["sampled_steps"] += r.sampled
        d["killed_by_time_limit"] += r.timed_out
    timed_out = sum(r.timed_out for r in results)
    return {"generated": gen, "killed": killed, "killed_by_time_limit": timed_out,
            "survived": gen - killed,
            "score": (killed / gen) if gen else None, "by_source": by_source}


def format_table(results: Sequence[StepMutation]) -> str:
    lines = [f"{'step':<34} {'status':<23} {'mutants':>7} {'killed':>7} {'alive':>6}"]
    for r in results:
        if r.skipped:
            lines.append(f"{r.key:<34} {r.status:<23} skipped: {r.skipped}")
            continue
        lines.append(f"{r.key:<34} {r.status:<23} {r.generated:>7} {r.killed:>7} "
                     f"{len(r.survivors):>6}")
        for d, m in r.survivors:
            lines.append(f"    SURVIVED {d}: {m[:150]}")
    s = summary(results)
    lines.append(f"total: {s['generated']} mutants, {s['killed']} killed "
                 f"({s['killed_by_time_limit']} by the time limit), {s['survived']} survived")
    return "\n".join(lines)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", metavar="LABELS", help="comma-separated labels (default: all)")
    p.add_argument("--source", metavar="NAME", help="only this source's steps")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed of the mutant sample (default 0)")
    p.add_argument("--per-step", type=int, default=None, metavar="N",
                   help="at most N mutants per step (default: all)")
    p.add_argument("--merge", nargs="+", metavar="JSON", default=None,
                   help="instead of running: merge the --json documents of runs over disjoint "
                   "steps (e.g. one per source) into --json")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="time limit per proof run (default 60)")


def merge_documents(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One ``--json`` document from the documents of runs over disjoint sets of steps (e.g. one
    run per source with its own ``--per-step``): steps concatenated, totals recomputed, each
    source keeping its run's limit; ``ValueError`` if a step appears twice."""
    steps = [st for d in docs for st in d["steps"]]
    keys = [st["step"] for st in steps]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"steps mutated in more than one run: {', '.join(dup)}")
    by_source: dict[str, dict[str, Any]] = {}
    for d in docs:
        limit = d.get("per_step")
        for st in d["steps"]:
            src = st["step"].split(":")[0]
            e = by_source.setdefault(src, {"steps": 0, "generated": 0, "killed": 0,
                                           "skipped": 0, "killed_by_time_limit": 0,
                                           "sampled_steps": 0, "per_step": limit})
            e["steps"] += 1
            e["generated"] += st["generated"]
            e["killed"] += st["killed"]
            e["skipped"] += bool(st.get("skipped"))
            e["sampled_steps"] += bool(st.get("sampled"))
            e["killed_by_time_limit"] += st.get("killed_by_time_limit", 0)
    gen = sum(e["generated"] for e in by_source.values())
    killed = sum(e["killed"] for e in by_source.values())
    timed = sum(st.get("killed_by_time_limit", 0) for st in steps)
    return {"summary": {"generated": gen, "killed": killed, "killed_by_time_limit": timed,
                        "survived": gen - killed, "score": killed / gen if gen else None,
                        "by_source": by_source},
            "runs": [{"seed": d.get("seed"), "per_step": d.get("per_step"),
                      "seconds": d.get("seconds"),
                      "sources": sorted({st["step"].split(":")[0] for st in d["steps"]})}
                     for d in docs],
            "seconds": round(sum(d.get("seconds") or 0 for d in docs), 2), "steps": steps}


def execute(args: argparse.Namespace) -> int:
    if args.merge:
        if not args.json:
            raise ValueError("--merge needs --json OUT (where to write the merged document)")
        docs = []
        for f in args.merge:
            try:
                docs.append(json.loads(Path(f).read_text(encoding="utf-8")))
            except (OSError, json.JSONDecodeError) as err:
                raise ValueError(f"cannot read mutation results {f}: {err}") from None
        merged = merge_documents(docs)
        Path(args.json).write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
        s = merged["summary"]
        print(f"merged {len(docs)} runs: {s['generated']} mutants, {s['killed']} killed, "
              f"{s['survived']} survived; wrote {args.json}")
        return 0 if s["survived"] == 0 else 1
    if args.per_step is not None and args.per_step < 1:
        raise ValueError(f"--per-step must be a positive integer, got {args.per_step}")
    if not args.timeout > 0:
        raise ValueError(f"--timeout must be positive, got {args.timeout}")
    if args.source is not None and args.source not in registry.source_names():
        raise ValueError(f"unknown source {args.source!r}; known: "
                         f"{', '.join(registry.source_names())}")

    def show(i: int, n: int, st: Step) -> None:
        if sys.stderr.isatty():
            print(f"\rmutating {i + 1}/{n} {st.key:<40}", end="", file=sys.stderr, flush=True)

    start = time.perf_counter()
    results = run(args.only, source=args.source, limit=args.per_step, seed=args.seed,
                  timeout=args.timeout, progress=show)
    if sys.stderr.isatty():
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    wall = time.perf_counter() - start
    print(format_table(results))
    print(f"wall time {wall:.1f} s")
    if args.json:
        doc = {"summary": summary(results, args.per_step), "seed": args.seed,
               "per_step": args.per_step,
               "seconds": round(wall, 2), "steps": [r.as_dict() for r in results]}
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0 if all(not r.survivors for r in results) else 1


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="daedyn mutate", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return execute(args)
    except (ValueError, KeyError) as err:
        print(f"daedyn mutate: error: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
