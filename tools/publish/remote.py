"""The destination side through GitPython: the work repository's remote `destination`, its fetch, and an
atomic leased push whose structured per-ref results (new, fast-forward, up to date, rejected as stale,
refused by the destination) say exactly what happened. Only transient transport failures are retried.

Imported only by runs that fetch or push (`publish.dest` loads it when needed): GitPython's import is a
fifth of a run's start-up, and a run with nothing new needs neither.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from git import GitCommandError, PushInfo, Remote, RemoteProgress
from git import Repo as GitRepo

from publish import git
from publish.dest import DEST_NS, OUT_NS, REMOTE, TIMEOUT, retrying
from publish.errors import GitError, PublishError
from publish.rules import PackageRule

CHATTER = ("Pushing to ", "Looking up ", "POST ", "Fetching ")
# GitPython logs the stderr of a failed push as a warning; the report says it once, in its own words.
logging.getLogger("git.remote").setLevel(logging.ERROR)


class Said(RemoteProgress):
    """Keeps what git said on stderr besides progress, for the error message."""

    def text(self) -> str:
        lines = [x.strip() for x in [*self.error_lines, *self.other_lines]]
        return "\n".join(x for x in lines if x and not x.startswith(CHATTER))


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
    remote_said: list[str] = []  # what the destination said (`remote: ...` lines: a hook's reason)

    def action() -> list[PushInfo]:
        said = Said()
        remote_said[:] = []
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
        remote_said.extend(
            line.removeprefix("remote:").strip()
            for line in said.text().splitlines()
            if line.startswith("remote:") and line.removeprefix("remote:").strip()
        )
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
        why = f" (it said: {' | '.join(remote_said[-5:])})" if remote_said else ""  # a hook's last lines
        raise PublishError(f"the destination refused {ref}: {info.summary.strip()}{why}; nothing pushed")
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
