"""``daedyn verify`` and ``daedyn latex``: check every printed step, report it, typeset it.

::

    daedyn verify                       # table: status, method, assumptions per step; totals
    daedyn verify --json report.json    # the same, machine-readable ('-' for stdout)
    daedyn verify --only eq5,B.int      # a subset by label (unknown label: exit 2)
    daedyn verify --strict              # exit 1 if a statement printed in the paper is refuted
    daedyn latex -o proofs.tex [--pdf | --pdf-if-available]

Exit status: 0 on success (refuted statements are a finding, not a failure, unless
``--strict``), 1 for ``--strict`` with a refuted printed statement, 2 for bad input (unknown
label, unwritable output path, ``--pdf`` without pdflatex, a LaTeX compilation error).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from .cli import UsageError

_DEFAULT_TIMEOUT = 120.0


def _labels(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    labels = [p.strip() for v in values for p in v.split(",") if p.strip()]
    if not labels:
        raise UsageError("--only needs at least one label, e.g. --only eq5,B.int")
    return labels


def _progress() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(i: int, n: int, step: Any) -> None:
        print(f"\rverifying {i + 1}/{n} {step.id:<20}", end="", file=sys.stderr, flush=True)

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> tuple[list[Any], float]:
    from derivations.engine import source_names, verify_all

    labels = _labels(args.only)
    if args.no_timeout:
        timeout = None
    elif args.timeout is None or not args.timeout > 0 or args.timeout == float("inf"):
        raise UsageError(f"--timeout must be a positive number of seconds, got {args.timeout} "
                         "(use --no-timeout for none)")
    else:
        timeout = args.timeout
    if args.source is not None and args.source not in source_names():
        raise UsageError(f"unknown source {args.source!r}; known: {', '.join(source_names())}")
    start = time.perf_counter()
    try:
        results = verify_all(labels, source=args.source, timeout=timeout,
                             progress=_progress())
    finally:
        _clear_progress()
    return results, time.perf_counter() - start


def _writable_file(path: Path, what: str) -> Path:
    """Create ``path``'s parent directories; raise UsageError unless ``path`` is writable."""
    if path.is_dir():
        raise UsageError(f"{what} {path} is a directory; give a file name")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create directory {parent} for {what} {path}: "
                         f"{err.strerror or err}") from None
    if not parent.is_dir():
        raise UsageError(f"cannot write {what} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {what} {path}: permission denied")
    return path


def _write_text(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {what} {path}: {err.strerror or err}") from None


def cmd_verify(args: argparse.Namespace) -> int:
    """Run the proofs; print the table (and/or write JSON); exit status per ``--strict``."""
    from derivations.engine import Status, report

    json_path = None
    if args.json and args.json != "-":
        json_path = _writable_file(Path(args.json), "JSON report")
    if args.markdown is not None:
        import json

        results, wall = _run(args)
        mutation = None
        if args.mutation_json:
            try:
                mutation = json.loads(Path(args.mutation_json).read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise UsageError(f"cannot read mutation results {args.mutation_json}: "
                                 f"{err}") from None
        text = report.markdown(results, mutation)
        if args.markdown == "-":
            print(text)
        else:
            report.replace_block(args.markdown, text)
            print(f"rewrote the findings block of {args.markdown}")
        return 0
    if args.json == "-":
        import contextlib
        import json

        with contextlib.redirect_stdout(sys.stderr):  # a chatty proof must not corrupt JSON
            results, wall = _run(args)
        doc = report.document(results, timeout=_timeout(args))
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        results, wall = _run(args)
        print(report.format_table(results, wall, verbose=args.verbose))
        if json_path is not None:
            try:
                report.write_json(results, json_path, timeout=_timeout(args))
            except OSError as err:
                raise UsageError(f"cannot write JSON report {json_path}: "
                                 f"{err.strerror or err}") from None
            print(f"wrote {json_path}")
    if args.strict:
        bad = [r.key for r in results if r.step.printed_in_paper
               and r.status in (Status.REFUTED, Status.UNVERIFIED)]
        if bad:
            print(f"--strict: {len(bad)} printed statement(s) refuted or unverified: "
                  f"{', '.join(bad)}", file=sys.stderr)
            return 1
    return 0


def _timeout(args: argparse.Namespace) -> float | None:
    return None if args.no_timeout else args.timeout


def cmd_latex(args: argparse.Namespace) -> int:
    """Verify, render the LaTeX document to ``-o``, and compile it with ``--pdf``."""
    from derivations.engine import latex

    out = Path(args.output)
    if out.suffix != ".tex":
        raise UsageError(f"output {out} must end in .tex (the PDF is written next to it)")
    if args.pdf and latex.latex_tool() is None:
        raise UsageError(f"--pdf needs pdflatex, which is not installed; install it with: "
                         f"{latex.INSTALL_HINT} (or use --pdf-if-available)")
    out = _writable_file(out, "output")
    mutation = None
    mutation_json = getattr(args, "mutation_json", None)  # the latex parser may offer it
    if mutation_json:
        import json

        try:
            mutation = json.loads(Path(mutation_json).read_text(encoding="utf-8"))
            latex.mutation_entries(mutation)  # validated before the proofs run
        except (OSError, ValueError) as err:
            raise UsageError(f"cannot read mutation results {mutation_json}: {err}") from None
    results, wall = _run(args)
    _write_text(out, latex.render(results, mutation=mutation), "output")
    print(f"wrote {out} ({len(results)} steps, verified in {wall:.1f} s)")
    if not (args.pdf or args.pdf_if_available):
        return 0
    if latex.latex_tool() is None:
        print(f"pdflatex not found, so no PDF was made; to compile {out}, install it with: "
              f"{latex.INSTALL_HINT}", file=sys.stderr)
        return 0
    try:
        pdf = latex.compile_pdf(out)
    except latex.LatexError as err:
        print(err.log_tail, file=sys.stderr)
        raise UsageError(str(err)) from None
    print(f"wrote {pdf}")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", action="append", metavar="LABELS",
                   help="comma-separated step labels to check (e.g. eq5,B.int, or "
                        "pretorius2018:eq5); repeatable")
    p.add_argument("--source", metavar="NAME",
                   help="only the steps of this source (default: all sources)")
    p.add_argument("--timeout", type=float, default=_DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="time limit per proof (> 0); a proof over it is 'unverified' "
                        f"(default {_DEFAULT_TIMEOUT:g})")
    p.add_argument("--no-timeout", action="store_true", help="no time limit per proof")


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register ``verify`` and ``latex``."""
    v = sub.add_parser(
        "verify", help="check every printed step of the paper and report its status",
        description="Run the proof of every step (or of --only LABELS) and print one row per "
                    "statement: status, method, assumptions, seconds; then totals per status.",
    )
    _common(v)
    v.add_argument("--json", metavar="PATH",
                   help="also write the report as JSON to PATH ('-': JSON to stdout only)")
    v.add_argument("--markdown", nargs="?", const="-", metavar="FILE",
                   help="print the findings as Markdown ('-'), or rewrite the findings block of "
                        "FILE (e.g. README.md)")
    v.add_argument("--mutation-json", metavar="PATH",
                   help="with --markdown: a `daedyn mutate --json` result to report beside the "
                        "statuses")
    v.add_argument("--strict", action="store_true",
                   help="exit 1 if any printed statement is refuted or unverified")
    v.add_argument("-v", "--verbose", action="store_true",
                   help="show notes, numeric checks and counterexamples of every step")
    v.set_defaults(func=cmd_verify)

    la = sub.add_parser(
        "latex", help="write the whole verified derivation as a LaTeX document",
        description="Verify the steps and write a self-contained LaTeX article with the "
                    "statements, assumptions, proof chains, errata and conventions.",
    )
    _common(la)
    la.add_argument("-o", "--output", default="proofs.tex", metavar="PATH.tex",
                    help="where to write the document (default proofs.tex); parent "
                         "directories are created")
    la.add_argument("--mutation-json", metavar="PATH",
                    help="a `daedyn mutate --json` result: each step shows its mutation score")
    pdf = la.add_mutually_exclusive_group()
    pdf.add_argument("--pdf", action="store_true",
                     help="compile to PDF with latexmk/pdflatex (exit 2 if unavailable)")
    pdf.add_argument("--pdf-if-available", action="store_true",
                     help="compile to PDF when pdflatex is installed, else say how to install it")
    la.set_defaults(func=cmd_latex)

    from derivations.engine import mutate

    mu = sub.add_parser(
        "mutate", help="mutation-test the proofs: perturbed printed statements must not pass",
        description="Perturb each printed SymPy statement (coefficients, exponents, signs, "
                    "symbols, dropped terms), keep the non-equivalent mutants, run the step's "
                    "proof on each and report killed / survived. Exit 1 if any survives.",
    )
    mutate.add_arguments(mu)
    mu.set_defaults(func=cmd_mutate)


def cmd_mutate(args: argparse.Namespace) -> int:
    """``daedyn mutate``: see :mod:`derivations.engine.mutate`."""
    from derivations.engine import mutate

    return mutate.execute(args)
