"""Where a distribution keeps its import packages: read from its build backend's configuration, else guessed.

Explicit configuration wins: setuptools (`packages`, `packages.find`, `py-modules`, `package-dir`), hatch
(`tool.hatch.build.targets.wheel.packages`), poetry (`tool.poetry.packages`), flit (`tool.flit.module`),
pdm (`tool.pdm.build.package-dir`). Without it: a `src/` folder means the src layout, else the flat layout.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from depgraph.errors import ConfigError


class Layout(NamedTuple):
    source_roots: tuple[str, ...]  # absolute, normalised
    names: tuple[str, ...] | None  # explicit top-level import names, else None (discover them)
    include: tuple[str, ...] = ()  # setuptools packages.find include/exclude patterns
    exclude: tuple[str, ...] = ()
    flat: bool = False  # the distribution folder itself is the source root and nothing names the packages


def strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key}: expected a list of strings")
    return tuple(value)


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _setuptools(pyproject: Path, data: Mapping[str, Any]) -> tuple[list[str], set[str] | None, Layout]:
    """(where, names, layout carrying include/exclude) from [tool.setuptools]."""
    tool = _get(data, "tool.setuptools")
    tool = tool if isinstance(tool, dict) else {}
    where: list[str] = []
    names: set[str] | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    packages = tool.get("packages")
    if isinstance(packages, list):
        names = {p.split(".")[0] for p in strings(pyproject, "tool.setuptools.packages", packages)}
    elif isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        find = packages["find"]
        key = "tool.setuptools.packages.find"
        where = list(strings(pyproject, f"{key}.where", find.get("where", [])))
        include = strings(pyproject, f"{key}.include", find.get("include", []))
        exclude = strings(pyproject, f"{key}.exclude", find.get("exclude", []))
    if "py-modules" in tool:
        names = (names or set()) | set(strings(pyproject, "tool.setuptools.py-modules", tool["py-modules"]))
    package_dir = tool.get("package-dir")
    if not where and isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        where = [package_dir[""]]
    return where, names, Layout((), None, include, exclude)


def _other_backends(pyproject: Path, data: Mapping[str, Any]) -> tuple[list[str], set[str] | None]:
    """(where, names) from hatch, poetry, flit or pdm configuration; ([], None) when there is none."""
    hatch = _get(data, "tool.hatch.build.targets.wheel.packages")
    if hatch is not None:
        paths = [Path(p) for p in strings(pyproject, "tool.hatch.build.targets.wheel.packages", hatch)]
        return sorted({p.parent.as_posix() for p in paths}), {p.name.removesuffix(".py") for p in paths}
    poetry = _get(data, "tool.poetry.packages")
    if isinstance(poetry, list):
        where: set[str] = set()
        names: set[str] = set()
        for index, entry in enumerate(poetry):
            include = entry.get("include") if isinstance(entry, dict) else None
            if not isinstance(include, str):
                raise ConfigError(f"{pyproject}: tool.poetry.packages[{index}].include: expected a string")
            source = entry.get("from", ".")
            where.add(source if isinstance(source, str) else ".")
            names.add(Path(include).parts[0].removesuffix(".py"))
        return sorted(where), names
    flit = _get(data, "tool.flit.module.name")
    if isinstance(flit, str):
        return [], {flit.split(".")[0]}
    pdm = _get(data, "tool.pdm.build.package-dir")
    if isinstance(pdm, str):
        return [pdm], None
    return [], None


def find_layout(folder: Path, pyproject: Path, data: Mapping[str, Any]) -> Layout:
    where, names, found = _setuptools(pyproject, data)
    if not where and names is None and not found.include:
        where, names = _other_backends(pyproject, data)
    if not where:
        where = ["src"] if (folder / "src").is_dir() and not (folder / "src/__init__.py").exists() else ["."]
    roots = tuple(os.path.normpath(folder / w) for w in where)
    for given, root in zip(where, roots, strict=True):
        if not Path(root).is_dir():
            raise ConfigError(f"{pyproject}: source folder {given!r} does not exist")
    flat = where == ["."] and names is None
    return Layout(
        roots, tuple(sorted(names)) if names is not None else None, found.include, found.exclude, flat
    )
