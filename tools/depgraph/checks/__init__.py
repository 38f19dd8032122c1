"""The checks: one module each, run by `run_checks` at the levels the configuration sets.

Every check reads a `View` of the graph (the edges that count, indexes) and returns findings at the level
given; `off` skips a check entirely. Inline suppressions are applied last for findings on a line, and by
the cycle checks to the imports that would make a hop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import MappingProxyType

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
from depgraph.checks.suppress import CHECK as SUPPRESSION
from depgraph.checks.suppress import Suppressor
from depgraph.discover.config import Config

PARSE_ERROR = "parse-error"
STALE_BASELINE = "stale-baseline"

# check id -> one-line description; the order of the documentation, the ids sort the reports.
TITLES = MappingProxyType(
    {
        staging_core.ID: staging_core.TITLE,
        core_plugin.ID: core_plugin.TITLE,
        dist_cycle.ID: dist_cycle.TITLE,
        import_cycle.ID: import_cycle.TITLE,
        dependencies.UNDECLARED: dependencies.TITLE_UNDECLARED,
        dependencies.UNUSED: dependencies.TITLE_UNUSED,
        restriction.ID: restriction.TITLE,
        conflicts.ID: conflicts.TITLE,
        PARSE_ERROR: "A file that cannot be read or parsed",
        STALE_BASELINE: "A baseline entry that no longer occurs",
        SUPPRESSION: "A suppression comment without a reason",
    }
)

Runner = Callable[[View, Level, Suppressor], list[Finding]]

RUNNERS: MappingProxyType[str, Runner] = MappingProxyType(
    {
        staging_core.ID: lambda v, lv, s: staging_core.run(v, lv),
        core_plugin.ID: lambda v, lv, s: core_plugin.run(v, lv),
        dist_cycle.ID: dist_cycle.run,
        import_cycle.ID: import_cycle.run,
        dependencies.UNDECLARED: dependencies.run_undeclared,
        dependencies.UNUSED: lambda v, lv, s: dependencies.run_unused(v, lv),
        restriction.ID: lambda v, lv, s: restriction.run(v, lv),
        conflicts.ID: lambda v, lv, s: conflicts.run(v, lv),
    }
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
    for check, runner in sorted(RUNNERS.items()):
        level = config.level(check)
        if level is Level.OFF or (only and check not in only):
            continue
        ran.append(check)
        found.extend(runner(view, level, suppressor))
    parse_level = config.level(PARSE_ERROR)
    if parse_level is not Level.OFF and (not only or PARSE_ERROR in only):
        ran.append(PARSE_ERROR)
        found.extend(replace(f, level=parse_level) for f in graph.findings if f.check == PARSE_ERROR)
    kept = suppressor.filter(found)
    skip = () if config.include_tests else view.test_paths
    kept.extend(suppressor.problems(ran if not only else (), TITLES, skip))
    return CheckResult(tuple(sorted(set(kept))), tuple(sorted(ran)), suppressor.used)
