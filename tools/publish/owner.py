"""Read the facts `decide.ownership` judges: what a destination branch's head is and where it came from."""

from __future__ import annotations

from pathlib import Path

from publish import git
from publish.decide import HeadFacts
from publish.git import EMPTY_TREE, CatFile, parse_tree
from publish.rules import BranchRule, PackageRule, Rules
from publish.split import trailer_value

LOOK_BACK = 200  # commits of the destination's first-parent line read to find the nearest trailer
REWRITTEN = (b"pyproject.toml",)  # files the publisher rewrites: left out of tree comparisons


def _tree(cat: CatFile, name: str) -> str | None:
    got = cat.read(name)
    return got[0] if got is not None and got[1] == "tree" else None


def same_tree(cat: CatFile, published: str, folder: str | None) -> bool:
    """The published tree is the folder's tree, or equal to it once the rewritten files are left out."""
    folder = folder or EMPTY_TREE
    if published == folder:
        return True
    a, b = cat.read(published), cat.read(folder) if folder != EMPTY_TREE else (EMPTY_TREE, "tree", b"")
    if a is None or b is None:
        return False
    keep = [[e for e in parse_tree(t[2]) if e[1] not in REWRITTEN] for t in (a, b)]
    return keep[0] == keep[1]


def first_parent_line(repo: Path, head: str, trailer: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Down `head`'s first-parent line in `repo` (any repository holding it): the source commit the nearest
    trailer names, the commit that carries it, and "<sha> <subject>" of the commits above it (the commits the
    publisher did not make)."""
    text = git.run(
        ["log", "-z", "--first-parent", f"--max-count={LOOK_BACK}", "--format=%H%n%s%n%B", head, "--"], repo
    ).stdout.decode("utf-8", "replace")
    foreign: list[str] = []
    for record in text.split("\0"):
        sha, _, rest = record.strip("\n").partition("\n")
        if not sha:
            continue
        subject, _, body = rest.partition("\n")
        source = trailer_value(body, trailer)
        if source:
            return source, sha, tuple(foreign)
        foreign.append(f"{sha} {subject}")
    return None, None, tuple(foreign)


def head_facts(
    repo: Path,
    cat: CatFile,
    *,
    rules: Rules,
    rule: PackageRule,
    branch: BranchRule,
    head: str,
    tip: str | None,
) -> HeadFacts:
    """`repo` is the work repository: it holds the fetched destination and borrows the monorepo's objects;
    `tip` is the source branch's commit for this run."""
    source, published, foreign = first_parent_line(repo, head, rules.trailer)
    facts = HeadFacts(rule.name, branch.name, branch.source, head, source, foreign)
    if source is None or published is None or foreign:
        return facts
    exists = git.rev_parse(rules.root, source) == source
    on_branch = exists and tip is not None and git.is_ancestor(rules.root, source, tip)
    tree = git.out(["rev-parse", f"{published}^{{tree}}"], repo)
    matches = exists and same_tree(cat, tree, _tree(cat, f"{source}:{branch.dir}"))
    other = None
    if exists and not matches:
        for p in rules.packages:
            if p.name != rule.name and same_tree(cat, tree, _tree(cat, f"{source}:{p.source}")):
                other = p.name
                break
    return HeadFacts(
        rule.name,
        branch.name,
        branch.source,
        head,
        source,
        (),
        source_exists=exists,
        on_branch=on_branch,
        tree_matches=matches,
        other_package=other,
    )
