"""First-party distributions a repository names itself: uv workspace members and path dependencies.

A uv workspace (`[tool.uv.workspace]` `members` globs less `exclude` globs), and the path dependencies of
the root and of every distribution found so far (Poetry `{ path = ... }`, `[tool.uv.sources]` paths, PDM
`file:///${PROJECT_ROOT}/...`), name the first-party distributions, so a repository that has them needs no
list in `[tool.depgraph]`. Only folders inside the repository holding a `pyproject.toml` count.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.toml import read as read_toml
from depgraph.discover.manifest import path_dependencies


class Member(NamedTuple):
    folder: str  # relative to the repository root, POSIX
    why: str  # what names it, e.g. "[tool.uv.workspace] members 'libs/*'"


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key}: expected a list of strings")
    return list(value)


def _uv_workspace(data: Mapping[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    workspace = uv.get("workspace") if isinstance(uv, dict) else None
    return workspace if isinstance(workspace, dict) else None


def uv_member(root: Path, data: Mapping[str, Any], folder: str) -> bool:
    """Whether `folder` (relative, POSIX; "." the root's own project) is a member of the root's uv workspace,
    by its globs alone."""
    workspace = _uv_workspace(data)
    if workspace is None:
        return False
    if folder == ".":
        return True
    members = _strings(root / "pyproject.toml", "tool.uv.workspace.members", workspace.get("members", []))
    matched = any(fnmatch.fnmatchcase(folder, m.rstrip("/")) for m in members)
    return matched and uv_excluded(root, data, folder) is None


def uv_excluded(root: Path, data: Mapping[str, Any], folder: str) -> str | None:
    """The root's `[tool.uv.workspace] exclude` glob that leaves `folder` (relative, POSIX) out, or None."""
    workspace = _uv_workspace(data)
    if workspace is None:
        return None
    exclude = _strings(root / "pyproject.toml", "tool.uv.workspace.exclude", workspace.get("exclude", []))
    return next((e for e in exclude if fnmatch.fnmatchcase(folder, e.rstrip("/"))), None)


def _uv_members(root: Path, data: Mapping[str, Any]) -> list[Member]:
    workspace = _uv_workspace(data)
    if workspace is None:
        return []
    pyproject = root / "pyproject.toml"
    members = _strings(pyproject, "tool.uv.workspace.members", workspace.get("members", []))
    exclude = _strings(pyproject, "tool.uv.workspace.exclude", workspace.get("exclude", []))
    found: list[Member] = []
    for pattern in members:
        reads.globbed(pattern, root, recursive=True)
        for match in sorted(glob.glob(pattern.rstrip("/"), root_dir=root, recursive=True)):  # noqa: PTH207
            rel = Path(os.path.normpath(match)).as_posix()
            if any(fnmatch.fnmatchcase(rel, e.rstrip("/")) for e in exclude):
                continue
            reads.probed(root / rel / "pyproject.toml")
            if (root / rel / "pyproject.toml").is_file() and rel != ".":
                found.append(Member(rel, f"[tool.uv.workspace] members {pattern!r}"))
    return found


def members(
    root: Path, data: Mapping[str, Any], parsed: dict[Path, dict[str, Any]] | None = None
) -> list[Member]:
    """The first-party distribution folders named by the root's workspace and path dependencies, sorted.

    Each pyproject.toml read on the way is left in `parsed` (by path), for the caller not to read it again.
    """
    root = Path(os.path.normpath(root.absolute()))
    found: dict[str, Member] = {}
    queue: list[tuple[str, Mapping[str, Any] | None]] = [(".", data)]
    for member in _uv_members(root, data):
        found.setdefault(member.folder, member)
        queue.append((member.folder, None))
    done: set[str] = set()
    while queue:
        folder, folder_data = queue.pop(0)
        if folder in done:
            continue
        done.add(folder)
        pyproject = root / folder / "pyproject.toml"
        if folder_data is None:
            folder_data = read_toml(pyproject)
            if parsed is not None:
                parsed[pyproject] = folder_data
        for path in path_dependencies(folder_data):
            target = Path(os.path.normpath(root / folder / path))
            reads.probed(target / "pyproject.toml")
            if target == root or root not in target.parents or not (target / "pyproject.toml").is_file():
                continue
            rel = target.relative_to(root).as_posix()
            where = "pyproject.toml" if folder == "." else f"{folder}/pyproject.toml"
            if rel not in found:
                found[rel] = Member(rel, f"a path dependency in {where}")
                queue.append((rel, None))
    return sorted(found.values())
