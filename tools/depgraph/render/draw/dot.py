"""The DOT source of a drawing (Graphviz), built with the `graphviz` package; no `dot` needed for it."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any

from depgraph.render.draw.model import GROUP_TITLES, KIND_TITLES, DrawEdge, Drawing, Node
from depgraph.render.draw.styles import GREY, NODE_STYLES, REASON_COLOURS

if TYPE_CHECKING:
    import graphviz

BIG = 60  # nodes from which the layout is tightened for legibility
BUNDLE = 3  # leaves with the same imports drawn as one box (big graphs only)


def _node_attrs(node: Node) -> dict[str, str]:
    fill, border, text, shape, style = NODE_STYLES[node.kind]
    tooltip = f"{node.id} ({KIND_TITLES[node.kind]})"
    if node.modules:
        tooltip += f", {node.modules} module{'s' * (node.modules != 1)}"
    if node.lines:
        tooltip += f", {node.lines} lines"
    return {
        "label": node.label,
        "shape": shape,
        "style": style,
        "fillcolor": fill,
        "color": border,
        "fontcolor": text,
        "tooltip": tooltip,
        "id": f"node:{node.id}",
        "class": f"dg-node kind-{node.kind}",
    }


TOOLTIP_IMPORTS = 5  # statements an edge's tooltip lists (offending first); the report lists them all


def _edge_attrs(edge: DrawEdge) -> dict[str, str]:
    tooltip = f"{edge.source} -> {edge.target}: {edge.count} import{'s' * (edge.count != 1)}"
    if edge.reasons:
        tooltip += f" [{', '.join(edge.reasons)}]"
    if edge.imports:
        for i in edge.imports[:TOOLTIP_IMPORTS]:
            why = f" [{', '.join(i.reasons)}]" if i.reasons else ""
            tooltip += f"\n{i.where} {i.text}{why}"
        if len(edge.imports) > TOOLTIP_IMPORTS:
            tooltip += f"\n... and {len(edge.imports) - TOOLTIP_IMPORTS} more"
    elif edge.examples:
        tooltip += f" e.g. {', '.join(edge.examples)}"
    attrs = {
        "label": str(edge.count),
        "tooltip": tooltip,
        "id": f"edge:{edge.source}->{edge.target}",
        "class": f"dg-edge reason-{edge.group or 'none'}",
    }
    if edge.red:
        colour = REASON_COLOURS[edge.group]
        attrs.update(color=colour, fontcolor=colour, penwidth="2.2")
    else:
        attrs.update(color=GREY, fontcolor="#555555")
    return attrs


def _legend(drawing: Drawing) -> str:
    rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
    for key, title in drawing.legend:
        if key in NODE_STYLES:
            fill, border, text, _, _ = NODE_STYLES[key]
            cell = f'<FONT COLOR="{text}">&#160;{escape(key)}&#160;</FONT>'
            sample = f'<TD BGCOLOR="{fill}" COLOR="{border}">{cell}</TD>'
        else:
            continue
        rows.append(f'<TR>{sample}<TD ALIGN="LEFT">{escape(title)}</TD></TR>')
    if any(not e.red for e in drawing.edges):
        sample = f'<TD><FONT COLOR="{GREY}"><B>&#8594; import</B></FONT></TD>'
        rows.append(f'<TR>{sample}<TD ALIGN="LEFT">import without a finding</TD></TR>')
    groups = sorted({e.group for e in drawing.edges if e.red}, key=list(GROUP_TITLES).index)
    for group in groups:
        colour = REASON_COLOURS[group]
        sample = f'<TD><FONT COLOR="{colour}"><B>&#8594; {escape(group)}</B></FONT></TD>'
        rows.append(f'<TR>{sample}<TD ALIGN="LEFT">{escape(GROUP_TITLES[group])}</TD></TR>')
    if not groups:
        rows.append(
            '<TR><TD COLSPAN="2" ALIGN="LEFT">no coloured edge: no import cycle, forbidden import '
            "or undeclared dependency</TD></TR>"
        )
    rows.append('<TR><TD COLSPAN="2" ALIGN="LEFT">edge label: number of import statements</TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"


def _add_cluster(
    parent: Any,
    cluster: str,
    labels: dict[str, str],
    children: dict[tuple[str, ...], list[Any]],
    path: tuple[str, ...],
) -> None:
    with parent.subgraph(name=f"cluster_{cluster}") as sub:
        sub.attr(
            label=labels.get(cluster, cluster), style="rounded,dashed", color="#aaaaaa", fontcolor="#555555"
        )
        _fill(sub, labels, children, path)


def _fill(
    g: Any, labels: dict[str, str], children: dict[tuple[str, ...], list[Any]], path: tuple[str, ...]
) -> None:
    for item in children.get(path, []):
        if isinstance(item, Node):
            g.node(item.id, **_node_attrs(item))
        else:
            _add_cluster(g, item, labels, children, (*path, item))


def to_graphviz(drawing: Drawing) -> graphviz.Digraph:
    import graphviz  # noqa: PLC0415 - off the start-up path

    big = len(drawing.nodes) >= BIG
    g = graphviz.Digraph(name="depgraph", comment=drawing.title)
    g.attr(
        label=f"depgraph: {drawing.title}",
        labelloc="t",
        fontname="Helvetica",
        fontsize="16",
        rankdir="LR" if drawing.level == "distribution" and not big else "TB",
        nodesep="0.15" if big else "0.3",
        ranksep="0.5" if big else "0.6",
        newrank="true",
        compound="true",
    )
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.04", height="0.3")
    g.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    # cluster tree: (path of clusters) -> its children, nodes and sub-clusters, in sorted order
    children: dict[tuple[str, ...], list[Any]] = {}
    seen: set[tuple[str, ...]] = set()
    for node in drawing.nodes:
        for depth in range(len(node.cluster)):
            path = node.cluster[: depth + 1]
            if path not in seen:
                seen.add(path)
                children.setdefault(path[:-1], []).append(path[-1])
        children.setdefault(node.cluster, []).append(node)
    bundles = _bundles(drawing) if big else []
    bundled = {name for members, _ in bundles for name in members}
    children[()] = [c for c in children.get((), []) if not (isinstance(c, Node) and c.id in bundled)]
    _fill(g, dict(drawing.clusters), children, ())
    nodes = {n.id: n for n in drawing.nodes}
    for index, (members, targets) in enumerate(bundles):
        _add_bundle(g, index, [nodes[m] for m in members], targets, drawing)
    if drawing.legend:
        g.node("depgraph_legend", label=_legend(drawing), shape="plaintext", fontsize="10")
    stagger = _stagger(drawing, bundled) if big else {}
    for edge in drawing.edges:
        if edge.source in bundled:
            continue
        attrs = _edge_attrs(edge)
        if stagger.get(edge.source):
            attrs["minlen"] = str(1 + stagger[edge.source])
        g.edge(edge.source, edge.target, **attrs)
    return g


def _sources(drawing: Drawing) -> list[str]:
    """The nodes that import but that nothing imports: the leaves of a big monorepo (its many providers)."""
    imported = {e.target for e in drawing.edges}
    importing = {e.source for e in drawing.edges}
    return [n.id for n in drawing.nodes if n.id in importing and n.id not in imported]


def _bundles(drawing: Drawing) -> list[tuple[list[str], tuple[str, ...]]]:
    """Groups of at least BUNDLE leaves importing exactly the same nodes with no red edge: drawn as one box
    with one edge per target, so a monorepo of 150 packages reads as a handful of arrows."""
    red = {e.source for e in drawing.edges if e.red}
    kinds = {n.id: n.kind for n in drawing.nodes}
    targets: dict[str, list[str]] = {}
    for e in drawing.edges:
        targets.setdefault(e.source, []).append(e.target)
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in _sources(drawing):
        if name not in red:
            groups.setdefault((kinds[name], *sorted(targets[name])), []).append(name)
    return sorted((members, key[1:]) for key, members in groups.items() if len(members) >= BUNDLE)


def _add_bundle(g: Any, index: int, members: list[Node], targets: tuple[str, ...], drawing: Drawing) -> None:
    name = f"cluster_bundle_{index}"
    columns = max(2, math.ceil(math.sqrt(len(members) / 1.5)))
    shown = ", ".join(targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
    with g.subgraph(name=name) as sub:
        sub.attr(
            label=f"{len(members)} importing {shown}",
            style="rounded,filled",
            fillcolor="#f4f8fc",
            color="#8fb3d9",
            fontcolor="#2f6eb5",
        )
        for node in members:
            sub.node(node.id, **_node_attrs(node))
        for i in range(len(members) - columns):  # invisible edges stack the members in a grid
            sub.edge(members[i].id, members[i + columns].id, style="invis")
    anchor = members[-1].id
    for target in targets:
        edges = [e for e in drawing.edges if e.target == target and e.source in {m.id for m in members}]
        count = sum(e.count for e in edges)
        g.edge(
            anchor,
            target,
            ltail=name,
            label=str(count),
            color=GREY,
            fontcolor="#555555",
            penwidth="1.6",
            tooltip=f"{len(edges)} distributions -> {target}: {count} imports in all",
        )


def _stagger(drawing: Drawing, skip: set[str]) -> dict[str, int]:
    """Spread the remaining leaves over several ranks, so that they form a block instead of one row many
    metres wide (what Graphviz's `unflatten` does)."""
    sources = [name for name in _sources(drawing) if name not in skip]
    rows = max(1, round(math.sqrt(len(sources) / 1.5)))
    return {name: index % rows for index, name in enumerate(sources)}


def to_dot(drawing: Drawing) -> str:
    return str(to_graphviz(drawing).source)
