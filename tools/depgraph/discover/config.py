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


class _Reader:
    """Takes typed values out of one table, naming `file: key` in every error."""

    def __init__(self, path: Path, prefix: str, table: Mapping[str, Any]) -> None:
        self.path, self.prefix, self.table = path, prefix, table

    def where(self, key: str) -> str:
        return f"{self.path}: {self.prefix}.{key}"

    def unknown(self, known: set[str]) -> None:
        for key in sorted(set(self.table) - known):
            raise ConfigError(f"{self.where(key)}: unknown key (known: {', '.join(sorted(known))})")

    def string(self, key: str, default: str) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self.where(key)}: expected a non-empty string, got {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.where(key)}: expected true or false, got {value!r}")
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self.where(key)}: expected a list of non-empty strings, got {value!r}")
        return tuple(value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.where(key)}: expected a table, got {value!r}")
        return value


_KEYS = {
    "core",
    "plugins",
    "staging",
    "distributions",
    "vendor",
    "include-tests",
    "full-syntax-check",
    "tests",
    "exclude",
    "cache-dir",
    "baseline",
    "module-distributions",
    "checks",
    "restrictions",
    "python",
}
_RESTRICTION_KEYS = {
    "name",
    "from",
    "from-modules",
    "allow",
    "allow-modules",
    "deny",
    "deny-modules",
    "kinds",
}


def _restrictions(path: Path, value: Any) -> tuple[Restriction, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(
            f"{path}: {TABLE}.restrictions: expected an array of tables ([[{TABLE}.restrictions]])"
        )
    result: list[Restriction] = []
    names: set[str] = set()
    for index, table in enumerate(value):
        r = _Reader(path, f"{TABLE}.restrictions[{index}]", table)
        r.unknown(_RESTRICTION_KEYS)
        if "name" not in table:
            raise ConfigError(f"{r.where('name')}: missing (every restriction needs a name)")
        name = r.string("name", "")
        if name in names:
            raise ConfigError(f"{r.where('name')}: duplicate restriction name {name!r}")
        names.add(name)
        kinds: list[ImportKind] = []
        for kind in r.strings("kinds"):
            try:
                kinds.append(ImportKind.from_label(kind))
            except KeyError:
                allowed = ", ".join(k.label for k in SINGLE)
                raise ConfigError(f"{r.where('kinds')}: unknown kind {kind!r} (one of: {allowed})") from None
        restriction = Restriction(
            name=name,
            from_distributions=r.strings("from"),
            from_modules=r.strings("from-modules"),
            allow=r.strings("allow"),
            allow_modules=r.strings("allow-modules"),
            deny=r.strings("deny"),
            deny_modules=r.strings("deny-modules"),
            kinds=tuple(kinds),
        )
        if not (restriction.from_distributions or restriction.from_modules):
            raise ConfigError(f"{r.where('from')}: restriction {name!r} needs `from` or `from-modules`")
        if not (
            restriction.allow or restriction.allow_modules or restriction.deny or restriction.deny_modules
        ):
            raise ConfigError(f"{r.where('deny')}: restriction {name!r} needs an allow or a deny list")
        result.append(restriction)
    return tuple(result)


def _checks(r: _Reader) -> Mapping[str, Level]:
    levels = dict(DEFAULT_LEVELS)
    for check, level in sorted(r.mapping("checks").items()):
        if check not in DEFAULT_LEVELS:
            raise ConfigError(f"{r.where('checks.' + check)}: unknown check (known: {', '.join(CHECK_IDS)})")
        try:
            levels[check] = Level(level)
        except ValueError:
            raise ConfigError(
                f'{r.where("checks." + check)}: expected "error", "warn" or "off", got {level!r}'
            ) from None
    return MappingProxyType(levels)


def _relative(r: _Reader, key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise ConfigError(f"{r.where(key)}: {value!r} must be a path inside the repository")
    return tuple(v.rstrip("/") or "." for v in values)


def _core(r: _Reader, table: Mapping[str, Any]) -> str | None:
    """`core = "libs/x"` (that distribution's folder), `core = false` (no core); absent: the root's."""
    if "core" not in table:
        return None
    value = table["core"]
    if value is False:
        return ""
    if not isinstance(value, str) or not value.strip("/"):
        raise ConfigError(
            f'{r.where("core")}: expected a folder of the repository ("libs/x", "." for the root) or false, '
            f"got {value!r}"
        )
    return _relative(r, "core", (value,))[0]


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
    r = _Reader(path, TABLE, table)
    r.unknown(_KEYS)
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise ConfigError(f"{path}: project: expected a table")
    module_distributions: dict[str, str] = {}
    for name, dist in sorted(r.mapping("module-distributions").items()):
        if not all(part.isidentifier() for part in name.split(".")):
            raise ConfigError(f"{r.where('module-distributions.' + name)}: not a dotted module name")
        if not isinstance(dist, str) or not dist:
            raise ConfigError(f"{r.where('module-distributions.' + name)}: expected a distribution name")
        module_distributions[name] = dist
    return Config(
        root=root,
        pyproject=path,
        project=MappingProxyType(project),
        staging=_relative(r, "staging", r.strings("staging")),
        plugins=_relative(r, "plugins", r.strings("plugins")),
        core=_core(r, table),
        distributions=_relative(r, "distributions", r.strings("distributions")),
        vendor=_relative(r, "vendor", (r.string("vendor", "vendor"),))[0],
        include_tests=r.boolean("include-tests", False),
        full_syntax_check=r.boolean("full-syntax-check", False),
        tests=r.strings("tests", ("tests", "test")),
        exclude=r.strings("exclude"),
        cache_dir=r.string("cache-dir", ".depgraph-cache"),
        baseline=r.string("baseline", "depgraph-baseline.json"),
        module_distributions=MappingProxyType(module_distributions),
        checks=_checks(r),
        restrictions=_restrictions(path, table.get("restrictions", [])),
        python=r.string("python", "-") if "python" in table else None,
        python_where=r.where("python"),
    )


def find_config(root: Path | None, python: str | None = None) -> Config:
    """The configuration of `root` (default: `find_root()` from the working folder); `python` (the
    `--python` option) replaces the `python` key when given."""
    config = load_config(root.resolve() if root else find_root())
    return config if python is None else replace(config, python=python, python_where="--python")
