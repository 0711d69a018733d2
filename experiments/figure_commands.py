"""Placeholder: subcommands being written."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register this module's subcommands."""
