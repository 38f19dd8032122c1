"""The import graph of a monorepo: its distributions, modules, and one edge per import statement and target.

`build_graph` = workspace discovery + extraction (`depgraph.extract.pool.scan`, cached by content) +
resolution: `from pkg import name` reaches `pkg.name` when that is a module (or namespace package) of the
repository, or when `pkg` is a namespace package several installed distributions share (`from google.cloud
import storage`), else `pkg`; every target is then classified (core, staging, first-party, third-party,
stdlib, unknown; see `depgraph.graph.classify`). A test importing a helper by its bare name (`import
fixtures`, which pytest's rootdir insertion makes work) reaches that helper in its own distribution's tests
folders.
No graph library here (the cycle checks work on plain dicts: `depgraph.checks.cycles`).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depgraph.base import catalog
from depgraph.base.imports import KINDS, FileImports, ImportKind, ImportRecord, SourceFile, Suppression
from depgraph.base.model import Distribution, Edge, Finding, Level, Module, Origin, module_ids
from depgraph.discover.config import Config
from depgraph.discover.environment import STATIC, Environment, of_config
from depgraph.discover.workspace import Workspace, load_workspace
from depgraph.extract.pool import extract_resolved
from depgraph.graph.classify import Classifier
from depgraph.graph.snapshot import BuildInfo, FileImportsMap, Probe, Row, Store, context_key

PARSE_ERROR = catalog.PARSE_ERROR.id
FEW_PENDING = 20  # at most 1 file in this many to extract: the extraction cache is left alone
_KINDS = KINDS
_ORIGINS = {origin.value: origin for origin in Origin}


@dataclass(frozen=True, slots=True)
class Graph:
    root: Path
    config: Config
    distributions: tuple[Distribution, ...]  # sorted by name
    modules: tuple[Module, ...]  # sorted
    edges: tuple[Edge, ...]  # sorted
    findings: tuple[Finding, ...]  # parse errors, sorted
    namespaces: Mapping[str, tuple[str, ...]]  # PEP 420 namespace package -> distributions holding portions
    imports: Mapping[str, FileImports]  # repo-relative path -> what the extractor found (suppressions too)
    # repo-relative path -> BLAKE2b-128 of the content, for the files the build hashed (with the cache on)
    digests: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    # repo-relative path -> its suppression comments, for every module (those of `imports`, without
    # reading all of it)
    suppressions: Mapping[str, tuple[Suppression, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # where third-party ownership was read (`--python`), or the static mapping alone
    environment: Environment = field(default=STATIC, compare=False, repr=False)

    def distribution(self, name: str) -> Distribution | None:
        return next((d for d in self.distributions if d.name == name), None)

    def dependency_counts(self, *, include_tests: bool = True) -> dict[tuple[str, str], int]:
        """(importer distribution, imported distribution) -> number of edges, between different distributions.

        Standard-library and unknown targets are left out; third-party ones are in.
        """
        tests = set() if include_tests else {m.path for m in self.modules if m.is_test}
        counts: Counter[tuple[str, str]] = Counter()
        for e in self.edges:
            target = e.imported_distribution
            if target is not None and target != e.importer_distribution and e.path not in tests:
                counts[e.importer_distribution, target] += 1
        return {pair: counts[pair] for pair in sorted(counts)}

    def adjacency(self, kinds: Collection[ImportKind] | None = None) -> dict[str, tuple[str, ...]]:
        """Module -> the repository modules it imports (sorted), by edges of the given kinds (default all).

        Named as `depgraph.base.model.module_ids` says (with the distribution when several hold the name).
        """
        ids = module_ids(self.modules)
        targets: dict[str, set[str]] = {}
        for e in self.edges:
            source = ids[e.importer_distribution, e.importer]
            target = ids.get((e.imported_distribution or "", e.imported))
            if (
                (kinds is None or any(k in kinds for k in e.kind.parts))
                and target is not None
                and target != source
            ):
                targets.setdefault(source, set()).add(target)
        return {name: tuple(sorted(targets[name])) for name in sorted(targets)}


def _targets(record: ImportRecord, ws: Workspace, classifier: Classifier) -> list[str]:
    """The modules one record reaches: `from p import a, b` gives p.a / p.b when they are modules, else p.

    In a namespace package that several installed distributions share (`from google.cloud import storage`),
    or a PEP 420 namespace package of this repository (`from opentelemetry.propagators import textmap`),
    the names are taken as modules, so each reaches the distribution that holds it.
    """
    if not record.names:
        return [record.module]
    base = record.module
    found: list[str] = []
    plain = False
    shared: bool | None = None  # asked once, and only when a name is not one of ours
    for name in record.names:
        full = f"{base}.{name}" if base else name
        if name == "*":
            plain = True
            continue
        if full in ws.by_name or full in ws.namespaces:
            found.append(full)
            continue
        if shared is None:  # a namespace package has no attributes: its names are portions' modules
            shared = base in ws.namespaces or classifier.shared_namespace(base)
        if shared:
            found.append(full)
        else:
            plain = True
    if plain or not found:
        found.insert(0, base)
    return found


def _test_helpers(ws: Workspace) -> dict[tuple[str, str], str]:
    """(distribution, bare name) -> test module: pytest puts test folders on sys.path, so `import fixtures`
    in a test reaches `tests/fixtures.py` (first by name when several folders hold one)."""
    index: dict[tuple[str, str], str] = {}
    for module in ws.modules:
        if module.is_test:
            index.setdefault((module.distribution, module.name.rpartition(".")[2]), module.name)
    return index


def _file_rows(
    module: Module,
    found: FileImports,
    ws: Workspace,
    classifier: Classifier,
    helpers: Mapping[tuple[str, str], str],
) -> tuple[Row, ...]:
    """One file's edges as sorted, distinct rows (Edge's fields without those fixed by the file, enum values
    for kind and origin): sorting the full rows of all files gives the same order file by file."""
    dist = module.distribution
    rows: set[Row] = set()
    for record in found.records:
        kind = int(record.kind)
        for reached in _targets(record, ws, classifier):
            target = reached
            imported_dist, origin = classifier.classify(target, dist)
            if origin is Origin.UNKNOWN and module.is_test and (dist, target) in helpers:
                target, imported_dist, origin = helpers[dist, target], dist, classifier.origin(dist)
            rows.add((record.line, target, kind, record.text, imported_dist, origin.value))
    return tuple(sorted(rows))


def parse_error(
    path: str, error: tuple[int, str], level: Level, what: str = "cannot read imports"
) -> Finding:
    """The `parse-error` finding of one file: `error` is (line, message)."""
    line, message = error
    return Finding(
        PARSE_ERROR,
        level,
        path,
        line,
        f"{what}: {message}",
        hint="fix the file, or leave it out with `exclude` in [tool.depgraph]",
        key=f"{PARSE_ERROR}:{path}",
    )


def build_graph(
    root: Path,
    config: Config,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    info: BuildInfo | None = None,
    workspace: Workspace | None = None,
) -> Graph:
    """Discover, extract and resolve. Files that cannot be read or parsed become `parse-error` findings.

    With the cache, a file whose content (and context: see `depgraph.graph.snapshot`) is unchanged keeps the
    rows resolved before; only the others are extracted (or taken from the extraction cache) and resolved.
    `info`, when given, receives the counts of what was reused; `workspace`, when given, is the repository's
    as `load_workspace` gives it for this configuration (not loaded again).
    """
    collecting = gc.isenabled()
    gc.disable()  # ~100k new tuples and strings, no cycles: the collector would only walk them (~15%)
    try:
        return _build(root, config, use_cache, jobs, info if info is not None else BuildInfo(), workspace)
    finally:
        if collecting:
            gc.enable()


@dataclass(slots=True)
class _Files:
    """What a build knows of each file, path by path, filled by the phases of `_build`."""

    rows: dict[str, tuple[Row, ...]] = field(default_factory=dict)  # resolved edge rows
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)  # (line, message) of a parse error
    ready: dict[str, FileImports | tuple[Any, ...]] = field(default_factory=dict)  # as a worker sent it
    digests: dict[str, bytes] = field(default_factory=dict)
    suppressions: dict[str, tuple[Suppression, ...]] = field(default_factory=dict)
    pending: list[tuple[Module, Probe]] = field(default_factory=list)  # to extract and resolve
    reused: list[tuple[bytes, str, bool]] = field(default_factory=list)  # extraction cache keys kept


def extraction_cache_pays(pending: int, files: int, graph_cached: bool) -> bool:
    """Whether to read and write the extraction cache for `pending` of `files` files: it pays off when many
    miss the graph cache (a configuration change, a branch switch, no graph cache at all); for a few edited
    files, loading and rewriting it costs more than extracting them."""
    return not graph_cached or pending * FEW_PENDING > files


def edges_of(modules: Collection[Module], rows: Mapping[str, tuple[Row, ...]]) -> tuple[Edge, ...]:
    """The graph's edges from each file's resolved rows: file by file in path order, each file's rows in
    their (sorted) order, so the edges come out sorted without sorting them."""
    new = tuple.__new__
    kinds, origins = _KINDS, _ORIGINS
    by_path = {m.path: m for m in modules}
    edges: list[Edge] = []
    for path in sorted(by_path):
        module = by_path[path]
        name, dist = module.name, module.distribution
        edges += [
            new(Edge, (path, line, name, target, kinds[kind], text, dist, imported, origins[origin]))
            for line, target, kind, text, imported, origin in rows[path]
        ]
    return tuple(edges)


def _reuse(ws: Workspace, store: Store | None) -> _Files:
    """Phase 1: every file the graph cache still holds keeps its rows; the others are pending."""
    files = _Files()
    new = tuple.__new__
    prefix = f"{ws.root}{os.sep}"
    for module in ws.modules:
        probe = (
            store.probe(module.path, prefix + module.path)
            if store is not None
            else Probe(None, None, None, None)  # read by the process that extracts it
        )
        entry = probe.entry
        if entry is None:
            files.pending.append((module, probe))
            if probe.digest is not None:
                files.digests[module.path] = probe.digest
            continue
        files.rows[module.path] = entry.rows
        files.digests[module.path] = entry.digest
        if entry.suppressions:
            files.suppressions[module.path] = tuple(new(Suppression, one) for one in entry.suppressions)
        files.reused.append((entry.digest, module.name, module.is_package))
        if entry.error is not None:
            files.errors[module.path] = entry.error
    return files


def _extract(
    ws: Workspace,
    files: _Files,
    *,
    store: Store | None,
    cache_dir: Path | None,
    env: Environment,
    jobs: int | None,
) -> None:
    """Phase 2: extract and resolve the pending files (in parallel when worth it), into `files` and the
    graph cache."""
    from depgraph.extract.cache import error_of  # noqa: PLC0415 - it imports hashlib: not on the warm path

    pending, new = files.pending, tuple.__new__
    prefix = f"{ws.root}{os.sep}"
    loaded = [(SourceFile(prefix + m.path, m.name, m.is_package), p.data, p.digest) for m, p in pending]
    classifier = Classifier(ws, cache_dir, env)
    classifier.prepare()  # before any worker starts: each inherits the installed map
    helpers = _test_helpers(ws)

    def resolve(index: int, found: FileImports) -> tuple[Row, ...]:
        return _file_rows(pending[index][0], found, ws, classifier, helpers)

    pays = extraction_cache_pays(len(pending), len(ws.modules), store is not None)
    results = extract_resolved(
        loaded,
        cache_dir=cache_dir if pays else None,
        jobs=jobs,
        keep=files.reused,
        resolve=resolve,
        thawed=False,
        digests=store is not None,  # the graph cache keeps each file's
    )
    for (module, probe), (result, found, digest) in zip(pending, results, strict=True):
        files.ready[module.path] = result
        files.rows[module.path] = found
        if digest is not None and store is not None:
            files.digests[module.path] = digest
        error = error_of(result)
        if error is not None:
            files.errors[module.path] = error
        found_sups = result.suppressions if isinstance(result, FileImports) else result[2]
        if found_sups:
            files.suppressions[module.path] = tuple(new(Suppression, one) for one in found_sups)
        if store is not None:
            store.add(module.path, probe, found, result, digest)


def _build(  # noqa: PLR0917 - build_graph's options, passed on
    root: Path, config: Config, use_cache: bool, jobs: int | None, info: BuildInfo, ws: Workspace | None
) -> Graph:
    """Discover (unless given); reuse what the graph cache holds; extract and resolve the rest; assemble."""
    if ws is None:
        ws = load_workspace(root, config)
    cache_dir = config.cache_path if use_cache else None
    env = of_config(config, cache_dir)
    store = Store(cache_dir, context_key(ws, config, env), info) if cache_dir is not None else None
    files = _reuse(ws, store)
    info.files = len(ws.modules)
    info.resolved = len(files.pending)
    if files.pending:
        _extract(ws, files, store=store, cache_dir=cache_dir, env=env, jobs=jobs)
    if store is not None:
        info.written = store.save()
        info.context = store.context
        info.stamps = store.stamps()
    level = config.level(PARSE_ERROR)
    return Graph(
        root=ws.root,
        config=config,
        distributions=ws.distributions,
        modules=ws.modules,
        edges=edges_of(ws.modules, files.rows),
        findings=tuple(sorted(parse_error(p, e, level) for p, e in files.errors.items())),
        namespaces=ws.namespaces,
        imports=FileImportsMap(
            [m.path for m in ws.modules], files.ready, store.old_frozen if store else dict
        ),
        digests=files.digests,
        suppressions={m.path: files.suppressions.get(m.path, ()) for m in ws.modules},
        environment=env,
    )


__all__ = ["PARSE_ERROR", "BuildInfo", "Graph", "Origin", "build_graph"]
