"""`stage plan`: what ties an in-tree package of the core to the rest of it, read from depgraph's graph.

The package is a folder of the core distribution holding an `__init__.py` (and everything under it). The
plan lists, each sorted:
- blockers: every import from a file of the package into another module of the core (any kind: a
  deferred, guarded or type-checking import still names a module the staging distribution will not have);
- importers: every import of a module of the package from outside it, by the core or another
  distribution: what the shim left at the old path must keep working;
- requirements: the distributions outside the core its files import (third-party, staging, first-party),
  each with the specifier its `[project].dependencies` would take (the root's declaration, else the
  staging distribution's or the installed version, `>=`); `use` says runtime, optional (only guarded or
  type-checking imports) or test (only its test files, and the core's test files that move with it);
- tests: the test files inside the package, and the core's test files that import it (they move with it
  when they import nothing else of the core);
- carried: the core modules that would have to move with the package, or be inverted, to cut the ties:
  the blockers' targets and everything of the core they import in turn (any kind), leaving out the package
  itself and what is already outside the core; each with the first hop that reached it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import PurePosixPath

from depgraph.base.imports import ImportKind
from depgraph.base.model import Distribution, Edge, Module, Origin
from depgraph.discover.workspace import normalize
from depgraph.graph.graph import Graph
from stage.errors import StageError

NOT_RUNTIME = ImportKind.GUARDED | ImportKind.TYPE_CHECKING  # never needed to import the package
_OUTSIDE = (Origin.THIRD_PARTY, Origin.STAGING, Origin.FIRST_PARTY)
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True, order=True)
class Tie:
    """One import statement crossing the package's boundary."""

    path: str  # importing file
    line: int
    importer: str  # importing module
    imported: str  # module reached
    kind: str  # `top-level`, `deferred+guarded`, ...
    text: str  # the statement as written
    distribution: str  # the importing file's distribution
    is_test: bool


@dataclass(frozen=True, slots=True, order=True)
class Requirement:
    name: str  # PEP 503 normalised distribution name (or the top-level import name when unknown)
    requirement: str  # what its [project].dependencies would say
    source: str  # root (the root declares it), staging, first-party, installed, unknown
    use: str  # runtime, optional (guarded or type-checking imports only), test (test files only)
    where: str  # file:line of its first import


@dataclass(frozen=True, slots=True, order=True)
class TestFile:
    __test__ = False  # not a pytest test class

    path: str
    inside: bool  # lives inside the package (moves with it)
    others: tuple[str, ...]  # the other core modules it imports (empty: it can move with the package)


@dataclass(frozen=True, slots=True, order=True)
class Carried:
    module: str
    path: str
    via: str  # the first hop reaching it: `importer -> module (file:line)`
    imports_package: bool  # it imports the package back: moving it along is not enough, invert it


@dataclass(frozen=True, slots=True)
class Plan:
    package: str  # dotted name
    folder: str  # repository-relative folder
    core: str  # the core distribution's name
    target: str  # staging/NAME
    name: str  # the new distribution's name
    import_name: str  # its top-level import package
    modules: tuple[str, ...]  # the files that move (paths)
    blockers: tuple[Tie, ...]
    importers: tuple[Tie, ...]
    requirements: tuple[Requirement, ...]
    tests: tuple[TestFile, ...]
    carried: tuple[Carried, ...]

    @property
    def clean(self) -> bool:
        return not self.blockers


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def find_package(graph: Graph, spelled: str) -> tuple[Distribution, Module]:
    """The core and its package named `spelled`: a folder (`mycore/providers/foo`) or a dotted name."""
    core = next((d for d in graph.distributions if d.origin is Origin.CORE), None)
    if core is None:
        raise StageError(f"{graph.config.pyproject}: no core distribution to move a package out of")
    text = spelled.strip()
    if "/" in text or text.endswith(".py") or (graph.root / text).is_dir():
        folder = PurePosixPath(text.replace("\\", "/")).as_posix().strip("/")
        wanted = f"{folder}/__init__.py"
        found = [m for m in graph.modules if m.path == wanted and m.is_package]
    else:
        found = [m for m in graph.modules if m.name == text and m.is_package and not m.is_test]
    if not found:
        raise StageError(f"{spelled}: no such package (a folder with an __init__.py) in the repository")
    ours = [m for m in found if m.distribution == core.name]
    if not ours:
        raise StageError(
            f"{spelled}: a package of distribution {found[0].distribution!r}, not of the core {core.name!r}"
        )
    return core, ours[0]


def check_target(graph: Graph, target: str, import_name: str | None) -> tuple[str, str, str]:
    """(target folder, distribution name, import name), or StageError when any cannot be used."""
    folder = PurePosixPath(target.replace("\\", "/").strip().strip("/")).as_posix()
    if folder in ("", ".") or ".." in PurePosixPath(folder).parts:
        raise StageError(f"--to {target!r}: give a folder inside the repository, such as staging/NAME")
    if (graph.root / folder).exists():
        raise StageError(f"{folder}: already exists")
    patterns = graph.config.staging
    if not any(fnmatch.fnmatch(folder, p) for p in patterns):
        said = ", ".join(patterns) if patterns else "none"
        raise StageError(
            f"{folder}: not a staging folder of [tool.depgraph] staging in {graph.config.pyproject} "
            f"(patterns: {said})"
        )
    name = PurePosixPath(folder).name
    if not _NAME.match(name):
        raise StageError(f"{folder}: {name!r} is not a valid distribution name")
    taken = next((d for d in graph.distributions if normalize(d.name) == normalize(name)), None)
    if taken is not None:
        raise StageError(f"{folder}: distribution name {name!r} is taken by {taken.root}")
    top = import_name if import_name is not None else name.replace("-", "_").replace(".", "_")
    if not all(part.isidentifier() for part in top.split(".")) or "." in top:
        raise StageError(f"--import-name {top!r}: not a top-level Python package name")
    owner = next((d for d in graph.distributions if top in d.import_packages), None)
    if owner is not None:
        raise StageError(f"{folder}: import name {top!r} is taken by distribution {owner.name!r}")
    return folder, normalize(name), top  # the folder's name, PEP 503 normalised: cloud_x -> cloud-x


def _tie(edge: Edge, tests: set[str]) -> Tie:
    return Tie(
        edge.path,
        edge.line,
        edge.importer,
        edge.imported,
        edge.kind.label,
        edge.text,
        edge.importer_distribution,
        edge.path in tests,
    )


def _installed(name: str, paths: Iterable[str]) -> str | None:
    where = list(paths)
    found = metadata.distributions(name=name, path=where) if where else metadata.distributions(name=name)
    for dist in found:
        version: str | None = dist.version
        return version
    return None


def _owner(top: str, paths: tuple[str, ...]) -> str | None:
    """The installed distribution providing top-level import name `top` (the first by name), if any."""
    if paths:  # another interpreter's site-packages: a distribution named as the import, if there is one
        return top if _installed(top, paths) is not None else None
    owners = _installed_tops().get(top)
    return sorted(owners, key=normalize)[0] if owners else None


@cache
def _installed_tops() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def _requirement(graph: Graph, core: Distribution, name: str) -> tuple[str, str]:
    """(requirement text, source) for distribution `name`."""
    key = normalize(name)
    for declared in sorted(core.declared, key=lambda d: (d.group != "", d.group, d.line)):
        if declared.group.startswith("group:"):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", declared.text)
        if match and normalize(match.group(1)) == key:
            return declared.text, "root"
    sibling = graph.distribution(name)
    if sibling is not None:
        source = "staging" if sibling.origin is Origin.STAGING else "first-party"
        return (f"{sibling.name}>={sibling.version}" if sibling.version else sibling.name), source
    version = _installed(name, graph.environment.paths)
    if version is not None:
        return f"{name}>={version}", "installed"
    return name, "unknown"


def _requirements(graph: Graph, core: Distribution, edges: list[Edge], tests: set[str]) -> list[Requirement]:
    first: dict[str, Edge] = {}
    use: dict[str, str] = {}
    rank = {"runtime": 0, "optional": 1, "test": 2}
    for edge in edges:
        if edge.imported_origin in _OUTSIDE and edge.imported_distribution:
            name = edge.imported_distribution
        elif edge.imported_origin is Origin.UNKNOWN:  # not in the static mapping: ask what is installed
            top = edge.imported.partition(".")[0]
            name = _owner(top, graph.environment.paths) or top
        else:
            continue
        how = "test" if edge.path in tests else "optional" if edge.kind & NOT_RUNTIME else "runtime"
        if name not in use or rank[how] < rank[use[name]]:
            use[name] = how
        if name not in first or (edge.path, edge.line) < (first[name].path, first[name].line):
            first[name] = edge
    found = []
    for name in sorted(use, key=normalize):
        text, source = _requirement(graph, core, name)
        edge = first[name]
        found.append(Requirement(normalize(name), text, source, use[name], f"{edge.path}:{edge.line}"))
    return found


def make_plan(graph: Graph, package: str, target: str, import_name: str | None = None) -> Plan:
    """The plan of moving `package` (a folder or dotted name of the core) to `target` (staging/NAME)."""
    core, init = find_package(graph, package)
    folder, name, top = check_target(graph, target, import_name)
    dotted = init.name
    prefix = init.path.rpartition("/")[0] + "/"
    inside = {m.path for m in graph.modules if m.distribution == core.name and m.path.startswith(prefix)}
    tests = {m.path for m in graph.modules if m.is_test}
    core_modules: dict[str, Module] = {}
    for m in sorted(graph.modules, key=lambda m: (m.is_test, m.path)):
        if m.distribution == core.name:
            core_modules.setdefault(m.name, m)

    def in_package(edge: Edge) -> bool:
        return edge.imported_distribution == core.name and _under(edge.imported, dotted)

    def into_core(edge: Edge) -> bool:
        return edge.imported_distribution == core.name and edge.imported in core_modules

    blockers: list[Tie] = []
    importers: list[Tie] = []
    own: list[Edge] = []
    tested: dict[str, set[str]] = {p: set() for p in inside if p in tests}
    others: dict[str, set[str]] = {}
    for edge in graph.edges:
        if edge.path in inside:
            own.append(edge)
            if into_core(edge) and not in_package(edge):
                blockers.append(_tie(edge, tests))
        elif in_package(edge):
            importers.append(_tie(edge, tests))
            if edge.path in tests and edge.importer_distribution == core.name:
                tested.setdefault(edge.path, set())
    for edge in graph.edges:  # what else of the core the test files that import the package import
        if (
            edge.path in tested
            and edge.path not in inside
            and into_core(edge)
            and not in_package(edge)
            and edge.imported != edge.importer
        ):
            others.setdefault(edge.path, set()).add(edge.imported)
    test_files = [TestFile(p, p in inside, tuple(sorted(others.get(p, ())))) for p in sorted(tested)]
    movable = {t.path for t in test_files if not t.inside and not t.others}  # they move with it
    own += [e for e in graph.edges if e.path in movable]
    return Plan(
        package=dotted,
        folder=prefix.rstrip("/"),
        core=core.name,
        target=folder,
        name=name,
        import_name=top,
        modules=tuple(sorted(inside)),
        blockers=tuple(sorted(blockers)),
        importers=tuple(sorted(importers)),
        requirements=tuple(_requirements(graph, core, own, tests)),
        tests=tuple(test_files),
        carried=tuple(_carried(graph, core.name, dotted, blockers, core_modules)),
    )


def _carried(
    graph: Graph, core: str, package: str, blockers: list[Tie], modules: dict[str, Module]
) -> list[Carried]:
    """The blockers' targets and their closure inside the core (package left out), breadth first."""
    out: dict[str, list[Edge]] = {}
    for edge in graph.edges:
        if edge.importer_distribution == core and edge.imported_distribution == core:
            out.setdefault(edge.importer, []).append(edge)
    via: dict[str, str] = {}
    queue: list[str] = []
    for tie in sorted(blockers):
        if tie.imported not in via:
            via[tie.imported] = f"{tie.importer} -> {tie.imported} ({tie.path}:{tie.line})"
            queue.append(tie.imported)
    for current in queue:  # grows while it is read: breadth first, in sorted order at each step
        for edge in sorted(out.get(current, ())):
            target = edge.imported
            if target in via or _under(target, package) or target not in modules or target == current:
                continue
            via[target] = f"{current} -> {target} ({edge.path}:{edge.line})"
            queue.append(target)
    back = {
        e.importer
        for e in graph.edges
        if e.importer_distribution == core and e.imported_distribution == core and _under(e.imported, package)
    }
    return [Carried(m, modules[m].path, via[m], m in back) for m in sorted(via)]
