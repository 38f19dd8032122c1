#!/usr/bin/env bash
# Benchmarks against repositories that are not part of this one (`make bench`). Not part of CI.
# One section per benchmark script; each is skipped, with a message, when the variables it needs are unset.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}

# --- publish: full and incremental split vs git subtree split and git filter-repo -------------------------
# BENCH_PUBLISH_REPO: a git repository with a long history (e.g. a clone of git/git);
# BENCH_PUBLISH_DIR: a directory of it touched by thousands of commits (e.g. contrib).
if [ -n "${BENCH_PUBLISH_REPO:-}" ] && [ -n "${BENCH_PUBLISH_DIR:-}" ]; then
  "$PY" tools/bench/publish_bench.py
else
  echo "bench: publish skipped (set BENCH_PUBLISH_REPO and BENCH_PUBLISH_DIR)"
fi
