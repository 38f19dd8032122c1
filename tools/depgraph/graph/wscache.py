"""The workspace found last time, reused while nothing discovery looked at has changed.

`workspace-v<FORMAT>.marshal` in the cache folder holds what `load_workspace` found (distributions,
modules, namespace packages) under a key (this format, the configuration, the root, depgraph's own code:
`depgraph.base.reads.code`) with what discovery looked at, recorded as it ran (`depgraph.base.reads`):
- every folder whose entries it listed or asked about (a path it probed counts for its folder): its stat
  before the listing, and a digest of its entries (names, kinds, link targets);
- every file it read (manifests, requirements files): its stat before reading, and a digest of the bytes.
A later run reuses the workspace when each folder and file is unchanged: its stat is the recorded one and
older than the recording run by `RACY_NS` (the graph cache's rule), or else its entries (a folder) or
content (a file) are the recorded ones; then the record is written again with the new stats. Creating,
removing or renaming anything in a folder changes the folder's stat, and editing a file changes its own,
so a new module, a new distribution or an edited manifest is always seen. Anything else discovers afresh.
A run during which something it looked at changed records nothing.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any

from depgraph.base import reads
from depgraph.base.model import Declaration, Distribution, Module, Origin
from depgraph.discover.config import Config
from depgraph.discover.workspace import Workspace, assemble, load_workspace
from depgraph.extract.cachedir import write_atomic

FORMAT = 1
RACY_NS = 2_000_000_000  # as the graph cache's (depgraph.graph.snapshot)
_ORIGINS = {origin.value: origin for origin in Origin}


def path_of(cache_dir: Path) -> Path:
    return cache_dir / f"workspace-v{FORMAT}.marshal"


def _key(config: Config) -> bytes:
    return reads.digest(repr((FORMAT, sys.version, str(config.root), config, reads.code())).encode())


def _freeze(ws: Workspace) -> tuple[Any, ...]:
    dists = tuple(
        (*d[:1], d.origin.value, *d[2:9], tuple(tuple(x) for x in d.declared), *d[10:])
        for d in ws.distributions
    )
    return (dists, tuple(tuple(m) for m in ws.modules), dict(ws.namespaces))


def _thaw(config: Config, frozen: tuple[Any, ...]) -> Workspace:
    dists, modules, namespaces = frozen
    new = tuple.__new__
    return assemble(
        config.root,
        config,
        tuple(
            new(
                Distribution,
                (*d[:1], _ORIGINS[d[1]], *d[2:9], tuple(new(Declaration, x) for x in d[9]), *d[10:]),
            )
            for d in dists
        ),
        tuple(new(Module, m) for m in modules),
        namespaces,
    )


Listed = tuple[reads.StatKey | None, bytes | None]  # a folder's stat before listing, its entries' digest


def _check_folder(path: str, stamp: Listed, since: int, ignored: str) -> tuple[bool, bool]:
    """(unchanged, by its entries rather than its stat: to record again with its new stat)."""
    stat = _stat_or_none(path)
    if stat is None or stamp[0] is None:
        return stat is None and stamp[0] is None, False
    if stat == stamp[0] and max(stat[1], stat[2]) < since - RACY_NS:
        return True, False
    return stamp[1] is not None and reads.listing(path, ignored) == stamp[1], True


def _check_file(path: str, stamp: reads.Stamp, since: int) -> tuple[bool, reads.Stamp | None]:
    """(unchanged, the stamp to record again when it was found unchanged by its content)."""
    stat = _stat_or_none(path)
    if stat is None or stamp[0] is None:
        return stat is None and stamp[0] is None, None
    if stat == stamp[0] and max(stat[1], stat[2]) < since - RACY_NS:
        return True, None
    try:
        same = reads.digest(Path(path).read_bytes()) == stamp[1]
    except OSError:
        return False, None
    return same, (stat, stamp[1])


def _stat_or_none(path: str) -> reads.StatKey | None:
    try:
        return reads.stat_key(os.stat(path))  # noqa: PTH116
    except OSError:
        return None


def _load(config: Config, store: Path) -> tuple[Workspace, dict[str, reads.Stamp]] | None:
    started = time.time_ns()
    try:
        fmt, key, since, folders, files, frozen = marshal.loads(store.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if fmt != FORMAT or key != _key(config):
        return None
    log = reads.Log()  # the record again, should anything have been found unchanged by content only
    renew = False
    for path, stamp in folders.items():
        # the stat taken now, before listing (the record's rule); equal entries were just compared
        log.folders[path] = _stat_or_none(path)
        same, by_entries = _check_folder(path, stamp, since, os.path.normpath(config.cache_path))
        if not same:
            return None
        renew = renew or by_entries
    for path, stamp in files.items():
        same, renewed = _check_file(path, stamp, since)
        if not same:
            return None
        log.stamps[path] = renewed or stamp
        renew = renew or renewed is not None
    try:
        ws = _thaw(config, frozen)
    except (TypeError, ValueError, KeyError, IndexError):
        return None
    if renew:
        _save(config, store, started, log, ws, {path: stamp[1] for path, stamp in folders.items()})
    return ws, files


def cached(config: Config) -> Workspace | None:
    """The recorded workspace when nothing discovery looked at has changed, else None."""
    found = _load(config, path_of(config.cache_path))
    return found[0] if found is not None else None


def load(config: Config) -> Workspace:
    """The workspace of `config`'s repository: reused from the cache when still valid, else discovered
    (and recorded). The files it was found from are added to the active `depgraph.base.reads` log, as if
    this run had read them (the results replayed later depend on them)."""
    store = path_of(config.cache_path)
    outer = reads.active()
    cached = _load(config, store)
    if cached is not None:
        ws, files = cached
        if outer is not None:
            for path, stamp in files.items():
                outer.add(path, stamp)
        return ws
    started = time.time_ns()
    log = reads.start()
    try:
        ws = load_workspace(config.root, config)
    finally:
        reads.resume(outer)
    if outer is not None:
        for path, stamp in log.stamps.items():
            outer.add(path, stamp)
        outer.stable = outer.stable and log.stable
    _save(config, store, started, log, ws)
    return ws


def _save(  # noqa: PLR0917 - one record's parts
    config: Config,
    store: Path,
    started: int,
    log: reads.Log,
    ws: Workspace,
    listings: dict[str, bytes | None] | None = None,
) -> bool:
    """Record `ws` with what was looked at (`listings`: the folders' entries when known already)."""
    stats = [*log.folders.values(), *(stat for stat, _ in log.stamps.values())]
    if not log.stable or any(stat is not None and max(stat[1], stat[2]) >= started for stat in stats):
        return False  # something changed while discovery looked at it
    listings = listings or {}
    ignored = os.path.normpath(config.cache_path)
    folders = {
        path: (stat, listings[path] if path in listings else reads.listing(path, ignored))
        for path, stat in sorted(log.folders.items())
    }
    record = (FORMAT, _key(config), started, folders, dict(sorted(log.stamps.items())), _freeze(ws))
    return write_atomic(store, marshal.dumps(record))  # False: a read-only cache folder only costs time
