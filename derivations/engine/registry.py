"""The registry: sources, their steps (built lazily), and labels addressed with the source.

A step is addressed as ``source:label`` (``pretorius2018:eq7``); the bare label works where
exactly one source has it.  A source's step modules are imported on first use of that source
(``import derivations`` or ``import numerics`` builds nothing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import MappingProxyType

from .conventions import Convention
from .step import Step


class UnknownStepError(KeyError):
    """One or more requested labels (or sources) are not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Source:
    """One verified source: its step modules (in the source's order), headings, conventions."""

    name: str
    title: str
    package: str
    modules: tuple[str, ...]
    sections: Mapping[str, str] = field(default_factory=dict)
    conventions: tuple[Convention, ...] = ()
    transcription: str = ""  # file name inside the package: the source as printed

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))
        keys = [c.key for c in self.conventions]
        if len(set(keys)) != len(keys):
            raise ValueError(f"source {self.name}: duplicate convention keys")

    @property
    def convention_table(self) -> Mapping[str, Convention]:
        return MappingProxyType({c.key: c for c in self.conventions})

    def section_title(self, key: str) -> str:
        return self.sections.get(key, f"Section {key}")


#: sources that replace the real ones (tests): name -> (Source, steps); see :func:`override`
_OVERRIDE: dict[str, tuple[Source, tuple[Step, ...]]] | None = None


@contextmanager
def override(sources: Mapping[str, tuple[Source, Sequence[Step]]]) -> Iterator[None]:
    """Within the block, the registry holds exactly ``sources`` (synthetic registries)."""
    global _OVERRIDE
    saved = _OVERRIDE
    _OVERRIDE = {n: (src, tuple(dataclasses.replace(s, source=n) for s in sts))
                 for n, (src, sts) in sources.items()}
    try:
        yield
    finally:
        _OVERRIDE = saved


def source_names() -> tuple[str, ...]:
    if _OVERRIDE is not None:
        return tuple(_OVERRIDE)
    from ..sources import SOURCES

    return SOURCES


def source(name: str) -> Source:
    """The :class:`Source` called ``name`` (imports only its package's ``__init__``)."""
    if name not in source_names():
        raise UnknownStepError(f"unknown source {name!r}; known: {', '.join(source_names())}")
    if _OVERRIDE is not None:
        return _OVERRIDE[name][0]
    return _load_source(name)


@cache
def _load_source(name: str) -> Source:
    return import_module(f"derivations.{name}").SOURCE


def steps(name: str) -> tuple[Step, ...]:
    """Every step of source ``name`` in the source's order, built on first call."""
    source(name)  # raises for an unknown source
    if _OVERRIDE is not None:
        return _OVERRIDE[name][1]
    return _build(name)


@cache
def _build(name: str) -> tuple[Step, ...]:
    src = _load_source(name)
    out: list[Step] = []
    for mod in src.modules:
        for st in import_module(f"{src.package}.{mod}").STEPS:
            out.append(dataclasses.replace(st, source=name))
    ids = [s.id for s in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"source {name}: duplicate step ids {dupes}")
    return tuple(out)


def all_steps(names: Iterable[str] | None = None) -> tuple[Step, ...]:
    """The steps of the named sources (all by default), sources in registry order."""
    chosen = source_names() if names is None else tuple(names)
    return tuple(s for n in chosen for s in steps(n))


def split(label: str) -> tuple[str | None, str]:
    """``"src:eq7"`` -> ``("src", "eq7")``; ``"eq7"`` -> ``(None, "eq7")``."""
    if ":" in label:
        src, _, bare = label.partition(":")
        return src, bare
    return None, label


def get(label: str, *, within: str | None = None) -> Step:
    """The step ``label`` (``source:label``, or a bare label unique among the sources).

    ``within`` names the source that bare labels refer to first (a step's own ``uses``).
    ``UnknownStepError`` names the known labels, or the sources for an ambiguous label.
    """
    src, bare = split(label)
    if src is None and within is not None:
        found = [s for s in steps(within) if s.id == bare]
        if found:
            return found[0]
    names = (src,) if src is not None else source_names()
    hits = [s for n in names for s in steps(n) if s.id == bare]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UnknownStepError(f"label {bare!r} is ambiguous; qualify it: "
                               + ", ".join(h.key for h in hits))
    known = ", ".join(s.id for n in names for s in steps(n))
    raise UnknownStepError(f"unknown step {label!r}; known: {known}")
