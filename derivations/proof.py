"""Small, explicit proof tools: a chain of equalities each checked by a named transformation.

Blanket ``simplify`` is avoided on purpose (it is slow and opaque); each link says which
targeted transformation closes it (``expand``, ``cancel``, a hyperbolic rewrite, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sympy as sp

from .step import Link, Method, Outcome, Status

Transform = Callable[[sp.Expr], sp.Expr]


class ProofError(AssertionError):
    """A link of a proof chain did not close."""


def _zero(expr: sp.Expr, via: Iterable[Transform]) -> bool:
    for f in via:
        expr = f(expr)
        if expr == 0:
            return True
    return sp.S(expr) == 0


class Chain:
    """Accumulates verified links; each ``equal`` call checks ``lhs - rhs == 0``."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.checks: list[str] = []

    def equal(
        self,
        lhs: sp.Basic,
        rhs: sp.Basic,
        why: str,
        via: Iterable[Transform] = (sp.expand,),
    ) -> Chain:
        """Check ``lhs == rhs`` by applying ``via`` in turn to ``lhs - rhs``; record it.

        Unevaluated ``Subs``, ``Derivative`` and ``Limit`` objects in either side are evaluated
        for the check and kept in the record, so the report shows the step being taken.
        """
        if isinstance(lhs, sp.MatrixBase):
            ok = (lhs - rhs).applyfunc(lambda e: _reduce(_evaluate(e), via)).is_zero_matrix
        else:
            ok = _zero(_evaluate(sp.sympify(lhs) - sp.sympify(rhs)), via)
        if not ok:
            raise ProofError(f"link does not close: {lhs} = {rhs} ({why})")
        self.links.append(Link(lhs, rhs, why))
        return self

    def fact(self, statement: sp.Basic | str, why: str, relation: str = "") -> Chain:
        """Record a fact that was established by the caller (e.g. a sign or limit)."""
        self.links.append(Link(statement, None, why, relation))
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


def _evaluate(expr: sp.Expr) -> sp.Expr:
    """Carry out the unevaluated operations a link displays (not integrals: those are proved)."""
    kinds = (sp.Subs, sp.Derivative, sp.Limit, sp.Determinant, sp.Trace)
    return expr.replace(lambda e: isinstance(e, kinds), lambda e: e.doit())


def _reduce(expr: sp.Expr, via: Iterable[Transform]) -> sp.Expr:
    for f in via:
        expr = f(expr)
    return expr


def numeric_zero(
    expr: sp.Expr,
    samples: Iterable[Mapping[sp.Symbol, float]],
    tol: float = 1e-20,
    dps: int = 50,
) -> int:
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
