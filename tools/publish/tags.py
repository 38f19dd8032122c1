"""Tag mapping: each source tag that the rule matches names the published commit of the tagged commit.

A published tag never moves unless forced by name. Whether its source tag moved since it was published is
checked against a record in the package's work repository (`publish-tags.json`: published tag -> the source
tag and the object it named when the tag was published or last found right), so an unchanged tag costs a
dict lookup; a changed one, or one without a record (a new work directory), is verified once: its published
commit is worked out again and compared with the destination's tag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from publish import git
from publish.decide import Refusal, tag_moved
from publish.errors import PublishError
from publish.rules import PackageRule

RECORDS = "publish-tags.json"


@dataclass(frozen=True)
class TagUpdate:
    name: str  # the published tag
    source_tag: str
    old: str | None  # where it points at the destination
    new: str  # the published commit
    source_object: str = ""  # what the source tag names (a tag object or a commit)


@dataclass
class TagPlan:
    updates: list[TagUpdate] = field(default_factory=list)
    moved: list[Refusal] = field(default_factory=list)  # published tags whose source tag points elsewhere
    right: dict[str, list[str]] = field(default_factory=dict)  # published tag -> [source tag, object]


def load_records(repo: Path) -> dict[str, list[str]]:
    """published tag -> [source tag, the object it named]: a cache (a missing or bad file is empty)."""
    try:
        data = json.loads((repo / RECORDS).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 2}


def save_records(repo: Path, records: dict[str, list[str]]) -> None:
    path = repo / RECORDS
    text = json.dumps(records, indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text() == text:
        return
    tmp = repo / f"{RECORDS}.tmp"
    tmp.write_text(text)
    tmp.replace(path)


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


def read_source_tags(source: Path) -> dict[str, str]:
    """name -> the object each tag of the source names (not peeled)."""
    text = git.out(["for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/tags/"], source)
    return dict(line.split(" ", 1) for line in text.splitlines())


def mapped(source: Path, rule: PackageRule, source_tags: dict[str, str]) -> list[tuple[str, str, str]]:
    """(published tag, source tag, the commit it points at) of every source tag the rule maps, sorted."""
    assert rule.tags is not None
    names = sorted(source_tags)  # peeled in one batch: a tag object never changes, nor what it points at
    peeled = git.check_many(source, [f"{source_tags[n]}^{{}}" for n in names])
    found: dict[str, tuple[str, str]] = {}
    for name, p in zip(names, peeled, strict=True):
        new_name = rule.tags.map(name)
        if new_name is None or p is None:
            continue
        if new_name in found:
            raise PublishError(
                f"package {rule.name!r}: tags {found[new_name][0]!r} and {name!r} both map to {new_name!r}"
            )
        found[new_name] = (name, p[0])
    return [
        (new_name, name, target) for new_name, (name, target) in sorted(found.items(), key=lambda x: x[1])
    ]


def changed(
    source: Path,
    rule: PackageRule,
    existing: dict[str, str],
    source_tags: dict[str, str],
    records: dict[str, list[str]],
) -> list[tuple[str, str, str, str]]:
    """(published tag, source tag, its commit, the destination's commit) of the published tags whose source
    tag is not the one recorded when they were published or last verified (all of them without a record)."""
    return [
        (new_name, name, target, existing[new_name])
        for new_name, name, target in mapped(source, rule, source_tags)
        if new_name in existing and records.get(new_name) != [name, source_tags[name]]
    ]


def plan(
    source: Path,
    rule: PackageRule,
    existing: dict[str, str],
    known: dict[str, str],
    *,
    forced: Callable[[str], bool],
    load_known: Callable[[], None],
    source_tags: dict[str, str] | None = None,
    records: dict[str, list[str]] | None = None,
) -> TagPlan:
    """The tags to create (or, when forced by name, to move). Published tags never move otherwise: one whose
    source tag now points at a commit published as another is a refusal (`moved`). `source_tags` (name ->
    the object the tag names) are the source's tags as the run read them at its start (read now when None);
    `records` what `load_records` read (an unchanged source tag is not verified again)."""
    result = TagPlan()
    records = records or {}
    if source_tags is None:
        source_tags = read_source_tags(source)
    for new_name, name, target in mapped(source, rule, source_tags):
        old = existing.get(new_name)
        record = [name, source_tags[name]]
        if old is not None and not forced(new_name) and records.get(new_name) == record:
            result.right[new_name] = record  # as it was when published: nothing to verify
            continue
        load_known()
        published = published_for(source, rule, target, known)
        if published is None:
            continue  # the tagged commit holds nothing of this package
        if old == published:
            result.right[new_name] = record
        elif old is not None and not forced(new_name):
            result.moved.append(
                tag_moved(rule.name, new_name, old, source_tag=name, commit=target, published=published)
            )
        else:
            result.updates.append(TagUpdate(new_name, name, old, published, source_tags[name]))
    return result
