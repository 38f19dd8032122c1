#!/usr/bin/env bash
# `make bench`: every benchmark, one script each, against outside code named by BENCH_* variables.
# A benchmark whose variable is unset is skipped with a message. Not part of CI.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
status=0

run() {  # run NAME VARIABLE COMMAND...: one benchmark, skipped when VARIABLE is empty
  local name="$1" var="$2"; shift 2
  if [[ -z "${!var:-}" ]]; then
    echo "bench: $name: skipped (set $var)"
    return 0
  fi
  echo "bench: $name"
  "$@" || status=1
}

# depgraph vs grimp: BENCH_DEPGRAPH_TARGET = folder of a large import package, e.g. an installed sympy or
# django (`pip download --no-deps --no-binary :all: django` and unpack). BENCH_REPS: repetitions (5).
run depgraph BENCH_DEPGRAPH_TARGET \
  "$PY" "$HERE/depgraph_bench.py" "${BENCH_DEPGRAPH_TARGET:-}" --reps "${BENCH_REPS:-5}"

# depgraph check at scale: BENCH_SITE_PYTHON = the interpreter of a throwaway environment with many packages
# installed (see tools/bench/depgraph_scale.py); laid out as a monorepo of one folder per distribution.
run depgraph-scale BENCH_SITE_PYTHON \
  "$PY" "$HERE/depgraph_scale.py" "${BENCH_SITE_PYTHON:-}" --reps "${BENCH_REPS:-3}" --profile

# publish vs git filter-repo and git subtree split: BENCH_PUBLISH_REPO = a git repository with a long history
# (e.g. a clone of git/git), BENCH_PUBLISH_DIR = one of its directories touched by thousands of commits
# (e.g. contrib). BENCH_PUBLISH_RUNS (3), BENCH_SUBTREE_TIMEOUT (900 s): see tools/bench/publish_bench.py.
run publish BENCH_PUBLISH_REPO "$PY" "$HERE/publish_bench.py"

# publish with many packages vs splitsh-lite (built from source by build_splitsh_lite.sh, or BENCH_SPLITSH):
# BENCH_MANY_REPO = a long history with many package folders (e.g. a clone of symfony/symfony; folders from
# BENCH_MANY_GLOBS). BENCH_MANY_RUNS (3), BENCH_MANY_JOBS (2): see tools/bench/publish_many_bench.py.
run publish-many BENCH_MANY_REPO "$PY" "$HERE/publish_many_bench.py"

exit "$status"
