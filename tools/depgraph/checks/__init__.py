"""The checks: one module each, run by `run_checks` at the levels the configuration sets.

What a check is (id, title, default level, the kinds of import it counts) is written once, in
`depgraph.base.catalog`; `REGISTRY` below binds each check that runs over the graph to its `run`, all with
one signature. Every check reads a `View` of the graph (the edges that count, indexes) and returns findings
at the level given; `off` skips a check entirely. Inline suppressions are applied last for findings on a
line, and by the cycle checks to the imports that would make a hop. `parse-error` findings come from the
graph, `stale-baseline` from the baseline and `suppression` from the suppressions themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import MappingProxyType

from depgraph.base import catalog
from depgraph.base.catalog import TITLES, Check
from depgraph.base.model import Finding, Level
from depgraph.checks import (
    conflicts,
    core_plugin,
    dependencies,
    dist_cycle,
    import_cycle,
    restriction,
    staging_core,
)
from depgraph.checks.base import GraphLike, View
from depgraph.checks.suppress import Suppressor
from depgraph.discover.config import Config

PARSE_ERROR = catalog.PARSE_ERROR.id
STALE_BASELINE = catalog.STALE_BASELINE.id

Run = Callable[[View, Level, Suppressor], list[Finding]]


@dataclass(frozen=True, slots=True)
class Registered:
    """A check of the catalog and how it runs over the graph; `docs` is its module's description."""

    check: Check
    run: Run
    docs: str


def _register(check: Check, run: Run, docs: str | None) -> tuple[str, Registered]:
    return check.id, Registered(check, run, docs or "")


# check id -> how it runs; the catalog's order.
REGISTRY: MappingProxyType[str, Registered] = MappingProxyType(
    dict(
        (
            _register(catalog.STAGING_IMPORTS_CORE, staging_core.run, staging_core.__doc__),
            _register(catalog.CORE_IMPORTS_PLUGIN, core_plugin.run, core_plugin.__doc__),
            _register(catalog.DISTRIBUTION_CYCLE, dist_cycle.run, dist_cycle.__doc__),
            _register(catalog.IMPORT_CYCLE, import_cycle.run, import_cycle.__doc__),
            _register(catalog.UNDECLARED_DEPENDENCY, dependencies.run_undeclared, dependencies.__doc__),
            _register(catalog.UNUSED_DEPENDENCY, dependencies.run_unused, dependencies.__doc__),
            _register(catalog.RESTRICTION, restriction.run, restriction.__doc__),
            _register(catalog.CONFLICTING_REQUIREMENTS, conflicts.run, conflicts.__doc__),
        )
    )
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...]  # sorted; suppressed ones left out
    checks: tuple[str, ...]  # the ids that ran (not `off`)
    suppressed: int


def run_checks(graph: GraphLike, config: Config, *, only: tuple[str, ...] = ()) -> CheckResult:
    """Run every check not set to `off` (or just those in `only`) and apply the inline suppressions."""
    view = View(graph, config)
    known = getattr(graph, "suppressions", None)  # a Graph's: without reading every file's imports
    if known is None:
        imports = getattr(graph, "imports", None)
        known = {path: one.suppressions for path, one in imports.items()} if imports is not None else None
    suppressor = Suppressor(config.root, known)
    found: list[Finding] = []
    ran: list[str] = []
    for check, registered in sorted(REGISTRY.items()):
        level = config.level(check)
        if level is Level.OFF or (only and check not in only):
            continue
        ran.append(check)
        found.extend(registered.run(view, level, suppressor))
    parse_level = config.level(PARSE_ERROR)
    if parse_level is not Level.OFF and (not only or PARSE_ERROR in only):
        ran.append(PARSE_ERROR)
        found.extend(replace(f, level=parse_level) for f in graph.findings if f.check == PARSE_ERROR)
    kept = suppressor.filter(found)
    skip = () if config.include_tests else view.test_paths
    kept.extend(suppressor.problems(ran if not only else (), TITLES, skip))
    return CheckResult(tuple(sorted(set(kept))), tuple(sorted(ran)), suppressor.used)
