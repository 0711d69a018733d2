"""Placeholder (filled below)."""

STEPS = ()
