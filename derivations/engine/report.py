"""The verifier's report: a plain-text table for the terminal and a JSON record per step.

The table has one row per step (id, status, method, short assumptions, seconds), grouped
by source and section in the source's order (its ``Source.sections``), the reason
for every verdict other than ``holds`` wrapped below its row, then the totals per status
and the total wall time.  The JSON file is a list of objects, one per step, with the
fields listed in :func:`record`.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from . import registry
from .step import Link, Status
from .verify import Result

__all__ = [
    "STATUS_ORDER",
    "format_table",
    "latex_of",
    "number",
    "record",
    "document",
    "records",
    "section_order",
    "section_title",
    "status_counts",
    "write_json",
]

#: statuses in the order the totals list them
STATUS_ORDER: tuple[Status, ...] = (
    Status.HOLDS,
    Status.CONVENTION,
    Status.REFUTED,
    Status.UNVERIFIED,
)

_METHOD_SHORT = {
    "symbolic proof": "symbolic",
    "symbolic + numeric cross-check": "sym+num",
    "numeric only": "numeric",
    "none": "-",
}


def latex_of(obj: object) -> str:
    """LaTeX of a SymPy object (``sympy.latex``); a ``str`` is returned as it is."""
    if isinstance(obj, str):
        return obj
    try:
        return sp.latex(obj, long_frac_ratio=2)
    except Exception:  # an object sympy cannot print: its plain text
        return str(obj)


def number(value: object) -> float | str:
    """A counterexample value as a JSON float; non-finite or non-real values as text."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return x if math.isfinite(x) else str(x)


def _link(link: Link) -> dict[str, Any]:
    return {
        "lhs": latex_of(link.lhs),
        "rhs": None if link.rhs is None else latex_of(link.rhs),
        "relation": link.relation,
        "why": link.why,
        "checked": bool(link.checked),
        "conclusion": bool(link.conclusion),
    }


def record(result: Result) -> dict[str, Any]:
    """The JSON object for one step.

    Fields: ``source, key, id, section, title, printed, printed_in_paper, statement, status,
    method, assumptions, assumption_conditions (null where SymPy cannot state one), uses,
    note, step_note, convention, convention_text, seconds, checks, chain (each link with
    ``checked``: verified relation or stated fact), unchecked_facts, error, warnings``;
    refuted steps add ``counterexample`` (numbers) and ``corrected`` (LaTeX, or the corrected
    sentence).
    """
    step, out = result.step, result.outcome
    conv_text = None
    if out.convention and step.source:
        table = registry.source(step.source).convention_table
        conv_text = " ".join(table[k].text for k in out.convention_keys if k in table) or None
    rec: dict[str, Any] = {
        "source": step.source,
        "key": step.key,
        "id": step.id,
        "section": step.section,
        "title": step.title,
        "printed": latex_of(step.printed),
        "printed_in_paper": bool(step.printed_in_paper),
        "statement": None if step.statement is None else latex_of(step.statement),
        "status": Status(out.status).value,
        "method": result.method,
        "assumptions": [a.text for a in step.assumes],
        "assumption_conditions": [
            None if a.condition is None else latex_of(a.condition) for a in step.assumes
        ],
        "uses": list(step.uses),
        "note": result.note,
        "step_note": step.note,
        "convention": out.convention or None,
        "convention_text": conv_text,
        "seconds": round(result.seconds, 6),
        "checks": list(out.checks),
        "chain": [_link(k) for k in out.chain],
        "unchecked_facts": len(out.unchecked),
        "error": result.error,
        "warnings": list(result.warnings),
    }
    if Status(out.status) is Status.REFUTED:
        ce = out.counterexample or {}
        rec["counterexample"] = {str(k): number(v) for k, v in ce.items()}
        rec["corrected"] = (
            latex_of(out.corrected) if out.corrected is not None else out.corrected_text
        )
        rec["corrected_text"] = out.corrected_text
    return rec


def records(results: Iterable[Result]) -> list[dict[str, Any]]:
    """One :func:`record` per result, in order."""
    return [record(r) for r in results]


def document(results: Iterable[Result], *, timeout: float | None = None,
             sources: Sequence[str] | None = None) -> dict[str, Any]:
    """The verify JSON: ``{version, sources, timeout, totals, totals_by_source, steps}``."""
    results = list(results)
    try:
        from importlib.metadata import version

        ver = version("daedyn")
    except Exception:  # not installed (running from a checkout)
        ver = None
    names = list(sources) if sources else list(dict.fromkeys(r.step.source for r in results))
    return {
        "version": ver,
        "sources": names,
        "timeout": timeout,
        "totals": status_counts(results),
        "totals_by_source": {n: status_counts([r for r in results if r.step.source == n])
                             for n in names},
        "steps": records(results),
    }


def write_json(results: Iterable[Result], path: str | Path, *, timeout: float | None = None,
               sources: Sequence[str] | None = None) -> Path:
    """Write :func:`document` to ``path`` (strict JSON: no NaN/Infinity); return the path."""
    path = Path(path)
    doc = document(results, timeout=timeout, sources=sources)
    text = json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def status_counts(results: Iterable[Result]) -> dict[str, int]:
    """Number of steps per status, every status present (zero included), in STATUS_ORDER."""
    c = Counter(Status(r.status) for r in results)
    return {s.value: c.get(s, 0) for s in STATUS_ORDER}


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 3, 0)] + "..."


def section_source_title(src: str) -> str:
    try:
        return registry.source(src).title
    except KeyError:
        return src


def section_title(src: str, sec: str) -> str:
    """The heading of section ``sec`` of source ``src`` (``Section sec`` if it has none)."""
    try:
        return registry.source(src).section_title(sec)
    except KeyError:
        return f"Section {sec}"


def section_order(results: Sequence[Result]) -> list[tuple[str, str]]:
    """(source, section) pairs present in ``results``: sources in registry order, sections in
    each source's order, unknown ones last in order of appearance."""
    present = list(dict.fromkeys((r.step.source, r.step.section) for r in results))
    names = [n for n in registry.source_names() if any(p[0] == n for p in present)]
    names += [p[0] for p in present if p[0] not in names]
    out: list[tuple[str, str]] = []
    for n in dict.fromkeys(names):
        secs = [p[1] for p in present if p[0] == n]
        try:
            order = list(registry.source(n).sections)
        except KeyError:
            order = []
        out += [(n, s) for s in order if s in secs] + [(n, s) for s in secs if s not in order]
    return out


def format_table(
    results: Sequence[Result],
    wall_seconds: float | None = None,
    *,
    verbose: bool = False,
    width: int = 100,
) -> str:
    """The terminal report: rows grouped by section, reasons wrapped below, then totals.

    Without ``verbose`` a reason is shown below every step that does not simply hold (its
    note, error, convention, corrected statement and warnings); with ``verbose`` the notes
    of holding steps, the numeric checks and the counterexamples are shown too.  Steps not
    printed in the paper are marked with ``*`` after their id.
    """
    width = max(width, 60)
    id_w = max([4] + [len(r.id) + 2 for r in results])  # labels are never truncated
    st_w, me_w, se_w = len(Status.CONVENTION.value), 8, 8
    as_w = max(width - (id_w + st_w + me_w + se_w + 4), 12)
    head = f"{'id':<{id_w}} {'status':<{st_w}} {'method':<{me_w}} {'assumptions':<{as_w}}"
    head += f"{'seconds':>{se_w}}"
    lines = [head, "-" * len(head)]
    indent = " " * 4
    wrap = textwrap.TextWrapper(
        width=width, initial_indent=indent, subsequent_indent=indent + "  ",
        break_long_words=True, break_on_hyphens=False,
    )
    by_section: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        by_section.setdefault((r.step.source, r.step.section), []).append(r)
    current = None
    for src, sec in section_order(results):
        if src != current and src:
            lines.append(f"== {src}: {_short(section_source_title(src), width - len(src) - 5)}")
            current = src
        title = section_title(src, sec)
        lines.append(_short(f"[{sec}] {title}", width))
        for r in by_section[(src, sec)]:
            ident = r.id + ("" if r.step.printed_in_paper else "*")
            assum = "; ".join(a.text for a in r.step.assumes) or "-"
            lines.append(
                f"{ident:<{id_w}} {Status(r.status).value:<{st_w}} "
                f"{_METHOD_SHORT.get(r.method, r.method)[:me_w]:<{me_w}} "
                f"{_short(assum, as_w - 1):<{as_w}}{r.seconds:>{se_w}.2f}"
            )
            for label, text in _details(r, verbose):
                lines.extend(wrap.wrap(f"{label}: {' '.join(text.split())}"))
    counts = status_counts(results)
    paper = [r for r in results if r.step.printed_in_paper]
    pcounts = status_counts(paper)
    lines.append("-" * len(head))
    total = "  ".join(f"{k}: {v}" for k, v in counts.items())
    lines.append(f"totals ({len(results)} steps)  {total}")
    ptotal = "  ".join(f"{k}: {v}" for k, v in pcounts.items())
    lines.append(f"printed in the paper ({len(paper)})  {ptotal}")
    proof_time = sum(r.seconds for r in results)
    tail = f"proof time {proof_time:.2f} s"
    if wall_seconds is not None:
        tail += f"; total wall time {wall_seconds:.2f} s"
    lines.append(tail + ("" if all(r.step.printed_in_paper for r in results)
                         else "  (* = not printed in the paper)"))
    return "\n".join(lines)


def _details(r: Result, verbose: bool) -> list[tuple[str, str]]:
    out = r.outcome
    status = Status(out.status)
    rows: list[tuple[str, str]] = []
    if r.error:
        rows.append(("error", r.error if verbose else _short(r.error, 3 * 90)))
    elif status is not Status.HOLDS or verbose:
        if r.note:
            rows.append(("note", r.note))
    if out.convention:
        text = out.convention
        if r.step.source:
            table = registry.source(r.step.source).convention_table
            text = "; ".join(f"{k} ({table[k].text})" if k in table else k
                             for k in out.convention_keys)
        rows.append(("convention", text))
    if verbose:
        for a in r.step.assumes:
            rows.append(("assumption", a.text))
        n_facts = len(out.unchecked)
        if n_facts:
            rows.append(("stated facts", f"{n_facts} of {len(out.chain)} proof lines are stated "
                                         "(unchecked) facts, each with its reason"))
    if status is Status.REFUTED:
        if out.corrected is not None:
            rows.append(("corrected", _plain(out.corrected)))
        elif out.corrected_text:
            rows.append(("corrected", out.corrected_text))
        if verbose and out.counterexample:
            rows.append(("counterexample", _numbers(out.counterexample)))
    if verbose:
        for c in out.checks:
            rows.append(("check", c))
    for w in r.warnings:
        rows.append(("warning", w))
    return rows


def _plain(obj: object) -> str:
    if isinstance(obj, str):
        return obj
    try:
        return sp.sstr(obj)
    except Exception:
        return str(obj)


def _numbers(ce: Mapping[str, object]) -> str:
    parts = []
    for k, v in ce.items():
        x = number(v)
        parts.append(f"{k}={x:.6g}" if isinstance(x, float) else f"{k}={x}")
    return ", ".join(parts)


def _one_line(text: str, limit: int = 320) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def markdown(results: Sequence[Result], mutation: Mapping[str, Any] | None = None) -> str:
    """The findings as Markdown: per source, the totals per status (and the mutation score
    when ``mutation``, a ``daedyn mutate --json`` document, is given), then a table of every
    step that is not a plain ``holds`` with its reason.  The README's findings block is this
    text (``daedyn verify --markdown README.md`` rewrites it)."""
    lines: list[str] = []
    names = list(dict.fromkeys(r.step.source for r in results))
    by_src = (mutation or {}).get("summary", {}).get("by_source", {})
    for name in names:
        rs = [r for r in results if r.step.source == name]
        counts = status_counts(rs)
        total = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        lines.append(f"**{section_source_title(name)}** (`--source {name}`): {len(rs)} steps: "
                     f"{total}.")
        m = by_src.get(name)
        if m:
            alive = m["generated"] - m["killed"]
            verdict = "all killed" if alive == 0 else f"{alive} survived"
            if m.get("killed_by_time_limit"):
                verdict += (f" ({m['killed_by_time_limit']} of the kills only by the proof's "
                            "time limit: see the steps' killed_by_time_limit)")
            scope = "every non-equivalent mutant"
            if m.get("sampled_steps"):
                scope += (f", except a seeded sample of {m['per_step']} for the "
                          f"{m['sampled_steps']} statements with more")
            lines.append(f"Mutation testing: {m['generated']} mutants of its statements "
                         f"({scope}), {verdict}.")
        lines.append("")
        rest = [r for r in rs if r.status is not Status.HOLDS]
        if rest:
            lines.append("| label | status | reason |")
            lines.append("|---|---|---|")
            for r in rest:
                status = r.status.value
                if r.outcome.convention:
                    status += f" (`{r.outcome.convention}`)"
                lines.append(f"| {r.id} | {status} | {_one_line(r.note or r.error)} |")
            lines.append("")
    return "\n".join(lines)


def replace_block(path: str | Path, text: str, name: str = "findings") -> None:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``."""
    import re

    path = Path(path)
    doc = path.read_text(encoding="utf-8")
    pat = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pat.search(doc):
        raise ValueError(f"{path} has no <!-- {name}:start --> ... <!-- {name}:end --> block")
    path.write_text(pat.sub(lambda m: m.group(1) + text + m.group(2), doc), encoding="utf-8")
