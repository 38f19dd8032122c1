"""conflicting-requirements: distributions installed into one environment require the same third-party
package with specifiers that no single version satisfies (one version must do). Installed together: a
distribution and those it declares, the members of the root's uv workspace, the core with its staging
packages and plugins, each with what it requires (`environments`); distributions that nothing ties
together (plugins of a collection, each installed and tested alone) are never compared.

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
from depgraph.base.errors import ConfigError
from depgraph.base.model import Finding, Level, Origin
from depgraph.base.toml import read as read_toml
from depgraph.checks.base import FIRST_PARTY_ORIGINS, View, finding, norm
from depgraph.checks.requirements import Declared, declared
from depgraph.checks.suppress import Suppressor
from depgraph.discover.discover import uv_member

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


Section = tuple[str, str]  # (distribution, "" for its runtime requirements, "extra:<name>", "group:<name>")


def _section(req: Declared) -> str:
    return f"extra:{norm(req.extra)}" if req.extra else f"group:{req.group}" if req.group else ""


def environments(view: View) -> list[frozenset[Section]]:
    """What is installed together, as sets of sections. Each first-party distribution's own environment:
    itself with all its extras and development groups (`.[test,lint]`); the root's uv workspace (one lock
    resolves every member with all of theirs); the core with its staging packages and plugins (the staging
    model installs them together; a plugin is installed on top of the core). Each is closed over first-party
    requirements: a requirement `b[x]` (whose marker holds here) brings `b`'s runtime requirements and its
    extra `x`, never its other extras or groups. Environments contained in another are left out."""
    names = sorted(n for n, d in view.distributions.items() if d.origin in FIRST_PARTY_ORIGINS)
    ties: dict[Section, list[Section]] = {}
    own: dict[str, set[Section]] = {}
    for name in names:
        own[name] = {(name, "")}
        for req in declared(view.config.root, view.distributions[name]):
            section = (name, _section(req))
            own[name].add(section)
            target = view.by_norm.get(req.name)
            if (
                target is None
                or target.origin not in FIRST_PARTY_ORIGINS
                or not req.applies_here(view.markers)
            ):
                continue
            brought = [(target.name, "")]
            brought += [(target.name, f"extra:{norm(e)}") for e in req.requirement.extras]
            ties.setdefault(section, []).extend(brought)

    def closed(start: set[Section]) -> frozenset[Section]:
        seen, todo = set(start), list(start)
        while todo:
            for section in ties.get(todo.pop(), ()):
                if section not in seen:
                    seen.add(section)
                    todo.append(section)
        return frozenset(seen)

    try:
        data = read_toml(view.config.pyproject)
    except ConfigError:  # read and validated with the configuration: only a graph built by hand has none
        data = {}
    starts = [own[name] for name in names]
    members = [n for n in names if uv_member(view.config.root, data, view.distributions[n].root)]
    core = [n for n in names if view.distributions[n].origin is Origin.CORE]
    beside = [n for n in names if view.distributions[n].origin in (Origin.STAGING, Origin.PLUGIN)]
    for group in (members, core + beside if core else []):
        if group:
            starts.append(set().union(*(own[n] for n in group)))
    kept: list[frozenset[Section]] = []
    for env in sorted({closed(start) for start in starts}, key=lambda e: (-len(e), sorted(e))):
        if not any(env <= other for other in kept):
            kept.append(env)
    return kept


def run(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    first_party = {norm(n) for n in view.distributions}
    by_section: dict[Section, list[Declared]] = {}
    for dist in view.distributions.values():
        if dist.origin not in FIRST_PARTY_ORIGINS:
            continue
        for req in declared(view.config.root, dist):
            if req.name not in first_party and req.applies_here(view.markers):
                by_section.setdefault((dist.name, _section(req)), []).append(req)
    found: set[Finding] = set()
    judged: set[tuple[Declared, ...]] = set()
    for env in environments(view):
        groups: dict[str, list[Declared]] = {}
        for section in env:
            for req in by_section.get(section, ()):
                groups.setdefault(req.name, []).append(req)
        for name, reqs in groups.items():
            reqs.sort(key=lambda r: (r.distribution, r.extra, r.group, r.text))
            if len(reqs) < 2 or tuple(reqs) in judged:
                continue
            judged.add(tuple(reqs))
            found.update(_conflicts(name, reqs, level))
    return sorted(found)


def _conflicts(name: str, reqs: list[Declared], level: Level) -> list[Finding]:
    """One finding per pair of `reqs` no version satisfies; one for the whole group when only it conflicts."""
    if satisfiable([r.requirement.specifier for r in reqs]):
        return []
    pairs = [
        (a, b)
        for a, b in combinations(reqs, 2)
        if not satisfiable([a.requirement.specifier, b.requirement.specifier])
    ]
    found = []
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
