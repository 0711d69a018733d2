"""The registry's rules, for every source (the engine's rules live in derivations.engine;
these tests run them over the real sources and demand a clean verdict from each)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sympy as sp

from derivations.engine import registry
from derivations.engine.step import Status
from derivations.engine.verify import Result, verify_all

SOURCES = registry.source_names()


@pytest.fixture(scope="module")
def results() -> dict[str, list[Result]]:
    return {name: verify_all(source=name) for name in SOURCES}


@pytest.mark.parametrize("name", SOURCES)
def test_sections_labels_exprs_and_statements_are_well_formed(name: str) -> None:
    src = registry.source(name)
    steps = registry.steps(name)
    assert steps, f"source {name} has no steps"
    assert [s.id for s in steps if s.section not in src.sections] == []
    assert [(s.id, k) for s in steps for k, v in s.exprs.items()
            if not isinstance(v, sp.Basic)] == []
    assert [s.id for s in steps if not isinstance(s.printed, sp.Basic | str)] == []
    assert [s.id for s in steps if isinstance(s.printed, str) and s.statement is None] == [], \
        "a quoted claim needs statement= (its precise reading)"


@pytest.mark.parametrize("name", SOURCES)
def test_no_proof_fails_or_reaches_an_undeclared_step(name: str, results) -> None:
    """Every proof runs to an outcome: no exception (an undeclared ``pf.use`` raises
    UndeclaredUse), no verdict without comparing against its printed statement, no unknown
    convention key."""
    assert {r.id: r.error for r in results[name] if r.error} == {}


@pytest.mark.parametrize("name", SOURCES)
def test_every_verdict_other_than_holds_has_a_reason(name: str, results) -> None:
    assert [r.id for r in results[name] if r.status is not Status.HOLDS
            and not r.note.strip()] == []


@pytest.mark.parametrize("name", SOURCES)
def test_no_verifier_warnings(name: str, results) -> None:
    assert {r.id: r.warnings for r in results[name] if r.warnings} == {}


@pytest.mark.parametrize("name", SOURCES)
def test_counterexamples_are_numbers(name: str, results) -> None:
    bad = []
    for r in results[name]:
        for k, v in (r.outcome.counterexample or {}).items():
            try:
                float(v)
            except (TypeError, ValueError):
                bad.append((r.id, k, v))
    assert bad == []


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex not installed (apt-get install texlive-latex-recommended)")
def test_the_real_document_compiles(results, tmp_path: Path) -> None:
    from derivations.engine.latex import compile_pdf, render

    tex = tmp_path / "proofs.tex"
    tex.write_text(render([r for rs in results.values() for r in rs]), encoding="utf-8")
    assert compile_pdf(tex).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name", SOURCES)
def test_step_modules_do_not_import_each_other(name: str) -> None:
    """A step reaches another step only through ``pf.use`` (declared in ``uses``), never by
    importing the module that holds it; shared definitions live in modules without steps."""
    import ast
    import importlib

    src = registry.source(name)
    bad = []
    for mod in src.modules:
        path = Path(importlib.import_module(f"{src.package}.{mod}").__file__)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
                bad += [(mod, t) for t in targets if t in src.modules]
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "import_module":
                bad.append((mod, "import_module"))
    assert bad == []
