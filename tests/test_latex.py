"""The LaTeX document (derivations.latex): escaping, structure, line breaking, compilation.

Compilation tests need ``pdflatex`` (Debian: texlive-latex-recommended); they skip with
that reason when it is absent.  CI installs TeX Live, so they run there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from derivations.latex import (
    LatexError,
    compile_pdf,
    escape,
    math_lines,
    relation_lines,
    render,
    step_label,
)
from derivations.engine.proof import Chain
from derivations.engine.step import Assumption, Method, Outcome, Status, Step
from derivations.engine.verify import Result, verify_all

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex not installed (apt-get install texlive-latex-recommended latexmk)",
)

lam, eps, t, tau, E = sp.symbols("lambda varepsilon t tau E", positive=True)
u = sp.Symbol("u", real=True)

NASTY = r"50% of a_b & c#d ~ e^f \g {h} $i$ <j> |k| \\ \end{document} \input{x} λ≠ε → ∞ ²  naïve 𝔛"


def _holds() -> Outcome:
    c = Chain()
    c.equal(sp.diff(lam / (lam + eps) * u, u), lam / (lam + eps), "d/du " + NASTY)
    big_l = sp.expand((1 + E) ** 6 * (u + lam + eps) ** 3)
    c.equal(big_l, (1 + E) ** 6 * (u + lam + eps) ** 3, "a long expansion, broken over lines")
    c.fact(sp.Gt(u**2 + 1, 0), "squares are non-negative", relation=">")
    c.fact("the flow is monotone " + NASTY, "sign of the right-hand side")
    c.links.append(c.links[0].__class__(u, eps, "a relation", relation="<="))
    c.check("50 points: |difference| < 1e-30 " + NASTY)
    return c.outcome()


def _refuted() -> Outcome:
    c = Chain().equal(sp.exp(lam * t / tau) ** 2, sp.exp(2 * lam * t / tau), "exponent law",
                      via=(sp.powsimp,))
    return c.outcome(
        Status.REFUTED,
        counterexample={"lam": 2.0, "t_%": sp.Rational(1, 3), "big": 1.5e22, "nan": float("nan")},
        corrected=sp.Eq(sp.Function("w")(t), lam / (lam + eps)),
        note="E_gamma must be exp(2 lam xi t / tau); " + NASTY,
    )


def _refuted_text() -> Outcome:
    return Chain().equal(u, u, "same").outcome(
        Status.REFUTED, counterexample={"eps": 5}, corrected_text="slower, " + NASTY,
        note="claim reversed " + NASTY)


def _convention() -> Outcome:
    return Chain().equal(tau, tau, "trivial").outcome(
        Status.CONVENTION, convention="tau and sigma-sum: t counts epochs " + NASTY,
        note="holds if tau = N/alpha")


def _raises() -> Outcome:
    raise ValueError("bad input " + NASTY)


STEPS = (
    Step("eq5", "3", "Closed form " + NASTY, sp.Eq(u, lam / (lam + eps)), _holds,
         assumes=(Assumption("c0 > 0 " + NASTY, sp.Gt(u, 0)), Assumption("plain"),
                  Assumption("lam > 0", sp.Gt(lam, 0))),
         note="main " + NASTY, statement=sp.Gt(u, 0)),
    Step("eq7", "C", "Weight decay", sp.Eq(u, lam), _refuted, uses=("eq5", "eq7_b&%")),
    Step("eq7_b&%", "C", "odd id", sp.Eq(u, lam), _convention, uses=("eq5",)),
    Step("4.claim", "4", "claim", "adding more noise " + NASTY, _refuted_text,
         statement=sp.Lt(eps, 1)),
    Step("B.int", "B", "raises", sp.Eq(u, u), _raises),
    Step("X.1", "X", "unknown section", sp.Eq(u, u),
         lambda: Outcome(Status.UNVERIFIED, Method.NUMERIC, note="not tried"),
         printed_in_paper=False),
)


def results() -> list[Result]:
    return verify_all(steps=STEPS)


# ----------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("ch", list("\\{}$&#%_^~<>|"))
def test_every_special_character_is_escaped(ch: str) -> None:
    out = escape(f"a{ch}b")
    assert out != f"a{ch}b"
    # no unescaped special remains: each is either a macro or preceded by a backslash
    stripped = re.sub(r"\\[A-Za-z]+\{\}|\\[{}$&#%_]", "", out)
    assert not set(stripped) & set("\\{}$&#%_^~<>|"), out


def test_escape_maps_unicode_to_ascii_latex() -> None:
    out = escape("λ ≠ ε → ∞, naïve Σ, 𝔛 ☃")
    assert out.isascii()
    assert r"$\lambda$" in out and r"$\neq$" in out and r"$\varepsilon$" in out
    assert r"$\Sigma$" in out and "naive" in out and ", X " in out and "U+2603" in out


def test_step_label_is_safe_and_injective() -> None:
    ids = ["eq5", "B.int", "eq7_b&%", "eq7-b", "eq7 b", "5.claim2"]
    labels = [step_label(i) for i in ids]
    assert len(set(labels)) == len(ids)
    assert all(re.fullmatch(r"step:[A-Za-z0-9.:\-]+", lab) for lab in labels)
    assert step_label("B.int") == "step:B.int"


# ----------------------------------------------------------------------------- mathematics


def test_long_sums_are_broken_at_top_level_signs() -> None:
    expr = sp.expand((1 + E) ** 6 * (u + lam + eps) ** 3)
    lines = math_lines(expr, budget=80)
    assert len(lines) > 3
    assert all(line.startswith(("+ ", "- ")) for line in lines[1:])
    # each line is balanced, so multline can break between them
    for line in lines:
        assert line.count("{") == line.count("}")
        assert line.count(r"\left") == line.count(r"\right")
    # and the pieces are the terms of the sum: as many as sympy has
    assert sum(line.count("+ ") + line.count("- ") for line in lines) >= len(expr.args) - 1


def _balanced(line: str) -> bool:
    return (line.count("{") == line.count("}")
            and line.count(r"\left") == line.count(r"\right"))


def test_long_products_and_powers_are_broken_inside_their_parentheses() -> None:
    long_sum = sum(sp.Symbol(f"a_{i}") * sp.Symbol(f"b_{i}") for i in range(12))
    for expr in (lam * long_sum * (u + 1), -(long_sum**2) + u, long_sum**3 / (u + 2)):
        lines = math_lines(expr, budget=60)
        assert len(lines) > 1, expr
        assert all(_balanced(line) for line in lines), lines
        assert all(len(line) < 140 for line in lines), lines
        text = " ".join(lines)
        for i in range(12):  # no term lost
            assert f"a_{{{i}}} b_{{{i}}}" in text
    lines = math_lines(long_sum**2, budget=60)
    assert lines[0].startswith(r"\left(") and lines[0].endswith(r"\right.")
    assert lines[-1].endswith(r"\right)^{2}")


def test_long_function_arguments_are_broken_inside_the_call() -> None:
    big = sum(sp.Symbol(f"a_{i}") ** 2 for i in range(30))
    for f, name in ((sp.Function("E_e"), "E_{e}"), (sp.sin, r"\sin")):
        lines = math_lines(f(big), budget=60)
        assert len(lines) > 2 and lines[0].startswith(name + r" \left(")
        assert lines[-1].endswith(r"\right)") and all(_balanced(line) for line in lines)


def test_long_matrices_are_shown_entry_by_entry() -> None:
    from derivations.latex import MAX_MATRIX_ENTRIES, _display_relation

    big = sum(sp.Symbol(f"a_{i}") * sp.Symbol(f"b_{i}") for i in range(10))
    m = sp.Matrix(4, 4, lambda i, j: big * (i + 1) if i != j else 0)
    lines = math_lines(m, budget=100)
    assert lines[0].startswith(r"\text{entry }(1,2)\colon")  # (1,1) is zero: skipped
    assert lines[-1] == rf"\text{{({12 - MAX_MATRIX_ENTRIES} more entries and 4 zero entries " \
        "not shown)}"
    block = _display_relation(m, "=", sp.expand(m), budget=100)
    assert block.startswith(r"\begin{align*}") and r"\text{entry }(1,2)\colon" in block
    assert block.count(r"\text{entry }") == MAX_MATRIX_ENTRIES
    assert all(_balanced(row) for row in block.splitlines())


def test_tuples_of_statements_are_shown_one_by_one() -> None:
    from derivations.latex import statement_block

    block = statement_block((sp.Eq(u, lam), sp.Eq(eps, 2 * lam)))
    assert block.count(r"\[") == 2 and r"\left(" not in block
    assert math_lines(sp.Tuple(sp.Eq(u, lam), sp.Eq(eps, lam)))[0].startswith(r"u = \lambda,")


def test_short_expressions_stay_on_one_line() -> None:
    assert math_lines(sp.Eq(u, lam / (lam + eps))) == [r"u = \frac{\lambda}{\lambda + \varepsilon}"]


def test_relation_lines_put_the_relation_on_the_continuation() -> None:
    big = sp.expand((1 + E) ** 6 * (u + lam) ** 2)
    lines = relation_lines(u, "=", big, budget=60)
    assert lines[0].startswith("u = ")
    lines = relation_lines(big, r"\leq", u, budget=60)
    assert lines[-1].endswith(r"\leq u") or lines[-1] == r"\leq u"


# ----------------------------------------------------------------------------- structure


def test_document_structure() -> None:
    doc = render(results())
    assert doc.startswith(r"\documentclass")
    assert doc.rstrip().endswith(r"\end{document}")
    assert doc.count(r"\end{document}") == 1  # the nasty text cannot end the document early
    assert r"\input{x}" not in doc
    for pkg in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]+)\}", doc):
        assert pkg in {"inputenc", "geometry", "amsmath", "amssymb", "booktabs", "longtable",
                       "xcolor", "hyperref"}, pkg
    assert "breqn" not in doc and "dmath" not in doc
    # one numbered section per section, in SECTION_TITLES order, unknown sections last
    heads = re.findall(r"\\section\{([^}]*)\}", doc)
    assert [h.split("(")[0].strip() for h in heads] == [
        "Gradient flow and scalar dynamics", "Derivation of the closed form",
        "Fixed points and the effect of noise", "Weight-decay dynamics", "Section X"]
    assert doc.count(r"\subsection{") == len(STEPS)
    assert r"\label{step:eq5}" in doc
    assert r"\hyperref[step:eq5]" in doc  # uses link to the step
    assert r"\hyperref[" + step_label("eq7_b&%") + "]" in doc


def test_step_contents() -> None:
    doc = render(results())
    eq5 = doc.split(r"\label{step:eq5}")[1].split(r"\subsection{")[0]
    assert r"u = \frac{\lambda}{\lambda + \varepsilon}" in eq5  # as printed, display math
    assert r"\paragraph{Precise statement.}" in eq5
    assert r"\paragraph{Assumptions.}" in eq5 and "u > 0" in eq5
    assert r"\text{True}" not in eq5 and "built into the symbols' assumptions" in eq5
    assert r"\paragraph{Proof.}" in eq5 and r"\begin{align*}" in eq5
    assert r"\leq" in eq5  # the link with relation <=
    assert r"\emph{Fact [\textgreater{}]:} squares are non-negative (true by the symbols'" \
        in eq5
    assert r"\paragraph{Numeric checks.}" in eq5
    eq7 = doc.split(r"\label{step:eq7}")[1].split(r"\subsection{")[0]
    assert r"\paragraph{Counterexample.}" in eq7
    assert r"\texttt{t\_\%} & $0.3333333333$" in eq7
    assert r"1.5 \times 10^{22}" in eq7
    assert r"\paragraph{Corrected statement.}" in eq7 and r"w{\left(t \right)} = " in eq7
    claim = doc.split(r"\label{step:4.claim}")[1].split(r"\subsection{")[0]
    assert "``adding more noise" in claim  # a sentence, quoted
    assert r"\paragraph{Corrected statement.} slower" in claim
    conv = doc.split(r"\label{" + step_label("eq7_b&%") + "}")[1].split(r"\subsection{")[0]
    assert r"\texttt{sigma-sum}" in conv and r"\texttt{tau}" in conv  # conventions named
    bint = doc.split(r"\label{step:B.int}")[1].split(r"\subsection{")[0]
    assert "ValueError" in bint


def test_front_matter_summarises_errata_conventions_and_counts() -> None:
    doc = render(results())
    front = doc.split(r"\section{")[0]
    errata = front.split("Errata")[1].split("hold under a convention")[0]
    assert "step:eq7]" in errata and "step:4.claim]" in errata and "step:eq5]" not in errata
    assert "E\\_gamma must be exp(2 lam xi t / tau);" in errata  # first sentence of the note
    conv = front.split("hold under a convention")[1].split("Unverified")[0]
    assert step_label("eq7_b&%") in conv
    assert r"{\textbf{refuted}} & 2 & 2 \\" in front  # 2 refuted, both printed in the paper
    assert r"{\textbf{unverified}} & 2 & 1 \\" in front
    assert r"total & 6 & 5 \\" in front


def test_empty_document_is_valid() -> None:
    doc = render([])
    assert "The registry holds no steps yet." in doc


# ----------------------------------------------------------------------------- compilation


@needs_pdflatex
def test_nasty_document_compiles(tmp_path: Path) -> None:
    tex = tmp_path / "nasty.tex"
    tex.write_text(render(results()), encoding="utf-8")
    pdf = compile_pdf(tex)
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "undefined references" not in log.lower()


@needs_pdflatex
def test_empty_document_compiles(tmp_path: Path) -> None:
    tex = tmp_path / "empty.tex"
    tex.write_text(render([]), encoding="utf-8")
    assert compile_pdf(tex).exists()


@needs_pdflatex
def test_a_broken_document_raises_with_the_log_tail(tmp_path: Path) -> None:
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n"
                   "\\end{document}\n")
    with pytest.raises(LatexError) as info:
        compile_pdf(tex, timeout=120)
    assert "Undefined control sequence" in info.value.log_tail


def test_compile_pdf_without_tex_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from derivations import latex

    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    with pytest.raises(latex.LatexUnavailable, match="texlive-latex-recommended"):
        compile_pdf(tmp_path / "x.tex")


def test_pdflatex_fallback_runs_twice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from derivations import latex

    calls: list[list[str]] = []

    def fake_run(cmd: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        (Path(cwd) / "d.pdf").write_bytes(b"%PDF-1.5")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(latex.shutil, "which", lambda n: "/usr/bin/pdflatex" if n == "pdflatex"
                        else None)
    monkeypatch.setattr(latex.subprocess, "run", fake_run)
    tex = tmp_path / "d.tex"
    tex.write_text("x")
    assert compile_pdf(tex) == tex.resolve().with_suffix(".pdf")
    assert [c[0] for c in calls] == ["pdflatex", "pdflatex"]
    assert "-halt-on-error" in calls[0] and "-interaction=nonstopmode" in calls[0]


def test_summary_reason_keeps_whole_sentences_and_abbreviations() -> None:
    from derivations.latex import _one_line

    note = "Right only for lam = 1, i.e. at one point; wrong otherwise. Details follow. "
    note += "x" * 300
    assert _one_line(note) == "Right only for lam = 1, i.e. at one point; wrong otherwise. " \
        "Details follow."
    assert _one_line("short; note") == "short; note"
    assert _one_line("y" * 400).endswith("...") and len(_one_line("y" * 400)) == 260
