"""Many folders, one walk: each folder's simplified history from a single read of the source history.

`split.walk` asks git for one folder's history (`rev-list --parents --full-history --simplify-merges
-- DIR`); for K folders that is K walks of the whole history. `walk_many` reads the history once:

1. one `git rev-list --topo-order --reverse --parents --format=%T` lists every commit, parents first, with
   its root tree;
2. one `git cat-file --batch-check` finds, in each distinct root tree, the tree of each folder's parent
   directory (its group), and one `git cat-file --batch` reads each distinct group tree once, so every
   commit gets the entry (mode and object) of every folder;
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

import posixpath
import re
import threading
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
    out = git.run(["rev-list", "--topo-order", "--reverse", "--parents", "--format=%T", tip], repo).stdout
    shas: list[str] = []
    trees: list[str] = []
    raw_parents: list[list[str]] = []
    lines = out.decode().split("\n")
    for i in range(0, len(lines) - 1, 2):
        head = lines[i].split()
        shas.append(head[1])
        raw_parents.append(head[2:])
        trees.append(lines[i + 1])
    index = {sha: i for i, sha in enumerate(shas)}
    return shas, [[index[p] for p in ps] for ps in raw_parents], trees


# One tree entry: "<mode> <name>\0<20-byte sha>". Entries are contiguous from the start of a tree object and
# each one matches at its own start, so scanning from the start yields exactly the entries, in order.
TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)


def parse_entries(data: bytes, names: dict[bytes, int], width: int) -> list[Entry]:
    """The entries of the wanted names in a raw tree object, placed at their folder's index."""
    found: list[Entry] = [None] * width
    for mode, name, sha in TREE_ENTRY.findall(data):
        at = names.get(name)
        if at is not None:
            found[at] = mode + b" " + sha
    return found


def locate(repo: Path, roots: list[str], groups: list[str]) -> dict[tuple[str, str], str]:
    """(root tree, group) -> the group's tree, where it is a tree.

    The groups' common parent is looked up once per root tree (`cat-file --batch-check`); then each distinct
    tree of it is read once and its entries give the groups below it (or, for deeper groups, one lookup per
    distinct parent tree and group). On Symfony's history, with 3 groups below `src/Symfony`, that takes
    0.6 s + 0.5 s of git where looking up each group's whole path in each root tree took 1.9 s.
    """
    if not groups:
        return {}
    common = posixpath.commonpath(groups)
    top: dict[str, str] = {}
    for root, answer in zip(roots, git.check_many(repo, [f"{t}:{common}" for t in roots]), strict=True):
        if answer is not None and answer[1] == "tree":
            top[root] = answer[0]
    rels = [(g, posixpath.relpath(g, common)) for g in groups]
    mids = sorted(set(top.values()))
    below: dict[tuple[str, str], str] = {}
    if all("/" not in rel for _, rel in rels):  # children of the common parent (or that parent)
        names = {rel.encode(): at for at, (_, rel) in enumerate(rels) if rel != "."}
        with CatFile(repo) as cat:
            for m, read in zip(mids, cat.read_many(mids), strict=True):
                found = parse_entries(read[2] if read else b"", names, len(rels))
                for (g, _), entry in zip(rels, found, strict=True):
                    if entry is not None and entry.startswith(b"40000 "):
                        below[(m, g)] = entry[6:].hex()
    else:
        lookups = [(m, g, rel) for m in mids for g, rel in rels if rel != "."]
        answers = git.check_many(repo, [f"{m}:{rel}" for m, _, rel in lookups])
        for (m, g, _), answer in zip(lookups, answers, strict=True):
            if answer is not None and answer[1] == "tree":
                below[(m, g)] = answer[0]
    found_trees: dict[tuple[str, str], str] = {}
    for root, mid in top.items():
        for g, rel in rels:
            sub = mid if rel == "." else below.get((mid, g))
            if sub is not None:
                found_trees[(root, g)] = sub
    return found_trees


def by_parent(folder: str) -> tuple[str, str]:
    """(parent directory, name) of a folder: walk_many orders its folders by it."""
    return posixpath.split(folder.strip("/"))


def read_entries(repo: Path, trees: list[str], folders: list[str]) -> list[tuple[Entry, ...]]:
    """For each commit (by its root tree), the entry of each folder; equal tuples are one object.

    The folders come ordered by parent directory (`by_parent`), so each parent's folders are one slice of
    the tuple, and a root tree's tuple is its parents' slices put end to end.
    """
    groups: dict[str, dict[bytes, int]] = {}  # parent -> folder name -> its place in the parent's slice
    for folder in folders:
        parent, name = by_parent(folder)
        names = groups.setdefault(parent, {})
        names[name.encode()] = len(names)
    if [p for p, _ in map(by_parent, folders)] != [p for p, names in groups.items() for _ in names]:
        raise ValueError("read_entries: folders must be ordered by parent directory")
    distinct = sorted(set(trees))
    where: dict[tuple[str, str], str] = {}  # (root tree, group) -> group tree
    if "" in groups:
        where.update(((t, ""), t) for t in distinct)
    where.update(locate(repo, distinct, sorted(g for g in groups if g)))
    group_trees = sorted(set(where.values()))
    parsed: dict[tuple[str, str], tuple[Entry, ...]] = {}
    uses: dict[str, set[str]] = {}
    for (_, g), sub in where.items():
        uses.setdefault(sub, set()).add(g)
    with CatFile(repo) as cat:
        for sha, read in zip(group_trees, cat.read_many(group_trees), strict=True):
            data = read[2] if read else b""
            for g in uses[sha]:
                parsed[(sha, g)] = tuple(parse_entries(data, groups[g], len(groups[g])))
    absent = {g: (None,) * len(names) for g, names in groups.items()}
    shared: dict[tuple[Entry, ...], tuple[Entry, ...]] = {}
    per_tree: dict[str, tuple[Entry, ...]] = {}
    for t in distinct:
        key: tuple[Entry, ...] = ()
        for g in groups:
            group_tree = where.get((t, g))
            key += parsed[(group_tree, g)] if group_tree is not None else absent[g]
        per_tree[t] = shared.setdefault(key, key)
    return [per_tree[t] for t in trees]


def walk_many(repo: Path, tip: str, folders: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """For each folder, what `split.walk(repo, tip, folder, [])` returns, from one read of the history."""
    folders = sorted(set(folders), key=by_parent)
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
        self.shared = 0  # folders walked by shared walks, for the record

    def walk(self, tip: str, folder: str) -> list[tuple[str, list[str]]]:
        with self.lock:
            folders = self.expected.pop(tip, set())
            if len(folders) >= SHARED_FROM:
                for name, walked in walk_many(self.repo, tip, sorted(folders)).items():
                    self.done[(tip, name)] = walked
                self.shared += len(folders)
            found = self.done.pop((tip, folder), None)
        return found if found is not None else split.walk(self.repo, tip, folder, [])
