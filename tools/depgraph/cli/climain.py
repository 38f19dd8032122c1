"""Running a click group as a command that scripts can rely on: one line per error, exit 0/1/2/130.

Shared by `depgraph` and `publish`: the user's mistakes (the errors each names) print one line and exit
with the code `code_of` gives them (2 by default); `--debug` shows their traceback instead. Click's own
usage errors exit 2, Ctrl-C exits 130, and a command's return value (or `ctx.exit(n)`) is the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def run(
    group: click.Group,
    prog: str,
    argv: Sequence[str] | None,
    errors: tuple[type[BaseException], ...],
    code_of: Callable[[BaseException], int] = lambda _: EXIT_USAGE,
) -> NoReturn:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        rv: Any = group.main(
            args=list(argv) if argv is not None else None, prog_name=prog, standalone_mode=False
        )
        sys.exit(rv if isinstance(rv, int) else 0)
    except errors as exc:
        if debug:
            raise
        click.echo(f"{prog}: error: {exc}", err=True)
        sys.exit(code_of(exc))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        click.echo(f"{prog}: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
