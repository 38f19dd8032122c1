"""What a distribution ships: its import packages, read from its build backend's configuration, else guessed.

Explicit configuration wins: setuptools (`packages`, `packages.find`, `py-modules`, `package-dir`), hatch
(`[tool.hatch.build.targets.wheel]` or `[tool.hatch.build]`: `packages`, `only-include`, `include`,
`exclude`, `sources` with renames, `bypass-selection`), poetry (`tool.poetry.packages`, less
`format = "sdist"` entries, `to` shipping a package below another name; `include` entries for the
wheel; `exclude`), flit (`tool.flit.module`), pdm
(`tool.pdm.build` `includes`, `excludes`, `package-dir`). Without it, the backend's own default where it
has one (hatch, poetry and flit ship the package named after the project); else a `src/` folder means the
src layout, else the flat layout. Whatever the backend does not ship is not the distribution's code (see
`depgraph/README.md`).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pathspec

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.toml import dotted as _get


class Layout(NamedTuple):
    source_roots: tuple[str, ...]  # absolute, normalised
    names: tuple[str, ...] | None  # explicit top-level import names, else None (discover them)
    include: tuple[str, ...] = ()  # setuptools packages.find include/exclude patterns
    exclude: tuple[str, ...] = ()
    flat: bool = False  # the distribution folder itself is the source root and nothing names the packages
    files: frozenset[str] | None = (
        None  # absolute paths of the .py files shipped; None: all under the packages
    )
    # (absolute folder, dotted import prefix): folders a backend ships under another name (hatch `sources`
    # renaming a prefix): their modules are named from that prefix, not from where they lie
    renamed: tuple[tuple[str, str], ...] = ()


def strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key}: expected a list of strings")
    return tuple(value)


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
    """(where, names) from poetry, flit or pdm configuration; ([], None) when there is none."""
    poetry = _get(data, "tool.poetry.packages")
    if isinstance(poetry, list):
        where: set[str] = set()
        names: set[str] = set()
        for index, entry in enumerate(poetry):
            include = entry.get("include") if isinstance(entry, dict) else None
            if not isinstance(include, str):
                raise ConfigError(f"{pyproject}: tool.poetry.packages[{index}].include: expected a string")
            formats = entry.get("format", ["wheel"])
            if "wheel" not in ([formats] if isinstance(formats, str) else formats):
                continue  # `format = "sdist"`: not in the wheel
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


_HATCH_KEYS = ("packages", "only-include", "include", "exclude", "sources", "bypass-selection")
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "venv", ".venv", "build", "dist"})


def _hatch_option(data: Mapping[str, Any], key: str) -> tuple[str, Any]:
    """(key path, value) of a wheel build option: the wheel target's, else hatch's global one."""
    for prefix in ("tool.hatch.build.targets.wheel", "tool.hatch.build"):
        value = _get(data, f"{prefix}.{key}")
        if value is not None:
            return f"{prefix}.{key}", value
    return "", None


def _backend(data: Mapping[str, Any]) -> str:
    backend = _get(data, "build-system.build-backend")
    backend = backend if isinstance(backend, str) else ""
    for name, marker in (("hatch", "hatchling"), ("poetry", "poetry"), ("flit", "flit"), ("pdm", "pdm")):
        if marker in backend:
            return name
    if not backend and isinstance(_get(data, "tool.poetry"), dict) and "project" not in data:
        return "poetry"
    return "setuptools"


def _py_files(folder: Path, start: Path, pruned: frozenset[str]) -> list[str]:
    """The .py files under `start` (a folder or one file), relative to `folder`, POSIX, sorted."""
    reads.probed(start)
    if start.is_file():
        return [start.relative_to(folder).as_posix()] if start.suffix == ".py" else []
    found: list[str] = []
    for here, dirs, files in os.walk(start):
        reads.listed(here)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in SKIPPED_FOLDERS and f"{here}{os.sep}{d}" not in pruned
        )
        rel = Path(here).relative_to(folder)
        found += [(rel / f).as_posix() for f in sorted(files) if f.endswith(".py")]
    return found


def _pdm_options(folder: Path, pyproject: Path, data: Mapping[str, Any]) -> dict[str, tuple[str, Any]] | None:
    """pdm-backend's `includes`/`excludes` as the selection options hatch's reading takes; else None."""
    includes = _get(data, "tool.pdm.build.includes")
    excludes = _get(data, "tool.pdm.build.excludes")
    if includes is None and excludes is None:
        return None
    package_dir = _get(data, "tool.pdm.build.package-dir")
    if not isinstance(package_dir, str):
        reads.probed(folder / "src")
        package_dir = "src" if (folder / "src").is_dir() else "."
    options: dict[str, tuple[str, Any]] = {key: ("", None) for key in _HATCH_KEYS}
    options["sources"] = ("tool.pdm.build.package-dir", [] if package_dir == "." else [package_dir])
    if includes is not None:  # glob patterns relative to the project root
        paths: list[str] = []
        for pattern in strings(pyproject, "tool.pdm.build.includes", includes):
            reads.globbed(pattern, folder, recursive=True)
            paths += sorted(glob.glob(pattern.rstrip("/"), root_dir=folder, recursive=True))  # noqa: PTH207
        options["only-include"] = ("tool.pdm.build.includes", paths or ["-nothing-"])
    if excludes is not None:
        options["exclude"] = ("tool.pdm.build.excludes", excludes)
    return options


def _poetry_options(
    folder: Path, pyproject: Path, data: Mapping[str, Any], name: str
) -> dict[str, tuple[str, Any]] | None:
    """Poetry's `include` and `exclude` (beside `packages`) as the selection options hatch's reading takes;
    None when neither is set (`packages` alone is read by `_other_backends`).

    An `include` entry is in the wheel only when its `format` names `wheel` (a plain string, or a table
    without `format`, goes to the sdist alone, as Poetry documents); it ships at its path under the project.
    """
    poetry = _get(data, "tool.poetry")
    if not isinstance(poetry, dict):
        return None
    packages = poetry.get("packages")
    moved = isinstance(packages, list) and any(isinstance(e, dict) and "to" in e for e in packages)
    if poetry.get("include") is None and poetry.get("exclude") is None and not moved:
        return None
    if _backend(data) != "poetry" and "packages" not in poetry:
        return None
    only: list[str] = []
    sources: dict[str, str] = {}
    if isinstance(packages, list):
        for index, entry in enumerate(packages):
            key = f"tool.poetry.packages[{index}]"
            pattern = entry.get("include") if isinstance(entry, dict) else None
            if not isinstance(pattern, str):
                raise ConfigError(f"{pyproject}: {key}.include: expected a string")
            if not _in_wheel(entry.get("format", ["wheel"])):
                continue
            source = entry.get("from", ".")
            source = source.strip("/") if isinstance(source, str) else "."
            base = folder / source
            reads.globbed(pattern, base, recursive=True)
            matches = sorted(glob.glob(pattern.rstrip("/"), root_dir=base, recursive=True))  # noqa: PTH207
            only += [(Path(source) / m).as_posix() for m in matches]
            to = entry.get("to")
            if to is not None and not isinstance(to, str):
                raise ConfigError(f"{pyproject}: {key}.to: expected a string")
            if to and to.strip("/"):  # shipped below `to`: `from/pkg` is the module `to.pkg`
                sources["" if source == "." else source] = to.strip("/")
            elif source != ".":
                sources[source] = ""
    else:
        where, names = _default_package(folder, "poetry", name)
        for package in sorted(names or ()):
            path = Path(where[0]) / package
            reads.probed(folder / path)
            only.append(path.as_posix() if (folder / path).is_dir() else f"{path.as_posix()}.py")
            if where[0] != ".":
                sources[where[0]] = ""
    include = poetry.get("include", [])
    if not isinstance(include, list):
        raise ConfigError(f"{pyproject}: tool.poetry.include: expected a list")
    for index, entry in enumerate(include):
        if isinstance(entry, str) or not isinstance(entry, dict):
            continue  # a plain pattern: the sdist only
        pattern = entry.get("path")
        if not isinstance(pattern, str):
            raise ConfigError(f"{pyproject}: tool.poetry.include[{index}].path: expected a string")
        if _in_wheel(entry.get("format", ["sdist"])):
            reads.globbed(pattern, folder, recursive=True)
            only += sorted(glob.glob(pattern.rstrip("/"), root_dir=folder, recursive=True))  # noqa: PTH207
    options: dict[str, tuple[str, Any]] = {key: ("", None) for key in _HATCH_KEYS}
    options["only-include"] = ("tool.poetry.packages", only or ["-nothing-"])
    options["sources"] = ("tool.poetry.packages", sources)
    exclude = poetry.get("exclude")
    if exclude is not None:
        options["exclude"] = ("tool.poetry.exclude", exclude)
    return options


def _in_wheel(formats: Any) -> bool:
    if isinstance(formats, str):
        return formats == "wheel"
    return isinstance(formats, list) and "wheel" in formats


def _hatch(
    folder: Path,
    pyproject: Path,
    data: Mapping[str, Any],
    name: str,
    pruned: frozenset[str],
    *,
    options: dict[str, tuple[str, Any]] | None = None,
) -> Layout | None:
    """The files hatch's wheel builder selects (or pdm-backend's, through `options`); None: no selection."""
    if options is None:
        options = {key: _hatch_option(data, key) for key in _HATCH_KEYS}
    if all(value is None for _, value in options.values()):
        return None
    where, packages = options["packages"]
    packages = [p.strip("/") for p in strings(pyproject, where, packages)] if packages is not None else []
    where, only = options["only-include"]
    only = [p.strip("/") for p in strings(pyproject, where, only)] if only is not None else []
    where, sources_value = options["sources"]
    sources: dict[str, str] = {}
    if isinstance(sources_value, list):
        sources = {p.strip("/"): "" for p in strings(pyproject, where, sources_value)}
    elif isinstance(sources_value, dict):
        sources = {k.strip("/"): str(v).strip("/") for k, v in sources_value.items()}
    elif sources_value is not None:
        raise ConfigError(f"{pyproject}: {where}: expected a list or a table")
    for package in packages:  # `packages` = only-include the folder + make its parent a source
        only.append(package)
        parent = Path(package).parent.as_posix()
        sources.setdefault("" if parent == "." else parent, "")
    specs: dict[str, Any] = {}
    for key in ("include", "exclude"):
        where, patterns = options[key]
        if patterns is not None:
            specs[key] = pathspec.GitIgnoreSpec.from_lines(strings(pyproject, where, patterns))
    if options["bypass-selection"][1] is True and not (only or "include" in specs):
        return Layout((), ())  # ships no code of its own (a meta-package)
    if not (only or "include" in specs):  # hatch's default selection: the package named after the project
        default_where, default_names = _default_package(folder, "hatch", name)
        if default_names is None:
            return None
        only = [(Path(default_where[0]) / n).as_posix() for n in default_names]
        if default_where[0] != ".":
            sources.setdefault(default_where[0], "")
        reads.probed(folder / f"{only[0]}.py")
        if (folder / f"{only[0]}.py").is_file():
            only = [f"{only[0]}.py"]
    starts = [folder / p for p in only] if only else [folder]
    files: list[str] = []
    for start in starts:
        reads.probed(start)
        if start.exists():
            files += _py_files(folder, start, pruned)
    if "include" in specs:
        files = [f for f in files if specs["include"].match_file(f)]
    if "exclude" in specs:
        files = [f for f in files if not specs["exclude"].match_file(f)]
    roots: set[str] = set()
    names: set[str] = set()
    shipped: set[str] = set()
    renamed: set[tuple[str, str]] = set()
    for rel in files:
        prefix = max((p for p in sources if p == "" or rel.startswith(p + "/")), key=len, default=None)
        inner = rel[len(prefix) + 1 :] if prefix else rel
        target = sources[prefix] if prefix is not None else ""
        if target:  # renamed on the way into the wheel: `prefix/x.py` ships as `target/x.py`
            parts = target.split("/")
            if not all(part.isidentifier() for part in parts):
                continue  # shipped where no import can name it
            renamed.add((os.path.normpath(folder / (prefix or ".")), ".".join(parts)))
            shipped.add(os.path.normpath(folder / rel))
            continue
        top = inner.split("/")[0].removesuffix(".py")
        if not top.isidentifier() or (inner.count("/") == 0 and inner in ("setup.py", "conftest.py")):
            continue
        roots.add(os.path.normpath(folder / (prefix or ".")))
        names.add(top)
        shipped.add(os.path.normpath(folder / rel))
    return Layout(
        tuple(sorted(roots)),
        tuple(sorted(names)),
        files=frozenset(shipped),
        renamed=tuple(sorted(renamed)),
    )


def _default_package(folder: Path, backend: str, name: str) -> tuple[list[str], set[str] | None]:
    """The package hatch, poetry and flit ship when nothing is configured: the one named after the project."""
    if backend not in ("hatch", "poetry", "flit") or not name:
        return [], None
    module = re.sub(r"[-_.]+", "_", name)
    for candidate in dict.fromkeys((module, module.lower())):
        for where in (".", "src"):
            base = folder / where / candidate
            reads.probed(base / "__init__.py")
            reads.probed(base.with_suffix(".py"))
            if (base / "__init__.py").is_file() or base.with_suffix(".py").is_file():
                return [where], {candidate}
    return [], None


def find_layout(
    folder: Path,
    pyproject: Path,
    data: Mapping[str, Any],
    name: str = "",
    pruned: frozenset[str] = frozenset(),
) -> Layout:
    where, names, found = _setuptools(pyproject, data)
    if not where and names is None and not found.include:
        options = _pdm_options(folder, pyproject, data) or _poetry_options(folder, pyproject, data, name)
        hatch = _hatch(folder, pyproject, data, name, pruned, options=options)
        if hatch is not None:
            return hatch
        where, names = _other_backends(pyproject, data)
    if not where and names is None:
        where, names = _default_package(folder, _backend(data), name)
    if not where:
        reads.probed(folder / "src/__init__.py")
        where = ["src"] if (folder / "src").is_dir() and not (folder / "src/__init__.py").exists() else ["."]
    roots = tuple(os.path.normpath(folder / w) for w in where)
    for given, root in zip(where, roots, strict=True):
        reads.probed(root)
        if not Path(root).is_dir():
            raise ConfigError(f"{pyproject}: source folder {given!r} does not exist")
    flat = where == ["."] and names is None
    return Layout(
        roots, tuple(sorted(names)) if names is not None else None, found.include, found.exclude, flat
    )
