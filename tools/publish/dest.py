"""A package's work repository and its destination: fetch, what is already published, atomic push.

The work repository (`<work-dir>/<package>.git`) is a bare repository that borrows the monorepo's objects
(`objects/info/alternates`), so the directory trees are reused as they are. It is only a cache: everything
a run needs to resume is read back from the destination (the trailers of its commits).

The destination side goes through GitPython: the work repository's remote `destination`, its fetch, and an
atomic push whose structured per-ref results (new, fast-forward, up to date, rejected as stale, refused by
the destination) say exactly what happened. Only transient transport failures are retried.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from git import GitCommandError, PushInfo, Remote, RemoteProgress
from git import Repo as GitRepo

from publish import git
from publish.errors import GitError, PublishError
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
CHATTER = ("Pushing to ", "Looking up ", "POST ", "Fetching ")
# GitPython logs the stderr of a failed push as a warning; the report says it once, in its own words.
logging.getLogger("git.remote").setLevel(logging.ERROR)


class Said(RemoteProgress):
    """Keeps what git said on stderr besides progress, for the error message."""

    def text(self) -> str:
        lines = [x.strip() for x in [*self.error_lines, *self.other_lines]]
        return "\n".join(x for x in lines if x and not x.startswith(CHATTER))


def transient(exc: GitError) -> bool:
    return bool(TRANSIENT.search(exc.stderr))


def _remote(repo: Path, url: str) -> Remote:
    gr = GitRepo(repo)
    try:
        remote = gr.remote(REMOTE)
    except ValueError:
        return gr.create_remote(REMOTE, url)
    if remote.url != url:
        remote.set_url(url)
    return remote


def _git_error(command: str, url: str, exc: Exception, said: Said, repo: Path) -> GitError:
    stderr = said.text()
    status = exc.status if isinstance(exc, GitCommandError) and isinstance(exc.status, int) else 1
    if not stderr and isinstance(exc, GitCommandError):
        stderr = exc.stderr.strip().removeprefix("stderr: '").removesuffix("'")
    return GitError(["git", command, url], status, stderr, str(repo))


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


def fetch(repo: Path, rule: PackageRule, retries: int, delay: float, log: Callable[[str], None]) -> None:
    """Mirror the destination's branches and tags under refs/dest/ (pruning what it no longer has)."""
    local = rule.local_destination
    if local is not None and not local.exists():  # permanent: no retry
        raise PublishError(f"destination {rule.destination} does not exist (its rule has create = false)")
    specs = [f"+refs/heads/*:{DEST_NS}heads/*", f"+refs/tags/*:{DEST_NS}tags/*"]

    def action() -> None:
        said = Said()
        try:
            _remote(repo, rule.destination).fetch(
                refspec=specs, progress=said, prune=True, no_tags=True, kill_after_timeout=TIMEOUT
            )
        except GitCommandError as exc:
            raise _git_error("fetch", rule.destination, exc, said, repo) from None

    retrying(action, retries, delay, log)


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


REJECTED = PushInfo.REJECTED | PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE | PushInfo.ERROR


def push(
    repo: Path,
    rule: PackageRule,
    updates: list[tuple[str, str, str | None, bool]],
    *,
    retries: int,
    delay: float,
    log: Callable[[str], None],
) -> dict[str, bool]:
    """One atomic push of (ref, new sha, expected old sha or None, forced) updates; ref -> True when the
    destination already was at the new sha (nothing pushed for it).

    Every ref carries a lease on the value fetched at the start, so a destination that moved since is
    refused instead of overwritten: that lost race is a PublishError naming the ref, unless the destination
    moved to exactly what this run would push (another run published it), which is no failure.
    """
    staged = "".join(f"update {OUT_NS}{ref[len('refs/') :]} {new}\n" for ref, new, _, _ in sorted(updates))
    git.run(["update-ref", "--stdin"], repo, input=staged.encode())
    leases = [f"{ref}:{old or ''}" for ref, _new, old, _forced in updates]
    specs = [f"{OUT_NS}{ref[len('refs/') :]}:{ref}" for ref, _new, _old, _forced in updates]
    want = {ref: new for ref, new, _old, _forced in updates}

    def action() -> list[PushInfo]:
        said = Said()
        try:
            infos = _remote(repo, rule.destination).push(
                refspec=specs,
                progress=said,
                atomic=True,
                verbose=True,  # up-to-date refs are reported too
                force_with_lease=leases,
                kill_after_timeout=TIMEOUT,
            )
        except GitCommandError as exc:  # nothing structured came back: the transport failed
            raise _git_error("push", rule.destination, exc, said, repo) from None
        if infos.error is not None and not any(i.flags & REJECTED for i in infos):
            raise _git_error("push", rule.destination, infos.error, said, repo)
        return list(infos)

    infos = retrying(action, retries, delay, log)
    by_ref = {i.remote_ref_string: i for i in infos}
    rejected = sorted(
        r for r, i in by_ref.items() if i.flags & REJECTED and "atomic push failed" not in i.summary
    )
    if rejected:
        now = remote_refs(repo, rule.destination, sorted(want))
        if all(now.get(ref) == new for ref, new in want.items()):
            return dict.fromkeys(want, True)  # another run published the very same commits
        ref = rejected[0]
        info = by_ref[ref]
        if "stale info" in info.summary:
            raise PublishError(
                f"{ref} moved at the destination during this run (fetched "
                f"{(dict((r, o) for r, _n, o, _f in updates)[ref] or '(none)')[:12]}, now "
                f"{(now.get(ref) or '(none)')[:12]}); nothing pushed: run again"
            )
        raise PublishError(f"the destination refused {ref}: {info.summary.strip()}; nothing pushed")
    missing = sorted(set(want) - set(by_ref))
    if missing:
        raise PublishError(
            f"git push reported nothing for {', '.join(missing)}; run again to see where it stands"
        )
    return {ref: bool(by_ref[ref].flags & PushInfo.UP_TO_DATE) for ref in want}


def remote_refs(repo: Path, url: str, names: list[str]) -> dict[str, str]:
    """ref -> sha at the destination now (tags peeled), read with `git ls-remote`."""
    text = GitRepo(repo).git.ls_remote(url, *names)
    found: dict[str, str] = {}
    for line in str(text).splitlines():
        sha, _, ref = line.partition("\t")
        found[ref.removesuffix("^{}")] = sha
    return found
