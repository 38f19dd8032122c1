"""`publish status`: where each package branch stands, read without writing anything.

For each package and branch: the destination's head (`git ls-remote`, which writes nothing, local or
remote), the source commit it was published from (its trailer, read from a repository that already holds
the head: a local destination itself, else the package's work repository when a run fetched it), and how
many commits of the source branch changing the package's folder came after that commit: the ones the next
`publish sync` would publish. Nothing is fetched, created or pushed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from publish import earlier, git, owner, tags
from publish.decide import HeadFacts, ownership, tag_moved
from publish.errors import GitError
from publish.rules import PackageRule, Rules
from publish.split import trailer_value

# states of one package branch
CURRENT = "up to date"
BEHIND = "behind"
UNPUBLISHED = "not published"
UNKNOWN = "unknown"  # the head's commit is not readable here, or names no source commit
UNREADABLE = "unreadable"  # the destination could not be read
NO_SOURCE = "no source branch"
REWRITTEN = "rewritten"  # the source commit of the head is no longer on the source branch: sync refuses it
FOREIGN = "foreign commits"  # the head, or commits above the last published one, not made by the publisher
TAG_MOVED = "tag moved"  # a published tag whose source tag now points elsewhere: sync refuses it
ATTENTION = (UNKNOWN, UNREADABLE, REWRITTEN, FOREIGN, TAG_MOVED)  # the states status exits 1 for


@dataclass(frozen=True)
class BranchStatus:
    package: str
    branch: str  # the published branch
    source_branch: str
    dir: str
    destination: str
    head: str | None  # the destination branch's sha, None when absent
    published_from: str | None  # the source commit the head's trailer names
    waiting: int | None  # source commits changing `dir` after published_from (all of them when unpublished)
    state: str
    note: str = ""


def _dest_refs(rule: PackageRule, root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(branch -> sha, tag -> the commit it points at) at the destination, in one `git ls-remote` (tags
    only when the rule maps them); both {} when a local destination does not exist yet."""
    local = rule.local_destination
    if local is not None and not local.exists():
        return {}, {}
    kinds = ["--heads", "--tags"] if rule.tags else ["--heads"]
    text = git.out(["ls-remote", *kinds, rule.destination], root, env={"GIT_TERMINAL_PROMPT": "0"})
    lines = [line.partition("\t")[::2] for line in text.splitlines()]
    heads: dict[str, str] = {}
    dest_tags: dict[str, str] = {}
    for sha, ref in sorted(lines, key=lambda x: x[1]):  # "refs/tags/x" before its peeled "refs/tags/x^{}"
        if ref.startswith("refs/heads/"):
            heads[ref.removeprefix("refs/heads/")] = sha
        elif ref.startswith("refs/tags/"):
            dest_tags[ref.removeprefix("refs/tags/").removesuffix("^{}")] = sha
    return heads, dest_tags


def _message(sha: str, places: list[Path]) -> tuple[Path, str] | None:
    """The first place that holds the commit, and its message."""
    for place in places:
        if (place / "HEAD").exists() or (place / ".git").exists():
            done = git.run(["cat-file", "commit", sha], place, check=False)
            if done.returncode == 0:
                return place, done.stdout.decode("utf-8", "replace").partition("\n\n")[2]
    return None


def _waiting(root: Path, since: str | None, tip: str, folder: str) -> int | None:
    span = [tip] if since is None else [f"{since}..{tip}"]
    if since is not None and git.rev_parse(root, since) is None:
        return None
    return int(git.out(["rev-list", "--count", *span, "--", folder], root) or "0")


def package_status(
    rules: Rules, rule: PackageRule, tips: dict[str, str], source_tags: dict[str, str] | None = None
) -> list[BranchStatus]:
    out = []
    try:
        heads, dest_tags = _dest_refs(rule, rules.root)
        error = ""
    except GitError as exc:
        heads, dest_tags, error = {}, {}, f"cannot read {rule.destination}: {exc.message}"
    places = [p for p in (rule.local_destination, rules.work_dir / f"{rule.name}.git") if p is not None]
    for b in rule.branches:
        base = dict(package=rule.name, branch=b.name, source_branch=b.source, dir=b.dir)
        base["destination"] = rule.destination
        tip = tips.get(b.source)
        if error:
            out.append(
                BranchStatus(
                    **base, head=None, published_from=None, waiting=None, state=UNREADABLE, note=error
                )
            )
            continue
        head = heads.get(b.name)
        if tip is None:
            out.append(BranchStatus(**base, head=head, published_from=None, waiting=None, state=NO_SOURCE))
            continue
        if head is None:
            waiting = _waiting(rules.root, None, tip, b.dir)
            if rule.earlier and waiting:  # the commits from before the package moved here wait too
                waiting += earlier.waiting(rules.root, tip, b.dir, rule.earlier)
            out.append(
                BranchStatus(**base, head=None, published_from=None, waiting=waiting, state=UNPUBLISHED)
            )
            continue
        held = _message(head, places)
        source = trailer_value(held[1], rules.trailer) if held is not None else None
        if held is None:
            note = "the head is not here: `publish sync --dry-run` fetches it"
            out.append(
                BranchStatus(**base, head=head, published_from=None, waiting=None, state=UNKNOWN, note=note)
            )
            continue
        if source is None:  # judged as sync judges it: the commits the publisher did not make, named
            found, _, foreign = owner.first_parent_line(held[0], head, rules.trailer)
            refusal = ownership(HeadFacts(rule.name, b.name, b.source, head, found, foreign))
            note = refusal.message if refusal else ""
            out.append(
                BranchStatus(**base, head=head, published_from=found, waiting=None, state=FOREIGN, note=note)
            )
            continue
        waiting = _waiting(rules.root, source, tip, b.dir)
        if waiting is None:
            note = f"{source[:12]} is not in the source repository"
            out.append(
                BranchStatus(**base, head=head, published_from=source, waiting=None, state=UNKNOWN, note=note)
            )
            continue
        if not git.is_ancestor(rules.root, source, tip):
            note = (
                f"{source[:12]} is no longer on {b.source!r}: `publish sync` refuses the branch until "
                f"`--force {rule.name}:{b.name}` republishes it"
            )
            out.append(
                BranchStatus(
                    **base, head=head, published_from=source, waiting=None, state=REWRITTEN, note=note
                )
            )
            continue
        state = CURRENT if waiting == 0 else BEHIND
        out.append(BranchStatus(**base, head=head, published_from=source, waiting=waiting, state=state))
    if rule.tags and not error:
        if source_tags is None:
            source_tags = tags.read_source_tags(rules.root)
        out += _moved_tags(rules, rule, places, source_tags, dest_tags)
    return out


def _moved_tags(
    rules: Rules, rule: PackageRule, places: list[Path], source_tags: dict[str, str], existing: dict[str, str]
) -> list[BranchStatus]:
    """Published tags (`existing`: tag -> commit at the destination) whose source tag moved since
    (publish.tags): one row each, as sync refuses them."""
    records = tags.load_records(rules.work_dir / f"{rule.name}.git")
    rows = []
    for tag, source_tag, target, old in tags.changed(rules.root, rule, existing, source_tags, records):
        held = _message(old, places)
        published_from = trailer_value(held[1], rules.trailer) if held else None
        if published_from is None:
            continue  # not readable here: sync will tell
        if tags.published_for(rules.root, rule, target, {published_from: old}) == old:
            continue  # moved, but to a commit published as the same one
        rows.append(
            BranchStatus(
                package=rule.name,
                branch=f"refs/tags/{tag}",
                source_branch=f"refs/tags/{source_tag}",
                dir=rule.source,
                destination=rule.destination,
                head=old,
                published_from=published_from,
                waiting=None,
                state=TAG_MOVED,
                note=tag_moved(
                    rule.name, tag, old, source_tag=source_tag, commit=target, published=None
                ).message,
            )
        )
    return rows


def status(rules: Rules, packages: tuple[PackageRule, ...]) -> list[BranchStatus]:
    text = git.out(["for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads/"], rules.root)
    tips = dict(line.split(" ", 1) for line in text.splitlines())
    source_tags = tags.read_source_tags(rules.root)
    ordered = sorted(packages, key=lambda r: r.name)
    return [s for rule in ordered for s in package_status(rules, rule, tips, source_tags)]


def to_text(rows: list[BranchStatus]) -> str:
    table = [["package", "branch", "destination head", "published from", "waiting", "state"]]
    for r in rows:
        table.append(
            [
                r.package,
                r.branch if r.branch == r.source_branch else f"{r.branch} (from {r.source_branch})",
                r.head[:12] if r.head else "-",
                r.published_from[:12] if r.published_from else "-",
                "?" if r.waiting is None else str(r.waiting),
                r.state + (f": {r.note}" if r.note else ""),
            ]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]) for row in table]
    return "\n".join(lines) + "\n"


def to_json(rows: list[BranchStatus]) -> str:
    return json.dumps({"version": 1, "branches": [asdict(r) for r in rows]}, indent=2, sort_keys=True) + "\n"
