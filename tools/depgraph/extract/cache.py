"""The extraction cache: one pack file mapping file *content* (plus module name and kind) to its imports.

Keyed by a BLAKE2b digest of the bytes, never by mtime, so a checkout, a touch or a copy of the tree does
not invalidate it and an edit always does. The whole pack is loaded once (one `marshal` read) and written
once per run, atomically (temporary file + ``os.replace``): two runs sharing a cache directory each
write a complete pack and the last one wins; a reader never sees half a file, and a missing, truncated
or foreign pack is simply empty. The file name holds the extractor version and the Python version (the
oracle's grammar is the interpreter's), so either change starts a fresh pack.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from depgraph.base.imports import EXTRACTOR_VERSION, KINDS, FileImports, ImportRecord, Suppression
from depgraph.extract.cachedir import write_atomic

_KINDS = KINDS
Key = tuple[bytes, str, bool]


def pack_path(cache_dir: Path) -> Path:
    tag = f"v{EXTRACTOR_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir / f"imports-{tag}.marshal"


def digest(data: bytes) -> bytes:
    """The content digest files are known by in every cache (BLAKE2b-128)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def key(data: bytes, module: str, is_package: bool) -> Key:
    return (digest(data), module, is_package)


def freeze(found: FileImports) -> tuple[Any, ...]:
    records = tuple((r.line, r.module, r.names, int(r.kind), r.text, r.level) for r in found.records)
    sups = tuple((s.line, s.checks, s.reason) for s in found.suppressions)
    return (records, found.error, sups)


def as_frozen(found: FileImports | tuple[Any, ...]) -> tuple[Any, ...]:
    """What a file imports in the frozen form, whichever form it comes in (workers send it frozen)."""
    return found if isinstance(found, tuple) else freeze(found)


def error_of(found: FileImports | tuple[Any, ...]) -> tuple[int, str] | None:
    """The (line, message) that stopped reading a file, whichever form its imports come in."""
    return found.error if isinstance(found, FileImports) else found[1]


def thaw(frozen: tuple[Any, ...]) -> FileImports:
    records, error, sups = frozen
    kinds = _KINDS
    new = tuple.__new__
    return FileImports(
        tuple(
            new(ImportRecord, (line, mod, names, kinds[kind], text, level))
            for line, mod, names, kind, text, level in records
        ),
        error,
        tuple(new(Suppression, sup) for sup in sups),
    )


def _shared(frozen: tuple[Any, ...], pool: dict[Any, Any]) -> tuple[Any, ...]:
    """One new entry with its strings and name tuples made the objects already in `pool`, which marshal
    then writes once: module names and statement texts repeat across files (a 2x smaller, faster pack).
    Entries loaded from a pack are shared already: marshal restores shared objects as shared."""

    def one(value: Any) -> Any:
        return pool.setdefault(value, value)

    records, error, sups = frozen
    same = tuple(
        (line, one(mod), one(tuple(one(n) for n in names)), one(kind), one(text), level)
        for line, mod, names, kind, text, level in records
    )
    return (same, error, sups)


class Pack:
    """The cache of one run: what was loaded, what this run used and added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[Key, tuple[Any, ...]] = {}
        self._used: dict[Key, tuple[Any, ...]] = {}
        self._pool: dict[Any, Any] = {}
        self.changed = False

    @classmethod
    def load(cls, cache_dir: Path) -> Pack:
        pack = cls(pack_path(cache_dir))
        try:
            stored = marshal.loads(
                pack.path.read_bytes()
            )  # marshal.load(file) reads in small pieces: 7x slower
        except (OSError, EOFError, ValueError, TypeError):
            return pack
        if isinstance(stored, dict):
            pack._stored = stored
        return pack

    @property
    def empty(self) -> bool:
        """Nothing was loaded (no pack yet): no file needs reading to be looked up."""
        return not self._stored

    def get(self, entry: Key) -> FileImports | None:
        frozen = self._stored.get(entry)
        if frozen is None:
            return None
        try:
            found = thaw(frozen)
        except (TypeError, ValueError, KeyError):
            return None  # a foreign or damaged entry: extract again
        self._used[entry] = frozen
        return found

    def keep(self, entries: Iterable[Key]) -> None:
        """Count these entries as used without reading them (files the graph cache answered for), so
        saving the pack does not prune them."""
        for entry in entries:
            frozen = self._stored.get(entry)
            if frozen is not None:
                self._used[entry] = frozen

    def put(self, entry: Key, found: FileImports | tuple[Any, ...]) -> None:
        """Store what a file imports (a FileImports, or one already frozen)."""
        self._used[entry] = _shared(as_frozen(found), self._pool)
        self.changed = True

    def save(self) -> None:
        """Write the entries this run used (so the pack does not grow forever), unless nothing changed."""
        if not self.changed and len(self._used) == len(self._stored):
            return
        write_atomic(self.path, marshal.dumps(self._used))  # unwritten: a read-only folder costs only speed
