"""The terminal table and the JSON records of derivations.engine.report, on synthetic results."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import sympy as sp

from derivations.engine import Convention, Source, registry
from derivations.engine.proof import Proof
from derivations.engine.report import (
    format_table,
    number,
    record,
    records,
    status_counts,
    write_json,
)
from derivations.engine.step import Assumption, Method, Outcome, Status, Step
from derivations.engine.verify import Result, verify_all

x, y = sp.symbols("x y", positive=True)
u = sp.Symbol("u", real=True)  # no assumptions, so u > 0 stays a relation


def _holds(pf: Proof) -> Outcome:
    c = pf.chain().equal((x + 1) ** 2, x**2 + 2 * x + 1, "expand the square")
    c.fact(sp.Gt(u, 0), "u is positive by assumption")
    c.conclude(pf.printed, sp.Eq(y, 3 * x), "as printed")
    return c.check("20 random points agree to 1e-30").outcome()


def _refuted(pf: Proof) -> Outcome:
    ch = pf.chain().disprove(pf.printed, {x: 1, y: 2}, "y = 2 x, not 3 x")
    return ch.equal(2 * x, x + x, "sum").outcome(
        Status.REFUTED,
        counterexample={"x": sp.Rational(1, 4), "y": 3, "z": float("nan")},
        corrected=sp.Eq(y, 2 * x), note="the printed factor is 3, not 2",
    )


def _refuted_text(pf: Proof) -> Outcome:
    return pf.chain().disprove(pf.printed, {u: -1}, "u = -1").outcome(
        Status.REFUTED, counterexample={"eps": 5.0},
        corrected_text="more noise converges more slowly", note="rate falls with eps",
    )


def _convention(pf: Proof) -> Outcome:
    return pf.chain().conclude(pf.printed, sp.Eq(2 * x, x + x, evaluate=False), "sum").outcome(
        Status.CONVENTION, convention="sigma-sum", note="needs the sum")


def _raises(pf: Proof) -> Outcome:
    raise RuntimeError("x" * 2000)  # a very long error must not break the table


LONG_ASSUMPTION = "a very long assumption text " * 8

STEPS = (
    Step("eq1", "2", "a holding step", sp.Eq(y, 3 * x), _holds,
         assumes=(Assumption("u > 0", sp.Gt(u, 0)), Assumption(LONG_ASSUMPTION)),
         note="holding note", exprs={"y": 2 * x}),
    Step("eq2-with-a-very-long-label-indeed", "C", "refuted", sp.Eq(y, 3 * x), _refuted,
         uses=("eq1",)),
    Step("4.claim", "4", "claim", "adding more noise results in faster convergence",
         _refuted_text, statement=sp.Gt(u, 0)),
    Step("N.x", "N", "convention", sp.Eq(2 * x, x + x, evaluate=False), _convention,
         printed_in_paper=False),
    Step("B.r", "B", "raises", sp.Eq(x, x), _raises),
)


SOURCE = Source(name="demo", title="A synthetic source", package="tests", modules=(),
                sections={"2": "Two", "B": "Appendix B", "4": "Four", "C": "C", "N": "N"},
                conventions=(Convention("sigma-sum", "Sigma_xx is a sum"),))


@pytest.fixture(autouse=True)
def demo_registry():
    with registry.override({"demo": (SOURCE, STEPS)}):
        yield


def results() -> list[Result]:
    return verify_all()


def test_record_has_the_required_fields() -> None:
    recs = {r["id"]: r for r in records(results())}
    required = {"id", "section", "title", "printed", "printed_in_paper", "status", "method",
                "assumptions", "uses", "note", "convention", "seconds", "checks"}
    for rec in recs.values():
        assert required <= rec.keys()
    r1 = recs["eq1"]
    assert r1["printed"] == "y = 3 x"  # sympy.latex of the printed statement
    assert r1["assumptions"] == ["u > 0", LONG_ASSUMPTION]
    assert r1["assumption_conditions"] == ["u > 0", None]
    assert r1["status"] == "holds" and r1["method"] == "symbolic + numeric cross-check"
    assert r1["checks"] == ["20 random points agree to 1e-30"]
    assert r1["chain"][0]["why"] == "expand the square" and r1["chain"][1]["rhs"] is None
    assert "counterexample" not in r1 and "corrected" not in r1
    assert recs["4.claim"]["printed"] == "adding more noise results in faster convergence"
    assert recs["4.claim"]["statement"] == "u > 0"
    assert recs["N.x"]["printed_in_paper"] is False
    assert recs["N.x"]["convention"] == "sigma-sum"
    assert recs["N.x"]["convention_text"] == "Sigma_xx is a sum"
    assert recs["eq1"]["convention"] is None and recs["eq1"]["source"] == "demo"
    assert recs["eq1"]["key"] == "demo:eq1"
    assert [k["checked"] for k in r1["chain"]] == [True, False, True]
    assert r1["chain"][2]["conclusion"] is True and r1["unchecked_facts"] == 1
    assert recs["B.r"]["status"] == "unverified" and "RuntimeError" in recs["B.r"]["error"]


def test_refuted_records_carry_numbers_and_the_corrected_statement() -> None:
    recs = {r["id"]: r for r in records(results())}
    r2 = recs["eq2-with-a-very-long-label-indeed"]
    assert r2["counterexample"]["x"] == 0.25 and isinstance(r2["counterexample"]["y"], float)
    assert r2["counterexample"]["z"] == "nan"  # strict JSON has no NaN
    assert r2["corrected"] == "y = 2 x"
    assert recs["4.claim"]["corrected"] == "more noise converges more slowly"


def test_json_file_is_strict_json_with_a_top_level_object(tmp_path: Path) -> None:
    path = write_json(results(), tmp_path / "r.json", timeout=7.0)
    doc = json.loads(path.read_text(), parse_constant=lambda c: (_ for _ in ()).throw(
        AssertionError(f"non-standard JSON constant {c}")))
    assert doc["sources"] == ["demo"] and doc["timeout"] == 7.0
    assert doc["totals"] == {"holds": 1, "holds-under-convention": 1, "refuted": 2,
                             "unverified": 1}
    assert doc["totals_by_source"]["demo"] == doc["totals"]
    data = doc["steps"]
    assert [d["id"] for d in data] == [s.id for s in STEPS]
    assert all(isinstance(d["seconds"], float) for d in data)


def test_number() -> None:
    assert number(sp.Rational(1, 2)) == 0.5
    assert number(sp.pi) == math.pi
    assert number(float("inf")) == "inf"
    assert number("abc") == "abc"
    assert number(sp.I) == "I"


def test_status_counts_list_every_status() -> None:
    counts = status_counts(results())
    assert counts == {"holds": 1, "holds-under-convention": 1, "refuted": 2, "unverified": 1}


def test_table_fits_100_columns_and_has_rows_and_totals() -> None:
    res = results()
    text = format_table(res, 12.5)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    for s in STEPS:
        assert any(line.startswith(s.id[:10]) for line in lines), s.id
    assert "totals (5 steps)  holds: 1  holds-under-convention: 1  refuted: 2  unverified: 1" \
        in text
    assert "printed in the paper (4)" in text
    assert "total wall time 12.50 s" in text
    assert "N.x*" in text and "not printed in the paper" in text
    # reasons for every verdict other than holds, below the row
    assert "note: the printed factor is 3, not 2" in text
    assert "corrected: Eq(y, 2*x)" in text
    assert "corrected: more noise converges more slowly" in text
    assert "convention: sigma-sum (Sigma_xx is a sum)" in text
    assert "eq2-with-a-very-long-label-indeed" in text  # labels are never truncated
    assert "error: proof raised RuntimeError" in text
    assert "holding note" not in text  # a holding step's note only with --verbose


def test_table_sections_follow_the_paper_order() -> None:
    text = format_table(results())
    heads = [line.split("]")[0] for line in text.splitlines() if line.startswith("[")]
    assert heads == ["[2", "[B", "[4", "[C", "[N"]


def test_verbose_table_shows_checks_counterexamples_and_full_errors() -> None:
    res = results()
    short = format_table(res)
    long = format_table(res, verbose=True)
    assert "holding note" in long
    assert " ".join(long.split()).count("a very long assumption text") >= 8  # -v: in full
    assert "check: 20 random points agree to 1e-30" in long
    assert "counterexample: x=0.25, y=3, z=nan" in long
    assert long.count("x") > short.count("x") + 1000  # the 2000-char error in full
    assert max(len(line) for line in long.splitlines()) <= 100


def test_empty_results() -> None:
    text = format_table([], 0.0)
    assert "totals (0 steps)" in text
    assert records([]) == []


def test_unverified_by_numerics_is_reported_with_its_method() -> None:
    step = Step("u", "2", "u", sp.Eq(x, x),
                lambda pf: Outcome(Status.UNVERIFIED, Method.NUMERIC, note="why not"))
    (res,) = verify_all(steps=(step,))
    rec = record(res)
    assert rec["method"] == "numeric only" and rec["note"] == "why not"
    assert "numeric" in format_table([res]).splitlines()[3]
