"""Writing N new commits that reuse an existing tree (what a split does): publish's in-process pack writer
against GitPython's object database (`Repo.odb.store`). This is the measurement that keeps the hot path of
`publish` on git plumbing and GitPython on the destination side (tools/publish/README.md).

    python tools/bench/object_writers_bench.py [--commits 13333]

Both write the same chain of commits into their own fresh bare repository; the script checks that both
repositories then hold the same head with `git rev-list --count`, and prints one line per writer.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import tempfile
import time
from pathlib import Path

from git import Repo
from gitdb.base import IStream

from publish.git import EMPTY_TREE, ObjectWriter, PackWriter


def commits(n: int) -> list[bytes]:
    """The raw commit objects of a chain of n commits (each names the previous one as parent)."""
    out = []
    parent = None
    for i in range(n):
        ident = f"Bench Mark <bench@example.com> {1_700_000_000 + i} +0000"
        head = f"tree {EMPTY_TREE}\n" + (f"parent {parent}\n" if parent else "")
        data = f"{head}author {ident}\ncommitter {ident}\n\ncommit {i}\n".encode()
        parent, _ = ObjectWriter.hash("commit", data)
        out.append(data)
    return out


def bare(folder: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(folder)], check=True)
    return folder


def count(repo: Path, head: str) -> int:
    return int(
        subprocess.run(
            ["git", "rev-list", "--count", head], cwd=repo, capture_output=True, text=True, check=True
        ).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=13_333)
    n = parser.parse_args().commits
    data = commits(n)
    head, _ = ObjectWriter.hash("commit", data[-1])
    with tempfile.TemporaryDirectory() as tmp:
        a = bare(Path(tmp) / "pack.git")
        start = time.perf_counter()
        writer = PackWriter(a / "objects")
        for d in data:
            writer.write("commit", d)
        writer.flush()
        pack_s = time.perf_counter() - start
        b = bare(Path(tmp) / "gitpython.git")
        start = time.perf_counter()
        odb = Repo(b).odb
        for d in data:
            odb.store(IStream(b"commit", len(d), io.BytesIO(d)))
        gitpython_s = time.perf_counter() - start
        assert count(a, head) == count(b, head) == n
    print(
        f"{n} commits: publish pack writer {pack_s:.2f} s; GitPython odb.store {gitpython_s:.2f} s "
        f"({gitpython_s / pack_s:.0f}x)"
    )


if __name__ == "__main__":
    main()
