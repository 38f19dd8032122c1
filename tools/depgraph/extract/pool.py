"""Running the extractor over many files: cache look-ups first, then the misses, in parallel when worth it."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from depgraph.base.imports import FileImports, SourceFile
from depgraph.extract.extractor import extract

T = TypeVar("T")
R = TypeVar("R")

# Below this many bytes to extract, starting worker processes (~50 ms) costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000


def read(path: str) -> bytes | FileImports:
    """The bytes of one file, or the FileImports saying why it cannot be read (line 0)."""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - pathlib costs ~10 us per file on the warm path
            return handle.read()
    except OSError as exc:
        return FileImports((), (0, f"cannot read: {exc.strerror or exc}"))


def scan(
    files: Sequence[SourceFile], *, cache_dir: Path | None = None, jobs: int | None = None
) -> dict[str, FileImports]:
    """Extract every file; ``cache_dir=None`` disables the cache; ``jobs`` processes (default: CPUs).

    A file that cannot be read gives a FileImports with ``error`` set (line 0), like a syntax error.
    """
    loaded: list[tuple[SourceFile, bytes | FileImports | None, bytes | None]] = [
        (source, None, None)
        for source in files  # each read by the process that extracts it
    ]
    found = extract_loaded(loaded, cache_dir=cache_dir, jobs=jobs)
    return {source.path: one for (source, _, _), one in zip(loaded, found, strict=True)}


Item = tuple[str, str, bool, int]  # path, module, is a package, index in the files given
Frozen = tuple[Any, ...]  # a FileImports as `depgraph.extract.cache.freeze` gives it
Resolve = Callable[[int, FileImports], Any]


def extract_loaded(
    files: Sequence[tuple[SourceFile, bytes | FileImports | None, bytes | None]],
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    keep: Sequence[tuple[bytes, str, bool]] = (),
) -> list[FileImports]:
    """What each (file, its bytes or read error or None: not read yet, BLAKE2b digest of the bytes if
    known) imports, in order: cache look-ups first, then the misses, in worker processes when there is
    enough to extract (a file not read yet is read by the process that extracts it)."""
    from depgraph.extract.cache import thaw  # noqa: PLC0415

    found = extract_resolved(files, cache_dir=cache_dir, jobs=jobs, keep=keep)
    return [one if isinstance(one, FileImports) else thaw(one) for one, _, _ in found]


def extract_resolved(
    files: Sequence[tuple[SourceFile, bytes | FileImports | None, bytes | None]],
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    keep: Sequence[tuple[bytes, str, bool]] = (),
    resolve: Resolve | None = None,
    thawed: bool = True,
    digests: bool = True,
) -> list[tuple[FileImports | Frozen, Any, bytes | None]]:
    """`extract_loaded`, each result paired with `resolve(index, result)` (None without `resolve`),
    computed by the process that extracted the file (a worker's resolution must be marshal-able), and
    with the file's content digest (BLAKE2b-128: the one given, or computed by whichever process read the
    file; None when it could not be read). With `thawed=False`, what a worker extracted stays in the frozen
    form it crossed in (`depgraph.extract.cache.freeze`) for the caller to thaw when (if ever) it needs it.
    A file not read yet is read here only to look it up in a non-empty extraction cache. With
    `digests=False` and no `cache_dir`, no digest is computed (None): a build without any cache."""
    from depgraph.extract import cache  # noqa: PLC0415 - only when caching

    result: list[tuple[FileImports | Frozen, Any, bytes | None] | None] = [None] * len(files)

    def done(i: int, found: FileImports, digest: bytes | None) -> tuple[FileImports, Any, bytes | None]:
        return found, resolve(i, found) if resolve is not None else None, digest

    pack = cache.Pack.load(cache_dir) if cache_dir is not None else None
    if pack is not None:
        pack.keep(keep)  # cache keys of files not passed here but still in use: kept in the pack
    look_up = pack is not None and not pack.empty
    misses: list[tuple[int, SourceFile, bytes | None, bytes | None]] = []
    for i, (source, given, given_digest) in enumerate(files):
        data = read(source.path) if given is None and look_up else given
        if isinstance(data, FileImports):
            result[i] = done(i, data, None)
            continue
        digest = cache.digest(data) if data is not None and given_digest is None else given_digest
        found = (
            pack.get((digest, source.module, source.is_package))
            if look_up and pack is not None and digest is not None
            else None
        )
        if found is not None:
            result[i] = done(i, found, digest)
        else:
            misses.append((i, source, data, digest))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    sizes = [len(data) if data is not None else size_of(s.path) for _, s, data, _ in misses]
    items = [(s.path, s.module, s.is_package, i) for i, s, _, _ in misses]
    if workers > 1 and sum(sizes) >= PARALLEL_MIN_BYTES and len(misses) > 1:
        hashed = digests or pack is not None
        extracted = _parallel(items, sizes, workers, resolve, thawed=thawed, hashed=hashed)
    else:
        extracted = []
        for item, (i, _, data, _) in zip(items, misses, strict=True):
            found, digest = _read_and_extract(item, data, digests or pack is not None)
            extracted.append(done(i, found, digest))
    for (i, source, _, given_digest), one in zip(misses, extracted, strict=True):
        digest = given_digest if given_digest is not None else one[2]
        result[i] = (one[0], one[1], digest)
        error = cache.error_of(one[0])
        if pack is not None and digest is not None and not (error and error[0] == 0):
            pack.put((digest, source.module, source.is_package), one[0])
    if pack is not None:
        pack.save()
    return [
        one if one is not None else done(i, FileImports((), (0, "not extracted")), None)
        for i, one in enumerate(result)
    ]


def size_of(path: str) -> int:
    """The size of a file to come (0 when it cannot be read: reading it will say why)."""
    try:
        return os.stat(path).st_size  # noqa: PTH116 - one call per file
    except OSError:
        return 0


def _read_and_extract(
    item: Item, data: bytes | FileImports | None, hashed: bool = True
) -> tuple[FileImports, bytes | None]:
    """What one file imports, and the digest of its bytes when they were read here and `hashed` (else
    None)."""
    if data is not None or not hashed:
        return _local(item, data), None
    from depgraph.extract.cache import digest  # noqa: PLC0415

    data = read(item[0])
    return _local(item, data), digest(data) if isinstance(data, bytes) else None


def _local(item: Item, data: bytes | FileImports | None = None) -> FileImports:
    path, module, is_package, _ = item
    if data is None:
        data = read(path)
    return data if isinstance(data, FileImports) else extract(data, module, is_package)


def _parallel(
    items: list[Item],
    sizes: list[int],
    workers: int,
    resolve: Resolve | None = None,
    *,
    thawed: bool = True,
    hashed: bool = True,
) -> list[tuple[FileImports | Frozen, Any, bytes | None]]:
    """Extract (and resolve) in `workers` processes, this one included (see `parallel`); each process
    reads and hashes the files it takes. Results cross from the children as plain tuples
    (`depgraph.extract.cache.freeze`), rebuilt here unless `thawed=False`."""
    from depgraph.extract import scanner  # noqa: F401, PLC0415 - imported once, before the fork
    from depgraph.extract.cache import freeze, thaw  # noqa: PLC0415

    def local(item: Item) -> tuple[FileImports, Any, bytes | None]:
        found, digest = _read_and_extract(item, None, hashed)
        return found, resolve(item[3], found) if resolve is not None else None, digest

    def remote(chunk: list[Item]) -> list[tuple[Any, Any, bytes | None]]:
        return [(freeze(found), rows, digest) for found, rows, digest in map(local, chunk)]

    def convert(one: tuple[Any, Any, bytes | None]) -> tuple[FileImports | Frozen, Any, bytes | None]:
        return (thaw(one[0]) if thawed else one[0]), one[1], one[2]

    return parallel(items, sizes, workers, remote=remote, local=local, convert=convert)


# Forking while other threads run can deadlock the child (a lock held by a thread that does not exist
# there); the command line never starts threads, a program embedding depgraph may. Tests set this, since
# pytest-xdist's workers run threads of their own that never touch what a child uses.
FORK_WITH_THREADS = False


def _other_threads() -> bool:
    threading = sys.modules.get("threading")
    return not FORK_WITH_THREADS and threading is not None and threading.active_count() > 1


def _chunks(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Item indexes in chunks of decreasing load (guided self-scheduling): each chunk takes the largest
    items left until it holds 1/(4 x workers) of the load still to share out, so the first chunks are big
    (few hand-outs) and the last ones small (whoever takes the last one finishes soon after the others).
    """
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    left = float(sum(sizes) + len(order))  # +1 per item: empty files cost something too
    chunks: list[list[int]] = []
    floor = left / (workers * 64)
    current: list[int] = []
    load = 0.0
    for i in order:
        current.append(i)
        load += sizes[i] + 1
        if load >= max(left / (workers * 4), floor):
            chunks.append(current)
            left -= load
            current, load = [], 0.0
    if current:
        chunks.append(current)
    return chunks


def parallel(
    items: Sequence[T],
    sizes: Sequence[int],
    workers: int,
    *,
    remote: Callable[[list[T]], list[Any]],
    local: Callable[[T], R],
    convert: Callable[[Any], R],
) -> list[R]:
    """`local(item)` for every item, in `workers` processes, this one included.

    This process forks `workers - 1` children (no executor, no threads: nothing competes with this
    process for its own share of the work). Chunks of decreasing load (see `_chunks`) are handed out
    through a pipe holding one byte per chunk index: every process, this one included, reads the next
    byte when it is free, so the load balances itself and the tail is one small chunk. A child runs
    `remote` on each chunk it takes and, once the pipe is empty, writes its results (`marshal`) to its
    own pipe; here they go through `convert`. A chunk a child took but never reported (it died) is done
    here. Without `os.fork`, everything runs here.
    """
    chunks = _chunks(sizes, workers)
    if not hasattr(os, "fork") or len(chunks) > 255 or workers < 2 or _other_threads():
        return [local(item) for item in items]
    import marshal  # noqa: PLC0415

    claims_r, claims_w = os.pipe()
    os.write(claims_w, bytes(range(len(chunks))))  # < 256 bytes: fits the pipe at once
    os.close(claims_w)
    children: list[tuple[int, int]] = []
    for _ in range(workers - 1):
        results_r, results_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: take chunks until none are left, then report
            code = 0
            try:
                os.close(results_r)
                done: list[tuple[int, list[Any]]] = []
                while index := os.read(claims_r, 1):
                    done.append((index[0], remote([items[i] for i in chunks[index[0]]])))
                with os.fdopen(results_w, "wb") as report:
                    report.write(marshal.dumps(done))
            except BaseException:  # never return into the parent's code
                code = 1
            finally:
                os._exit(code)
        os.close(results_w)
        children.append((pid, results_r))
    out: dict[int, R] = {}
    failed = True
    try:
        while index := os.read(claims_r, 1):
            for i in chunks[index[0]]:
                out[i] = local(items[i])
        failed = False
    finally:
        os.close(claims_r)
        for pid, results_r in children:
            if failed:  # an error or Ctrl-C here: the children's work is of no use any more
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with os.fdopen(results_r, "rb") as handle:
                data = handle.read()
            os.waitpid(pid, 0)
            if failed:
                continue
            try:
                reported = marshal.loads(data) if data else []
            except (EOFError, ValueError, TypeError):
                reported = []  # a child that died half-way: its chunks are done below
            for index, results in reported:
                for i, one in zip(chunks[index], results, strict=True):
                    out[i] = convert(one)
    return [out[i] if i in out else local(items[i]) for i in range(len(items))]
