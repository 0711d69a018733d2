"""The notes' source against its transcription: every LN.* label is a step, and the verdicts are
the ones decided by hand below (derivations/notes/transcription.md is a file of the project, so
this needs no ../shared)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derivations.engine import registry
from derivations.engine.step import Status
from derivations.engine.verify import Result, verify_all

SOURCE = registry.source("notes")
TRANSCRIPTION = Path(__import__(SOURCE.package, fromlist=["x"]).__file__).with_name(
    SOURCE.transcription)
LABELS = re.findall(r"^- \[([^\]]+)\]", TRANSCRIPTION.read_text(encoding="utf-8"), re.MULTILINE)

#: decided by hand (reasons in each step's note); every non-holds verdict is listed in the report
EXPECTED = {
    "LN.hb.picture": "holds", "LN.hb": "holds", "LN.adaptive": "holds",
    "LN.ewma": "refuted",  # summand x for x_k; v_0 = 0 unstated
    "LN.ewma.bias": "holds", "LN.rmsprop": "holds", "LN.adagrad": "holds",
    "LN.adagrad.sparse": "unverified",  # cited regret bound
    "LN.adam": "holds",
    "LN.adam.update": "refuted",  # '+ 1' for '+ epsilon'
    "LN.standardise": "holds-under-convention",  # 1/p variance, sigma_i > 0
    "LN.wilson": "unverified",  # cited empirical claim
    "LN.ae.loss": "refuted",  # ||.||^(1/2) for ||.||^2
    "LN.pca.rank1": "holds", "LN.pca.vw": "holds", "LN.pca.ey": "holds",
    "LN.pca.svd": "holds-under-convention",  # centred X only
    "LN.pca.var": "holds", "LN.pca.sgd": "holds",
    "PCA.trace": "holds", "PCA.critical": "holds", "PCA.dae": "holds",
    "OD.hessian": "holds", "OD.hessian.wd": "holds", "OD.gd": "holds",
    "OD.heavy-ball": "holds", "OD.nesterov": "holds",
    "OD.polyak": "holds", "OD.imbalance": "holds", "OD.flow": "holds", "OD.adam.scale": "holds",
    "OD.decoupling": "holds",
}


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return verify_all(source="notes")


def test_transcription_has_its_labels() -> None:
    assert len(LABELS) == len(set(LABELS)) == 18
    assert all(lab.startswith("LN.") for lab in LABELS)


def test_every_ln_label_is_a_step() -> None:
    ids = {s.id for s in registry.steps("notes")}
    assert [lab for lab in LABELS if lab not in ids] == []


def test_steps_marked_printed_are_transcribed_labels() -> None:
    printed = set(LABELS)
    steps = registry.steps("notes")
    assert [s.id for s in steps if s.printed_in_paper and s.id not in printed] == []
    assert [s.id for s in steps if not s.printed_in_paper and s.id in printed] == []


def test_verdicts_are_the_hand_decided_ones(results: list[Result]) -> None:
    got = {r.id: r.status.value for r in results}
    assert got == EXPECTED, {k: (got.get(k), v) for k, v in EXPECTED.items() if got.get(k) != v}


def test_no_errors_warnings_and_every_other_verdict_has_a_reason(results: list[Result]) -> None:
    assert {r.id: r.error for r in results if r.error} == {}
    assert {r.id: r.warnings for r in results if r.warnings} == {}
    assert [r.id for r in results if r.status is not Status.HOLDS and not r.note.strip()] == []


def test_refuted_steps_carry_counterexample_and_correction(results: list[Result]) -> None:
    for r in results:
        if r.status is Status.REFUTED:
            assert r.outcome.counterexample, r.id
            assert r.outcome.corrected is not None, r.id
