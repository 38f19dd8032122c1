"""A Mermaid flowchart of a drawing: renders in GitHub pull requests, issues and READMEs."""

from __future__ import annotations

from depgraph.render.draw.model import GROUP_TITLES, Drawing, Node
from depgraph.render.draw.styles import GREY, NODE_STYLES, REASON_COLOURS


def _text(label: str) -> str:
    """A Mermaid quoted label: quotes and angle brackets as entities, line breaks as <br>."""
    escaped = label.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("\n", "<br>")


def _class(kind: str) -> str:
    return kind.replace("-", "_")


def to_mermaid(drawing: Drawing) -> str:
    ids = {node.id: f"n{index}" for index, node in enumerate(drawing.nodes)}
    cluster_ids = {name: f"c{index}" for index, (name, _) in enumerate(drawing.clusters)}
    labels = dict(drawing.clusters)
    direction = "LR" if drawing.level == "distribution" and len(drawing.nodes) < 60 else "TB"
    out = [f"%% depgraph: {drawing.title}", f"flowchart {direction}"]
    for kind in sorted({n.kind for n in drawing.nodes}):
        fill, border, text, _, _ = NODE_STYLES[kind]
        dashed = ",stroke-dasharray:4 3" if "dashed" in NODE_STYLES[kind][4] else ""
        out.append(f"  classDef {_class(kind)} fill:{fill},stroke:{border},color:{text}{dashed}")
    # nodes, nested in their clusters (clusters open and close as the sorted walk enters and leaves them)
    open_path: tuple[str, ...] = ()
    by_cluster = sorted(drawing.nodes, key=lambda n: (n.cluster, n.id))
    for node in by_cluster:
        common = 0
        while common < min(len(open_path), len(node.cluster)) and open_path[common] == node.cluster[common]:
            common += 1
        for depth in range(len(open_path), common, -1):
            out.append("  " * depth + "end")
        for depth in range(common, len(node.cluster)):
            name = node.cluster[depth]
            out.append(
                "  " * (depth + 1) + f'subgraph {cluster_ids[name]}["{_text(labels.get(name, name))}"]'
            )
        open_path = node.cluster
        out.append("  " * (len(open_path) + 1) + _node(ids[node.id], node))
    for depth in range(len(open_path), 0, -1):
        out.append("  " * depth + "end")
    coloured: dict[str, list[int]] = {}  # colour group -> indexes of its edges
    for index, edge in enumerate(drawing.edges):
        out.append(f'  {ids[edge.source]} -->|"{edge.count}"| {ids[edge.target]}')
        if edge.red:
            coloured.setdefault(edge.group, []).append(index)
    if drawing.edges:
        out.append(f"  linkStyle default stroke:{GREY}")
    groups = [group for group in GROUP_TITLES if group in coloured]
    for group in groups:
        colour = REASON_COLOURS[group]
        edges = ",".join(map(str, coloured[group]))
        out.append(f"  linkStyle {edges} stroke:{colour},stroke-width:3px,color:{colour}")
    if groups:  # what each edge colour means (grey: an import without a finding)
        out.append('  subgraph legend["legend: edge colours"]')
        for group in groups:
            out.append(f'    legend_{group}["{_text(group + ": " + GROUP_TITLES[group])}"]:::legend_{group}')
        out.append("  end")
        for group in groups:
            colour = REASON_COLOURS[group]
            out.append(f"  classDef legend_{group} fill:#ffffff,stroke:{colour},color:{colour}")
    return "\n".join(out) + "\n"


def _node(node_id: str, node: Node) -> str:
    return f'{node_id}["{_text(node.label)}"]:::{_class(node.kind)}'
