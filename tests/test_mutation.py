"""Mutation testing of every source's proofs (issue 12): a perturbed statement never passes.

For each step that holds (or holds under a convention), mutants of its printed statement are
run through the step's own proof; every one must be killed.  The ``ci`` and ``dev`` profiles
sample a few mutants per step (``tests/conftest.py``: MUTANTS_PER_STEP), ``thorough`` runs all.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations.engine import registry
from derivations.engine.mutate import equivalent, mutants, mutation_test
from derivations.engine.step import Status
from derivations.engine.verify import verify_step
from tests.conftest import MUTANTS_PER_STEP

STEPS = registry.all_steps()


@pytest.mark.parametrize("step", STEPS, ids=[s.key for s in STEPS])
def test_every_mutant_is_killed(step) -> None:
    res = mutation_test(step, STEPS, limit=MUTANTS_PER_STEP, seed=0)
    if res.skipped:
        pytest.skip(res.skipped)
    assert res.survivors == [], res.survivors
    assert res.generated >= 1


def test_a_proof_broken_on_purpose_is_flagged_by_the_engine() -> None:
    """Replace a real proof by one that proves a true identity but never compares against the
    statement it was handed: the engine refuses the verdict, and mutants would survive it."""
    step = registry.get("pretorius2018:4.fp")
    assert verify_step(step).status is Status.HOLDS

    def careless(pf):
        lam, eps = sp.symbols("lambda varepsilon", positive=True)
        return pf.chain().equal(lam / (lam + eps), 1 - eps / (lam + eps), "algebra",
                                via=(sp.cancel,)).outcome()

    broken = dataclasses.replace(step, proof=careless)
    res = verify_step(broken)
    assert res.status is Status.UNVERIFIED
    assert "without comparing against its printed statement" in res.error


def test_the_equivalence_filter_drops_equivalent_mutants() -> None:
    x, y = sp.symbols("x y", positive=True)
    assert equivalent(sp.Eq(x, (x + y) - y), sp.Eq(x, x))
    assert not equivalent(sp.Eq(x, y), sp.Eq(x, 2 * y))
    got = mutants(sp.Eq(sp.Symbol("f"), 2 * x + x))  # bare-name lhs: only the rhs mutates
    assert got and all(m.lhs == sp.Symbol("f") for _, m in got)
