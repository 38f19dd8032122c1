"""`--python PATH`, shared by every command that builds the graph."""

from __future__ import annotations

from dataclasses import replace

import click

from depgraph.discover.config import Config

_KEY = "depgraph.python"


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


def with_python(config: Config) -> Config:
    """The configuration with `--python` of the running command, when given, in place of the `python` key."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_KEY) if ctx is not None else None
    return config if value is None else replace(config, python=value, python_where="--python")
