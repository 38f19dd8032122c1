"""Every syntax error, not only those near imports: each file compiled by the running CPython.

The import scanner never builds a syntax tree, so it only sees the syntax errors that touch what it reads
(import statements, strings, brackets, the block structure above an indented import). With
`full-syntax-check = true` (off by default), `depgraph check` also compiles every file of the graph
(`compile(..., "exec")`: the parser's errors and the compiler's, such as `return` outside a function:
everything that makes `import` of the file raise SyntaxError). That costs several times the whole import
scan, so results are cached by content digest (`syntax-v<FORMAT>-py<X><Y>.marshal`: the grammar is the
interpreter's) and computed in parallel; a warm run only looks digests up.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

from depgraph.base.imports import FileImports
from depgraph.extract.cachedir import write_atomic
from depgraph.extract.pool import PARALLEL_MIN_BYTES, parallel, read, size_of

FORMAT = 1
Error = tuple[int, str]


def compile_error(data: bytes, filename: str) -> Error | None:
    """(line, message) when CPython refuses to compile the file, else None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning (invalid escapes, ...) is not an error
        try:
            compile(data, filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return (exc.lineno or 1, exc.msg or "invalid syntax")
        except (ValueError, RecursionError, MemoryError) as exc:
            return (1, str(exc) or type(exc).__name__)
    return None


def _one(path: str) -> tuple[bytes | None, Error | None]:
    """(digest, error) of one file; digest None when it cannot be read."""
    data = read(path)
    if isinstance(data, FileImports):
        return None, data.error
    return hashlib.blake2b(data, digest_size=16).digest(), compile_error(data, path)


def _chunk(paths: list[str]) -> list[tuple[bytes | None, Error | None]]:
    return [_one(path) for path in paths]


def _same(found: tuple[bytes | None, Error | None]) -> tuple[bytes | None, Error | None]:
    return found


def cache_path(cache_dir: Path) -> Path:
    return cache_dir / f"syntax-v{FORMAT}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def _load(path: Path) -> dict[bytes, Error | None]:
    try:
        stored = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _save(path: Path, entries: dict[bytes, Error | None]) -> None:
    write_atomic(path, marshal.dumps(entries))  # not written: a read-only cache folder only costs time


def errors(
    root: Path,
    paths: Sequence[str],
    digests: Mapping[str, bytes],
    *,
    cache_dir: Path | None,
    jobs: int | None = None,
) -> dict[str, Error]:
    """Repository path -> (line, message) of every file among `paths` that does not compile.

    `digests` are the content digests the graph build already knows (BLAKE2b, 16 bytes); a file with a
    digest in the cache is not read again. Without `cache_dir` every file is compiled.
    """
    store = cache_path(cache_dir) if cache_dir is not None else None
    known = _load(store) if store is not None else {}
    used: dict[bytes, Error | None] = {}
    found: dict[str, Error] = {}
    todo: list[str] = []
    for path in paths:
        digest = digests.get(path)
        if digest is not None and digest in known:
            error = used[digest] = known[digest]
            if error is not None:
                found[path] = error
        else:
            todo.append(path)
    if todo:
        absolute = [str(root / path) for path in todo]
        sizes = [size_of(path) for path in absolute]
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        if workers > 1 and len(todo) > 1 and sum(sizes) >= PARALLEL_MIN_BYTES // 4:
            results = parallel(absolute, sizes, workers, remote=_chunk, local=_one, convert=_same)
        else:
            results = [_one(path) for path in absolute]
        for path, (digest, error) in zip(todo, results, strict=True):
            if digest is not None:
                used[digest] = error
            if error is not None:
                found[path] = error
    if store is not None and (used.keys() != known.keys()):
        _save(store, {digest: used[digest] for digest in sorted(used)})
    return {path: found[path] for path in sorted(found)}
