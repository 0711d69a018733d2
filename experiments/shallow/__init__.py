"""The figures of Refinetti & Goldt (source ``refinetti2020``): theory (the ODE integrator of
``numerics.shallow``) beside online SGD, on the synthetic spiked model and on real images.

One module per figure, ``figN.py`` (and the studies beyond the paper), each with a ``SPEC``
(:class:`~experiments.shallow.spec.FigureSpec`) and ``run(ctx) -> metrics``; :data:`FIGURES`
maps the figure's number to its module.  ``daedyn experiment shallow --figure N`` and
``daedyn figures --source refinetti2020`` call :func:`run_figure`.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from .context import Context

#: figure number -> module (``gauss``: real images vs Gaussian samples vs ODE; ``dscale``: the
#: SGD-ODE gap vs D)
FIGURES: dict[str, str] = {
    "1": "fig1", "2": "fig2", "3": "fig3", "4": "fig4", "5": "fig5", "6": "fig6",
    "7": "fig7", "8": "fig8", "9": "fig9", "10": "fig10",
    "gauss": "gaussian_equivalence", "dscale": "finite_d",
}


def figure_module(number: str) -> ModuleType:
    """The module of figure ``number``; ``ValueError`` for an unknown number."""
    if number not in FIGURES:
        raise ValueError(f"unknown figure {number!r}; choose one of {', '.join(FIGURES)}")
    return importlib.import_module(f"{__name__}.{FIGURES[number]}")


def run_figure(number: str, preset: str = "quick", *, out: str | Path = "results",
               data_dir: str | None = None, resume: bool = False, overwrite: bool = False,
               progress: bool = True, argv: list[str] | None = None,
               **options: Any) -> tuple[dict[str, Any], list[Path]]:
    """Run figure ``number`` with ``preset`` and the knobs in ``options`` (``dataset``,
    ``activation``, ``K``, ``D``, ``seed``, ``device``; ``None`` = the preset's); returns the
    metrics (with ``seconds``) and the paths written."""
    mod = figure_module(number)
    settings = mod.SPEC.settings(preset, **options)
    ctx = Context(settings, Path(out), data_dir=data_dir, resume=resume, overwrite=overwrite,
                  progress=progress, argv=argv)
    t0 = time.perf_counter()
    metrics = dict(mod.run(ctx))
    metrics.setdefault("seconds", time.perf_counter() - t0)
    return metrics, ctx.written
