"""Packages with nothing new, found without a git process per package.

A run that ends with every package published or up to date records, in the shared history repository
(`publish-state.json`), the rules it ran with, the source tags, and for each package branch the source tip
and the head it left at the destination. The next run starts with one `git for-each-ref` of the source and,
when branch tips moved, one `git log --name-only` of the new commits; a package is then up to date without a
fetch, a walk or a push when all of this holds:

- the rules file and the root `pyproject.toml` are byte for byte the same, and so are the source tags;
- on each of its branches the new commits (if any) descend from the recorded tip one parent at a time
  (no merge, no rewrite) and none of them changes the package's folder, so its walk would be empty;
- its destination is a local repository whose branch still points at the recorded head (its ref files are
  read directly: a loose ref, else packed-refs);
- the same holds for every package it depends on or that depends on it (a dependant that must be rebuilt
  needs its dependencies' published histories, so they take the normal path together).

Anything else (a remote destination, a merge among the new commits, a missing or stale state, `--force`)
sends the package down the normal path, which fetches and checks everything. The state is a cache: deleting
it only makes the next run do the normal work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from publish import git
from publish.rules import PackageRule, Rules

STATE = "publish-state.json"
VERSION = 2  # 2: a package ends well only once its published tags were verified (publish.tags)


@dataclass(frozen=True)
class Source:
    """What the source looks like now: branch tips, a digest of its tags, a digest of the rules; and the
    tags themselves (name -> the object each names, not peeled: peeling reads every annotated tag, which a
    run with nothing new does not need), which the whole run publishes from."""

    heads: dict[str, str]
    tags: str
    rules: str
    tag_targets: dict[str, str]


def read_source(rules: Rules) -> Source:
    text = git.out(
        ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/"], rules.root
    )
    heads, tags, targets = {}, [], {}
    for line in text.splitlines():
        sha, ref = line.split(" ", 1)
        if ref.startswith("refs/heads/"):
            heads[ref[len("refs/heads/") :]] = sha
        else:
            tags.append(line)
            targets[ref[len("refs/tags/") :]] = sha
    digest = hashlib.sha1()
    for path in (rules.path, rules.root / "pyproject.toml"):
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    tags_digest = hashlib.sha1("\n".join(sorted(tags)).encode()).hexdigest()
    return Source(heads, tags_digest, digest.hexdigest(), targets)


def local_ref(repo: Path, ref: str) -> str | None:
    """The sha a ref of a local repository points at, read from its files; None when unknown."""
    gitdir = repo / ".git" if (repo / ".git").is_dir() else repo
    loose = gitdir / ref
    try:
        if loose.is_file():
            value = loose.read_text().strip()
            return value if len(value) == 40 and not value.startswith("ref:") else None
        packed = gitdir / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref) and not line.startswith(("#", "^")):
                    return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def load(history: Path) -> dict[str, object]:
    try:
        state = json.loads((history / STATE).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == VERSION else {}


def save(history: Path, source: Source, packages: dict[str, dict[str, list[str]]]) -> None:
    """Record the end of a run in which every package ended published or up to date."""
    state = {"version": VERSION, "rules": source.rules, "tags": source.tags, "packages": packages}
    tmp = history / f"{STATE}.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    tmp.replace(history / STATE)


def new_commits(root: Path, old: str, new: str) -> list[str] | None:
    """Paths changed by the commits from `old` (excluded) to `new`, when they descend from `old` one parent
    at a time; None otherwise (a merge, a rewrite, an unknown commit)."""
    proc = git.run(
        ["log", "-z", "--no-renames", "--name-only", "--format=%x01%H %P", f"{old}..{new}", "--"],
        root,
        check=False,
    )
    if proc.returncode != 0:
        return None
    paths: list[str] = []
    chain: list[tuple[str, list[str]]] = []
    for field in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if field.startswith("\x01"):
            sha, *parents = field[1:].split()
            chain.append((sha, parents))
        elif field:
            paths.append(field[1:] if field.startswith("\n") else field)  # the first path follows a newline
    expected = new
    for sha, parents in chain:  # newest first: each commit's only parent is the next one, the last's is old
        if sha != expected or len(parents) != 1:
            return None
        expected = parents[0]
    return paths if expected == old else None


def touches(paths: list[str], folder: str) -> bool:
    prefix = folder.rstrip("/") + "/"
    return any(p == folder or p.startswith(prefix) for p in paths)


def unchanged(
    rules: Rules, packages: list[PackageRule], history: Path, source: Source
) -> dict[str, dict[str, list[str]]]:
    """The packages with nothing new (see the module's text), each with the state to record again."""
    state = load(history)
    if not state or state.get("rules") != source.rules or state.get("tags") != source.tags:
        return {}
    recorded = state.get("packages")
    if not isinstance(recorded, dict):
        return {}
    changes: dict[tuple[str, str], list[str] | None] = {}
    ok: dict[str, dict[str, list[str]]] = {}
    for rule in packages:
        branches = recorded.get(rule.name)
        local = rule.local_destination
        if (
            not isinstance(branches, dict)
            or local is None
            or set(branches) != {b.name for b in rule.branches}
        ):
            continue
        again: dict[str, list[str]] = {}
        for b in rule.branches:
            entry = branches[b.name]
            if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == b.source):
                break
            _, old, head = entry
            new = source.heads.get(b.source)
            if new is None or local_ref(local, f"refs/heads/{b.name}") != head:
                break
            if new != old:
                if (old, new) not in changes:
                    changes[(old, new)] = new_commits(rules.root, old, new)
                paths = changes[(old, new)]
                if paths is None or touches(paths, b.dir):
                    break
            again[b.name] = [b.source, new, head]
        else:
            ok[rule.name] = again
    # A package takes the quick path only with everything it is connected to by dependencies.
    by_name = {p.name: p for p in packages}
    changed = True
    while changed:
        changed = False
        for name in sorted(ok):
            linked = set(by_name[name].dependencies) | {p.name for p in packages if name in p.dependencies}
            if any(n in by_name and n not in ok for n in linked):
                del ok[name]
                changed = True
    return ok
