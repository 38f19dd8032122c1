"""The split engine: a directory's history becomes a history whose root is that directory.

One path-limited `rev-list` finds the commits that changed the directory (merges that change nothing are
simplified away), one `cat-file --batch` reads them and their directory trees, and each published commit is
written in-process, reusing the directory's tree as it is. The published commit keeps the author, committer,
dates, encoding and message of its source commit, and gains a trailer naming it. Its SHA is therefore a pure
function of the source history and the rules: two runs anywhere give the same SHAs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from publish import git
from publish.errors import GitError
from publish.git import EMPTY_TREE, CatFile, ObjectWriter

KEPT_HEADERS = (b"author", b"committer", b"encoding")


@dataclass
class SourceCommit:
    sha: str
    parents: list[str]  # simplified parents: the nearest ancestors that changed the directory
    headers: list[bytes]  # author, committer, encoding lines, as stored
    message: bytes
    dir_tree: str | None  # None when the directory does not exist in this commit
    dir_entries: bytes = b""  # raw tree object of the directory (empty when not read: see dir_tree)
    extra: dict[str, str | None] = field(default_factory=dict)  # path -> tree/blob sha in this commit

    @property
    def commit_time(self) -> int:
        for h in self.headers:
            if h.startswith(b"committer "):
                return int(h.rsplit(b" ", 2)[1])
        return 0


# Given a source commit, return the tree its published commit should have.
TreeFn = Callable[[SourceCommit], str]


class UnknownParent(Exception):
    """An incremental walk reached a parent that is neither new nor already published."""


def walk(repo: Path, tip: str, path: str, exclude: list[str]) -> list[tuple[str, list[str]]]:
    """Commits that changed `path`, parents first, each with its simplified parents."""
    args = ["rev-list", "--parents", "--full-history", "--simplify-merges", "--topo-order", "--reverse", tip]
    args += [f"^{sha}" for sha in sorted(set(exclude))]
    args += ["--", path]
    result = []
    for line in git.out(args, repo).splitlines():
        shas = line.split()
        result.append((shas[0], list(dict.fromkeys(shas[1:]))))
    return result


def parse_commit(data: bytes) -> tuple[str, list[bytes], bytes]:
    """(tree, kept header lines, message) of a raw commit object."""
    head, _, message = data.partition(b"\n\n")
    tree = ""
    kept = []
    for line in head.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.split(b" ", 1)[0] in KEPT_HEADERS:
            kept.append(line)
    return tree, kept, message


def read_commits(
    cat: CatFile,
    walked: list[tuple[str, list[str]]],
    path: str,
    extra_paths: tuple[str, ...] = (),
    trees: dict[str, str | None] | None = None,
) -> list[SourceCommit]:
    """Read each walked commit, its directory tree and the extra paths through one batch.

    With `trees` (the directory's tree in each walked commit, from the walk) the directory is not looked up
    again, and its tree object is not read (`dir_entries` stays empty: read it from `dir_tree` when needed).
    """
    known = trees is not None and all(sha in trees for sha, _ in walked)
    per = (1 if known else 2) + len(extra_paths)
    names = []
    for sha, _ in walked:
        names += [sha] + ([] if known else [f"{sha}:{path}"]) + [f"{sha}:{p}" for p in extra_paths]
    answers = list(cat.read_many(names))
    commits = []
    for i, (sha, parents) in enumerate(walked):
        group = answers[i * per : (i + 1) * per]
        raw = group[0]
        if raw is None or raw[1] != "commit":
            raise GitError(["cat-file", "--batch"], 1, f"{sha} is not a commit", cat.repo)
        _, headers, message = parse_commit(raw[2])
        if known and trees is not None:
            dir_tree, dir_entries = trees[sha], b""
        else:
            tree = group[1]
            is_tree = tree is not None and tree[1] == "tree"
            dir_tree = tree[0] if is_tree and tree else None
            dir_entries = tree[2] if is_tree and tree else b""
        commit = SourceCommit(
            sha=sha,
            parents=parents,
            headers=headers,
            message=message,
            dir_tree=dir_tree,
            dir_entries=dir_entries,
            extra={
                p: (a[0] if a else None)
                for p, a in zip(extra_paths, group[per - len(extra_paths) :], strict=True)
            },
        )
        commits.append(commit)
    return commits


def with_trailer(message: bytes, key: str, sha: str) -> bytes:
    """The message with `key: sha` as its last trailer (in the trailer block when there is one)."""
    body = message.rstrip(b"\n")
    line = f"{key}: {sha}\n".encode()
    if not body:
        return line
    paragraphs = body.split(b"\n\n")
    last = paragraphs[-1].split(b"\n")
    trailer_like = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9-]*: ")
    if len(paragraphs) > 1 and all(trailer_like.match(x) for x in last):
        return body + b"\n" + line
    return body + b"\n\n" + line


def trailer_value(message: str, key: str) -> str | None:
    """The source commit a published commit names (its last `key:` trailer)."""
    found = None
    prefix = key + ": "
    for line in message.splitlines():
        if line.startswith(prefix):
            value = line[len(prefix) :].strip()
            if re.fullmatch(r"[0-9a-f]{40}", value):
                found = value
    return found


def format_commit(tree: str, parents: list[str], headers: list[bytes], message: bytes) -> bytes:
    lines = [f"tree {tree}".encode()] + [f"parent {p}".encode() for p in parents] + headers
    return b"\n".join(lines) + b"\n\n" + message


def build(
    commits: list[SourceCommit],
    known: dict[str, str],
    writer: ObjectWriter,
    trailer: str,
    tree_fn: TreeFn | None = None,
    *,
    tick: Callable[[int], None] | None = None,
) -> list[tuple[str, str]]:
    """Write one published commit per source commit, parents first; return (source, published) pairs.

    `known` maps already published source commits to their published commits; it is updated.
    Raises UnknownParent when a parent is neither in `commits` nor in `known`.
    """
    made = []
    for c in commits:
        parents = []
        for p in c.parents:
            if p not in known:
                raise UnknownParent(p)
            if known[p] not in parents:
                parents.append(known[p])
        if c.dir_tree is None:
            tree = EMPTY_TREE
            writer.write("tree", b"")
        else:
            tree = tree_fn(c) if tree_fn else c.dir_tree
        data = format_commit(tree, parents, c.headers, with_trailer(c.message, trailer, c.sha))
        sha = writer.write("commit", data)
        known[c.sha] = sha
        made.append((c.sha, sha))
        if tick:
            tick(1)
    return made
