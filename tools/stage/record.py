"""The moves `stage apply` made, recorded in the root pyproject.toml for the later steps to read.

Each move is one `[[tool.stage.moved]]` table:

    [[tool.stage.moved]]
    old = "app.providers.foo"               # the old import path (dotted)
    new = "foo"                             # the new top-level import package
    target = "staging/foo"                  # the new distribution's folder
    shim = "app/providers/foo/__init__.py"  # the shim left at the old path
    release = "2.0"                         # the release in which the old path goes away
    finished = true                         # written by `stage finish` once the shim is gone

`stage rewrite-imports` rewrites `old` to `new`; `stage finish` removes `shim` once nothing first-party
imports `old` any more, and marks the record `finished` (kept: a rerun says "already finished", and the
record tells where the package went). `apply` reads it to say "already applied" on a rerun.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from depgraph.base import schema, toml
from stage.errors import StageError

TABLE = "tool.stage.moved"
KEYS = ("old", "new", "target", "shim", "release")
SCHEMA = {**dict.fromkeys(KEYS, schema.NONEMPTY), "finished": schema.BOOL}
# Unknown keys are let be (not `closed`); a missing key reads as one of the wrong kind.
PHRASING = schema.Phrasing(
    unknown="",
    missing="{where}: key {key!r} must be a non-empty string",
    wrong="{where}: key {key!r} must be {expected}",
)


@dataclass(frozen=True, slots=True, order=True)
class Move:
    old: str
    new: str
    target: str
    shim: str
    release: str
    finished: bool = False

    def table(self) -> dict[str, str | bool]:
        table: dict[str, str | bool] = {key: getattr(self, key) for key in KEYS}
        if self.finished:
            table["finished"] = True
        return table


def read_moves(root: Path) -> list[Move]:
    """Every recorded move of root/pyproject.toml; one line naming the file and key when one is malformed."""
    path = root / "pyproject.toml"
    data = toml.read(path, StageError)
    for key in ("tool", "tool.stage"):
        if not isinstance(toml.dotted(data, key), (dict, type(None))):
            raise StageError(f"{path}: [{key}] must be a table")
    moved = toml.dotted(data, TABLE)
    if moved is None:
        moved = []
    if not isinstance(moved, list):
        raise StageError(f"{path}: [tool.stage] moved must be an array of tables ([[tool.stage.moved]])")
    moves = []
    for index, entry in enumerate(moved, 1):
        where = f"{path}: [[tool.stage.moved]] #{index}"
        if not isinstance(entry, dict):
            raise StageError(f"{where}: must be a table")
        table = schema.Table(entry, SCHEMA, where, PHRASING, StageError)
        old, new, target, shim, release = (str(table.get(key)) for key in KEYS)
        moves.append(Move(old, new, target, shim, release, table.get("finished", False)))
    return moves


def find_move(root: Path, package: str) -> Move | None:
    """The recorded move of `package` (dotted name, or its folder as the shim's parent), if any."""
    spelled = package.strip().replace("\\", "/").strip("/")
    for move in read_moves(root):
        if spelled in (move.old, move.shim.rpartition("/")[0]):
            return move
    return None


def add_move(doc: Any, move: Move) -> None:
    """Append `move` to the tomlkit document of the root pyproject.toml."""
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    stage = tool.setdefault("stage", tomlkit.table(is_super_table=True))
    moved = stage.setdefault("moved", tomlkit.aot())
    moved.append(tomlkit.item(move.table()))


def mark_finished(doc: Any, move: Move) -> None:
    """Mark `move` finished in the tomlkit document of the root pyproject.toml."""
    for entry in doc["tool"]["stage"]["moved"]:
        if entry.get("old") == move.old:
            entry["finished"] = True
