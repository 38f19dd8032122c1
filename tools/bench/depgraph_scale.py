"""`depgraph check` on a monorepo of 100+ distributions and 10,000+ files of real code.

Usage: python depgraph_scale.py PYTHON [--work DIR] [--reps N] [--profile]
PYTHON is the interpreter of a throwaway environment with many packages installed from PyPI, outside this
repository, e.g.:

    python3 -m venv /tmp/dgbench-venv
    /tmp/dgbench-venv/bin/pip install jupyter django sympy boto3 pandas scipy matplotlib scikit-learn \\
        sqlalchemy requests flask fastapi pydantic sphinx pytest black

(about 180 distributions, 16,000 Python files). `site_monorepo.py` lays them out as a monorepo in DIR
(one folder per distribution, pyproject.toml from METADATA). Measured as whole processes, each the median of
N runs: `depgraph check` cold (no cache folder), warm (nothing changed: the results are replayed), after one
file changed (its content edited: one file extracted again, every check run), `depgraph stats --no-cache`
(the graph build alone, without the checks); wall time, CPU time (user + system, workers included) and peak
memory (max RSS of the main process, from wait4). `--profile` also prints where the check after one
changed file spends its time (cProfile, top functions by cumulative time). Goals: cold < 10 s, warm < 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPGRAPH = str(Path(sys.executable).with_name("depgraph"))


def _measure(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one process (its waited-for children's CPU included)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"depgraph_scale: {' '.join(args)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _largest(root: Path) -> Path:
    """The largest Python file of the monorepo: the one the "one file changed" runs edit."""
    return max(root.glob("dists/*/src/**/*.py"), key=lambda p: (p.stat().st_size, str(p)))


def _row(name: str, runs: list[tuple[float, float, int]]) -> str:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs) / 1024
    spread = f"{min(r[0] for r in runs):.2f}-{max(r[0] for r in runs):.2f}"
    return f"{name:<28} wall {wall:7.2f} s ({spread})  cpu {cpu:7.2f} s  peak {peak:6.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("python")
    parser.add_argument("--work", type=Path, default=Path("/tmp/depgraph-scale"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    opts = parser.parse_args()
    root = opts.work / "mono"
    subprocess.run([sys.executable, str(HERE / "site_monorepo.py"), opts.python, str(root)], check=True)
    cache = root / ".depgraph-cache"
    load = os.getloadavg()[0]
    print(f"depgraph_scale: load average {load:.1f} on {os.cpu_count()} CPUs (others' work slows wall times)")
    edited = _largest(root)
    original = edited.read_bytes()
    cold, warm, changed, build = [], [], [], []
    try:
        for rep in range(opts.reps):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_measure([DEPGRAPH, "check"], root))
            warm.append(_measure([DEPGRAPH, "check"], root))
            edited.write_bytes(original + f"\n# edited {rep}\n".encode())
            changed.append(_measure([DEPGRAPH, "check"], root))
            edited.write_bytes(original)
            build.append(_measure([DEPGRAPH, "stats", "--no-cache"], root))
    finally:
        edited.write_bytes(original)
    print(_row("check, cold", cold))
    print(_row("check, warm", warm))
    print(_row("check, one file changed", changed))
    print(_row("stats --no-cache (build)", build))
    if opts.profile:
        subprocess.run([DEPGRAPH, "check"], cwd=root, stdout=subprocess.DEVNULL, check=False)
        edited.write_bytes(original + b"\n# edited for the profile\n")
        out = opts.work / "changed.prof"
        code = (
            "import sys, cProfile; from depgraph.cli import main; sys.argv = ['depgraph', 'check'];\n"
            f"cProfile.run('main()', {str(out)!r})"
        )
        try:
            subprocess.run([sys.executable, "-c", code], cwd=root, stdout=subprocess.DEVNULL, check=False)
        finally:
            edited.write_bytes(original)
        import pstats  # noqa: PLC0415

        pstats.Stats(str(out)).sort_stats("cumulative").print_stats(r"depgraph/(?!cli|climain)", 25)


if __name__ == "__main__":
    main()
