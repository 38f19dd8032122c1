"""What each distribution costs, the Python form of Kubernetes' "kubelet without in-tree providers" table.

For a distribution D, each row gives two closures:

- import closure: the first-party modules reached from D's own (non-test) modules by imports that run
  (top-level, deferred, guarded and dynamic; not `if TYPE_CHECKING:` ones), with the packages above each
  module reached (importing `a.b` runs `a/__init__.py`), and their lines;
- installed closure: the distributions installed with D, following requirements from D's pyproject.toml
  and then each installed distribution's metadata (`Requires-Dist`), and their size on disk: RECORD sizes
  of installed third-party distributions, source bytes of first-party ones. Installed means installed in
  the environment named with `--python` or the `python` key, whose markers are evaluated too; depgraph's
  own environment is never read, so without one every third-party requirement is counted in `missing`,
  with no size, as is a requirement that environment does not have.

Rows per distribution: `all` (its dependencies and every extra but those for development: `test`, `tests`,
`testing`, `dev`, `develop`, `docs`, `doc`, `lint`, `typing`; everything it may load, e.g. the core with its
in-tree providers), `no extras` (when it has extras: what it needs to run) and `without S` for every
staging distribution S that D requires directly, in dependencies or extras (S and whatever only S brings
are left out, in both closures).
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from depgraph.base.imports import KINDS, ImportKind
from depgraph.base.model import Distribution, Origin
from depgraph.discover.environment import installed

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from depgraph.graph.graph import Graph

RUNTIME_KINDS = frozenset(k for k in KINDS.values() if not k & ImportKind.TYPE_CHECKING)
# Extras for developing a distribution, not for running it: never part of the `all` row.
DEV_EXTRAS = frozenset({"test", "tests", "testing", "dev", "develop", "docs", "doc", "lint", "typing"})


@dataclass(frozen=True, slots=True, order=True)
class Row:
    distribution: str
    variant: str  # "all", "no extras", "without <name>"
    modules: int  # first-party modules in the import closure
    lines: int  # their lines
    distributions: int  # installed closure, D included
    size: int  # bytes on disk of the installed closure
    missing: tuple[str, ...] = ()  # required but not installed here


def _norm(name: str) -> str:
    return str(canonicalize_name(name))


def _requirements(
    lines: Iterable[str], extras: Iterable[str], markers: Mapping[str, str] | None
) -> list[Requirement]:
    """The requirements that apply, for the given extras ("" = none): markers evaluated for the named
    environment (`markers`; None: the running interpreter's)."""
    result = []
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or any(
            req.marker.evaluate({**(markers or {}), "extra": e}) for e in ("", *extras)
        ):
            result.append(req)
    return result


class Footprint:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.environment = graph.environment
        self._found: dict[str, tuple[tuple[str, ...], int] | None] = {}
        self.first_party = {
            _norm(d.name): d for d in graph.distributions if d.origin is not Origin.THIRD_PARTY
        }
        # A module is (distribution, dotted name): two distributions may hold the same name.
        self.modules = {(m.distribution, m.name): m for m in graph.modules}
        self.sizes: dict[str, int] = {}
        self.lines: dict[tuple[str, str], int] = {}
        for m in graph.modules:
            try:
                data = (graph.root / m.path).read_bytes()
            except OSError:
                data = b""
            self.lines[m.distribution, m.name] = data.count(b"\n") + (
                1 if data and not data.endswith(b"\n") else 0
            )
            if not m.is_test:
                key = _norm(m.distribution)
                self.sizes[key] = self.sizes.get(key, 0) + len(data)
        self.imports: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for e in graph.edges:
            source, target = (
                (e.importer_distribution, e.importer),
                (e.imported_distribution or "", e.imported),
            )
            if e.kind in RUNTIME_KINDS and target in self.modules and target != source:
                self.imports.setdefault(source, set()).add(target)

    def _installed(self, name: str) -> tuple[tuple[str, ...], int] | None:
        """(Requires-Dist lines, bytes on disk) of a distribution installed in the named environment."""
        if name not in self._found:
            dist = installed(self.environment, name)
            size = sum(f.size or 0 for f in dist.files or ()) if dist is not None else 0
            self._found[name] = None if dist is None else (tuple(dist.requires or ()), size)
        return self._found[name]

    def import_closure(self, dist: str, without: set[str]) -> set[tuple[str, str]]:
        start = [
            (m.distribution, m.name) for m in self.graph.modules if m.distribution == dist and not m.is_test
        ]
        seen = set(start)
        queue = deque(start)
        while queue:
            for target in sorted(self._with_parents(self.imports.get(queue.popleft(), ()))):
                module = self.modules[target]
                if target in seen or module.is_test or _norm(module.distribution) in without:
                    continue
                seen.add(target)
                queue.append(target)
        return seen

    def _with_parents(self, targets: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Importing `a.b.c` runs `a` and `a.b` first: the packages above a module are in its closure too
        (those of the same distribution: a PEP 420 namespace has no module of its own)."""
        result: set[tuple[str, str]] = set()
        for dist, name in targets:
            parts = name.split(".")
            result.update(
                key for i in range(1, len(parts) + 1) if (key := (dist, ".".join(parts[:i]))) in self.modules
            )
        return result

    def install_closure(
        self, dist: Distribution, extras: bool, without: set[str]
    ) -> tuple[int, int, list[str]]:
        """(distributions, bytes, missing) installed with `dist` (with all its extras when `extras`)."""
        chosen = {e for e, _ in dist.extras if e not in DEV_EXTRAS} if extras else set()
        wanted: dict[str, set[str]] = {_norm(dist.name): chosen}
        queue = deque([_norm(dist.name)])
        done: set[tuple[str, frozenset[str]]] = set()
        missing: set[str] = set()
        while queue:
            name = queue.popleft()
            state = (name, frozenset(wanted[name]))
            if state in done:
                continue
            done.add(state)
            for req in self._requires(name, wanted[name], missing):
                target = _norm(req.name)
                if target in without:
                    continue
                before = wanted.get(target)
                merged = (before or set()) | set(req.extras)
                if before is None or merged != before:
                    wanted[target] = merged
                    queue.append(target)
        present = [n for n in wanted if n not in missing]
        size = sum(
            self.sizes.get(n, 0) if n in self.first_party else (self._installed(n) or ((), 0))[1]
            for n in present
        )
        return len(present), size, sorted(missing)

    def _requires(self, name: str, extras: set[str], missing: set[str]) -> list[Requirement]:
        own = self.first_party.get(name)
        if own is not None:
            chosen = dict(own.extras)
            lines = [*own.requires, *(r for e in sorted(extras) for r in chosen.get(e, ()))]
            return _requirements(lines, (), self.environment.markers)
        found = self._installed(name)
        if found is None:
            missing.add(name)
            return []
        return _requirements(found[0], sorted(extras), self.environment.markers)

    def rows(self, dist: Distribution) -> list[Row]:
        variants: list[tuple[str, bool, set[str]]] = [("all", True, set())]
        if any(e not in DEV_EXTRAS for e, _ in dist.extras):
            variants.append(("no extras", False, set()))
        runtime = [r for e, reqs in dist.extras if e not in DEV_EXTRAS for r in reqs]
        direct = {_norm(n) for n in _names([*dist.requires, *runtime])}
        for name in sorted(direct):
            other = self.first_party.get(name)
            if other is not None and other.origin is Origin.STAGING and other.name != dist.name:
                variants.append((f"without {other.name}", True, {name}))
        result = []
        for variant, extras, without in variants:
            modules = self.import_closure(dist.name, without)
            count, size, missing = self.install_closure(dist, extras, without)
            lines = sum(self.lines.get(m, 0) for m in modules)
            result.append(Row(dist.name, variant, len(modules), lines, count, size, tuple(missing)))
        return result


def _names(reqs: Iterable[str]) -> list[str]:
    names = []
    for line in reqs:
        try:
            names.append(Requirement(line).name)
        except InvalidRequirement:
            continue
    return names


def compute(graph: Graph, *, only: Iterable[str] = ()) -> list[Row]:
    """The rows of every first-party distribution (or just those named), core first, then by name."""
    footprint = Footprint(graph)
    wanted = {_norm(n) for n in only}
    chosen = [d for d in graph.distributions if d.origin is not Origin.THIRD_PARTY]
    from depgraph.checks.requirements import declared  # noqa: PLC0415

    for dist in chosen:  # a requirement that is not PEP 508 is a configuration error, as in `check`
        declared(graph.root, dist)
    if wanted:
        known = {_norm(d.name) for d in chosen}
        unknown = sorted(wanted - known)
        if unknown:
            from depgraph.base.errors import DepgraphError  # noqa: PLC0415

            names = ", ".join(sorted(d.name for d in chosen))
            raise DepgraphError(
                f"--distribution {unknown[0]}: not a distribution of the repository ({names})"
            )
        chosen = [d for d in chosen if _norm(d.name) in wanted]
    chosen.sort(key=lambda d: (d.origin is not Origin.CORE, d.name))
    return [row for d in chosen for row in footprint.rows(d)]


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover


HEADERS = ("distribution", "variant", "modules", "lines", "installed dists", "size", "size vs all")


def table(rows: list[Row]) -> list[tuple[str, ...]]:
    """The rows as cells (shared by the text and HTML tables): sizes human-readable, a delta against `all`."""
    full = {r.distribution: r for r in rows if r.variant == "all"}
    cells: list[tuple[str, ...]] = []
    for r in rows:
        base = full.get(r.distribution)
        delta = (
            ""
            if base is None or r is base
            else f"{'-' if r.size <= base.size else '+'}{human(abs(base.size - r.size))}"
        )
        size = human(r.size) + (f" (+{len(r.missing)} not installed)" if r.missing else "")
        cells.append(
            (r.distribution, r.variant, str(r.modules), str(r.lines), str(r.distributions), size, delta)
        )
    return cells


def to_text(rows: list[Row], python: str | None = None) -> str:
    """The table as text; `python`: the environment the installed closures were read from (None: none;
    the text says which case it is, not the path, so that it is the same on every machine)."""
    cells = [HEADERS, *table(rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    right = {2, 3, 4, 5, 6}
    lines = []
    for row in cells:
        parts = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("modules/lines: first-party import closure (top-level, deferred, guarded, dynamic imports);")
    if python is None:
        lines.append("installed dists/size: requirement closure from pyproject.toml; no environment named")
        lines.append(
            "  (--python PATH or the `python` key): third-party requirements count as not installed;"
        )
    else:
        lines.append(
            "installed dists/size: requirement closure from pyproject.toml and the installed metadata"
        )
        lines.append("  of the environment named (--python PATH or the `python` key);")
    lines.append(f"all: every extra but development ones ({', '.join(sorted(DEV_EXTRAS))})")
    return "\n".join(lines) + "\n"


def to_json(rows: list[Row]) -> str:
    data = {
        "version": 1,
        "tool": "depgraph",
        "footprint": [asdict(r) | {"missing": list(r.missing)} for r in rows],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


__all__ = ["HEADERS", "Footprint", "Row", "compute", "human", "table", "to_json", "to_text"]
