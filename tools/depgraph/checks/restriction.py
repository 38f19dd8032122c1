"""restriction: the `[[tool.depgraph.restrictions]]` rules, in the spirit of Kubernetes' import-boss.

A rule applies to an import when the importer matches `from` (distribution-name globs, compared after PEP 503
normalisation) and `from-modules` (dotted module prefixes, matched segment by segment, globs allowed per
segment) - both, when both are given - and one of the import's kinds is in `kinds` (default: all kinds;
`top-level` is an import with no other kind, `deferred` matches a deferred+guarded one too).
With a deny list (`deny`/`deny-modules`): a target matching it and not matching the allow lists violates;
`deny` (distributions) never matches the importer's own distribution, `deny-modules` may (layering).
With only allow lists: every first- or third-party target outside the importer's own distribution that
matches no allow entry violates (the standard library and unknown modules never do).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from depgraph.base import catalog
from depgraph.base.model import Edge, Finding, Level, Origin
from depgraph.checks.base import FIRST_PARTY_ORIGINS, View, finding, silence_hint
from depgraph.checks.suppress import Suppressor
from depgraph.discover.config import Restriction

CHECK = catalog.RESTRICTION
ID = CHECK.id
_TARGET_ORIGINS = FIRST_PARTY_ORIGINS | {Origin.THIRD_PARTY}


def _glob_norm(pattern: str) -> str:
    return re.sub(r"[-_.]+", "-", pattern).lower()


def dist_matches(name: str | None, globs: tuple[str, ...]) -> bool:
    if name is None:
        return False
    normal = _glob_norm(name)
    return any(fnmatchcase(normal, _glob_norm(g)) for g in globs)


def module_matches(module: str, prefixes: tuple[str, ...]) -> bool:
    """`a.b` matches `a.b.c` and `a.b`, never `a.bc`; each segment may be a glob (`cloud_provider_*`)."""
    parts = module.split(".")
    for prefix in prefixes:
        pattern = prefix.split(".")
        if len(pattern) <= len(parts) and all(
            fnmatchcase(p, g) for p, g in zip(parts, pattern, strict=False)
        ):
            return True
    return False


def violates(rule: Restriction, edge: Edge) -> bool:
    if rule.kinds and not any(kind in rule.kinds for kind in edge.kind.parts):
        return False
    if rule.from_distributions and not dist_matches(edge.importer_distribution, rule.from_distributions):
        return False
    if rule.from_modules and not module_matches(edge.importer, rule.from_modules):
        return False
    allowed = dist_matches(edge.imported_distribution, rule.allow) or module_matches(
        edge.imported, rule.allow_modules
    )
    if rule.deny or rule.deny_modules:
        # A distribution does not depend on itself: `deny` never matches the importer's own distribution,
        # while `deny-modules` does, so module rules can layer the inside of one distribution.
        own = edge.imported_distribution == edge.importer_distribution
        denied = (not own and dist_matches(edge.imported_distribution, rule.deny)) or module_matches(
            edge.imported, rule.deny_modules
        )
        return denied and not allowed
    if edge.imported_origin not in _TARGET_ORIGINS or edge.imported_distribution is None:
        return False
    return edge.imported_distribution != edge.importer_distribution and not allowed


def run(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    found: list[Finding] = []
    for rule in view.config.restrictions:
        for edge in view.edges:
            if not violates(rule, edge):
                continue
            target = edge.imported_distribution or edge.imported_origin.value
            found.append(
                finding(
                    ID,
                    level,
                    edge.path,
                    edge.line,
                    f"`{edge.importer}` ({edge.importer_distribution}) may not import `{edge.imported}` "
                    f"({target}, {edge.kind.label} import): restriction `{rule.name}`",
                    key=f"{rule.name}: {edge.imported}",
                    text=edge.text,
                    hint=f"see [[tool.depgraph.restrictions]] name = {rule.name!r} in pyproject.toml; "
                    f"or {silence_hint(ID)}",
                )
            )
    return found
