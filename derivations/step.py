"""The shape of one derivation step, and of the outcome of checking it.

A :class:`Step` is plain data: the paper's label, the statement as printed (a SymPy
object), the steps it uses, its assumptions, and a ``proof`` callable.  The proof
returns an :class:`Outcome`: the status the verifier assigns to the *printed*
statement, the chain of verified equalities that supports it, and, for refuted
statements, a concrete counterexample and a corrected statement (itself verified).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

import sympy as sp


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


@dataclass(frozen=True)
class Assumption:
    """One assumption of a step: a sentence, and where possible a SymPy condition."""

    text: str
    condition: sp.Basic | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Link:
    """One verified line of a proof: ``lhs = rhs`` (or ``lhs`` alone for a fact), and why."""

    lhs: sp.Basic | str
    rhs: sp.Basic | str | None
    why: str
    relation: str = "="


@dataclass(frozen=True)
class Outcome:
    """What the proof of a step established about the printed statement."""

    status: Status
    method: Method
    chain: tuple[Link, ...] = ()
    note: str = ""
    convention: str = ""
    counterexample: Mapping[str, float] | None = None
    corrected: sp.Basic | None = None
    corrected_text: str = ""
    checks: tuple[str, ...] = ()


ProofFn = Callable[[], Outcome]


@dataclass(frozen=True)
class Step:
    """A printed statement of the paper and how it is verified.

    ``printed`` is the statement exactly as printed (SymPy ``Eq``/expression/boolean),
    or, for a qualitative claim, the quoted sentence; ``statement`` is then the precise
    mathematical reading that the proof decides.  ``exprs`` holds the verified
    expressions that other layers (``numerics``) take by name, never re-typing them.
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

    def __post_init__(self) -> None:
        if not isinstance(self.exprs, MappingProxyType):
            object.__setattr__(self, "exprs", MappingProxyType(dict(self.exprs)))
