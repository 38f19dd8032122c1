"""`depgraph init`: a starting `[tool.depgraph]` for an existing repository, from what it discovers.

The table is appended to the root `pyproject.toml` (created when there is none), every other byte kept;
a repository that already has the table is left alone. What was found, and why, is returned line by line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import tomlkit

from depgraph.base import toml
from depgraph.base.errors import ConfigError
from depgraph.base.toml import read as read_toml
from depgraph.discover.config import TABLE
from depgraph.discover.discover import members, uv_excluded
from depgraph.discover.layout import find_layout
from depgraph.discover.manifest import is_package, read_manifest

# Folders never searched for distributions: environments, build output, caches, test fixtures.
_SKIPPED = frozenset(
    {"node_modules", "venv", "build", "dist", "site-packages", "__pycache__", "tests", "test", "fixtures"}
)


class Plan(NamedTuple):
    found: tuple[str, ...]  # what was found and why, one line each
    text: str | None  # the new pyproject.toml text; None when nothing changes


def _name(folder: Path, rel: str) -> str | None:
    try:
        data = read_toml(folder / "pyproject.toml")
        return read_manifest(folder / "pyproject.toml", rel, data).name
    except ConfigError:
        return None


def _problem(folder: Path, rel: str) -> str | None:
    """Why the distribution in `folder` cannot be checked as it is (one line), or None."""
    try:
        data = read_toml(folder / "pyproject.toml")
        read_manifest(folder / "pyproject.toml", rel, data)
        find_layout(folder, folder / "pyproject.toml", data)
    except ConfigError as exc:
        return str(exc)
    return None


def _search(root: Path, found_lines: list[str]) -> list[str]:
    """Folders below the root whose pyproject.toml names a distribution (POSIX, relative, sorted)."""
    found: list[str] = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
        rel = Path(here).relative_to(root).as_posix()
        if rel == "." or "pyproject.toml" not in files:
            continue
        problem = _problem(Path(here), f"{rel}/pyproject.toml")
        if problem is None:
            found.append(rel)
        else:
            found_lines.append(f"skipped: {rel} ({problem.removeprefix(str(root) + '/')})")
    return sorted(found)


def _globs(root: Path, folders: list[str]) -> list[str]:
    """`parent/*` where every subfolder of a parent is one of `folders` (and there are two or more)."""
    by_parent: dict[str, list[str]] = {}
    for folder in folders:
        by_parent.setdefault(Path(folder).parent.as_posix(), []).append(folder)
    result: list[str] = []
    for parent, children in sorted(by_parent.items()):
        subfolders = {
            f"{parent}/{e.name}" if parent != "." else e.name
            for e in os.scandir(root / parent)
            if e.is_dir() and not e.name.startswith(".") and e.name != "__pycache__"
        }
        if parent != "." and len(children) >= 2 and subfolders == set(children):
            result.append(f"{parent}/*")
        else:
            result += children
    return sorted(result)


def plan(root: Path) -> Plan:
    """What `depgraph init` finds under `root` and the pyproject.toml text it would write."""
    root = Path(os.path.normpath(root.absolute()))
    pyproject = root / "pyproject.toml"
    text = pyproject.read_bytes().decode("utf-8") if pyproject.is_file() else ""  # newlines as they are
    data = read_toml(pyproject) if text else {}
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("depgraph"), dict):
        return Plan((f"{pyproject}: [{TABLE}] is already there: nothing changed",), None)
    found: list[str] = []
    name = _name(root, "pyproject.toml") if text else None
    if name and is_package(data):
        found.append(f"core: {name} (the root pyproject.toml is a distribution)")
    elif name:
        found.append(f"no core: the root project {name!r} is not a package (package-mode/package = false)")
    else:
        found.append("no core: the root has no pyproject.toml naming a distribution")
    named = members(root, data)
    for member in named:
        found.append(f"first-party: {member.folder} ({member.why}; found on every run, not listed)")
    covered = {m.folder for m in named}
    skipped: list[str] = []
    others = []
    for folder in _search(root, skipped):
        if folder in covered:
            continue
        excluded = uv_excluded(root, data, folder)
        if excluded is None:
            others.append(folder)
        else:  # the workspace says it is none of its members: not written down, said why
            skipped.append(
                f"skipped: {folder} ([tool.uv.workspace] exclude {excluded!r}; "
                "add it to `distributions` to check it all the same)"
            )
    for folder in others:
        found.append(
            f"first-party: {folder} (a pyproject.toml naming a distribution; listed in `distributions`)"
        )
    found += skipped
    table = tomlkit.table()
    table.add(tomlkit.comment("Written by `depgraph init`; every key is described in depgraph's README."))
    if named:
        table.add(tomlkit.comment("The workspace and path dependencies name the other distributions."))
    if others:
        array = tomlkit.array()
        array.extend(_globs(root, others))
        array.multiline(True)
        table["distributions"] = array
    snippet = tomlkit.document()
    super_table = tomlkit.table(is_super_table=True)
    super_table["depgraph"] = table
    snippet["tool"] = super_table
    addition = tomlkit.dumps(snippet)
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf > text.count("\n") - crlf else "\n"  # the file's most common line ending
    new = text + (newline if text and not text.endswith("\n") else "") + (newline if text else "")
    new += addition.replace("\n", newline)
    try:
        parsed = toml.parse(new)
    except toml.TOMLDecodeError:
        parsed = {}
    if not isinstance(parsed.get("tool"), dict) or TABLE.split(".")[1] not in parsed["tool"]:
        # `tool = { ... }` is an inline table, closed where it stands: add `depgraph = { ... }` inside it
        document = tomlkit.parse(text)
        inline = tomlkit.inline_table()
        if others:
            inline["distributions"] = _globs(root, others)
        try:
            document["tool"]["depgraph"] = inline
            new = tomlkit.dumps(document)
            parsed = toml.parse(new)
        except (KeyError, TypeError, ValueError, toml.TOMLDecodeError):
            raise ConfigError(
                f"{pyproject}: tool: cannot add a [{TABLE}] table to it; add one by hand"
            ) from None
    return Plan(tuple(found), new)
