"""A small synthetic source for the engine's tests: one step per path of the verifier."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import sympy as sp

from derivations.engine import Convention, Source, registry
from derivations.engine.proof import Chain, Proof
from derivations.engine.step import Method, Outcome, Status, Step

x, y = sp.symbols("x y", positive=True)
CALLS: dict[str, int] = {}


def _count(name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


def _holds(pf: Proof) -> Outcome:
    _count("holds")
    ch = pf.chain()
    derived = sp.expand((x + y) ** 2)
    return ch.conclude(pf.printed.rhs, derived, "binomial").outcome()


def _convention(pf: Proof) -> Outcome:
    ch = pf.chain().conclude(pf.printed, sp.Eq(x * (y + 1), x * y + x), "distribute")
    return ch.outcome(Status.CONVENTION, convention="tau", note="needs tau = N/alpha")


def _refuted(pf: Proof) -> Outcome:
    ch = pf.chain().disprove(pf.printed, {x: 1}, "at x = 1 the derivative is 2, not 1")
    ch.equal(sp.Derivative(x**2, x), 2 * x, "power rule", via=(sp.Basic.doit,))
    return ch.outcome(Status.REFUTED, counterexample={"x": 1.0},
                      corrected=sp.Eq(sp.diff(x**2, x), 2 * x),
                      note="the printed derivative lacks the factor 2")


def _unverified(pf: Proof) -> Outcome:
    return Outcome(Status.UNVERIFIED, Method.NUMERIC, note="no closed form found")


def _raises(pf: Proof) -> Outcome:
    _count("raises")
    raise ZeroDivisionError("division by zero at x = 0")


def _garbage(pf: Proof) -> Outcome:
    return "holds"  # type: ignore[return-value]


def _never_called(pf: Proof) -> Outcome:
    _count("never")
    return Chain().outcome()


def _slow(pf: Proof) -> Outcome:
    time.sleep(0.06)
    return Chain().equal(x + x, 2 * x, "collect").outcome()


def _no_conclusion(pf: Proof) -> Outcome:
    """Checks a true identity but never looks at the statement it was given."""
    return pf.chain().equal((x + y) ** 2, x**2 + 2 * x * y + y**2, "binomial").outcome()


def _undeclared(pf: Proof) -> Outcome:
    pf.use("eq1")  # not declared in uses
    return pf.chain().outcome()


def _uses_eq1(pf: Proof) -> Outcome:
    sq = pf.use("eq1").expr("square")
    return pf.chain().conclude(pf.printed, sp.Eq(sq, sp.expand(sq)), "expand").outcome()


def _bad_convention(pf: Proof) -> Outcome:
    ch = pf.chain().conclude(pf.printed, sp.Eq(2 * x, x + x, evaluate=False), "collect")
    return ch.outcome(Status.CONVENTION, convention="no-such-key", note="n")


SYNTH = (
    Step("eq1", "2", "holds", sp.Eq((x + y) ** 2, x**2 + 2 * x * y + y**2), _holds,
         exprs={"square": (x + y) ** 2}),
    Step("eq2", "3", "convention", sp.Eq(x * (y + 1), x * y + x), _convention, uses=("eq1",)),
    Step("eq3", "3", "refuted", sp.Eq(sp.Derivative(x**2, x), x), _refuted, uses=("eq1", "eq2")),
    Step("B.int", "B", "unverified", sp.Eq(x, y), _unverified, note="hard"),
    Step("B.raise", "B", "raises", sp.Eq(x, y), _raises),
    Step("B.garbage", "B", "garbage", sp.Eq(x, y), _garbage),
    Step("B.uses", "B", "unknown uses", sp.Eq(x, y), _never_called, uses=("eq1", "nope")),
    Step("4.slow", "4", "slow", "a sentence", _slow, printed_in_paper=False),
)
EXTRA = (
    Step("X.noconc", "4", "no conclusion", sp.Eq(x, y), _no_conclusion),
    Step("X.undeclared", "4", "undeclared use", sp.Eq(2 * x, x + x, evaluate=False), _undeclared),
    Step("X.uses", "4", "declared use", sp.Eq((x + y) ** 2, x**2 + 2 * x * y + y**2), _uses_eq1,
         uses=("eq1",)),
    Step("X.badconv", "4", "unknown convention", sp.Eq(2 * x, x + x, evaluate=False),
         _bad_convention),
)

SOURCE = Source(name="demo", title="A synthetic source", package="tests.engine.synthetic",
                modules=(), sections={"2": "Two", "3": "Three", "B": "Appendix B", "4": "Four"},
                conventions=(Convention("tau", "tau = N / alpha"),))
OTHER = Source(name="other", title="Another source", package="tests.engine.synthetic",
               modules=(), sections={"1": "One"})
OTHER_STEPS = (Step("eq1", "1", "same label in another source", sp.Eq(x + x, 2 * x),
                    lambda pf: pf.chain().conclude(pf.printed.rhs, 2 * x, "collect").outcome()),)


@contextmanager
def synthetic(*, extra: bool = False, two_sources: bool = False) -> Iterator[None]:
    sources = {"demo": (SOURCE, SYNTH + (EXTRA if extra else ()))}
    if two_sources:
        sources["other"] = (OTHER, OTHER_STEPS)
    with registry.override(sources):
        yield
