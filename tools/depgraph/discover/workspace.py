"""Discover a monorepo's distributions and their modules: the core, staging packages, other first-party ones.

The folders come from the configuration, the import packages from each distribution's layout
(`depgraph.discover.layout`), the modules from one `os.scandir` walk per package (`depgraph.discover.walk`).
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.model import Distribution, Module, Origin
from depgraph.base.toml import read as read_toml
from depgraph.discover.config import Config, find_root, load_config
from depgraph.discover.discover import members
from depgraph.discover.layout import Layout, find_layout
from depgraph.discover.manifest import RUNTIME, Manifest, by_group, names_distribution, read_manifest
from depgraph.discover.walk import Walker, folder_entry

# Folders that are never import packages of a flat-layout distribution (after setuptools' flat-layout rules).
_FLAT_RESERVED = frozenset(
    {
        "bench",
        "benchmark",
        "benchmarks",
        "bin",
        "build",
        "dist",
        "doc",
        "docs",
        "example",
        "examples",
        "node_modules",
        "scripts",
        "site",
        "src",
        "tasks",
        "tools",
        "venv",
        "env",
    }
)
_FLAT_SKIPPED_FILES = frozenset(
    {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py"}
)
_GLOB_MAGIC = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    config: Config
    distributions: tuple[Distribution, ...]  # sorted by name; the core (if any) is the one with origin CORE
    modules: tuple[Module, ...]  # sorted
    namespaces: Mapping[str, tuple[str, ...]]  # PEP 420 namespace package -> distributions holding portions
    # module name -> Module; when several share a name, non-test modules win, then the first distribution
    by_name: Mapping[str, Module] = field(default_factory=lambda: MappingProxyType({}))
    by_distribution: Mapping[str, Mapping[str, Module]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def core(self) -> Distribution | None:
        return next((d for d in self.distributions if d.origin is Origin.CORE), None)

    @property
    def staging(self) -> tuple[Distribution, ...]:
        return tuple(d for d in self.distributions if d.origin is Origin.STAGING)

    def distribution(self, name: str) -> Distribution | None:
        key = normalize(name)
        return next((d for d in self.distributions if normalize(d.name) == key), None)


def normalize(name: str) -> str:
    """PEP 503 normalisation (what `packaging.utils.canonicalize_name` does), without importing packaging."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _exclude_pattern(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(g.rstrip('/'))})" for g in globs))


def _folders(root: Path, config: Config, key: str, patterns: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        if _GLOB_MAGIC.search(pattern):
            reads.globbed(pattern, root)
            matches = sorted(glob.glob(pattern, root_dir=root))  # noqa: PTH207 (skips hidden names)
            found += [root / m for m in matches if (root / m).is_dir() and "__pycache__" not in m]
        else:
            path = root / pattern
            reads.probed(path)
            if not path.is_dir():
                raise ConfigError(f"{config.pyproject}: tool.depgraph.{key}: no folder {pattern!r}")
            found.append(path)
    return found


def _top_level_candidates(
    layout: Layout, source_root: str, walker: Walker
) -> Iterator[tuple[str, str, bool]]:
    """(name, path, is_folder) of what may be a top-level import package or module under one source root."""
    reads.listed(source_root)
    with os.scandir(source_root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name == "__pycache__" or entry.path in walker.pruned:
            continue
        if walker.excluded(entry.path):
            continue
        is_dir = folder_entry(entry, walker)
        stem = name if is_dir else name[:-3] if name.endswith(".py") else ""
        if not stem.isidentifier():
            continue
        if layout.names is not None and stem not in layout.names:
            continue
        if layout.flat and layout.names is None:
            if is_dir and (name in _FLAT_RESERVED or name in walker.tests or is_test_like(name)):
                continue
            if not is_dir and name in _FLAT_SKIPPED_FILES:
                continue
        if layout.include and not any(
            fnmatch.fnmatchcase(stem, p) or p.startswith(stem + ".") for p in layout.include
        ):
            continue
        if any(fnmatch.fnmatchcase(stem, p) for p in layout.exclude):
            continue
        if is_dir or entry.is_file():
            yield stem, entry.path, is_dir


_TEST_LIKE = re.compile(r"(?:^|_)tests?(?:$|_)")


def is_test_like(name: str) -> bool:
    """A folder name that says tests: `tests`, `test`, `integration_tests`, `tests_e2e` (not `testing`)."""
    return _TEST_LIKE.search(name) is not None


def _test_folders(folder: Path, walker: Walker, packages: set[str]) -> list[str]:
    """Folders at the distribution root that hold its tests and are not one of its packages, sorted."""
    reads.listed(folder)
    try:
        entries = sorted(e.name for e in os.scandir(folder) if folder_entry(e, walker))
    except OSError:
        return []
    return [
        name
        for name in entries
        if (name in walker.tests or is_test_like(name))
        and name not in packages
        and not name.startswith(".")
        and str(folder / name) not in walker.pruned
        and not walker.excluded(str(folder / name))
    ]


def _distribution(
    folder: Path,
    origin: Origin,
    data: Mapping[str, Any],
    pyproject: Path,
    walker: Walker,
    *,
    manifest: Manifest,
) -> Distribution:
    extras: dict[str, tuple[str, ...]] = {}
    for group, texts in by_group(manifest.declared):
        if group.startswith("extra:"):
            extras[group[len("extra:") :]] = texts
    layout = find_layout(folder, pyproject, data, manifest.name, walker.pruned)
    walker.keep = layout.files
    packages: set[str] = set()
    for source_root in layout.source_roots:
        for name, path, is_dir in _top_level_candidates(layout, source_root, walker):
            before = len(walker.modules)
            if is_dir:
                has_init = Path(path, "__init__.py").is_file()
                if not walker.walk(path, name, name in walker.tests):
                    continue
                # In a flat layout, a folder without __init__.py counts only with a regular package beneath.
                if layout.flat and not has_init and not any(m.is_package for m in walker.modules[before:]):
                    del walker.modules[before:]
                    walker.namespaces = {
                        n for n in walker.namespaces if n != name and not n.startswith(name + ".")
                    }
                    continue
            else:
                if layout.files is not None and path not in layout.files:
                    continue
                walker.modules.append(Module(name, walker.rel(path), walker.dist, False, False))
            packages.add(name)
    for renamed_folder, prefix in layout.renamed:  # shipped under another name (hatch `sources`)
        if walker.walk(renamed_folder, prefix, False):
            packages.add(prefix.split(".")[0])
    walker.keep = None
    # What the backend does not ship is not the distribution's code, except its tests: the tests folders
    # and test-like folders (`integration_tests`, `tests_e2e`) at the distribution root.
    for test_folder in _test_folders(folder, walker, packages):
        walker.walk(str(folder / test_folder), test_folder, True)
    conftest = folder / "conftest.py"  # pytest's, beside the tests folders: test code, never shipped
    reads.probed(conftest)
    if conftest.is_file() and not walker.excluded(str(conftest)) and "conftest" not in packages:
        walker.modules.append(Module("conftest", walker.rel(str(conftest)), walker.dist, False, True))
    return Distribution(
        name=manifest.name,
        origin=origin,
        root=walker.rel(str(folder)),
        source_roots=tuple(walker.rel(r) for r in layout.source_roots),
        import_packages=tuple(sorted(packages)),
        version=manifest.version,
        requires=tuple(d.text for d in manifest.declared if d.group == RUNTIME),
        extras=tuple(sorted(extras.items())),
        pyproject=walker.rel(str(pyproject)),
        declared=manifest.declared,
        declared_known=manifest.known,
        requires_key=manifest.runtime_key,
    )


def _with_core(root: Path, config: Config, folders: list[tuple[Path, Origin]]) -> list[tuple[Path, Origin]]:
    """The folders with the one `core` names made the core (added when no other key lists it)."""
    assert config.core
    core = Path(os.path.normpath(root / config.core))
    reads.probed(core / "pyproject.toml")
    if not (core / "pyproject.toml").is_file():
        raise ConfigError(f"{config.pyproject}: tool.depgraph.core: {config.core}/ has no pyproject.toml")
    listed = [(f, Origin.CORE if f == core else o) for f, o in folders]
    return listed if any(f == core for f, _ in folders) else [*listed, (core, Origin.CORE)]


def load_workspace(root: Path, config: Config) -> Workspace:
    """Every distribution of the repository with its modules. Problems are ConfigErrors naming the path."""
    root_str = os.path.normpath(Path(root).absolute())
    root = Path(root_str)
    exclude = _exclude_pattern(config.exclude)
    folders: list[tuple[Path, Origin]] = []
    root_data = read_toml(config.pyproject)
    if names_distribution(root_data):  # the root is the core when it is a distribution, unless `core` says
        folders.append((root, Origin.CORE if config.core in (None, ".") else Origin.FIRST_PARTY))
    elif config.core == ".":
        raise ConfigError(
            f"{config.pyproject}: tool.depgraph.core: the root is no distribution (no [project])"
        )
    seen = {root}
    for key, patterns, origin in (
        ("staging", config.staging, Origin.STAGING),
        ("plugins", config.plugins, Origin.PLUGIN),
        ("distributions", config.distributions, Origin.FIRST_PARTY),
    ):
        for found in _folders(root, config, key, patterns):
            folder = Path(os.path.normpath(found))
            if folder in seen or (exclude and exclude.match(folder.relative_to(root).as_posix())):
                continue
            seen.add(folder)
            reads.probed(folder / "pyproject.toml")
            if not (folder / "pyproject.toml").is_file():
                raise ConfigError(
                    f"{config.pyproject}: tool.depgraph.{key}: {folder.relative_to(root).as_posix()}/ "
                    "has no pyproject.toml"
                )
            folders.append((folder, origin))
    # A uv workspace and path dependencies name first-party distributions: no list needed for them.
    parsed: dict[Path, dict[str, Any]] = {}
    for member in members(root, root_data, parsed):
        folder = Path(os.path.normpath(root / member.folder))
        if folder not in seen and not (exclude and exclude.match(member.folder)):
            seen.add(folder)
            folders.append((folder, Origin.FIRST_PARTY))
    if config.core not in (None, "", "."):  # `core = "libs/x"`: that distribution is the core
        folders = _with_core(root, config, folders)
    pruned = {str(f) for f, _ in folders if f != root} | {os.path.normpath(root / config.vendor)}
    pruned |= {os.path.normpath(root / d) for d in (".venv", "venv", "node_modules", config.cache_dir)}
    # Parents of staging folders (e.g. staging/) are not packages of the core either.
    for folder, _ in folders:
        for parent in folder.relative_to(root).parents:
            if str(parent) != ".":
                pruned.add(os.path.normpath(root / parent))
    tests = frozenset(config.tests)
    distributions: list[Distribution] = []
    modules: list[Module] = []
    namespaces: dict[str, set[str]] = {}
    names: dict[str, Path] = {}
    for folder, origin in folders:
        pyproject = folder / "pyproject.toml"
        data = parsed.get(pyproject) or read_toml(pyproject)
        walker = Walker(root_str, "", tests, exclude, frozenset(pruned - {str(folder)}))
        manifest = read_manifest(pyproject, walker.rel(str(pyproject)), data)
        walker.dist = manifest.name
        dist = _distribution(folder, origin, data, pyproject, walker, manifest=manifest)
        key = normalize(dist.name)
        if key in names:
            other = names[key].relative_to(root).as_posix()
            raise ConfigError(f"{pyproject}: project.name: {dist.name!r} is also the name of {other}")
        names[key] = pyproject
        distributions.append(dist)
        modules += walker.modules
        for ns in walker.namespaces:
            namespaces.setdefault(ns, set()).add(dist.name)
    modules.sort(key=lambda m: (m.name, m.path, m.distribution))
    return assemble(
        root,
        config,
        tuple(sorted(distributions, key=lambda d: d.name)),
        tuple(modules),
        {k: tuple(sorted(v)) for k, v in sorted(namespaces.items())},
    )


def assemble(
    root: Path,
    config: Config,
    distributions: tuple[Distribution, ...],
    modules: tuple[Module, ...],
    namespaces: Mapping[str, tuple[str, ...]],
) -> Workspace:
    """The workspace of what discovery found (distributions sorted by name, modules sorted, namespaces
    sorted), with its indexes."""
    by_name: dict[str, Module] = {}
    by_distribution: dict[str, dict[str, Module]] = {d.name: {} for d in distributions}
    for module in sorted(modules, key=lambda m: (m.is_test, m.distribution, m.name)):
        by_name.setdefault(module.name, module)
        by_distribution[module.distribution].setdefault(module.name, module)
    return Workspace(
        root=root,
        config=config,
        distributions=distributions,
        modules=modules,
        namespaces=MappingProxyType(dict(namespaces)),
        by_name=MappingProxyType(by_name),
        by_distribution=MappingProxyType({k: MappingProxyType(v) for k, v in by_distribution.items()}),
    )


def open_workspace(root: Path | None = None) -> Workspace:
    """The workspace of `root`, or of the configured repository around the current folder."""
    if root is None:
        root = find_root()
    elif not root.is_dir():
        raise ConfigError(f"{root}: --root: no such folder")
    return load_workspace(root, load_config(root))
