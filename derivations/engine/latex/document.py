"""The verification results as a self-contained LaTeX ``article`` (any number of sources).

:func:`render` assembles the document: a title naming the sources, a summary (status
counts per source, checked relations and stated facts, the mutation score when given, the
errata, the statements that hold under a convention and the unverified ones, and each
source's table of conventions), then one ``\\part`` per source with one numbered section per
section of the source (its ``Source.sections``, in that order) and one subsection per step:
the statement as printed, its precise reading, assumptions, the steps it uses (hyperlinked),
the proof, numeric checks, verdict, conventions (by key, from the source's table),
counterexample and corrected statement.

A proof line is either a relation the verifier checked (marked with a check mark) or a fact
the proof states with its reason (marked *stated*); the line that compares the derivation
with the printed statement says so.  The reasons are typeset with their formulas as
mathematics (:func:`~.mathtext.math_text`).  Only packages of TeX Live's ``latex-base`` and
``latex-recommended`` are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sympy as sp

from .. import registry
from ..registry import Source
from ..step import Assumption, Link, Status
from ..verify import Result
from .breaking import REL, display, display_relation, math_lines, statement_block, tex
from .escape import escape, step_label
from .mathtext import math_text

__all__ = ["MutationEntry", "mutation_entries", "render", "step_section"]

_STATUS_COLOUR = {
    Status.HOLDS: "green!40!black",
    Status.CONVENTION: "blue!60!black",
    Status.REFUTED: "red!70!black",
    Status.UNVERIFIED: "orange!80!black",
}

_STATUS_ORDER = (Status.HOLDS, Status.CONVENTION, Status.REFUTED, Status.UNVERIFIED)

#: one step's mutation result: ``generated``, ``killed`` (and optionally ``survivors``,
#: a list of ``{"mutation", "mutant"}``, and ``skipped``, the reason none was made)
MutationEntry = Mapping[str, Any]


def _status_tex(status: Status) -> str:
    return rf"\textcolor{{{_STATUS_COLOUR[status]}}}{{\textbf{{{status.value}}}}}"


def _item(text: str) -> str:
    """``\\item text``; a text starting with ``[`` must not be read as the item's label."""
    return r"\item " + ("{}" if text.lstrip().startswith("[") else "") + text


def _itemize(items: Iterable[str]) -> str:
    body = "\n".join(_item(i) for i in items)
    return f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


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


# ----------------------------------------------------------------------------- mutation


def mutation_entries(mutation: Mapping[str, Any] | None) -> dict[str, MutationEntry]:
    """Mutation results by step label, validated.

    Accepts ``{label: {"generated": n, "killed": k, ...}}`` (labels qualified
    ``source:label`` or bare) or the document written by ``daedyn mutate --json`` (its
    ``"steps"`` list, each entry naming its ``"step"``).  Raises ``ValueError`` naming the
    step for counts that are not integers with ``0 <= killed <= generated``.
    """
    if mutation is None:
        return {}
    if not isinstance(mutation, Mapping):
        raise ValueError(f"mutation results must be a mapping, got {type(mutation).__name__}")
    if isinstance(mutation.get("steps"), list):
        pairs = [(str(e.get("step", "")), e) for e in mutation["steps"]]
    else:
        pairs = [(str(k), v) for k, v in mutation.items()]
    out: dict[str, MutationEntry] = {}
    for label, entry in pairs:
        if not label or not isinstance(entry, Mapping):
            raise ValueError(f"mutation entry {label!r} must be a mapping with generated/killed")
        gen, killed = entry.get("generated", 0), entry.get("killed", 0)
        if not (isinstance(gen, int) and isinstance(killed, int)) or isinstance(gen, bool) \
                or not 0 <= killed <= gen:
            raise ValueError(f"mutation entry {label!r}: need integers 0 <= killed <= "
                             f"generated, got generated={gen!r}, killed={killed!r}")
        out[label] = entry
    return out


def _mutation_phrase(entry: MutationEntry) -> str:
    gen, killed = int(entry.get("generated", 0)), int(entry.get("killed", 0))
    if gen == 0:
        skipped = str(entry.get("skipped") or "")
        return f"no mutants ({skipped})" if skipped else "no mutants"
    if killed == gen:
        return "1 mutant, killed" if gen == 1 else f"{gen} mutants, all killed"
    return f"{_plural(gen, 'mutant')}, {killed} killed, {gen - killed} survived"


# ----------------------------------------------------------------------------- the document


class _Doc:
    """What the parts of one document share: labels, sources, mutation results."""

    def __init__(self, results: Sequence[Result], sources: Mapping[str, Source] | None,
                 mutation: Mapping[str, Any] | None) -> None:
        self.results = results
        self._sources = sources
        self.mutation = mutation_entries(mutation)
        counts: dict[str, int] = {}
        for r in results:
            counts[r.id] = counts.get(r.id, 0) + 1
        # a bare label is enough while it is unique in the document
        self.labels = {r.step.key: step_label(r.id if counts[r.id] == 1 else r.step.key)
                       for r in results}
        self.by_key = {r.step.key: r for r in results}

    def unique(self, step_id: str) -> bool:
        return sum(r.id == step_id for r in self.results) == 1

    def source(self, name: str) -> Source | None:
        if self._sources is not None:
            return self._sources.get(name)
        if not name:
            return None
        try:
            return registry.source(name)
        except KeyError:
            return None

    def source_title(self, name: str) -> str:
        src = self.source(name)
        return src.title if src is not None else (name or "Steps without a source")

    def section_title(self, name: str, sec: str) -> str:
        src = self.source(name)
        return src.section_title(sec) if src is not None else f"Section {sec}"

    def order(self) -> list[tuple[str, list[str]]]:
        """Sources (the registry's order, then others by appearance) and their sections
        (the source's order, then unknown ones by appearance)."""
        present = list(dict.fromkeys(r.step.source for r in self.results))
        known = list(self._sources) if self._sources is not None else list(
            registry.source_names())
        names = [n for n in known if n in present] + [n for n in present if n not in known]
        out = []
        for n in names:
            secs = list(dict.fromkeys(r.step.section for r in self.results
                                      if r.step.source == n))
            src = self.source(n)
            first = [s for s in (src.sections if src is not None else ()) if s in secs]
            out.append((n, first + [s for s in secs if s not in first]))
        return out

    def resolve(self, label: str, within: str) -> str | None:
        """The key of the step that ``label`` names from a step of source ``within``."""
        if ":" in label:
            return label if label in self.by_key else None
        if f"{within}:{label}" in self.by_key:
            return f"{within}:{label}"
        hits = [k for k, r in self.by_key.items() if r.id == label]
        return hits[0] if len(hits) == 1 else None

    def ref(self, label: str, within: str) -> str:
        key = self.resolve(label, within)
        if key is None:
            return rf"\texttt{{{escape(label)}}} (not in this document)"
        lab = self.labels[key]
        return rf"\hyperref[{lab}]{{\texttt{{{escape(label)}}}}}~(\S\ref*{{{lab}}})"

    def text_ref(self, within: str) -> Callable[[str], str | None]:
        """For :func:`math_text`: ``[label]`` in a reason becomes a link when it is a step."""

        def make(label: str) -> str | None:
            key = self.resolve(label, within)
            if key is None:
                return None
            return rf"\hyperref[{self.labels[key]}]{{[{escape(label)}]}}"

        return make

    def entry(self, r: Result) -> MutationEntry | None:
        return self.mutation.get(r.step.key, self.mutation.get(r.id))

    def conventions(self, r: Result) -> list[str]:
        src = self.source(r.step.source)
        table = src.convention_table if src is not None else {}
        out = []
        for key in r.outcome.convention_keys:
            conv = table.get(key)
            text = (math_text(conv.text) if conv is not None
                    else r"\emph{(not in the source's table of conventions)}")
            out.append(rf"\texttt{{{escape(key)}}}: {text}")
        return out


# ----------------------------------------------------------------------------- one step


def _link_item(link: Link, doc: _Doc, within: str) -> str:
    why = math_text(link.why, doc.text_ref(within)) if link.why else ""
    if not link.checked:
        tag = f" [{escape(link.relation)}]" if link.relation else ""
        head = rf"\statedmark{{}} \emph{{Fact{tag}:}} {why}"
        if isinstance(link.lhs, str):
            body = math_text(link.lhs, doc.text_ref(within))
            return f"\\item {head}\n\\begin{{quote}}\n{body}\n\\end{{quote}}"
        if link.lhs is sp.true:  # a condition SymPy already decided from the symbols
            return f"\\item {head} (true by the symbols' assumptions)"
        if link.rhs is None:
            return f"\\item {head}\n{display(math_lines(link.lhs))}"
        return f"\\item {head}\n{display_relation(link.lhs, _relation(link), link.rhs)}"
    head = r"\checkedmark{}"
    if link.conclusion:
        head += r" \textbf{Comparison with the printed statement:}"
    if link.rhs is None:
        return f"\\item {head} {why}\n{display(math_lines(link.lhs))}"
    return f"\\item {head} {why}\n{display_relation(link.lhs, _relation(link), link.rhs)}"


def _relation(link: Link) -> str:
    rel = REL.get(link.relation)
    if rel is not None:
        return rel
    if link.relation in ("=", ""):
        return "="
    return rf"\mathrel{{\text{{{escape(link.relation)}}}}}"


def _proof_intro(chain: Sequence[Link]) -> str:
    checked = sum(1 for k in chain if k.checked)
    stated = len(chain) - checked
    concl = any(k.conclusion for k in chain)
    if stated == 0:
        text = ("The line below was checked by the verifier" if checked == 1 else
                f"Each of the {checked} lines below was checked by the verifier")
        text += r" (\checkedmark)."
    else:
        if checked == 0:
            text = ("The line below is a stated fact" if stated == 1 else
                    "Both lines below are stated facts" if stated == 2 else
                    f"All {stated} lines below are stated facts")
        else:
            text = (f"{checked} of the {len(chain)} lines below "
                    f"{'was' if checked == 1 else 'were'} checked by the verifier "
                    r"(\checkedmark); the other "
                    + ("line is a stated fact" if stated == 1 else
                       f"{stated} lines are stated facts"))
        text += (r" (\statedmark), given with " + ("its reason" if stated == 1 else
                                                    "their reasons") + " and not checked.")
    if concl:
        text += (" The line marked \\emph{comparison with the printed statement} decides "
                 "the statement as printed.")
    else:
        text += " No line compares the derivation with the printed statement."
    return text


def _assumption_item(a: Assumption) -> str:
    item = _item(math_text(a.text))
    if a.condition is sp.true:
        return item + r" \emph{(built into the symbols' assumptions)}"
    if a.condition is not None:
        item += f"\n{display(math_lines(a.condition))}"
    return item


def _number_tex(value: object) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return tex(value) if isinstance(value, sp.Basic) else rf"\text{{{escape(value)}}}"
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


def _title_tex(r: Result) -> str:
    sid, title = r.step.id, r.step.title
    pdf = re.sub(r"[^A-Za-z0-9 .,:()+-]", "", f"[{sid}] {title}")
    tex_title = rf"\texttt{{[{escape(sid)}]}} {escape(title)}"
    return rf"\texorpdfstring{{{tex_title}}}{{{pdf}}}"


def step_section(r: Result, doc: _Doc) -> str:
    """The ``\\subsection`` of one step."""
    step, out = r.step, r.outcome
    status = Status(out.status)
    within = step.source
    parts = [rf"\subsection{{{_title_tex(r)}}}\label{{{doc.labels[step.key]}}}"]
    where = "" if step.printed_in_paper else r" \quad(\emph{not printed in the source})"
    extra = [escape(r.method), f"{r.seconds:.2f}\\,s"]
    if out.unchecked:
        extra.append(_plural(len(out.unchecked), "stated fact"))
    entry = doc.entry(r)
    if entry is not None:
        extra.append(escape(_mutation_phrase(entry)))
    parts.append(
        rf"\noindent\textbf{{Label}} \texttt{{{escape(step.key)}}}{where}\hfill "
        rf"{_status_tex(status)} --- {', '.join(extra)}"
    )
    parts.append(r"\paragraph{As printed.}" + "\n" + statement_block(step.printed))
    if step.statement is not None:
        parts.append(r"\paragraph{Precise statement.}" + "\n" + statement_block(step.statement))
    if step.assumes:
        items = "\n".join(_assumption_item(a) for a in step.assumes)
        parts.append(r"\paragraph{Assumptions.}"
                     f"\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
    if step.uses:
        parts.append(r"\paragraph{Uses.} " + ", ".join(doc.ref(u, within) for u in step.uses)
                     + ".")
    if out.chain:
        items = "\n".join(_link_item(k, doc, within) for k in out.chain)
        parts.append(rf"\paragraph{{Proof.}} {_proof_intro(out.chain)}"
                     f"\n\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}")
    if out.checks:
        parts.append(r"\paragraph{Numeric checks.}" + "\n"
                     + _itemize(math_text(c) for c in out.checks))
    verdict = rf"\paragraph{{Verdict.}} {_status_tex(status)} ({escape(r.method)})."
    if r.error:
        verdict += rf" The proof did not complete: \texttt{{{escape(r.error)}}}."
    elif out.note:
        verdict += " " + math_text(out.note, doc.text_ref(within))
    parts.append(verdict)
    if out.convention:
        parts.append(r"\paragraph{Convention.}" + "\n" + _itemize(doc.conventions(r)))
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
    survivors = list(entry.get("survivors") or ()) if entry is not None else []
    if survivors:
        items = [rf"{escape(s.get('mutation', ''))}: \texttt{{{escape(s.get('mutant', ''))}}}"
                 for s in survivors if isinstance(s, Mapping)]
        parts.append(r"\paragraph{Surviving mutants.} Perturbed statements that the proof "
                     "still accepted:\n" + _itemize(items))
    if step.note and step.note != out.note:
        parts.append(rf"\paragraph{{Remark.}} {math_text(step.note, doc.text_ref(within))}")
    if r.warnings:
        parts.append(r"\paragraph{Verifier warnings.}" + "\n" + _itemize(map(escape, r.warnings)))
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- front matter


def _summary_table(rows: Sequence[tuple[str, str, str]], head: tuple[str, str, str]) -> str:
    body = "\n".join(rf"{a} & {b} & {c} \\" for a, b, c in rows)
    return ("\\begin{longtable}{@{}p{0.17\\linewidth}p{0.28\\linewidth}p{0.49\\linewidth}@{}}\n"
            "\\toprule\n" + " & ".join(rf"\textbf{{{h}}}" for h in head) + " \\\\\n"
            f"\\midrule\n\\endhead\n{body}\n\\bottomrule\n\\end{{longtable}}")


def _counts_table(results: Sequence[Result], names: Sequence[str]) -> str:
    per_source = len(names) > 1
    cols = "lrr" + ("r" * len(names) if per_source else "")
    head = r"status & all steps & printed in the source"
    if per_source:
        head += "".join(rf" & \texttt{{{escape(n)}}}" for n in names)
    rows = []
    for s in (*_STATUS_ORDER, None):
        chosen = [r for r in results if s is None or Status(r.status) is s]
        cells = [str(len(chosen)), str(sum(bool(r.step.printed_in_paper) for r in chosen))]
        if per_source:
            cells += [str(sum(r.step.source == n for r in chosen)) for n in names]
        label = "total" if s is None else _status_tex(s)
        rows.append(("\\midrule\n" if s is None else "") + f"{label} & {' & '.join(cells)} \\\\")
    body = "\n".join(rows)
    return (f"\\begin{{center}}\n\\begin{{tabular}}{{{cols}}}\n\\toprule\n{head} \\\\\n"
            f"\\midrule\n{body}\n\\bottomrule\n\\end{{tabular}}\n\\end{{center}}")


def _mutation_summary(doc: _Doc) -> str:
    entries = [(r, e) for r in doc.results if (e := doc.entry(r)) is not None]
    if not entries:
        return ""
    gen = sum(int(e.get("generated", 0)) for _, e in entries)
    killed = sum(int(e.get("killed", 0)) for _, e in entries)
    tested = sum(1 for _, e in entries if int(e.get("generated", 0)) > 0)
    text = (f"\\paragraph{{Mutation testing.}} Each printed statement was perturbed (a "
            f"coefficient, exponent, sign or symbol changed, a term dropped) and the step's own "
            f"proof run on the perturbed statement: {_plural(gen, 'mutant')} of the statements "
            f"of {_plural(tested, 'step')}, ")
    if killed == gen:
        text += "all killed" if gen != 1 else "killed"
        return text + " (no perturbed statement was accepted)."
    alive = [r for r, e in entries if int(e.get("killed", 0)) < int(e.get("generated", 0))]
    return text + (f"{killed} killed, {gen - killed} survived (in "
                   + ", ".join(doc.ref(r.id if doc.unique(r.id) else r.step.key, r.step.source)
                               for r in alive) + ").")


def _front(doc: _Doc) -> str:
    results = doc.results
    names = [n for n, _ in doc.order()]
    parts = []
    links = [k for r in results for k in r.outcome.chain]
    stated = [r for r in results if r.outcome.unchecked]
    checked = sum(1 for k in links if k.checked)
    intro = ("Every statement below was run through \\texttt{daedyn verify}. A proof is a chain "
             "of lines: each relation marked \\checkedmark{} was checked by the verifier with "
             "targeted SymPy transformations; a line marked \\statedmark{} is a fact the proof "
             "states with its reason, which the verifier did not check.")
    parts.append(
        "\\section*{Summary}\n\\addcontentsline{toc}{section}{Summary}\n" + intro + "\n"
        + _counts_table(results, names) + "\n"
        + f"Proof lines: {checked} checked, {len(links) - checked} stated "
        + (f"(in {_plural(len(stated), 'step')}). " if stated else ". ")
        + f"Total proof time: {sum(r.seconds for r in results):.2f}\\,s."
    )
    mutation = _mutation_summary(doc)
    if mutation:
        parts.append(mutation)
    if len(names) > 1:
        items = [rf"\texttt{{{escape(n)}}}: {escape(doc.source_title(n))} "
                 f"({_plural(sum(r.step.source == n for r in results), 'step')})"
                 for n in names]
        parts.append("\\paragraph{Sources.}\n" + _itemize(items))

    def ident(r: Result) -> str:  # the bare label where it is unique in the document
        return doc.ref(r.id if doc.unique(r.id) else r.step.key, r.step.source)

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
                   ", ".join(rf"\texttt{{{escape(k)}}}" for k in r.outcome.convention_keys))
                  for r in conv]
        parts.append(_summary_table(rows_c, ("label", "statement", "convention (key)")))
    else:
        parts.append("No statement in this document depends on a convention.")
    unver = [r for r in results if Status(r.status) is Status.UNVERIFIED]
    if unver:
        parts.append("\\subsection*{Unverified statements}")
        rows_u = [(ident(r), escape(r.step.title), escape(_one_line(r.error or r.note or "")))
                  for r in unver]
        parts.append(_summary_table(rows_u, ("label", "statement", "reason")))
    for name in names:
        src = doc.source(name)
        if src is None or not src.conventions:
            continue
        items = [rf"\texttt{{{escape(c.key)}}}: {math_text(c.text)}" for c in src.conventions]
        parts.append(f"\\subsection*{{Conventions of \\texttt{{{escape(name)}}}}}\nThe "
                     "source's symbols are read with these conventions (keys as the steps name "
                     f"them).\n{_itemize(items)}")
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
\newcommand{\checkedmark}{\textcolor{green!40!black}{$\checkmark$}}
\newcommand{\statedmark}{\textcolor{orange!80!black}{$\circ$\,\emph{stated}}}
"""


def _title(doc: _Doc) -> str:
    names = [n for n, _ in doc.order()]
    if len(names) == 1:
        title = "Verified derivations\\\\\n\\large " + escape(doc.source_title(names[0]))
    elif names:
        title = f"Verified derivations from {len(names)} sources"
    else:
        title = "Verified derivations"
    return (f"\\title{{{title}}}\n\\author{{generated by \\texttt{{daedyn latex}}}}\n"
            "\\date{}\n")


def render(results: Iterable[Result], *, mutation: Mapping[str, Any] | None = None,
           sources: Mapping[str, Source] | None = None) -> str:
    """The LaTeX document of ``results`` (a complete ``article``, ready for ``pdflatex``).

    One ``\\part`` per source present in ``results`` (``step.source``), headed by the
    source's title, its sections titled from ``Source.sections``.  ``mutation`` (see
    :func:`mutation_entries`) adds "n mutants, all killed" beside each step's status and the
    score to the summary.  ``sources`` maps names to :class:`~..registry.Source` objects in
    the order to show them (default: the registry's).
    """
    doc = _Doc(list(results), sources, mutation)
    body = [_PREAMBLE + _title(doc), "\\begin{document}", "\\maketitle", "\\tableofcontents",
            _front(doc)]
    if not doc.results:
        body.append("\\section*{Steps}\nThe registry holds no steps yet.")
    for src, secs in doc.order():
        body.append(rf"\part{{{escape(doc.source_title(src))}}}")
        for sec in secs:
            body.append(rf"\section{{{escape(doc.section_title(src, sec))}}}"
                        rf"\label{{sec:{step_label(src + ':' + sec)[5:]}}}")
            body.extend(step_section(r, doc) for r in doc.results
                        if r.step.section == sec and r.step.source == src)
    body.append("\\end{document}\n")
    return "\n\n".join(body)
