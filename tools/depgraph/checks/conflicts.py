"""conflicting-requirements: distributions require the same third-party package with specifiers that no
single version satisfies (all of them are installed into one environment, so one version must do).

Method: requirements are grouped by PEP 503 name; those whose marker is false in the running environment are
left out (extras are evaluated with `extra` set to theirs), so the answer is exact for this interpreter and
platform and says nothing about others. A set of specifiers is satisfiable when one of these candidate
versions satisfies all of them: `0`, every version named by a specifier (`1.2.*`
gives `1.2`), the version just above each (`1.2` -> `1.2.0.0.0.1`), and where a prefix ends (`!=2.*` ->
`3`). Every bound of an intersection of specifiers is among those, so a solution is found whenever there is
one, except between two bounds closer than the step (`>1.2,<1.2.0.0.0.1`), which no real project writes.
Pre-releases count as versions, following PEP 440's own rules (`<2` never admits `2.0rc1`). Each pair of
requirements that conflicts is one finding at the later requirement's line; a group that conflicts only as a
whole (three or more) is one finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from depgraph.base import catalog
from depgraph.base.model import Finding, Level
from depgraph.checks.base import FIRST_PARTY_ORIGINS, View, finding, norm
from depgraph.checks.requirements import Declared, declared
from depgraph.checks.suppress import Suppressor

CHECK = catalog.CONFLICTING_REQUIREMENTS
ID = CHECK.id


def _candidates(specifiers: Iterable[SpecifierSet]) -> list[str]:
    """(No installed version: what is installed beside depgraph must not decide a finding, and every bound
    is among these anyway; asking importlib.metadata for it cost 1.3 s on 419 groups.)"""
    found: set[str] = {"0"}
    for spec_set in specifiers:
        for spec in spec_set:
            written = spec.version.removesuffix(".*")
            found.add(written)
            try:
                release = Version(written).release
            except InvalidVersion:
                continue
            found.add(".".join(str(p) for p in (*release, 0, 0, 0, 1)))
            if spec.version.endswith(".*"):  # a prefix ends where the next one starts: `!=2.*` admits `3`
                found.add(".".join(str(p) for p in (*release[:-1], release[-1] + 1)))
    return sorted(found)


def satisfiable(specifiers: list[SpecifierSet]) -> bool:
    combined = SpecifierSet(",".join(str(s) for s in specifiers if str(s)))
    for candidate in _candidates(specifiers):
        try:
            if combined.contains(candidate, prereleases=True):
                return True
        except InvalidVersion:
            continue
    return False


def _where(req: Declared) -> str:
    extra = f" [{req.extra}]" if req.extra else f" (group {req.group})" if req.group else ""
    return f"{req.distribution}{extra} requires `{req.text}` ({req.path}:{req.line})"


def run(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    first_party = {norm(n) for n in view.distributions}
    groups: dict[str, list[Declared]] = {}
    for dist in view.distributions.values():
        if dist.origin not in FIRST_PARTY_ORIGINS:
            continue
        for req in declared(view.config.root, dist):
            if req.name not in first_party and req.applies_here(view.markers):
                groups.setdefault(req.name, []).append(req)
    found: list[Finding] = []
    for name, reqs in sorted(groups.items()):
        reqs.sort(key=lambda r: (r.distribution, r.extra, r.group, r.text))
        if len(reqs) < 2 or satisfiable([r.requirement.specifier for r in reqs]):
            continue
        pairs = [
            (a, b)
            for a, b in combinations(reqs, 2)
            if not satisfiable([a.requirement.specifier, b.requirement.specifier])
        ]
        for members in [list(p) for p in pairs] or [reqs]:
            last = members[-1]
            found.append(
                finding(
                    ID,
                    level,
                    last.path,
                    last.line,
                    f"no version of `{name}` satisfies "
                    + " and ".join(f"`{r.requirement.specifier}` ({r.distribution})" for r in members),
                    key=f"{name}: " + " | ".join(f"{r.distribution} {r.text}" for r in members),
                    text=last.text,
                    chain=[_where(r) for r in members],
                    hint="align the version ranges in these pyproject.toml files; or silence with "
                    f"`# depgraph: ignore[{ID}] <reason>` on the requirement's line",
                )
            )
    return found
