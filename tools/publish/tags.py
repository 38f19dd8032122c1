"""Tag mapping: each source tag that the rule matches names the published commit of the tagged commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publish import dest, git
from publish.errors import PublishError
from publish.rules import PackageRule


@dataclass(frozen=True)
class TagUpdate:
    name: str  # the published tag
    source_tag: str
    old: str | None  # where it points at the destination
    new: str  # the published commit


def published_for(source: Path, rule: PackageRule, commit: str, known: dict[str, str]) -> str | None:
    """The published commit of a source commit: its own, or that of the nearest commit before it that
    changed the directory (one path-limited `rev-list -1` per tag that needs it)."""
    if commit in known:
        return known[commit]
    for d in sorted({b.dir for b in rule.branches}):
        found = git.out(["rev-list", "-1", commit, "--", d], source)
        if found in known:
            return known[found]
    return None


def plan(
    source: Path,
    rule: PackageRule,
    existing: dict[str, str],
    known: dict[str, str],
    *,
    forced: Callable[[str], bool],
    load_known: Callable[[], None],
    source_tags: dict[str, str] | None = None,
) -> list[TagUpdate]:
    """The tags to create (or, when forced by name, to move). Published tags never move otherwise.
    `source_tags` (name -> the object the tag names) are the source's tags as the run read them at its
    start (read now when None)."""
    assert rule.tags is not None
    updates = []
    mapped: dict[str, str] = {}
    if source_tags is None:
        targets = dest.refs(source, "refs/tags/")
    else:  # peeled here, one batch: a tag object never changes, so neither does what it points at
        names = sorted(source_tags)
        peeled = git.check_many(source, [f"{source_tags[n]}^{{}}" for n in names])
        targets = {n: p[0] for n, p in zip(names, peeled, strict=True) if p is not None}
    for name, target in sorted(targets.items()):
        new_name = rule.tags.map(name)
        if new_name is None:
            continue
        if new_name in mapped:
            raise PublishError(
                f"package {rule.name!r}: tags {mapped[new_name]!r} and {name!r} both map to {new_name!r}"
            )
        mapped[new_name] = name
        old = existing.get(new_name)
        if old is not None and not forced(new_name):
            continue
        load_known()
        published = published_for(source, rule, target, known)
        if published is None or old == published:
            continue  # the tagged commit holds nothing of this package, or the tag is right
        updates.append(TagUpdate(new_name, name, old, published))
    return updates
