"""Placeholder: steps of this section are being written."""

from .step import Step

STEPS: tuple[Step, ...] = ()
