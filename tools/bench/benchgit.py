"""What the publish benchmarks share: one git call, and one more commit in a directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> str:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=full, input=input, capture_output=True, text=True, check=True
    ).stdout.strip()


def new_commit(mono: Path, branch: str, directory: str, n: int) -> None:
    """One more commit on the branch that changes the directory (plumbing: no checkout needed)."""
    index = mono / ".git" / "bench-index"
    stamp = f"{2_000_000_000 + n} +0000"
    env = {
        "GIT_INDEX_FILE": str(index),
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    git(mono, "read-tree", branch, env=env)
    blob = git(mono, "hash-object", "-w", "--stdin", input=f"bench {n}\n")
    git(mono, "update-index", "--add", "--cacheinfo", f"100644,{blob},{directory}/bench-{n}.txt", env=env)
    tree = git(mono, "write-tree", env=env)
    commit = git(mono, "commit-tree", tree, "-p", branch, "-m", f"bench commit {n}", env=env)
    git(mono, "update-ref", f"refs/heads/{branch}", commit)
    index.unlink()
