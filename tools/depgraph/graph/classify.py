"""Which distribution an imported module belongs to, and where it comes from.

Order: the `module-distributions` override (the user said so), the repository's own modules (first-party
wins: our packages are also installed editable, and a file in the tree is the truth), the standard library
(of the chosen interpreter), then third-party ownership: the installed distributions of the environment
given with `--python` / `python` (import name -> distribution from their metadata, read statically), then
the static mapping from declared requirement names (`depgraph.discover.import_names`: the importer's own
requirements first, then every first-party distribution's, then the table of common distributions whose
import name differs from their name), else unknown. Without an environment nothing installed anywhere
decides. The metadata map costs ~0.1 s to build, so it is cached in the cache folder, keyed by the
environment's path entries and the names of every `*.dist-info`/`*.egg-info` entry there (installing or
upgrading anything renames one).
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path, PurePath

from depgraph.base.model import Origin
from depgraph.discover.environment import STATIC, Environment
from depgraph.discover.import_names import owners_of, provided_by, unversioned
from depgraph.discover.workspace import Workspace, normalize
from depgraph.extract.cachedir import make_cache_dir

_MAP_VERSION = 3
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def _metadata_fingerprint(env: Environment) -> str:
    """What the installed map depends on: the environment's path entries and their metadata folders' names."""
    import hashlib  # noqa: PLC0415 - only with a cache folder

    digest = hashlib.blake2b(f"{_MAP_VERSION}{env.key()}{env.version}".encode(), digest_size=16)
    for entry in env.paths:
        try:
            with os.scandir(entry or ".") as it:
                names = sorted(e.name for e in it if e.name.endswith((".dist-info", ".egg-info", ".pth")))
        except OSError:
            continue
        if names:  # entries without metadata (the script's folder, the cwd) do not change the map
            digest.update(f"{entry}\0{'|'.join(names)}\n".encode())
    return digest.hexdigest()


_NAME_LINE = re.compile(r"^Name:[ \t]*(\S.*?)[ \t]*$", re.MULTILINE)


def _tops_of_record(record: str) -> set[str]:
    """Top-level import names from a RECORD's paths (`pkg/...` folders and top-level `mod.py` files)."""
    tops: set[str] = set()
    for line in record.splitlines():
        path = line.rsplit(",", 2)[0].strip('"')
        first, slash, _ = path.partition("/")
        if slash:
            if "." not in first and first != "__pycache__":
                tops.add(first)
        elif first.endswith(".py"):
            tops.add(first[:-3])
    return tops


def _metadata_folders(paths: tuple[str, ...]) -> list[str] | None:
    """Every `*.dist-info` and `*.egg-info` folder on the path entries, in order; None when an entry is an
    archive (a zip or egg file: `importlib.metadata` reads those)."""
    found: list[str] = []
    for entry in paths:
        where = entry or "."
        try:
            names = sorted(os.listdir(where))  # noqa: PTH208 - str paths, one call per sys.path entry
        except NotADirectoryError:
            return None
        except OSError:
            continue
        found += [f"{where}{os.sep}{n}" for n in names if n.endswith((".dist-info", ".egg-info"))]
    return found


def _read(folder: str, name: str) -> str | None:
    try:
        with open(f"{folder}{os.sep}{name}", encoding="utf-8") as handle:  # noqa: PTH123 - many small files
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _tops_of_paths(files: Iterable[PurePath]) -> set[str]:
    """Top-level names from a distribution's file list (top-level packages and modules)."""
    tops: set[str] = set()
    for file in files:
        first = file.parts[0] if file.parts else ""
        if len(file.parts) == 1 and first.endswith(".py"):
            tops.add(first[:-3])
        elif len(file.parts) > 1 and "." not in first and first != "__pycache__":
            tops.add(first)
    return tops


def _add_distribution(
    found: dict[str, set[str]],
    read: Callable[[str], str | None],
    files: Callable[[], Iterable[PurePath] | None],
) -> None:
    """Add one distribution's import names: from top_level.txt, else RECORD, else its file list."""
    name = _name_of(read("METADATA") or read("PKG-INFO") or "")
    if not name:
        return
    top_level = read("top_level.txt")
    if top_level is not None:
        tops = {line.strip().split("/")[0] for line in top_level.splitlines() if line.strip()}
    else:
        record = read("RECORD")
        tops = _tops_of_record(record) if record is not None else _tops_of_paths(files() or ())
    for top in tops:
        if top.isidentifier():
            found.setdefault(top, set()).add(name)


def _scan_installed(paths: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Import name -> distributions, from each distribution's top_level.txt, else from its file list.

    (`importlib.metadata.packages_distributions` only reads top_level.txt before Python 3.11, and wheels
    built by flit, hatch or poetry have none.) The metadata folders on sys.path are read directly, the
    name from the `Name:` header with a regular expression: `importlib.metadata` costs ~20 ms to import
    and its email parser ~0.5 ms a distribution. Archives on sys.path are left to `importlib.metadata`.
    """
    folders = _metadata_folders(paths)
    if folders is None:
        return _scan_with_importlib(paths)
    found: dict[str, set[str]] = {}
    for folder in folders:

        def files(folder: str = folder) -> Iterable[PurePath] | None:
            from importlib.metadata import PathDistribution  # noqa: PLC0415 - rare: no RECORD

            return PathDistribution(Path(folder)).files

        _add_distribution(found, partial(_read, folder), files)
    return {top: tuple(sorted(names)) for top, names in sorted(found.items())}


def _name_of(header: str) -> str | None:
    match = _NAME_LINE.search(header, 0, max(0, header.find("\n\n")) or len(header))
    return match.group(1) if match else None


def _scan_with_importlib(paths: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    from importlib.metadata import distributions  # noqa: PLC0415 - only with an archive on sys.path

    found: dict[str, set[str]] = {}
    for dist in distributions(path=list(paths)):
        _add_distribution(found, dist.read_text, lambda dist=dist: dist.files)  # type: ignore[misc]
    return {top: tuple(sorted(names)) for top, names in sorted(found.items())}


def installed_packages(cache_dir: Path | None, env: Environment) -> Mapping[str, tuple[str, ...]]:
    """Top-level import name -> distribution names installed in `env` (none in the static one), cached when
    `cache_dir` is given."""
    if env.static:
        return {}
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"installed-{_metadata_fingerprint(env)}.marshal"
        try:
            cached = marshal.loads(cache_file.read_bytes())
            if isinstance(cached, dict):
                return cached
        except (OSError, EOFError, ValueError, TypeError):
            pass
    mapping = _scan_installed(env.paths)
    if cache_file is not None:
        try:
            make_cache_dir(cache_file.parent)
            import tempfile  # noqa: PLC0415 - only when the map is written (cold cache)

            fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".installed-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(mapping, fh)
            Path(tmp).replace(cache_file)  # atomic: a concurrent run reads the old or the new file
            for old in cache_file.parent.glob("installed-*.*"):
                if old != cache_file:
                    old.unlink(missing_ok=True)  # another environment's map; it rebuilds if still needed
        except OSError:
            pass  # a read-only cache folder only costs time
    return mapping


def _segments_match(prefix: str, name: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


class Classifier:
    """Memoised `classify(module, importer_distribution) -> (distribution or None, Origin)`."""

    def __init__(self, ws: Workspace, cache_dir: Path | None, env: Environment = STATIC) -> None:
        self.ws = ws
        self.cache_dir = cache_dir
        self.env = env
        self.stdlib = env.stdlib | {"__main__"}  # the running script: never a dependency
        self.overrides = sorted(ws.config.module_distributions.items(), key=lambda kv: -kv[0].count("."))
        self.by_norm = {normalize(d.name): d for d in ws.distributions}
        self.origins = {d.name: d.origin for d in ws.distributions}
        self.top_level: dict[str, list[str]] = {}
        for dist in ws.distributions:
            for name in dist.import_packages:
                self.top_level.setdefault(name, []).append(dist.name)
        self._installed: Mapping[str, tuple[str, ...]] | None = None
        self._memo: dict[tuple[str, str], tuple[str | None, Origin]] = {}
        self._deep: dict[str, dict[str, set[str]]] = {}
        self._requirements: dict[str, dict[str, str]] = {}
        self._shared: dict[str, bool] = {}
        self._indexes: dict[str, dict[str, str]] = {}  # importer ("" for all) -> import name -> requirement
        self._below: set[str] | None = None

    def prepare(self) -> None:
        """Load the installed-distribution map now (workers forked afterwards share it)."""
        if self._installed is None:
            self._installed = installed_packages(self.cache_dir, self.env)

    def _named(self, dist: str) -> tuple[str, Origin]:
        own = self.by_norm.get(normalize(dist))
        return (own.name, own.origin) if own else (dist, Origin.THIRD_PARTY)

    def origin(self, dist: str) -> Origin:
        return self.origins[dist]

    def first_party(self, module: str, importer: str) -> str | None:
        """The workspace distribution holding `module` (or its nearest known parent); the importer's first."""
        own = self.ws.by_distribution.get(importer, {})
        name = module
        while name:
            if name in own:
                return importer
            found = self.ws.by_name.get(name)
            if found is not None:
                return found.distribution
            holders = self.ws.namespaces.get(name)
            if holders:
                if name != module:  # below a namespace package, in no portion here: another portion's
                    return None
                return importer if importer in holders else holders[0]
            name = name.rpartition(".")[0]
        top = module.partition(".")[0]
        holders_ = self.top_level.get(top)
        if holders_ and top not in self.ws.namespaces:
            return importer if importer in holders_ else holders_[0]
        return None

    def classify(self, module: str, importer: str) -> tuple[str | None, Origin]:
        key = (module, importer)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._classify(module, importer)
        return hit

    def _classify(self, module: str, importer: str) -> tuple[str | None, Origin]:
        if not module or module.startswith("."):
            return None, Origin.UNKNOWN  # a relative import climbing past its top-level package
        for prefix, dist in self.overrides:
            if _segments_match(prefix, module):
                return self._named(dist)
        owner = self.first_party(module, importer)
        if owner is not None:
            return owner, self.origins[owner]
        top = module.partition(".")[0]
        if top in self.stdlib:
            return None, Origin.STDLIB
        if self._installed is None:
            self._installed = installed_packages(self.cache_dir, self.env)
        dists = self._installed.get(top)
        if dists:
            if len(dists) == 1:
                return self._named(dists[0])
            return self._named(self._disambiguate(top, dists, module))
        # not installed there (or no environment): the static mapping
        owner = self._static_owner(module, importer)
        return self._named(owner) if owner is not None else (None, Origin.UNKNOWN)

    def _index(self, importer: str, groups: bool = False) -> dict[str, str]:
        """Lower-case dotted import name -> requirement name, for the requirements `importer` declares
        (`""`: those of every first-party distribution), by `depgraph.discover.import_names.provided_by`:
        its dependencies and extras, or (`groups`) its development groups."""
        key = f"{importer}\0{groups}"
        index = self._indexes.get(key)
        if index is None:
            index = {}
            dists = [importer] if importer else sorted(d.name for d in self.ws.distributions)
            for dist in dists:
                for written in self._declared(dist, groups).values():
                    for name in provided_by(written):
                        index.setdefault(name.lower(), written)
            self._indexes[key] = index
        return index

    def _static_owner(self, module: str, importer: str) -> str | None:
        """The distribution that provides `module` as far as names tell: the longest dotted prefix of it
        that a requirement of the importer provides, else one of any first-party distribution, else a
        development group's (the importer's, then any), else the table of common distributions (when it
        names exactly one)."""
        parts = module.lower().split(".")
        prefixes = []
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            prefixes.append(prefix)
            stem = unversioned(prefix)
            if stem is not None:
                prefixes.append(stem)
        indexes = (self._index(importer), self._index(""), self._index(importer, True), self._index("", True))
        for index in indexes:
            for prefix in prefixes:
                found = index.get(prefix)
                if found is not None:
                    return found
        for prefix in prefixes:
            owners = owners_of(prefix)
            if owners:
                return owners[0] if len(owners) == 1 else None
        return None

    def _statically_below(self, module: str) -> bool:
        """Whether the static mapping knows a distribution providing a module below `module` (so `module`
        is a namespace package: `google` for `google.protobuf`)."""
        if self._below is None:
            from depgraph.discover.import_names import namespaces  # noqa: PLC0415

            below = set(namespaces())
            for name in self._index(""):
                parts = name.split(".")
                below.update(".".join(parts[:end]) for end in range(1, len(parts)))
            self._below = below
        return module.lower() in self._below

    def _declared(self, importer: str, groups: bool = False) -> dict[str, str]:
        """Normalised name -> name of every requirement the importer declares: its dependencies and extras;
        or (`groups`) its development groups, which do not declare what a package imports but do say who
        owns a name (`google-cloud-datastore` in a test group owns `google.cloud.datastore`)."""
        key = f"{importer}\0{groups}"
        found = self._requirements.get(key)
        if found is None:
            found = {}
            dist = self.by_norm.get(normalize(importer))
            if dist is not None:
                if groups:
                    texts: Iterable[str] = (d.text for d in dist.declared if d.group.startswith("group:"))
                else:
                    texts = (*dist.requires, *(r for _, reqs in dist.extras for r in reqs))
                for text in texts:
                    match = _REQUIREMENT_NAME.match(text)
                    if match:
                        found.setdefault(normalize(match.group(0)), match.group(0))
            self._requirements[key] = found
        return found

    def shared_namespace(self, module: str) -> bool:
        """Whether `module` lies in a namespace package several installed distributions share (`google`)."""
        known = self._shared.get(module)
        if known is None:
            top = module.partition(".")[0]
            if top in self.stdlib or self.first_party(module, "") is not None:
                known = False
            else:
                if self._installed is None:
                    self._installed = installed_packages(self.cache_dir, self.env)
                holders = self._installed.get(top, ())
                known = len(holders) > 1 if holders else self._statically_below(module)
            self._shared[module] = known
        return known

    def _disambiguate(self, top: str, dists: tuple[str, ...], module: str) -> str:
        """Several distributions share a top-level name (a namespace package): look at their files.

        Every package and module path of their files names its holders; the longest prefix of `module`
        that only one distribution holds decides (`google.cloud.storage.blob` -> google-cloud-storage).
        """
        deep = self._deep.get(top)
        if deep is None:
            from importlib.metadata import distributions  # noqa: PLC0415 - rare

            deep = {}
            for dist in dists:
                found = next(iter(distributions(name=dist, path=list(self.env.paths))), None)
                files = (found.files or []) if found is not None else []
                for file in files:
                    parts = list(file.parts)
                    if len(parts) < 2 or parts[0] != top or not parts[-1].endswith(".py"):
                        continue
                    parts[-1] = parts[-1][:-3]
                    if parts[-1] == "__init__":
                        parts.pop()
                    for end in range(2, len(parts) + 1):
                        deep.setdefault(".".join(parts[:end]), set()).add(dist)
            self._deep[top] = deep
        parts = module.split(".")
        for end in range(len(parts), 1, -1):
            holders = deep.get(".".join(parts[:end]))
            if holders is not None and len(holders) == 1:
                return next(iter(holders))
        return dists[0]
