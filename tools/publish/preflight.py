"""What `sync` checks before it touches anything; any problem here refuses the whole run (exit 2).

Every `verify-rules` check, then what only the source branches can tell (each rule's folder on each of its
source branches), then the `--force` names. All of it reads the monorepo only: nothing is created, fetched
or pushed before these pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from publish import dest
from publish.git import CatFile
from publish.rules import PackageRule, Rules
from publish.verify import inside, verify

# A `--force` grant: (package, branch or tag name); the name "" grants the whole package.
Grant = tuple[str, str]


@dataclass(frozen=True)
class Preflight:
    problems: list[str]  # one line each, naming the rules file, package, branch or option at fault
    force: frozenset[Grant]


def where(rules: Rules) -> str:
    root = rules.root
    return rules.path.relative_to(root).as_posix() if rules.path.is_relative_to(root) else str(rules.path)


def branch_problems(rules: Rules) -> list[str]:
    """Each rule's folder must be a folder on each of its source branches, unless the rule says
    `missing-ok`; each source branch must exist."""
    problems = []
    asks: list[tuple[PackageRule, str, str, bool]] = []  # package, branch, folder, missing-ok
    names: list[str] = []
    tips = dest.refs(rules.root, "refs/heads/")  # one for-each-ref, however many packages
    for p in rules.packages:
        for b in p.branches:
            tip = tips.get(b.source)
            if tip is None:
                problems.append(f"{where(rules)}: package {p.name!r}: source branch {b.source!r} not found")
                continue
            if b.dir.startswith("/") or not inside(rules.root, b.dir):
                continue  # reported by verify() as outside the repository
            asks.append((p, b.source, b.dir, b.missing_ok))
            names.append(f"{tip}:{b.dir}")
    if names:
        with CatFile(rules.root) as cat:
            for (p, branch, folder, missing_ok), got in zip(asks, cat.read_many(names), strict=True):
                if got is not None and got[1] == "tree":
                    continue
                if got is None and missing_ok:
                    continue
                what = "is not a folder" if got is not None else "does not exist"
                tip = "" if got is not None else " (`missing-ok = true` in its rule if it may be absent)"
                problems.append(
                    f"{where(rules)}: package {p.name!r}: {folder!r} {what} on source branch {branch!r}{tip}"
                )
    return problems


def mapped_tags(rules: Rules, packages: list[PackageRule]) -> dict[str, set[str]]:
    """package -> the published tag names its rule maps from the monorepo's tags."""
    source_tags = sorted(dest.refs(rules.root, "refs/tags/")) if any(p.tags for p in packages) else []
    found: dict[str, set[str]] = {}
    for p in packages:
        if p.tags:
            found[p.name] = {t for t in (p.tags.map(s) for s in source_tags) if t is not None}
    return found


def parse_force(
    values: tuple[str, ...], packages: list[PackageRule], tags: dict[str, set[str]]
) -> tuple[frozenset[Grant], list[str]]:
    """`PACKAGE` or `PACKAGE:NAME` (NAME: one of its published branches or tags) -> grants, problems."""
    by_name = {p.name: p for p in packages}
    grants: set[Grant] = set()
    problems = []
    for value in values:
        package, _, name = value.partition(":")
        rule = by_name.get(package)
        if rule is None:
            problems.append(
                f"--force {value!r}: no package {package!r} in this run "
                f"(use PACKAGE or PACKAGE:BRANCH; packages: {', '.join(sorted(by_name))})"
            )
            continue
        branches = {b.name for b in rule.branches}
        if ":" in value and name not in branches and name not in tags.get(package, set()):
            problems.append(
                f"--force {value!r}: package {package!r} publishes no branch or tag {name!r} "
                f"(branches: {', '.join(sorted(branches))})"
            )
            continue
        grants.add((package, name))
    return frozenset(grants), problems


def preflight(rules: Rules, packages: list[PackageRule], force: tuple[str, ...]) -> Preflight:
    problems = verify(rules) + branch_problems(rules)
    tags = mapped_tags(rules, packages) if any(":" in f for f in force) else {}
    grants, force_problems = parse_force(force, packages, tags)
    return Preflight(sorted(set(problems)) + force_problems, grants)
