"""The cache folder: created with its own `.gitignore` (`*`), as pytest's, mypy's and ruff's are, so it never
shows as untracked in `git status` and needs no line in the repository's own `.gitignore`."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

GITIGNORE = "*\n"


def make_cache_dir(path: Path) -> None:
    """Create `path` (and parents) with its `.gitignore`; an OSError is the caller's (a read-only folder)."""
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        try:
            with ignore.open("x", encoding="utf-8") as handle:  # a concurrent run may have written it
                handle.write(GITIGNORE)
        except FileExistsError:
            pass


def write_atomic(path: Path, *chunks: bytes) -> bool:
    """Write `chunks` to `path` in the cache folder (made as `make_cache_dir` does) through a temporary
    file beside it, renamed over it: a concurrent run reads the old file or the new one, never half of one.
    False when it cannot be written (a read-only cache folder only costs time), the temporary file gone."""
    import tempfile  # noqa: PLC0415 - ~4 ms of imports, only when writing

    try:
        make_cache_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        Path(tmp).replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        return False
    return True
