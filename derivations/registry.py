"""The ordered registry of derivation steps: the paper's labels, in the paper's order.

Each section module holds a ``STEPS`` tuple; this module concatenates them.  ``verify``,
``latex`` and ``numerics`` read the registry and nothing else.
"""

from __future__ import annotations

from importlib import import_module

from .step import Step

#: section modules, in the order the paper presents them
SECTION_MODULES: tuple[str, ...] = (
    "noise",  # Section 2, Appendix A
    "gradient_flow",  # Section 3
    "hyperbolic",  # Section 3 eq5, Appendix B
    "fixed_point_flow",  # Section 4
    "decay_flow",  # Section 5, Appendix C
    "curvature",  # Appendix D, eq8
    "noise_decay_equivalence",  # Appendix E, Section 5.2
    "mapping_ratio",  # Appendix F
    "stable_forms",  # verified rewrites used by numerics (not printed in the paper)
)

#: one heading per paper section, used by the report and the LaTeX document
SECTION_TITLES: dict[str, str] = {
    "2": "Linear denoising autoencoders (Section 2, Appendix A)",
    "3": "Gradient flow and scalar dynamics (Section 3)",
    "B": "Derivation of the closed form (Appendix B)",
    "4": "Fixed points and the effect of noise (Section 4)",
    "C": "Weight-decay dynamics (Section 5, Appendix C)",
    "D": "Hessian and optimal learning rates (Appendix D, eq8)",
    "E": "Noise versus weight decay (Appendix E, Section 5.2)",
    "F": "Identity-mapping estimate (Appendix F)",
    "N": "Numerically stable forms used by daedyn.numerics (not in the paper)",
}


def _load() -> tuple[Step, ...]:
    steps: list[Step] = []
    for name in SECTION_MODULES:
        steps.extend(import_module(f"{__package__}.{name}").STEPS)
    ids = [s.id for s in steps]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"duplicate step ids: {sorted(dupes)}")
    return tuple(steps)


STEPS: tuple[Step, ...] = _load()
_BY_ID: dict[str, Step] = {s.id: s for s in STEPS}


def get(step_id: str) -> Step:
    """The step with this label (e.g. ``"eq5"``); ``KeyError`` naming known labels if absent."""
    try:
        return _BY_ID[step_id]
    except KeyError:
        raise KeyError(f"unknown step {step_id!r}; known: {', '.join(_BY_ID)}") from None
