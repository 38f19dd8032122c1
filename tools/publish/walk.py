"""Many folders, one walk: each folder's simplified history from a single read of the source history.

`split.walk` asks git for one folder's history (`rev-list --parents --full-history --simplify-merges
-- DIR`); for K folders that is K walks of the whole history. `walk_many` reads the history once:

1. one `git rev-list --topo-order --reverse --format='%H %T %P'` lists every commit, parents first, with
   its root tree and parents;
2. from each distinct tree of each directory on the way to the folders, the directories below it and the
   folders in it are found (`read_entries`): read once and parsed where there are two or more such children,
   else looked up by git (`cat-file --batch-check`, two processes at once), so every commit gets the entry
   (mode and object) of every folder;
3. one pass over the commits, parents first, simplifies every folder's history at once, by the rules of
   git's `--full-history --simplify-merges` (revision.c: TREESAME against each parent, parents replaced
   by their simplifications, duplicates and parents that are ancestors of other parents dropped, root
   parents that lack the folder dropped, one parent the merge is TREESAME to always kept). Per commit, the
   folders it changes are found by comparing tuples of entries, and a commit that changes nothing shares
   its parent's tuple of simplifications, so the pass costs about the commits plus the changes.

The result, per folder, is exactly what `split.walk` returns from git for that folder (the same commits,
the same simplified parents; tested against git on generated histories with merges), so the published SHAs
are the same; only full walks (no excluded commits) are done this way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from publish import git, split
from publish.git import CatFile

SHARED_FROM = 3  # folders of one tip from which one shared walk costs less than walking each (measured)

Entry = bytes | None  # "<mode> <sha>" of a folder in a commit, None when absent


class Node:
    """A commit that simplifies to itself in one folder's history."""

    __slots__ = ("commit", "parents", "treesame")

    def __init__(self, commit: int, parents: list[int], treesame: bool) -> None:
        self.commit = commit
        self.parents = parents
        self.treesame = treesame


def read_dag(repo: Path, tip: str) -> tuple[list[str], list[list[int]], list[str]]:
    """(shas, parents as indexes, root trees), parents first."""
    args = ["rev-list", "--topo-order", "--reverse", "--no-commit-header", "--format=%H %T %P", tip]
    shas: list[str] = []
    trees: list[str] = []
    raw_parents: list[list[str]] = []
    for line in git.run(args, repo).stdout.decode().split("\n"):
        if line:
            sha, tree, *ps = line.split()
            shas.append(sha)
            trees.append(tree)
            raw_parents.append(ps)
    index = {sha: i for i, sha in enumerate(shas)}
    return shas, [[index[p] for p in ps] for ps in raw_parents], trees


# One tree entry: "<mode> <name>\0<20-byte sha>". Entries are contiguous from the start of a tree object and
# each one matches at its own start, so scanning from the start yields exactly the entries, in order.
TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)
TREE_MODE = b"40000"
GITLINK = b"160000 "


def parse_entries(data: bytes, names: dict[bytes, int], width: int) -> list[Entry]:
    """The entries of the wanted names in a raw tree object, placed at their folder's index."""
    found: list[Entry] = [None] * width
    for mode, name, sha in TREE_ENTRY.findall(data):
        at = names.get(name)
        if at is not None:
            found[at] = mode + b" " + sha
    return found


def in_order(folders: list[str]) -> list[str]:
    """The folders as walk_many places them: by path components, so each directory's folders are together
    (a pre-order of the tree of their paths)."""
    return sorted(set(folders), key=lambda f: f.strip("/").split("/"))


class Dir:
    """A directory on the way to some folders: the folders directly in it (`names`: name -> index) and the
    directories below it that lead to more (`below`: relative path -> Dir, a chain of directories that
    lead nowhere else being one step)."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.below: dict[str, Dir] = {}
        self.trees: set[str] = set()  # the distinct trees of this directory in the history
        self.found: dict[str, dict[str, str]] = {}  # relative path -> (tree -> the tree below it there)
        self.entries: dict[str, dict[str, Entry]] = {}  # folder name -> (tree -> the folder's entry in it)
        self.span: tuple[int, int] = (0, 0)  # the indexes of the folders at or below it
        self.tuples: dict[str, tuple[Entry, ...]] = {}  # tree -> entries of the folders at or below it

    def add(self, parts: list[str], index: int) -> None:
        if len(parts) == 1:
            self.names[parts[0]] = index
        else:
            self.below.setdefault(parts[0], Dir()).add(parts[1:], index)

    def compress(self) -> None:
        """Join a directory that holds no folder and leads to one directory only to that one."""
        for first in list(self.below):
            rel, sub = first, self.below.pop(first)
            while not sub.names and len(sub.below) == 1:
                ((step, sub),) = sub.below.items()
                rel = f"{rel}/{step}"
            self.below[rel] = sub
            sub.compress()

    def levels(self) -> list[list[Dir]]:
        out: list[list[Dir]] = [[self]]
        while True:
            nxt = [d for level in out[-1:] for p in level for d in p.below.values()]
            if not nxt:
                return out
            out.append(nxt)


def read_entries(repo: Path, trees: list[str], folders: list[str]) -> list[tuple[Entry, ...]]:
    """For each commit (by its root tree), the entry of each folder; equal tuples are one object.

    From each distinct tree of a directory, the directories below it on the way to the folders and the
    folders in it: read and parsed where a directory has two or more such children (`read_children`), else
    looked up by git (`cat-file --batch-check`, two processes at once). A name whose answer is not a tree
    is read exactly from its parent
    tree (a file, or a submodule, which `--batch-check` cannot tell from an absent name; an absent name in a
    tree without submodules needs no parsing). The folders must come `in_order`; each directory's tuple of
    entries is built once per distinct tree of it, from those of the directories below it.
    """
    if in_order(folders) != folders:
        raise ValueError("read_entries: folders must be in_order")
    root = Dir()
    for at, folder in enumerate(folders):
        root.add(folder.strip("/").split("/"), at)
    root.compress()
    root.trees = set(trees)
    levels = root.levels()
    for level in levels:  # top down: the trees of each directory, then the entries of its folders
        direct = {
            d: read_children(repo, d) for d in level if sum("/" not in r for r in d.below) + len(d.names) > 1
        }
        asked = [
            (d, sorted(d.trees), rel, False) for d in level for rel in d.below if rel not in direct.get(d, ())
        ]
        asked += [(d, sorted(d.trees), name, True) for d in level if d not in direct for name in d.names]
        names = [f"{t}:{rel}" for _, trees_of, rel, _ in asked for t in trees_of]
        answers = git.check_many(repo, names, procs=2)
        at = 0
        unclear: dict[Dir, dict[str, bool]] = {}  # per directory: tree -> whether some answer was an object
        for d, trees_of, rel, is_name in asked:
            block = zip(trees_of, answers[at : at + len(trees_of)], strict=True)
            at += len(trees_of)
            if not is_name:
                found = d.found[rel] = {t: a[0] for t, a in block if a is not None and a[1] == "tree"}
                d.below[rel].trees.update(found.values())
                continue
            column = d.entries[rel] = {}
            mine = unclear.setdefault(d, {})
            for t, a in block:
                if a is not None and a[1] == "tree":
                    column[t] = TREE_MODE + b" " + bytes.fromhex(a[0])
                else:
                    mine[t] = mine.get(t, False) or a is not None
        for d, trees_of_d in unclear.items():
            if trees_of_d:
                exact(repo, d, trees_of_d)
    width = len(folders)
    shared: dict[tuple[Entry, ...], tuple[Entry, ...]] = {}
    for level in reversed(levels):  # bottom up: each directory's tuple per tree, from those below it
        for d in level:
            d.span = (
                min([*d.names.values(), *(s.span[0] for s in d.below.values())], default=width),
                max([*(i + 1 for i in d.names.values()), *(s.span[1] for s in d.below.values())], default=0),
            )
            build_tuples(d, shared)
    return [root.tuples[t] for t in trees]


def read_children(repo: Path, d: Dir) -> set[str]:
    """Read each distinct tree of `d` once and take from it the directories below and the folders that are
    its own children (where that is two or more: one read and parse instead of a lookup for each); return
    the children so found."""
    wanted = {rel.encode(): rel for rel in d.below if "/" not in rel} | {n.encode(): n for n in d.names}
    for rel in d.below:
        d.found.setdefault(rel, {})
    for name in d.names:
        d.entries[name] = {}
    trees = sorted(d.trees)
    with CatFile(repo) as cat:
        for t, read in zip(trees, cat.read_many(trees), strict=True):
            for mode, name, sha in TREE_ENTRY.findall(read[2] if read else b""):
                child = wanted.get(name)
                if child is None:
                    continue
                entry = canonical(mode)
                if child in d.names:
                    d.entries[child][t] = entry + b" " + sha
                if entry == TREE_MODE and child in d.below:
                    d.found[child][t] = sha.hex()
    for rel in d.below:
        if "/" not in rel:
            d.below[rel].trees.update(d.found[rel].values())
    return {str(c) for c in wanted.values()}


def build_tuples(d: Dir, shared: dict[tuple[Entry, ...], tuple[Entry, ...]]) -> None:
    """Each tree of directory `d` -> the entries of the folders at or below `d` in it, in folder order."""
    start, stop = d.span
    absent: tuple[Entry, ...] = (None,) * (stop - start)
    if not d.names and len(d.below) == 1:  # a directory on the way only: the tuples of the one below
        ((rel, sub),) = d.below.items()
        found = d.found[rel]
        d.tuples = {t: sub.tuples[found[t]] if t in found else absent for t in d.trees}
        return
    trees = list(d.trees)
    rows: Iterable[tuple[Entry, ...]]
    if not d.below:  # the folders' own columns, zipped into rows (in C)
        order = sorted(d.names, key=d.names.__getitem__)
        columns = [[d.entries[name].get(t) for t in trees] for name in order]
        rows = zip(*columns, strict=True)
    else:  # pieces in folder order: a folder's own entry, or the tuple of a directory below
        pieces: list[tuple[int, list[tuple[Entry, ...]]]] = []
        for name, at in d.names.items():
            column = d.entries[name]
            pieces.append((at, [(column.get(t),) for t in trees]))
        for rel, sub in d.below.items():
            found, tuples = d.found[rel], sub.tuples
            none = (None,) * (sub.span[1] - sub.span[0])
            pieces.append((sub.span[0], [tuples[found[t]] if t in found else none for t in trees]))
        pieces.sort(key=lambda piece: piece[0])
        parts = zip(*(column for _, column in pieces), strict=True)
        rows = (tuple(chain.from_iterable(part)) for part in parts)
    for t, key in zip(trees, rows, strict=True):
        d.tuples[t] = shared.setdefault(key, key)


def canonical(mode: bytes) -> bytes:
    """A tree entry's mode as git compares it (its canon_mode): a directory, a symlink, a submodule, or a
    file that is executable or not."""
    kind = int(mode, 8) & 0o170000
    if kind == 0o100000:
        return b"100755" if int(mode, 8) & 0o100 else b"100644"
    return b"%o" % (kind if kind in (0o040000, 0o120000) else 0o160000)


def exact(repo: Path, d: Dir, unclear: dict[str, bool]) -> None:
    """The entries of `d`'s folders, read from the trees where some lookup did not answer a tree (tree ->
    whether some answer was an object, a file or a submodule, rather than missing)."""
    order = list(d.names)
    wanted = {name.encode(): i for i, name in enumerate(order)}
    trees = sorted(unclear)
    with CatFile(repo) as cat:
        for t, read in zip(trees, cat.read_many(trees), strict=True):
            data = read[2] if read else b""
            if not unclear[t] and GITLINK not in data:
                continue  # missing, and no submodule can hide behind that answer: absent
            for name, entry in zip(order, parse_entries(data, wanted, len(order)), strict=True):
                if entry is not None:
                    mode, _, sha = entry.partition(b" ")
                    d.entries[name][t] = canonical(mode) + b" " + sha


def walk_many(
    repo: Path, tip: str, folders: list[str], folder_trees: dict[str, dict[str, str | None]] | None = None
) -> dict[str, list[tuple[str, list[str]]]]:
    """For each folder, what `split.walk(repo, tip, folder, [])` returns, from one read of the history;
    and, in `folder_trees` when given, each folder's tree in each of its commits (None where it is not a
    tree), which spares the reader of those commits looking the folder up again."""
    folders = in_order(folders)
    shas, parents, trees = read_dag(repo, tip)
    entries = read_entries(repo, trees, folders)
    width = len(folders)
    gen: list[int] = [0] * len(shas)
    simp: list[tuple[int, ...]] = []
    graphs = [Graph() for _ in folders]
    nodes = [g.nodes for g in graphs]
    for c, ps in enumerate(parents):
        e = entries[c]
        gen[c] = 1 + max((gen[p] for p in ps), default=0)
        if not ps:
            simp.append((c,) * width)
            for i in range(width):
                nodes[i][c] = Node(c, [], e[i] is None)
            continue
        first = ps[0]
        if len(ps) == 1:
            pe = entries[first]
            if e is pe:
                simp.append(simp[first])
                continue
            mine = list(simp[first])
            for i in range(width):
                if e[i] != pe[i]:
                    nodes[i][c] = Node(c, [mine[i]], False)
                    mine[i] = c
            simp.append(tuple(mine))
            continue
        s0, e0 = simp[first], entries[first]
        others = [simp[p] for p in ps[1:]]
        if e is e0 and all(o is s0 for o in others):
            simp.append(s0)
            continue
        if len(others) == 1:
            s1 = others[0]
            differ = [i for i in range(width) if s1[i] != s0[i] or e[i] != e0[i]]
        else:
            differ = [i for i in range(width) if e[i] != e0[i] or any(o[i] != s0[i] for o in others)]
        mine = list(s0)
        for i in differ:  # elsewhere every parent simplifies to one commit and the merge is TREESAME to it
            mine[i] = simplify_merge(c, i, ps=ps, e=e, entries=entries, simp=simp, graph=graphs[i], gen=gen)
        simp.append(tuple(mine))
    result = {}
    index = {sha: c for c, sha in enumerate(shas)} if folder_trees is not None else {}
    for i, folder in enumerate(folders):
        shown = []
        for c in sorted(nodes[i]):
            node = nodes[i][c]
            if node.treesame and len(node.parents) < 2:
                continue
            out: list[str] = []
            for p in node.parents:
                pn = nodes[i][p]
                if pn.treesame and not pn.parents:
                    continue  # a root (or parentless) commit without the folder is no parent
                if shas[p] not in out:
                    out.append(shas[p])
            shown.append((shas[c], out))
        result[folder] = shown
        if folder_trees is not None:
            column = folder_trees[folder] = {}
            for sha, _ in shown:
                entry = entries[index[sha]][i]
                is_tree = entry is not None and entry.startswith(TREE_MODE + b" ")
                column[sha] = entry[6:].hex() if entry is not None and is_tree else None
    return result


def simplify_merge(
    c: int,
    i: int,
    *,
    ps: list[int],
    e: tuple[Entry, ...],
    entries: list[tuple[Entry, ...]],
    simp: list[tuple[int, ...]],
    graph: Graph,
    gen: list[int],
) -> int:
    """What merge `c` simplifies to in folder `i` (itself, or one of its simplified parents)."""
    if len(ps) == 2:  # the common cases, answered as the general rules below would answer them
        a, b = simp[ps[0]][i], simp[ps[1]][i]
        for keep, drop, parent in ((a, b, ps[0]), (b, a, ps[1])):
            node = graph.nodes[keep]
            if (
                e[i] == entries[parent][i]
                and (node.parents or not node.treesame)
                and graph.is_ancestor(gen, drop, keep)
            ):
                return keep  # the other side is already in this one, and the merge took this one's folder
    same = [e[i] == entries[p][i] for p in ps]
    parents: list[int] = []
    bits: list[bool] = []
    for p, bit in zip(ps, same, strict=True):
        sp = simp[p][i]
        if sp not in parents:
            parents.append(sp)
            bits.append(bit)
    if len(parents) > 1:
        nodes = graph.nodes
        marked = [
            any(q != p and graph.is_ancestor(gen, p, q) for q in parents)
            or (not nodes[p].parents and nodes[p].treesame)
            for p in parents
        ]
        if any(marked):
            if not any(b and not m for b, m in zip(bits, marked, strict=True)):
                for k, (b, m) in enumerate(zip(bits, marked, strict=True)):
                    if b and m:
                        marked[k] = False
                        break
            parents = [p for p, m in zip(parents, marked, strict=True) if not m]
            bits = [b for b, m in zip(bits, marked, strict=True) if not m]
    treesame = all(bits) if parents else e[i] is None
    if len(parents) == 1 and treesame:
        return parents[0]
    graph.nodes[c] = Node(c, parents, treesame)
    return c


class Graph:
    """One folder's simplified history so far: its nodes, and the ancestry answers already found."""

    __slots__ = ("known", "nodes")

    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.known: dict[tuple[int, int], bool] = {}

    def is_ancestor(self, gen: list[int], a: int, b: int) -> bool:
        """Is `a` reachable from `b` through the simplified parents (as git's reduce_heads sees them)?
        A node's parents never change once written, so answers are kept."""
        if gen[a] >= gen[b]:
            return False
        answer = self.known.get((a, b))
        if answer is None:
            answer = False
            seen = {b}
            todo = [b]
            while todo and not answer:
                for p in self.nodes[todo.pop()].parents:
                    if p == a:
                        answer = True
                        break
                    if p not in seen and gen[p] > gen[a]:
                        seen.add(p)
                        todo.append(p)
            self.known[(a, b)] = answer
        return answer


class SharedWalks:
    """Full walks for the packages of one run: the folders expected to be walked in full from one tip are
    walked together on the first request (`walk_many`), the others one by one (`split.walk`)."""

    def __init__(self, repo: Path, expected: dict[str, set[str]]) -> None:
        self.repo = repo
        self.expected = expected  # source tip -> folders expected to be walked in full from it
        self.lock = threading.Lock()
        self.done: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self.trees: dict[tuple[str, str], dict[str, str | None]] = {}  # the folder's tree per commit
        self.shared = 0  # folders walked by shared walks, for the record

    def prepare(self) -> None:
        """Walk every group of folders that is walked together now (the packages then know their size)."""
        with self.lock:
            for tip in sorted(self.expected):
                self._shared(tip)

    def size(self, tip: str | None, folder: str) -> int:
        """The commits of a walk done together already (0 when unknown)."""
        return len(self.done.get((tip or "", folder), ()))

    def _shared(self, tip: str) -> None:
        folders = self.expected.pop(tip, set())
        if len(folders) >= SHARED_FROM:
            trees: dict[str, dict[str, str | None]] = {}
            for name, walked in walk_many(self.repo, tip, sorted(folders), trees).items():
                self.done[(tip, name)] = walked
                self.trees[(tip, name)] = trees[name]
            self.shared += len(folders)

    def walk(self, tip: str, folder: str) -> list[tuple[str, list[str]]]:
        return self.walk_trees(tip, folder)[0]

    def walk_trees(
        self, tip: str, folder: str
    ) -> tuple[list[tuple[str, list[str]]], dict[str, str | None] | None]:
        """The walk, and the folder's tree in each of its commits when the walk knows them."""
        with self.lock:
            self._shared(tip)
            found = self.done.pop((tip, folder), None)
            trees = self.trees.pop((tip, folder), None)
        if found is not None:
            return found, trees
        return split.walk(self.repo, tip, folder, []), None
