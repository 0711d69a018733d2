"""The shape of one derivation step, and of the outcome of checking it (any source).

A :class:`Step` is plain data: the source's label, the statement as printed (a SymPy
object, or a quoted sentence with a precise ``statement``), the steps it uses, its
assumptions, and a ``proof`` callable.  The proof receives a
:class:`~derivations.engine.proof.Proof` (the statement it must decide and the steps it
declared) and returns an :class:`Outcome`: the status of the *printed* statement, the chain
of links that supports it, and, for a refuted statement, a concrete counterexample and a
corrected statement (itself verified).  An :class:`Outcome` is validated when it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:  # pragma: no cover
    from .proof import Proof


class Status(str, Enum):
    """Verdict on a printed statement."""

    HOLDS = "holds"
    CONVENTION = "holds-under-convention"
    REFUTED = "refuted"
    UNVERIFIED = "unverified"


class Method(str, Enum):
    """How a verdict was reached."""

    SYMBOLIC = "symbolic proof"
    SYMBOLIC_NUMERIC = "symbolic + numeric cross-check"
    NUMERIC = "numeric only"


class OutcomeError(ValueError):
    """An :class:`Outcome` (or :class:`Link`) was built against the engine's rules."""


@dataclass(frozen=True)
class Assumption:
    """One assumption of a step: a sentence, and where SymPy can say it, a condition."""

    text: str
    condition: sp.Basic | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Link:
    """One line of a proof: ``lhs rel rhs`` (or a statement ``lhs`` alone), and why.

    ``checked`` is True for a relation the engine verified (:meth:`Chain.equal`) and False
    for a stated fact (:meth:`Chain.fact`), whose ``why`` is then its reason; ``conclusion``
    marks the links that compare the derivation with the printed statement.
    """

    lhs: sp.Basic | str
    rhs: sp.Basic | str | None
    why: str
    relation: str = "="
    checked: bool = True
    conclusion: bool = False  # compares the derivation with the printed statement

    def __post_init__(self) -> None:
        if not self.checked and not str(self.why).strip():
            raise OutcomeError(f"a stated fact needs its reason: {self.lhs}")


def _is_sympy(obj: object) -> bool:
    return isinstance(obj, sp.Basic | sp.MatrixBase)


@dataclass(frozen=True)
class Outcome:
    """What the proof of a step established about the printed statement.

    Validated when built: ``status`` and ``method`` are members of their enums (strings are
    converted), ``chain`` holds :class:`Link` objects, a refuted statement carries a
    counterexample and a corrected statement, ``holds-under-convention`` names its
    convention by key, and ``holds`` is never reached by numerics alone.
    """

    status: Status
    method: Method
    chain: tuple[Link, ...] = ()
    note: str = ""
    convention: str = ""  # a key of the source's table, or keys joined by "+"
    counterexample: Mapping[str, object] | None = None
    corrected: sp.Basic | None = None
    corrected_text: str = ""
    checks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", Status(self.status))
            object.__setattr__(self, "method", Method(self.method))
        except ValueError as err:
            raise OutcomeError(str(err)) from None
        object.__setattr__(self, "chain", tuple(self.chain))
        object.__setattr__(self, "checks", tuple(str(c) for c in self.checks))
        if not all(isinstance(k, Link) for k in self.chain):
            raise OutcomeError("chain must hold Link objects")
        if not isinstance(self.convention, str):
            raise OutcomeError("convention must be a key (str)")
        if self.status is Status.CONVENTION and not self.convention:
            raise OutcomeError("holds-under-convention must name its convention by key")
        if self.status is Status.REFUTED:
            if not self.counterexample:
                raise OutcomeError("refuted needs a concrete counterexample")
            if self.corrected is None and not self.corrected_text:
                raise OutcomeError("refuted needs a corrected statement")
        if self.status is Status.HOLDS and self.method is Method.NUMERIC:
            raise OutcomeError("'holds' cannot be reached by numerics alone")
        if self.corrected is not None and not _is_sympy(self.corrected):
            raise OutcomeError("corrected must be a SymPy object (use corrected_text for prose)")

    @property
    def convention_keys(self) -> tuple[str, ...]:
        """The keys named by :attr:`convention` ("a+b" names two)."""
        return tuple(k.strip() for k in self.convention.split("+") if k.strip())

    @property
    def unchecked(self) -> tuple[Link, ...]:
        """The stated (unchecked) facts of the chain."""
        return tuple(k for k in self.chain if not k.checked)


ProofFn = Callable[["Proof"], Outcome]


@dataclass(frozen=True)
class Step:
    """A printed statement of a source and how it is verified.

    ``printed`` is the statement exactly as printed (SymPy ``Eq``/expression/boolean/
    ``Tuple``), or, for a qualitative claim, the quoted sentence; ``statement`` is then the
    precise reading that the proof decides.  ``exprs`` holds the verified expressions that
    other layers (``numerics``) take by name, never re-typing them.  ``source`` is set by the
    registry when the step is loaded.
    """

    id: str
    section: str
    title: str
    printed: sp.Basic | str
    proof: ProofFn
    uses: tuple[str, ...] = ()
    assumes: tuple[Assumption, ...] = ()
    note: str = ""
    statement: sp.Basic | str | None = None
    exprs: Mapping[str, sp.Basic] = field(default_factory=lambda: MappingProxyType({}))
    printed_in_paper: bool = True
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.exprs, MappingProxyType):
            object.__setattr__(self, "exprs", MappingProxyType(dict(self.exprs)))
        object.__setattr__(self, "uses", tuple(self.uses))

    @property
    def key(self) -> str:
        """The source-qualified label, e.g. ``pretorius2018:eq7``."""
        return f"{self.source}:{self.id}" if self.source else self.id

    @property
    def decided(self) -> sp.Basic | None:
        """The SymPy statement the proof must decide (printed, else the precise reading)."""
        for obj in (self.printed, self.statement):
            if _is_sympy(obj):
                return obj  # type: ignore[return-value]
        return None

    def expr(self, name: str) -> sp.Basic:
        """The verified expression ``name``; ``KeyError`` naming the valid names."""
        try:
            return self.exprs[name]
        except KeyError:
            valid = ", ".join(self.exprs) or "(none)"
            raise KeyError(f"step {self.key!r} has no expression {name!r}; "
                           f"valid: {valid}") from None
