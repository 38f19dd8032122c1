"""Publish many packages: dependencies first, up to N at a time, each failure confined to its package."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from publish import git, history, pause, quick, walk
from publish.decide import OwnState, dependency_refusal
from publish.deps import Sibling
from publish.errors import GitError, PublishError
from publish.rules import PackageRule, Rules
from publish.sync import Log, Options, PackageResult, PackageSync


def selected(rules: Rules, names: tuple[str, ...]) -> list[PackageRule]:
    """The named packages (all when none) and, transitively, the packages they depend on."""
    wanted = set(names) if names else {p.name for p in rules.packages}
    for n in sorted(wanted):
        rules.package(n)
    todo = sorted(wanted)
    while todo:
        for dep in rules.package(todo.pop()).dependencies:
            if dep not in wanted:
                rules.package(dep)
                wanted.add(dep)
                todo.append(dep)
    return [p for p in rules.packages if p.name in wanted]


def check_source(rules: Rules) -> None:
    """The root must be the top of a git repository whose objects are SHA-1 (the published SHAs are)."""
    proc = git.run(["rev-parse", "--show-toplevel", "--show-object-format"], rules.root, check=False)
    lines = proc.stdout.decode().split()
    if proc.returncode != 0 or len(lines) != 2:
        raise PublishError(f"{rules.root}: not a git repository")
    if Path(lines[0]).resolve() != rules.root.resolve():
        raise PublishError(f"{rules.root}: must be the top of its git repository ({lines[0]})")
    if lines[1] != "sha1":
        raise PublishError(f"{rules.root}: {lines[1]} repositories are not supported (only sha1)")


def shared_history(rules: Rules, packages: list[PackageRule], source: quick.Source) -> Path:
    """One commit-graph of the source history for all packages' walks (publish.history)."""
    branches = sorted({b.source for p in packages for b in p.branches})
    tips = [source.heads[b] for b in branches if b in source.heads]
    return history.prepare(rules.work_dir, rules.root, tips)


def shared_walks(
    rules: Rules, packages: list[PackageRule], source: quick.Source, shared: Path
) -> walk.SharedWalks:
    """Packages without a work repository yet (a first publish) walk their whole history: together."""
    expected: dict[str, set[str]] = {}
    for p in packages:
        if not (rules.work_dir / f"{p.name}.git").exists():
            for b in p.branches:
                if b.source in source.heads:
                    expected.setdefault(source.heads[b.source], set()).add(b.dir)
    return walk.SharedWalks(shared, expected)


def sync_all(
    rules: Rules,
    names: tuple[str, ...],
    options: Options,
    *,
    jobs: int,
    log: Log,
    done: Callable[[PackageResult], None] = lambda r: None,
    checked: bool = False,
) -> list[PackageResult]:
    """Publish the packages in dependency order (graphlib), up to `jobs` at once; `done` hears of each
    package as soon as it is finished. A package whose dependency failed is not published: it only reads
    its own destination, to say where that stands. `checked`: the caller ran `check_source` already."""
    if not checked:
        check_source(rules)
    packages = selected(rules, names)
    by_name = {p.name: p for p in packages}
    # Shared by all packages: one graph of the source history, and the quick check of what is unchanged.
    source = quick.read_source(rules)
    shared = shared_history(rules, packages, source)
    walks = shared_walks(rules, packages, source, shared)
    options = replace(options, history=shared, heads=source.heads, tags=source.tag_targets, walks=walks)
    unchanged = {} if options.force else quick.unchanged(rules, packages, shared, source)
    size: dict[str, int] = {}
    if jobs > 1:  # the longest packages first, so that the last ones to finish are short (walked first)
        walks.prepare()
        for p in packages:
            size[p.name] = sum(walks.size(source.heads.get(b.source), b.dir) for b in p.branches)
    syncs: dict[str, PackageSync] = {}
    pinned = {d for p in packages if p.pin == "commit" for d in p.dependencies}
    order = TopologicalSorter({p.name: p.dependencies for p in packages})
    try:
        order.prepare()
    except CycleError as exc:
        raise PublishError(f"{rules.path.name}: dependency cycle among {', '.join(exc.args[1])}") from None
    results: dict[str, PackageResult] = {}
    siblings: dict[str, Sibling] = {}
    ready: list[str] = []
    running: dict[Future[PackageResult], str] = {}

    def with_ready(waiting: list[str]) -> list[str]:
        """`waiting` and the packages that became ready, longest first (then by name)."""
        return sorted({*waiting, *order.get_ready()}, key=lambda n: (-size.get(n, 0), n))

    def package_log(name: str) -> Log:
        return lambda msg: log(f"{name}: {msg}")

    def job(rule: PackageRule) -> Callable[[], PackageResult]:
        sync = syncs[rule.name] = PackageSync(rules, rule, options, dict(siblings), package_log(rule.name))
        failed = [d for d in rule.dependencies if not results[d].ok]
        if not failed:
            return lambda: sync.run(rule.name in pinned)
        return lambda: dependant_result(sync, failed[0])

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        while order.is_active():
            ready = with_ready(ready)
            while ready and len(running) < max(jobs, 1):
                name = ready.pop(0)
                if name in unchanged:  # nothing new, proved without a process of its own (publish.quick)
                    heads = {f"refs/heads/{b}": entry[2] for b, entry in unchanged[name].items()}
                    results[name] = PackageResult(name, current=heads)
                    done(results[name])
                    order.done(name)
                    ready = with_ready(ready)
                    continue
                running[pool.submit(job(by_name[name]))] = name
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f]):
                name = running.pop(future)
                result = future.result()
                results[name] = result
                if result.sibling is not None:
                    siblings[name] = result.sibling
                done(result)
                order.done(name)
                if order.is_active():
                    pause.point("between-packages")
    if not options.dry_run:
        record(
            packages=packages,
            results=results,
            syncs=syncs,
            unchanged=unchanged,
            shared=shared,
            source=source,
        )
    return [results[p.name] for p in packages]


def dependant_result(sync: PackageSync, failed: str) -> PackageResult:
    """Not published; the message names the failed dependency and the package's own state."""
    try:
        own: OwnState | None = sync.own_state()
    except (GitError, PublishError, OSError) as exc:
        sync.notes.append(f"its own destination could not be read: {exc}")
        own = None
    return PackageResult(sync.rule.name, error=dependency_refusal(failed, own), notes=sync.notes)


def record(
    *,
    packages: list[PackageRule],
    results: dict[str, PackageResult],
    syncs: dict[str, PackageSync],
    unchanged: dict[str, dict[str, list[str]]],
    shared: Path,
    source: quick.Source,
) -> None:
    """Keep, for the quick check of the next run, where each package that ended well was left."""
    state = quick.load(shared)
    same = state.get("rules") == source.rules and state.get("tags") == source.tags
    kept = state.get("packages") if same else None
    entries: dict[str, dict[str, list[str]]] = dict(kept) if isinstance(kept, dict) else {}
    for rule in packages:
        entries.pop(rule.name, None)
        result = results.get(rule.name)
        if result is None or not result.ok or (result.updates and not result.pushed):
            continue
        if rule.name in unchanged:
            entries[rule.name] = unchanged[rule.name]
        elif rule.name in syncs:
            tips = syncs[rule.name].tips
            if all(b.name in tips for b in rule.branches):
                entries[rule.name] = {b.name: [b.source, *tips[b.name]] for b in rule.branches}
    quick.save(shared, source, entries)
