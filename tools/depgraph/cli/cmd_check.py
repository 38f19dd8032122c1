"""`depgraph check` and `depgraph baseline`: build the graph, run the checks, report, exit 0/1/2."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from depgraph.base.model import Level
from depgraph.cli.options import PYTHON

if TYPE_CHECKING:
    from depgraph.checks import CheckResult
    from depgraph.checks.base import GraphLike
    from depgraph.discover.config import Config
    from depgraph.graph.graph import Graph

_ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)
_JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Extraction processes (default: automatic).",
)
_NO_CACHE = click.option(
    "--no-cache", is_flag=True, help="Parse every file again; neither read nor write the cache."
)


def _collect(
    root: Path | None, no_cache: bool, jobs: int | None, only: tuple[str, ...] = ()
) -> tuple[Config, GraphLike, CheckResult]:
    """Config, graph and check results for one repository (imports kept lazy for start-up time)."""
    from depgraph.checks import run_checks  # noqa: PLC0415
    from depgraph.cli.options import with_python  # noqa: PLC0415
    from depgraph.discover.config import find_root, load_config  # noqa: PLC0415
    from depgraph.graph.graph import build_graph  # noqa: PLC0415

    where = root.resolve() if root else find_root()
    config = with_python(load_config(where))
    graph = build_graph(where, config, use_cache=not no_cache, jobs=jobs)
    if config.full_syntax_check and (not only or "parse-error" in only):
        graph = _with_syntax_errors(graph, config, no_cache, jobs)
    return config, graph, run_checks(graph, config, only=only)


def _with_syntax_errors(graph: Graph, config: Config, no_cache: bool, jobs: int | None) -> Graph:
    """The graph with a `parse-error` finding for every file that does not compile (the scanner only
    sees the syntax errors near imports); a file the build already found unreadable keeps its finding."""
    from dataclasses import replace  # noqa: PLC0415

    from depgraph.extract import syntax  # noqa: PLC0415
    from depgraph.graph.graph import PARSE_ERROR, parse_error  # noqa: PLC0415

    if config.level(PARSE_ERROR) is Level.OFF:
        return graph
    known = {f.path for f in graph.findings if f.check == PARSE_ERROR}
    paths = [m.path for m in graph.modules if m.path not in known]
    found = syntax.errors(
        graph.root, paths, graph.digests, cache_dir=None if no_cache else config.cache_path, jobs=jobs
    )
    if not found:
        return graph
    level = config.level(PARSE_ERROR)
    added = [parse_error(path, error, level, "syntax error") for path, error in found.items()]
    return replace(graph, findings=tuple(sorted((*graph.findings, *added))))


def _use_color(choice: bool | None, fmt: str, output: Path | None) -> bool:
    if fmt != "text" or output is not None:
        return False
    if choice is not None:
        return choice
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command()
@_ROOT
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE; only the summary line goes to stdout.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file (default: the `baseline` key, used when the file exists).",
)
@click.option("--no-baseline", is_flag=True, help="Report every finding, ignoring the baseline.")
@click.option(
    "--only",
    multiple=True,
    metavar="CHECK",
    help="Run only this check (repeatable); levels still come from the configuration.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: when stdout is a terminal)."
)
@PYTHON
@_NO_CACHE
@_JOBS
@click.pass_context
def check(  # noqa: PLR0917 - one parameter per click option
    ctx: click.Context,
    root: Path | None,
    fmt: str,
    output: Path | None,
    baseline_path: Path | None,
    no_baseline: bool,
    only: tuple[str, ...],
    color: bool | None,
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Check the import graph; exit 1 when a finding is at error level (0 clean or warnings only)."""
    from depgraph.base.errors import DepgraphError  # noqa: PLC0415
    from depgraph.checks import TITLES  # noqa: PLC0415
    from depgraph.checks import baseline as bl  # noqa: PLC0415
    from depgraph.render.report import Report, render, summary_line  # noqa: PLC0415

    unknown = sorted(set(only) - set(TITLES))
    if unknown:
        raise click.BadParameter(
            f"unknown check {unknown[0]!r} (known: {', '.join(sorted(TITLES))})", param_hint="--only"
        )
    config, graph, result = _collect(root, no_cache, jobs, only)
    findings, baselined = result.findings, 0
    if not no_baseline:
        path = baseline_path or config.baseline_path
        if baseline_path is not None or path.is_file():
            applied = bl.apply(findings, bl.load(path), config.level(bl.STALE))
            findings, baselined = applied.findings, applied.baselined
    report = Report(
        findings=findings,
        checks=result.checks,
        distributions=len(graph.distributions),
        modules=len(graph.modules),
        imports=len(graph.edges),
        suppressed=result.suppressed,
        baselined=baselined,
    )
    text = render(fmt, report, color=_use_color(color, fmt, output))
    if output is None:
        click.echo(text, nl=False, color=_use_color(color, fmt, output))
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DepgraphError(f"{output}: cannot write the report: {exc.strerror}") from None
        click.echo(summary_line(report))
    if report.errors:
        ctx.exit(1)


@click.command()
@_ROOT
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the `baseline` key of [tool.depgraph]).",
)
@PYTHON
@_NO_CACHE
@_JOBS
def baseline(root: Path | None, baseline_path: Path | None, no_cache: bool, jobs: int | None) -> None:
    """Record today's findings (errors and warnings) so that `check` fails only on new ones."""
    from depgraph.checks import baseline as bl  # noqa: PLC0415

    config, _graph, result = _collect(root, no_cache, jobs)
    path = baseline_path or config.baseline_path
    count = bl.write(path, [f for f in result.findings if f.level is not Level.OFF])
    click.echo(f"depgraph: wrote {count} finding{'s' * (count != 1)} to {path}")
