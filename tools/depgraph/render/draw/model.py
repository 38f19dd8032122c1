"""What a drawing holds, independent of the format: nodes, edges, clusters and the legend.

Every writer (DOT, Mermaid, JSON) reads a `Drawing`; all of its tuples are sorted when it is built, so the
same repository gives byte-identical output.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.base.catalog import (
    CORE_IMPORTS_PLUGIN,
    RESTRICTION,
    STAGING_IMPORTS_CORE,
    UNDECLARED_DEPENDENCY,
)
from depgraph.base.model import Finding

# Node kinds: the style of a node. Distribution level: the origins; module level: modules and packages.
CORE = "core"
STAGING = "staging"
PLUGIN = "plugin"
FIRST_PARTY = "first-party"
THIRD_PARTY = "third-party"
MODULE = "module"
PACKAGE = "package"  # collapsed: several modules drawn as one node
FOCUS = "focus"  # a module of the focus (module level)

# Edge reasons that make an edge red; the legend names each one that occurs.
CYCLE = "cycle"
VIOLATION_CHECKS = tuple(
    c.id for c in (CORE_IMPORTS_PLUGIN, RESTRICTION, STAGING_IMPORTS_CORE, UNDECLARED_DEPENDENCY)
)

KIND_TITLES = {
    CORE: "core",
    STAGING: "staging distribution",
    PLUGIN: "plugin distribution",
    FIRST_PARTY: "other first-party distribution",
    THIRD_PARTY: "third-party distribution",
    FOCUS: "module in focus",
    MODULE: "module",
    PACKAGE: "collapsed package (module count)",
}
REASON_TITLES = {
    CYCLE: "on an import cycle",
    RESTRICTION.id: "forbidden by a restriction",
    STAGING_IMPORTS_CORE.id: "staging imports the core",
    CORE_IMPORTS_PLUGIN.id: "the core imports a plugin",
    UNDECLARED_DEPENDENCY.id: "undeclared dependency",
}


@dataclass(frozen=True, slots=True, order=True)
class Node:
    id: str  # distribution name or dotted module name; unique in a drawing
    label: str
    kind: str
    cluster: tuple[str, ...] = ()  # nested cluster path, outermost first (e.g. ("pkg", "pkg.sub"))
    modules: int = 0  # modules it stands for (distribution or collapsed package)
    lines: int = 0  # lines of code it stands for (first-party only)


# The colour group of each reason: the report and the drawings colour an edge by its first group, in this
# order (forbidden before undeclared before cycle), and the legend names each group that occurs.
FORBIDDEN = "forbidden"
UNDECLARED = "undeclared"
REASON_GROUPS = {
    RESTRICTION.id: FORBIDDEN,
    STAGING_IMPORTS_CORE.id: FORBIDDEN,
    CORE_IMPORTS_PLUGIN.id: FORBIDDEN,
    UNDECLARED_DEPENDENCY.id: UNDECLARED,
    CYCLE: CYCLE,
}
GROUP_TITLES = {
    FORBIDDEN: "forbidden import (restriction, staging imports the core, the core imports a plugin)",
    UNDECLARED: "undeclared dependency",
    CYCLE: "on an import cycle",
}


def reason_group(reasons: tuple[str, ...]) -> str:
    """The colour group of an edge with these reasons ("" for a plain edge)."""
    groups = {REASON_GROUPS.get(r, FORBIDDEN) for r in reasons}
    return next((g for g in GROUP_TITLES if g in groups), "")


@dataclass(frozen=True, slots=True, order=True)
class EdgeImport:
    """One import statement behind a drawn edge; offending ones (with reasons) sort first."""

    clean: bool  # False when a violation check reported this statement
    path: str
    line: int
    kind: str  # ImportKind label: top-level, deferred+guarded, ...
    text: str
    importer: str
    imported: str
    reasons: tuple[str, ...] = ()  # violation checks that reported it, sorted

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, order=True)
class DrawEdge:
    source: str
    target: str
    count: int  # import statements
    reasons: tuple[str, ...] = ()  # sorted: "cycle" and/or check ids of violations; () for a plain edge
    examples: tuple[str, ...] = ()  # up to three "path:line" of the statements behind it, offending first
    imports: tuple[EdgeImport, ...] = ()  # every statement behind it, offending first (the report lists them)

    @property
    def red(self) -> bool:
        return bool(self.reasons)

    @property
    def group(self) -> str:
        return reason_group(self.reasons)


@dataclass(frozen=True, slots=True)
class Drawing:
    title: str
    level: str  # "distribution" or "module"
    nodes: tuple[Node, ...]  # sorted
    edges: tuple[DrawEdge, ...]  # sorted
    clusters: tuple[tuple[str, str], ...] = ()  # cluster id -> label, sorted by id
    findings: tuple[Finding, ...] = ()

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """(kind or reason, title) for every node kind and red reason that occurs, kinds first."""
        kinds = sorted({n.kind for n in self.nodes}, key=list(KIND_TITLES).index)
        reasons = sorted({r for e in self.edges for r in e.reasons})
        return tuple((k, KIND_TITLES[k]) for k in kinds) + tuple(
            (r, REASON_TITLES.get(r, r)) for r in reasons
        )

    @property
    def imports(self) -> int:
        return sum(e.count for e in self.edges)
