"""Benchmark `publish sync` against `git subtree split` and `git filter-repo --subdirectory-filter`.

    BENCH_PUBLISH_REPO=/path/to/big/repo BENCH_PUBLISH_DIR=contrib python tools/bench/publish_bench.py

On a private clone of the repository (the original is never touched) it times, in the same run:
- publish, full: `publish sync --dry-run` from scratch (split only: walk, read, write the commits) and
  `publish sync` from scratch (split and push everything to a local bare repository);
- publish, incremental: `publish sync` after one new commit in the directory (split and push that commit);
- `git filter-repo --subdirectory-filter DIR` on a fresh clone each run;
- `git subtree split --prefix=DIR` once, stopped after BENCH_SUBTREE_TIMEOUT seconds (default 900).
It checks that all of them end on the same directory tree, and prints medians and ratios.
Environment: BENCH_PUBLISH_RUNS (default 3), BENCH_SUBTREE_TIMEOUT, BENCH_WORK (default: a temp folder).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchgit import git, new_commit

HERE = Path(__file__).resolve().parent
VENV_BIN = HERE.parent.parent / ".venv" / "bin"
PUBLISH = [str(VENV_BIN / "publish")]
FILTER_REPO = str(VENV_BIN / "git-filter-repo")


def timed(cmd: list[str], cwd: Path, timeout: float | None = None) -> float | None:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return time.perf_counter() - start


def setup_monorepo(source: Path, work: Path, directory: str) -> tuple[Path, str]:
    mono = work / "mono"
    git(work, "clone", "-q", "--no-checkout", str(source), str(mono))
    branch = git(mono, "symbolic-ref", "--short", "HEAD")
    # `publish sync` checks the rules against the staging packages: the directory is one, with a stub
    # pyproject.toml written untracked in the (otherwise empty) work tree, so the history is the source's.
    (mono / "pyproject.toml").write_text(
        '[tool.publish]\nrules = "bench-rules.toml"\nwork-dir = "../publish-work"\n\n'
        f'[tool.depgraph]\nstaging = ["{directory}"]\n'
    )
    (mono / directory).mkdir(parents=True, exist_ok=True)
    (mono / directory / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n')
    (mono / "bench-rules.toml").write_text(
        f'[defaults]\ncreate = true\n\n[[package]]\nname = "bench"\nsource = "{directory}"\n'
        f'destination = "{work}/dest.git"\n[[package.branch]]\nname = "main"\nsource = "{branch}"\n'
    )
    return mono, branch


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    source_env, directory = os.environ.get("BENCH_PUBLISH_REPO"), os.environ.get("BENCH_PUBLISH_DIR")
    if not source_env or not directory:
        print("bench: set BENCH_PUBLISH_REPO (a git repository with a long history) and BENCH_PUBLISH_DIR")
        return 2
    source = Path(source_env).resolve()
    runs = int(os.environ.get("BENCH_PUBLISH_RUNS", "3"))
    subtree_timeout = float(os.environ.get("BENCH_SUBTREE_TIMEOUT", "900"))
    work = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="publish-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    for child in ("mono", "dest.git", "publish-work", "fr"):
        shutil.rmtree(work / child, ignore_errors=True)
    mono, branch = setup_monorepo(source, work, directory)
    total = git(mono, "rev-list", "--count", branch)
    merges = git(mono, "rev-list", "--count", "--merges", branch)
    touching = git(mono, "rev-list", "--count", branch, "--", directory)
    print(
        f"history: {source.name} {branch}: {total} commits ({merges} merges); "
        f"{directory}/: {touching} commits"
    )

    def reset() -> None:
        shutil.rmtree(work / "dest.git", ignore_errors=True)
        shutil.rmtree(work / "publish-work", ignore_errors=True)

    results: dict[str, list[float]] = {"dry": [], "full": [], "incr": [], "noop": [], "filter-repo": []}
    for _ in range(runs):
        reset()
        results["dry"].append(timed([*PUBLISH, "sync", "--dry-run"], mono) or 0.0)
        reset()
        results["full"].append(timed([*PUBLISH, "sync"], mono) or 0.0)
    published_tree = git(work / "dest.git", "rev-parse", "main^{tree}")
    source_tree = git(mono, "rev-parse", f"{branch}:{directory}")
    assert published_tree == source_tree, "publish: final tree differs from the source directory"
    published_count = git(work / "dest.git", "rev-list", "--count", "main")
    for n in range(runs):
        new_commit(mono, branch, directory, n)
        results["incr"].append(timed([*PUBLISH, "sync"], mono) or 0.0)
        results["noop"].append(timed([*PUBLISH, "sync"], mono) or 0.0)
    for _ in range(runs):
        fr = work / "fr"
        shutil.rmtree(fr, ignore_errors=True)
        git(work, "clone", "-q", "--no-local", "--no-checkout", str(source), str(fr))
        results["filter-repo"].append(
            timed([FILTER_REPO, "--subdirectory-filter", directory, "--force", "--quiet"], fr) or 0.0
        )
    fr_tree = git(work / "fr", "rev-parse", "HEAD^{tree}")
    shutil.rmtree(work / "fr", ignore_errors=True)
    subtree_mono = work / "mono"
    git(subtree_mono, "update-ref", "refs/heads/bench-base", f"{branch}~{runs}")
    git(
        subtree_mono, "-c", "advice.detachedHead=false", "checkout", "-q", "bench-base"
    )  # subtree needs the prefix
    print(
        f"measured: {', '.join(f'{k} {median(v):.2f} s' for k, v in results.items())}; now git subtree split",
        flush=True,
    )
    start = time.perf_counter()
    try:
        subtree_out = (
            subprocess.run(
                ["git", "subtree", "split", f"--prefix={directory}", "bench-base"],
                cwd=subtree_mono,
                capture_output=True,
                text=True,
                timeout=subtree_timeout,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        subtree = time.perf_counter() - start
        subtree_tree = git(subtree_mono, "rev-parse", f"{subtree_out}^{{tree}}")
    except subprocess.TimeoutExpired:
        subtree, subtree_tree = None, None
    base_tree = git(mono, "rev-parse", f"bench-base:{directory}")

    full, dry, incr, noop = (median(results[k]) for k in ("full", "dry", "incr", "noop"))
    fr_time = median(results["filter-repo"])
    print(
        f"published: {published_count} commits; final trees: "
        f"publish == source: {published_tree == source_tree}, "
        f"filter-repo == source: {fr_tree == source_tree}, subtree == source: "
        f"{'not finished' if subtree_tree is None else subtree_tree == base_tree}"
    )
    print(f"runs: {runs} (medians; machine: {os.cpu_count()} cores)")
    rows = [
        ("publish sync --dry-run (full split, no push)", dry),
        ("publish sync (full split + push)", full),
        ("publish sync, 1 new commit (split + push)", incr),
        ("publish sync, nothing new", noop),
        ("git filter-repo --subdirectory-filter", fr_time),
        ("git subtree split (1 run)", subtree),
    ]
    for label, value in rows:
        shown = f">{subtree_timeout:.0f} s (stopped)" if value is None else f"{value:8.2f} s"
        print(f"  {label:48s} {shown}")
    print(
        f"ratios: filter-repo / publish full split = {fr_time / dry:.1f}x; "
        f"filter-repo / publish full split+push = {fr_time / full:.1f}x"
        + (f"; subtree / publish full split = {subtree / dry:.0f}x" if subtree else "")
    )
    shutil.rmtree(work, ignore_errors=True) if not os.environ.get("BENCH_WORK") else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
