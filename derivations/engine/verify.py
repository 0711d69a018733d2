"""Run the proofs of the registry: one :class:`Result` per step, with its wall time.

The verifier never trusts a step: every proof is run afresh (nothing is cached across
runs) with a :class:`~derivations.engine.proof.Proof` that hands it the statement to decide
and a resolver for the steps it declared.  A step is ``unverified`` with the reason when its
proof raises (an undeclared step reached, a link that does not close, an invalid
:class:`~derivations.engine.step.Outcome`), when its ``uses`` names an unknown label, when it
names a convention its source does not define, or when it reaches a verdict on a SymPy
statement without ever comparing against that statement (the engine's rule that ``holds``
means "derived", see :meth:`~derivations.engine.proof.Chain.conclude`).  Softer
inconsistencies (trivial links, a status without a note) are kept as ``warnings``.
"""

from __future__ import annotations

import difflib
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from . import registry
from .proof import Proof
from .registry import UnknownStepError
from .step import Method, Outcome, OutcomeError, Status, Step

__all__ = [
    "Result",
    "StepTimeout",
    "UnknownStepError",
    "close_matches",
    "engine_errors",
    "outcome_warnings",
    "resolve_ids",
    "verify_all",
    "verify_step",
]


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
    def key(self) -> str:
        """The source-qualified label."""
        return self.step.key

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

    A label is ``source:label`` or a bare label; a bare label shared by several sources
    selects all of them.  Raises :class:`UnknownStepError` naming every unknown label with
    its close matches.
    """
    if ids is None:
        return list(steps)
    if isinstance(ids, str):  # "eq5" or "eq5,B.int", not the characters of the string
        ids = ids.split(",")
    wanted = [i.strip() for i in ids if i.strip()]
    keys = {s.key for s in steps} | {s.id for s in steps}
    unknown = [i for i in wanted if i not in keys]
    if unknown:
        known = list(dict.fromkeys(s.id for s in steps))
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
    return [s for s in steps if s.id in chosen or s.key in chosen]


def outcome_warnings(step: Step, outcome: Outcome) -> tuple[str, ...]:
    """Softer breaches of the registry's rules (the hard ones are refused when an
    :class:`Outcome` is built, or by :func:`engine_errors`)."""
    out: list[str] = []
    status = outcome.status
    if status is not Status.HOLDS and not (outcome.note or step.note):
        out.append(f"status {status.value!r} without a note giving the reason")
    trivial = [k for k in outcome.chain
               if k.rhs is not None and not isinstance(k.lhs, str) and k.lhs == k.rhs
               and not k.conclusion]
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


def _resolver(step: Step, steps: Sequence[Step]) -> Callable[[str], Step]:
    by_key = {s.key: s for s in steps}
    local = {s.id: s for s in steps if s.source == step.source}

    def resolve(label: str) -> Step:
        if label in local:
            return local[label]
        if label in by_key:
            return by_key[label]
        return registry.get(label, within=step.source or None)

    return resolve


def _known(label: str, step: Step, steps: Sequence[Step]) -> bool:
    if any(s.id == label and s.source == step.source for s in steps):
        return True
    if any(s.key == label for s in steps):
        return True
    if ":" in label:
        try:
            registry.get(label)
        except KeyError:
            return False
        return True
    return False


def engine_errors(step: Step, outcome: Outcome, proof: Proof) -> list[str]:
    """Ways in which a returned outcome breaks the engine's rules (the step is unverified)."""
    errs = []
    status = outcome.status
    decided = status in (Status.HOLDS, Status.CONVENTION, Status.REFUTED)
    if decided and proof.printed is not None and not proof.concluded:
        errs.append(f"proof reached {status.value!r} without comparing against its printed "
                    "statement (Chain.conclude / Chain.disprove on pf.printed)")
    if outcome.convention and step.source:
        table = registry.source(step.source).convention_table
        bad = [k for k in outcome.convention_keys if k not in table]
        if bad:
            errs.append(f"convention {', '.join(map(repr, bad))} is not defined by source "
                        f"{step.source!r} (known keys: {', '.join(table)})")
    return errs


def verify_step(step: Step, steps: Sequence[Step] = (), timeout: float | None = None,
                printed: object | None = None) -> Result:
    """Run one step's proof and time it; never raises for a failing proof.

    ``steps`` are the steps that ``uses`` may name besides the registry's (for tests);
    ``printed`` replaces the statement handed to the proof (mutation testing).
    """
    steps = tuple(steps) or registry.all_steps((step.source,)) if step.source else tuple(steps)
    missing = [u for u in step.uses if not _known(u, step, steps)]
    if missing:
        reason = f"uses unknown label{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        return Result(step, _unverified(step, reason), 0.0, error=reason)
    proof = Proof(step, _resolver(step, steps), printed=printed)  # type: ignore[arg-type]
    start = time.perf_counter()
    try:
        with _time_limit(timeout):
            outcome = step.proof(proof)
    except Exception as err:  # any failure of a proof is a verdict, never a crash
        seconds = time.perf_counter() - start
        text = str(err).strip()
        kind = "invalid outcome" if isinstance(err, OutcomeError) else type(err).__name__
        reason = f"proof raised {kind}" + (f": {text}" if text else "")
        return Result(step, _unverified(step, reason), seconds, error=reason)
    seconds = time.perf_counter() - start
    if not isinstance(outcome, Outcome):
        reason = f"proof returned {type(outcome).__name__}, not an Outcome"
        return Result(step, _unverified(step, reason), seconds, error=reason)
    errors = engine_errors(step, outcome, proof)
    if errors:
        reason = "; ".join(errors)
        return Result(step, _unverified(step, reason), seconds, error=reason)
    return Result(step, outcome, seconds, warnings=outcome_warnings(step, outcome))


def verify_all(
    ids: Iterable[str] | None = None,
    *,
    source: str | Iterable[str] | None = None,
    steps: Sequence[Step] | None = None,
    timeout: float | None = None,
    progress: object | None = None,
) -> list[Result]:
    """Verify the steps named by ``ids`` (all by default), in registry order.

    ``source`` restricts to one source (or several); ``steps`` replaces the registry (for
    tests); ``timeout`` bounds each proof's wall time in seconds; ``progress``, if given, is
    called as ``progress(i, n, step)`` before each proof.  Unknown labels in ``ids`` raise
    :class:`UnknownStepError` before anything runs.
    """
    if steps is None:
        names = None if source is None else ([source] if isinstance(source, str) else source)
        if ids is not None and names is None:  # qualified labels name their sources
            labels = ids.split(",") if isinstance(ids, str) else list(ids)
            quals = {registry.split(i.strip())[0] for i in labels if i.strip()}
            if None not in quals:
                names = [q for q in registry.source_names() if q in quals] or list(quals)
        steps = registry.all_steps(names)
    chosen = resolve_ids(ids, steps)
    results = []
    for i, step in enumerate(chosen):
        if callable(progress):
            progress(i, len(chosen), step)
        results.append(verify_step(step, steps, timeout=timeout))
    return results
