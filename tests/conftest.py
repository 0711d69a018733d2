"""Shared test configuration: Hypothesis profiles, the mutation sample size of each profile,
and the location of ../shared/data."""

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
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)

#: mutants per step in tests/test_mutation.py: a sample in ci/dev, every mutant in thorough
MUTANTS_PER_STEP: int | None = {"ci": 3, "dev": 8}.get(PROFILE)

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


#: the ICML 2018 paper's printed equations, a file of the project
EQUATIONS = REPO / "derivations" / "pretorius2018" / "transcription.md"


def check_verdict(step_id: str, expected: str, *, section: str | None = None,
                  convention: str | None = None) -> object:
    """Verify ``step_id`` and check its verdict against ``expected`` (decided by hand in the
    calling test module) and the registry's rules: a verified chain; the printed label present
    in the transcription; ``holds`` never by numerics alone; ``refuted`` with a counterexample
    and a correction; ``holds-under-convention`` naming its convention key (``convention`` among
    the keys when given).  Returns the outcome."""
    from derivations import Method, Status, get
    from derivations.engine.verify import verify_step

    step = get(step_id)
    res = verify_step(step)
    out = res.outcome
    assert out.status.value == expected, (step_id, out.status.value, res.error or out.note)
    assert out.chain, "a proof must have verified links"
    if section is not None:
        assert step.section == section
    if step.printed_in_paper:
        assert f"[{step_id}]" in EQUATIONS.read_text()
    if out.status is Status.HOLDS:
        assert out.method is not Method.NUMERIC, "holds must not rest on numerics alone"
    if out.status is Status.REFUTED:
        assert out.counterexample and (out.corrected is not None or out.corrected_text)
    if out.status is Status.CONVENTION:
        assert out.convention and (convention is None or convention in out.convention_keys)
    return out


def write_tiny_mnist(tmp_path: Path, n: int = 80, *, seed: int = 7, truncate: int = 0) -> Path:
    """A gzipped MNIST-format folder ``tmp_path/mnist`` of ``n`` random 28 x 28 images (dark,
    like digits) and zero labels; ``truncate`` bytes are cut off the end of the image file."""
    import gzip

    import numpy as np

    rng = np.random.default_rng(seed)
    d = tmp_path / "mnist"
    d.mkdir()
    img = (rng.random((n, 28, 28)) ** 3 * 255).astype(np.uint8)
    for name, arr, magic in (("train-images-idx3-ubyte", img, 0x803),
                             ("train-labels-idx1-ubyte", np.zeros(n, np.uint8), 0x801)):
        raw = magic.to_bytes(4, "big") + b"".join(x.to_bytes(4, "big") for x in arr.shape)
        raw += arr.tobytes()
        with gzip.open(d / f"{name}.gz", "wb") as fh:
            fh.write(raw[:len(raw) - truncate] if name.startswith("train-images") else raw)
    return d


def outcome(label: str) -> object:
    """The outcome the verifier gives step ``label`` (its proof run through the engine)."""
    from derivations import get
    from derivations.engine.verify import verify_step

    res = verify_step(get(label))
    assert not res.error, (label, res.error)
    return res.outcome
