"""What a figure of Refinetti & Goldt is, as data: its number, title, the options it accepts and
its presets.

Every figure module ``experiments/shallow/figN.py`` defines ``SPEC`` (a :class:`FigureSpec`) and
``run(ctx) -> metrics``.  The command line resolves one :class:`Context` from the spec's preset
and the user's options (an option that the figure does not use is an error naming the figure),
and the figure writes its PNG, PDF, JSON and npz through :meth:`Context.save`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: the presets every figure has: ``smoke`` (seconds, for the tests), ``quick`` (a few minutes
#: on 2 cores), ``paper`` (the paper's sizes where known; measured and reported)
PRESETS = ("smoke", "quick", "paper")
#: datasets of the shallow experiments (the synthetic spiked model and two image sets)
DATASETS = ("synthetic", "cifar10-gray", "fashion-mnist")
ACTIVATIONS = ("erf", "relu", "linear")
#: the common knobs a figure may accept from the command line
KNOBS = ("dataset", "activation", "K", "D")


@dataclass(frozen=True)
class FigureSpec:
    """One figure: ``number`` ("1".."10", or a name for the studies beyond the paper),
    ``title``, the ``datasets`` and ``activations`` it accepts (the first is the default; empty:
    the option does not apply), which of ``K``/``D`` the user may set, and per-preset
    parameters (each preset a mapping of setting name to value; the knobs' defaults included)."""

    number: str
    title: str
    datasets: tuple[str, ...] = ("synthetic",)
    activations: tuple[str, ...] = ()
    knobs: frozenset[str] = field(default_factory=frozenset)
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [p for p in PRESETS if p not in self.presets]
        if missing:
            raise ValueError(f"figure {self.number}: presets {missing} are not defined")
        bad = set(self.knobs) - {"K", "D"}
        if bad:
            raise ValueError(f"figure {self.number}: unknown knobs {sorted(bad)}")
        if not set(self.datasets) <= set(DATASETS) or not self.datasets:
            raise ValueError(f"figure {self.number}: datasets must be among {DATASETS}")
        if not set(self.activations) <= set(ACTIVATIONS):
            raise ValueError(f"figure {self.number}: activations must be among {ACTIVATIONS}")

    def settings(self, preset: str, **options: Any) -> dict[str, Any]:
        """The preset's settings with the user's options applied; ``ValueError`` for an option
        this figure does not take or a value outside its range.  ``options`` are the knobs
        (``dataset``, ``activation``, ``K``, ``D``) and ``seed``, ``device``; ``None`` means
        "not given"."""
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        s: dict[str, Any] = {"figure": self.number, "preset": preset,
                             "dataset": self.datasets[0],
                             "activation": self.activations[0] if self.activations else None,
                             "seed": 0, "device": "cpu", **self.presets[preset]}
        name = f"figure {self.number} ({self.title})"
        for key, value in options.items():
            if value is None:
                continue
            if key == "dataset" and value not in self.datasets:
                raise ValueError(f"--dataset {value} does not apply to {name}; it takes "
                                 f"{', '.join(self.datasets)}")
            if key == "activation" and value not in self.activations:
                what = ", ".join(self.activations) if self.activations else "none (fixed)"
                raise ValueError(f"--activation {value} does not apply to {name}; it takes "
                                 f"{what}")
            if key in ("K", "D"):
                if key not in self.knobs:
                    raise ValueError(f"--{key} does not apply to {name}")
                if value < 1:
                    raise ValueError(f"--{key} must be >= 1 (got {value})")
            if key == "seed" and value < 0:
                raise ValueError(f"--seed must be >= 0 (got {value})")
            s[key] = value
        if "K" in s and "D" in s and s["K"] is not None and s["D"] is not None \
                and s["K"] > s["D"]:
            raise ValueError(f"--K must be <= --D (got K = {s['K']}, D = {s['D']})")
        return s
