"""The publishing rules: root `[tool.publish]` settings and the rules file they name.

Everything is validated on load; a problem is one `PublishError` naming the file and key at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depgraph.base import toml
from publish.errors import PublishError

TOOL_KEYS = {"rules", "work-dir"}
DEFAULT_KEYS = {"trailer", "retries", "retry-delay", "smoke-venv", "pin", "create"}
PACKAGE_KEYS = {
    "name",
    "source",
    "destination",
    "install-url",
    "create",
    "dependencies",
    "pin",
    "smoke",
    "smoke-venv",
    "tags",
    "branch",
    "missing-ok",
}
BRANCH_KEYS = {"name", "source", "dir", "missing-ok"}
TAG_KEYS = {"match", "format"}
PIN_MODES = ("commit", "version")
TRAILER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class BranchRule:
    name: str  # the published branch
    source: str  # the source branch
    dir: str  # the source directory, relative to the repository root
    missing_ok: bool = False  # the directory may be absent on the source branch (nothing published then)


@dataclass(frozen=True)
class TagRule:
    match: re.Pattern[str]
    format: str

    def map(self, tag: str) -> str | None:
        m = self.match.fullmatch(tag)
        if m is None:
            return None
        return self.format.format(*m.groups(), **m.groupdict())


@dataclass(frozen=True)
class PackageRule:
    name: str  # distribution name, as in its pyproject.toml
    source: str  # the staging directory
    destination: str  # git URL, or a path relative to the rules file made absolute
    install_url: str  # what pip's direct references use for this package
    create: bool
    dependencies: tuple[str, ...]  # distribution names of sibling staging packages
    pin: str  # "commit" or "version"
    smoke: str  # shell command, run in a checkout of the published tree; "" for none
    smoke_venv: bool
    branches: tuple[BranchRule, ...]
    tags: TagRule | None

    @property
    def local_destination(self) -> Path | None:
        return local_path(self.destination)


@dataclass(frozen=True)
class Rules:
    root: Path  # the monorepo root
    path: Path  # the rules file
    work_dir: Path
    trailer: str
    retries: int
    retry_delay: float
    packages: tuple[PackageRule, ...] = field(default_factory=tuple)

    def package(self, name: str) -> PackageRule:
        for p in self.packages:
            if p.name == name:
                return p
        raise PublishError(f"{self.path.name}: no package named {name!r}")


def local_path(url: str) -> Path | None:
    """The filesystem path of a local destination, or None for a remote URL."""
    if url.startswith("file://"):
        return Path(url[len("file://") :])
    if "://" in url or re.match(r"^[^/]+@[^/]+:", url):
        return None
    return Path(url)


def _load_toml(path: Path) -> dict[str, Any]:
    return toml.read(path, PublishError)


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PublishError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _get(
    table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None
) -> Any:
    if key not in table:
        if default is None:
            raise PublishError(f"{where}: missing key {key!r}")
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise PublishError(f"{where}: key {key!r} must be a {name}")
    return value


def load_rules(root: Path) -> Rules:
    """Read `[tool.publish]` of root/pyproject.toml and the rules file it names."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    tool = _load_toml(pyproject).get("tool", {}).get("publish")
    if not isinstance(tool, dict):
        raise PublishError(f"{pyproject}: no [tool.publish] table")
    _check_keys(tool, TOOL_KEYS, f"{pyproject}: [tool.publish]")
    rules_path = root / _get(tool, "rules", str, f"{pyproject}: [tool.publish]")
    work_dir = root / _get(tool, "work-dir", str, f"{pyproject}: [tool.publish]", "_output/publish-work")
    return parse_rules(root, rules_path, work_dir, _load_toml(rules_path))


def parse_rules(root: Path, path: Path, work_dir: Path, data: dict[str, Any]) -> Rules:
    name = path.name
    _check_keys(data, {"defaults", "package"}, name)
    defaults = _get(data, "defaults", dict, f"{name}: [defaults]", {})
    _check_keys(defaults, DEFAULT_KEYS, f"{name}: [defaults]")
    trailer = _get(defaults, "trailer", str, f"{name}: [defaults]", "Monorepo-commit")
    if not TRAILER_RE.match(trailer):
        raise PublishError(f"{name}: [defaults] trailer {trailer!r} is not a valid trailer key")
    retries = _get(defaults, "retries", int, f"{name}: [defaults]", 3)
    delay = float(_get(defaults, "retry-delay", (int, float), f"{name}: [defaults]", 2.0))
    packages = _get(data, "package", list, f"{name}: [[package]]", [])
    parsed = [_parse_package(root, path, i, p, defaults) for i, p in enumerate(packages)]
    seen: set[str] = set()
    for p in parsed:
        if p.name in seen:
            raise PublishError(f"{name}: package {p.name!r} has two rules")
        seen.add(p.name)
    return Rules(
        root, path, work_dir, trailer, max(retries, 0), delay, tuple(sorted(parsed, key=lambda p: p.name))
    )


def _parse_package(root: Path, path: Path, index: int, table: Any, defaults: dict[str, Any]) -> PackageRule:
    where = f"{path.name}: [[package]] #{index + 1}"
    if not isinstance(table, dict):
        raise PublishError(f"{where}: must be a table")
    _check_keys(table, PACKAGE_KEYS, where)
    name = _get(table, "name", str, where)
    where = f"{path.name}: package {name!r}"
    # Kept as written (but a trailing slash): an absolute or escaping folder is reported, never "fixed".
    source = _get(table, "source", str, where).rstrip("/") or "/"
    missing_ok = _get(table, "missing-ok", bool, where, False)
    dest = _get(table, "destination", str, where)
    local = local_path(dest)
    if local is not None and not local.is_absolute():
        dest = str((path.parent / local).resolve())
    default_url = f"file://{local_path(dest)}" if local_path(dest) is not None else dest
    pin = _get(table, "pin", str, where, defaults.get("pin", "commit"))
    if pin not in PIN_MODES:
        raise PublishError(f"{where}: pin must be one of {', '.join(PIN_MODES)}, not {pin!r}")
    deps = _get(table, "dependencies", list, where, [])
    if not all(isinstance(d, str) for d in deps):
        raise PublishError(f"{where}: dependencies must be a list of distribution names")
    branches_raw = _get(table, "branch", list, where, [{"name": "main", "source": "main"}])
    branches = []
    for b in branches_raw:
        if not isinstance(b, dict):
            raise PublishError(f"{where}: each [[package.branch]] must be a table")
        _check_keys(b, BRANCH_KEYS, f"{where} branch")
        bname = _get(b, "name", str, f"{where} branch")
        branches.append(
            BranchRule(
                bname,
                _get(b, "source", str, f"{where} branch {bname!r}", bname),
                _get(b, "dir", str, f"{where} branch {bname!r}", source).rstrip("/") or "/",
                _get(b, "missing-ok", bool, f"{where} branch {bname!r}", missing_ok),
            )
        )
    if len({b.name for b in branches}) != len(branches):
        raise PublishError(f"{where}: two branches publish to the same name")
    tags = None
    if "tags" in table:
        t = _get(table, "tags", dict, where)
        _check_keys(t, TAG_KEYS, f"{where} tags")
        try:
            pattern = re.compile(_get(t, "match", str, f"{where} tags"))
        except re.error as exc:
            raise PublishError(f"{where}: tags.match is not a regular expression: {exc}") from None
        tags = TagRule(pattern, _get(t, "format", str, f"{where} tags"))
        try:
            tags.format.format(*(["x"] * pattern.groups), **{k: "x" for k in pattern.groupindex})
        except (IndexError, KeyError) as exc:
            raise PublishError(f"{where}: tags.format uses {exc} which tags.match does not capture") from None
    return PackageRule(
        name=name,
        source=source,
        destination=dest,
        install_url=_get(table, "install-url", str, where, default_url),
        create=_get(table, "create", bool, where, defaults.get("create", False)),
        dependencies=tuple(sorted(deps)),
        pin=pin,
        smoke=_get(table, "smoke", str, where, ""),
        smoke_venv=_get(table, "smoke-venv", bool, where, defaults.get("smoke-venv", True)),
        branches=tuple(sorted(branches, key=lambda b: b.name)),
        tags=tags,
    )
