"""The `stage` command: exit 0 clean plan, 1 blockers remain, 2 bad usage (one line), 130 interrupted."""

from __future__ import annotations

from pathlib import Path

import click

from depgraph.base.errors import DepgraphError
from stage.errors import StageError

EXIT_BLOCKED = 1


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 clean, 1 blockers remain, 2 bad usage or configuration, 130 interrupted.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="monorepo-staging-tools", prog_name="stage")
def cli(debug: bool) -> None:
    """Move an in-tree package of the core out to its own staging distribution, in reviewable steps."""


@cli.command()
@click.argument("package")
@click.option("--to", "target", required=True, metavar="staging/NAME", help="Where the package goes.")
@click.option(
    "--import-name", metavar="NAME", help="Its top-level import package there (default: NAME, - as _)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)
@click.option("--no-cache", is_flag=True, help="Build depgraph's graph without its cache.")
def plan(  # noqa: PLR0917 - the options of `plan`
    package: str, target: str, import_name: str | None, fmt: str, root: Path | None, no_cache: bool
) -> int:
    """What ties PACKAGE (a folder such as mycore/providers/foo, or its dotted name) to the core.

    Lists the imports from it into the rest of the core (they block the move), the imports of it (the
    shim keeps them working), the requirements its code uses, its tests and the core modules that would
    have to move along. Exit 1 while blockers remain.
    """
    from depgraph.discover.config import find_root, load_config  # noqa: PLC0415 - lazy: start-up time
    from depgraph.graph.graph import build_graph  # noqa: PLC0415
    from stage.plan import make_plan  # noqa: PLC0415
    from stage.render import to_json, to_text  # noqa: PLC0415

    where = root.resolve() if root else find_root()
    graph = build_graph(where, load_config(where), use_cache=not no_cache)
    result = make_plan(graph, package, target, import_name)
    click.echo(to_json(result) if fmt == "json" else to_text(result), nl=False)
    return 0 if result.clean else EXIT_BLOCKED


@cli.command()
@click.argument("package")
@click.option("--to", "target", required=True, metavar="staging/NAME", help="Where the package goes.")
@click.option("--import-name", metavar="NAME", help="Its top-level import package there.")
@click.option("--release", required=True, help="The release in which the old import path goes away.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)
def apply(package: str, target: str, import_name: str | None, release: str, root: Path | None) -> int:
    """Move PACKAGE to staging/NAME, leaving a shim at its old path that warns until --release.

    Refuses unless the plan and the work tree are clean; stages the whole move in git for review. A rerun
    after a complete apply says so and exits 0.
    """
    from depgraph.discover.config import find_root, load_config  # noqa: PLC0415
    from depgraph.graph.graph import build_graph  # noqa: PLC0415
    from stage.apply import apply as run_apply  # noqa: PLC0415
    from stage.apply import earlier  # noqa: PLC0415
    from stage.plan import make_plan  # noqa: PLC0415

    where = root.resolve() if root else find_root()
    done = earlier(where, package)
    if done is not None:
        click.echo(f"stage: {done.old} is already applied ({done.target}); next: stage rewrite-imports")
        return 0
    graph = build_graph(where, load_config(where), use_cache=False)
    result = make_plan(graph, package, target, import_name)
    run_apply(where, graph, result, release, lambda line: click.echo(f"stage: {line}"))
    return 0


_ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)


@cli.command("rewrite-imports")
@click.argument("package", required=False)
@click.option("--dry-run", is_flag=True, help="Print the unified diff; change nothing.")
@_ROOT
def rewrite_imports(package: str | None, dry_run: bool, root: Path | None) -> int:
    """Rewrite every first-party import of PACKAGE's old path to its new one (the move apply recorded).

    PACKAGE (old dotted name or folder) may be left out when one move is recorded. Python files keep
    their formatting and comments (libcst); entry points in pyproject.toml files are retargeted too.
    Refuses on a dirty work tree. The changes are staged in git for review.
    """
    from depgraph.discover.config import find_root  # noqa: PLC0415
    from stage.rewrite import plan_rewrite, write  # noqa: PLC0415

    where = root.resolve() if root else find_root()
    result = plan_rewrite(where, package)
    old, new = result.move.old, result.move.new
    if not result.changes:
        click.echo(
            f"stage: nothing to rewrite: no first-party file imports {old} any more; next: stage finish"
        )
        return 0
    if dry_run:
        for change in result.changes:
            click.echo(change.diff(), nl=False)
        click.echo(
            f"stage: dry run: {result.count} imports of {old} in {len(result.changes)} files would import "
            f"{new}; nothing written"
        )
        return 0
    write(where, result, lambda line: click.echo(f"stage: {line}"))
    click.echo(
        f"stage: rewrote {result.count} imports of {old} to {new} in {len(result.changes)} files; staged in "
        "git: review with `git diff --cached`, commit, then: stage finish"
    )
    return 0


@cli.command()
@click.argument("package", required=False)
@_ROOT
def finish(package: str | None, root: Path | None) -> int:
    """Remove the shim at PACKAGE's old path once nothing first-party imports it any more.

    PACKAGE (old dotted name or folder) may be left out when one move is recorded. Exit 1, listing each
    remaining import (file:line), while any is left; `stage rewrite-imports` rewrites them. The changes
    are staged in git for review.
    """
    from depgraph.discover.config import find_root  # noqa: PLC0415
    from stage.finish import finish as run_finish  # noqa: PLC0415
    from stage.rewrite import recorded_move  # noqa: PLC0415

    where = root.resolve() if root else find_root()
    move = recorded_move(where, package)
    if move.finished:
        click.echo(f"stage: {move.old} is already finished ({move.new}, {move.target})")
        return 0
    left = run_finish(where, move, lambda line: click.echo(f"stage: {line}"))
    for one in left:
        click.echo(f"{one.path}:{one.line}: {one.text}")
    if left:
        click.echo(
            f"stage: {len(left)} first-party imports of {move.old} remain; run `stage rewrite-imports` first"
        )
        return EXIT_BLOCKED
    click.echo(
        f"stage: {move.old} is gone; import {move.new}. Staged in git: review with `git diff --cached`"
    )
    return 0


def main(argv: list[str] | None = None) -> None:
    from depgraph.cli.climain import run  # noqa: PLC0415

    run(cli, "stage", argv, (StageError, DepgraphError))
