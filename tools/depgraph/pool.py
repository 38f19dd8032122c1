"""Running the extractor over many files: cache look-ups first, then the misses, in parallel when worth it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from depgraph.imports import FileImports, SourceFile, extract

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


def _extract_chunk(chunk: list[tuple[str, str, bool]]) -> list[tuple[Any, ...]]:
    """In a worker: results as plain tuples, which cross the process boundary much faster than
    frozen dataclasses (pickle rebuilds those attribute by attribute)."""
    from depgraph.cache import freeze  # noqa: PLC0415 - workers only

    out: list[tuple[Any, ...]] = []
    for path, module, is_package in chunk:
        data = read(path)
        out.append(freeze(data if isinstance(data, FileImports) else extract(data, module, is_package)))
    return out


def scan(
    files: Sequence[SourceFile], *, cache_dir: Path | None = None, jobs: int | None = None
) -> dict[str, FileImports]:
    loaded = [(source, read(source.path), None) for source in files]
    found = extract_loaded(loaded, cache_dir=cache_dir, jobs=jobs)
    return {source.path: one for (source, _, _), one in zip(loaded, found, strict=True)}


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
    from depgraph import cache  # noqa: PLC0415 - only when caching

    result: list[FileImports | None] = [None] * len(files)
    pack = cache.Pack.load(cache_dir) if cache_dir is not None else None
    if pack is not None:
        pack.keep(keep)  # cache keys of files not passed here but still in use: kept in the pack
    misses: list[tuple[int, SourceFile, bytes | None, cache.Key | None]] = []
    for i, (source, given, digest) in enumerate(files):
        data = read(source.path) if given is None and pack is not None else given
        if isinstance(data, FileImports):
            result[i] = data
            continue
        entry: cache.Key | None = None
        if pack is not None and data is not None:
            entry = (
                (digest, source.module, source.is_package)
                if digest is not None
                else cache.key(data, source.module, source.is_package)
            )
        found = pack.get(entry) if pack is not None and entry is not None else None
        if found is not None:
            result[i] = found
        else:
            misses.append((i, source, data, entry))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    sizes = [len(data) if data is not None else size_of(s.path) for _, s, data, _ in misses]
    if workers > 1 and sum(sizes) >= PARALLEL_MIN_BYTES and len(misses) > 1:
        extracted = _parallel([(s.path, s.module, s.is_package) for _, s, _, _ in misses], sizes, workers)
    else:
        extracted = [_local((s.path, s.module, s.is_package), data) for _, s, data, _ in misses]
    for (i, _, _, entry), found in zip(misses, extracted, strict=True):
        result[i] = found
        if pack is not None and entry is not None and not (found.error and found.error[0] == 0):
            pack.put(entry, found)
    if pack is not None:
        pack.save()
    return [one if one is not None else FileImports((), (0, "not extracted")) for one in result]


def size_of(path: str) -> int:
    """The size of a file to come (0 when it cannot be read: reading it will say why)."""
    try:
        return os.stat(path).st_size  # noqa: PTH116 - one call per file
    except OSError:
        return 0


def _local(item: tuple[str, str, bool], data: bytes | FileImports | None = None) -> FileImports:
    path, module, is_package = item
    if data is None:
        data = read(path)
    return data if isinstance(data, FileImports) else extract(data, module, is_package)


def _parallel(items: list[tuple[str, str, bool]], sizes: list[int], workers: int) -> list[FileImports]:
    """Extract in `workers` processes, this one included (see `parallel`)."""
    from depgraph import oracle, scanner  # noqa: F401, PLC0415 - imported once, before the fork
    from depgraph.cache import thaw  # noqa: PLC0415

    return parallel(items, sizes, workers, remote=_extract_chunk, local=_local, convert=thaw)


def parallel(
    items: Sequence[T],
    sizes: Sequence[int],
    workers: int,
    *,
    remote: Callable[[list[T]], list[Any]],
    local: Callable[[T], R],
    convert: Callable[[Any], R],
) -> list[R]:
    """`local(item)` for every item, in `workers` processes, this one included: it starts `workers - 1`
    children, which run `remote` on chunks of items (each result then goes through `convert` here), and
    takes its share too. Chunks of similar load (by `sizes`) go to the children front first; this process
    takes them back first, cancelling each before a child has picked it up, so both meet where the work
    is shared out."""
    count = min(workers * 16, len(items))  # small chunks: a short tail when one side waits for the other
    order = sorted(range(len(items)), key=lambda i: -sizes[i])
    chunks: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for i in order:  # largest first onto the lightest chunk
        target = loads.index(min(loads))
        chunks[target].append(i)
        loads[target] += sizes[i]
    import multiprocessing  # noqa: PLC0415 - ~30 ms of imports, only when workers really start
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    out: dict[int, R] = {}
    with ProcessPoolExecutor(max_workers=max(1, workers - 1), mp_context=context) as executor:
        futures = [executor.submit(remote, [items[i] for i in chunk]) for chunk in chunks]
        mine = len(chunks)
        while mine > 0 and futures[mine - 1].cancel():
            mine -= 1
            for i in chunks[mine]:
                out[i] = local(items[i])
        for chunk, future in zip(chunks[:mine], futures[:mine], strict=True):
            for i, one in zip(chunk, future.result(), strict=True):
                out[i] = convert(one)
    return [out[i] for i in range(len(items))]
