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


def main(argv: list[str] | None = None) -> None:
    from depgraph.cli.climain import run  # noqa: PLC0415

    run(cli, "stage", argv, (StageError, DepgraphError))
