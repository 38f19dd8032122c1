"""The uv workspace of the root (`[tool.uv.workspace]`): its members are exactly the staging packages.

A repository that declares a uv workspace gets it checked by `depgraph vendor verify` (one line per staging
folder missing from `members`, and per member that is not a staging package) and fixed by `depgraph vendor
update`, which rewrites only the `members` array with tomlkit and keeps every other byte of pyproject.toml.
A repository without `[tool.uv.workspace]` is not asked to have one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomlkit

from depgraph.base import toml
from depgraph.base.errors import DepgraphError
from depgraph.discover.workspace import Workspace

_MEMBERS_LINE = re.compile(r"^\s*members\s*=", re.MULTILINE)
_TABLE_LINE = re.compile(r"^\s*\[tool\.uv\.workspace\]\s*$", re.MULTILINE)


def _uv_workspace(data: dict[str, Any]) -> dict[str, Any] | None:
    table = data.get("tool", {}).get("uv", {}).get("workspace")
    return table if isinstance(table, dict) else None


def _where(text: str) -> str:
    """pyproject.toml:LINE of the members key of [tool.uv.workspace] (or of the table)."""
    table = _TABLE_LINE.search(text)
    if table is None:
        return "pyproject.toml"
    members = _MEMBERS_LINE.search(text, table.end())
    at = members.start() if members else table.start()
    return f"pyproject.toml:{text.count(chr(10), 0, at) + 1}"


def _expand(root: Path, patterns: list[str]) -> set[str]:
    """Workspace member globs, as folders holding a pyproject.toml, relative to the root (POSIX)."""
    found: set[str] = set()
    for pattern in patterns:
        for path in root.glob(pattern.rstrip("/")):
            if (path / "pyproject.toml").is_file():
                found.add(path.relative_to(root).as_posix())
    return found


def _read(ws: Workspace) -> tuple[str, dict[str, Any]]:
    path = ws.root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    try:
        return text, toml.parse(text)
    except toml.TOMLDecodeError as exc:
        raise DepgraphError(f"{path}: invalid TOML: {exc}") from None


def _members(ws: Workspace, table: dict[str, Any]) -> tuple[list[str], set[str]]:
    members = table.get("members", [])
    exclude = table.get("exclude", [])
    if not isinstance(members, list) or not all(isinstance(m, str) for m in [*members, *exclude]):
        raise DepgraphError("pyproject.toml: [tool.uv.workspace] members and exclude must be lists of paths")
    return members, _expand(ws.root, members) - _expand(ws.root, exclude)


def verify(ws: Workspace) -> list[str]:
    """One line per disagreement between the workspace members and the staging folders."""
    text, data = _read(ws)
    table = _uv_workspace(data)
    if table is None:
        return []
    where = _where(text)
    _, members = _members(ws, table)
    staging = {d.root for d in ws.staging}
    problems = [
        f"{where}: [tool.uv.workspace] members leave out staging package {folder}"
        for folder in staging - members
    ]
    problems += [
        f"{where}: [tool.uv.workspace] member {folder} is not a staging package"
        for folder in members - staging
    ]
    return sorted(problems)


def update(ws: Workspace, *, dry_run: bool = False) -> list[str]:
    """Make the members list the staging folders (sorted); say what changed. Nothing else is rewritten."""
    text, data = _read(ws)
    table = _uv_workspace(data)
    if table is None or not verify(ws):
        return []
    wanted = sorted(d.root for d in ws.staging)
    if not dry_run:
        doc = tomlkit.parse(text)
        members = tomlkit.array()
        members.extend(wanted)
        members.multiline(True)
        doc["tool"]["uv"]["workspace"]["members"] = members  # type: ignore[index, unused-ignore]
        (ws.root / "pyproject.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    return [f"set pyproject.toml [tool.uv.workspace] members = {', '.join(wanted)}"]
