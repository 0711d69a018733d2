"""Shared test configuration: Hypothesis profiles and the location of ../shared/data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DAEDYN_SHARED_DATA", REPO.parent / "shared" / "data"))


@contextmanager
def ctrl_c_at_grad_call(monkeypatch: pytest.MonkeyPatch, call: int) -> Iterator[None]:
    """Within the block, the ``call``-th ``torch.autograd.grad`` raises KeyboardInterrupt (a
    Ctrl-C in the middle of a training advance); the real function is restored on exit."""
    import torch

    real_grad = torch.autograd.grad
    calls = {"n": 0}

    def flaky(*args: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return real_grad(*args, **kw)

    monkeypatch.setattr(torch.autograd, "grad", flaky)
    try:
        yield
    finally:
        monkeypatch.setattr(torch.autograd, "grad", real_grad)
