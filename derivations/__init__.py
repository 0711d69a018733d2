"""daedyn.derivations: the verifier engine and one package per verified source.

``derivations.engine`` knows no source; ``derivations.pretorius2018`` (and the other names of
:data:`derivations.sources.SOURCES`) hold the steps.  Importing this package builds no step.
"""

from .engine import (
    Assumption,
    Link,
    Method,
    Outcome,
    Result,
    Status,
    Step,
    all_steps,
    get,
    source,
    source_names,
    steps,
    verify_all,
)

__all__ = ["Assumption", "Link", "Method", "Outcome", "Result", "Status", "Step", "all_steps",
           "get", "source", "source_names", "steps", "verify_all"]
