"""`depgraph vendor requirements|update|verify`: the vendor/ tree of links to the staging packages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from depgraph.cli.options import PYTHON, given_python
from depgraph.discover.environment import of_config
from depgraph.discover.workspace import open_workspace
from depgraph.vendor.declarations import requirements as list_requirements
from depgraph.vendor.tree import plan
from depgraph.vendor.tree import update as update_vendor
from depgraph.vendor.tree import verify as verify_vendor

EXIT_FINDINGS = 1

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)


@click.group()
def vendor() -> None:
    """The vendor/ folder: one relative link per staging import package."""


@vendor.command()
@root_option
@click.option(
    "--extras",
    multiple=True,
    metavar="NAME",
    help="Also list these optional-dependency groups of the staging packages (repeat, or comma-separate).",
)
def requirements(root: Path | None, extras: tuple[str, ...]) -> None:
    """Print the third-party requirements of every staging package, one per line, sorted."""
    names = tuple(sorted({n.strip() for group in extras for n in group.split(",") if n.strip()}))
    for line in list_requirements(open_workspace(root), names):
        click.echo(line)


@vendor.command()
@root_option
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.pass_context
def update(ctx: click.Context, root: Path | None, dry_run: bool) -> None:
    """Create exactly the links the staging packages imply; remove stale ones; never delete real files."""
    ws = open_workspace(root)
    result = update_vendor(ws, dry_run=dry_run)
    for line in result.actions:
        click.echo(f"would have {line}" if dry_run else line)
    for line in result.refused:
        click.echo(f"{line}", err=True)
    if result.refused:
        ctx.exit(EXIT_FINDINGS)
    if not result.actions:
        click.echo(f"{ws.config.vendor}/ is up to date")


@vendor.command()
@root_option
@PYTHON
@click.pass_context
def verify(ctx: click.Context, root: Path | None) -> None:
    """Fail with one line per missing, stale, dangling, absolute or misplaced link in vendor/."""
    ws = open_workspace(root)
    python = given_python()
    config = ws.config if python is None else replace(ws.config, python=python, python_where="--python")
    problems = verify_vendor(ws, of_config(config, None))  # verify writes nothing, not even a cache
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {ws.config.vendor}/; `depgraph vendor update` fixes links")
        ctx.exit(EXIT_FINDINGS)
    links = len(plan(ws).links)
    click.echo(f"{ws.config.vendor}/ OK: {links} link(s) to {len(ws.staging)} staging package(s)")
