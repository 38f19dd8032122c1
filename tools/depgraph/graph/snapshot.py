"""The graph cache: each file's resolved edge rows, reused while nothing they depend on has changed.

One file per cache folder (`graph-v<FORMAT>.marshal`): two lengths, then two `marshal` parts, the rows
(parsed on every run) and the extracted imports (parsed only when someone reads `Graph.imports`: two thirds
of the bytes, which a warm `stats` never needs). It is trusted only under its *context key*: a digest of
this format's version, the extractor's version, the Python version, the configuration, the workspace's
distributions, modules and namespace packages (which decide how every import resolves) and the installed
environment's metadata fingerprint (which decides how outside imports are classified; the environment given
with `--python`, or none). Under that key each file maps to its content digest, its edge rows, its parse
error and its extracted imports.

A file's rows are reused when its content digest is the stored one; the digest is re-computed unless the
file's stat (size, mtime, ctime, inode) is the one recorded when it was last hashed AND both times were
more than `RACY_NS` older than that hashing run's start (git's "racy" rule: a file changed within the
timestamp granularity of its hashing could keep its stat). ctime cannot be set back by `touch`, so an
edit hidden by a restored mtime is still seen. The cache stays keyed by content: a fresh clone re-hashes
every file once (stats differ), finds the same digests and reuses every row.

Written atomically (temporary file + `os.replace`) and only when something changed; a missing, damaged
or foreign file is an empty cache; two runs sharing the folder each write a complete file.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from depgraph.base.imports import EXTRACTOR_VERSION, FileImports
from depgraph.discover.config import Config
from depgraph.discover.environment import STATIC, Environment
from depgraph.discover.workspace import Workspace
from depgraph.extract.cachedir import write_atomic
from depgraph.extract.pool import read

FORMAT = 6  # bump whenever what is stored, or how rows are resolved, changes
RACY_NS = 2_000_000_000  # coarse filesystems (FAT: 2 s) included

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# line, imported module, kind value, statement text, imported distribution, origin value
Row = tuple[int, str, int, str, str | None, str]  # line, target, kind (int), text, distribution, origin


class Entry(NamedTuple):
    stat: StatKey
    hashed_ns: int  # start of the run that last hashed the file (time.time_ns())
    digest: bytes
    rows: tuple[Row, ...]  # sorted, distinct
    error: tuple[int, str] | None
    suppressions: tuple[tuple[int, tuple[str, ...], str], ...]  # as frozen: read without the imports


class Probe(NamedTuple):
    """What the cache knows of one file: a reusable entry, else the bytes (or read error) and digest."""

    entry: Entry | None
    data: bytes | FileImports | None
    digest: bytes | None
    stat: StatKey | None


@dataclass
class BuildInfo:
    """Counters of one build, for `depgraph stats --time` and tests."""

    files: int = 0
    stat_hits: int = 0  # reused on the stat alone: not read
    hashed: int = 0  # read and hashed
    digest_hits: int = 0  # hashed, same content: reused
    resolved: int = 0  # extracted (or taken from the extraction cache) and resolved again
    written: bool = False  # the graph cache was written
    context: bytes = b""  # the context key (with the cache on)
    # repository path -> (stat, start of the run that hashed it, content digest) of every module the build
    # could read (with the cache on): what `depgraph.checks.replay` keeps beside a run's findings
    stamps: dict[str, tuple[StatKey, int, bytes]] = field(default_factory=dict)


def path_of(cache_dir: Path) -> Path:
    return cache_dir / f"graph-v{FORMAT}.marshal"


def context_key(ws: Workspace, config: Config, env: Environment = STATIC) -> bytes:
    """Everything besides file contents that decides the graph (see the module docstring)."""
    from hashlib import blake2b  # noqa: PLC0415 - ~3 ms of imports, only with a cache

    from depgraph.discover.import_names import fingerprint  # noqa: PLC0415
    from depgraph.graph.classify import _metadata_fingerprint  # noqa: PLC0415 - the classifier's own key

    digest = blake2b(digest_size=16)
    head = (FORMAT, EXTRACTOR_VERSION, sys.version, str(ws.root), config, ws.distributions)
    digest.update(repr(head).encode())
    digest.update(repr(sorted(ws.namespaces.items())).encode())
    # repr, not marshal: marshal's bytes depend on how the strings happen to be shared (a workspace read
    # from its cache shares them differently from one just discovered)
    modules = [(m.name, m.path, m.distribution, m.is_package, m.is_test) for m in ws.modules]
    digest.update(repr(modules).encode())
    digest.update(_metadata_fingerprint(env).encode())
    digest.update(fingerprint().encode())  # the static mapping (a new table changes owners)
    return digest.digest()


class Store:
    """The graph cache of one run: probe each file, add what was resolved afresh, save."""

    def __init__(self, cache_dir: Path, context: bytes, info: BuildInfo) -> None:
        self.path = path_of(cache_dir)
        self.context = context
        self.info = info
        self.started = time.time_ns()
        from hashlib import blake2b  # noqa: PLC0415 - ~3 ms of imports, only with a cache

        self._blake2b = blake2b
        self._data = b""  # the file as read: its imports part is parsed only when asked for
        self._tail = 0
        self._old_frozen: dict[str, bytes] | None = None
        self.old: dict[str, Entry] = self._load()
        self.new: dict[str, Entry] = {}
        self.new_frozen: dict[str, bytes] = {}
        self.changed = False

    def _load(self) -> dict[str, Entry]:
        try:
            data = self.path.read_bytes()
            tail = 16 + int.from_bytes(data[:8], "little")
            if len(data) != tail + int.from_bytes(data[8:16], "little"):
                return {}  # truncated (or not ours)
            stored = marshal.loads(memoryview(data)[16:tail])
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not (isinstance(stored, tuple) and len(stored) == 3 and stored[:2] == (FORMAT, self.context)):
            return {}
        entries = stored[2]
        if not isinstance(entries, dict):
            return {}
        new = tuple.__new__
        try:
            found = {path: new(Entry, entry) for path, entry in entries.items() if len(entry) == 6}
        except TypeError:
            return {}
        self._data, self._tail = data, tail
        return found

    def old_frozen(self) -> Mapping[str, bytes]:
        """Path -> marshal of the extracted imports, for the files of the loaded cache (parsed once, on
        first use: 2/3 of the file, which a warm `stats` never needs)."""
        if self._old_frozen is None:
            try:
                loaded = marshal.loads(memoryview(self._data)[self._tail :]) if self._data else {}
            except (EOFError, ValueError, TypeError):
                loaded = {}
            self._old_frozen = loaded if isinstance(loaded, dict) else {}
            self._data = b""
        return self._old_frozen

    def probe(self, path: str, absolute: str) -> Probe:
        try:
            st = os.stat(absolute)  # noqa: PTH116 - pathlib costs ~10 us per file on the warm path
        except OSError:
            return Probe(None, read(absolute), None, None)
        stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        old = self.old.get(path)
        if old is None:  # nothing to compare with: read and hashed by the process that extracts it
            self.changed = True
            return Probe(None, None, None, stat)
        if old.stat == stat and max(stat[1], stat[2]) < old.hashed_ns - RACY_NS:
            self.new[path] = old
            self.info.stat_hits += 1
            return Probe(old, None, None, stat)
        data = read(absolute)
        if isinstance(data, FileImports):
            return Probe(None, data, None, None)
        self.info.hashed += 1
        digest = self._blake2b(data, digest_size=16).digest()
        self.changed = True  # at least the stat or the hashing time is new
        if old is not None and old.digest == digest:
            self.new[path] = old._replace(stat=stat, hashed_ns=self.started)
            self.info.digest_hits += 1
            return Probe(self.new[path], None, None, stat)
        return Probe(None, data, digest, stat)

    def add(
        self,
        path: str,
        probe: Probe,
        rows: tuple[Row, ...],
        found: FileImports | tuple[Any, ...],
        digest: bytes | None = None,
    ) -> None:
        """A file resolved afresh (not added when it could not be read: the next run tries again);
        `found` may be frozen already (`depgraph.extract.cache.freeze`); `digest` is the content's when
        the probe did not read the file (the extracting process did, after the probe's stat)."""
        digest = probe.digest if probe.digest is not None else digest
        if probe.stat is None or digest is None:
            return
        from depgraph.extract.cache import as_frozen  # noqa: PLC0415 - only when something was resolved

        frozen = as_frozen(found)
        self.new_frozen[path] = marshal.dumps(frozen)
        self.new[path] = Entry(probe.stat, self.started, digest, rows, frozen[1], frozen[2])
        self.changed = True

    def stamps(self) -> dict[str, tuple[StatKey, int, bytes]]:
        """Path -> (stat, hashing run's start, digest) of every file probed or added this run."""
        return {path: (e.stat, e.hashed_ns, e.digest) for path, e in self.new.items()}

    def save(self) -> bool:
        if not self.changed and self.new.keys() == self.old.keys():
            return False
        old = self.old_frozen() if len(self.new_frozen) < len(self.new) else {}
        frozen = {path: self.new_frozen.get(path) or old.get(path) for path in sorted(self.new)}
        # (an entry whose imports the old file lacked, were it damaged, is left out: resolved next time)
        entries = {path: tuple(self.new[path]) for path in frozen if frozen[path]}
        head = marshal.dumps((FORMAT, self.context, entries))
        tail = marshal.dumps({path: frozen[path] for path in entries})
        sizes = len(head).to_bytes(8, "little") + len(tail).to_bytes(8, "little")
        if not write_atomic(self.path, sizes, head, tail):
            return False  # a read-only or vanished cache directory only costs speed
        for earlier in self.path.parent.glob("graph-v*.marshal"):  # earlier formats: never read again
            if earlier != self.path:
                with contextlib.suppress(OSError):
                    earlier.unlink()
        return True


class FileImportsMap(Mapping[str, FileImports]):
    """Repository path -> FileImports; the ones taken from the graph cache, or given frozen (as a worker
    process sent them), are thawed on first access."""

    def __init__(
        self,
        order: list[str],
        ready: dict[str, FileImports | tuple[Any, ...]],
        frozen: Callable[[], Mapping[str, bytes]],
    ) -> None:
        self._order = order
        self._ready = ready
        self._frozen = frozen  # path -> marshal of the frozen FileImports, for the paths not in `ready`
        self._keys: frozenset[str] | None = None

    def __getitem__(self, path: str) -> FileImports:
        found = self._ready.get(path)
        if isinstance(found, FileImports):
            return found
        from depgraph.extract.cache import thaw  # noqa: PLC0415

        if found is None:
            if path not in self:
                raise KeyError(path)
            found = marshal.loads(self._frozen()[path])
        thawed = self._ready[path] = thaw(found)
        return thawed

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, path: object) -> bool:
        if self._keys is None:
            self._keys = frozenset(self._order)
        return path in self._keys
