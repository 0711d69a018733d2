"""The LaTeX document (derivations.engine.latex): escaping, maths in prose, line breaking,
structure (one part per source, checked vs stated lines, conventions by key, mutation
score), compilation in a build directory.

Compilation tests need ``pdflatex`` (Debian: texlive-latex-recommended); they skip with
that reason when it is absent.  CI installs TeX Live, so they run there.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.engine import Convention, Source
from derivations.engine.latex.breaking import math_lines, relation_lines
from derivations.engine.latex.compile import LatexError, compile_pdf
from derivations.engine.latex.document import render
from derivations.engine.latex.escape import escape, step_label
from derivations.engine.proof import Proof
from derivations.engine.step import Assumption, Method, Outcome, Status, Step
from derivations.engine.verify import Result, verify_all

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex not installed (apt-get install texlive-latex-recommended latexmk)",
)

lam, eps, t, tau, E = sp.symbols("lambda varepsilon t tau E", positive=True)
u = sp.Symbol("u", real=True)

NASTY = r"50% of a_b & c#d ~ e^f \g {h} $i$ <j> |k| \\ \end{document} \input{x} λ≠ε → ∞ ²  naïve 𝔛"


def _holds(pf: Proof) -> Outcome:
    c = pf.chain()
    c.equal(sp.diff(lam / (lam + eps) * u, u), lam / (lam + eps), "d/du " + NASTY)
    big_l = sp.expand((1 + E) ** 6 * (u + lam + eps) ** 3)
    c.equal(big_l, (1 + E) ** 6 * (u + lam + eps) ** 3, "a long expansion, broken over lines")
    c.fact(sp.Gt(u**2 + 1, 0), "squares are non-negative", relation=">")
    c.equal((u + lam) ** 2, u**2 + 2 * u * lam + lam**2,
            "w1^2 + w2^2 = c0 (sinh^2 + cosh^2)(theta/2)")
    c.fact("the flow is monotone " + NASTY, "sign of the right-hand side")
    c.links.append(c.links[0].__class__(u, eps, "a relation", relation="<="))
    c.check("50 points: |difference| < 1e-30 " + NASTY)
    c.conclude(pf.printed.rhs, lam / (lam + eps), "the derived fixed point, as printed")
    return c.outcome()


def _refuted(pf: Proof) -> Outcome:
    c = pf.chain().disprove(pf.printed, {u: 1, lam: 2}, "u = 1 but lam = 2")
    c.equal(sp.exp(lam * t / tau) ** 2, sp.exp(2 * lam * t / tau), "exponent law",
            via=(sp.powsimp,))
    return c.outcome(
        Status.REFUTED,
        counterexample={"lam": 2.0, "t_%": sp.Rational(1, 3), "big": 1.5e22, "nan": float("nan")},
        corrected=sp.Eq(sp.Function("w")(t), lam / (lam + eps)),
        note="E_gamma must be exp(2 lam xi t / tau); " + NASTY,
    )


def _refuted_text(pf: Proof) -> Outcome:
    return pf.chain().disprove(pf.printed, {eps: 5}, "at eps = 5").outcome(
        Status.REFUTED, counterexample={"eps": 5}, corrected_text="slower, " + NASTY,
        note="claim reversed " + NASTY)


def _convention(pf: Proof) -> Outcome:
    return pf.chain().conclude(pf.printed, sp.Eq(u, lam), "as printed").outcome(
        Status.CONVENTION, convention="tau+sigma-sum", note="holds if tau = N/alpha " + NASTY)


def _raises(pf: Proof) -> Outcome:
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
         lambda pf: Outcome(Status.UNVERIFIED, Method.NUMERIC, note="not tried"),
         printed_in_paper=False),
)
# the steps belong to the real pretorius2018 source: its section titles and conventions
STEPS = tuple(dataclasses.replace(s, source="pretorius2018") for s in STEPS)


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
    from derivations.engine.latex.breaking import MAX_MATRIX_ENTRIES
    from derivations.engine.latex.breaking import display_relation as _display_relation

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
    from derivations.engine.latex.breaking import statement_block

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
    tex.write_text(render(results(), mutation=MUTATION), encoding="utf-8")
    pdf = compile_pdf(tex, build_dir=tmp_path / "build")  # keep the log to read it
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    log = (tmp_path / "build" / "nasty.log").read_text(errors="replace")
    assert "undefined references" not in log.lower()
    assert "multiply defined" not in log.lower()


@needs_pdflatex
def test_empty_document_compiles(tmp_path: Path) -> None:
    tex = tmp_path / "empty.tex"
    tex.write_text(render([]), encoding="utf-8")
    assert compile_pdf(tex).exists()
    # the auxiliary files stayed in the temporary build directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.pdf", "empty.tex"]


@needs_pdflatex
def test_a_broken_document_raises_with_the_log_tail(tmp_path: Path) -> None:
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n"
                   "\\end{document}\n")
    with pytest.raises(LatexError) as info:
        compile_pdf(tex, timeout=120)
    assert "Undefined control sequence" in info.value.log_tail


def test_compile_pdf_without_tex_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from derivations.engine import latex

    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    with pytest.raises(latex.LatexUnavailable, match="texlive-latex-recommended"):
        compile_pdf(tmp_path / "x.tex")


def test_pdflatex_fallback_runs_twice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from derivations.engine.latex import compile as latex

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
    from derivations.engine.latex.document import _one_line

    note = "Right only for lam = 1, i.e. at one point; wrong otherwise. Details follow. "
    note += "x" * 300
    assert _one_line(note) == "Right only for lam = 1, i.e. at one point; wrong otherwise. " \
        "Details follow."
    assert _one_line("short; note") == "short; note"
    assert _one_line("y" * 400).endswith("...") and len(_one_line("y" * 400)) == 260


# ----------------------------------------------------------------------------- maths in prose


def test_the_issue_example_is_typeset_as_mathematics() -> None:
    from derivations.engine.latex.mathtext import math_text

    assert math_text("w1^2 + w2^2 = c0 (sinh^2 + cosh^2)(theta/2)") == (
        r"$w_{1}^{2} + w_{2}^{2} = c_{0} (\sinh^{2} + \cosh^{2})(\theta/2)$")
    assert math_text("branch w1^2 < w2^2: w1 w2 = c0 sinh(theta/2)") == (
        r"branch $w_{1}^{2} < w_{2}^{2}$: $w_{1} w_{2} = c_{0} \sinh(\theta/2)$")


@pytest.mark.parametrize("text", [
    "the flow is monotone, so the origin is a saddle",
    "definition of the reconstruction loss of a one-hidden-layer DAE",
    "SE is a polynomial of degree 2 in e",
    "the Gaussian density integrates to 1",
    "the fourth moments differ (kurtosis 6 vs 3)",
    "the printed sum form, i.e. as in Fig. 3 (two half lines)",
    "DAE and WDAE agree for a 2 x 2 case",
    "in Appendices D-E the loss is read as in eq8",
    "that is what the chat said",
])
def test_plain_words_stay_text(text: str) -> None:
    from derivations.engine.latex.mathtext import fragments, math_text

    assert [k for k, _ in fragments(text)] == ["text"]
    assert "$" not in math_text(text)


def test_fragments_cut_words_from_formulas() -> None:
    from derivations.engine.latex.mathtext import fragments, math_text

    assert fragments("with phi(a) = a the summand is SE(x~) = ||x - M x~||^2, M = W2 W1") == [
        ("text", "with "), ("math", "phi(a) = a"), ("text", " the summand is "),
        ("math", "SE(x~) = ||x - M x~||^2"), ("text", ", "), ("math", "M = W2 W1")]
    # a parenthesised remark keeps its brackets outside the mathematics
    assert math_text("(D = 3, general M)") == "($D = 3$, general M)"
    assert math_text("w1 = w2 is invariant (c0 = 0)") == (
        r"$w_{1} = w_{2}$ is invariant ($c_{0} = 0$)")
    assert math_text("E = 1 (t = 0) gives delta_f = delta_0") == (
        r"$E = 1$ ($t = 0$) gives $\delta_{f} = \delta_{0}$")
    # a tuple is mathematics, brackets and all
    assert math_text("odd under (w1, w2) -> (-w1, -w2)") == (
        r"odd under $(w_{1}, w_{2}) \to (-w_{1}, -w_{2})$")


def test_identifiers_operators_and_numbers() -> None:
    from derivations.engine.latex.mathtext import render_math

    assert render_math("lam/(lam + eps)") == r"\lambda/(\lambda + \varepsilon)"
    assert render_math("l_gamma = sum_i x_i") == r"l_{\gamma} = \sum_{i} x_{i}"
    assert render_math("sigma**2 * tau") == r"\sigma^{2} \cdot \tau"
    assert render_math("w*_gamma - w*^2") == r"{w^{*}_{\gamma}{}} - {w^{*}{}}^{2}"  # no double ^
    assert render_math("W1' - Lambdahat_11") == r"{W^{\prime}_{1}{}} - \hat{\Lambda}_{11}"
    assert render_math("x_1^2_3") == r"{x_{1}^{2}{}}_{3}"
    assert render_math("sqrt(c0^2 + 4 w^2)") == r"\sqrt{c_{0}^{2} + 4 w^{2}}"
    assert render_math("-1e-4 <= x != y >= 2") == r"-1 \times 10^{-4} \leq x \neq y \geq 2"
    assert render_math("d2 l / dw1^2 ~ dtheta") == r"d^{2} l / dw_{1}^{2} \sim d\theta"
    assert render_math("lim_{c0 -> 0+} DEN") == r"\lim_{c_{0} \to 0+} \mathrm{DEN}"
    assert render_math("||R||_F^2") == r"\|R\|_{F}^{2}"
    assert render_math("tr(M) + artanh(u)") == r"\operatorname{tr}(M) + \operatorname{artanh}(u)"
    assert render_math("-expm1(x) + xhat") == r"-\operatorname{expm1}(x) + \hat{x}"
    assert render_math("ln|.| + d tr(.)") == r"\ln|\cdot| + d \operatorname{tr}(\cdot)"


def test_apostrophes_quotes_and_compounds() -> None:
    from derivations.engine.latex.mathtext import math_text

    assert "$" not in math_text("the authors' published notebook")
    assert math_text("eq6's loss with alpha = N/tau (key 'tau')") == (
        r"eq6's loss with $\alpha = N/\tau$ (key 'tau')")
    assert math_text("an eps-free growth rate") == r"an $\varepsilon$-free growth rate"


def test_step_references_in_prose() -> None:
    from derivations.engine.latex.mathtext import math_text

    def ref(label: str) -> str | None:
        return f"LINK({label})" if label == "B.int" else None

    assert math_text("lam zeta t / tau by [B.int]", ref) == (
        r"$\lambda \zeta t / \tau$ by LINK(B.int)")
    assert math_text("by [B.nope]", ref) == "by [B.nope]"
    assert math_text("dw1/dt = [eq2]/tau", ref) == r"$dw_{1}/dt = \text{[eq2]}/\tau$"


_WORDS = ["the", "a", "is", "x", "w1", "lam", "eps", "theta*", "x~", "W1'", "l_gamma", "sum",
          "DEN", "=", "+", "-", "^", "**", "_", "/", "<=", "->", "(", ")", "[", "]", "{", "}",
          ",", ";", ":", ".", "'", "'s", "||", "|", "~", "\\", "$", "%", "&", "#", "1e-4",
          "2", "[eq2]", "sqrt(", "exp(", "λ", "≠", "\\end{document}", "i.e.", "eps-free"]


def _unescaped(tex: str, ch: str) -> int:
    return len(re.findall(rf"(?<!\\){re.escape(ch)}", tex.replace("\\\\", "")))


@settings(deadline=None)  # examples per the Hypothesis profile (ci: 25, thorough: 1250)
@given(st.lists(st.sampled_from(_WORDS), max_size=25), st.lists(st.booleans(), max_size=25))
def test_math_text_always_gives_balanced_latex(words: list[str], spaces: list[bool]) -> None:
    from derivations.engine.latex.mathtext import math_text

    text = "".join(w + (" " if i < len(spaces) and spaces[i] else "")
                   for i, w in enumerate(words))
    out = math_text(text)
    assert out.isascii()
    assert _unescaped(out, "$") % 2 == 0, out
    depth = 0
    for m in re.finditer(r"(?<!\\)[{}]", out.replace("\\\\", "")):
        depth += 1 if m.group() == "{" else -1
        assert depth >= 0, out
    assert depth == 0, out
    assert "\\end{document}" not in out
    assert all(piece.strip() for piece in re.split(r"(?<!\\)\$", out)[1::2]), out  # no empty math
    assert not re.search(r"\\(sqrt|hat|tilde|bar|mathit|mathrm|operatorname)(?![{\[])", out), out


@pytest.mark.slow
@needs_pdflatex
def test_math_text_of_random_prose_always_compiles(tmp_path: Path) -> None:
    """pdflatex is the judge: 3000 random mixtures of words, formulas and special characters
    (double scripts, accents, primes, brackets, a leading ``[``) typeset without an error."""
    import random

    from derivations.engine.latex.mathtext import math_text

    rng = random.Random(2026)
    words = _WORDS + ["lim_{c0 -> 0}", "d2", "dtheta", "(.)", "|.|", "expm1", "D-E", "<->",
                      ">>", "oo", "...", "xhat", "W1'^2", "x~_1", "theta*'"]
    items = []
    for _ in range(3000):
        n = rng.randint(1, 14)
        items.append(math_text("".join(rng.choice(words) + " " * (rng.random() < 0.6)
                                       for _ in range(n))))
    body = "\n".join(r"\item{} " + i for i in items)
    tex = tmp_path / "fuzz.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath}\\usepackage{amssymb}\n"
                   f"\\begin{{document}}\n\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n"
                   "\\end{document}\n")
    assert compile_pdf(tex, timeout=300).exists()


# ----------------------------------------------------------------------------- proof lines


def _section(doc: str, step_id: str) -> str:
    return doc.split(r"\label{" + step_label(step_id) + "}")[1].split(r"\subsection{")[0]


def test_checked_and_stated_lines_are_typeset_differently() -> None:
    doc = render(results())
    eq5 = _section(doc, "eq5")
    # eq5's chain: 3 checked relations, 2 stated facts, 1 hand-made relation, 1 conclusion
    assert "Each of" not in eq5 and "Each line below was checked" not in eq5
    assert "5 of the 7 lines below were checked by the verifier" in eq5
    assert "the other 2 lines are stated facts" in eq5
    assert eq5.count(r"\item \statedmark{}") == 2 and eq5.count(r"\item \checkedmark{}") == 5
    assert "2 stated facts" in eq5.split(r"\paragraph")[0]  # beside the status
    assert r"\checkedmark{} \textbf{Comparison with the printed statement:}" in eq5
    conv = _section(doc, "eq7_b&%")
    assert "The line below was checked by the verifier" in conv and r"\statedmark{}" not in conv
    assert "stated fact" not in conv.split(r"\paragraph")[0]
    front = doc.split(r"\part{")[0]
    assert "Proof lines: " in front and "2 stated (in 1 step)" in front


def test_reasons_are_typeset_with_their_mathematics() -> None:
    doc = render(results())
    eq5 = _section(doc, "eq5")
    assert r"$w_{1}^{2} + w_{2}^{2} = c_{0} (\sinh^{2} + \cosh^{2})(\theta/2)$" in eq5
    assert "w1^2" not in eq5


def test_conventions_come_from_the_source_table_by_key() -> None:
    from derivations.engine import registry

    table = registry.source("pretorius2018").convention_table
    conv = _section(render(results()), "eq7_b&%").split(r"\paragraph{Convention.}")[1]
    assert r"\texttt{tau}: " in conv and r"\texttt{sigma-sum}: " in conv
    assert "one unit of t is one full-batch epoch" in table["tau"].text
    assert "one unit of" in conv and "full-batch epoch" in conv  # the table's sentence
    assert "gamma-N" not in conv and "unbalanced-init" not in conv  # only the named keys


# ----------------------------------------------------------------------------- sources


def _other_results() -> tuple[list[Result], Source]:
    """A second source with a label that the first also has (eq5), and its own uses."""
    from derivations.engine import registry

    other = Source(name="other", title="Lecture notes on & things", package="x", modules=(),
                   sections={"1": "First chapter"},
                   conventions=(Convention("scale", "time is measured in epochs"),))
    steps = (
        Step("eq5", "1", "another eq5", sp.Eq(u * (1 + lam), u + u * lam),
             lambda pf: pf.chain().conclude(pf.printed.lhs, u + u * lam, "expand").outcome()),
        Step("eq6", "1", "uses eq5", sp.Eq(2 * u, u + u, evaluate=False),
             lambda pf: pf.chain().conclude(pf.printed, sp.Eq(2 * u, 2 * u, evaluate=False),
                                            "collect")
             .outcome(Status.CONVENTION, convention="scale", note="in epochs"),
             uses=("eq5",)),
    )
    with registry.override({"other": (other, steps)}):
        res = verify_all(source="other")
    assert [r.status for r in res] == [Status.HOLDS, Status.CONVENTION]
    return res, other


def test_one_part_per_source_with_its_own_sections_and_labels() -> None:
    from derivations.engine import registry

    mine = results()
    extra, other = _other_results()
    sources = {"pretorius2018": registry.source("pretorius2018"), "other": other}
    doc = render(mine + extra, sources=sources)
    parts = re.findall(r"\\part\{([^}]*)\}", doc)
    assert len(parts) == 2 and parts[1] == r"Lecture notes on \& things"
    assert parts[0].startswith("Pretorius")
    assert r"\title{Verified derivations from 2 sources}" in doc
    # eq5 is in both sources: both get a label qualified by the source, each used once
    assert doc.count(r"\label{step:pretorius2018:eq5}") == 1
    assert doc.count(r"\label{step:other:eq5}") == 1
    assert r"\label{step:eq5}" not in doc
    other_part = doc.split(r"\part{Lecture notes")[1]
    assert r"\section{First chapter}" in other_part
    # other:eq6 uses eq5 of its own source
    eq6 = other_part.split(r"\label{step:eq6}")[1]
    assert r"\hyperref[step:other:eq5]" in eq6.split(r"\paragraph{Proof")[0]
    assert r"\texttt{scale}: time is measured in epochs" in eq6
    front = doc.split(r"\part{")[0]
    assert r"\texttt{pretorius2018} & \texttt{other}" in front  # counts per source
    assert r"Conventions of \texttt{other}" in front


def test_one_source_only() -> None:
    extra, other = _other_results()
    doc = render(extra, sources={"other": other})
    assert len(re.findall(r"\\part\{", doc)) == 1
    assert "Lecture notes on" in doc.split(r"\begin{document}")[0]  # the title names it
    assert "Pretorius" not in doc and "ICML" not in doc
    assert r"\label{step:eq5}" in doc  # unique in this document: the bare label


# ----------------------------------------------------------------------------- mutation score

MUTATION = {
    "pretorius2018:eq5": {"generated": 14, "killed": 14},
    "eq7_b&%": {"generated": 3, "killed": 2,
                "survivors": [{"mutation": "sign", "mutant": "Eq(u, -lambda) & 50%"}]},
    "4.claim": {"generated": 0, "killed": 0, "skipped": "no SymPy statement"},
}


def test_mutation_score_beside_the_statuses() -> None:
    doc = render(results(), mutation=MUTATION)
    assert "14 mutants, all killed" in _section(doc, "eq5").split(r"\paragraph")[0]
    conv = _section(doc, "eq7_b&%")
    assert "3 mutants, 2 killed, 1 survived" in conv.split(r"\paragraph")[0]
    assert r"\paragraph{Surviving mutants.}" in conv and r"-lambda) \& 50\%" in conv
    assert "no mutants (no SymPy statement)" in _section(doc, "4.claim")
    front = doc.split(r"\part{")[0]
    assert "17 mutants of the statements of 2 steps, 16 killed, 1 survived" in front
    assert "mutants" not in render(results())  # no data, no claim


def test_mutation_input_is_validated_and_accepts_the_mutate_json() -> None:
    from derivations.engine.latex.document import mutation_entries

    with pytest.raises(ValueError, match="eq5"):
        mutation_entries({"eq5": {"generated": 2, "killed": 3}})
    with pytest.raises(ValueError, match="eq5"):
        mutation_entries({"eq5": {"generated": "2", "killed": 1}})
    doc = {"summary": {}, "steps": [{"step": "pretorius2018:eq5", "generated": 5, "killed": 5,
                                     "survived": 0, "survivors": []}]}
    assert "5 mutants, all killed" in render(results(), mutation=doc)


# ----------------------------------------------------------------------------- the command


@needs_pdflatex
def test_latex_command_leaves_only_tex_and_pdf_and_selects_a_source(tmp_path: Path) -> None:
    from experiments.cli import main
    from tests.engine.synthetic import synthetic

    out = tmp_path / "out" / "x.tex"
    with synthetic(two_sources=True):
        assert main(["latex", "-o", str(out), "--pdf"]) == 0
        assert sorted(p.name for p in out.parent.iterdir()) == ["x.pdf", "x.tex"]
        assert len(re.findall(r"\\part\{", out.read_text())) == 2
        assert main(["latex", "-o", str(out), "--source", "other"]) == 0
    text = out.read_text()
    assert re.findall(r"\\part\{([^}]*)\}", text) == ["Another source"]


def test_latex_command_reports_mutation_results_when_given(tmp_path: Path) -> None:
    import argparse
    import json

    from experiments.cli import UsageError
    from experiments.proof_commands import cmd_latex
    from tests.engine.synthetic import synthetic

    data = tmp_path / "m.json"
    data.write_text(json.dumps({"steps": [{"step": "demo:eq1", "generated": 7, "killed": 7}]}))
    args = argparse.Namespace(output=str(tmp_path / "d.tex"), pdf=False, pdf_if_available=False,
                              only=["eq1"], source=None, timeout=60.0, no_timeout=False,
                              mutation_json=str(data))
    with synthetic():
        assert cmd_latex(args) == 0
        assert "7 mutants, all killed" in (tmp_path / "d.tex").read_text()
        data.write_text("[1, 2]")
        with pytest.raises(UsageError, match="mutation results"):
            cmd_latex(args)
