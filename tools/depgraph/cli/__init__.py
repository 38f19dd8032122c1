"""The `depgraph` command. Subcommands live in their own modules and are imported only when run."""

from __future__ import annotations

import importlib

import click

from depgraph.base.errors import DepgraphError

# name -> "module:attribute" of a click command; imported lazily to keep start-up fast.
COMMANDS: dict[str, str] = {
    "vendor": "depgraph.cli.cmd_vendor:vendor",
    "check": "depgraph.cli.cmd_check:check",
    "init": "depgraph.cli.cmd_init:init",
    "baseline": "depgraph.cli.cmd_check:baseline",
    "graph": "depgraph.cli.cmd_graph:graph",
    "footprint": "depgraph.cli.cmd_graph:footprint",
    "report": "depgraph.cli.cmd_graph:report",
    "stats": "depgraph.cli.cmd_stats:stats",
    "imports": "depgraph.cli.cmd_stats:imports",
}

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        command: click.Command = getattr(module, attr)
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 clean, 1 findings at error level, 2 bad usage or configuration, 130 interrupted.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="monorepo-staging-tools", prog_name="depgraph")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """The import graph of a Python monorepo, and the checks that keep its staging model honest."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit 0 clean, 1 findings, 2 bad usage or configuration, 130 interrupted.

    Commands report findings by ``ctx.exit(EXIT_FINDINGS)``.
    """
    from depgraph.cli.climain import run  # noqa: PLC0415

    run(cli, "depgraph", argv, (DepgraphError,))
