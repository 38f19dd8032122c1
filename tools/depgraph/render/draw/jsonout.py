"""The JSON form of a drawing: nodes, edges, counts, legend and findings (schema in DRAWING.md)."""

from __future__ import annotations

import json
from typing import Any

from depgraph.render.draw.model import Drawing
from depgraph.render.report.machine import finding_dict

JSON_VERSION = 1


def as_dict(drawing: Drawing) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "tool": "depgraph",
        "level": drawing.level,
        "title": drawing.title,
        "nodes": [
            {
                "id": n.id,
                "label": n.label,
                "kind": n.kind,
                "cluster": list(n.cluster),
                "modules": n.modules,
                "lines": n.lines,
            }
            for n in drawing.nodes
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "imports": e.count,
                "red": e.red,
                "reasons": list(e.reasons),
                "examples": list(e.examples),
            }
            for e in drawing.edges
        ],
        "clusters": [{"id": cid, "label": label} for cid, label in drawing.clusters],
        "legend": [{"key": key, "title": title} for key, title in drawing.legend],
        "counts": {
            "nodes": len(drawing.nodes),
            "edges": len(drawing.edges),
            "imports": drawing.imports,
            "red_edges": sum(1 for e in drawing.edges if e.red),
            "findings": len(drawing.findings),
        },
        "findings": [finding_dict(f) for f in drawing.findings],
    }


def to_json(drawing: Drawing) -> str:
    return json.dumps(as_dict(drawing), indent=2, sort_keys=True) + "\n"
