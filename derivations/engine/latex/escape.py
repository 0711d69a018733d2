"""Text for LaTeX: special characters escaped, non-ASCII characters mapped to macros.

:func:`escape` makes any text safe inside a paragraph of a ``pdflatex`` document (no
character can end a group, open math or run a macro); :func:`step_label` makes a
``\\label`` key from a step label.  Source-agnostic.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["escape", "greek_macro", "step_label"]

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


def greek_macro(name: str) -> str | None:
    """``"theta"`` -> ``"\\theta"``, ``"Sigma"`` -> ``"\\Sigma"``, ``"epsilon"`` ->
    ``"\\varepsilon"``; None for a name that is not a Greek letter."""
    if name in _GREEK:
        return "\\varepsilon" if name == "epsilon" else "\\" + name
    if name in _GREEK_UPPER:
        return "\\" + name
    return None
