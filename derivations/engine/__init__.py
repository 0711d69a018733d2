"""The paper-agnostic verifier engine: steps, proofs, the registry, verification, reports.

It knows no source: each source is a subpackage of :mod:`derivations` with a ``SOURCE``
(see :mod:`derivations.sources`).
"""

from .conventions import Convention
from .proof import Chain, Proof, ProofError, UndeclaredUse, numeric_zero
from .registry import Source, UnknownStepError, all_steps, get, source, source_names, steps
from .step import Assumption, Link, Method, Outcome, OutcomeError, Status, Step
from .verify import Result, verify_all, verify_step

__all__ = ["Assumption", "Chain", "Convention", "Link", "Method", "Outcome", "OutcomeError",
           "Proof", "ProofError", "Result", "Source", "Status", "Step", "UndeclaredUse",
           "UnknownStepError", "all_steps", "get", "numeric_zero", "source", "source_names",
           "steps", "verify_all", "verify_step"]
