"""The real registry against the paper: every printed label has a step, and every verdict
follows the registry's rules (reasons, counterexamples, corrected statements, conventions).

The labels are those of ``../shared/EQUATIONS.md`` (list items ``- [label] ...``); the tests
that need it skip when it is absent.  The proofs are run once for the whole module.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sympy as sp

from derivations import registry
from derivations.conventions import CONVENTIONS
from derivations.engine.step import Status
from derivations.engine.verify import Result, verify_all

REPO = Path(__file__).resolve().parents[1]
EQUATIONS = REPO.parent / "shared" / "EQUATIONS.md"


def _printed_labels() -> list[str]:
    if not EQUATIONS.exists():
        return []
    text = EQUATIONS.read_text(encoding="utf-8")
    return re.findall(r"^- \[([^\]]+)\]", text, flags=re.MULTILINE)


LABELS = _printed_labels()
IDS = {s.id for s in registry.STEPS}
needs_equations = pytest.mark.skipif(not LABELS, reason=f"{EQUATIONS} not found")


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return verify_all()


@needs_equations
def test_equations_sheet_has_labels() -> None:
    assert len(LABELS) == len(set(LABELS)) > 30  # the sheet lists 41 distinct labels


@needs_equations
@pytest.mark.parametrize("label", LABELS or ["(none)"])
def test_every_printed_label_has_a_step(label: str) -> None:
    assert label in IDS, f"no Step with id {label!r} in the registry"


@needs_equations
def test_steps_marked_printed_are_printed_labels() -> None:
    printed = set(LABELS)
    wrong = [s.id for s in registry.STEPS if s.printed_in_paper and s.id not in printed]
    clash = [s.id for s in registry.STEPS if not s.printed_in_paper and s.id in printed]
    assert not wrong, f"printed_in_paper=True but not a label of EQUATIONS.md: {wrong}"
    assert not clash, f"printed_in_paper=False but a label of EQUATIONS.md: {clash}"


def test_steps_are_in_known_sections() -> None:
    bad = [(s.id, s.section) for s in registry.STEPS if s.section not in registry.SECTION_TITLES]
    assert not bad


def test_every_uses_names_a_known_step() -> None:
    bad = {s.id: [u for u in s.uses if u not in IDS] for s in registry.STEPS}
    assert not {k: v for k, v in bad.items() if v}


def test_every_exprs_value_is_a_sympy_object() -> None:
    bad = [(s.id, k, type(v).__name__) for s in registry.STEPS for k, v in s.exprs.items()
           if not isinstance(v, sp.Basic)]
    assert not bad


def test_every_printed_statement_is_sympy_or_a_sentence() -> None:
    bad = [s.id for s in registry.STEPS if not isinstance(s.printed, (sp.Basic, str))]
    assert not bad
    sentences_without_reading = [s.id for s in registry.STEPS
                                 if isinstance(s.printed, str) and s.statement is None]
    assert not sentences_without_reading, "a quoted claim needs statement= (its precise reading)"


def test_no_proof_raises(results: list[Result]) -> None:
    errors = {r.id: r.error for r in results if r.error}
    assert not errors


def test_every_verdict_other_than_holds_has_a_reason(results: list[Result]) -> None:
    bad = [r.id for r in results if Status(r.status) is not Status.HOLDS and not r.note.strip()]
    assert not bad


def test_every_refuted_printed_step_has_counterexample_and_correction(
        results: list[Result]) -> None:
    bad = [r.id for r in results
           if Status(r.status) is Status.REFUTED and r.step.printed_in_paper
           and not (r.outcome.counterexample
                    and (r.outcome.corrected is not None or r.outcome.corrected_text))]
    assert not bad


def test_counterexamples_are_numbers(results: list[Result]) -> None:
    bad = []
    for r in results:
        for k, v in (r.outcome.counterexample or {}).items():
            try:
                float(v)
            except (TypeError, ValueError):
                bad.append((r.id, k, v))
    assert not bad


def test_conventions_name_a_known_convention(results: list[Result]) -> None:
    bad = [(r.id, r.outcome.convention) for r in results
           if Status(r.status) is Status.CONVENTION
           and not any(k in r.outcome.convention for k in CONVENTIONS)]
    assert not bad, f"convention must name a key of {sorted(CONVENTIONS)}"


def test_no_verifier_warnings(results: list[Result]) -> None:
    warned = {r.id: r.warnings for r in results if r.warnings}
    assert not warned


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex not installed (apt-get install texlive-latex-recommended)")
def test_the_real_document_compiles(results: list[Result], tmp_path: Path) -> None:
    from derivations.latex import compile_pdf, render

    tex = tmp_path / "proofs.tex"
    tex.write_text(render(results), encoding="utf-8")
    pdf = compile_pdf(tex)
    assert pdf.read_bytes().startswith(b"%PDF")
