"""The ``daedyn`` console script: the argument parser and the handlers of every command.

``daedyn verify``, ``latex`` and ``mutate`` (the verifier), ``daedyn figures`` (Figures 1-4) and
``daedyn experiment linear|nonlinear`` (Figures 5-7) are all defined here.  ``verify``,
``latex`` and ``mutate`` need neither torch nor matplotlib (imported only by the experiments).
Every option is checked before any work starts; bad input of any kind ends with a one-line
``daedyn <command>: error: ...`` on stderr and exit status 2, never a traceback; an option that
does not apply to the chosen command or mode is rejected with the reason.  Ctrl-C during
training saves a checkpoint and says how to continue (exit status 130).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


#: input dimension D of each dataset (``--hidden`` must not exceed it)
INPUT_DIM = {"mnist": 784, "fashion-mnist": 784, "cifar10": 3072}
DATASETS = tuple(INPUT_DIM)
#: datasets of ``experiment shallow`` (Refinetti & Goldt's figures)
SHALLOW_DATASETS = ("synthetic", "cifar10-gray")  # fashion-mnist is in DATASETS


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with real defaults shown (not None/False) and the description's line breaks kept."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
            text += " (default: %(default)s)"
        return text


# --------------------------------------------------------------------------- verify, latex, mutate

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


def _register_proofs(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register ``verify``, ``latex`` and ``mutate``."""
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


# --------------------------------------------------------------------------- figures


def _register_figures(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    p = sub.add_parser(
        "figures", help="Figures 1-4 (scalar theory beside gradient descent)",
        formatter_class=_Formatter,
        description="Write fig1..fig4 as PNG, PDF, JSON (settings, metrics with the maximum "
        "theory-vs-simulation deviation of every panel that has both, provenance) and npz "
        "into --out, then print a summary table (figure, seconds, largest deviation, files).")
    p.add_argument("--out", default="results", help="output folder (created if absent)")
    p.add_argument("--source", choices=("pretorius2018", "refinetti2020"),
                   default="pretorius2018",
                   help="whose figures: the ICML paper's Figures 1-4, or Refinetti & Goldt's "
                   "(every figure of `experiment shallow`, each with its default dataset)")
    p.add_argument("--only", default=None, metavar="FIGS",
                   help="comma-separated subset of fig1,fig2,fig3,fig4 (refinetti2020: of "
                   "1..10, gauss, dscale) (default: all)")
    p.add_argument("--preset", choices=("smoke", "quick", "paper"), default=None,
                   help="refinetti2020 only: the figures' preset (default quick)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random starts (>= 0)")
    p.add_argument("--size", choices=("paper", "tiny"), default="paper",
                   help="paper: the full figures; tiny: a fast smoke run")
    p.add_argument("--json", action="store_true",
                   help="print the summary as JSON (with every deviation) instead of a table")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_figures)


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


def deviations(metrics: dict[str, Any]) -> dict[str, Any]:
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


def _largest(value: Any) -> float | None:
    """The largest number in a nested dict/list of deviations (``None`` if there is none)."""
    if isinstance(value, dict):
        values = [_largest(v) for v in value.values()]
    elif isinstance(value, (list, tuple)):
        values = [_largest(v) for v in value]
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return None
        return v if math.isfinite(v) else None
    nums = [v for v in values if v is not None]
    return max(nums) if nums else None


def summary_table(summary: dict[str, dict[str, Any]]) -> str:
    """One row per figure: name, seconds, largest |GD - theory|, the files written."""
    rows = [("figure", "seconds", "largest |GD - theory|", "files")]
    for name, entry in summary.items():
        dev = _largest(entry["deviations"])
        files = [Path(f) for f in entry["files"]]
        exts = ",".join(f.suffix.lstrip(".") for f in files)
        shown = f"{files[0].with_suffix('')}.{{{exts}}}" if files else "-"
        rows.append((name, f"{entry['seconds']:.1f}", "-" if dev is None else f"{dev:.2g}",
                     shown))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"
                     for r in rows)


def run_figures(args: argparse.Namespace) -> int:
    """Build the selected figures into ``--out``; print the summary table (or JSON)."""
    from tqdm import tqdm

    from . import provenance
    from .artifacts import prepare_out
    from .scalar_figures import make_figure

    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0 (got {args.seed})")
    if args.source == "refinetti2020":
        return run_shallow_figures(args)
    if args.preset is not None:
        raise UsageError("--preset applies to --source refinetti2020 only (use --size)")
    names = _selected(args.only)
    out = prepare_out(args.out)
    prov = provenance.record(started=provenance.now(), device="cpu (NumPy)", dtype="float64",
                             argv=getattr(args, "argv", None))
    summary: dict[str, Any] = {}
    t0 = time.perf_counter()
    for name in tqdm(names, desc="figures", unit="fig", disable=args.no_progress):
        t1 = time.perf_counter()
        res = make_figure(name, out, args.size, args.seed, provenance=prov)
        summary[name] = {"files": [str(p) for p in res.paths],
                         "seconds": round(time.perf_counter() - t1, 2),
                         "deviations": deviations(res.metrics)}
    seconds = round(time.perf_counter() - t0, 2)
    if args.json:
        print(json.dumps({"out": str(out), "size": args.size, "seed": args.seed,
                          "seconds": seconds, "figures": summary}, indent=2, default=float))
    else:
        print(summary_table(summary))
        print(f"{len(summary)} figure(s) in {seconds:.1f} s; --json for every deviation")
    return 0


# --------------------------------------------------------------------------- experiment

_EXPERIMENT_HELP = """\
Train linear (Figure 5) or nonlinear (Figures 6, 7) AE, WDAE and DAE on MNIST, Fashion-MNIST
or CIFAR-10 and write the figure (PNG, PDF), its settings, metrics and provenance (JSON) and
curves (npz) to --out.  `shallow --figure N` reproduces figure N of Refinetti & Goldt (shallow
non-linear autoencoders, source refinetti2020): theory (the ODEs) beside online SGD, on the
synthetic spiked model (--dataset synthetic), grayscale CIFAR-10 (cifar10-gray) or
Fashion-MNIST; presets smoke (seconds), quick (minutes), paper.

Presets (--preset; every value can be overridden by its flag):
  linear  quick  MNIST/Fashion-MNIST N=10000 H=64 epochs=2000; CIFAR-10 N=10000 H=128 3000
  linear  paper  MNIST/Fashion-MNIST N=50000 H=256 epochs=5000; CIFAR-10 N=30000 H=512 5000
          lr = min(preset lr, 0.8 N / lambda_1) from the data (full-batch GD is stable only
          for lr lambda_1 / N < 1); preset lr 0.02 (quick) / 0.01 (paper), CIFAR-10 0.001
  nonlinear quick N=5000 H=64 lr=0.01 epochs 300 (relu) / 400 (tanh); paper N=50000 H=256
Optimisers (linear, covariance mode): --optimizer sgd (plain GD, the default) | momentum
(heavy ball) | nesterov (torch's momentum --beta, default 0.9; preset lr times 1 - beta, theory
with tau (1 - beta)) | rmsprop | adam (preset lr 5e-4 / 2e-3; theory: the per-direction scalar
model under the same optimiser); --basis eigen (default) | pixel: the coordinates the
optimiser acts in.  --study flow | adaptive | thresholds | pca: the measurements of
experiments/optimizer_runs.py instead of Figure 5 (optimizers_<study>_<dataset>.json).
Constraints: integers >= 1 for --n-samples, --hidden, --epochs, --record-every,
--checkpoint-every, --batch-size; --hidden <= the input dimension (784 MNIST, 3072 CIFAR-10),
and >= 32 for linear runs (lambda_32 is plotted); --lr > 0; --gamma, --sigma2 >= 0;
--seed >= 0.  Ctrl-C saves a checkpoint; --resume continues it.
"""

_NUMBERS = (
    ("--n-samples", int, "number of training samples N (default: preset)"),
    ("--hidden", int, "hidden units H, 1..D (default: preset)"),
    ("--lr", float, "learning rate alpha > 0, tau = N / alpha (default: preset rule)"),
    ("--epochs", int, "epochs of full-batch GD (default: preset)"),
    ("--gamma", float, "WDAE weight decay >= 0 (eq6; default 0.5 linear, 0.0045 nonlinear)"),
    ("--sigma2", float, "DAE Gaussian noise variance >= 0 (default 0.5 linear; 3 relu, "
                        "2 tanh)"),
    ("--seed", int, "random seed >= 0; runs are deterministic on CPU (default 0)"),
    ("--record-every", int, "epochs between recorded mapping estimates (default: preset)"),
    ("--checkpoint-every", int, "epochs between checkpoints (default 250 linear, 100 "
                                "nonlinear)"),
    ("--batch-size", int, "minibatch size >= 1 for sampled noise (linear --mode sampled, "
                          "nonlinear); default: full batch"),
)


def _register_experiment(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    p = sub.add_parser("experiment", help="train on real data beside the theory (Figures 5-7)",
                       formatter_class=_Formatter, description=_EXPERIMENT_HELP)
    p.add_argument("kind", choices=("linear", "nonlinear", "shallow"),
                   help="linear: Figure 5; nonlinear: Figures 6 (relu) and 7 (tanh); shallow: "
                   "Refinetti & Goldt's figures (--figure)")
    p.add_argument("--dataset", choices=DATASETS + SHALLOW_DATASETS, default=None,
                   help="the data (default mnist; shallow: the figure's own)")
    p.add_argument("--figure", default=None, metavar="N",
                   help="shallow only: the figure, 1-10, gauss (real images vs Gaussian "
                   "samples vs ODE) or dscale (SGD-ODE gap vs D)")
    p.add_argument("--K", type=int, default=None, help="shallow only: hidden units K")
    p.add_argument("--D", type=int, default=None,
                   help="shallow only: input dimension of the synthetic model")
    p.add_argument("--data-dir", default=None,
                   help="folder of the dataset files (default: $DAEDYN_DATA, then the system "
                   "path /usr/share/datasets/<name>, then ../shared/data/<name>)")
    p.add_argument("--out", default="results", help="output folder (created)")
    p.add_argument("--preset", choices=("paper", "quick", "smoke"), default="quick",
                   help="the paper's settings, a few-minute CPU run, or (shallow only) a "
                   "seconds-long smoke run")
    p.add_argument("--mode", choices=("covariance", "data", "sampled"), default=None,
                   help="linear only: exact GD through Sigma_xx (default covariance), torch GD "
                   "on the samples (data), or fresh Gaussian noise each epoch (sampled)")
    p.add_argument("--optimizer", choices=("sgd", "momentum", "nesterov", "rmsprop", "adam"),
                   default=None, help="linear only: the optimiser (default sgd, plain GD); "
                   "--study adaptive: adam (default) or rmsprop")
    p.add_argument("--beta", type=float, default=None,
                   help="linear only: momentum of --optimizer momentum/nesterov, 0 < beta < 1 "
                   "(default 0.9; --study flow/thresholds: the one beta studied)")
    p.add_argument("--basis", choices=("eigen", "pixel"), default=None,
                   help="linear covariance mode only: the coordinates the optimiser acts in "
                   "(default eigen)")
    p.add_argument("--study", choices=("flow", "adaptive", "thresholds", "pca"), default=None,
                   help="linear only: run a measurement of experiments/optimizer_runs.py "
                   "instead of Figure 5")
    p.add_argument("--activation", choices=("relu", "tanh", "erf", "linear"), default=None,
                   help="nonlinear: relu (Figure 6, the default) or tanh (Figure 7); shallow: "
                   "erf, relu or linear where the figure takes one")
    for flag, typ, text in _NUMBERS:
        p.add_argument(flag, type=typ, default=None, help=text)
    p.add_argument("--gamma-convention", choices=("authors", "eq6"), default=None,
                   help="nonlinear only: how --gamma enters the loss: as the authors' code "
                   "applied it (MSE mean over pixels + weight decay = eq6's gamma x D/2; "
                   "default) or literally in eq6's scaling")
    p.add_argument("--device", default=None,
                   help="torch device: cpu, cuda or cuda:N (default cpu; linear covariance "
                   "mode always computes on the CPU)")
    p.add_argument("--dtype", choices=("float64", "float32"), default=None,
                   help="float type of the iteration (default: preset; paper linear float32)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="continue from the checkpoint in --out (starts fresh if none)")
    again.add_argument("--overwrite", action="store_true",
                       help="start over even if --out holds an unfinished run's checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_experiment)


_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?)$")


def check_device(device: str) -> None:
    """``UsageError`` unless ``device`` is cpu, cuda or cuda:N and torch can use it."""
    if not _DEVICE.match(device):
        raise UsageError(f"--device must be cpu, cuda or cuda:N (got {device!r})")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise UsageError(f"--device {device} asked for, but torch sees no CUDA device")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise UsageError(f"--device {device}: torch sees {torch.cuda.device_count()} CUDA "
                             f"device(s)")


#: what ``experiment shallow`` takes besides the common options
_SHALLOW_ONLY = ("figure", "K", "D")


def check_shallow_args(args: argparse.Namespace) -> None:
    """``experiment shallow``: options of the other kinds are rejected; the figure's own checks
    (which knobs it takes, their ranges) run in :meth:`FigureSpec.settings`."""
    if args.figure is None:
        raise UsageError("experiment shallow needs --figure N (1-10, gauss or dscale)")
    for k in ("n_samples", "hidden", "lr", "epochs", "gamma", "sigma2", "record_every",
              "checkpoint_every", "batch_size", "mode", "gamma_convention", "dtype",
              "optimizer", "beta", "basis", "study"):
        if getattr(args, k, None) is not None:
            raise UsageError(f"--{k.replace('_', '-')} does not apply to experiment shallow "
                             f"(each figure's preset fixes it)")
    takes = (*SHALLOW_DATASETS, "fashion-mnist")
    if args.dataset is not None and args.dataset not in takes:
        raise UsageError(f"--dataset {args.dataset} does not apply to experiment shallow; "
                         f"choose from {', '.join(takes)}")
    if args.activation == "tanh":
        raise UsageError("--activation tanh does not apply to experiment shallow (erf, relu "
                         "or linear)")
    if args.device is not None:
        check_device(args.device)


def check_experiment_args(args: argparse.Namespace) -> None:
    """Every check that needs no data, before any work (see ``_EXPERIMENT_HELP``)."""
    if args.kind == "shallow":
        check_shallow_args(args)
        return
    for k in _SHALLOW_ONLY:
        if getattr(args, k, None) is not None:
            raise UsageError(f"--{k} applies to experiment shallow only")
    if args.preset == "smoke":
        raise UsageError("--preset smoke applies to experiment shallow only")
    if args.dataset is None:
        args.dataset = "mnist"
    if args.dataset not in DATASETS:
        raise UsageError(f"--dataset {args.dataset} applies to experiment shallow only; "
                         f"{args.kind} takes {', '.join(DATASETS)}")
    if args.kind == "nonlinear" and args.activation in ("erf", "linear"):
        raise UsageError(f"--activation {args.activation} applies to experiment shallow only "
                         "(nonlinear: relu or tanh)")
    for k in ("n_samples", "hidden", "epochs", "record_every", "checkpoint_every", "batch_size"):
        v = getattr(args, k)
        if v is not None and v < 1:
            raise UsageError(f"--{k.replace('_', '-')} must be >= 1 (got {v})")
    for k, positive in (("lr", True), ("gamma", False), ("sigma2", False)):
        v = getattr(args, k)
        if v is not None and (not math.isfinite(v) or v < 0 or (positive and v == 0)):
            raise UsageError(f"--{k} must be {'> 0' if positive else '>= 0'} and finite "
                             f"(got {v:g})")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be >= 0 (got {args.seed})")
    dim = INPUT_DIM[args.dataset]
    if args.hidden is not None and args.hidden > dim:
        raise UsageError(f"--hidden must be <= the input dimension D = {dim} of "
                         f"{args.dataset} (got {args.hidden})")
    if args.n_samples is not None and args.batch_size is not None \
            and args.batch_size > args.n_samples:
        raise UsageError(f"--batch-size must be <= --n-samples ({args.batch_size} > "
                         f"{args.n_samples})")
    if args.device is not None:
        check_device(args.device)
    if args.kind == "linear":
        if args.gamma_convention is not None:
            raise UsageError("--gamma-convention applies to nonlinear experiments only (Figure "
                             "5 uses eq6's gamma, as the paper's linear theory does)")
        if args.activation is not None:
            raise UsageError("--activation applies to nonlinear experiments only (Figure 5 is "
                             "the linear AE)")
        mode = args.mode or "covariance"
        _check_linear_optimizer(args, mode)
        if args.batch_size is not None and mode != "sampled":
            raise UsageError(f"--batch-size applies to --mode sampled only ({mode} mode is "
                             f"full-batch GD on the marginalised loss)")
        if mode == "covariance" and args.device not in (None, "cpu"):
            raise UsageError("--device applies to --mode data and sampled only (covariance "
                             "mode computes in NumPy on the CPU)")
    elif args.mode is not None:
        raise UsageError("--mode applies to linear experiments only (nonlinear ones use "
                         "sampled noise)")
    else:
        for k in ("optimizer", "beta", "basis", "study"):
            if getattr(args, k, None) is not None:
                raise UsageError(f"--{k} applies to linear experiments only")


def _check_linear_optimizer(args: argparse.Namespace, mode: str) -> None:
    """--optimizer, --beta, --basis, --study of ``experiment linear``: only where they apply."""
    opt, beta = args.optimizer, args.beta
    if beta is not None and not (math.isfinite(beta) and 0 < beta < 1):
        raise UsageError(f"--beta must lie in (0, 1) (got {beta:g})")
    if args.study is not None:
        if args.mode not in (None, "covariance"):
            raise UsageError("--study trains through the covariance; --mode does not apply")
        for k in ("basis", "batch_size", "checkpoint_every", "dtype"):
            if getattr(args, k) is not None:
                raise UsageError(f"--{k.replace('_', '-')} does not apply to --study (its "
                                 f"runs fix it)")
        if args.resume or args.overwrite:
            raise UsageError("--resume/--overwrite do not apply to --study (no checkpoints)")
        if args.device not in (None, "cpu"):
            raise UsageError("--device does not apply to --study (NumPy on the CPU)")
        if opt is not None and (args.study != "adaptive" or opt not in ("adam", "rmsprop")):
            raise UsageError("--optimizer with --study applies to --study adaptive only, as "
                             "adam or rmsprop")
        if beta is not None and args.study not in ("flow", "thresholds"):
            raise UsageError("--beta with --study applies to flow and thresholds only")
        if args.lr is not None and args.study == "thresholds":
            raise UsageError("--lr does not apply to --study thresholds (it sets the lr to "
                             "0.9 ... 1.1 x each method's threshold)")
        if args.record_every is not None and args.study in ("thresholds", "pca"):
            when = "every epoch" if args.study == "thresholds" else "at fixed checkpoints"
            raise UsageError(f"--record-every does not apply to --study {args.study} (it "
                             f"records {when})")
        for k in ("gamma", "sigma2"):
            if getattr(args, k) is not None and args.study != "adaptive":
                raise UsageError(f"--{k} applies to --study adaptive only (the other studies "
                                 f"train the plain AE)")
        return
    if beta is not None and opt not in ("momentum", "nesterov"):
        raise UsageError(f"--beta applies to --optimizer momentum or nesterov only (got "
                         f"--optimizer {opt or 'sgd'})")
    if mode != "covariance" and (opt not in (None, "sgd") or args.basis is not None):
        raise UsageError(f"--optimizer and --basis apply to --mode covariance only ({mode} mode "
                         f"runs plain GD on the samples, in pixel coordinates)")
    if mode == "covariance" and args.dtype == "float32" and (
            opt not in (None, "sgd") or args.basis == "pixel"):
        raise UsageError("--dtype float32 applies to plain GD in the eigenbasis only (the "
                         "optimisers of numerics.optimizers iterate in float64)")


def run_experiment(args: argparse.Namespace) -> int:
    from .artifacts import prepare_out

    check_experiment_args(args)
    if args.kind == "shallow":
        return run_shallow(args)
    out = prepare_out(args.out)
    overrides = {k: getattr(args, k) for k in ("n_samples", "hidden", "lr", "epochs", "gamma",
                                               "sigma2", "seed", "record_every",
                                               "checkpoint_every", "batch_size", "dtype",
                                               "device")}
    common = {"resume": args.resume, "overwrite": args.overwrite,
              "progress": not args.no_progress, "argv": getattr(args, "argv", None)}
    if args.kind == "linear" and args.study is not None:
        from .optimizer_runs import run_study
        from .optimizer_runs import settings_for as study_settings

        keep = ("n_samples", "hidden", "lr", "epochs", "gamma", "sigma2", "seed", "record_every")
        s = study_settings(args.study, args.dataset, args.preset,
                           optimizer=args.optimizer,
                           betas=None if args.beta is None else (args.beta,),
                           **{k: overrides[k] for k in keep})
        metrics = run_study(s, args.data_dir, Path(out), argv=common["argv"])
        stem = f"optimizers_{s.study}_{s.dataset}"
        exts = ("json", "npz") + (("png", "pdf") if s.study == "adaptive" else ())
        print(json.dumps({"outputs": [str(Path(out) / f"{stem}.{e}") for e in exts],
                          "seconds": round(float(metrics["seconds"]), 2)}, indent=2))
        return 0
    if args.kind == "linear":
        from .linear_figure import run_linear, settings_for, stem_of

        s = settings_for(args.dataset, args.preset, mode=args.mode, optimizer=args.optimizer,
                         beta=args.beta, basis=args.basis, **overrides)
        metrics = run_linear(s, args.data_dir, Path(out), **common)
        stem = stem_of(s)
    else:
        from .nonlinear_figure import run_nonlinear
        from .nonlinear_figure import settings_for as nl_settings

        s = nl_settings(args.dataset, args.preset, activation=args.activation or "relu",
                        gamma_convention=args.gamma_convention, **overrides)
        metrics = run_nonlinear(s, args.data_dir, Path(out), **common)
        stem = f"fig{6 if s.activation == 'relu' else 7}_{s.dataset}_{s.activation}"
    print(json.dumps({"outputs": [str(Path(out) / f"{stem}.{e}")
                                  for e in ("png", "pdf", "json", "npz")],
                      "seconds": round(float(metrics["seconds"]), 2),
                      "diverged": bool(metrics.get("diverged", False))}, indent=2))
    if metrics.get("diverged"):
        print(f"daedyn experiment: warning: training diverged ({metrics['divergence']}); the "
              f"figure and JSON are flagged", file=sys.stderr)
    return 0


def run_shallow_figures(args: argparse.Namespace) -> int:
    """``figures --source refinetti2020``: every (or the --only) shallow figure in turn, each
    with its default dataset and activation; a summary of files, seconds and deviations."""
    from .shallow import FIGURES, run_figure

    if args.size != "paper":
        raise UsageError("--size applies to --source pretorius2018 only (use --preset)")
    names = list(FIGURES) if args.only is None else [
        n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIGURES]
    if not names or unknown:
        raise UsageError(f"unknown figure(s) {', '.join(unknown) or '(none)'}; choose from "
                         f"{', '.join(FIGURES)}")
    summary: dict[str, Any] = {}
    t0 = time.perf_counter()
    for n in dict.fromkeys(names):
        metrics, paths = run_figure(n, args.preset or "quick", out=args.out, seed=args.seed,
                                    progress=not args.no_progress,
                                    argv=getattr(args, "argv", None))
        summary[n] = {"files": [str(p) for p in paths],
                      "seconds": round(float(metrics["seconds"]), 2),
                      "deviations": metrics.get("deviations", {})}
        if not args.json:
            print(f"figure {n}: {summary[n]['seconds']:.1f} s, "
                  f"{len(paths)} files, deviations {summary[n]['deviations']}")
    seconds = round(time.perf_counter() - t0, 2)
    if args.json:
        print(json.dumps({"out": str(args.out), "preset": args.preset or "quick",
                          "seconds": seconds, "figures": summary}, indent=2, default=float))
    else:
        print(f"{len(summary)} figure(s) in {seconds:.1f} s")
    return 0


def run_shallow(args: argparse.Namespace) -> int:
    """``experiment shallow --figure N``: run it, print its files and headline numbers."""
    from .shallow import run_figure

    metrics, paths = run_figure(
        args.figure, args.preset, out=args.out, data_dir=args.data_dir, resume=args.resume,
        overwrite=args.overwrite, progress=not args.no_progress,
        argv=getattr(args, "argv", None), dataset=args.dataset, activation=args.activation,
        K=args.K, D=args.D, seed=args.seed, device=args.device)
    print(json.dumps({"outputs": [str(p) for p in paths],
                      "seconds": round(float(metrics["seconds"]), 2),
                      "deviations": metrics.get("deviations", {})}, indent=2, default=float))
    return 0


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="daedyn",
        description="Verify the derivations of autoencoder learning dynamics (every source in "
        "derivations/sources.py), and reproduce the ICML 2018 paper's figures on the verified "
        "formulas.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_proofs(sub)
    _register_figures(sub)
    _register_experiment(sub)
    return parser


#: packages of the ``experiments`` extra (``verify``, ``latex``, ``mutate`` need neither)
_EXTRAS = ("torch", "matplotlib")


def main(argv: Sequence[str] | None = None) -> int:
    from .training_loop import Interrupted

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = ["daedyn", *argv]
    try:
        return int(args.func(args) or 0)
    except ImportError as err:
        missing = (err.name or "").split(".")[0]
        if missing not in _EXTRAS:
            raise
        print(f"daedyn {args.command}: error: this command needs {missing}, which is not "
              "installed; install the experiments extra: pip install 'daedyn[experiments]'",
              file=sys.stderr)
        return 2
    except (UsageError, ValueError, FileNotFoundError, KeyError, OSError,
            FloatingPointError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"daedyn {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except Interrupted as err:
        print(f"daedyn {args.command}: {err}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"daedyn {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
