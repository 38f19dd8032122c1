"""What `depgraph check` and `depgraph baseline` do, callable by tests and other programs.

Given the configuration (`depgraph.discover.config.find_config`), `collect` builds the graph (adding
every file's syntax errors when `full-syntax-check` is on) and runs the checks; `results` replays the
last run's results instead while nothing they depend on has changed (`depgraph.checks.replay`); `check`
also applies the baseline; `write_baseline` records today's findings. The CLI parses options, calls these
and reports.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from depgraph.base import reads
from depgraph.base.catalog import BY_ID, PARSE_ERROR
from depgraph.base.model import Finding, Level
from depgraph.checks import CheckResult, run_checks
from depgraph.checks import baseline as bl
from depgraph.checks.replay import Counts
from depgraph.discover.config import Config

if TYPE_CHECKING:
    from depgraph.checks.base import GraphLike
    from depgraph.discover.workspace import Workspace
    from depgraph.graph.graph import Graph
    from depgraph.graph.snapshot import BuildInfo


def unknown_checks(only: tuple[str, ...]) -> list[str]:
    """The ids in `only` that name no check, sorted."""
    return sorted(set(only) - set(BY_ID))


def collect(
    config: Config,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    only: tuple[str, ...] = (),
    workspace: Workspace | None = None,
    info: BuildInfo | None = None,
    syntax: bool = True,
) -> tuple[Graph, CheckResult]:
    """The graph of the repository and the results of its checks (those in `only`, else all); with
    `syntax`, every file's syntax errors when `full-syntax-check` is on (`check` reports them; the
    drawings and the report page do not look for them)."""
    from depgraph.graph.graph import build_graph  # noqa: PLC0415 - lazy: start-up time

    graph = build_graph(config.root, config, use_cache=use_cache, jobs=jobs, info=info, workspace=workspace)
    if syntax and config.full_syntax_check and (not only or PARSE_ERROR.id in only):
        graph = with_syntax_errors(graph, config, use_cache=use_cache, jobs=jobs)
    return graph, run_checks(graph, config, only=only)


def results(
    config: Config, *, use_cache: bool = True, jobs: int | None = None, only: tuple[str, ...] = ()
) -> tuple[GraphLike | None, CheckResult, Counts]:
    """The check results, replayed from the cache when nothing they depend on has changed (then the
    graph is None: it was not built), else computed (and recorded for the next run)."""
    if not use_cache:
        graph, result = collect(config, use_cache=False, jobs=jobs, only=only)
        return graph, result, _counts(graph)
    from depgraph.checks import replay  # noqa: PLC0415
    from depgraph.discover.environment import of_config  # noqa: PLC0415
    from depgraph.graph import wscache  # noqa: PLC0415
    from depgraph.graph.snapshot import BuildInfo, context_key  # noqa: PLC0415

    started = time.time_ns()
    log = reads.start()
    try:
        ws = wscache.load(config)
        context = context_key(ws, config, of_config(config, config.cache_path))
        prefix = f"{ws.root}{os.sep}"
        modules = {m.path: prefix + m.path for m in ws.modules}
        replayed = replay.load(config, context, modules, only)
        if replayed is not None:
            return None, replayed.result, replayed.counts
        info = BuildInfo()
        graph, result = collect(config, use_cache=True, jobs=jobs, only=only, workspace=ws, info=info)
    finally:
        reads.stop()
    counts = _counts(graph)
    replay.save(config, only, started, info, modules, log, result, counts)
    return graph, result, counts


def _counts(graph: GraphLike) -> Counts:
    return Counts(len(graph.distributions), len(graph.modules), len(graph.edges))


def with_syntax_errors(graph: Graph, config: Config, *, use_cache: bool, jobs: int | None) -> Graph:
    """The graph with a `parse-error` finding for every file that does not compile (the scanner only
    sees the syntax errors near imports); a file the build already found unreadable keeps its finding."""
    from depgraph.extract import syntax  # noqa: PLC0415
    from depgraph.graph.graph import parse_error  # noqa: PLC0415

    level = config.level(PARSE_ERROR.id)
    if level is Level.OFF:
        return graph
    known = {f.path for f in graph.findings if f.check == PARSE_ERROR.id}
    paths = [m.path for m in graph.modules if m.path not in known]
    found = syntax.errors(
        graph.root, paths, graph.digests, cache_dir=config.cache_path if use_cache else None, jobs=jobs
    )
    if not found:
        return graph
    added = [parse_error(path, error, level, "syntax error") for path, error in found.items()]
    return replace(graph, findings=tuple(sorted((*graph.findings, *added))))


@dataclass(frozen=True, slots=True)
class Checked:
    """One `check` run: the findings left after the baseline, and what the summary counts."""

    graph: GraphLike | None  # None when the results were replayed from the cache
    result: CheckResult
    findings: tuple[Finding, ...]
    baselined: int
    counts: Counts  # for the summary: distributions, modules, imports


def check(
    config: Config,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    only: tuple[str, ...] = (),
    baseline: Path | None = None,
    use_baseline: bool = True,
) -> Checked:
    """Build, check, and apply the baseline: `baseline` (which must exist), else the configured one when
    its file exists; none with `use_baseline=False`."""
    graph, result, counts = results(config, use_cache=use_cache, jobs=jobs, only=only)
    findings, baselined = result.findings, 0
    if use_baseline:
        path = baseline or config.baseline_path
        if baseline is not None or path.is_file():
            applied = bl.apply(findings, bl.load(path), config.level(bl.STALE))
            findings, baselined = applied.findings, applied.baselined
    return Checked(graph, result, tuple(findings), baselined, counts)


def write_baseline(
    config: Config, path: Path | None = None, *, use_cache: bool = True, jobs: int | None = None
) -> tuple[Path, int]:
    """Record today's findings (errors and warnings) in `path` (default: the configured baseline)."""
    result = results(config, use_cache=use_cache, jobs=jobs)[1]
    where = path or config.baseline_path
    return where, bl.write(where, [f for f in result.findings if f.level is not Level.OFF])
