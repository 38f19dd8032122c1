"""The publishing rules: root `[tool.publish]` settings and the rules file they name.

Everything is validated on load; a problem is one `PublishError` naming the file and key at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depgraph.base import toml
from depgraph.base.schema import BOOL, INT, LIST, MAPPING, NUMBER, STRING, Kind, Phrasing, Table
from publish.earlier import Earlier, check_folder
from publish.errors import PublishError

# The schema of each table: key -> what its value must be.
TOOL_SCHEMA: dict[str, Kind] = {"rules": STRING, "work-dir": STRING}
FILE_SCHEMA: dict[str, Kind] = {"defaults": MAPPING, "package": LIST}
DEFAULTS_SCHEMA: dict[str, Kind] = {
    "trailer": STRING,
    "retries": INT,
    "retry-delay": NUMBER,
    "smoke-venv": BOOL,
    "pin": STRING,
    "create": BOOL,
}
PACKAGE_SCHEMA: dict[str, Kind] = {
    "name": STRING,
    "source": STRING,
    "destination": STRING,
    "install-url": STRING,
    "create": BOOL,
    "dependencies": LIST,
    "pin": STRING,
    "smoke": STRING,
    "smoke-venv": BOOL,
    "tags": MAPPING,
    "branch": LIST,
    "missing-ok": BOOL,
    "earlier": LIST,
}
EARLIER_SCHEMA: dict[str, Kind] = {"source": STRING, "as": STRING}
BRANCH_SCHEMA: dict[str, Kind] = {"name": STRING, "source": STRING, "dir": STRING, "missing-ok": BOOL}
TAG_SCHEMA: dict[str, Kind] = {"match": STRING, "format": STRING}
# How the publishing rules word their errors: `<file>: <table>: key 'x' must be a str`.
_PHRASING = Phrasing(
    unknown="{where}: unknown key {key!r} (allowed: {known})",
    missing="{where}: missing key {key!r}",
    wrong="{where}: key {key!r} must be a {type}",
)
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
    earlier: tuple[Earlier, ...] = ()  # the package's earlier folders, newest first (publish.earlier)

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


def _table(data: dict[str, Any], schema: dict[str, Kind], where: str) -> Table:
    return Table(data, schema, where, _PHRASING, PublishError)


def load_rules(root: Path) -> Rules:
    """Read `[tool.publish]` of root/pyproject.toml and the rules file it names."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    tool = _load_toml(pyproject).get("tool", {}).get("publish")
    if not isinstance(tool, dict):
        raise PublishError(f"{pyproject}: no [tool.publish] table")
    settings = _table(tool, TOOL_SCHEMA, f"{pyproject}: [tool.publish]").closed()
    rules_path = root / settings.get("rules")
    work_dir = root / settings.get("work-dir", "_output/publish-work")
    return parse_rules(root, rules_path, work_dir, _load_toml(rules_path))


def parse_rules(root: Path, path: Path, work_dir: Path, data: dict[str, Any]) -> Rules:
    name = path.name
    _table(data, FILE_SCHEMA, name).closed()
    defaults = _table(data, FILE_SCHEMA, f"{name}: [defaults]").get("defaults", {})
    given = _table(defaults, DEFAULTS_SCHEMA, f"{name}: [defaults]").closed()
    trailer = given.get("trailer", "Monorepo-commit")
    if not TRAILER_RE.match(trailer):
        raise PublishError(f"{name}: [defaults] trailer {trailer!r} is not a valid trailer key")
    retries = given.get("retries", 3)
    delay = float(given.get("retry-delay", 2.0))
    packages = _table(data, FILE_SCHEMA, f"{name}: [[package]]").get("package", [])
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
    name = _table(table, PACKAGE_SCHEMA, where).closed().get("name")
    where = f"{path.name}: package {name!r}"
    package = _table(table, PACKAGE_SCHEMA, where)
    # Kept as written (but a trailing slash): an absolute or escaping folder is reported, never "fixed".
    source = package.get("source").rstrip("/") or "/"
    missing_ok = package.get("missing-ok", False)
    dest = package.get("destination")
    local = local_path(dest)
    if local is not None and not local.is_absolute():
        dest = str((path.parent / local).resolve())
    default_url = f"file://{local_path(dest)}" if local_path(dest) is not None else dest
    pin = package.get("pin", defaults.get("pin", "commit"))
    if pin not in PIN_MODES:
        raise PublishError(f"{where}: pin must be one of {', '.join(PIN_MODES)}, not {pin!r}")
    deps = package.get("dependencies", [])
    if not all(isinstance(d, str) for d in deps):
        raise PublishError(f"{where}: dependencies must be a list of distribution names")
    branches_raw = package.get("branch", [{"name": "main", "source": "main"}])
    branches = []
    for b in branches_raw:
        if not isinstance(b, dict):
            raise PublishError(f"{where}: each [[package.branch]] must be a table")
        bname = _table(b, BRANCH_SCHEMA, f"{where} branch").closed().get("name")
        branch = _table(b, BRANCH_SCHEMA, f"{where} branch {bname!r}")
        branches.append(
            BranchRule(
                bname,
                branch.get("source", bname),
                branch.get("dir", source).rstrip("/") or "/",
                branch.get("missing-ok", missing_ok),
            )
        )
    if len({b.name for b in branches}) != len(branches):
        raise PublishError(f"{where}: two branches publish to the same name")
    tags = None
    if "tags" in table:
        tag_table = _table(package.get("tags"), TAG_SCHEMA, f"{where} tags").closed()
        try:
            pattern = re.compile(tag_table.get("match"))
        except re.error as exc:
            raise PublishError(f"{where}: tags.match is not a regular expression: {exc}") from None
        tags = TagRule(pattern, tag_table.get("format"))
        try:
            tags.format.format(*(["x"] * pattern.groups), **{k: "x" for k in pattern.groupindex})
        except (IndexError, KeyError) as exc:
            raise PublishError(f"{where}: tags.format uses {exc} which tags.match does not capture") from None
    earlier = _parse_earlier(package.get("earlier", []), where, source)
    return PackageRule(
        name=name,
        source=source,
        destination=dest,
        install_url=package.get("install-url", default_url),
        create=package.get("create", defaults.get("create", False)),
        dependencies=tuple(sorted(deps)),
        pin=pin,
        smoke=package.get("smoke", ""),
        smoke_venv=package.get("smoke-venv", defaults.get("smoke-venv", True)),
        branches=tuple(sorted(branches, key=lambda b: b.name)),
        tags=tags,
        earlier=earlier,
    )


def _parse_earlier(entries: list[Any], where: str, source: str) -> tuple[Earlier, ...]:
    """The `earlier` key: a list of `{ source = FOLDER, as = FOLDER }` tables, newest home first."""
    parsed: list[Earlier] = []
    for i, entry in enumerate(entries):
        at = f"{where}: earlier #{i + 1}"
        if not isinstance(entry, dict):
            raise PublishError(f"{at}: must be a table {{ source = FOLDER, as = FOLDER }}")
        table = _table(entry, EARLIER_SCHEMA, at).closed()
        folder = table.get("source").rstrip("/")
        inside = table.get("as", "").strip("/")
        problem = check_folder(folder, "source") or (inside and check_folder(inside, "as"))
        if problem:
            raise PublishError(f"{at}: {problem}")
        if folder == source or folder in (e.source for e in parsed):
            raise PublishError(f"{at}: source {folder!r} is already the package's folder or an earlier one")
        parsed.append(Earlier(folder, inside))
    return tuple(parsed)
