"""depgraph's graph build against grimp's `build_graph`, on the same outside package, in the same run.

Usage: python depgraph_bench.py PACKAGE_DIR [--reps N] [--json FILE]
(`tools/bench/run.sh` passes $BENCH_DEPGRAPH_TARGET; e.g. the sympy or django folder of an installed copy.)

The package is copied into a temporary monorepo whose root pyproject.toml holds a `[tool.depgraph]`
table, so depgraph builds it as that repository's core. Measured, each as the median of N repetitions:

- whole process: a fresh interpreter per run (`depgraph stats` / `python -c "grimp.build_graph(...)"`),
  import time and worker start included: what a user waits for;
- in process: `depgraph.graph.graph.build_graph` and `grimp.build_graph` called in this interpreter;
- cold: no cache (depgraph `--no-cache`; grimp `cache_dir=None`); warm: caches filled, nothing changed;
  one file changed: one module's content changes between runs (its cache entry misses), caches on.

Ratios are depgraph / grimp: below 1 means depgraph is faster. Goal: cold <= 1, warm <= 0.5.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]


def _prepare(package: Path, work: Path) -> tuple[Path, str, Path]:
    """A temporary monorepo holding a copy of the package; returns (root, import name, file to change)."""
    root = work / "mono"
    name = package.name
    shutil.copytree(package, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / "pyproject.toml").write_text(
        "[project]\n"
        f'name = "bench-{name}"\n'
        'version = "0"\n'
        "dependencies = []\n\n"
        "[tool.setuptools.packages.find]\n"
        f'include = ["{name}*"]\n\n'
        "[tool.depgraph]\n"
        "staging = []\n"
        'cache-dir = ".depgraph-cache"\n'
    )
    changed = sorted((root / name).rglob("*.py"), key=lambda p: (-p.stat().st_size, str(p)))[0]
    return root, name, changed


def _pair(
    ours: Callable[[], None],
    theirs: Callable[[], None],
    reps: int,
    before: Callable[[], None] | None = None,
    *,
    processes: bool = False,
) -> dict[str, float]:
    """Median wall times of both, run alternately (ABAB...) so a busy machine slows both alike; for whole
    processes also the median CPU time (user + system of the children), which load barely moves."""
    wall: dict[str, list[float]] = {"depgraph": [], "grimp": []}
    cpu: dict[str, list[float]] = {"depgraph": [], "grimp": []}
    for _ in range(reps):
        for name, run in (("depgraph", ours), ("grimp", theirs)):
            if before is not None:
                before()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            run()
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime)
    row = {name: statistics.median(times) for name, times in wall.items()}
    if processes:
        row.update({f"{name} cpu": statistics.median(times) for name, times in cpu.items()})
    return row


def _process(argv: list[str], cwd: Path) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="folder of an import package (with __init__.py)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="depgraph extraction processes")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    package: Path = args.package.resolve()
    if not (package / "__init__.py").is_file():
        print(f"depgraph_bench: {package}: not an import package (no __init__.py)", file=sys.stderr)
        return 2
    try:
        import grimp  # noqa: PLC0415 - optional: say so in one line when missing
    except ImportError:
        print("depgraph_bench: grimp is not installed in this interpreter", file=sys.stderr)
        return 2
    sys.path.insert(0, str(TOOLS))
    from depgraph.discover.config import load_config  # noqa: PLC0415 - tools/ goes on sys.path first
    from depgraph.graph.graph import build_graph  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="depgraph-bench-") as tmp:
        work = Path(tmp)
        root, name, changed = _prepare(package, work)
        sys.path.insert(0, str(root))
        files = sum(1 for _ in (root / name).rglob("*.py"))
        original = changed.read_bytes()
        flip = [0]

        def change() -> None:
            flip[0] += 1
            changed.write_bytes(original + f"\n_depgraph_bench_marker = {flip[0]}\n".encode())

        grimp_cache = work / "grimp-cache"
        jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
        entry = "import sys; from depgraph.cli import main; main(sys.argv[1:])"  # = the `depgraph` script
        ours = [sys.executable, "-c", entry, "stats", "--root", str(root), *jobs]
        theirs = (
            "import sys; sys.path.insert(0, {root!r}); import grimp; "
            "grimp.build_graph({name!r}, cache_dir={cache})"
        )
        grimp_cold = [sys.executable, "-c", theirs.format(root=str(root), name=name, cache="None")]
        grimp_warm = [
            sys.executable,
            "-c",
            theirs.format(root=str(root), name=name, cache=repr(str(grimp_cache))),
        ]
        config = load_config(root)
        rows: dict[str, dict[str, float]] = {}

        # Fill both caches once, then measure.
        subprocess.run(ours, cwd=root, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(grimp_warm, cwd=root, check=True, stdout=subprocess.DEVNULL)
        reps = args.reps
        cold = (_process([*ours, "--no-cache"], root), _process(grimp_cold, root))
        warm = (_process(ours, root), _process(grimp_warm, root))
        rows["whole process, cold"] = _pair(*cold, reps, processes=True)
        rows["whole process, warm"] = _pair(*warm, reps, processes=True)
        rows["whole process, one file changed"] = _pair(*warm, reps, change, processes=True)
        changed.write_bytes(original)
        subprocess.run(ours, cwd=root, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(grimp_warm, cwd=root, check=True, stdout=subprocess.DEVNULL)
        rows["in process, cold"] = _pair(
            lambda: build_graph(root, config, use_cache=False, jobs=args.jobs),
            lambda: grimp.build_graph(name, cache_dir=None),
            reps,
        )
        warm_ours = lambda: build_graph(root, config, use_cache=True, jobs=args.jobs)  # noqa: E731
        warm_theirs = lambda: grimp.build_graph(name, cache_dir=str(grimp_cache))  # noqa: E731
        rows["in process, warm"] = _pair(warm_ours, warm_theirs, reps)
        rows["in process, one file changed"] = _pair(warm_ours, warm_theirs, reps, change)

    print(
        f"depgraph vs grimp {getattr(grimp, '__version__', '?')} on {package} ({files} files), "
        f"median of {reps}"
    )
    print(f"{'measure (wall; cpu = user+sys)':34} {'depgraph':>10} {'grimp':>10} {'ratio':>7}")
    for label, row in rows.items():
        ratio = row["depgraph"] / row["grimp"]
        print(f"{label:34} {row['depgraph']:9.3f}s {row['grimp']:9.3f}s {ratio:7.2f}")
        if "depgraph cpu" in row:
            cpu_ratio = row["depgraph cpu"] / row["grimp cpu"]
            print(f"{'  cpu':34} {row['depgraph cpu']:9.3f}s {row['grimp cpu']:9.3f}s {cpu_ratio:7.2f}")
    if args.json is not None:
        args.json.write_text(
            json.dumps({"package": str(package), "files": files, "reps": reps, "rows": rows}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
