"""The domain of depgraph: distributions, modules, import edges, findings.

Frozen and ordered (named tuples for the many, created at every run; dataclasses otherwise), so everything
printed or drawn from them can be sorted and is deterministic.
Paths are POSIX strings relative to the repository root.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from depgraph.base.imports import ImportKind


class Origin(str, enum.Enum):
    """Where a module comes from."""

    CORE = "core"  # the repository root's distribution, or the one `core = "<folder>"` names
    STAGING = "staging"  # a distribution under one of the configured staging folders (never imports the core)
    PLUGIN = "plugin"  # a distribution under one of the configured plugin folders (the core never imports it)
    FIRST_PARTY = "first-party"  # another configured distribution of the repository (tools, ...)
    THIRD_PARTY = "third-party"  # an installed distribution from outside
    STDLIB = "stdlib"
    UNKNOWN = "unknown"


class Level(str, enum.Enum):
    ERROR = "error"
    WARN = "warn"
    OFF = "off"


class Declaration(NamedTuple):
    """One requirement a distribution declares, where it is written."""

    group: str  # "" runtime ([project].dependencies), "extra:NAME" an extra, "group:NAME" a development group
    text: str  # PEP 508 (translated from Poetry's form: name, extras and markers only)
    path: str  # the file it is written in (pyproject.toml, or a requirements file of dynamic dependencies)
    line: int  # 1-based; 0 when not found


class Distribution(NamedTuple):
    name: str  # as declared in [project].name
    origin: Origin
    root: str  # folder holding its pyproject.toml ("." for the core)
    source_roots: tuple[str, ...]  # folders that go on sys.path: the root (flat layout) or root/src
    import_packages: tuple[str, ...]  # top-level import names it provides (sorted)
    version: str | None
    requires: tuple[str, ...]  # runtime requirements, PEP 508 (from whichever backend's table)
    extras: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [project.optional-dependencies], sorted
    pyproject: str = ""  # path of its pyproject.toml
    declared: tuple[Declaration, ...] = ()  # every requirement: runtime, extras, development groups
    declared_known: bool = True  # False: dynamic dependencies depgraph cannot read (not judged)
    requires_key: str = "[project].dependencies"  # where the runtime requirements are written


class Module(NamedTuple):
    name: str  # dotted import name
    path: str  # file path
    distribution: str
    is_package: bool  # an __init__.py
    is_test: bool  # lives in a tests folder


def module_ids(modules: Iterable[Module]) -> dict[tuple[str, str], str]:
    """(distribution, dotted name) -> how the module is named in chains and drawings: its dotted name, or
    `name [distribution]` when several distributions hold that name (each has its `tests.conftest`, or its
    `ns.util` in a shared PEP 420 namespace). A module is a file, never a dotted name alone."""
    found = [(m.distribution, m.name) for m in modules]
    count = Counter(name for _, name in found)
    return {(d, n): n if count[n] == 1 else f"{n} [{d}]" for d, n in found}


class Edge(NamedTuple):
    """One import statement reaching one module.

    A named tuple rather than a frozen dataclass: immutable, hashable and ordered field by field all the
    same, and ~4x cheaper to build (a frozen dataclass sets each field through object.__setattr__), which
    matters when a warm run rebuilds ~20k of them from the graph cache.
    """

    path: str  # importing file
    line: int
    importer: str  # importing module
    imported: str  # most specific module reached: `from p import m` gives p.m when m is a submodule
    kind: ImportKind
    text: str  # the statement as written, on one line
    importer_distribution: str
    imported_distribution: str | None  # None for the standard library and unknown modules
    imported_origin: Origin


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    check: str  # check id, e.g. "staging-imports-core"
    level: Level
    path: str  # file the finding is about ("" when it is about the repository as a whole)
    line: int  # 0 when not about one line
    message: str  # one line: what is wrong
    text: str = ""  # the import statement, when there is one
    chain: tuple[str, ...] = ()  # cycle or dependency path, hop by hop ("a -> b (file:line)")
    hint: str = ""  # how to fix or silence it
    key: str = field(default="", compare=False)  # stable identity for baselines (no line numbers)
