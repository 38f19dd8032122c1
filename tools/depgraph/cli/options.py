"""Options shared by the commands that build the graph: `--root`, `--python`, `--no-cache`, `--jobs`."""

from __future__ import annotations

from pathlib import Path

import click

_KEY = "depgraph.python"

ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)
NO_CACHE = click.option(
    "--no-cache", is_flag=True, help="Parse every file again; neither read nor write the cache."
)
JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Extraction processes (default: automatic).",
)


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_KEY] = value


PYTHON = click.option(
    "--python",
    metavar="PATH",
    expose_value=False,
    callback=_remember,
    help="The repository's Python (interpreter or virtual environment folder): third-party imports are "
    "owned as its installed distributions say (overrides the `python` key; default: the static mapping).",
)


def given_python() -> str | None:
    """`--python` of the running command, when given."""
    ctx = click.get_current_context(silent=True)
    value: str | None = ctx.meta.get(_KEY) if ctx is not None else None
    return value
