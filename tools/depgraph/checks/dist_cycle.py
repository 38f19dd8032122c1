"""distribution-cycle: first-party distributions that depend on one another in a circle.

A distribution depends on another when one of its modules imports it, or when its runtime requirements
(`[project].dependencies`, or what its backend reads as such) declare it: A declaring B while B imports A
is a cycle that blocks releasing either alone, though neither side alone imports the other both ways.
Extras and development groups are optional and do not make an edge; nor does a requirement whose marker is
false here.

Enumerating every simple cycle can explode, so each strongly connected component of the distribution graph
is reported once: its shortest cycle through its smallest member (by name), every hop with what makes it
(the first import, smallest path then line, else the declaration at its pyproject.toml line) and whether it
is an import or a declaration, and the component's members when there are more than the cycle shows. Break
that cycle and the next run shows the next one. Suppressed imports and declarations do not make a hop.
"""

from __future__ import annotations

from itertools import pairwise

from depgraph.base import catalog
from depgraph.base.imports import ImportKind
from depgraph.base.model import Edge, Finding, Level
from depgraph.checks.base import View, hop, silence_hint
from depgraph.checks.cycles import cycle_finding, cycles_through_edges
from depgraph.checks.requirements import declared
from depgraph.checks.suppress import Suppressor

CHECK = catalog.DISTRIBUTION_CYCLE
ID = CHECK.id


def _declarations(view: View) -> dict[tuple[str, str], list[Edge]]:
    """(declaring, declared) first-party pair -> its runtime requirements, as edges at their pyproject line
    (kind top-level, `imported` the declared distribution's name)."""
    found: dict[tuple[str, str], list[Edge]] = {}
    for name, dist in sorted(view.distributions.items()):
        if not view.is_first_party(name):
            continue
        for req in declared(view.config.root, dist):
            target = view.by_norm.get(req.name)
            if req.extra or req.group or target is None or target.name == name or not req.applies_here():
                continue
            if not view.is_first_party(target.name):
                continue
            edge = Edge(
                req.path,
                req.line,
                name,
                target.name,
                ImportKind.TOP_LEVEL,
                req.text,
                name,
                target.name,
                target.origin,
            )
            found.setdefault((name, target.name), []).append(edge)
    return found


def run(view: View, level: Level, suppressor: Suppressor) -> list[Finding]:
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for edge in view.edges:
        source, target = edge.importer_distribution, edge.imported_distribution
        if target is None or source == target or not view.is_first_party(target):
            continue
        if view.is_first_party(source):
            by_pair.setdefault((source, target), []).append(edge)
    declarations = _declarations(view)
    declared_edges = {e for edges in declarations.values() for e in edges}
    for pair, edges in declarations.items():  # an import, when there is one, is the hop shown
        by_pair[pair] = sorted(by_pair.get(pair, [])) + sorted(edges)
    found: list[Finding] = []
    for members, cycle, hops in cycles_through_edges(by_pair, ID, suppressor):
        names = " -> ".join(cycle)
        extra = sorted(set(members) - set(cycle))
        message = f"distributions depend on one another in a cycle: {names}"
        if extra:
            message += f" (the cycle's strongly connected component also holds: {', '.join(extra)})"
        chain = [
            f"{a} -> {b} (declared): `{e.text}` ({e.path}:{e.line})"
            if e in declared_edges
            else f"{a} -> {b} (import): {hop(e, view)}"
            for (a, b), e in zip(pairwise(cycle), hops, strict=True)
        ]
        hint = (
            "invert one dependency (move the shared code down into the distribution both need, "
            "or drop a declaration nothing needs); "
            f"or {silence_hint(ID)} of one hop (for a declared hop, on the requirement's line)"
        )
        found.append(cycle_finding(ID, level, message, names, hops, chain, hint))
    return found
