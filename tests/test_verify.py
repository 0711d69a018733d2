"""The verifier engine (derivations.verify) on small synthetic registries.

Each synthetic step exercises one path: a proof that holds, one that holds under a
convention, a refutation with counterexample and corrected statement, an unverified
outcome, a proof that raises, a proof that returns garbage, a ``uses`` naming an unknown
label, and a proof that runs past the time limit.
"""

from __future__ import annotations

import time

import pytest
import sympy as sp

from derivations.proof import Chain
from derivations.step import Method, Outcome, Status, Step
from derivations.verify import (
    Result,
    UnknownStepError,
    close_matches,
    outcome_warnings,
    resolve_ids,
    verify_all,
    verify_step,
)

x, y = sp.symbols("x y", positive=True)
CALLS: dict[str, int] = {}


def _count(name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


def _holds() -> Outcome:
    _count("holds")
    return Chain().equal((x + y) ** 2, x**2 + 2 * x * y + y**2, "binomial").outcome()


def _convention() -> Outcome:
    return Chain().equal(x * (y + 1), x * y + x, "distribute").outcome(
        Status.CONVENTION, convention="tau: one unit of t is an epoch", note="needs tau = N/alpha"
    )


def _refuted() -> Outcome:
    chain = Chain().equal(sp.Derivative(x**2, x), 2 * x, "power rule", via=(sp.Basic.doit,))
    return chain.outcome(
        Status.REFUTED, counterexample={"x": 1.0}, corrected=sp.Eq(sp.diff(x**2, x), 2 * x),
        note="the printed derivative lacks the factor 2",
    )


def _unverified() -> Outcome:
    return Outcome(Status.UNVERIFIED, Method.NUMERIC, note="no closed form found")


def _raises() -> Outcome:
    _count("raises")
    raise ZeroDivisionError("division by zero at x = 0")


def _garbage() -> Outcome:
    return "holds"  # type: ignore[return-value]


def _never_called() -> Outcome:
    _count("never")
    return Chain().outcome()


def _slow() -> Outcome:
    time.sleep(0.06)
    return Chain().equal(x, x, "reflexivity").outcome()


SYNTH = (
    Step("eq1", "2", "holds", sp.Eq((x + y) ** 2, x**2 + 2 * x * y + y**2), _holds),
    Step("eq2", "3", "convention", sp.Eq(x, x), _convention, uses=("eq1",)),
    Step("eq3", "3", "refuted", sp.Eq(sp.diff(x**2, x), x), _refuted, uses=("eq1", "eq2")),
    Step("B.int", "B", "unverified", sp.Eq(x, y), _unverified, note="hard"),
    Step("B.raise", "B", "raises", sp.Eq(x, y), _raises),
    Step("B.garbage", "B", "garbage", sp.Eq(x, y), _garbage),
    Step("B.uses", "B", "unknown uses", sp.Eq(x, y), _never_called, uses=("eq1", "nope")),
    Step("4.slow", "4", "slow", "a sentence", _slow, printed_in_paper=False),
)


def by_id(results: list[Result]) -> dict[str, Result]:
    return {r.id: r for r in results}


def test_every_step_gets_one_result_in_registry_order() -> None:
    results = verify_all(steps=SYNTH)
    assert [r.id for r in results] == [s.id for s in SYNTH]
    assert all(isinstance(r, Result) for r in results)
    assert all(r.seconds >= 0 for r in results)


def test_statuses_of_each_path() -> None:
    r = by_id(verify_all(steps=SYNTH))
    assert r["eq1"].status is Status.HOLDS and r["eq1"].error == ""
    assert r["eq1"].method == "symbolic proof"
    assert r["eq2"].status is Status.CONVENTION
    assert r["eq3"].status is Status.REFUTED
    assert r["eq3"].outcome.counterexample == {"x": 1.0}
    assert r["B.int"].status is Status.UNVERIFIED and r["B.int"].error == ""
    assert r["B.int"].method == "numeric only"


def test_a_proof_that_raises_is_unverified_with_the_error_text() -> None:
    r = by_id(verify_all(steps=SYNTH))["B.raise"]
    assert r.status is Status.UNVERIFIED
    assert "ZeroDivisionError" in r.error and "division by zero at x = 0" in r.error
    assert r.note == r.error  # the reason is what the report shows
    assert r.method == "none"


def test_a_proof_that_returns_no_outcome_is_unverified() -> None:
    r = by_id(verify_all(steps=SYNTH))["B.garbage"]
    assert r.status is Status.UNVERIFIED
    assert "str" in r.error and "Outcome" in r.error


def test_unknown_uses_label_is_unverified_and_the_proof_is_not_run() -> None:
    before = CALLS.get("never", 0)
    r = by_id(verify_all(steps=SYNTH))["B.uses"]
    assert r.status is Status.UNVERIFIED
    assert "nope" in r.error and "eq1" not in r.error
    assert CALLS.get("never", 0) == before


def test_uses_are_checked_against_the_whole_registry_not_the_subset() -> None:
    # eq3 uses eq1 and eq2, which are not selected but exist: it must still be verified
    (r,) = verify_all(["eq3"], steps=SYNTH)
    assert r.status is Status.REFUTED and r.error == ""


def test_nothing_is_cached_between_runs() -> None:
    before = CALLS.get("holds", 0)
    verify_all(["eq1"], steps=SYNTH)
    verify_all(["eq1"], steps=SYNTH)
    assert CALLS["holds"] == before + 2


def test_wall_time_is_measured() -> None:
    (r,) = verify_all(["4.slow"], steps=SYNTH)
    assert 0.05 <= r.seconds < 5


def test_subset_keeps_registry_order_and_ignores_blanks() -> None:
    results = verify_all(["eq3", " eq1 ", ""], steps=SYNTH)
    assert [r.id for r in results] == ["eq1", "eq3"]


def test_unknown_label_raises_with_close_matches_before_running_anything() -> None:
    before = CALLS.get("holds", 0)
    with pytest.raises(UnknownStepError) as info:
        verify_all(["eq1", "B.Int", "zzz"], steps=SYNTH)
    msg = str(info.value)
    assert "'B.Int'" in msg and "B.int" in msg  # case-insensitive close match
    assert "'zzz'" in msg
    assert "known labels" in msg
    assert isinstance(info.value, KeyError)  # the CLI maps KeyError to exit 2
    assert CALLS.get("holds", 0) == before


def test_a_single_string_is_a_label_list_not_characters() -> None:
    assert [r.id for r in verify_all("eq3,eq1", steps=SYNTH)] == ["eq1", "eq3"]
    assert [r.id for r in verify_all("eq1", steps=SYNTH)] == ["eq1"]


def test_close_matches() -> None:
    known = ["eq5", "eq6", "B.int", "B.E", "5.claim2"]
    assert close_matches("eq55", known)[0] == "eq5"
    assert "B.int" in close_matches("int", known)
    assert close_matches("qqqqqq", known) == []


def test_resolve_ids_none_means_all() -> None:
    assert resolve_ids(None, SYNTH) == list(SYNTH)


def test_timeout_turns_a_hanging_proof_into_unverified() -> None:
    def hang() -> Outcome:
        time.sleep(10)
        return Chain().outcome()

    step = Step("hang", "2", "hangs", sp.Eq(x, x), hang)
    t0 = time.perf_counter()
    r = verify_step(step, ["hang"], timeout=0.2)
    assert time.perf_counter() - t0 < 3
    assert r.status is Status.UNVERIFIED and "time limit" in r.error


def test_progress_callback_sees_every_step() -> None:
    seen: list[tuple[int, int, str]] = []
    verify_all(["eq1", "eq2"], steps=SYNTH, progress=lambda i, n, s: seen.append((i, n, s.id)))
    assert seen == [(0, 2, "eq1"), (1, 2, "eq2")]


def test_warnings_flag_outcomes_that_break_the_rules() -> None:
    step = Step("s", "2", "t", sp.Eq(x, x), _holds)
    bare_refuted = Outcome(Status.REFUTED, Method.SYMBOLIC)
    w = outcome_warnings(step, bare_refuted)
    assert any("counterexample" in m for m in w)
    assert any("corrected" in m for m in w)
    assert any("note" in m for m in w)
    numeric_holds = Outcome(Status.HOLDS, Method.NUMERIC, checks=("100 samples",))
    assert any("numerics only" in m for m in outcome_warnings(step, numeric_holds))
    no_conv = Outcome(Status.CONVENTION, Method.SYMBOLIC, note="n", checks=("c",))
    assert any("convention" in m for m in outcome_warnings(step, no_conv))
    good = _refuted()
    assert outcome_warnings(step, good) == ()
    trivial = Chain().equal(sp.Integer(1), sp.Integer(1), "density integrates to 1").outcome()
    (msg,) = outcome_warnings(step, trivial)
    assert "identical sides" in msg and "density integrates to 1" in msg


def test_a_well_formed_result_has_no_warnings() -> None:
    r = by_id(verify_all(steps=SYNTH))
    assert r["eq1"].warnings == () and r["eq3"].warnings == () and r["eq2"].warnings == ()
