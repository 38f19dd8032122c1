"""`depgraph init`: write a starting [tool.depgraph] table for an existing repository."""

from __future__ import annotations

from pathlib import Path

import click

from depgraph.discover.initconfig import plan


@click.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the current folder",
    help="The repository root, where pyproject.toml is (or will be).",
)
def init(root: Path) -> None:
    """Write a starting [tool.depgraph] into the root pyproject.toml, from what the repository declares.

    Prints what it found and why; changes nothing when the table is already there.
    """
    if not root.is_dir():
        raise click.UsageError(f"{root}: --root: no such folder")
    result = plan(root)
    for line in result.found:
        click.echo(line)
    if result.text is None:
        return
    target = root / "pyproject.toml"
    existed = target.is_file()
    target.write_bytes(result.text.encode("utf-8"))
    click.echo(f"{'updated' if existed else 'created'} {target}: [tool.depgraph] added; next: depgraph check")
