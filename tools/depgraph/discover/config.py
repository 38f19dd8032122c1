"""The `[tool.depgraph]` table of a repository's root pyproject.toml, validated into a frozen `Config`.

Every problem is a `ConfigError` naming the file and the key at fault; nothing here raises anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from depgraph.base.catalog import DEFAULT_LEVELS
from depgraph.base.errors import ConfigError
from depgraph.base.imports import SINGLE, ImportKind
from depgraph.base.model import Level
from depgraph.base.schema import ARRAY_OF_TABLES, BOOL, MAPPING, NONEMPTY, STRINGS, Kind, Phrasing, Table
from depgraph.base.toml import dotted, read

TABLE = "tool.depgraph"

CHECK_IDS: tuple[str, ...] = tuple(sorted(DEFAULT_LEVELS))


@dataclass(frozen=True, slots=True)
class Restriction:
    """One `[[tool.depgraph.restrictions]]` entry (see the shared semantics in `depgraph/README.md`)."""

    name: str
    from_distributions: tuple[str, ...] = ()  # `from`: fnmatch globs of distribution names
    from_modules: tuple[str, ...] = ()  # `from-modules`: dotted prefixes, globs per segment
    allow: tuple[str, ...] = ()
    allow_modules: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    deny_modules: tuple[str, ...] = ()
    kinds: tuple[ImportKind, ...] = ()  # empty: every kind of import


@dataclass(frozen=True, slots=True)
class Config:
    root: Path  # the folder holding the pyproject.toml
    pyproject: Path
    project: Mapping[str, Any]  # the root's [project] table ({} when there is none)
    staging: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()  # folders (globs) of plugin distributions: the core never imports them
    distributions: tuple[str, ...] = ()
    # the core's folder: None for the root (when it is a distribution), "" for no core at all
    core: str | None = None
    vendor: str = "vendor"
    include_tests: bool = False
    # `check` also compiles every file (depgraph.extract.syntax), not only what the import scan reads
    full_syntax_check: bool = False
    tests: tuple[str, ...] = ("tests", "test")
    exclude: tuple[str, ...] = ()
    cache_dir: str = ".depgraph-cache"
    baseline: str = "depgraph-baseline.json"
    module_distributions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    checks: Mapping[str, Level] = field(default_factory=lambda: DEFAULT_LEVELS)
    restrictions: tuple[Restriction, ...] = ()
    # the interpreter whose installed metadata decides third-party ownership (None: the static mapping);
    # `python_where` names where it was given, for errors (the key, or `--python`)
    python: str | None = None
    python_where: str = ""

    def level(self, check: str) -> Level:
        return self.checks.get(check, Level.ERROR)

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    @property
    def baseline_path(self) -> Path:
        return self.root / self.baseline

    @property
    def vendor_path(self) -> Path:
        return self.root / self.vendor


def find_root(start: Path | None = None) -> Path:
    """The first folder from `start` (default: cwd) upwards whose pyproject.toml has [tool.depgraph]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            text = candidate.read_bytes()
        except OSError:
            continue
        if b"depgraph" in text and dotted(read(candidate), TABLE) is not None:
            return folder
    raise ConfigError(f"{here}: no pyproject.toml with a [{TABLE}] table here or in any parent folder")


# How [tool.depgraph] words its errors: `<file>: tool.depgraph.<key>: ...`.
_PHRASING = Phrasing(
    unknown="{where}.{key}: unknown key (known: {known})",
    missing="{where}.{key}: missing",
    wrong="{where}.{key}: expected {expected}, got {value}",
)
_CORE = Kind(
    'a folder of the repository ("libs/x", "." for the root) or false',
    "str",
    lambda v: v is False or (isinstance(v, str) and bool(v.strip("/"))),
)
_SCHEMA: Mapping[str, Kind] = {
    "core": _CORE,
    "plugins": STRINGS,
    "staging": STRINGS,
    "distributions": STRINGS,
    "vendor": NONEMPTY,
    "include-tests": BOOL,
    "full-syntax-check": BOOL,
    "tests": STRINGS,
    "exclude": STRINGS,
    "cache-dir": NONEMPTY,
    "baseline": NONEMPTY,
    "module-distributions": MAPPING,
    "checks": MAPPING,
    "restrictions": Kind(f"an array of tables ([[{TABLE}.restrictions]])", "list", ARRAY_OF_TABLES.test),
    "python": NONEMPTY,
}
_RESTRICTION_SCHEMA: Mapping[str, Kind] = {
    "name": NONEMPTY,
    **dict.fromkeys(
        ("from", "from-modules", "allow", "allow-modules", "deny", "deny-modules", "kinds"), STRINGS
    ),
}


def _at(t: Table, key: str) -> str:
    return f"{t.where}.{key}"


def _strings(t: Table, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(t.get(key, default))


def _restrictions(path: Path, value: list[dict[str, Any]]) -> tuple[Restriction, ...]:
    result: list[Restriction] = []
    names: set[str] = set()
    for index, table in enumerate(value):
        r = Table(table, _RESTRICTION_SCHEMA, f"{path}: {TABLE}.restrictions[{index}]", _PHRASING).closed()
        if "name" not in table:
            raise ConfigError(f"{_at(r, 'name')}: missing (every restriction needs a name)")
        name: str = r.get("name")
        if name in names:
            raise ConfigError(f"{_at(r, 'name')}: duplicate restriction name {name!r}")
        names.add(name)
        kinds: list[ImportKind] = []
        for kind in _strings(r, "kinds"):
            try:
                kinds.append(ImportKind.from_label(kind))
            except KeyError:
                allowed = ", ".join(k.label for k in SINGLE)
                raise ConfigError(f"{_at(r, 'kinds')}: unknown kind {kind!r} (one of: {allowed})") from None
        restriction = Restriction(
            name=name,
            from_distributions=_strings(r, "from"),
            from_modules=_strings(r, "from-modules"),
            allow=_strings(r, "allow"),
            allow_modules=_strings(r, "allow-modules"),
            deny=_strings(r, "deny"),
            deny_modules=_strings(r, "deny-modules"),
            kinds=tuple(kinds),
        )
        if not (restriction.from_distributions or restriction.from_modules):
            raise ConfigError(f"{_at(r, 'from')}: restriction {name!r} needs `from` or `from-modules`")
        if not (
            restriction.allow or restriction.allow_modules or restriction.deny or restriction.deny_modules
        ):
            raise ConfigError(f"{_at(r, 'deny')}: restriction {name!r} needs an allow or a deny list")
        result.append(restriction)
    return tuple(result)


def _checks(r: Table) -> Mapping[str, Level]:
    levels = dict(DEFAULT_LEVELS)
    for check, level in sorted(r.get("checks", {}).items()):
        if check not in DEFAULT_LEVELS:
            raise ConfigError(f"{_at(r, 'checks.' + check)}: unknown check (known: {', '.join(CHECK_IDS)})")
        try:
            levels[check] = Level(level)
        except ValueError:
            raise ConfigError(
                f'{_at(r, "checks." + check)}: expected "error", "warn" or "off", got {level!r}'
            ) from None
    return MappingProxyType(levels)


def _relative(r: Table, key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise ConfigError(f"{_at(r, key)}: {value!r} must be a path inside the repository")
    return tuple(v.rstrip("/") or "." for v in values)


def _core(r: Table) -> str | None:
    """`core = "libs/x"` (that distribution's folder), `core = false` (no core); absent: the root's."""
    value = r.get("core", None)
    if value is None:
        return None
    return "" if value is False else _relative(r, "core", (value,))[0]


def load_config(root: Path) -> Config:
    """Read and validate `<root>/pyproject.toml`'s [tool.depgraph] table (`Config.root` is made absolute)."""
    root = root.absolute()
    path = root / "pyproject.toml"
    data = read(path)
    table = dotted(data, TABLE)
    if table is None:
        raise ConfigError(f"{path}: no [{TABLE}] table")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {TABLE}: expected a table")
    r = Table(table, _SCHEMA, f"{path}: {TABLE}", _PHRASING).closed()
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise ConfigError(f"{path}: project: expected a table")
    module_distributions: dict[str, str] = {}
    for name, dist in sorted(r.get("module-distributions", {}).items()):
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(f"{_at(r, 'module-distributions.' + name)}: not a dotted module name")
        if not isinstance(dist, str) or not dist:
            raise ConfigError(f"{_at(r, 'module-distributions.' + name)}: expected a distribution name")
        module_distributions[name] = dist
    return Config(
        root=root,
        pyproject=path,
        project=MappingProxyType(project),
        staging=_relative(r, "staging", _strings(r, "staging")),
        plugins=_relative(r, "plugins", _strings(r, "plugins")),
        core=_core(r),
        distributions=_relative(r, "distributions", _strings(r, "distributions")),
        vendor=_relative(r, "vendor", (r.get("vendor", "vendor"),))[0],
        include_tests=r.get("include-tests", False),
        full_syntax_check=r.get("full-syntax-check", False),
        tests=_strings(r, "tests", ("tests", "test")),
        exclude=_strings(r, "exclude"),
        cache_dir=r.get("cache-dir", ".depgraph-cache"),
        baseline=r.get("baseline", "depgraph-baseline.json"),
        module_distributions=MappingProxyType(module_distributions),
        checks=_checks(r),
        restrictions=_restrictions(path, r.get("restrictions", [])),
        python=r.get("python", None),
        python_where=_at(r, "python"),
    )


def find_config(root: Path | None, python: str | None = None) -> Config:
    """The configuration of `root` (default: `find_root()` from the working folder); `python` (the
    `--python` option) replaces the `python` key when given."""
    config = load_config(root.resolve() if root else find_root())
    return config if python is None else replace(config, python=python, python_where="--python")
