"""The cache folder: created with its own `.gitignore` (`*`), as pytest's, mypy's and ruff's are, so it never
shows as untracked in `git status` and needs no line in the repository's own `.gitignore`."""

from __future__ import annotations

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
