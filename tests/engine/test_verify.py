"""The verifier engine on a synthetic source: one test per path of ``verify_step``.

Paths: holds, holds under a convention, refuted with counterexample and corrected statement,
unverified, a proof that raises, returns garbage, names an unknown ``uses`` label, reaches an
undeclared step, never compares against its printed statement, names an unknown convention,
and runs past the time limit.
"""

from __future__ import annotations

import time

import pytest
import sympy as sp

from derivations.engine import registry
from derivations.engine.proof import Chain, Proof, ProofError
from derivations.engine.step import Method, Outcome, OutcomeError, Status, Step
from derivations.engine.verify import (
    Result,
    UnknownStepError,
    close_matches,
    outcome_warnings,
    resolve_ids,
    verify_all,
    verify_step,
)

from .synthetic import CALLS, EXTRA, SYNTH, synthetic, x, y


@pytest.fixture()
def demo():
    with synthetic(extra=True):
        yield


def by_id(results: list[Result]) -> dict[str, Result]:
    return {r.id: r for r in results}


def test_every_step_gets_one_result_in_registry_order(demo: None) -> None:
    results = verify_all()
    assert [r.id for r in results] == [s.id for s in SYNTH + EXTRA]
    assert all(r.seconds >= 0 and r.step.source == "demo" for r in results)


def test_statuses_of_each_path(demo: None) -> None:
    r = by_id(verify_all())
    assert r["eq1"].status is Status.HOLDS and r["eq1"].error == ""
    assert r["eq1"].method == "symbolic proof"
    assert r["eq2"].status is Status.CONVENTION and r["eq2"].error == ""
    assert r["eq3"].status is Status.REFUTED and r["eq3"].error == ""
    assert r["eq3"].outcome.counterexample == {"x": 1.0}
    assert r["B.int"].status is Status.UNVERIFIED and r["B.int"].error == ""
    assert r["B.int"].method == "numeric only"
    assert r["X.uses"].status is Status.HOLDS


def test_a_proof_that_raises_is_unverified_with_the_error_text(demo: None) -> None:
    r = by_id(verify_all())["B.raise"]
    assert r.status is Status.UNVERIFIED
    assert "ZeroDivisionError" in r.error and "division by zero at x = 0" in r.error
    assert r.note == r.error and r.method == "none"


def test_a_proof_that_returns_no_outcome_is_unverified(demo: None) -> None:
    r = by_id(verify_all())["B.garbage"]
    assert r.status is Status.UNVERIFIED and "str" in r.error and "Outcome" in r.error


def test_unknown_uses_label_is_unverified_and_the_proof_is_not_run(demo: None) -> None:
    before = CALLS.get("never", 0)
    r = by_id(verify_all())["B.uses"]
    assert r.status is Status.UNVERIFIED and "nope" in r.error and "eq1" not in r.error
    assert CALLS.get("never", 0) == before


def test_reaching_an_undeclared_step_is_unverified(demo: None) -> None:
    r = by_id(verify_all())["X.undeclared"]
    assert r.status is Status.UNVERIFIED
    assert "UndeclaredUse" in r.error and "'eq1'" in r.error


def test_holds_without_comparing_against_the_printed_statement_is_refused(demo: None) -> None:
    r = by_id(verify_all())["X.noconc"]
    assert r.status is Status.UNVERIFIED
    assert "without comparing against its printed statement" in r.error


def test_an_unknown_convention_key_is_refused(demo: None) -> None:
    r = by_id(verify_all())["X.badconv"]
    assert r.status is Status.UNVERIFIED and "no-such-key" in r.error and "tau" in r.error


def test_a_perturbed_statement_does_not_pass(demo: None) -> None:
    step = registry.get("demo:eq1")
    wrong = sp.Eq((x + y) ** 2, x**2 + 3 * x * y + y**2)
    assert verify_step(step).status is Status.HOLDS
    r = verify_step(step, printed=wrong)
    assert r.status is Status.UNVERIFIED and "does not follow" in r.error


def test_conclude_refuses_objects_not_taken_from_the_printed_statement(demo: None) -> None:
    step = registry.get("demo:eq1")
    pf = Proof(step, registry.get)
    with pytest.raises(ProofError, match="printed statement"):
        pf.chain().conclude(x - y, x - y, "not part of the printed statement")
    with pytest.raises(ProofError, match="Proof.chain"):
        Chain().conclude(pf.printed, pf.printed, "no proof context")


def test_uses_are_checked_against_the_whole_source_not_the_subset(demo: None) -> None:
    (r,) = verify_all(["eq3"])
    assert r.status is Status.REFUTED and r.error == ""


def test_nothing_is_cached_between_runs(demo: None) -> None:
    before = CALLS.get("holds", 0)
    verify_all(["eq1"])
    verify_all(["eq1"])
    assert CALLS["holds"] == before + 2


def test_wall_time_is_measured(demo: None) -> None:
    (r,) = verify_all(["4.slow"])
    assert 0.05 <= r.seconds < 5


def test_subset_keeps_registry_order_and_ignores_blanks(demo: None) -> None:
    assert [r.id for r in verify_all(["eq3", " eq1 ", ""])] == ["eq1", "eq3"]


def test_unknown_label_raises_with_close_matches_before_running_anything(demo: None) -> None:
    before = CALLS.get("holds", 0)
    with pytest.raises(UnknownStepError) as info:
        verify_all(["eq1", "B.Int", "zzz"])
    msg = str(info.value)
    assert "'B.Int'" in msg and "B.int" in msg and "'zzz'" in msg and "known labels" in msg
    assert isinstance(info.value, KeyError)  # the CLI maps KeyError to exit 2
    assert CALLS.get("holds", 0) == before


def test_a_single_string_is_a_label_list_not_characters(demo: None) -> None:
    assert [r.id for r in verify_all("eq3,eq1")] == ["eq1", "eq3"]


def test_labels_are_addressable_with_their_source() -> None:
    with synthetic(two_sources=True):
        assert [r.key for r in verify_all(["other:eq1"])] == ["other:eq1"]
        assert [r.key for r in verify_all("eq1", source="demo")] == ["demo:eq1"]
        assert {r.key for r in verify_all("eq1")} == {"demo:eq1", "other:eq1"}
        assert registry.get("demo:eq1").source == "demo"
        with pytest.raises(UnknownStepError, match="ambiguous"):
            registry.get("eq1")
        assert registry.get("eq2").key == "demo:eq2"  # unique bare label
        assert [r.step.source for r in verify_all(source="other")] == ["other"]


def test_close_matches() -> None:
    known = ["eq5", "eq6", "B.int", "B.E", "5.claim2"]
    assert close_matches("eq55", known)[0] == "eq5"
    assert "B.int" in close_matches("int", known)
    assert close_matches("qqqqqq", known) == []


def test_resolve_ids_none_means_all() -> None:
    assert resolve_ids(None, SYNTH) == list(SYNTH)


def test_timeout_turns_a_hanging_proof_into_unverified() -> None:
    def hang(pf: Proof) -> Outcome:
        time.sleep(10)
        return Chain().outcome()

    step = Step("hang", "2", "hangs", sp.Eq(x, x), hang)
    t0 = time.perf_counter()
    r = verify_step(step, [step], timeout=0.2)
    assert time.perf_counter() - t0 < 3
    assert r.status is Status.UNVERIFIED and "time limit" in r.error


def test_progress_callback_sees_every_step(demo: None) -> None:
    seen: list[tuple[int, int, str]] = []
    verify_all(["eq1", "eq2"], progress=lambda i, n, s: seen.append((i, n, s.id)))
    assert seen == [(0, 2, "eq1"), (1, 2, "eq2")]


def test_outcomes_are_validated_when_built() -> None:
    with pytest.raises(OutcomeError, match="counterexample"):
        Outcome(Status.REFUTED, Method.SYMBOLIC, corrected=sp.Eq(x, y))
    with pytest.raises(OutcomeError, match="corrected"):
        Outcome(Status.REFUTED, Method.SYMBOLIC, counterexample={"x": 1.0})
    with pytest.raises(OutcomeError, match="numerics alone"):
        Outcome(Status.HOLDS, Method.NUMERIC, checks=("100 samples",))
    with pytest.raises(OutcomeError, match="convention"):
        Outcome(Status.CONVENTION, Method.SYMBOLIC, note="n")
    with pytest.raises(OutcomeError):
        Outcome("maybe", Method.SYMBOLIC)  # type: ignore[arg-type]
    with pytest.raises(OutcomeError, match="Link"):
        Outcome(Status.HOLDS, Method.SYMBOLIC, chain=("x = x",))  # type: ignore[arg-type]
    assert Outcome("holds", "symbolic proof").status is Status.HOLDS  # type: ignore[arg-type]


def test_facts_are_unchecked_and_need_a_reason() -> None:
    ch = Chain().fact(x > 0, "x is declared positive").equal(x + x, 2 * x, "collect")
    out = ch.outcome()
    assert [k.checked for k in out.chain] == [False, True]
    assert len(out.unchecked) == 1
    with pytest.raises(OutcomeError, match="reason"):
        Chain().fact(x > 0, " ")


def test_expression_names_are_checked(demo: None) -> None:
    with pytest.raises(KeyError, match="valid: square"):
        registry.get("demo:eq1").expr("sqaure")


def test_warnings_flag_softer_breaches() -> None:
    step = Step("s", "2", "t", sp.Eq(x, x), lambda pf: Chain().outcome())
    unverified = Outcome(Status.UNVERIFIED, Method.SYMBOLIC)
    assert any("note" in m for m in outcome_warnings(step, unverified))
    trivial = Chain().equal(sp.Integer(1), sp.Integer(1), "density integrates to 1").outcome()
    (msg,) = outcome_warnings(step, trivial)
    assert "identical sides" in msg and "density integrates to 1" in msg


def test_a_well_formed_result_has_no_warnings(demo: None) -> None:
    r = by_id(verify_all())
    assert r["eq1"].warnings == () and r["eq3"].warnings == () and r["eq2"].warnings == ()
