"""Publish many packages: dependencies first, up to N at a time, each failure confined to its package."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from publish import git, history
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


def shared_history(rules: Rules, packages: list[PackageRule]) -> Path:
    """One commit-graph of the source history for all packages' walks (publish.history)."""
    branches = sorted({b.source for p in packages for b in p.branches})
    tips = [t for b in branches if (t := git.rev_parse(rules.root, f"refs/heads/{b}"))]
    return history.prepare(rules.work_dir, rules.root, tips)


def sync_all(
    rules: Rules,
    names: tuple[str, ...],
    options: Options,
    *,
    jobs: int,
    log: Log,
    done: Callable[[PackageResult], None] = lambda r: None,
) -> list[PackageResult]:
    """Publish the packages in dependency order (graphlib), up to `jobs` at once; `done` hears of each
    package as soon as it is finished. A package whose dependency failed is not published: it only reads
    its own destination, to say where that stands."""
    check_source(rules)
    packages = selected(rules, names)
    by_name = {p.name: p for p in packages}
    options = replace(options, history=shared_history(rules, packages))
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

    def package_log(name: str) -> Log:
        return lambda msg: log(f"{name}: {msg}")

    def job(rule: PackageRule) -> Callable[[], PackageResult]:
        sync = PackageSync(rules, rule, options, dict(siblings), package_log(rule.name))
        failed = [d for d in rule.dependencies if not results[d].ok]
        if not failed:
            return lambda: sync.run(rule.name in pinned)
        return lambda: dependant_result(sync, failed[0])

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        while order.is_active():
            ready = sorted({*ready, *order.get_ready()})
            while ready and len(running) < max(jobs, 1):
                name = ready.pop(0)
                running[pool.submit(job(by_name[name]))] = name
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f]):
                name = running.pop(future)
                result = future.result()
                results[name] = result
                if result.sibling is not None:
                    siblings[name] = result.sibling
                done(result)
                order.done(name)
    return [results[p.name] for p in packages]


def dependant_result(sync: PackageSync, failed: str) -> PackageResult:
    """Not published; the message names the failed dependency and the package's own state."""
    try:
        own: OwnState | None = sync.own_state()
    except (GitError, PublishError, OSError) as exc:
        sync.notes.append(f"its own destination could not be read: {exc}")
        own = None
    return PackageResult(sync.rule.name, error=dependency_refusal(failed, own), notes=sync.notes)
