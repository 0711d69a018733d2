"""Compilation of a LaTeX document to PDF with ``latexmk`` (or ``pdflatex`` run twice).

The document is compiled in a build directory (a temporary one by default), so that the
directory of the ``.tex`` file receives only the PDF: no ``.aux``, ``.log``, ``.toc``,
``.out``, ``.fls`` or ``.fdb_latexmk`` files are left beside it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["INSTALL_HINT", "LatexError", "LatexUnavailable", "compile_pdf", "latex_tool"]

#: how to get a TeX toolchain that compiles the document (Debian/Ubuntu)
INSTALL_HINT = "apt-get install texlive-latex-recommended latexmk"


class LatexUnavailable(RuntimeError):
    """Neither ``latexmk`` nor ``pdflatex`` is on the PATH."""


class LatexError(RuntimeError):
    """Compilation failed; ``log_tail`` holds the end of the LaTeX log."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


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


def _run(tool: str, build: Path, name: str, timeout: float) -> None:
    """Compile ``build/name`` in ``build``; raise :class:`LatexError` on failure."""
    flags = ["-interaction=nonstopmode", "-halt-on-error"]
    if tool == "latexmk":
        runs = [["latexmk", "-pdf", *flags, name]]
    else:
        runs = [["pdflatex", *flags, name]] * 2
    log = build / Path(name).with_suffix(".log").name
    for cmd in runs:
        try:
            proc = subprocess.run(
                cmd, cwd=build, stdin=subprocess.DEVNULL, capture_output=True,
                text=True, errors="replace", timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise LatexError(f"{cmd[0]} did not finish in {timeout:g} s",
                             _tail(log, str(err.stdout or ""))) from None
        if proc.returncode != 0:
            raise LatexError(f"{cmd[0]} failed (exit {proc.returncode})",
                             _tail(log, proc.stdout + proc.stderr))


def compile_pdf(tex_path: str | Path, timeout: float = 300.0,
                build_dir: str | Path | None = None) -> Path:
    """Compile ``tex_path``; write the PDF beside it and return the PDF's path.

    The compilation runs on a copy of the ``.tex`` file in ``build_dir`` (a temporary
    directory, removed afterwards, when None), so the auxiliary files stay there.  Uses
    ``latexmk -pdf -interaction=nonstopmode -halt-on-error``, or ``pdflatex`` run twice when
    latexmk is absent.  Raises :class:`LatexUnavailable` without a TeX toolchain and
    :class:`LatexError` (with the log's tail) when compilation fails.
    """
    tex_path = Path(tex_path).resolve()
    tool = latex_tool()
    if tool is None:
        raise LatexUnavailable(f"pdflatex not found; install it with: {INSTALL_HINT}")
    if not tex_path.is_file():
        raise ValueError(f"no LaTeX file at {tex_path}")
    pdf = tex_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="daedyn-latex-") as tmp:
        build = Path(build_dir).resolve() if build_dir is not None else Path(tmp)
        build.mkdir(parents=True, exist_ok=True)
        if build == tex_path.parent:
            raise ValueError(f"build_dir must differ from the directory of {tex_path.name}")
        shutil.copyfile(tex_path, build / tex_path.name)
        _run(tool, build, tex_path.name, timeout)
        built = build / pdf.name
        if not built.exists():
            raise LatexError(f"{tool} reported success but wrote no {pdf.name}",
                             _tail(build / tex_path.with_suffix(".log").name, ""))
        shutil.copyfile(built, pdf)
    return pdf
