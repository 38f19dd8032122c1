"""What every check shares: the graph it reads, the edges that count, names, and how findings are made."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, cached_property
from typing import Protocol

from packaging.utils import canonicalize_name

from depgraph.base.model import Distribution, Edge, Finding, Level, Module, Origin, module_ids
from depgraph.discover.config import Config

FIRST_PARTY_ORIGINS = frozenset({Origin.CORE, Origin.STAGING, Origin.PLUGIN, Origin.FIRST_PARTY})


class GraphLike(Protocol):
    """The part of `depgraph.graph.graph.Graph` the checks read (unit tests build it from model objects)."""

    @property
    def distributions(self) -> Sequence[Distribution] | Mapping[str, Distribution]: ...

    @property
    def modules(self) -> Sequence[Module] | Mapping[str, Module]: ...

    @property
    def edges(self) -> Sequence[Edge]: ...

    @property
    def findings(self) -> Sequence[Finding]: ...


def _values(items: Sequence[Distribution] | Mapping[str, Distribution]) -> list[Distribution]:
    return sorted(items.values() if isinstance(items, Mapping) else items)


def _module_values(items: Sequence[Module] | Mapping[str, Module]) -> list[Module]:
    return sorted(items.values() if isinstance(items, Mapping) else items)


@cache
def norm(name: str) -> str:
    """A distribution name normalised as PEP 503 says, so `Cloud_Provider` and `cloud-provider` are equal."""
    return str(canonicalize_name(name))


def silence_hint(check: str) -> str:
    return f"silence with `# depgraph: ignore[{check}] <reason>` on the import line"


class View:
    """Indexes over one graph, computed once and shared by all checks of a run."""

    def __init__(self, graph: GraphLike, config: Config) -> None:
        self.graph = graph
        self.config = config

    @cached_property
    def distributions(self) -> dict[str, Distribution]:
        return {d.name: d for d in _values(self.graph.distributions)}

    @cached_property
    def by_norm(self) -> dict[str, Distribution]:
        return {norm(d.name): d for d in self.distributions.values()}

    @cached_property
    def modules(self) -> dict[tuple[str, str], Module]:
        """(distribution, dotted name) -> module: two distributions may both hold `tests.conftest`."""
        return {(m.distribution, m.name): m for m in _module_values(self.graph.modules)}

    @cached_property
    def ids(self) -> dict[tuple[str, str], str]:
        return module_ids(self.modules.values())

    def node(self, distribution: str | None, name: str) -> str:
        """How a module is named in a chain: its dotted name, with its distribution when that is shared."""
        return self.ids.get((distribution or "", name), name)

    @cached_property
    def test_paths(self) -> frozenset[str]:
        """Every test file, by path (never by dotted name, which several distributions may share)."""
        return frozenset(m.path for m in _module_values(self.graph.modules) if m.is_test)

    @cached_property
    def edges(self) -> list[Edge]:
        """The edges the checks judge: all of them, less those from tests unless `include-tests` is true."""
        edges = sorted(self.graph.edges)
        if self.config.include_tests:
            return edges
        tests = self.test_paths
        return [e for e in edges if e.path not in tests]

    @cached_property
    def markers(self) -> Mapping[str, str] | None:
        """The marker environment of the interpreter given with `--python` (None: the running one)."""
        env = getattr(self.graph, "environment", None)
        return getattr(env, "markers", None)

    @cached_property
    def environment_named(self) -> bool:
        """Whether an environment was given (`--python` or the `python` key)."""
        env = getattr(self.graph, "environment", None)
        return env is not None and not env.static

    def origin(self, distribution: str | None) -> Origin | None:
        dist = self.distributions.get(distribution or "")
        return dist.origin if dist else None

    def is_first_party(self, distribution: str | None) -> bool:
        return self.origin(distribution) in FIRST_PARTY_ORIGINS


def finding(
    check: str,
    level: Level,
    path: str,
    line: int,
    message: str,
    *,
    key: str,
    text: str = "",
    chain: Iterable[str] = (),
    hint: str = "",
) -> Finding:
    return Finding(check, level, path, line, message, text, tuple(chain), hint, key)


def direction_findings(
    view: View,
    level: Level,
    check: str,
    *,
    importer: Origin,
    imported: Origin,
    message: Callable[[Edge], str],
    hint: str,
) -> list[Finding]:
    """One finding per import, of any kind, from a distribution of origin `importer` into one of origin
    `imported` (the two direction checks: staging into the core, the core into a plugin)."""
    found: list[Finding] = []
    for edge in view.edges:
        if edge.imported_origin is not imported or view.origin(edge.importer_distribution) is not importer:
            continue
        found.append(
            finding(
                check,
                level,
                edge.path,
                edge.line,
                f"{message(edge)}: `{edge.imported}` ({edge.kind.label} import)",
                key=f"{edge.importer} -> {edge.imported}",
                text=edge.text,
                hint=f"{hint}; or {silence_hint(check)}",
            )
        )
    return found


def hop(edge: Edge, view: View | None = None) -> str:
    """One step of a chain: `importer -> imported (path:line): statement` (a long statement shortened);
    with the view, a module whose name several distributions hold is written `name [distribution]`."""
    text = edge.text if len(edge.text) <= 100 else edge.text[:97] + "..."
    importer, imported = edge.importer, edge.imported
    if view is not None:
        importer = view.node(edge.importer_distribution, importer)
        imported = view.node(edge.imported_distribution, imported)
    return f"{importer} -> {imported} ({edge.path}:{edge.line}): {text}"


def requirement_line(pyproject_text: str, requirement: str) -> int:
    """The 1-based line of `requirement` (as written, quoted) in a pyproject.toml text; 0 when not found."""
    quoted = (f'"{requirement}"', f"'{requirement}'")
    for number, line in enumerate(pyproject_text.splitlines(), start=1):
        if any(q in line for q in quoted):
            return number
    return 0
