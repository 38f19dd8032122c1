"""Build a `Drawing` from a graph and the findings of its checks: distribution level, or a module-level focus.

Red edges: every edge inside a strongly connected component (it lies on a cycle: of distributions at the
distribution level, of top-level imports at the module level), and every edge carrying an import that a
check in `VIOLATION_CHECKS` reported (matched by file and line).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from depgraph.base.errors import DepgraphError
from depgraph.base.imports import ImportKind
from depgraph.base.model import Edge, Finding, Module, Origin, module_ids
from depgraph.render.draw.model import (
    CYCLE,
    FOCUS,
    MODULE,
    PACKAGE,
    THIRD_PARTY,
    VIOLATION_CHECKS,
    DrawEdge,
    Drawing,
    EdgeImport,
    Node,
)

if TYPE_CHECKING:
    from depgraph.graph.graph import Graph

FIRST_PARTY = frozenset({Origin.CORE, Origin.STAGING, Origin.PLUGIN, Origin.FIRST_PARTY})
MAX_EXAMPLES = 3


def counted_edges(graph: Graph, include_tests: bool) -> list[Edge]:
    """The edges that count: all, less those from tests folders unless `include_tests`."""
    if include_tests:
        return list(graph.edges)
    tests = {m.path for m in graph.modules if m.is_test}
    return [e for e in graph.edges if e.path not in tests]


def cycle_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs that lie on a cycle: both ends in the same strongly connected component."""
    import networkx as nx  # noqa: PLC0415 - off the start-up path

    digraph = nx.DiGraph()
    digraph.add_edges_from(p for p in pairs if p[0] != p[1])
    component: dict[str, int] = {}
    for index, members in enumerate(nx.strongly_connected_components(digraph)):
        if len(members) > 1:
            component.update(dict.fromkeys(members, index))
    return {(a, b) for a, b in digraph.edges if a in component and component[a] == component.get(b)}


def _violations(edges: Sequence[Edge], findings: Sequence[Finding]) -> dict[Edge, set[str]]:
    """Edge -> the violation checks that reported its statement (a finding names the imported module)."""
    at: dict[tuple[str, int], list[Edge]] = defaultdict(list)
    for edge in edges:
        at[edge.path, edge.line].append(edge)
    result: dict[Edge, set[str]] = defaultdict(set)
    for f in findings:
        if f.check not in VIOLATION_CHECKS:
            continue
        candidates = at.get((f.path, f.line), [])
        named = [e for e in candidates if f"`{e.imported}`" in f.message]
        for edge in named or candidates:
            result[edge].add(f.check)
    return result


def _draw_edges(
    grouped: dict[tuple[str, str], list[Edge]],
    reasons: dict[tuple[str, str], set[str]],
    violations: Mapping[Edge, set[str]],
) -> tuple[DrawEdge, ...]:
    out = []
    for (source, target), edges in sorted(grouped.items()):
        imports = sorted(
            {
                EdgeImport(
                    not violations.get(e),
                    e.path,
                    e.line,
                    e.kind.label,
                    e.text,
                    e.importer,
                    e.imported,
                    tuple(sorted(violations.get(e, ()))),
                )
                for e in edges
            }
        )
        examples = list(dict.fromkeys(i.where for i in imports))[:MAX_EXAMPLES]
        statements = {(e.path, e.line) for e in edges}
        out.append(
            DrawEdge(
                source,
                target,
                len(statements),
                tuple(sorted(reasons.get((source, target), ()))),
                tuple(examples),
                tuple(imports),
            )
        )
    return tuple(out)


def distribution_drawing(
    graph: Graph, findings: Sequence[Finding] = (), *, third_party: bool = False, include_tests: bool = False
) -> Drawing:
    """One node per repository distribution (and per third-party one imported, with `third_party`)."""
    edges = counted_edges(graph, include_tests)
    origins = {d.name: d.origin for d in graph.distributions}
    modules: dict[str, int] = defaultdict(int)
    for m in graph.modules:
        if include_tests or not m.is_test:
            modules[m.distribution] += 1
    grouped: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for e in edges:
        target = e.imported_distribution
        if target is None or target == e.importer_distribution:
            continue
        if origins.get(target) in FIRST_PARTY or (third_party and e.imported_origin is Origin.THIRD_PARTY):
            grouped[e.importer_distribution, target].append(e)
    first = [p for p in grouped if origins.get(p[0]) in FIRST_PARTY and origins.get(p[1]) in FIRST_PARTY]
    reasons: dict[tuple[str, str], set[str]] = {pair: {CYCLE} for pair in cycle_pairs(first)}
    violations = _violations(edges, findings)
    for edge, checks in violations.items():
        pair = (edge.importer_distribution, edge.imported_distribution or "")
        if pair in grouped:
            reasons.setdefault(pair, set()).update(checks)
    nodes = [
        Node(d.name, d.name, d.origin.value, (), modules.get(d.name, 0))
        for d in graph.distributions
        if d.origin in FIRST_PARTY
    ]
    outside = sorted({t for _, t in grouped if origins.get(t) not in FIRST_PARTY})
    nodes += [Node(name, name, THIRD_PARTY, (THIRD_PARTY,)) for name in outside]
    clusters = ((THIRD_PARTY, "third-party distributions"),) if outside else ()
    return Drawing(
        title="distributions",
        level="distribution",
        nodes=tuple(sorted(nodes)),
        edges=_draw_edges(grouped, reasons, violations),
        clusters=clusters,
        findings=tuple(sorted(findings)),
    )


def _collapse(name: str, segments: int | None) -> str:
    return name if segments is None else ".".join(name.split(".")[:segments])


def _reach(start: set[str], adjacency: dict[str, set[str]], depth: int) -> set[str]:
    seen, frontier = set(start), set(start)
    for _ in range(depth):
        frontier = {n for f in frontier for n in adjacency.get(f, ()) if n not in seen}
        if not frontier:
            break
        seen |= frontier
    return seen


def _lines(root: Path, path: str) -> int:
    try:
        data = (root / path).read_bytes()
    except OSError:
        return 0
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def module_drawing(
    graph: Graph,
    findings: Sequence[Finding] = (),
    *,
    focus: str,
    depth: int = 1,
    reverse: bool = False,
    collapse: int | None = None,
    include_tests: bool = False,
) -> Drawing:
    """The modules of `focus` (a module, a package or a distribution) and those within `depth` imports of
    them (importers with `reverse`), clustered by package; `collapse=N` draws each module as its first N
    dotted segments."""
    # A node is one file: a dotted name that several distributions hold is drawn once per distribution.
    ids = module_ids(graph.modules)
    by_name: dict[str, Module] = {ids[m.distribution, m.name]: m for m in graph.modules}
    in_focus = {
        ids[m.distribution, m.name]
        for m in graph.modules
        if m.name == focus or m.name.startswith(focus + ".")
    }
    if not in_focus:  # a distribution's name stands for all of its modules
        wanted = canonicalize_name(focus)
        in_focus = {
            ids[m.distribution, m.name] for m in graph.modules if canonicalize_name(m.distribution) == wanted
        }
    if not in_focus:
        raise DepgraphError(
            f"--focus {focus}: no module, package or distribution of that name in the repository"
        )
    tests_count = include_tests or any(by_name[n].is_test for n in in_focus)
    edges: list[tuple[str, str, Edge]] = []
    for e in counted_edges(graph, tests_count):
        source = ids[e.importer_distribution, e.importer]
        target = ids.get((e.imported_distribution or "", e.imported))
        if target is not None and target != source:
            edges.append((source, target, e))
    forward: dict[str, set[str]] = defaultdict(set)
    backward: dict[str, set[str]] = defaultdict(set)
    for source, target, _e in edges:
        forward[source].add(target)
        backward[target].add(source)
    shown = _reach(in_focus, backward if reverse else forward, depth)
    cyclic = cycle_pairs((s, t) for s, t, e in edges if e.kind is ImportKind.TOP_LEVEL)
    violations = _violations([e for _s, _t, e in edges], findings)
    grouped: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    reasons: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, target, e in edges:
        if source not in shown or target not in shown:
            continue
        pair = (_collapse(source, collapse), _collapse(target, collapse))
        if pair[0] == pair[1]:
            continue
        grouped[pair].append(e)
        if (source, target) in cyclic and e.kind is ImportKind.TOP_LEVEL:
            reasons[pair].add(CYCLE)
        reasons[pair].update(violations.get(e, ()))
    members: dict[str, list[str]] = defaultdict(list)
    for name in shown:
        members[_collapse(name, collapse)].append(name)
    nodes = _module_nodes(graph.root, members, by_name, in_focus)
    clusters = _clusters(nodes)
    nodes = [_in_clusters(n, clusters) for n in nodes]
    direction = "importers of" if reverse else "imports of"
    return Drawing(
        title=f"{direction} {focus} (depth {depth})",
        level="module",
        nodes=tuple(sorted(nodes)),
        edges=_draw_edges(grouped, reasons, violations),
        clusters=tuple(sorted((c, c) for c in clusters)),
        findings=tuple(sorted(findings)),
    )


def _module_nodes(
    root: Path, members: dict[str, list[str]], by_name: dict[str, Module], in_focus: set[str]
) -> list[Node]:
    nodes = []
    for node_id, names in sorted(members.items()):
        collapsed = names != [node_id]
        kind = FOCUS if any(n in in_focus for n in names) else PACKAGE if collapsed else MODULE
        package = collapsed or by_name[node_id].is_package
        parts = node_id.split(".")
        cluster = tuple(".".join(parts[:i]) for i in range(1, len(parts) + (1 if package else 0)))
        lines = sum(_lines(root, by_name[n].path) for n in names)
        label = f"{node_id}\n{len(names)} modules" if collapsed else node_id
        nodes.append(Node(node_id, label, kind, cluster, len(names), lines))
    return nodes


def _clusters(nodes: list[Node]) -> set[str]:
    """The packages that get a cluster box: those holding at least two drawn nodes."""
    count: dict[str, int] = defaultdict(int)
    for node in nodes:
        for cluster in node.cluster:
            count[cluster] += 1
    return {c for c, n in count.items() if n >= 2}


def _in_clusters(node: Node, clusters: set[str]) -> Node:
    path = tuple(c for c in node.cluster if c in clusters)
    label = node.label
    if path and node.id.startswith(path[-1] + "."):  # the name inside its box; the box says the package
        rest = label.partition("\n")[2]
        label = node.id[len(path[-1]) + 1 :] + ("\n" + rest if rest else "")
    return Node(node.id, label, node.kind, path, node.modules, node.lines)


def make_drawing(  # noqa: PLR0917 - the options of `depgraph graph`
    graph: Graph,
    findings: Sequence[Finding],
    include_tests: bool,
    focus: str | None = None,
    depth: int = 1,
    reverse: bool = False,
    collapse: int | None = None,
    third_party: bool = False,
) -> Drawing:
    """The distribution drawing, or the module drawing around `focus` when one is given."""
    if focus is None:
        return distribution_drawing(graph, findings, third_party=third_party, include_tests=include_tests)
    return module_drawing(
        graph,
        findings,
        focus=focus,
        depth=depth,
        reverse=reverse,
        collapse=collapse,
        include_tests=include_tests,
    )
