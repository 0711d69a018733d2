"""The documentation runs: every example in README.md and docs/numerics.md (doctest), and the
README's findings table is what ``daedyn verify --markdown`` prints (never hand-copied)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page,minimum", [("README.md", 3), ("docs/numerics.md", 20)])
def test_examples_run(page: str, minimum: int) -> None:
    result = doctest.testfile(str(ROOT / page), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted >= minimum
    assert result.failed == 0


def test_readme_findings_are_generated_by_the_verifier() -> None:
    import json

    from derivations.engine import report
    from derivations.engine.verify import verify_all

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    mut = ROOT / "docs" / "mutation.json"
    mutation = json.loads(mut.read_text(encoding="utf-8")) if mut.exists() else None
    block = re.search(r"<!-- findings:start -->\n(.*?)<!-- findings:end -->", text, re.S)
    assert block, "README.md lacks the findings block"
    assert block.group(1) == report.markdown(verify_all(), mutation), (
        "README findings are stale: regenerate with `make findings`")


def test_readme_is_short() -> None:
    # three sources, each with its findings and headline results: a page, not a manual
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 230
