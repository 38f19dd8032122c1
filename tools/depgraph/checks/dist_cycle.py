"""distribution-cycle: first-party distributions that import one another in a circle.

Enumerating every simple cycle can explode, so each strongly connected component of the distribution graph
is reported once: its shortest cycle through its smallest member (by name), every hop with the first import
(smallest path, then line) that makes it, and the component's members when there are more than the cycle
shows. Break that cycle and the next run shows the next one. Suppressed imports do not make a hop.
"""

from __future__ import annotations

from itertools import pairwise

from depgraph.checks.base import View, finding, hop, silence_hint
from depgraph.checks.cycles import cycles_through_edges
from depgraph.model import Edge, Finding, Level
from depgraph.suppress import Suppressor

ID = "distribution-cycle"
TITLE = "Distributions import one another in a cycle"


def run(view: View, level: Level, suppressor: Suppressor) -> list[Finding]:
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for edge in view.edges:
        source, target = edge.importer_distribution, edge.imported_distribution
        if target is None or source == target or not view.is_first_party(target):
            continue
        if view.is_first_party(source):
            by_pair.setdefault((source, target), []).append(edge)
    found: list[Finding] = []
    for members, cycle, hops in cycles_through_edges(by_pair, ID, suppressor):
        names = " -> ".join(cycle)
        extra = sorted(set(members) - set(cycle))
        message = f"distributions import one another in a cycle: {names}"
        if extra:
            message += f" (the cycle's strongly connected component also holds: {', '.join(extra)})"
        first = hops[0]
        found.append(
            finding(
                ID,
                level,
                first.path,
                first.line,
                message,
                key=names,
                text=first.text,
                chain=[f"{a} -> {b}: {hop(e)}" for (a, b), e in zip(pairwise(cycle), hops, strict=True)],
                hint="invert one dependency (move the shared code down into the distribution both need); "
                f"or {silence_hint(ID)} of one hop",
            )
        )
    return found
