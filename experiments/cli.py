"""The ``daedyn`` console script: one dispatcher, subcommands registered by their modules.

``verify`` and ``latex`` live in :mod:`experiments.proof_commands`, ``figures`` in
:mod:`experiments.figure_commands`, ``experiment`` in :mod:`experiments.experiment_commands`.
Bad input of any kind ends with a one-line message on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class UsageError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    from . import experiment_commands, figure_commands, proof_commands

    parser = argparse.ArgumentParser(
        prog="daedyn",
        description="Verify, evaluate and reproduce the learning dynamics of linear DAEs "
        "(Pretorius, Kroon & Kamper, ICML 2018).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    proof_commands.register(sub)
    figure_commands.register(sub)
    experiment_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, ValueError, FileNotFoundError, KeyError, OSError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"daedyn {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"daedyn {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
