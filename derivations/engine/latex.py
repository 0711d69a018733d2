"""The whole derivation as a self-contained LaTeX document, and its compilation to PDF.

:func:`render` turns verification results into an ``article``: a front matter with the
status counts, the errata (refuted printed statements) and the statements that hold only
under a scaling convention, then one numbered section per paper section (in the order of
:data:`~derivations.registry.SECTION_TITLES`) with one subsection per step: the statement
as printed, its precise reading, assumptions, the steps it uses (hyperlinked), the proof as
the chain of verified equalities, numeric checks, verdict, convention, counterexample and
corrected statement.  Only packages of TeX Live's ``latex-base`` and ``latex-recommended``
are used.  :func:`compile_pdf` runs ``latexmk`` (or ``pdflatex`` twice).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import sympy as sp

from . import registry
from .report import section_order, section_source_title, section_title
from .step import Assumption, Link, Status
from .verify import Result

__all__ = [
    "INSTALL_HINT",
    "LatexError",
    "LatexUnavailable",
    "compile_pdf",
    "escape",
    "latex_tool",
    "math_lines",
    "render",
    "step_label",
]

#: how to get a TeX toolchain that compiles the document (Debian/Ubuntu)
INSTALL_HINT = "apt-get install texlive-latex-recommended latexmk"

#: a display line longer than this (in LaTeX source characters) is broken at + and -
LINE_BUDGET = 110


class LatexUnavailable(RuntimeError):
    """Neither ``latexmk`` nor ``pdflatex`` is on the PATH."""


class LatexError(RuntimeError):
    """Compilation failed; ``log_tail`` holds the end of the LaTeX log."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


# --------------------------------------------------------------------------- text escaping

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': "''",
}

_UNICODE = {
    "\u2014": "---", "\u2013": "--", "\u2018": "`", "\u2019": "'", "\u201c": "``",
    "\u201d": "''", "\u2026": r"\ldots{}", "\u00a0": "~", "\u00b7": r"$\cdot$",
    "\u00d7": r"$\times$", "\u00b1": r"$\pm$", "\u2213": r"$\mp$", "\u2212": "$-$",
    "\u2260": r"$\neq$", "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u2248": r"$\approx$",
    "\u2261": r"$\equiv$", "\u221e": r"$\infty$", "\u2192": r"$\to$", "\u2190": r"$\leftarrow$",
    "\u21d2": r"$\Rightarrow$", "\u21d4": r"$\Leftrightarrow$", "\u2194": r"$\leftrightarrow$",
    "\u221a": r"$\surd$", "\u2202": r"$\partial$", "\u2207": r"$\nabla$", "\u2211": r"$\sum$",
    "\u220f": r"$\prod$", "\u222b": r"$\int$", "\u2208": r"$\in$", "\u2209": r"$\notin$",
    "\u2282": r"$\subset$", "\u2286": r"$\subseteq$", "\u222a": r"$\cup$", "\u2229": r"$\cap$",
    "\u2200": r"$\forall$", "\u2203": r"$\exists$", "\u00b2": r"$^2$", "\u00b3": r"$^3$",
    "\u00b9": r"$^1$", "\u2070": r"$^0$", "\u207b": r"$^-$", "\u2080": r"$_0$",
    "\u2081": r"$_1$", "\u2082": r"$_2$", "\u2099": r"$_n$", "\u22c5": r"$\cdot$",
    "\u2218": r"$\circ$", "\u221d": r"$\propto$", "\u226a": r"$\ll$", "\u226b": r"$\gg$",
    "\u2032": r"$'$", "\u00b0": r"$^\circ$", "\u2022": r"$\bullet$", "\u2016": r"$\|$",
    "\u27e8": r"$\langle$", "\u27e9": r"$\rangle$", "\u2225": r"$\parallel$",
    "\u00ac": r"$\neg$", "\u2227": r"$\wedge$", "\u2228": r"$\vee$", "\u2205": r"$\emptyset$",
    "\u211d": r"$\mathbb{R}$", "\u2115": r"$\mathbb{N}$", "\u2124": r"$\mathbb{Z}$",
    "\u2102": r"$\mathbb{C}$", "\u03f5": r"$\epsilon$", "\u03d5": r"$\phi$",
}

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega",
}
_GREEK_UPPER = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi",
                "Psi", "Omega"}


def _unicode_char(ch: str) -> str:
    if ch in _UNICODE:
        return _UNICODE[ch]
    name = unicodedata.name(ch, "")
    m = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER (\w+)", name)
    if m:
        g = m.group(2).lower().replace("lamda", "lambda")
        if m.group(1) == "SMALL" and g in _GREEK:
            return f"$\\{'varepsilon' if g == 'epsilon' else g}$"
        if m.group(1) == "CAPITAL" and g.capitalize() in _GREEK_UPPER:
            return f"$\\{g.capitalize()}$"
        if m.group(1) == "CAPITAL" and g.capitalize() in {x.capitalize() for x in _GREEK}:
            return g[0].upper()  # Alpha, Beta, ... look like Latin capitals
    if ch == "\u03c2":  # final sigma
        return r"$\varsigma$"
    ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    if ascii_form:
        return escape(ascii_form)
    if unicodedata.category(ch).startswith(("Z", "C")):
        return " "
    return rf"\texttt{{[U+{ord(ch):04X}]}}"


def escape(text: object) -> str:
    """``text`` as LaTeX text: special characters escaped, non-ASCII mapped to macros.

    Every character that LaTeX treats specially (``\\ { } $ & # % _ ^ ~ < > |``) is
    escaped; Greek letters and common mathematical symbols become their math macros; other
    non-ASCII characters lose their accents or are shown by code point, so that the result
    always compiles with ``pdflatex``.
    """
    out = []
    for ch in str(text):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch == "\n":
            out.append(" ")
        elif ord(ch) < 128:
            out.append(ch if ch.isprintable() else " ")
        else:
            out.append(_unicode_char(ch))
    return "".join(out)


def step_label(step_id: str) -> str:
    """A ``\\label`` key for a step id: safe characters kept, others hex-coded (injective)."""
    safe = "".join(
        ch if (ch.isascii() and (ch.isalnum() or ch in ".:")) else f"-{ord(ch):x}-"
        for ch in step_id
    )
    return f"step:{safe}"


# --------------------------------------------------------------------------- mathematics

_REL = {"==": "=", "!=": r"\neq", "<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq"}


def _tex(obj: object) -> str:
    """``sympy.latex`` with long fractions split; stray ``%``/``#`` made harmless."""
    if isinstance(obj, str):
        return rf"\text{{{escape(obj)}}}"
    try:
        tex = sp.latex(obj, long_frac_ratio=2)
    except Exception:
        return rf"\text{{{escape(obj)}}}"
    return re.sub(r"(?<!\\)([%#])", r"\\\1", tex)


def _pack(pieces: Sequence[str], budget: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for p in pieces:
        if cur and len(cur) + len(p) + 1 > budget:
            lines.append(cur)
            cur = p
        else:
            cur = f"{cur} {p}" if cur else p
    if cur:
        lines.append(cur)
    return lines


def math_lines(obj: object, budget: int = LINE_BUDGET) -> list[str]:
    """LaTeX of ``obj`` as display lines, broken where the expression tree allows it.

    A line longer than ``budget`` source characters is broken at the top-level terms of
    a sum, between the factors of a product, inside the base of an integer power, at the
    operands of ``\\wedge``/``\\vee``/``\\Rightarrow`` and at a relation (whose symbol
    starts the continuation line).  A long parenthesised sum is broken with
    ``\\left( ... \\right.`` / ``\\left. ... \\right)``, so every line is balanced and
    ``multline`` can set them.  What cannot be split (a long fraction, a matrix) stays whole.
    """
    if isinstance(obj, (tuple, list, sp.Tuple)):
        lines: list[str] = []
        for i, item in enumerate(obj):
            sub = math_lines(item, budget)
            if i < len(obj) - 1:
                sub[-1] += r", \quad"
            lines.extend(sub)
        return _pack(lines, budget) if lines else [_tex(obj)]
    if isinstance(obj, sp.MatrixBase):
        whole = _tex(obj)
        return [whole] if len(whole) <= budget else _matrix_lines(obj, None, "", budget)
    if not isinstance(obj, sp.Basic):
        return [_tex(obj)]
    whole = _tex(obj)
    if len(whole) <= budget:
        return [whole]
    if isinstance(obj, sp.Rel) and obj.rel_op in _REL:
        return relation_lines(obj.lhs, _REL[obj.rel_op], obj.rhs, budget)
    if isinstance(obj, sp.Implies):
        return relation_lines(obj.args[0], r"\Rightarrow", obj.args[1], budget)
    if isinstance(obj, (sp.And, sp.Or)):
        op = r"\wedge" if isinstance(obj, sp.And) else r"\vee"
        pieces = []
        for i, arg in enumerate(obj.args):
            sub = _paren(math_lines(arg, budget)) if isinstance(arg, (sp.And, sp.Or)) \
                else math_lines(arg, budget)
            if i:
                sub[0] = f"{op} {sub[0]}"
            pieces.extend(sub)
        return _pack(pieces, budget)
    if isinstance(obj, sp.Add):
        return _pack(_add_pieces(obj, budget), budget)
    if isinstance(obj, sp.Mul):
        return _pack(_mul_pieces(obj, budget), budget)
    if isinstance(obj, sp.Pow) and isinstance(obj.base, sp.Add) and obj.exp.is_Integer \
            and obj.exp != 1:
        lines = _paren(math_lines(obj.base, budget - 16))
        lines[-1] += f"^{{{_tex(obj.exp)}}}"
        return lines
    if isinstance(obj, sp.Subs) and r"\right|" in whole:
        where = whole[whole.rindex(r"\right|") + len(r"\right|"):]
        inner = math_lines(obj.expr, budget - 10)
        if len(inner) > 1 and where.count("{") == where.count("}"):
            rows = [rf"\left.{line}\right." for line in inner]
            rows[-1] = rows[-1][: -len(r"\right.")] + r"\right|" + where
            return rows
    if isinstance(obj, sp.Function) and len(obj.args) == 1 \
            and isinstance(obj.args[0], (sp.Add, sp.Mul, sp.Pow)):
        return _function_lines(obj, budget) or [whole]
    return [whole]


_PLACEHOLDER = sp.Symbol("XQXPLACEHOLDERXQX")


def _function_lines(obj: sp.Function, budget: int) -> list[str] | None:
    """``f(long argument)`` broken inside its parentheses, or None if ``f`` prints oddly."""
    try:
        tex = _tex(obj.func(_PLACEHOLDER))
    except Exception:
        return None
    if tex.count(_PLACEHOLDER.name) != 1:
        return None
    head, tail = (part.strip() for part in tex.split(_PLACEHOLDER.name))
    for opening, closing in ((r"{\left(", r"\right)}"), (r"\left(", r"\right)")):
        if head.endswith(opening) and tail == closing and head.count("{") == head.count("}") \
                + opening.count("{"):
            name = head[: -len(opening)]
            lines = _paren(math_lines(obj.args[0], budget - 16))
            lines[0] = name + " " + lines[0]
            return lines
    return None


def _paren(lines: list[str]) -> list[str]:
    """Parenthesise a group of display lines, with invisible delimiters at the breaks."""
    if len(lines) == 1:
        return [rf"\left({lines[0]}\right)"]
    middle = [rf"\left.{line}\right." for line in lines[1:-1]]
    return [rf"\left({lines[0]}\right.", *middle, rf"\left.{lines[-1]}\right)"]


def _add_pieces(expr: sp.Add, budget: int) -> list[str]:
    pieces: list[str] = []
    for i, term in enumerate(expr.as_ordered_terms()):
        neg = term.could_extract_minus_sign()
        body = -term if neg else term
        sub = math_lines(body, budget)
        sub[0] = ("- " if neg else ("+ " if i else "")) + sub[0]
        pieces.extend(sub)
    return pieces


def _mul_pieces(expr: sp.Mul, budget: int) -> list[str]:
    """Factors of a long product, in SymPy's order; long sums and long reciprocals are
    broken inside their parentheses (a reciprocal as ``(...)^{-1}``)."""
    coeff, rest = expr.as_coeff_Mul()
    head = "- " if coeff < 0 else ""
    coeff = abs(coeff)
    factors: list[str] = []
    if coeff != 1:
        factors.append(_tex(coeff))
    for f in rest.as_ordered_factors() if isinstance(rest, sp.Mul) else [rest]:
        if f == 1:
            continue
        if isinstance(f, sp.Add):
            factors.extend(_paren(math_lines(f, budget - 16)))
        else:
            factors.extend(math_lines(f, budget))
    if not factors:
        return [_tex(expr)]
    factors[0] = head + factors[0]
    return factors


def relation_lines(lhs: object, rel: str, rhs: object, budget: int = LINE_BUDGET) -> list[str]:
    """Display lines for ``lhs rel rhs``, each side broken as :func:`math_lines` does."""
    left = math_lines(lhs, budget)
    right = math_lines(rhs, budget)
    right[0] = f"{rel} {right[0]}"
    if len(left[-1]) + len(right[0]) + 1 <= budget:
        return left[:-1] + [f"{left[-1]} {right[0]}"] + right[1:]
    return left + right


#: a long explicit matrix is shown entry by entry, at most this many non-zero entries
MAX_MATRIX_ENTRIES = 9


def _matrix_lines(lhs: sp.MatrixBase, rhs: sp.MatrixBase | None, rel: str,
                  budget: int) -> list[str]:
    """A long matrix (or matrix relation ``lhs rel rhs``) as lines, one entry at a time.

    Entries that are zero (on both sides) are skipped; after ``MAX_MATRIX_ENTRIES`` shown
    entries the rest are counted, not shown.
    """
    lines: list[str] = []
    shown = hidden = zeros = 0
    for i in range(lhs.rows):
        for j in range(lhs.cols):
            a = lhs[i, j]
            b = rhs[i, j] if rhs is not None else None
            if a == 0 and (b is None or b == 0):
                zeros += 1
                continue
            if shown >= MAX_MATRIX_ENTRIES:
                hidden += 1
                continue
            shown += 1
            head = rf"\text{{entry }}({i + 1},{j + 1})\colon"
            if b is None:
                sub = math_lines(a, budget - 20)
            else:
                sub = relation_lines(a, rel, b, budget - 20)
            lines.append(f"{head} {sub[0]}")
            lines.extend(sub[1:])
    rest = []
    if hidden:
        rest.append(f"{hidden} more entries")
    if zeros:
        rest.append(f"{zeros} zero entries")
    if rest:
        lines.append(rf"\text{{({' and '.join(rest)} not shown)}}")
    return lines or [_tex(lhs)]


def _align(rows: Sequence[str]) -> str:
    body = " \\\\\n".join(rows)
    return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"


def _display(lines: Sequence[str]) -> str:
    """One display: ``\\[...\\]`` for one line; else ``align*`` (it may break across
    pages under ``\\allowdisplaybreaks``), continuation lines indented."""
    if len(lines) == 1:
        return f"\\[\n{lines[0]}\n\\]"
    return _align([f"& {lines[0]}"] + [rf"&\quad {line}" for line in lines[1:]])


def _display_relation(lhs: object, rel: str, rhs: object, budget: int = LINE_BUDGET) -> str:
    """``lhs rel rhs`` as one display; when broken, the relation symbols are aligned."""
    if isinstance(lhs, sp.MatrixBase) and isinstance(rhs, sp.MatrixBase) \
            and lhs.shape == rhs.shape and len(_tex(lhs)) + len(_tex(rhs)) > budget:
        return _display(_matrix_lines(lhs, rhs, rel, budget))
    left = math_lines(lhs, budget)
    right = math_lines(rhs, budget)
    if len(left) == 1 and len(right) == 1 and len(left[0]) + len(right[0]) < budget:
        return f"\\[\n{left[0]} {rel} {right[0]}\n\\]"
    if len(left) == 1 and len(left[0]) <= budget // 2:
        right = math_lines(rhs, max(budget - len(left[0]), budget // 2))
        rows = [f"{left[0]} &{rel} {right[0]}"]
    else:
        rows = [f"& {left[0]}"] + [rf"&\quad {line}" for line in left[1:]]
        rows.append(f"&{rel} {right[0]}")
    rows += [rf"&\quad {line}" for line in right[1:]]
    return _align(rows)


def statement_block(obj: object) -> str:
    """A statement: display math for SymPy, a quoted sentence for ``str``; a tuple of
    statements gives one display per statement."""
    if isinstance(obj, str):
        return f"\\begin{{quote}}\n``{escape(obj)}''\n\\end{{quote}}"
    if isinstance(obj, (tuple, list, sp.Tuple)) and len(obj) > 0:
        return "\n".join(statement_block(item) for item in obj)
    return _display(math_lines(obj))


# --------------------------------------------------------------------------- document parts

_STATUS_COLOUR = {
    Status.HOLDS: "green!40!black",
    Status.CONVENTION: "blue!60!black",
    Status.REFUTED: "red!70!black",
    Status.UNVERIFIED: "orange!80!black",
}

_STATUS_ORDER = (Status.HOLDS, Status.CONVENTION, Status.REFUTED, Status.UNVERIFIED)


def _status_tex(status: Status) -> str:
    return rf"\textcolor{{{_STATUS_COLOUR[status]}}}{{\textbf{{{status.value}}}}}"


def _itemize(items: Iterable[str]) -> str:
    body = "\n".join(rf"\item {i}" for i in items)
    return f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}"


_ABBREV = ("i.e.", "e.g.", "cf.", "vs.", "eq.", "Eq.", "Fig.", "approx.")


def _one_line(text: str, limit: int = 260) -> str:
    """The summary of a note: its sentences up to ``limit`` characters (at least the first,
    shortened with an ellipsis when it is longer); abbreviations do not end a sentence."""
    text = " ".join(text.split())
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text)
            if not text[: m.end()].endswith(_ABBREV)]
    cut = max([e for e in ends if e <= limit], default=None)
    if len(text) <= limit:
        return text
    if cut is not None:
        return text[:cut]
    return text[: limit - 3].rstrip() + "..."


def _ref(step_id: str, known: set[str]) -> str:
    if step_id in known:
        return (rf"\hyperref[{step_label(step_id)}]{{\texttt{{{escape(step_id)}}}}}"
                rf"~(\S\ref*{{{step_label(step_id)}}})")
    return rf"\texttt{{{escape(step_id)}}} (not in this document)"


def _link_item(link: Link) -> str:
    why = escape(link.why) if link.why else ""
    if link.rhs is None:
        tag = f" [{escape(link.relation)}]" if link.relation else ""
        head = rf"\emph{{Fact{tag}:}} {why}"
        if isinstance(link.lhs, str):
            return f"\\item {head}\n\\begin{{quote}}\n{escape(link.lhs)}\n\\end{{quote}}"
        if link.lhs is sp.true:  # a condition SymPy already decided from the symbols
            return f"\\item {head} (true by the symbols' assumptions)"
        return f"\\item {head}\n{_display(math_lines(link.lhs))}"
    rel = _REL.get(link.relation, None)
    if rel is None:
        rel = escape(link.relation) if link.relation else "="
        rel = rf"\mathrel{{\text{{{rel}}}}}" if link.relation not in ("=", "") else "="
    return f"\\item {why}\n{_display_relation(link.lhs, rel, link.rhs)}"


def _assumption_item(a: Assumption) -> str:
    item = rf"\item {escape(a.text)}"
    if a.condition is sp.true:
        return item + r" \emph{(built into the symbols' assumptions)}"
    if a.condition is not None:
        item += f"\n{_display(math_lines(a.condition))}"
    return item


def _number_tex(value: object) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _tex(value) if isinstance(value, sp.Basic) else rf"\text{{{escape(value)}}}"
    if x != x or x in (float("inf"), float("-inf")):
        return rf"\text{{{escape(str(x))}}}"
    s = f"{x:.10g}"
    if "e" in s:
        mant, ex = s.split("e")
        return rf"{mant} \times 10^{{{int(ex)}}}"
    return s


def _counterexample(ce: Mapping[str, object]) -> str:
    rows = "\n".join(
        rf"\texttt{{{escape(k)}}} & ${_number_tex(v)}$ \\" for k, v in ce.items()
    )
    return ("\\begin{center}\n\\begin{tabular}{ll}\n\\toprule\nquantity & value \\\\\n"
            f"\\midrule\n{rows}\n\\bottomrule\n\\end{{tabular}}\n\\end{{center}}")


def _conventions(r: Result) -> list:
    table = registry.source(r.step.source).convention_table
    return [table[k] for k in r.outcome.convention_keys if k in table]


def _title_tex(r: Result) -> str:
    sid, title = r.step.id, r.step.title
    pdf = re.sub(r"[^A-Za-z0-9 .,:()+-]", "", f"[{sid}] {title}")
    tex = rf"\texttt{{[{escape(sid)}]}} {escape(title)}"
    return rf"\texorpdfstring{{{tex}}}{{{pdf}}}"


def step_section(r: Result, known: set[str]) -> str:
    """The ``\\subsection`` of one step."""
    step, out = r.step, r.outcome
    status = Status(out.status)
    parts = [rf"\subsection{{{_title_tex(r)}}}\label{{{step_label(step.id)}}}"]
    where = "" if step.printed_in_paper else r" \quad(\emph{not printed in the paper})"
    parts.append(
        rf"\noindent\textbf{{Label}} \texttt{{{escape(step.id)}}}{where}\hfill "
        rf"{_status_tex(status)} --- {escape(r.method)}, {r.seconds:.2f}\,s"
    )
    parts.append(r"\paragraph{As printed.}" + "\n" + statement_block(step.printed))
    if step.statement is not None:
        parts.append(r"\paragraph{Precise statement.}" + "\n" + statement_block(step.statement))
    if step.assumes:
        items = "\n".join(_assumption_item(a) for a in step.assumes)
        parts.append(r"\paragraph{Assumptions.}"
                     f"\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
    if step.uses:
        parts.append(r"\paragraph{Uses.} " + ", ".join(_ref(u, known) for u in step.uses) + ".")
    if out.chain:
        items = "\n".join(_link_item(k) for k in out.chain)
        parts.append(r"\paragraph{Proof.} Each line below was checked by the verifier."
                     f"\n\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}")
    if out.checks:
        parts.append(r"\paragraph{Numeric checks.}" + "\n" + _itemize(map(escape, out.checks)))
    verdict = rf"\paragraph{{Verdict.}} {_status_tex(status)} ({escape(r.method)})."
    if r.error:
        verdict += rf" The proof did not complete: \texttt{{{escape(r.error)}}}."
    elif out.note:
        verdict += " " + escape(out.note)
    parts.append(verdict)
    if out.convention:
        items = "\n".join(rf"\item \texttt{{{escape(c.key)}}}: {escape(c.text)}"
                          for c in _conventions(r))
        parts.append(r"\paragraph{Convention.}" + f"\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
    if status is Status.REFUTED:
        if out.counterexample:
            parts.append(r"\paragraph{Counterexample.} Values at which the printed statement "
                         "and the verified one differ:\n" + _counterexample(out.counterexample))
        if out.corrected is not None:
            parts.append(r"\paragraph{Corrected statement.}" + "\n"
                         + statement_block(out.corrected))
        if out.corrected_text:
            parts.append((r"\paragraph{Corrected statement.} " if out.corrected is None else "")
                         + escape(out.corrected_text))
    if step.note and step.note != out.note:
        parts.append(rf"\paragraph{{Remark.}} {escape(step.note)}")
    if r.warnings:
        parts.append(r"\paragraph{Verifier warnings.}" + "\n" + _itemize(map(escape, r.warnings)))
    return "\n\n".join(parts)


def _summary_table(rows: Sequence[tuple[str, str, str]], head: tuple[str, str, str]) -> str:
    body = "\n".join(rf"{a} & {b} & {c} \\" for a, b, c in rows)
    return ("\\begin{longtable}{@{}p{0.17\\linewidth}p{0.28\\linewidth}p{0.49\\linewidth}@{}}\n"
            "\\toprule\n" + " & ".join(rf"\textbf{{{h}}}" for h in head) + " \\\\\n"
            f"\\midrule\n\\endhead\n{body}\n\\bottomrule\n\\end{{longtable}}")


def _front(results: Sequence[Result], known: set[str]) -> str:
    parts = []
    counts = {s: [0, 0] for s in _STATUS_ORDER}
    for r in results:
        counts[Status(r.status)][0] += 1
        counts[Status(r.status)][1] += bool(r.step.printed_in_paper)
    rows = "\n".join(rf"{_status_tex(s)} & {a} & {b} \\" for s, (a, b) in counts.items())
    total_all = sum(a for a, _ in counts.values())
    total_paper = sum(b for _, b in counts.values())
    seconds = sum(r.seconds for r in results)
    parts.append(
        "\\section*{Summary}\n\\addcontentsline{toc}{section}{Summary}\n"
        "Every statement below was checked by \\texttt{daedyn verify}; the proofs are the "
        "chains of equalities that the verifier closed with targeted SymPy transformations.\n"
        "\\begin{center}\n\\begin{tabular}{lrr}\n\\toprule\nstatus & all steps & printed in "
        f"the paper \\\\\n\\midrule\n{rows}\n\\midrule\ntotal & {total_all} & {total_paper} "
        f"\\\\\n\\bottomrule\n\\end{{tabular}}\n\\end{{center}}\n"
        f"Total proof time: {seconds:.2f}\\,s."
    )

    def ident(r: Result) -> str:
        return _ref(r.id, known)

    refuted = [r for r in results if Status(r.status) is Status.REFUTED]
    parts.append("\\subsection*{Errata: refuted statements}")
    if refuted:
        rows_e = [(ident(r), escape(r.step.title), escape(_one_line(r.note or r.error or "")))
                  for r in refuted]
        parts.append(_summary_table(rows_e, ("label", "statement", "why it fails")))
    else:
        parts.append("None of the statements in this document was refuted.")
    conv = [r for r in results if Status(r.status) is Status.CONVENTION]
    parts.append("\\subsection*{Statements that hold under a convention}")
    if conv:
        rows_c = [(ident(r), escape(r.step.title),
                   escape(_one_line(r.outcome.convention or r.note or ""))) for r in conv]
        parts.append(_summary_table(rows_c, ("label", "statement", "convention")))
    else:
        parts.append("No statement in this document depends on a scaling convention.")
    unver = [r for r in results if Status(r.status) is Status.UNVERIFIED]
    if unver:
        parts.append("\\subsection*{Unverified statements}")
        rows_u = [(ident(r), escape(r.step.title), escape(_one_line(r.error or r.note or "")))
                  for r in unver]
        parts.append(_summary_table(rows_u, ("label", "statement", "reason")))
    for name in dict.fromkeys(r.step.source for r in results):
        table = registry.source(name).conventions if name else ()
        if not table:
            continue
        items = "\n".join(rf"\item \texttt{{{escape(c.key)}}}: {escape(c.text)}"
                          for c in table)
        parts.append(f"\\subsection*{{Conventions of {escape(name)}}}\nThe source's symbols "
                     "are read with these conventions (keys as the steps name them).\n"
                     f"\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
    return "\n\n".join(parts)


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{booktabs}
\usepackage{longtable}
\usepackage[dvipsnames]{xcolor}
\usepackage[hidelinks]{hyperref}
\allowdisplaybreaks
\setcounter{secnumdepth}{2}
\setcounter{tocdepth}{1}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4ex}
\title{Verified derivations of\\ ``Learning Dynamics of Linear Denoising Autoencoders''\\
\large Pretorius, Kroon \& Kamper, ICML 2018}
\author{generated by \texttt{daedyn latex}}
\date{}
"""


def render(results: Iterable[Result]) -> str:
    """The LaTeX document of ``results`` (a complete ``article``, ready for ``pdflatex``)."""
    results = list(results)
    known = {r.id for r in results}
    body = [_PREAMBLE, "\\begin{document}", "\\maketitle", "\\tableofcontents",
            _front(results, known)]
    if not results:
        body.append("\\section*{Steps}\nThe registry holds no steps yet.")
    current = None
    for src, sec in section_order(results):
        if src != current:
            body.append(rf"\part{{{escape(section_source_title(src))}}}")
            current = src
        title = section_title(src, sec)
        body.append(rf"\section{{{escape(title)}}}\label{{sec:{step_label(src + sec)[5:]}}}")
        body.extend(step_section(r, known) for r in results
                    if r.step.section == sec and r.step.source == src)
    body.append("\\end{document}\n")
    return "\n\n".join(body)


# --------------------------------------------------------------------------- compilation


def latex_tool() -> str | None:
    """``"latexmk"`` or ``"pdflatex"`` (whichever is usable, latexmk preferred), else None."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return "latexmk"
    if shutil.which("pdflatex"):
        return "pdflatex"
    return None


def _tail(path: Path, fallback: str, n: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = fallback
    lines = text.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("!")]
    if errors:  # show from the first LaTeX error on, which is what the reader needs
        return "\n".join(lines[errors[0]: errors[0] + n])
    return "\n".join(lines[-n:])


def compile_pdf(tex_path: str | Path, timeout: float = 300.0) -> Path:
    """Compile ``tex_path`` in its own directory; return the PDF's path.

    Uses ``latexmk -pdf -interaction=nonstopmode -halt-on-error``, or ``pdflatex`` run
    twice when latexmk is absent.  Raises :class:`LatexUnavailable` without a TeX
    toolchain and :class:`LatexError` (with the log's tail) when compilation fails.
    """
    tex_path = Path(tex_path).resolve()
    tool = latex_tool()
    if tool is None:
        raise LatexUnavailable(f"pdflatex not found; install it with: {INSTALL_HINT}")
    flags = ["-interaction=nonstopmode", "-halt-on-error"]
    if tool == "latexmk":
        runs = [["latexmk", "-pdf", *flags, tex_path.name]]
    else:
        runs = [["pdflatex", *flags, tex_path.name]] * 2
    log = tex_path.with_suffix(".log")
    for cmd in runs:
        try:
            proc = subprocess.run(
                cmd, cwd=tex_path.parent, stdin=subprocess.DEVNULL, capture_output=True,
                text=True, errors="replace", timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise LatexError(f"{cmd[0]} did not finish in {timeout:g} s",
                             _tail(log, str(err.stdout or ""))) from None
        if proc.returncode != 0:
            raise LatexError(f"{cmd[0]} failed (exit {proc.returncode}); log: {log}",
                             _tail(log, proc.stdout + proc.stderr))
    pdf = tex_path.with_suffix(".pdf")
    if not pdf.exists():
        raise LatexError(f"{tool} reported success but {pdf} is missing", _tail(log, ""))
    return pdf
