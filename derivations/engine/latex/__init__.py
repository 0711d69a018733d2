"""The verification results as a LaTeX document, and its compilation to PDF.

Layers, each a module: :mod:`.escape` (text escaping, unicode), :mod:`.mathtext` (formulas
inside prose typeset as mathematics), :mod:`.breaking` (SymPy expressions broken into display
lines), :mod:`.document` (the article: front matter, one part per source, one subsection
per step), :mod:`.compile` (``latexmk``/``pdflatex`` in a temporary build directory).
"""

import shutil  # noqa: F401  (tests patch latex.shutil.which)

from .breaking import (
    LINE_BUDGET,
    MAX_MATRIX_ENTRIES,
    display_relation,
    math_lines,
    relation_lines,
    statement_block,
)
from .compile import INSTALL_HINT, LatexError, LatexUnavailable, compile_pdf, latex_tool
from .document import mutation_entries, render, step_section
from .escape import escape, step_label
from .mathtext import fragments, math_text, render_math

__all__ = [
    "INSTALL_HINT",
    "LINE_BUDGET",
    "MAX_MATRIX_ENTRIES",
    "LatexError",
    "LatexUnavailable",
    "compile_pdf",
    "display_relation",
    "escape",
    "fragments",
    "latex_tool",
    "math_lines",
    "math_text",
    "mutation_entries",
    "relation_lines",
    "render",
    "render_math",
    "statement_block",
    "step_label",
    "step_section",
]
