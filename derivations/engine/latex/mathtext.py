"""Prose with ASCII mathematics in it, typeset with the mathematics in ``$...$``.

The reasons of proof lines are written as plain text with formulas in ASCII, e.g.
``w1^2 + w2^2 = c0 (sinh^2 + cosh^2)(theta/2)``.  :func:`math_text` finds the mathematical
fragments of such a text and typesets them as mathematics (``w_{1}^{2}``, ``\\theta``,
``\\sinh``), leaving the words as text.  The heuristic, in order:

* the text is cut into tokens: identifiers (``w1``, ``l_gamma``, ``w*``, ``x~``, ``W1'``),
  numbers, operators (``= + - * / ^ < > <= >= != -> => +- ** || | ~``), brackets, commas,
  other punctuation, step references (``[eq2]``), abbreviations (``i.e.``) and hyphenated
  words (``eps-free``);
* a token is *mathematical* when it is an operator, a Greek letter or an ASCII abbreviation of
  one (``lam``, ``eps``), an identifier with a digit, subscript, star, prime or tilde, a
  function name followed by its argument (``exp(``, ``tr(``) or a name called with brackets
  (``E[L]``, ``phi(a)``); it is *neutral* when it is a number, a name of one or two letters
  that is not a short English word, an all-capital name (``DEN``) or a step reference; every
  other word (three letters or more, or a short English word) is *text*;
* maximal runs of mathematical and neutral tokens (with brackets, and commas inside brackets)
  are cut at brackets that do not match and at commas outside brackets; a run becomes
  mathematics when it holds a mathematical token besides operators and brackets, else it
  stays text.  So ``(D = 3, general M)`` gives ``($D = 3$, general M)``.

Everything that is not typeset as mathematics goes through :func:`~.escape.escape`, so any
text compiles; the mathematics only ever emits macros from fixed tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .escape import escape, greek_macro

__all__ = ["fragments", "math_text", "render_math"]

#: ASCII abbreviations read as Greek letters (besides the full names)
GREEK_ABBREV = {"lam": r"\lambda", "lamda": r"\lambda", "eps": r"\varepsilon",
                "varepsilon": r"\varepsilon", "vartheta": r"\vartheta", "varphi": r"\varphi"}

#: function names with a LaTeX macro of their own
_FUNC_MACRO = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "exp",
               "ln", "log", "det", "lim", "max", "min", "sup", "inf", "arcsin", "arccos",
               "arctan", "gcd", "dim", "ker", "Pr"}
#: function names set with ``\\operatorname``
_FUNC_OPNAME = {"artanh", "arsinh", "arcosh", "arctanh", "arcsinh", "arccosh", "tr", "diag",
                "expm1", "log1p",
                "exprel", "sgn", "sign", "erf", "erfc", "rank", "argmin", "argmax", "softplus",
                "relu", "sigmoid", "Var", "Cov", "vec"}
_BIG = {"sum": r"\sum", "prod": r"\prod", "int": r"\int", "sqrt": r"\sqrt"}
FUNCTIONS = _FUNC_MACRO | _FUNC_OPNAME | set(_BIG)

#: English words that end like an accented name (xhat, wbar)
_NOT_ACCENTED = {"that", "what", "chat", "whats", "rebar", "sidebar"}

#: short words that are English, not names of quantities
STOPWORDS = {"am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it",
             "me", "my", "no", "of", "on", "or", "so", "to", "up", "us", "we", "vs", "ok"}

_OPS = {"<=>": r"\Leftrightarrow", "<->": r"\leftrightarrow", ">>": r"\gg", "<<": r"\ll",
        "<=": r"\leq", ">=": r"\geq", "!=": r"\neq",
        "->": r"\to", "=>": r"\Rightarrow", "+-": r"\pm", "**": "^", "||": r"\|",
        "|": "|", "~": r"\sim", "*": r"\cdot", "=": "=", "<": "<", ">": ">", "+": "+",
        "-": "-", "/": "/", "^": "^", "_": "_"}
#: operators that state a relation (a bracket group holding one is a remark, not a factor)
_RELATIONS = {"=", "<", ">", "<=", ">=", "!=", "->", "=>", "<=>", "<->", "<<", ">>", "~"}

_IDENT = (r"[A-Za-z][A-Za-z0-9]*(?:\*(?![*A-Za-z0-9(]))?"
          r"(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))?(?:'(?![A-Za-z]))*(?:~(?![A-Za-z0-9]))?")
_TOKEN = re.compile(
    r"(?P<abbrev>\b(?:i\.i\.d\.|i\.e\.|e\.g\.|cf\.|etc\.|resp\.|approx\.|Figs?\.|Eqs?\.))"
    r"|(?P<quoted>(?<![\w'])'[^'\s]+')|(?P<poss>'s\b)"
    r"|(?P<ref>(?<![\w\])])\[[A-Za-z0-9][\w.]*(?<!\.)\])"
    r"|(?P<ellipsis>\.\.\.)"
    r"|(?P<placeholder>\(\s*\.\s*\)|\|\.\|)"
    r"|(?P<compound>[A-Za-z0-9]+(?:-[A-Za-z]{2,}\b)+|\b[A-Z]-[A-Z]\b)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    rf"|(?P<ident>{_IDENT})"
    r"|(?P<op><=>|<->|<=|>=|!=|->|=>|<<|>>|\+-|\*\*|\|\||[=<>+\-*/^~|_])"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])"
    r"|(?P<space>\s+)"
    r"|(?P<comma>,)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_IDENT_PARTS = re.compile(
    r"(?P<core>[A-Za-z][A-Za-z0-9]*)(?P<star>\*)?(?:_(?P<sub>\{[^{}]*\}|[A-Za-z0-9]+))?"
    r"(?P<primes>'*)(?P<tilde>~)?")
_PAIRS = {")": "(", "]": "[", "}": "{"}

# token classes
MATH, NEUTRAL, OP, OPEN, CLOSE, SPACE, COMMA, TEXT, REF = (
    "math", "neutral", "op", "open", "close", "space", "comma", "text", "ref")


@dataclass(frozen=True)
class _Tok:
    kind: str  # the regex group
    text: str
    cls: str   # MATH, NEUTRAL, ... (what it counts as in a run)


def _is_greek(name: str) -> bool:
    return name in GREEK_ABBREV or greek_macro(name) is not None


def _word_class(core: str, suffixed: bool, primed: bool = False) -> str:
    """The class of an identifier by its core (letters and digits) and suffixes."""
    if re.fullmatch(r"eq\d+[a-z]?", core):
        return NEUTRAL  # a step label written without brackets
    if primed and not suffixed and _word_class(core, False) == TEXT:
        return TEXT  # the authors' notebook: an apostrophe, not a prime
    if suffixed or primed or re.search(r"\d", core) or _is_greek(core):
        return MATH
    if len(core) > 1 and core[0] == "d" and _is_greek(core[1:]):
        return MATH  # dtheta, deps
    if _accented(core):
        return MATH  # xhat, Lambdahat
    if core.lower() in STOPWORDS and len(core) > 1:
        return TEXT
    if len(core) <= 2 or core in FUNCTIONS or core == "oo" or core.isupper():
        return NEUTRAL
    return TEXT


def _accented(core: str) -> bool:
    """``xhat``, ``Lambdahat``, ``wbar``: a letter or Greek name with an accent suffix."""
    if core.lower() in _NOT_ACCENTED:
        return False
    for accent in ("hat", "bar", "tilde", "dot"):
        if core.endswith(accent):
            base = core[: -len(accent)]
            return len(base) == 1 or _is_greek(base)
    return False


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        s = m.group()
        if kind == "ident":
            parts = _IDENT_PARTS.fullmatch(s)
            assert parts is not None
            suffixed = bool(parts["star"] or parts["sub"] or parts["tilde"])
            cls = _word_class(parts["core"], suffixed, bool(parts["primes"]))
        else:
            cls = {"num": NEUTRAL, "op": OP, "open": OPEN, "close": CLOSE, "space": SPACE,
                   "comma": COMMA, "ref": REF, "placeholder": MATH}.get(kind, TEXT)
        out.append(_Tok(kind, s, cls))
    # a name called with brackets (phi(a), E[L], exp(x)) is mathematics; a lone word inside
    # brackets of such a call (d(rate)) is a name
    for i, tok in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        called = nxt is not None and nxt.kind == "open" and nxt.text in "(["
        if tok.kind == "ident" and tok.text in _BIG and not called:
            out[i] = _Tok(tok.kind, tok.text, TEXT)  # "the sum form": a word
        elif tok.kind == "ident" and tok.cls == NEUTRAL and called:
            out[i] = _Tok(tok.kind, tok.text, MATH)
        if tok.kind == "ident" and tok.cls == TEXT and 0 < i < len(out) - 1 \
                and out[i - 1].kind == "open" and out[i + 1].kind == "close" \
                and i >= 2 and out[i - 2].kind == "ident" and out[i - 2].cls != TEXT:
            out[i] = _Tok(tok.kind, tok.text, NEUTRAL)
    return out


# ----------------------------------------------------------------------------- rendering


def _base(name: str) -> str:
    """LaTeX of an identifier's letters (no digits, no suffixes)."""
    if name in GREEK_ABBREV:
        return GREEK_ABBREV[name]
    g = greek_macro(name)
    if g is not None:
        return g
    if name == "oo":
        return r"\infty"
    if name in _FUNC_MACRO:
        return "\\" + name
    if name in _FUNC_OPNAME:
        return rf"\operatorname{{{name}}}"
    if name in _BIG:
        return _BIG[name]
    if _accented(name):
        accent = next(a for a in ("hat", "bar", "tilde", "dot") if name.endswith(a))
        return rf"\{accent}{{{_base(name[: -len(accent)])}}}"
    if len(name) == 1:
        return name
    if name[0] == "d" and (_is_greek(name[1:]) or len(name) == 2 or name[1].isupper()):
        return "d" + _base(name[1:])  # a differential: dtheta, dw, dWb
    if name.isupper():
        return rf"\mathrm{{{name}}}"
    return rf"\mathit{{{name}}}"


def _sub(text: str) -> str:
    if text.startswith("{"):
        return render_math(text[1:-1])
    if _is_greek(text):
        return _base(text)
    return text


def _ident(text: str) -> str:
    m = _IDENT_PARTS.fullmatch(text)
    assert m is not None
    core = m["core"]
    if re.fullmatch(r"eq\d+[a-z]?", core):
        body = rf"\mathrm{{{core}}}"
        digits = ""
    elif core in _FUNC_OPNAME:
        body, digits = rf"\operatorname{{{core}}}", ""  # expm1, log1p
    elif re.fullmatch(r"d\d", core):
        body, digits = f"d^{{{core[1]}}}", ""  # d2 l / dw^2
    else:
        split = re.fullmatch(r"([A-Za-z]+)(\d[A-Za-z0-9]*)?", core)
        assert split is not None
        body, digits = _base(split[1]), split[2] or ""
    if m["tilde"]:
        body = rf"\tilde{{{body}}}"
    subs = [s for s in (digits, _sub(m["sub"]) if m["sub"] else "") if s]
    out = body
    sup = ("*" if m["star"] else "") + r"\prime" * len(m["primes"])
    if sup:
        out = (_wrap(out) if "^" in out else out) + "^{" + sup + "}"  # d2'
    if subs:
        out += "_{" + ",".join(subs) + "}"
    return _wrap(out) if sup else out  # w*^2, W1'^2


def _number(text: str) -> str:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)e([-+]?\d+)", text)
    if m:
        return rf"{m[1]} \times 10^{{{int(m[2])}}}"
    return text


def _match(toks: Sequence[_Tok], i: int) -> int:
    """Index of the bracket closing ``toks[i]`` (or the last index if none does)."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].cls == OPEN:
            depth += 1
        elif toks[j].cls == CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _render(toks: Sequence[_Tok], ref: Callable[[str], str | None] | None) -> str:
    out: list[str] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "ident":
            name = _IDENT_PARTS.fullmatch(tok.text)["core"]  # type: ignore[index]
            if name == "sqrt" and i + 1 < len(toks) and toks[i + 1].text == "(":
                j = _match(toks, i + 1)
                out.append(r"\sqrt{" + _render(toks[i + 2: j], ref) + "}")
                i = j + 1
                continue
            out.append(r"\operatorname{sqrt}" if name == "sqrt" else _ident(tok.text))
        elif tok.kind == "num":
            out.append(_number(tok.text))
        elif tok.kind == "op" and tok.text in ("^", "**", "_"):
            k = i + 1
            while k < len(toks) and toks[k].cls == SPACE:
                k += 1
            end = k
            if end < len(toks) and toks[end].text in "+-" and end + 1 < len(toks):
                end += 1  # e^-x
            if end < len(toks) and toks[end].cls == OPEN:
                end = _match(toks, end)
            script = "_" if tok.text == "_" else "^"
            while out and out[-1] == " ":
                out.pop()  # x ^2: the script belongs to x
            base = len(out)  # the atom that takes the script: its base and scripts so far
            while base > 0 and out[base - 1][:1] in ("^", "_"):
                base -= 1
            base = max(base - 1, 0) if base > 0 or not out else 0
            atom = out[base:]
            if script in "".join(atom) and not (len(atom) == 1 and _is_atom(atom[0])):
                out[base:] = [_wrap("".join(out[base:]))]  # never a double script
            if k < len(toks) and toks[end].cls in (MATH, NEUTRAL, OPEN, CLOSE):
                out.append(script + "{" + _render(toks[k: end + 1], ref) + "}")
                i = end + 1
                continue
            out.append(script + "{}")
        elif tok.kind == "op":
            out.append(_OPS[tok.text])
        elif tok.kind == "placeholder":
            out.append(r"(\cdot)" if tok.text.startswith("(") else r"|\cdot|")
        elif tok.cls == REF:
            out.append(r"\text{" + _ref_text(tok.text, ref) + "}")
        elif tok.kind in ("open", "close"):
            out.append({"{": r"\{", "}": r"\}"}.get(tok.text, tok.text))
        elif tok.cls == COMMA:
            out.append(",")
        elif tok.cls == SPACE:
            out.append(" ")
        else:  # cannot happen in a run; kept safe
            out.append(r"\text{" + escape(tok.text) + "}")
        i += 1
    text = ""
    for piece in out:
        if re.search(r"\\[A-Za-z]+$", text) and re.match(r"[A-Za-z]", piece):
            text += " "
        text += piece
    return re.sub(r" +", " ", text).strip()


def _wrap(tex: str) -> str:
    """``tex`` as one atom that takes scripts of its own; the empty group keeps TeX from
    reading a group holding only an accent (``{\\tilde{x}_1}``) as that accent itself."""
    return "{" + tex + "{}}"


def _is_atom(tex: str) -> bool:
    """Whether ``tex`` is one :func:`_wrap` group (it takes scripts as it is)."""
    if not (tex.startswith("{") and tex.endswith("{}}")):
        return False
    depth = 0
    for k, ch in enumerate(tex):
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and k < len(tex) - 1:
            return False
    return True


def _ref_text(text: str, ref: Callable[[str], str | None] | None) -> str:
    label = text[1:-1]
    made = ref(label) if ref is not None else None
    return made if made is not None else escape(text)


def _text(tok: _Tok, ref: Callable[[str], str | None] | None) -> str:
    if tok.cls == REF:
        return _ref_text(tok.text, ref)
    if tok.kind == "compound":
        return "-".join(f"${_base(p)}$" if _is_greek(p) else escape(p)
                        for p in tok.text.split("-"))
    if tok.kind == "ellipsis":
        return r"\ldots{}"
    return escape(tok.text)


# ----------------------------------------------------------------------------- runs


def _unmatched(toks: Sequence[_Tok]) -> set[int]:
    stack: list[int] = []
    bad: set[int] = set()
    for i, tok in enumerate(toks):
        if tok.cls == OPEN:
            stack.append(i)
        elif tok.cls == CLOSE:
            if stack and toks[stack[-1]].text == _PAIRS[tok.text]:
                stack.pop()
            else:
                bad.add(i)
    return bad | set(stack)


def _remarks(toks: Sequence[_Tok]) -> set[int]:
    """Brackets of parenthesised remarks: a ``(`` after a space (or first) whose group
    holds a relation or a reference at its top level, e.g. ``w1 = w2 (c0 = 0)``."""
    out: set[int] = set()
    for i, tok in enumerate(toks):
        if tok.text != "(" or (i > 0 and toks[i - 1].cls != SPACE):
            continue
        j = _match(toks, i)
        if toks[j].text != ")":
            continue
        depth = 0
        for t in toks[i + 1: j]:
            depth += (t.cls == OPEN) - (t.cls == CLOSE)
            if depth == 0 and (t.cls == REF or (t.cls == OP and t.text in _RELATIONS)):
                out |= {i, j}
                break
    return out


def _segments(run: Sequence[_Tok]) -> list[tuple[bool, list[_Tok]]]:
    """Cut a run at unmatched brackets, at the brackets of remarks and at commas outside
    brackets; mark which pieces are mathematics.  Returns ``(is_math, tokens)`` pieces."""
    bad = _unmatched(run)
    bad |= _remarks(run) - bad
    pieces: list[tuple[bool, list[_Tok]]] = []
    cur: list[_Tok] = []
    depth = 0

    def flush() -> None:
        nonlocal cur
        lead: list[_Tok] = []
        while cur and cur[0].cls == SPACE:
            lead.append(cur.pop(0))
        trail: list[_Tok] = []
        while cur and cur[-1].cls == SPACE:
            trail.insert(0, cur.pop())
        if lead:
            pieces.append((False, lead))
        if cur:
            pieces.append((_is_math(cur), cur))
        if trail:
            pieces.append((False, trail))
        cur = []

    for i, tok in enumerate(run):
        if i in bad or (tok.cls == COMMA and depth == 0):
            flush()
            pieces.append((False, [tok]))
            continue
        if tok.cls == OPEN:
            depth += 1
        elif tok.cls == CLOSE:
            depth -= 1
        cur.append(tok)
    flush()
    return pieces


def _is_math(toks: Sequence[_Tok]) -> bool:
    atoms = [t for t in toks if t.cls in (MATH, NEUTRAL, REF)]
    if not atoms:
        return False
    return any(t.cls == MATH for t in atoms) or any(t.cls == OP for t in toks)


def fragments(text: str) -> list[tuple[str, str]]:
    """``text`` cut into ``("math", source)`` and ``("text", source)`` pieces (adjacent
    pieces of one kind joined), the way :func:`math_text` typesets it."""
    out: list[tuple[str, str]] = []
    for is_math, toks in _pieces(text):
        kind = "math" if is_math else "text"
        s = "".join(t.text for t in toks)
        if out and out[-1][0] == kind and kind == "text":
            out[-1] = (kind, out[-1][1] + s)
        else:
            out.append((kind, s))
    return out


def _pieces(text: str) -> list[tuple[bool, list[_Tok]]]:
    toks = _tokens(" ".join(str(text).split()))
    pieces: list[tuple[bool, list[_Tok]]] = []
    run: list[_Tok] = []
    depth = 0
    for tok in toks:
        joins = tok.cls in (MATH, NEUTRAL, OP, OPEN, CLOSE, SPACE, REF) or (
            tok.cls == COMMA and depth > 0)
        if joins:
            run.append(tok)
            depth += (tok.cls == OPEN) - (tok.cls == CLOSE)
            continue
        if run:
            pieces.extend(_segments(run))
            run, depth = [], 0
        pieces.append((False, [tok]))
    if run:
        pieces.extend(_segments(run))
    return pieces


def render_math(text: str, ref: Callable[[str], str | None] | None = None) -> str:
    """LaTeX (math mode, without delimiters) of an ASCII formula such as ``w1^2 + lam``."""
    return _render(_tokens(" ".join(str(text).split())), ref)


def math_text(text: object, ref: Callable[[str], str | None] | None = None) -> str:
    """``text`` as LaTeX text with its mathematical fragments typeset in ``$...$``.

    ``ref(label)`` may return LaTeX for a step reference written ``[label]`` (e.g. a
    hyperlink); by default the reference is kept as text.
    """
    out: list[str] = []
    for is_math, toks in _pieces(str(text)):
        if is_math:
            out.append("$" + _render(toks, ref) + "$")
        else:
            out.append("".join(_text(t, ref) for t in toks))
    return "".join(out)
