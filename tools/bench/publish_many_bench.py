"""Benchmark `publish sync` with many packages against splitsh-lite, in the same run.

    BENCH_MANY_REPO=/path/to/symfony python tools/bench/publish_many_bench.py

On a private clone of the repository (the original is never touched), with one package per folder matched by
BENCH_MANY_GLOBS (default: the Symfony layout, src/Symfony/{Component,Bridge,Bundle}/*), it times as whole
processes, each figure the median of BENCH_MANY_RUNS runs (default 3), alternating with splitsh-lite:
- one package (BENCH_MANY_ONE, default src/Symfony/Component/Console): `publish sync` from scratch (split and
  push to a new local bare repository) against `splitsh-lite --scratch` on the same folder (split only);
- ten packages (that one and the next nine folders): `publish sync --jobs 2` from scratch; ratio to one;
- every folder (one run): `publish sync --jobs 2` from scratch against splitsh-lite run once per folder;
- 100 packages configured (folders, some replaced by their subfolders, until 100): after a first full publish,
  `publish sync` after one new commit in one folder, and `publish sync` with nothing new.
Each publish run starts from an empty work directory and new destinations where it says "from scratch".
It checks that the published main of the one package ends on the folder's tree, as splitsh-lite's split does.
splitsh-lite: BENCH_SPLITSH (a binary) or built by tools/bench/build_splitsh_lite.sh; without it, the
publish figures are still measured and the comparison is reported as missing.
Environment: BENCH_MANY_RUNS, BENCH_MANY_JOBS (2), BENCH_WORK (default: a temp folder, removed at the end),
BENCH_MANY_PARTS (default "one,ten,every,hundred": which figures to take; "every" takes minutes),
BENCH_MANY_BASELINE (a `tools` folder of another version of publish, e.g. from `git archive`: its runs
alternate with this version's for the one, ten and 100-package figures, and the published heads of both must
be identical, which the bench checks and reports).
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
PUBLISH = str(HERE.parent.parent / ".venv" / "bin" / "publish")
DEFAULT_GLOBS = "src/Symfony/Component/*,src/Symfony/Bridge/*,src/Symfony/Bundle/*"


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def splitsh_binary() -> str | None:
    given = os.environ.get("BENCH_SPLITSH")
    if given:
        return given
    proc = subprocess.run(
        ["bash", str(HERE / "build_splitsh_lite.sh")], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        print(f"bench: splitsh-lite unavailable: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return proc.stdout.strip().splitlines()[-1]


def folders_of(mono: Path, branch: str, globs: str) -> list[str]:
    found = []
    for pattern in globs.split(","):
        parent = pattern.rstrip("*").rstrip("/")
        found += git(mono, "ls-tree", "-d", "--name-only", branch, f"{parent}/").splitlines()
    return sorted(set(found))


def package_name(folder: str) -> str:
    return folder.replace("/", "-").lower()


def write_rules(mono: Path, work: Path, branch: str, folders: list[str]) -> None:
    """The rules, and what `publish sync` checks them against: the folders as staging packages, each with
    a stub pyproject.toml naming it, written untracked in the (otherwise empty) work tree: the published
    history is the source's alone."""
    staging = ", ".join(f'"{f}"' for f in folders)
    (mono / "pyproject.toml").write_text(
        '[tool.publish]\nrules = "bench-rules.toml"\nwork-dir = "../publish-work"\n\n'
        f"[tool.depgraph]\nstaging = [{staging}]\n"
    )
    text = "[defaults]\ncreate = true\nsmoke-venv = false\n"
    for folder in folders:
        name = package_name(folder)
        (mono / folder).mkdir(parents=True, exist_ok=True)
        (mono / folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0"\n')
        text += (
            f'\n[[package]]\nname = "{name}"\nsource = "{folder}"\ndestination = "{work}/dest/{name}.git"\n'
            f'[[package.branch]]\nname = "main"\nsource = "{branch}"\n'
        )
    (mono / "bench-rules.toml").write_text(text)


def reset(work: Path) -> None:
    for child in ("dest", "publish-work"):
        shutil.rmtree(work / child, ignore_errors=True)


def med(values: list[float]) -> float:
    return statistics.median(values)


def heads(work: Path) -> dict[str, str]:
    """Each destination's published main, by package: what two versions must agree on."""
    return {d.name: git(d, "rev-parse", "main") for d in sorted((work / "dest").glob("*.git"))}


def main() -> int:
    source_env = os.environ.get("BENCH_MANY_REPO")
    if not source_env:
        print("bench: set BENCH_MANY_REPO (a git repository with a long history and many package folders)")
        return 2
    runs = int(os.environ.get("BENCH_MANY_RUNS", "3"))
    jobs = os.environ.get("BENCH_MANY_JOBS", "2")
    parts = set(os.environ.get("BENCH_MANY_PARTS", "one,ten,every,hundred").split(","))
    baseline = os.environ.get("BENCH_MANY_BASELINE")
    base_env = {"PYTHONPATH": str(Path(baseline).resolve())} if baseline else None
    work = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="publish-many-"))
    work.mkdir(parents=True, exist_ok=True)
    mono = work / "mono"
    shutil.rmtree(mono, ignore_errors=True)
    reset(work)
    git(work, "clone", "-q", "--no-checkout", str(Path(source_env).resolve()), str(mono))
    branch = git(mono, "symbolic-ref", "--short", "HEAD")
    folders = folders_of(mono, branch, os.environ.get("BENCH_MANY_GLOBS", DEFAULT_GLOBS))
    one = os.environ.get("BENCH_MANY_ONE", "src/Symfony/Component/Console")
    if one not in folders:
        one = folders[0]
    ten = [one, *[f for f in folders if f != one][:9]]
    total = git(mono, "rev-list", "--count", branch)
    merges = git(mono, "rev-list", "--count", "--merges", branch)
    touching = git(mono, "rev-list", "--count", branch, "--", one)
    print(
        f"history: {branch}: {total} commits ({merges} merges); {len(folders)} package folders; "
        f"{one}/: {touching} commits; runs: {runs}; machine: {os.cpu_count()} cores",
        flush=True,
    )
    splitsh = splitsh_binary()
    publish = [PUBLISH, "sync", "--no-progress", "--jobs", jobs]
    # Byte-compiled first, as an installed tool is (with PYTHONDONTWRITEBYTECODE set, every run would
    # otherwise compile the tools' sources again: about 0.1 s of each run's start-up here).
    tools = [str(HERE.parent / name) for name in ("publish", "depgraph")]
    tools += [str(Path(baseline) / name) for name in ("publish", "depgraph")] if baseline else []
    compiled = [str(Path(PUBLISH).parent / "python"), "-m", "compileall", "-q", *tools]
    subprocess.run(compiled, capture_output=True, check=False)

    def splitsh_run(folder: str) -> tuple[float, str]:
        assert splitsh
        start = time.perf_counter()
        proc = subprocess.run(
            [splitsh, f"--prefix={folder}", f"--origin=refs/heads/{branch}", f"--path={mono}", "--scratch"],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"bench: splitsh-lite failed on {folder}: {proc.stderr}")
        return elapsed, proc.stdout.strip().splitlines()[-1]

    figures: dict[str, list[float]] = {}
    same: list[str] = []  # what the baseline published differently, if anything

    def sample(name: str, env: dict[str, str] | None = None) -> None:
        """One publish run from scratch (empty work directory, new destinations)."""
        reset(work)
        figures.setdefault(name, []).append(timed(publish, mono, env))

    def paired(name: str) -> None:
        """This version (and the baseline's run right after it, whose published heads must be the same)."""
        sample(name)
        if base_env is not None:
            ours = heads(work)
            sample(f"{name} (baseline)", base_env)
            if heads(work) != ours:
                same.append(name)

    split_tip = ""
    if "one" in parts:
        write_rules(mono, work, branch, [one])
        for _ in range(runs):
            paired("one")
            if splitsh:
                elapsed, split_tip = splitsh_run(one)
                figures.setdefault("splitsh-one", []).append(elapsed)
        dest_one = work / "dest" / f"{package_name(one)}.git"
        published_tree = git(dest_one, "rev-parse", "main^{tree}")
        folder_tree = git(mono, "rev-parse", f"{branch}:{one}")
        published_count = git(dest_one, "rev-list", "--count", "main")
        split_tree = git(mono, "rev-parse", f"{split_tip}^{{tree}}") if split_tip else "(no splitsh-lite)"
        split_count = git(mono, "rev-list", "--count", split_tip) if split_tip else "-"
        print(
            f"one package: published {published_count} commits (splitsh-lite {split_count}); "
            f"final tree == folder: publish {published_tree == folder_tree}, "
            f"splitsh-lite {split_tree == folder_tree}",
            flush=True,
        )
    if "ten" in parts:
        write_rules(mono, work, branch, ten)
        for _ in range(runs):
            paired("ten")
        print(f"measured ten {med(figures['ten']):.2f} s", flush=True)

    every = splitsh_every = None
    if "every" in parts:
        write_rules(mono, work, branch, folders)
        reset(work)
        every = timed(publish, mono)
        splitsh_every = sum(splitsh_run(f)[0] for f in folders) if splitsh else None

    hundred = list(folders)  # folders replaced by their subfolders (none nested in another) until 100
    for folder in folders:
        if len(hundred) >= 100:
            break
        inner = git(mono, "ls-tree", "-d", "--name-only", branch, f"{folder}/").splitlines()
        if folder != one and len(inner) >= 2:
            hundred = sorted((set(hundred) - {folder}) | set(inner))
    hundred = sorted({one, *[f for f in hundred if f != one][:99]})
    first_hundred = None
    if "hundred" in parts:
        write_rules(mono, work, branch, hundred)
        reset(work)
        first_hundred = timed(publish, mono)
        for n in range(runs):
            new_commit(mono, branch, one, n)
            figures.setdefault("incr", []).append(timed(publish, mono))
            figures.setdefault("noop", []).append(timed(publish, mono))
            if base_env is not None:  # the same state: both versions see nothing new now
                figures.setdefault("noop (baseline)", []).append(timed(publish, mono, base_env))

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}x" if a and b else "-"

    def fig(name: str) -> float | None:
        return med(figures[name]) if figures.get(name) else None

    def sec(value: float | None) -> str:
        return f"{value:.2f} s" if value is not None else "-"

    one_t, ten_t, split_one = fig("one"), fig("ten"), fig("splitsh-one")
    rows = [
        ("one package, full split + push", sec(one_t), ratio(one_t, split_one), "<= 0.2x splitsh-lite"),
        ("splitsh-lite --scratch, same folder (split)", sec(split_one), "", ""),
        (f"ten packages, full (--jobs {jobs})", sec(ten_t), ratio(ten_t, one_t) + " one", "<= 2x one"),
        (
            f"all {len(folders)} packages, full (--jobs {jobs}), 1 run",
            sec(every),
            ratio(every, splitsh_every),
            "",
        ),
        ("splitsh-lite once per folder, 1 run", sec(splitsh_every), "", ""),
        (f"{len(hundred)} packages: first publish, 1 run", sec(first_hundred), "", ""),
        (f"{len(hundred)} packages: one new commit", sec(fig("incr")), "", "< 1 s"),
        (f"{len(hundred)} packages: nothing new", sec(fig("noop")), "", "< 0.3 s"),
    ]
    if base_env is not None:
        one_b, ten_b = fig("one (baseline)"), fig("ten (baseline)")
        rows += [
            ("baseline: one package", sec(one_b), ratio(one_b, split_one), ""),
            ("baseline: ten packages", sec(ten_b), ratio(ten_b, one_b) + " one", ""),
            ("baseline: nothing new", sec(fig("noop (baseline)")), "", ""),
        ]
    print("| | median | ratio | goal |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("spread (min-max): " + ", ".join(f"{k} {min(v):.2f}-{max(v):.2f}" for k, v in figures.items() if v))
    if base_env is not None:
        verdict = "differ from the baseline in " + ", ".join(same) if same else "identical to the baseline"
        print(f"published heads: {verdict}")
    if not os.environ.get("BENCH_WORK"):
        shutil.rmtree(work, ignore_errors=True)
    return 1 if same else 0


if __name__ == "__main__":
    sys.exit(main())
