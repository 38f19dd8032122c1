"""A package's work repository and its destination: fetch, what is already published, atomic push.

The work repository (`<work-dir>/<package>.git`) is a bare repository that borrows the monorepo's objects
(`objects/info/alternates`), so the directory trees are reused as they are. It is only a cache: everything
a run needs to resume is read back from the destination (the trailers of its commits).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publish import git
from publish.errors import GitError
from publish.rules import PackageRule
from publish.split import trailer_value

DEST_NS = "refs/dest/"


def work_repo(work_dir: Path, rule: PackageRule, source: Path) -> Path:
    """Create (once) the package's work repository, borrowing the source repository's objects."""
    repo = work_dir / f"{rule.name}.git"
    if not (repo / "HEAD").exists():
        repo.parent.mkdir(parents=True, exist_ok=True)
        tmp = work_dir / f".{rule.name}.git.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        git.run(["init", "--quiet", "--bare", str(tmp)], work_dir)
        git.run(["config", "gc.auto", "0"], tmp)
        tmp.rename(repo)
    alternates = repo / "objects" / "info" / "alternates"
    wanted = f"{git.objects_dir(source)}\n"
    if not alternates.exists() or alternates.read_text() != wanted:
        alternates.write_text(wanted)
    return repo


def ensure_commit_graph(repo: Path, tips: list[str]) -> None:
    """Give the work repository a commit-graph of the source history, once: path-limited walks run about
    twice as fast with it, and writing it costs less than it saves on the first full walk. It is a cache:
    later commits are walked without it (incremental walks are short anyway)."""
    info = repo / "objects" / "info"
    if tips and not (info / "commit-graph").exists() and not (info / "commit-graphs").exists():
        lines = "".join(f"{t}\n" for t in sorted(set(tips)))
        git.run(["commit-graph", "write", "--stdin-commits", "--no-progress"], repo, input=lines.encode())


def retrying(
    action: Callable[[], subprocess.CompletedProcess[bytes]],
    retries: int,
    delay: float,
    log: Callable[[str], None],
) -> subprocess.CompletedProcess[bytes]:
    """Run a network action, retrying a bounded number of times with a growing pause."""
    for attempt in range(retries + 1):
        try:
            return action()
        except GitError as exc:
            if attempt == retries:
                raise
            log(f"attempt {attempt + 1} failed ({exc.message}); retrying in {delay * (attempt + 1):.1f} s")
            time.sleep(delay * (attempt + 1))
    raise AssertionError("unreachable")


def ensure_destination(rule: PackageRule) -> bool:
    """Create a missing local bare destination when the rule says `create = true`; True when created."""
    local = rule.local_destination
    if local is None or not rule.create or (local / "HEAD").exists() or (local / ".git").exists():
        return False
    local.mkdir(parents=True, exist_ok=True)
    git.run(["init", "--quiet", "--bare", str(local)], local)
    names = [b.name for b in rule.branches]
    head = "main" if "main" in names else names[0]
    git.run(["symbolic-ref", "HEAD", f"refs/heads/{head}"], local)  # clones check out the published branch
    return True


def fetch(repo: Path, rule: PackageRule, retries: int, delay: float, log: Callable[[str], None]) -> None:
    """Mirror the destination's branches and tags under refs/dest/ (pruning what it no longer has)."""
    args = [
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "--no-write-fetch-head",
        rule.destination,
        f"+refs/heads/*:{DEST_NS}heads/*",
        f"+refs/tags/*:{DEST_NS}tags/*",
    ]
    retrying(lambda: git.run(args, repo, timeout=600), retries, delay, log)


def refs(repo: Path, prefix: str) -> dict[str, str]:
    """name -> sha of the refs under a prefix (tags peeled to what they point at)."""
    text = git.out(["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", prefix], repo)
    result = {}
    for line in text.splitlines():
        parts = line.split()
        result[parts[0][len(prefix) :]] = parts[-1]
    return result


@dataclass
class Published:
    heads: dict[str, str]  # destination branch -> sha
    tags: dict[str, str]  # destination tag -> commit sha
    known: dict[str, str]  # source commit -> published commit, from the trailers
    sources: dict[str, str]  # published commit -> source commit


def _trailers(repo: Path, trailer: str, args: list[str]) -> dict[str, str]:
    """published commit -> source commit, from the trailers of the commits `git log args` lists."""
    text = git.run(["log", "-z", "--format=%H%n%B", *args, "--"], repo).stdout.decode("utf-8", "replace")
    found = {}
    for record in text.split("\0"):
        sha, _, body = record.strip("\n").partition("\n")
        src = trailer_value(body, trailer)
        if sha and src:
            found[sha] = src
    return found


def published(repo: Path, trailer: str) -> Published:
    """What the destination holds: its refs, and the source commits of the commits they point at.

    Only the tips are read here (cheap for an incremental run); `all_known` reads the whole history.
    """
    heads = refs(repo, DEST_NS + "heads/")
    tags = refs(repo, DEST_NS + "tags/")
    tips = sorted(set(heads.values()) | set(tags.values()))
    sources = _trailers(repo, trailer, ["--no-walk", *tips]) if tips else {}
    known: dict[str, str] = {}
    for sha, src in sorted(sources.items()):
        known.setdefault(src, sha)
    return Published(heads, tags, known, sources)


def all_known(repo: Path, trailer: str) -> dict[str, str]:
    """source commit -> published commit for everything the destination's branches and tags hold."""
    tips = sorted(set(refs(repo, DEST_NS + "heads/").values()) | set(refs(repo, DEST_NS + "tags/").values()))
    known: dict[str, str] = {}
    if tips:
        for sha, src in sorted(_trailers(repo, trailer, tips).items()):
            known.setdefault(src, sha)
    return known


def record_push(repo: Path, updates: list[tuple[str, str]]) -> None:
    """Remember what the destination now holds, so the next fetch negotiates from it."""
    lines = "".join(f"update {DEST_NS}{ref[len('refs/') :]} {new}\n" for ref, new in sorted(updates))
    git.run(["update-ref", "--stdin"], repo, input=lines.encode())


def push(
    repo: Path,
    rule: PackageRule,
    updates: list[tuple[str, str, str | None, bool]],
    *,
    retries: int,
    delay: float,
    log: Callable[[str], None],
) -> None:
    """One atomic push of (ref, new sha, expected old sha or None, forced) updates.

    Every ref carries a lease on the value fetched at the start, so a destination that moved since
    is refused instead of overwritten.
    """
    args = ["push", "--atomic", "--quiet", rule.destination]
    for ref, _new, old, _forced in updates:
        args.append(f"--force-with-lease={ref}:{old or ''}")
    for ref, new, _old, _forced in updates:
        args.append(f"{new}:{ref}")
    retrying(lambda: git.run(args, repo, timeout=600), retries, delay, log)
