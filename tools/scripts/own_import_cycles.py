"""Fail when modules of our own tools import one another in a circle, through imports of any kind.

depgraph's `import-cycle` check judges the code it is pointed at by top-level imports only (a deferred
import breaks no start-up). Our own tools hold themselves to more: a layout in which the modules of a
package never import one another in a circle at all, deferred, guarded, type-checking and dynamic imports
included. The graph is depgraph's own (its discovery, extraction and resolution over this repository);
importing `a.b.c` runs the packages `a` and `a.b` first, so an edge to a module also reaches the
packages above it, except the importer's own. Exit 0 without a cycle, 1 with one (each printed, hop by
hop, with file:line), 2 for bad usage.

    python tools/scripts/own_import_cycles.py [--root DIR] [PACKAGE ...]   (default: depgraph publish)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import networkx as nx

from depgraph.base.errors import DepgraphError
from depgraph.discover.config import load_config
from depgraph.graph.graph import build_graph


def _under(name: str, packages: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def cycles(root: Path, packages: list[str]) -> list[list[tuple[str, str, str]]]:
    """One cycle (importer, imported, where) per group of modules importing one another in a circle."""
    graph = build_graph(root, load_config(root))
    modules = {m.name for m in graph.modules if not m.is_test and _under(m.name, packages)}
    g: nx.DiGraph[str] = nx.DiGraph()
    for edge in graph.edges:
        if edge.importer not in modules or edge.imported not in modules:
            continue
        parts = edge.imported.split(".")
        for i in range(1, len(parts) + 1):
            target = ".".join(parts[:i])
            own_package = edge.importer == target or edge.importer.startswith(target + ".")
            if target in modules and not own_package and not g.has_edge(edge.importer, target):
                g.add_edge(edge.importer, target, where=f"{edge.path}:{edge.line} ({edge.kind.label})")
    found = []
    for members in sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1):
        hops = nx.find_cycle(g.subgraph(members), source=members[0])
        found.append([(a, b, g.edges[a, b]["where"]) for a, b in hops])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="own_import_cycles", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("packages", nargs="*", default=["depgraph", "publish"])
    args = parser.parse_args(argv)
    try:
        found = cycles(args.root, args.packages)
    except DepgraphError as exc:
        print(f"own_import_cycles: error: {exc}", file=sys.stderr)
        return 2
    for cycle in found:
        print(f"import cycle: {' -> '.join([cycle[0][0], *(b for _, b, _ in cycle)])}")
        for a, b, where in cycle:
            print(f"  {where}: {a} -> {b}")
    names = ", ".join(args.packages)
    print(f"own_import_cycles: {len(found)} cycle(s) among the modules of {names}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
