"""Small, explicit proof tools: a :class:`Proof` context and a :class:`Chain` of links.

A proof function receives a :class:`Proof`: ``pf.printed`` is the statement it must decide
(the step's printed SymPy statement, or a mutant of it under mutation testing) and
``pf.use(label)`` returns a step the proof declared in ``uses`` (any other label raises
:class:`UndeclaredUse`).  A :class:`Chain` records links: :meth:`Chain.equal` checks a
relation by a named transformation (blanket ``simplify`` is avoided: it is slow and opaque),
:meth:`Chain.fact` states a fact with its reason (recorded as unchecked), and
:meth:`Chain.conclude` / :meth:`Chain.disprove` compare the derivation with ``pf.printed``
itself, which the engine requires of every verdict on a SymPy statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import sympy as sp

from .step import Link, Method, Outcome, Status

if TYPE_CHECKING:  # pragma: no cover
    from .step import Step

Transform = Callable[[sp.Expr], sp.Expr]


class ProofError(AssertionError):
    """A link of a proof chain did not close."""


class UndeclaredUse(KeyError):
    """A proof reached a step it did not declare in ``uses``."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _zero(expr: sp.Expr, via: Iterable[Transform]) -> bool:
    for f in via:
        expr = f(expr)
        if expr == 0:
            return True
    return sp.S(expr) == 0


def _evaluate(expr: sp.Expr) -> sp.Expr:
    """Carry out the unevaluated operations a link displays (not integrals: those are proved)."""
    kinds = (sp.Subs, sp.Derivative, sp.Limit, sp.Determinant, sp.Trace)
    return expr.replace(lambda e: isinstance(e, kinds), lambda e: e.doit())


def _reduce(expr: sp.Expr, via: Iterable[Transform]) -> sp.Expr:
    for f in via:
        expr = f(expr)
    return expr


def _closes(lhs: sp.Basic, rhs: sp.Basic, via: Iterable[Transform]) -> bool:
    via = tuple(via)
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
        if lhs.shape != rhs.shape:
            return False
        return (lhs - rhs).applyfunc(lambda e: _reduce(_evaluate(e), via)).is_zero_matrix
    if isinstance(lhs, sp.Tuple) or isinstance(rhs, sp.Tuple):
        return (isinstance(lhs, sp.Tuple) and isinstance(rhs, sp.Tuple) and len(lhs) == len(rhs)
                and all(_closes(a, b, via) for a, b in zip(lhs, rhs, strict=True)))
    if isinstance(lhs, sp.Eq) or isinstance(rhs, sp.Eq):
        return (isinstance(lhs, sp.Eq) and isinstance(rhs, sp.Eq)
                and _closes(lhs.lhs, rhs.lhs, via) and _closes(lhs.rhs, rhs.rhs, via))
    return _zero(_evaluate(sp.sympify(lhs) - sp.sympify(rhs)), via)


def _is_part(part: object, whole: object) -> bool:
    """Whether ``part`` is ``whole`` or one of its sub-expressions."""
    if part is whole:
        return True
    if not isinstance(whole, sp.Basic):
        return False
    return any(node is part or node == part for node in sp.preorder_traversal(whole))


class Proof:
    """What a proof function receives: the statement to decide and its declared steps."""

    def __init__(self, step: Step, resolve: Callable[[str], Step],
                 printed: sp.Basic | None = None) -> None:
        self.step = step
        self._resolve = resolve
        #: the SymPy statement the proof must decide (``None`` for a prose-only claim)
        self.printed = step.decided if printed is None else printed
        #: set when a link compared the derivation with :attr:`printed`
        self.concluded = False
        self.used: list[str] = []

    @property
    def assumes(self) -> tuple:
        return self.step.assumes

    def use(self, label: str) -> Step:
        """The declared step ``label``; :class:`UndeclaredUse` for any other label."""
        if label not in self.step.uses:
            raise UndeclaredUse(f"step {self.step.id!r} reached {label!r}, which it does not "
                                f"declare in uses {self.step.uses}")
        self.used.append(label)
        return self._resolve(label)

    def chain(self) -> Chain:
        return Chain(self)


class Chain:
    """Accumulates links; :meth:`equal` checks ``lhs - rhs == 0`` by the given transforms."""

    def __init__(self, proof: Proof | None = None) -> None:
        self.proof = proof
        self.links: list[Link] = []
        self.checks: list[str] = []

    def equal(self, lhs: sp.Basic, rhs: sp.Basic, why: str,
              via: Iterable[Transform] = (sp.expand,)) -> Chain:
        """Check ``lhs == rhs`` by applying ``via`` in turn to ``lhs - rhs``; record it.

        Unevaluated ``Subs``, ``Derivative`` and ``Limit`` objects in either side are evaluated
        for the check and kept in the record, so the report shows the step being taken.
        ``Eq``, ``Tuple`` and matrices are compared part by part.
        """
        if not _closes(lhs, rhs, via):
            raise ProofError(f"link does not close: {lhs} = {rhs} ({why})")
        self.links.append(Link(lhs, rhs, why))
        return self

    def conclude(self, printed_part: sp.Basic, derived: sp.Basic, why: str,
                 via: Iterable[Transform] = (sp.expand,)) -> Chain:
        """The final link: ``printed_part`` (the printed statement handed to the proof, or a
        sub-expression of it) equals what the proof ``derived``; checked like :meth:`equal`."""
        self._mark(printed_part)
        if not _closes(printed_part, derived, via):
            raise ProofError(f"the printed statement does not follow: {printed_part} = "
                             f"{derived} ({why})")
        self.links.append(Link(printed_part, derived, why, conclusion=True))
        return self

    def disprove(self, printed_part: sp.Basic, subs: Mapping[sp.Symbol, object], why: str,
                 dps: int = 50, tol: float = 1e-30) -> Chain:
        """Show that ``printed_part`` (an ``Eq``, relational or an expression meant to vanish)
        fails at the point ``subs``: evaluated with ``dps`` digits it is false / nonzero."""
        self._mark(printed_part)
        expr = printed_part
        if isinstance(expr, sp.Eq):
            expr = expr.lhs - expr.rhs
        val = sp.N(_evaluate(sp.sympify(expr)).subs(subs), dps) if not isinstance(
            expr, sp.core.relational.Relational) else expr.subs(subs)
        if isinstance(val, sp.core.relational.Relational) or val in (sp.true, sp.false):
            failed = val == sp.false
        else:
            failed = val.is_number and abs(complex(val)) > tol
        if not failed:
            raise ProofError(f"counterexample does not refute {printed_part} at {dict(subs)}")
        self.links.append(Link(printed_part, sp.N(val, 12) if val not in (sp.true, sp.false)
                               else val, why, relation="at the counterexample:",
                               conclusion=True))
        return self

    def _mark(self, printed_part: sp.Basic) -> None:
        pf = self.proof
        if pf is None:
            raise ProofError("conclude/disprove need a chain made by Proof.chain()")
        if pf.printed is None or not _is_part(printed_part, pf.printed):
            raise ProofError("conclude/disprove must compare against the printed statement "
                             "handed to the proof (pf.printed or a part of it)")
        pf.concluded = True

    def fact(self, statement: sp.Basic | str, why: str, relation: str = "") -> Chain:
        """Record a fact established by the caller (e.g. a sign or limit): unchecked."""
        self.links.append(Link(statement, None, why, relation, checked=False))
        return self

    def check(self, description: str) -> Chain:
        """Record a numeric cross-check that the caller performed."""
        self.checks.append(description)
        return self

    def outcome(self, status: Status = Status.HOLDS, method: Method | None = None,
                **kw: object) -> Outcome:
        if method is None:
            method = Method.SYMBOLIC_NUMERIC if self.checks else Method.SYMBOLIC
        return Outcome(status=status, method=method, chain=tuple(self.links),
                       checks=tuple(self.checks), **kw)  # type: ignore[arg-type]


def numeric_zero(expr: sp.Expr, samples: Iterable[Mapping[sp.Symbol, float]],
                 tol: float = 1e-20, dps: int = 50) -> int:
    """Evaluate ``expr`` at each sample with ``dps`` digits; raise unless ``|expr| <= tol``.

    Returns the number of samples checked (for the report's description).
    """
    n = 0
    for subs in samples:
        val = sp.N(expr.subs(subs), dps)
        if not val.is_number or abs(complex(val)) > tol:
            raise ProofError(f"numeric check failed at {dict(subs)}: {val}")
        n += 1
    return n
