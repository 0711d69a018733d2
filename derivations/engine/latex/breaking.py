"""SymPy expressions as LaTeX display lines, broken where the expression tree allows it.

:func:`math_lines` breaks a long expression at the top-level terms of a sum, between the
factors of a product, inside parentheses and at relations, so that ``align*`` can set every
line (each line is balanced); :func:`statement_block` and :func:`display_relation` wrap the
lines in a display.  Source-agnostic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from .escape import escape

__all__ = [
    "LINE_BUDGET",
    "REL",
    "MAX_MATRIX_ENTRIES",
    "display",
    "display_relation",
    "math_lines",
    "relation_lines",
    "statement_block",
    "tex",
]

#: a display line longer than this (in LaTeX source characters) is broken at + and -
LINE_BUDGET = 110

REL = {"==": "=", "!=": r"\neq", "<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq"}


def tex(obj: object) -> str:
    """``sympy.latex`` with long fractions split; stray ``%``/``#`` made harmless."""
    if isinstance(obj, str):
        return rf"\text{{{escape(obj)}}}"
    try:
        out = sp.latex(obj, long_frac_ratio=2)
    except Exception:
        return rf"\text{{{escape(obj)}}}"
    return re.sub(r"(?<!\\)([%#])", r"\\\1", out)


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
        return _pack(lines, budget) if lines else [tex(obj)]
    if isinstance(obj, sp.MatrixBase):
        whole = tex(obj)
        return [whole] if len(whole) <= budget else _matrix_lines(obj, None, "", budget)
    if not isinstance(obj, sp.Basic):
        return [tex(obj)]
    whole = tex(obj)
    if len(whole) <= budget:
        return [whole]
    if isinstance(obj, sp.Rel) and obj.rel_op in REL:
        return relation_lines(obj.lhs, REL[obj.rel_op], obj.rhs, budget)
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
        lines[-1] += f"^{{{tex(obj.exp)}}}"
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
        text = tex(obj.func(_PLACEHOLDER))
    except Exception:
        return None
    if text.count(_PLACEHOLDER.name) != 1:
        return None
    head, tail = (part.strip() for part in text.split(_PLACEHOLDER.name))
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
        factors.append(tex(coeff))
    for f in rest.as_ordered_factors() if isinstance(rest, sp.Mul) else [rest]:
        if f == 1:
            continue
        if isinstance(f, sp.Add):
            factors.extend(_paren(math_lines(f, budget - 16)))
        else:
            factors.extend(math_lines(f, budget))
    if not factors:
        return [tex(expr)]
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
    return lines or [tex(lhs)]


def _align(rows: Sequence[str]) -> str:
    body = " \\\\\n".join(rows)
    return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"


def display(lines: Sequence[str]) -> str:
    """One display: ``\\[...\\]`` for one line; else ``align*`` (it may break across
    pages under ``\\allowdisplaybreaks``), continuation lines indented."""
    if len(lines) == 1:
        return f"\\[\n{lines[0]}\n\\]"
    return _align([f"& {lines[0]}"] + [rf"&\quad {line}" for line in lines[1:]])


def display_relation(lhs: object, rel: str, rhs: object, budget: int = LINE_BUDGET) -> str:
    """``lhs rel rhs`` as one display; when broken, the relation symbols are aligned."""
    if isinstance(lhs, sp.MatrixBase) and isinstance(rhs, sp.MatrixBase) \
            and lhs.shape == rhs.shape and len(tex(lhs)) + len(tex(rhs)) > budget:
        return display(_matrix_lines(lhs, rhs, rel, budget))
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
    return display(math_lines(obj))
