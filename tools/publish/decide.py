"""The refusal rules of a sync, as pure functions of facts read beforehand (tested on their own).

- `ownership`: may this run build on the destination branch's head? Only when its trailer names a source
  commit of this repository that is still on the source branch, and the published tree is this rule's
  folder at that commit (rewritten files aside). Otherwise it says which of three cases it is.
- `update_refusal`: branches only move forward and tags never move, unless forced by name.
- `tag_moved`: a published tag whose source tag now points at a commit published as another.
- `dependency_refusal`: a package whose dependency failed is not published, and says its own state too.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HeadFacts:
    """What the destination branch's head is, as read from the destination and the monorepo."""

    package: str
    branch: str  # the published branch
    source_branch: str
    head: str  # the destination branch's commit
    source: str | None = None  # the source commit named by the nearest trailer at or below head
    foreign: tuple[str, ...] = ()  # "<sha> <subject>" of the commits above that one, without trailer
    source_exists: bool = False  # the monorepo has that commit
    on_branch: bool = False  # ... and it is on the source branch
    tree_matches: bool = False  # the published tree is the rule's folder at that commit (rewrites aside)
    other_package: str | None = None  # a package whose folder at that commit is the published tree


@dataclass(frozen=True)
class Refusal:
    kind: str  # "foreign", "rewritten", "other-package", "edited", "not-ancestor", "tag-moved", "missing"
    message: str  # one line, ends with the --force tip that covers exactly this problem ("missing": no tip)


def force_tip(package: str, name: str, what: str) -> str:
    return f"TIP: `--force {package}:{name}` {what}"


def ownership(f: HeadFacts) -> Refusal | None:
    """None when the head is this package's own publication of this repository's branch."""
    ref = f"refs/heads/{f.branch}"
    if f.foreign or f.source is None:
        shown = ", ".join(f.foreign[:3]) + (f" and {len(f.foreign) - 3} more" if len(f.foreign) > 3 else "")
        return Refusal(
            "foreign",
            f"{ref} at the destination has commits the publisher did not make: {shown or f.head}; "
            f"nothing pushed. {force_tip(f.package, f.branch, 'overwrites them')}",
        )
    if not f.source_exists or not f.on_branch:
        where = (
            f"is no longer on source branch {f.source_branch!r}"
            if f.source_exists
            else "this repository does not have"
        )
        return Refusal(
            "rewritten",
            f"the source history was rewritten since the last publish: {ref} at the destination "
            f"({f.head[:12]}) was published from source commit {f.source}, which {where}; nothing pushed. "
            f"{force_tip(f.package, f.branch, 'republishes the branch from the new history')}",
        )
    if not f.tree_matches and f.other_package:
        return Refusal(
            "other-package",
            f"{ref} at the destination holds package {f.other_package!r}'s history, not {f.package!r}'s "
            f"(its tree at {f.head[:12]} is not this rule's folder at source commit {f.source[:12]}); "
            f"nothing pushed. {force_tip(f.package, f.branch, 'overwrites it')}",
        )
    if not f.tree_matches:  # no rule's folder: a commit amended at the destination, or another repository's
        return Refusal(
            "edited",
            f"{ref} at the destination is not what the publisher made from source commit {f.source[:12]}: "
            f"its tree at {f.head[:12]} is neither this rule's folder there nor another rule's (a commit "
            f"edited at the destination that kept the trailer, or another repository's history); "
            f"nothing pushed. {force_tip(f.package, f.branch, 'overwrites it')}",
        )
    return None


@dataclass(frozen=True)
class Planned:
    ref: str
    old: str | None
    new: str
    forced: bool
    fast_forward: bool  # old is an ancestor of new (always True for a new ref)


def tag_moved(
    package: str, tag: str, old: str, *, source_tag: str, commit: str, published: str | None
) -> Refusal:
    """The published `tag` (at `old`) no longer matches its source tag, which now points at `commit`
    (published as `published`; None when not known here)."""
    now = f", published as {published}" if published else ""
    return Refusal(
        "tag-moved",
        f"refs/tags/{tag} at the destination ({old}) is not where its source tag {source_tag!r} points: "
        f"source commit {commit}{now}; a published tag moves only when asked: nothing pushed. "
        f"{force_tip(package, tag, 'moves it')}",
    )


def update_refusal(package: str, updates: list[Planned]) -> Refusal | None:
    """The first update that would lose something at the destination without being forced by name."""
    for u in sorted(updates, key=lambda u: u.ref):
        if not u.old or u.old == u.new or u.forced:
            continue
        name = u.ref.rsplit("/", 1)[-1]
        if u.ref.startswith("refs/tags/"):
            return Refusal(
                "tag-moved",
                f"{u.ref} at the destination points elsewhere (destination {u.old}, published {u.new}); "
                f"nothing pushed. {force_tip(package, name, 'moves it')}",
            )
        if not u.fast_forward:
            return Refusal(
                "not-ancestor",
                f"{u.ref} at the destination is not an ancestor of the new head (destination {u.old}, "
                f"published {u.new}); nothing pushed. {force_tip(package, name, 'overwrites it')}",
            )
    return None


@dataclass(frozen=True)
class OwnState:
    """A dependant's own destination, read although it is not published."""

    refusals: list[Refusal] = field(default_factory=list)
    heads: dict[str, str | None] = field(
        default_factory=dict
    )  # branch -> source commit it was published from


def dependency_refusal(failed: str, own: OwnState | None) -> str:
    """Why a dependant is not published, and where its own destination stands."""
    text = f"not published: its dependency {failed!r} failed"
    if own is None:
        return text
    if own.refusals:
        return f"{text}; its own destination needs attention too: " + " | ".join(
            r.message for r in own.refusals
        )
    states = [
        f"{b} {'published up to source commit ' + src[:12] if src else 'not published yet'}"
        for b, src in sorted(own.heads.items())
    ]
    return f"{text}; its own destination is in order ({', '.join(states) or 'empty'})"
