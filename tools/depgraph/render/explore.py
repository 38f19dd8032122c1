"""What the report page adds for a reader with script on: search, focus, edge details, colours by reason.

Without script the page is whole (every section, the drawing, the legend, the findings); the script only
adds controls, and reads what it shows from a JSON block built here from the drawing (nodes, edges with
every import statement, offending first) and the graph's module names. Nothing is fetched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING, Any

from depgraph.render.draw.model import GROUP_TITLES
from depgraph.render.draw.styles import GREY, REASON_COLOURS

if TYPE_CHECKING:
    from depgraph.graph.graph import Graph
    from depgraph.render.draw.model import Drawing

CSS = """
.legend { display: flex; flex-wrap: wrap; gap: 0.4em 1.4em; margin: 0.4em 0; font-size: 0.92em; }
.legend .swatch { display: inline-block; width: 2em; height: 0.3em; vertical-align: middle;
                  margin-right: 0.4em; }
#explore[hidden] { display: none; }
#explore { display: flex; flex-wrap: wrap; gap: 0.5em 1em; align-items: center; margin: 0.5em 0; }
#explore input[type=search] { width: 22em; max-width: 100%; padding: 0.25em 0.4em; font-size: 1em; }
#dg-results { display: flex; flex-wrap: wrap; gap: 0.3em; margin: 0.3em 0; }
#dg-results button, #explore button { font: inherit; font-size: 0.9em; cursor: pointer; }
#dg-panel { border: 1px solid #d9dee7; background: #fbfcfe; padding: 0.2em 0.8em 0.6em; margin: 0.5em 0; }
#dg-panel[hidden] { display: none; }
.dg-dim { opacity: 0.12; }
.dg-picked path, .dg-picked polygon { stroke-width: 4px; }
g.dg-node, g.dg-edge { cursor: pointer; }
tr.offending td:first-child { border-left: 4px solid #d62728; }
"""

# The script: plain DOM calls, no library; every string it shows comes from the JSON block.
SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dg-data").textContent);
  var svg = document.querySelector("#graph svg");
  var bar = document.getElementById("explore");
  var panel = document.getElementById("dg-panel");
  var search = document.getElementById("dg-search");
  var results = document.getElementById("dg-results");
  var depthBox = document.getElementById("dg-depth");
  var focused = null;
  bar.hidden = false;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function svgNode(id) { return svg ? svg.getElementById("node:" + id) : null; }
  function svgEdge(e) { return svg ? svg.getElementById("edge:" + e.source + "->" + e.target) : null; }

  function neighbourhood(start, depth) {
    var seen = {}; seen[start] = 0;
    var frontier = [start];
    for (var d = 1; d <= depth && frontier.length; d++) {
      var next = [];
      data.edges.forEach(function (e) {
        [[e.source, e.target], [e.target, e.source]].forEach(function (p) {
          if (frontier.indexOf(p[0]) >= 0 && !(p[1] in seen)) { seen[p[1]] = d; next.push(p[1]); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  function showPanel(title, body) {
    panel.textContent = "";
    panel.appendChild(el("h3", title));
    body.forEach(function (b) { panel.appendChild(b); });
    panel.hidden = false;
    if (panel.scrollIntoView) panel.scrollIntoView({block: "nearest"});
  }

  function focus(name) {
    focused = name;
    var depth = parseInt(depthBox.value, 10);
    var near = neighbourhood(name, depth);
    data.nodes.forEach(function (n) {
      var g = svgNode(n.id);
      if (g) g.classList.toggle("dg-dim", !(n.id in near));
    });
    var shown = [];
    data.edges.forEach(function (e) {
      var inside = (e.source in near) && (e.target in near);
      var g = svgEdge(e);
      if (g) g.classList.toggle("dg-dim", !inside);
      if (inside) shown.push(e);
    });
    var list = el("ul");
    Object.keys(near).sort().forEach(function (n) {
      if (n === name) return;
      list.appendChild(el("li", n + " (distance " + near[n] + ")"));
    });
    var count = Object.keys(near).length - 1;
    var note = el("p", count + " distribution" + (count === 1 ? "" : "s") + " within " + depth +
      " import" + (depth === 1 ? "" : "s") + " of " + name + ", " + shown.length +
      " edge" + (shown.length === 1 ? "" : "s") + ":");
    showPanel("Focus: " + name, [note, list]);
    panel.setAttribute("data-focus", name);
  }

  function showAll() {
    focused = null;
    svg && svg.querySelectorAll(".dg-dim").forEach(function (g) { g.classList.remove("dg-dim"); });
    panel.hidden = true;
    panel.removeAttribute("data-focus");
  }

  function showEdge(e) {
    svg && svg.querySelectorAll(".dg-picked").forEach(function (g) { g.classList.remove("dg-picked"); });
    var g = svgEdge(e);
    if (g) g.classList.add("dg-picked");
    var table = el("table", undefined, "imports");
    var head = el("tr");
    ["where", "kind", "statement", "reported by"].forEach(function (h) { head.appendChild(el("th", h)); });
    table.appendChild(head);
    e.imports.forEach(function (i) {
      var tr = el("tr", undefined, i.reasons.length ? "offending" : "");
      var where = el("td"); where.appendChild(el("code", i.where)); tr.appendChild(where);
      tr.appendChild(el("td", i.kind));
      var text = el("td"); text.appendChild(el("code", i.text)); tr.appendChild(text);
      tr.appendChild(el("td", i.reasons.join(", ") || "-"));
      table.appendChild(tr);
    });
    var why = e.reasons.length ? " [" + e.reasons.join(", ") + "]" : "";
    showPanel(e.source + " \u2192 " + e.target + why,
      [el("p", e.imports.length + " import statement" + (e.imports.length === 1 ? "" : "s") +
        ", offending first:"), table]);
    panel.setAttribute("data-edge", e.source + "->" + e.target);
  }

  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.textContent = "";
    if (!q) return;
    var hits = [];
    data.nodes.forEach(function (n) {
      if (n.id.toLowerCase().indexOf(q) >= 0) hits.push([n.id, n.id, "distribution"]);
    });
    Object.keys(data.modules).sort().forEach(function (dist) {
      data.modules[dist].forEach(function (m) {
        if (m.toLowerCase().indexOf(q) >= 0) hits.push([m, dist, "module of " + dist]);
      });
    });
    hits.slice(0, 40).forEach(function (h) {
      var b = el("button", h[0]);
      b.type = "button";
      b.title = h[2];
      b.className = "dg-hit";
      b.addEventListener("click", function () { focus(h[1]); });
      results.appendChild(b);
    });
    var more = hits.length > 40 ? " (first 40 shown)" : "";
    results.appendChild(el("span", hits.length + " match" + (hits.length === 1 ? "" : "es") + more));
  }

  search.addEventListener("input", runSearch);
  depthBox.addEventListener("change", function () { if (focused) focus(focused); });
  document.getElementById("dg-all").addEventListener("click", showAll);
  data.nodes.forEach(function (n) {
    var g = svgNode(n.id);
    if (g) g.addEventListener("click", function () { focus(n.id); });
  });
  data.edges.forEach(function (e) {
    var g = svgEdge(e);
    if (g) g.addEventListener("click", function (ev) { ev.stopPropagation(); showEdge(e); });
  });
})();
"""


def legend() -> str:
    """The edge colours, as HTML (shown with or without script)."""
    items = [f'<span><span class="swatch" style="background:{GREY}"></span>import (label: statements)</span>']
    for group, title in GROUP_TITLES.items():
        swatch = f'<span class="swatch" style="background:{REASON_COLOURS[group]}"></span>'
        items.append(f"<span>{swatch}{escape(title)}</span>")
    return f'<div class="legend" id="edge-legend">{"".join(items)}</div>'


def controls() -> str:
    """The search box, depth and panel: hidden until the script shows them (useless without it)."""
    depths = "".join(f'<option value="{d}"{" selected" * (d == 1)}>{d}</option>' for d in (1, 2, 3, 4))
    return (
        '<div id="explore" hidden><label>Find a distribution or module '
        '<input type="search" id="dg-search" placeholder="name or part of it" autocomplete="off"></label>'
        f'<label>depth <select id="dg-depth">{depths}</select></label>'
        '<button type="button" id="dg-all">show all</button>'
        '<span class="hint">click a distribution to focus it, an edge to list its imports</span></div>'
        '<div id="dg-results"></div><aside id="dg-panel" hidden></aside>'
    )


def data(drawing: Drawing, graph: Graph, include_tests: bool) -> dict[str, Any]:
    modules: dict[str, list[str]] = defaultdict(list)
    shown = {n.id for n in drawing.nodes}
    for m in graph.modules:
        if m.distribution in shown and (include_tests or not m.is_test):
            modules[m.distribution].append(m.name)
    return {
        "nodes": [{"id": n.id, "kind": n.kind} for n in drawing.nodes],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "reasons": list(e.reasons),
                "group": e.group,
                "imports": [
                    {"where": i.where, "kind": i.kind, "text": i.text, "reasons": list(i.reasons)}
                    for i in e.imports
                ],
            }
            for e in drawing.edges
        ],
        "modules": {d: sorted(set(names)) for d, names in sorted(modules.items())},
    }


def scripts(drawing: Drawing, graph: Graph, include_tests: bool) -> str:
    """The JSON block and the script, for the end of the page (`<` escaped so no text can close the tag)."""
    blob = json.dumps(data(drawing, graph, include_tests), sort_keys=True, separators=(",", ":"))
    blob = blob.replace("<", "\\u003c")
    return f'<script type="application/json" id="dg-data">{blob}</script>\n<script>{SCRIPT}</script>\n'
