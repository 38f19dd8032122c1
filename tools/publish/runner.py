"""Publish many packages: dependencies first, up to N at a time, each failure confined to its package."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from publish import git
from publish.deps import Sibling
from publish.errors import PublishError
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


def sync_all(
    rules: Rules,
    names: tuple[str, ...],
    options: Options,
    *,
    jobs: int,
    log: Log,
    done: Callable[[PackageResult], None] = lambda r: None,
) -> list[PackageResult]:
    check_source(rules)
    packages = selected(rules, names)
    pinned = {d for p in packages if p.pin == "commit" for d in p.dependencies}
    results: dict[str, PackageResult] = {}
    siblings: dict[str, Sibling] = {}
    pending = {p.name: p for p in packages}
    running: dict[Future[PackageResult], str] = {}

    def package_log(name: str) -> Log:
        return lambda msg: log(f"{name}: {msg}")

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        while pending or running:
            for name in sorted(pending):
                rule = pending[name]
                if any(d in pending or d in running.values() for d in rule.dependencies):
                    continue
                if len(running) >= max(jobs, 1):
                    break
                del pending[name]
                failed = [d for d in rule.dependencies if not results[d].ok]
                if failed:
                    results[name] = PackageResult(
                        name, error=f"not published: its dependency {failed[0]!r} failed"
                    )
                    done(results[name])
                    continue
                job = PackageSync(rules, rule, options, dict(siblings), package_log(name))
                running[pool.submit(job.run, name in pinned)] = name
            if not running:
                if pending:
                    raise PublishError(
                        f"{rules.path.name}: dependency cycle among {', '.join(sorted(pending))}"
                    )
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f]):
                name = running.pop(future)
                result = future.result()
                results[name] = result
                if result.sibling is not None:
                    siblings[name] = result.sibling
                done(result)
    return [results[p.name] for p in packages]
