"""The ICML 2018 source against its transcription: every printed label has a step, and the
statuses are those the verifier gave before the engine restructure (``statuses.txt``).

The transcription is a file of the project (``derivations/pretorius2018/transcription.md``, the
paper's equations with its labels), so these tests need no ``../shared``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derivations.engine import registry
from derivations.engine.verify import Result, verify_all

SOURCE = registry.source("pretorius2018")
TRANSCRIPTION = Path(__import__(SOURCE.package, fromlist=["x"]).__file__).with_name(
    SOURCE.transcription)
LABELS = re.findall(r"^- \[([^\]]+)\]", TRANSCRIPTION.read_text(encoding="utf-8"), re.MULTILINE)
STORED = dict(line.split() for line in (Path(__file__).with_name("statuses.txt")).read_text()
              .splitlines() if line.strip() and not line.startswith("#"))


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return verify_all(source="pretorius2018")


def test_transcription_has_its_labels() -> None:
    assert len(LABELS) == len(set(LABELS)) > 30  # the sheet lists 41 distinct labels


def test_every_printed_label_has_a_step() -> None:
    ids = {s.id for s in registry.steps("pretorius2018")}
    assert [lab for lab in LABELS if lab not in ids] == []


def test_steps_marked_printed_are_printed_labels() -> None:
    printed = set(LABELS)
    steps = registry.steps("pretorius2018")
    assert [s.id for s in steps if s.printed_in_paper and s.id not in printed] == []
    assert [s.id for s in steps if not s.printed_in_paper and s.id in printed] == []


def test_statuses_are_the_stored_table(results: list[Result]) -> None:
    got = {r.id: r.status.value for r in results}
    assert got == STORED, {k: (got.get(k), v) for k, v in STORED.items() if got.get(k) != v}
