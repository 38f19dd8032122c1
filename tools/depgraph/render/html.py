"""The report page: one self-contained HTML file (inline SVG, CSS and script, nothing fetched).

Sections, each with an id the tests look for: `graph` (the distribution graph as inline SVG, with the
legend of edge colours), `findings` (grouped by check, with file:line), `footprint` (the `depgraph
footprint` table), `distributions` (per-distribution figures: imports in and out, declared and used
dependencies), then any extra sections (`--section FILE`, depgraph.render.sections). The page is whole without
script; with it, depgraph.render.explore adds search, focus and the imports behind an edge.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from depgraph.base.errors import DepgraphError
from depgraph.base.model import Distribution, Finding, Origin
from depgraph.render import explore, sections
from depgraph.render.footprint import HEADERS, Row, table

if TYPE_CHECKING:
    from depgraph.checks import CheckResult
    from depgraph.graph.graph import Graph
    from depgraph.render.draw.model import Drawing

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 2em 3em;
       color: #1d2330; background: #fff; }
h1 { font-size: 1.5em; margin: 1em 0 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #d9dee7; }
h3 { margin-bottom: 0.3em; } .summary { font-size: 1.05em; color: #3a4356; }
.ok { color: #2f7d32; } .error { color: #c62828; font-weight: 600; }
.warn { color: #a86a00; font-weight: 600; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; max-width: 100%; }
th, td { border: 1px solid #d9dee7; padding: 0.3em 0.6em; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
table.findings, table.distributions { width: 100%; }  /* wrap to the page instead of widening it */
table.findings code { white-space: pre-wrap; }
th { background: #f1f4f9; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; background: #f5f7fa;
       padding: 0 0.2em; }
#graph .drawing { overflow: auto; max-width: 100%; max-height: 85vh; border: 1px solid #d9dee7;
                  padding: 0.5em; }  /* full size: a big graph scrolls instead of shrinking its text */
nav a { margin-right: 1em; } ul.chain { margin: 0; padding-left: 1.2em; }
"""


def _svg(drawing: Drawing) -> str:
    """The graph as inline SVG; without Graphviz, a note and the Mermaid source instead."""
    from depgraph.render.draw.render import render_image, render_text  # noqa: PLC0415

    try:
        svg = render_image(drawing, "svg").decode("utf-8")
    except DepgraphError as exc:
        mermaid = escape(render_text(drawing, "mermaid"))
        return f'<p class="warn">No drawing: {escape(str(exc))}</p><pre class="mermaid">{mermaid}</pre>'
    start = svg.find("<svg")
    return f'<div class="drawing">{svg[start:] if start >= 0 else svg}</div>'


def _location(f: Finding) -> str:
    if not f.path:
        return ""
    return f"{f.path}:{f.line}" if f.line else f.path


def _findings(findings: tuple[Finding, ...], titles: dict[str, str]) -> str:
    if not findings:
        return '<p class="ok">No findings.</p>'
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_check[f.check].append(f)
    parts = []
    for check in sorted(by_check):
        items = by_check[check]
        title = titles.get(check, "")
        parts.append(
            f'<h3 id="check-{escape(check)}"><code>{escape(check)}</code> {escape(title)} ({len(items)})</h3>'
        )
        rows = []
        for f in items:
            chain = "".join(f"<li><code>{escape(c)}</code></li>" for c in f.chain)
            detail = f'<ul class="chain">{chain}</ul>' if chain else ""
            rows.append(
                f'<tr><td class="{f.level.value}">{f.level.value}</td>'
                f"<td><code>{escape(_location(f))}</code></td>"
                f"<td>{escape(f.message)}{detail}</td><td><code>{escape(f.text)}</code></td>"
                f"<td>{escape(f.hint)}</td></tr>"
            )
        parts.append(
            '<table class="findings"><tr><th>level</th><th>where</th><th>what</th><th>import</th>'
            f"<th>how to fix or silence</th></tr>{''.join(rows)}</table>"
        )
    return "".join(parts)


def _footprint(rows: list[Row], python: str | None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    body = []
    for cells in table(rows):
        tds = [
            f'<td class="num">{escape(c)}</td>' if i >= 2 else f"<td>{escape(c)}</td>"
            for i, c in enumerate(cells)
        ]
        body.append(f"<tr>{''.join(tds)}</tr>")
    note = (
        "<p>modules and lines: first-party import closure (top-level, deferred, guarded and dynamic imports; "
        "not type-checking ones). Installed: the requirement closure from pyproject.toml and "
        + (
            "the installed metadata of the environment named with --python (or the <code>python</code> "
            "key), with its size on disk. "
            if python
            else "no environment named (--python PATH or the <code>python</code> key): third-party "
            "requirements count as not installed. "
        )
        + "<em>all</em> = with every extra but development ones (test, dev, "
        "docs, ...); <em>without X</em> leaves out the staging distribution X and what only X brings.</p>"
    )
    return f'<table class="footprint"><tr>{head}</tr>{"".join(body)}</table>{note}'


def _names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        try:
            names.add(str(canonicalize_name(Requirement(line).name)))
        except InvalidRequirement:
            continue
    return names


def _listing(names: set[str]) -> str:
    return escape(", ".join(sorted(names))) or "-"


def _distributions(graph: Graph, include_tests: bool) -> str:
    counts = graph.dependency_counts(include_tests=include_tests)
    modules: dict[str, int] = defaultdict(int)
    for m in graph.modules:
        if include_tests or not m.is_test:
            modules[m.distribution] += 1
    out: dict[str, int] = defaultdict(int)
    into: dict[str, int] = defaultdict(int)
    used: dict[str, set[str]] = defaultdict(set)
    for (source, target), n in counts.items():
        out[source] += n
        into[target] += n
        used[source].add(str(canonicalize_name(target)))
    rows = []
    dists: list[Distribution] = [d for d in graph.distributions if d.origin is not Origin.THIRD_PARTY]
    for d in sorted(dists, key=lambda d: (d.origin is not Origin.CORE, d.name)):
        declared = _names([*d.requires, *(r for _, reqs in d.extras for r in reqs)])
        uses = used[d.name]
        cells = [
            f"<td>{escape(d.name)}</td><td>{escape(d.origin.value)}</td>",
            f'<td class="num">{modules[d.name]}</td><td class="num">{out[d.name]}</td>',
            f'<td class="num">{into[d.name]}</td>',
            *(f"<td>{_listing(names)}</td>" for names in (declared, uses, uses - declared, declared - uses)),
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "distribution",
            "origin",
            "modules",
            "imports out",
            "imports in",
            "declared dependencies",
            "used (imported)",
            "used, not declared",
            "declared, not imported",
        )
    )
    return f'<table class="distributions"><tr>{head}</tr>{"".join(rows)}</table>'


def render_page(
    graph: Graph,
    result: CheckResult,
    drawing: Drawing,
    footprint: list[Row],
    extra: tuple[sections.Section, ...] = (),
) -> str:
    """The whole page; the same repository gives the same bytes (no dates, everything sorted)."""
    env = graph.environment.python
    from depgraph.base.catalog import TITLES  # noqa: PLC0415

    core = next((d.name for d in graph.distributions if d.origin is Origin.CORE), graph.root.name)
    errors = sum(1 for f in result.findings if f.level.value == "error")
    warnings = sum(1 for f in result.findings if f.level.value == "warn")
    status = "ok" if errors == 0 else "error"
    summary = (
        f'<p class="summary"><span class="{status}">{errors} error{"s" * (errors != 1)}</span>, '
        f"{warnings} warning{'s' * (warnings != 1)} from {len(result.checks)} checks; "
        f"{len(graph.distributions)} distributions, {len(graph.modules)} modules, {len(graph.edges)} imports"
        f"{f'; {result.suppressed} suppressed' if result.suppressed else ''}.</p>"
    )
    include_tests = graph.config.include_tests
    links = "".join(f'<a href="#{x.anchor}">{escape(x.title.lower())}</a>' for x in extra)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>depgraph report: {escape(core)}</title>"
        f"<style>{CSS}{explore.CSS}{sections.CSS}</style></head><body>\n"
        f"<h1>depgraph report: {escape(core)}</h1>{summary}\n"
        '<nav><a href="#graph">graph</a><a href="#findings">findings</a><a href="#footprint">footprint</a>'
        '<a href="#distributions">distributions</a>'
        f"{links}</nav>\n"
        f'<section id="graph"><h2>Dependency graph</h2>{explore.legend()}{explore.controls()}'
        f"{_svg(drawing)}</section>\n"
        f'<section id="findings"><h2>Findings ({len(result.findings)})</h2>'
        f"{_findings(result.findings, dict(TITLES))}</section>\n"
        f'<section id="footprint"><h2>Footprint</h2>{_footprint(footprint, env)}</section>\n'
        f'<section id="distributions"><h2>Distributions</h2>{_distributions(graph, include_tests)}'
        "</section>\n"
        f"{''.join(sections.render(x) for x in extra)}"
        f"{explore.scripts(drawing, graph, include_tests)}"
        "</body></html>\n"
    )
