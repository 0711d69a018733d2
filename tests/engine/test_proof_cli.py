"""``daedyn verify``, ``latex`` and ``mutate`` end to end, on a synthetic registry.

The registry is replaced with :func:`derivations.engine.registry.override`, so exit statuses
can be checked for every case of the spec.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from derivations.engine import Source, registry
from derivations.engine.proof import Proof
from derivations.engine.step import Method, Outcome, Status, Step
from experiments.cli import main

x = sp.Symbol("x", real=True)
REPO = Path(__file__).resolve().parents[2]


def _holds(pf: Proof) -> Outcome:
    ch = pf.chain().conclude(pf.printed, sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1), "expand")
    return ch.outcome()


def _refuted(pf: Proof) -> Outcome:
    return pf.chain().disprove(pf.printed, {x: 1}, "1 != 2").outcome(
        Status.REFUTED, counterexample={"x": 1.0}, corrected=sp.Eq(sp.Symbol("y"), 2 * x),
        note="wrong factor")


def _unverified(pf: Proof) -> Outcome:
    return Outcome(Status.UNVERIFIED, Method.SYMBOLIC, note="timed out in SymPy")


OK_STATEMENT = sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)
PRINTED_OK = Step("eq1", "2", "holds", OK_STATEMENT, _holds)
PRINTED_BAD = Step("eq7", "C", "refuted in the paper", sp.Eq(x, 2 * x), _refuted, uses=("eq1",))
EXTRA_BAD = Step("eq7.extra", "C", "refuted, not printed", sp.Eq(x, 2 * x), _refuted,
                 printed_in_paper=False)
RAISES = Step("B.int", "B", "raises", OK_STATEMENT, lambda pf: 1 / 0)  # type: ignore[arg-type,return-value]
UNVERIFIED = Step("B.open", "B", "open", OK_STATEMENT, _unverified)
SOURCE = Source(name="demo", title="demo", package="tests", modules=(),
                sections={"2": "Two", "B": "B", "C": "C"})


@pytest.fixture()
def synthetic():
    with registry.override({"demo": (SOURCE, (PRINTED_OK, PRINTED_BAD, EXTRA_BAD, RAISES))}):
        yield


def test_verify_prints_table_and_exits_0_even_with_refutations(
        synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "eq1" in out and "eq7" in out and "B.int" in out
    assert "totals (4 steps)  holds: 1  holds-under-convention: 0  refuted: 2  unverified: 1" \
        in out
    assert "ZeroDivisionError" in out
    assert "total wall time" in out


def test_strict_exits_1_when_a_printed_statement_is_refuted(
        synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--strict"]) == 1
    assert "eq7" in capsys.readouterr().err


def test_strict_ignores_refuted_steps_not_printed_in_the_paper(
        synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--strict", "--only", "eq1,eq7.extra"]) == 0


def test_only_selects_a_subset(synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", "eq7", "--only", "eq1"]) == 0
    out = capsys.readouterr().out
    assert "totals (2 steps)" in out and "B.int" not in out


def test_unknown_label_exits_2_with_close_matches(
        synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", "eq1,Eq7x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert "'Eq7x'" in err and "did you mean: eq7" in err
    assert err.startswith("daedyn verify: error:")


def test_empty_only_exits_2(synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", ","]) == 2


def test_json_report(synthetic: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new" / "dir" / "report.json"
    assert main(["verify", "--json", str(path)]) == 0
    data = json.loads(path.read_text())["steps"]
    assert [d["id"] for d in data] == ["eq1", "eq7", "eq7.extra", "B.int"]
    assert data[1]["status"] == "refuted" and data[1]["counterexample"] == {"x": 1.0}
    assert data[1]["corrected"] == "y = 2 x" and data[1]["printed_in_paper"] is True
    assert data[3]["status"] == "unverified" and "ZeroDivisionError" in data[3]["error"]
    assert "totals" in capsys.readouterr().out  # the table is still printed


def test_json_to_stdout(synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--json", "-", "--only", "eq1"]) == 0
    data = json.loads(capsys.readouterr().out)["steps"]
    assert [d["id"] for d in data] == ["eq1"]


def test_json_to_stdout_survives_a_chatty_proof(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def chatty(pf: Proof) -> Outcome:
        print("progress: integrating ...")
        return _holds(pf)

    step = Step("eq1", "2", "chatty", OK_STATEMENT, chatty)
    with registry.override({"demo": (SOURCE, (step,))}):
        assert main(["verify", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["steps"][0]["status"] == "holds"
    assert "progress: integrating" in captured.err


def test_json_to_a_bad_path_exits_2(synthetic: None, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["verify", "--json", str(blocker / "report.json")]) == 2
    assert "cannot create directory" in capsys.readouterr().err
    assert main(["verify", "--json", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_latex_writes_the_document_and_creates_directories(
        synthetic: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a" / "b" / "proofs.tex"
    assert main(["latex", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith(r"\documentclass") and r"\label{step:eq7}" in text
    assert not out.with_suffix(".pdf").exists()
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["file/proofs.tex", "proofs.pdf", "."])
def test_latex_bad_output_path_exits_2(synthetic: None, tmp_path: Path, bad: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    assert main(["latex", "-o", str(tmp_path / bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("daedyn latex: error:") and err.count("\n") == 1


def test_latex_unwritable_directory_exits_2(synthetic: None, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:  # root writes through permission bits; /proc refuses new files
        target = Path("/proc/daedyn-test/p.tex")
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        target = ro / "p.tex"
    assert main(["latex", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("daedyn latex: error:") and err.count("\n") == 1


def test_pdf_without_pdflatex_exits_2_with_install_hint(
        synthetic: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from derivations.engine import latex

    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    out = tmp_path / "p.tex"
    assert main(["latex", "-o", str(out), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "pdflatex" in err and "apt-get install texlive-latex-recommended latexmk" in err
    assert not out.exists()  # failed before verifying anything


def test_pdf_if_available_without_pdflatex_exits_0_with_hint(
        synthetic: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from derivations.engine import latex

    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    out = tmp_path / "p.tex"
    assert main(["latex", "-o", str(out), "--pdf-if-available"]) == 0
    assert out.exists() and not out.with_suffix(".pdf").exists()
    assert "apt-get install texlive-latex-recommended latexmk" in capsys.readouterr().err


def test_pdf_compile_failure_exits_2_with_log_tail(
        synthetic: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from derivations.engine import latex

    def fail(path: object, timeout: float = 0) -> Path:
        raise latex.LatexError("pdflatex failed (exit 1)", "! Undefined control sequence.")

    monkeypatch.setattr(latex, "latex_tool", lambda: "pdflatex")
    monkeypatch.setattr(latex, "compile_pdf", fail)
    assert main(["latex", "-o", str(tmp_path / "p.tex"), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "! Undefined control sequence." in err and "pdflatex failed" in err


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex not installed (apt-get install texlive-latex-recommended)")
def test_pdf_is_compiled(synthetic: None, tmp_path: Path) -> None:
    out = tmp_path / "p.tex"
    assert main(["latex", "-o", str(out), "--pdf"]) == 0
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_console_script_unknown_label_exits_2_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "verify", "--only", "no-such-label"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2
    assert "unknown label 'no-such-label'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_strict_fails_on_an_unverified_printed_statement(
        capsys: pytest.CaptureFixture[str]) -> None:
    with registry.override({"demo": (SOURCE, (PRINTED_OK, UNVERIFIED))}):
        assert main(["verify", "--strict"]) == 1
    assert "B.open" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf"])
def test_timeout_must_be_positive(synthetic: None, bad: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--timeout", bad]) == 2
    assert "--timeout must be a positive" in capsys.readouterr().err


def test_unknown_source_exits_2(synthetic: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--source", "nosuch"]) == 2
    assert "unknown source 'nosuch'" in capsys.readouterr().err


def test_mutate_kills_every_mutant_of_a_sound_proof(
        synthetic: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.json"
    assert main(["mutate", "--only", "eq1", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["summary"]["generated"] > 3
    assert doc["summary"]["killed"] == doc["summary"]["generated"]


def test_mutate_sample_is_flagged_and_runs_merge(
        synthetic: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A per-step limit below the number of mutants marks the step as sampled; runs over
    disjoint steps merge into one document with recomputed totals; a step in two runs is an
    error (exit 2)."""
    from derivations.engine import report, verify_all

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["mutate", "--only", "eq1", "--per-step", "2", "--json", str(a)]) == 0
    doc = json.loads(a.read_text())
    assert doc["steps"][0]["generated"] == 2 and doc["steps"][0]["sampled"] is True
    assert doc["summary"]["by_source"]["demo"]["sampled_steps"] == 1
    assert main(["mutate", "--only", "eq1", "--json", str(b)]) == 0
    full = json.loads(b.read_text())
    assert full["steps"][0]["sampled"] is False and full["steps"][0]["generated"] > 2
    merged = tmp_path / "m.json"
    assert main(["mutate", "--merge", str(a), str(b), "--json", str(merged)]) == 2
    assert "more than one run: demo:eq1" in capsys.readouterr().err
    assert main(["mutate", "--merge", str(a), "--json", str(merged)]) == 0
    m = json.loads(merged.read_text())
    assert m["summary"]["generated"] == 2 and m["summary"]["by_source"]["demo"]["per_step"] == 2
    text = report.markdown(verify_all(), m)
    assert "except a seeded sample of 2 for the 1 statements with more" in text


def test_mutate_reports_survivors_of_a_proof_that_ignores_its_statement(
        capsys: pytest.CaptureFixture[str]) -> None:
    def lazy(pf: Proof) -> Outcome:  # compares against a copy of the statement, not pf.printed
        ch = pf.chain()
        ch.conclude(pf.printed.lhs, (x + 1) ** 2, "reads only the left-hand side")
        return ch.outcome()

    step = Step("eq1", "2", "lazy", OK_STATEMENT, lazy)
    with registry.override({"demo": (SOURCE, (step,))}):
        assert main(["mutate", "--only", "eq1"]) == 1
    assert "SURVIVED" in capsys.readouterr().out


def test_the_verifier_runs_without_torch_and_experiments_say_what_is_missing(
        tmp_path: Path) -> None:
    """A fresh interpreter in which torch and matplotlib cannot be imported (as after
    ``pip install daedyn`` without the experiments extra)."""
    script = (
        "import sys\n"
        "sys.modules['torch'] = None; sys.modules['matplotlib'] = None\n"
        "from experiments.cli import main\n"
        "assert main(['verify', '--only', 'pretorius2018:4.fp']) == 0\n"
        f"sys.exit(main(['figures', '--size', 'tiny', '--out', {str(tmp_path)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'daedyn[experiments]'" in proc.stderr
    assert "Traceback" not in proc.stderr
