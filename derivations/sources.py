"""The sources daedyn verifies, in the order the report and the LaTeX document show them.

Each name is a subpackage of :mod:`derivations` whose ``__init__`` defines ``SOURCE`` (a
:class:`~derivations.engine.registry.Source`); nothing of a source is imported until it is
first used.
"""

SOURCES: tuple[str, ...] = (
    "pretorius2018",
    "refinetti2020",
    "notes",
)
