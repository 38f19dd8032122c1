"""import-cycle: modules that import one another at import time (top-level imports only).

Such a cycle makes the result depend on which module is imported first and breaks with a partially
initialised module. A module is a file of one distribution: two distributions holding the same dotted
name (`tests.conftest`, a PEP 420 namespace's `ns.util`) hold two modules, named `name [distribution]` in
the chain. Edges are taken as the graph gives them: `from pkg import sub` is an edge to `pkg.sub`
when `sub` is a submodule, so a package importing its own submodules is a cycle only when a submodule
imports the package back at top level. Each strongly connected component is reported once: its shortest
cycle through its smallest module, every hop with its file:line. Deferred, guarded, type-checking and
dynamic imports do not count; suppressed imports do not make a hop.
"""

from __future__ import annotations

from depgraph.base import catalog
from depgraph.base.model import Edge, Finding, Level
from depgraph.checks.base import View, hop, silence_hint
from depgraph.checks.cycles import cycle_finding, cycles_through_edges
from depgraph.checks.suppress import Suppressor

CHECK = catalog.IMPORT_CYCLE
ID = CHECK.id


def run(view: View, level: Level, suppressor: Suppressor) -> list[Finding]:
    modules = view.modules
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for edge in view.edges:
        source = (edge.importer_distribution, edge.importer)
        target = (edge.imported_distribution or "", edge.imported)
        if CHECK.counts(edge.kind) and source != target and target in modules:
            pair = (view.node(*source), view.node(*target))
            by_pair.setdefault(pair, []).append(edge)
    found: list[Finding] = []
    for members, cycle, hops in cycles_through_edges(by_pair, ID, suppressor):
        names = " -> ".join(cycle)
        message = f"import cycle at import time: {names}"
        if len(members) > len(cycle) - 1:
            message += f" ({len(members)} modules import one another in a circle; this is the shortest cycle)"
        hint = (
            "move one import into the function that needs it, or the shared code into a third module; "
            f"or {silence_hint(ID)} of one hop"
        )
        found.append(cycle_finding(ID, level, message, names, hops, [hop(e, view) for e in hops], hint))
    return found
