"""A package's work repository and its destination: fetch, what is already published, atomic push.

The work repository (`<work-dir>/<package>.git`) is a bare repository that borrows the monorepo's objects
(`objects/info/alternates`), so the directory trees are reused as they are. It is only a cache: everything
a run needs to resume is read back from the destination (the trailers of its commits).

The destination side (the remote `destination`, its fetch, the atomic push and its per-ref results) goes
through GitPython, in `publish.remote`, which is loaded only when a run fetches or pushes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from publish import git
from publish.errors import GitError
from publish.rules import PackageRule
from publish.split import trailer_value

T = TypeVar("T")

DEST_NS = "refs/dest/"
OUT_NS = "refs/publish-out/"  # what a push sends, as local refs (GitPython's push results name them)
REMOTE = "destination"
TIMEOUT = 600.0
# Failures worth another attempt: the network or the server, not the request.
TRANSIENT = re.compile(
    r"Connection refused|Connection reset|Connection timed out|timed out|Could not resolve host|"
    r"Temporary failure|Network is unreachable|No route to host|early EOF|RPC failed|unexpected disconnect|"
    r"The remote end hung up unexpectedly|HTTP 5\d\d|returned error: 5\d\d|unable to connect",
    re.IGNORECASE,
)


# A client error of the server (HTTP 4xx: no such repository, no permission, a push too large) stays what it
# is on a second try, whatever else git says about the connection it then drops.
PERMANENT = re.compile(r"HTTP 4\d\d|returned error: 4\d\d")


def transient(exc: GitError) -> bool:
    return bool(TRANSIENT.search(exc.stderr)) and not PERMANENT.search(exc.stderr)


def work_repo(work_dir: Path, rule: PackageRule, source: Path) -> Path:
    """Create (once) the package's work repository, borrowing the source repository's objects."""
    return git.borrowing_repo(work_dir / f"{rule.name}.git", source)


def ensure_commit_graph(repo: Path, tips: list[str]) -> None:
    """Give the work repository a commit-graph of the source history, once: path-limited walks run about
    twice as fast with it, and writing it costs less than it saves on the first full walk. It is a cache:
    later commits are walked without it (incremental walks are short anyway)."""
    info = repo / "objects" / "info"
    if tips and not (info / "commit-graph").exists() and not (info / "commit-graphs").exists():
        lines = "".join(f"{t}\n" for t in sorted(set(tips)))
        git.run(["commit-graph", "write", "--stdin-commits", "--no-progress"], repo, input=lines.encode())


def retrying(action: Callable[[], T], retries: int, delay: float, log: Callable[[str], None]) -> T:
    """Run a network action, retrying transient failures a bounded number of times with a growing pause."""
    for attempt in range(retries + 1):
        try:
            return action()
        except GitError as exc:
            if attempt == retries or not transient(exc):
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
