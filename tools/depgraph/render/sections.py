"""Extra report sections: a table another tool wrote as JSON (`depgraph report --section FILE`).

depgraph knows nothing of what the table means (this repository feeds it the cloud providers' conformance
matrix); it checks the shape and draws it. The format::

    {"title": "Conformance matrix", "intro": "one paragraph (optional)",
     "columns": ["capability", "aws", ...], "rows": [["instances", "pass", ...], ...],
     "styles": {"pass": "good", "fail": "bad", "unsupported": "muted"}}   # optional: cell text -> style

Styles are depgraph's own: good, bad, warn, muted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from depgraph.base import schema
from depgraph.base.errors import DepgraphError

STYLES = ("good", "bad", "warn", "muted")
# Each key's whole error sentence as its `expected`; unknown keys are let be (the table is not `closed`).
SCHEMA = {
    "title": schema.Kind("a non-empty string is required", "str", schema.NONEMPTY.test),
    "columns": schema.Kind(
        "a non-empty list of strings is required",
        "list",
        lambda v: isinstance(v, list) and bool(v) and all(isinstance(c, str) for c in v),
    ),
    "rows": schema.Kind("a list of rows is required", "list", schema.LIST.test),
    "styles": schema.Kind(
        f"an object mapping cell text to one of {', '.join(STYLES)}",
        "dict",
        lambda v: isinstance(v, dict) and all(s in STYLES for s in v.values()),
    ),
    "intro": schema.Kind("a string is required", "str", schema.STRING.test),
}
_SAYS = "{where}: {key}: {expected}"
PHRASING = schema.Phrasing(unknown="", missing=_SAYS, wrong=_SAYS)
CSS = """
table.section td.good { background: #e5f4e6; color: #1e5e22; }
table.section td.bad { background: #fbe3e3; color: #a01818; font-weight: 600; }
table.section td.warn { background: #fff3d6; color: #7a4d00; }
table.section td.muted { color: #7a8294; }
table.section td.sub { padding-left: 1.6em; }
"""


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    styles: tuple[tuple[str, str], ...]

    @property
    def anchor(self) -> str:
        return "section-" + (re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-") or "extra")


def load_section(path: Path) -> Section:
    """The section in `path`; DepgraphError naming the file and the key at fault."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DepgraphError(f"{path}: cannot read the section: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DepgraphError(f"{path}: not a JSON section: {exc}") from exc
    if not isinstance(raw, dict):
        raise DepgraphError(f"{path}: a section is a JSON object (title, columns, rows)")
    table = schema.Table(raw, SCHEMA, str(path), PHRASING, DepgraphError)
    title, columns, rows = table.get("title"), table.get("columns"), table.get("rows")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns) or not all(isinstance(c, str) for c in row):
            raise DepgraphError(f"{path}: rows[{i}]: a list of {len(columns)} strings is required")
    styles, intro = table.get("styles", {}), table.get("intro", "")
    return Section(
        title,
        intro,
        tuple(columns),
        tuple(tuple(r) for r in rows),
        tuple(sorted((str(k), str(v)) for k, v in styles.items())),
    )


def render(section: Section) -> str:
    styles = dict(section.styles)
    head = "".join(f"<th>{escape(c)}</th>" for c in section.columns)
    body = []
    for row in section.rows:
        first = row[0]
        sub = ' class="sub"' if first.startswith(" ") else ""
        cells = [f"<td{sub}>{escape(first.strip())}</td>"]
        for cell in row[1:]:
            style = styles.get(cell)
            cells.append(f'<td class="{style}">{escape(cell)}</td>' if style else f"<td>{escape(cell)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    intro = f"<p>{escape(section.intro)}</p>" if section.intro else ""
    return (
        f'<section id="{section.anchor}"><h2>{escape(section.title)}</h2>{intro}'
        f'<table class="section"><tr>{head}</tr>{"".join(body)}</table></section>\n'
    )
