"""`depgraph check` and `depgraph baseline`: build the graph, run the checks, report, exit 0/1/2."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from depgraph.cli.options import JOBS, NO_CACHE, PYTHON, ROOT


def _use_color(choice: bool | None, fmt: str, output: Path | None) -> bool:
    if fmt != "text" or output is not None:
        return False
    if choice is not None:
        return choice
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command()
@ROOT
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
@NO_CACHE
@JOBS
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
    from depgraph.base.catalog import BY_ID  # noqa: PLC0415
    from depgraph.base.errors import DepgraphError  # noqa: PLC0415
    from depgraph.checks import api  # noqa: PLC0415
    from depgraph.cli.options import given_python  # noqa: PLC0415
    from depgraph.discover.config import find_config  # noqa: PLC0415
    from depgraph.render.report import Report, render, summary_line  # noqa: PLC0415

    unknown = api.unknown_checks(only)
    if unknown:
        raise click.BadParameter(
            f"unknown check {unknown[0]!r} (known: {', '.join(sorted(BY_ID))})", param_hint="--only"
        )
    config = find_config(root, given_python())
    done = api.check(
        config,
        use_cache=not no_cache,
        jobs=jobs,
        only=only,
        baseline=baseline_path,
        use_baseline=not no_baseline,
    )
    report = Report(
        findings=done.findings,
        checks=done.result.checks,
        distributions=done.counts.distributions,
        modules=done.counts.modules,
        imports=done.counts.imports,
        suppressed=done.result.suppressed,
        baselined=done.baselined,
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
@ROOT
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the `baseline` key of [tool.depgraph]).",
)
@PYTHON
@NO_CACHE
@JOBS
def baseline(root: Path | None, baseline_path: Path | None, no_cache: bool, jobs: int | None) -> None:
    """Record today's findings (errors and warnings) so that `check` fails only on new ones."""
    from depgraph.checks import api  # noqa: PLC0415
    from depgraph.cli.options import given_python  # noqa: PLC0415
    from depgraph.discover.config import find_config  # noqa: PLC0415

    config = find_config(root, given_python())
    path, count = api.write_baseline(config, baseline_path, use_cache=not no_cache, jobs=jobs)
    click.echo(f"depgraph: wrote {count} finding{'s' * (count != 1)} to {path}")
