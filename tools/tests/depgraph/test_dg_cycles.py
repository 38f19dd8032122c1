"""`depgraph.checks.cycles`: strongly connected components on plain dicts, the same sets as networkx finds."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from depgraph.checks.cycles import shortest_cycles, strongly_connected


def _random_graph(seed: int, nodes: int, edges: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    names = [f"m{i}" for i in range(nodes)]
    successors: dict[str, list[str]] = {}
    for _ in range(edges):
        source, target = rng.choice(names), rng.choice(names)
        successors.setdefault(source, [])
        if target not in successors[source]:
            successors[source].append(target)
    return successors


@pytest.mark.parametrize(("seed", "nodes", "edges"), [(1, 10, 25), (2, 50, 90), (3, 200, 300), (4, 400, 900)])
def test_components_are_networkx_components(seed: int, nodes: int, edges: int) -> None:
    successors = _random_graph(seed, nodes, edges)
    graph = nx.DiGraph()
    graph.add_nodes_from(successors)
    graph.add_edges_from((s, t) for s, targets in successors.items() for t in targets)
    # networkx counts a self-loop's node as its own component: only components of 2 or more matter here
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    assert sorted(sorted(c) for c in strongly_connected(successors)) == expected
    assert expected  # the sizes chosen give cycles


def test_a_long_chain_needs_no_recursion() -> None:
    """Iterative: a 20,000-module ring would overflow a recursive version's stack."""
    ring = {f"m{i}": [f"m{(i + 1) % 20_000}"] for i in range(20_000)}
    (component,) = strongly_connected(ring)
    assert len(component) == 20_000


def test_shortest_cycle_through_the_smallest_member() -> None:
    pairs = [("b", "c"), ("c", "a"), ("a", "b"), ("c", "b"), ("x", "y"), ("y", "y")]
    assert shortest_cycles(pairs) == [(("a", "b", "c"), ("a", "b", "c", "a"))]
