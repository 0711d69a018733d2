"""Run the proofs of the registry: one :class:`Result` per step, with its wall time.

The verifier never trusts a step: every proof is run afresh (nothing is cached across
runs), a proof that raises or returns something other than an
:class:`~derivations.step.Outcome` makes its step ``unverified`` with the error text, and a
step whose ``uses`` names an unknown label is ``unverified`` without running its proof.
Outcomes that contradict the rules of the registry (a refuted printed statement without a
counterexample, ``holds`` reached by numerics alone, ...) are kept as they are but carry
``warnings`` that the report and the LaTeX document show.
"""

from __future__ import annotations

import difflib
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from .step import Method, Outcome, Status, Step

__all__ = [
    "Result",
    "StepTimeout",
    "UnknownStepError",
    "close_matches",
    "outcome_warnings",
    "resolve_ids",
    "verify_all",
    "verify_step",
]


class UnknownStepError(KeyError):
    """One or more requested labels are not in the registry (message lists close matches)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class StepTimeout(Exception):
    """A proof ran longer than the time limit given to :func:`verify_all`."""


@dataclass(frozen=True)
class Result:
    """The verdict on one step: its outcome, the proof's wall time, and any error.

    ``error`` is empty when the proof ran and returned an :class:`Outcome`; otherwise it
    holds the reason the step is ``unverified`` (the exception text, an unknown ``uses``
    label, a timeout).  ``warnings`` lists inconsistencies of the outcome with the
    registry's rules; they do not change the status.
    """

    step: Step
    outcome: Outcome
    seconds: float
    error: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.step.id

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def method(self) -> str:
        """The method's text, or ``"none"`` when no proof outcome was obtained."""
        return "none" if self.error else Method(self.outcome.method).value

    @property
    def note(self) -> str:
        """The proof's finding if it states one, else the step's own note."""
        return self.outcome.note or self.step.note


def close_matches(label: str, known: Sequence[str], n: int = 5) -> list[str]:
    """Labels of ``known`` that look like ``label`` (case-insensitive, prefix or fuzzy)."""
    low = {k.lower(): k for k in known}
    found = [low[m] for m in difflib.get_close_matches(label.lower(), list(low), n=n, cutoff=0.5)]
    for k in known:
        kl, ll = k.lower(), label.lower()
        if len(found) < n and k not in found and ll and (kl.startswith(ll) or ll in kl):
            found.append(k)
    return found


def resolve_ids(ids: Iterable[str] | None, steps: Sequence[Step]) -> list[Step]:
    """The steps named by ``ids`` in registry order (all of them for ``None``).

    Raises :class:`UnknownStepError` naming every unknown label with its close matches.
    """
    if ids is None:
        return list(steps)
    if isinstance(ids, str):  # "eq5" or "eq5,B.int", not the characters of the string
        ids = ids.split(",")
    wanted = [i.strip() for i in ids if i.strip()]
    by_id = {s.id: s for s in steps}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        known = list(by_id)
        parts = []
        for label in unknown:
            near = close_matches(label, known)
            hint = f" (did you mean: {', '.join(near)}?)" if near else ""
            parts.append(f"{label!r}{hint}")
        listing = ", ".join(known) if known else "(the registry is empty)"
        raise UnknownStepError(
            f"unknown label{'s' if len(unknown) > 1 else ''} {'; '.join(parts)}; "
            f"known labels: {listing}"
        )
    chosen = set(wanted)
    return [s for s in steps if s.id in chosen]


def outcome_warnings(step: Step, outcome: Outcome) -> tuple[str, ...]:
    """Ways in which ``outcome`` breaks the registry's rules for reporting a verdict."""
    out: list[str] = []
    status = Status(outcome.status)
    if status is Status.HOLDS and Method(outcome.method) is Method.NUMERIC:
        out.append("'holds' reached by numerics only (should be a symbolic proof)")
    if status is not Status.HOLDS and not (outcome.note or step.note):
        out.append(f"status {status.value!r} without a note giving the reason")
    if status is Status.CONVENTION and not outcome.convention:
        out.append("holds-under-convention without naming the convention")
    if status is Status.REFUTED:
        if not outcome.counterexample:
            out.append("refuted without a counterexample")
        if outcome.corrected is None and not outcome.corrected_text:
            out.append("refuted without a corrected statement")
    trivial = [k for k in outcome.chain
               if k.rhs is not None and not isinstance(k.lhs, str) and k.lhs == k.rhs]
    if trivial:
        example = str(trivial[0].lhs)
        example = example if len(example) <= 40 else example[:37] + "..."
        out.append(
            f"{len(trivial)} of {len(outcome.chain)} proof links have identical sides "
            f"(e.g. {example} = {example}, '{trivial[0].why}'), so the chain "
            "does not show that step; record the unevaluated side (sp.Integral, sp.Derivative, "
            "the expression before substitution)"
        )
    if status in (Status.HOLDS, Status.CONVENTION, Status.REFUTED) and not outcome.chain:
        if not outcome.checks:
            out.append(f"{status.value!r} with an empty proof chain and no checks")
    return tuple(out)


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`StepTimeout` after ``seconds`` (POSIX main thread only; else no limit)."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise StepTimeout(f"proof exceeded the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _unverified(step: Step, reason: str) -> Outcome:
    return Outcome(status=Status.UNVERIFIED, method=Method.SYMBOLIC, note=reason)


def verify_step(step: Step, known_ids: Iterable[str], timeout: float | None = None) -> Result:
    """Run one step's proof and time it; never raises for a failing proof."""
    known = set(known_ids)
    missing = [u for u in step.uses if u not in known]
    if missing:
        reason = f"uses unknown label{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        return Result(step, _unverified(step, reason), 0.0, error=reason)
    start = time.perf_counter()
    try:
        with _time_limit(timeout):
            outcome = step.proof()
    except Exception as err:  # any failure of a proof is a verdict, never a crash
        seconds = time.perf_counter() - start
        text = str(err).strip()
        reason = f"proof raised {type(err).__name__}" + (f": {text}" if text else "")
        return Result(step, _unverified(step, reason), seconds, error=reason)
    seconds = time.perf_counter() - start
    if not isinstance(outcome, Outcome):
        reason = f"proof returned {type(outcome).__name__}, not an Outcome"
        return Result(step, _unverified(step, reason), seconds, error=reason)
    try:
        Status(outcome.status)
        Method(outcome.method)
    except ValueError as err:
        reason = f"proof returned an invalid outcome: {err}"
        return Result(step, _unverified(step, reason), seconds, error=reason)
    return Result(step, outcome, seconds, warnings=outcome_warnings(step, outcome))


def verify_all(
    ids: Iterable[str] | None = None,
    *,
    steps: Sequence[Step] | None = None,
    timeout: float | None = None,
    progress: object | None = None,
) -> list[Result]:
    """Verify the steps named by ``ids`` (all by default), in registry order.

    ``steps`` replaces the registry (for tests); ``timeout`` bounds each proof's wall time
    in seconds; ``progress``, if given, is called as ``progress(i, n, step)`` before each
    proof.  Unknown labels in ``ids`` raise :class:`UnknownStepError` before anything runs.
    """
    if steps is None:
        from . import registry

        steps = registry.STEPS
    chosen = resolve_ids(ids, steps)
    known = [s.id for s in steps]
    results = []
    for i, step in enumerate(chosen):
        if callable(progress):
            progress(i, len(chosen), step)
        results.append(verify_step(step, known, timeout=timeout))
    return results
