"""A package's history from before it moved: the rule key `earlier`.

A package moved into its folder from elsewhere (`stage apply`, a `git mv`) has, by folder, a history that
starts at the move. A rule's `earlier = [{ source = "old/folder", as = "pkg" }, ...]` names its earlier homes,
newest first. The commits that changed `old/folder` up to the first commit of the rule's folder (a root of its
walk: a commit with no earlier commit of the folder) are published before it, each with the old folder's tree
placed at `as` in the published tree (default: the published tree is the old folder's tree), and that first
commit's published parent is the last of them. Each further entry continues the same way below the first
commits of the entry before it. A rule without the key publishes exactly what it did before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from publish import split
from publish.git import CatFile, ObjectWriter
from publish.split import SourceCommit

TREE_MODE = b"40000"


@dataclass(frozen=True)
class Earlier:
    source: str  # the package's earlier folder, relative to the repository root
    at: str  # where that folder's tree goes in the published tree; "" for its root


def check_folder(value: str, what: str) -> str | None:
    """Why `value` is not a relative folder inside the repository, or None; `what` names it."""
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts or value.startswith("\\"):
        return f"{what} must be a relative folder inside the repository, not {value!r}"
    return None


def _wrap(writer: ObjectWriter, tree: str, at: str) -> tuple[str, bytes]:
    """A tree holding `tree` at the folder `at`, and its raw entries."""
    entries = b""
    for name in reversed(PurePosixPath(at).parts):
        entries = TREE_MODE + b" " + name.encode() + b"\0" + bytes.fromhex(tree)
        tree = writer.write("tree", entries)
    return tree, entries


def prepend(
    repo: Path,
    cat: CatFile,
    writer: ObjectWriter,
    commits: list[SourceCommit],
    *,
    earlier: tuple[Earlier, ...],
    exclude: list[str],
    extra: tuple[str, ...] = (),
) -> list[SourceCommit]:
    """`commits` (parents first) with the earlier folders' commits before them, their roots grafted on."""
    block = commits
    for home in earlier:
        roots = [c for c in block if not c.parents]
        before: dict[str, SourceCommit] = {}
        for root in roots:
            walked = split.walk(repo, root.sha, home.source, exclude)
            own = [w for w in walked if w[0] != root.sha]
            if not own:
                continue
            graft = next((w[1] for w in walked if w[0] == root.sha), [own[-1][0]])
            new = [w for w in own if w[0] not in before]
            for c in split.read_commits(cat, new, home.source, extra):
                if c.dir_tree is not None and home.at:
                    c.dir_tree, c.dir_entries = _wrap(writer, c.dir_tree, home.at)
                before[c.sha] = c
            root.parents = list(graft)
        block = list(before.values())
        commits = block + commits
    return commits


def waiting(repo: Path, tip: str, folder: str, earlier: tuple[Earlier, ...]) -> int:
    """How many commits the earlier homes add before the first commits of `folder` (`publish status`)."""
    roots = [sha for sha, parents in split.walk(repo, tip, folder, []) if not parents]
    total = 0
    for home in earlier:
        found: dict[str, list[str]] = {}
        for root in roots:
            found.update((sha, ps) for sha, ps in split.walk(repo, root, home.source, []) if sha != root)
        total += len(found)
        roots = [sha for sha, parents in found.items() if not parents]
    return total
