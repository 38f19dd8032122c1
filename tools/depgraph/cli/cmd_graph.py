"""`depgraph graph`, `depgraph footprint` and `depgraph report`: drawings, the cost table and the report page.

None of them fails on findings (that is `depgraph check`'s job): exit 0, or 2 for bad usage/configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from depgraph.base.errors import DepgraphError
from depgraph.cli.options import NO_CACHE, PYTHON, ROOT

if TYPE_CHECKING:
    from depgraph.checks import CheckResult
    from depgraph.discover.config import Config
    from depgraph.graph.graph import Graph

FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "json")
CROWDED = 150  # module nodes from which `graph` suggests --collapse

_THIRD_PARTY = click.option(
    "--third-party", is_flag=True, help="Also draw the third-party distributions the repository imports."
)


def _load(root: Path | None, no_cache: bool) -> tuple[Config, Graph, CheckResult]:
    from depgraph.checks import api  # noqa: PLC0415 - lazy: start-up time
    from depgraph.cli.options import given_python  # noqa: PLC0415
    from depgraph.discover.config import find_config  # noqa: PLC0415

    config = find_config(root, given_python())
    graph, result = api.collect(config, use_cache=not no_cache, syntax=False)
    return config, graph, result


def _write(output: str, data: bytes, what: str) -> None:
    if output in ("", "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise DepgraphError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    click.echo(f"depgraph: wrote {path}", err=True)


@click.command()
@ROOT
@click.option(
    "--output", "-o", default="-", show_default=True, help="Output file; `-` prints (text formats only)."
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the output's suffix; DOT on stdout).",
)
@click.option(
    "--focus",
    metavar="NAME",
    help="Draw modules: this module, package or distribution (all its modules) and their neighbours.",
)
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Import steps from the focus."
)
@click.option("--reverse", is_flag=True, help="With --focus: follow importers (who depends on it).")
@click.option(
    "--collapse",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --focus: draw each module as its package of N dotted segments (a.b.c.d -> a.b for N=2).",
)
@_THIRD_PARTY
@PYTHON
@NO_CACHE
def graph(  # noqa: PLR0917 - one parameter per click option
    root: Path | None,
    output: str,
    fmt: str | None,
    focus: str | None,
    depth: int,
    reverse: bool,
    collapse: int | None,
    third_party: bool,
    no_cache: bool,
) -> None:
    """Draw the dependency graph: distributions by default, modules around --focus."""
    from depgraph.render.draw.build import make_drawing  # noqa: PLC0415
    from depgraph.render.draw.render import IMAGE_FORMATS, format_for, render  # noqa: PLC0415

    chosen = format_for(output, fmt)
    if chosen in IMAGE_FORMATS and output in ("", "-"):
        raise DepgraphError(f"format {chosen} is an image: write it to a file with -o FILE.{chosen}")
    if focus is None and (reverse or collapse is not None):
        raise DepgraphError("--reverse and --collapse draw modules: use them with --focus")
    config, g, result = _load(root, no_cache)
    drawing = make_drawing(
        g, result.findings, config.include_tests, focus, depth, reverse, collapse, third_party
    )
    if drawing.level == "module" and collapse is None and len(drawing.nodes) > CROWDED:
        click.echo(
            f"depgraph: {len(drawing.nodes)} modules drawn; `--collapse 2` (or 3) draws one node per package",
            err=True,
        )
    _write(output, render(drawing, chosen), "graph")


@click.command()
@ROOT
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--distribution",
    "-d",
    "only",
    multiple=True,
    metavar="NAME",
    help="Only this distribution (repeatable).",
)
@PYTHON
@NO_CACHE
def footprint(root: Path | None, fmt: str, only: tuple[str, ...], no_cache: bool) -> None:
    """What each distribution costs: import and installed closures, with and without staging packages."""
    from depgraph.cli.options import given_python  # noqa: PLC0415
    from depgraph.discover.config import find_config  # noqa: PLC0415
    from depgraph.graph.graph import build_graph  # noqa: PLC0415
    from depgraph.render.footprint import compute, to_json, to_text  # noqa: PLC0415

    config = find_config(root, given_python())
    g = build_graph(config.root, config, use_cache=not no_cache)
    rows = compute(g, only=only)
    text = to_text(rows, g.environment.python) if fmt == "text" else to_json(rows)
    click.echo(text, nl=False)


@click.command()
@ROOT
@click.option(
    "--output",
    "-o",
    default="_output/depgraph-report.html",
    show_default=True,
    help="The HTML file to write.",
)
@click.option(
    "--section",
    "section_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Add a table another tool wrote as JSON (title, columns, rows: depgraph/render/sections.py);"
    " repeatable.",
)
@_THIRD_PARTY
@PYTHON
@NO_CACHE
def report(
    root: Path | None, output: str, section_files: tuple[Path, ...], third_party: bool, no_cache: bool
) -> None:
    """Write one self-contained HTML page: graph, findings by check, footprint, per-distribution figures."""
    from depgraph.render.draw.build import make_drawing  # noqa: PLC0415
    from depgraph.render.footprint import compute  # noqa: PLC0415
    from depgraph.render.html import render_page  # noqa: PLC0415
    from depgraph.render.sections import load_section  # noqa: PLC0415

    extra = tuple(load_section(p) for p in section_files)  # refused before the graph is built
    config, g, result = _load(root, no_cache)
    drawing = make_drawing(g, result.findings, config.include_tests, third_party=third_party)
    page = render_page(g, result, drawing, compute(g), extra)
    _write(output, page.encode("utf-8"), "report")
