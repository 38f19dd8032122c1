"""`depgraph stats` (counts, and the build time for benchmarks) and `depgraph imports` (every edge)."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from operator import attrgetter, countOf
from pathlib import Path
from typing import Any

import click

from depgraph.base.errors import ConfigError
from depgraph.base.imports import KINDS, SINGLE
from depgraph.base.model import Origin
from depgraph.cli.options import NO_CACHE, PYTHON, given_python
from depgraph.discover.config import find_config, find_root
from depgraph.graph.graph import BuildInfo, Graph, build_graph

_ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the nearest folder upwards whose pyproject.toml has [tool.depgraph]).",
)
_JOBS = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Extraction processes.")
_FORMAT = click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _build(
    root: Path | None, no_cache: bool, jobs: int | None, info: BuildInfo | None = None
) -> tuple[Graph, float]:
    start = time.perf_counter()
    where = root if root is not None else find_root()
    if not where.is_dir():
        raise ConfigError(f"{where}: --root: no such folder")
    config = find_config(where, given_python())
    graph = build_graph(where, config, use_cache=not no_cache, jobs=jobs, info=info)
    elapsed = time.perf_counter() - start
    # The command ends soon after: the collector need not walk the graph again (at exit: ~12 ms on sympy).
    gc.freeze()
    return graph, elapsed


def summary(graph: Graph) -> dict[str, Any]:
    """Counts of everything in the graph, every key always present (zeros included), for text and JSON."""
    origins = Counter(d.origin.value for d in graph.distributions)
    # Counted in C by identity (countOf): an enum's `.value` and `__hash__` are Python-level, ~1 us a call.
    edge_kinds = list(map(attrgetter("kind"), graph.edges))
    edge_targets = list(map(attrgetter("imported_origin"), graph.edges))
    # An edge counts under each kind it has (a deferred+guarded import under both).
    kinds = dict.fromkeys((k.label for k in SINGLE), 0)
    for kind in KINDS.values():
        n = countOf(edge_kinds, kind)
        for part in kind.parts:
            kinds[part.label] += n
    targets = {o.value: countOf(edge_targets, o) for o in Origin}
    return {
        "distributions": len(graph.distributions),
        "distributions_by_origin": {o.value: origins[o.value] for o in Origin if o.value in origins},
        "modules": len(graph.modules),
        "test_modules": sum(m.is_test for m in graph.modules),
        # Every import record reaches at least one target, so the files with imports are the files with
        # edges; counting those leaves the cached imports frozen (`Graph.imports` thaws on access).
        "files_with_imports": len({e.path for e in graph.edges}),
        "edges": len(graph.edges),
        "edges_by_kind": kinds,
        "edges_by_target": targets,
        "distribution_dependencies": len(graph.dependency_counts()),
        "parse_errors": len(graph.findings),
    }


def _graph_options(command: Callable[..., None]) -> Callable[..., None]:
    """--root, --python, --no-cache, --jobs and --format, which both commands take."""
    return _ROOT(PYTHON(NO_CACHE(_JOBS(_FORMAT(command)))))


@click.command()
@_graph_options
@click.option("--time", "show_time", is_flag=True, help="Also print the build time (to stderr).")
def stats(root: Path | None, no_cache: bool, jobs: int | None, fmt: str, show_time: bool) -> None:
    """Build the import graph and print what it holds."""
    info = BuildInfo()
    graph, elapsed = _build(root, no_cache, jobs, info)
    data = summary(graph)
    if fmt == "json":
        import json  # noqa: PLC0415 - only for this format

        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        by_origin = ", ".join(f"{n} {o}" for o, n in data["distributions_by_origin"].items())
        click.echo(f"distributions: {data['distributions']} ({by_origin})")
        click.echo(f"modules: {data['modules']} ({data['test_modules']} in tests folders)")
        click.echo(f"imports: {data['edges']} edges from {data['files_with_imports']} files")
        click.echo("  by kind: " + ", ".join(f"{k} {n}" for k, n in data["edges_by_kind"].items()))
        click.echo("  by target: " + ", ".join(f"{k} {n}" for k, n in data["edges_by_target"].items()))
        click.echo(f"distribution dependencies: {data['distribution_dependencies']}")
        click.echo(f"parse errors: {data['parse_errors']}")
    if show_time:
        reused = f"{info.stat_hits} unchanged by stat, {info.digest_hits} by content"
        click.echo(
            f"built in {elapsed:.3f} s ({info.files} files: {reused}, {info.resolved} resolved)", err=True
        )


@click.command()
@_graph_options
@click.option(
    "--module", "modules", multiple=True, metavar="PREFIX", help="Only importers under this module."
)
@click.option(
    "--distribution", "dists", multiple=True, metavar="NAME", help="Only importers of this distribution."
)
def imports(
    *,
    root: Path | None,
    no_cache: bool,
    jobs: int | None,
    fmt: str,
    modules: tuple[str, ...],
    dists: tuple[str, ...],
) -> None:
    """Print every import edge: file:line, importer -> imported, kind, and the target's distribution."""
    from depgraph.base.errors import DepgraphError  # noqa: PLC0415
    from depgraph.discover.workspace import normalize  # noqa: PLC0415

    graph, _ = _build(root, no_cache, jobs)
    by_norm = {normalize(d.name): d.name for d in graph.distributions}
    wanted: set[str] = set()
    for name in dists:  # refused before anything is printed: a typo must not look like "no imports"
        found = by_norm.get(normalize(name))
        if found is None:
            known = ", ".join(sorted(d.name for d in graph.distributions))
            raise DepgraphError(f"--distribution {name}: no distribution of that name (known: {known})")
        wanted.add(found)
    for prefix in modules:
        if not any(m.name == prefix or m.name.startswith(prefix + ".") for m in graph.modules):
            raise DepgraphError(f"--module {prefix}: no module of that name or under it in the repository")
    edges = [
        e
        for e in graph.edges
        if (not dists or e.importer_distribution in wanted)
        and (not modules or any(e.importer == m or e.importer.startswith(m + ".") for m in modules))
    ]
    if fmt == "json":
        import json  # noqa: PLC0415 - only for this format

        rows = [
            {
                "path": e.path,
                "line": e.line,
                "importer": e.importer,
                "imported": e.imported,
                "kind": e.kind.label,
                "text": e.text,
                "importer_distribution": e.importer_distribution,
                "imported_distribution": e.imported_distribution,
                "imported_origin": e.imported_origin.value,
            }
            for e in edges
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for e in edges:
        where = e.imported_distribution or "-"
        target = f"({where}, {e.imported_origin.value})"
        click.echo(f"{e.path}:{e.line}: {e.importer} -> {e.imported} [{e.kind.label}] {target}")
