"""The `publish` command: one-line errors, exit 0 ok, 1 some package failed or was refused, 2 bad usage."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from publish.errors import GitError, PublishError
from publish.lock import locked
from publish.preflight import preflight
from publish.report import lines, summary
from publish.rules import Rules, load_rules
from publish.runner import check_source, selected, sync_all
from publish.shard import parse_shard, shard_packages
from publish.sync import Options, PackageResult
from publish.verify import verify

EXIT_FAILED = 1
EXIT_USAGE = 2


def find_root(start: Path) -> Path:
    """The nearest folder upwards whose pyproject.toml has a [tool.publish] table."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.publish]" in pyproject.read_text(
            encoding="utf-8", errors="replace"
        ):
            return folder
    raise PublishError(f"no pyproject.toml with a [tool.publish] table in {start} or above (use --root)")


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 done, 1 a package or the rules failed, 2 bad usage or configuration,"
    " 130 interrupted.",
)
@click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), help="The monorepo (default: found upwards)."
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="monorepo-staging-tools", prog_name="publish")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, debug: bool) -> None:
    """Publish each staging package of a monorepo, with its history, to its own repository."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


def _package_option(help_text: str) -> Callable[[FC], FC]:
    """`--package/-p NAME`, repeatable, into the `packages` argument (status and sync)."""
    return click.option("--package", "-p", "packages", multiple=True, metavar="NAME", help=help_text)


def _rules(ctx: click.Context) -> Rules:

    root = ctx.obj["root"] or find_root(Path.cwd())
    return load_rules(Path(root))


@cli.command("verify-rules")
@click.pass_context
def verify_rules(ctx: click.Context) -> None:
    """Fail when the rules do not match the staging packages and their pyproject.toml."""

    rules = _rules(ctx)
    problems = verify(rules)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"publish: {len(problems)} problem(s) in the publishing rules", err=True)
        ctx.exit(EXIT_FAILED)
    click.echo(f"publish: rules ok ({len(rules.packages)} packages)")


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (a stable schema, version 1) instead of a table."
)
@_package_option("Only this package; repeatable.")
@click.pass_context
def status(ctx: click.Context, as_json: bool, packages: tuple[str, ...]) -> None:
    """Per package and branch: the destination's head, the source commit it was published from, and how many
    source commits wait. Reads only: nothing is fetched, created or pushed. Exit 1 when a destination or a
    head cannot be read, or when `sync` would refuse a branch or a tag."""
    from publish.status import ATTENTION, status, to_json, to_text  # noqa: PLC0415

    rules = _rules(ctx)
    chosen = tuple(rules.package(n) for n in packages) if packages else rules.packages
    rows = status(rules, chosen)
    click.echo(to_json(rows) if as_json else to_text(rows), nl=False)
    if any(r.state in ATTENTION for r in rows):
        ctx.exit(EXIT_FAILED)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print what would be pushed; push nothing.")
@click.option(
    "--force",
    "force",
    multiple=True,
    metavar="PACKAGE[:NAME]",
    help="Overwrite PACKAGE's destination, or only its branch or tag NAME with PACKAGE:NAME (repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Packages published in parallel.",
)
@_package_option("Publish only this package (and what it depends on); repeatable.")
@click.option(
    "--shard",
    metavar="I/N",
    default=None,
    help="Publish only shard I of N (a stable split by package name, for a CI job matrix), "
    "with the packages it depends on.",
)
@click.option("--no-smoke", is_flag=True, help="Skip the smoke tests.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal)."
)
@click.pass_context
def sync(
    ctx: click.Context,
    *,
    dry_run: bool,
    force: tuple[str, ...],
    jobs: int,
    packages: tuple[str, ...],
    shard: str | None,
    no_smoke: bool,
    progress: bool | None,
) -> None:
    """Split, check, smoke-test and push every package (or the named ones)."""

    rules = _rules(ctx)
    if shard is not None:
        if packages:
            raise click.UsageError("--shard and --package cannot be combined")
        index, count = parse_shard(shard)
        packages = shard_packages(rules, index, count)
        click.echo(f"publish: shard {index}/{count}: {', '.join(packages) or 'no package'}", err=True)
        if not packages:
            return
    chosen = selected(rules, packages)
    check_source(rules)
    checked = preflight(rules, chosen, force)
    if checked.problems:
        for problem in checked.problems:
            click.echo(f"publish: error: {problem}", err=True)
        click.echo(
            f"publish: refused: {len(checked.problems)} problem(s); nothing was created or pushed", err=True
        )
        ctx.exit(EXIT_USAGE)
    show = sys.stderr.isatty() if progress is None else progress
    options = Options(
        dry_run=dry_run, force=checked.force, smoke=not no_smoke, progress=commit_bars if show else None
    )
    scratch = None
    if dry_run and not rules.work_dir.exists():  # a dry run leaves nothing on disk: a throw-away cache
        scratch = tempfile.TemporaryDirectory(prefix="publish-dry-run-")
        rules = dataclasses.replace(rules, work_dir=Path(scratch.name) / "work")

    def done(result: PackageResult) -> None:  # as it happens; click.echo flushes each line
        for line in lines(result, dry_run):
            click.echo(line)

    with scratch or contextlib.nullcontext(), locked(rules.work_dir):
        results = sync_all(
            rules,
            packages,
            options,
            jobs=jobs,
            log=lambda m: click.echo(m, err=True),
            done=done,
            checked=True,  # check_source ran above, before the rules checks
        )
    line, failed = summary(results, dry_run)
    click.echo(line, err=failed > 0)
    if failed:
        ctx.exit(EXIT_FAILED)


def commit_bars(label: str, total: int) -> Callable[[int], None]:
    """A progress bar over the commits of one long split, on stderr."""
    # Ticked once per commit written, drawn about a hundred times (each drawing is a terminal write).
    bar: Any = click.progressbar(
        length=total, label=f"{label}: writing", file=sys.stderr, update_min_steps=max(1, total // 100)
    )
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if done >= total:
            bar.update_min_steps = 1  # draw the last commits too
        bar.update(n)
        if done >= total:
            bar.render_finish()

    return advance


def main(argv: list[str] | None = None) -> None:
    from depgraph.cli.climain import run  # noqa: PLC0415

    def code_of(exc: BaseException) -> int:
        return EXIT_FAILED if getattr(exc, "exit_code", None) == EXIT_FAILED else EXIT_USAGE

    # OSError: e.g. a work directory that cannot be created
    run(cli, "publish", argv, (PublishError, GitError, OSError), code_of)
