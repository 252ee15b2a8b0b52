#!/usr/bin/env bash
# Search benchmark on the Linux 6.1 tree (or CODEIDX_BENCH_TREE): codeidx vs csearch
# and rg, fresh processes, then library latency on an open handle.
# Usage: bench/search_bench.sh [BUILD_DIR] [REPS]   (ORACLE=0: skip the grep oracle)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
tree=${CODEIDX_BENCH_TREE:-$(bash ../shared/bench/linux-corpus.sh)}
mkdir -p "$BUILD/bench"
cc -O2 -Iinclude -o "$BUILD/bench/search_latency" bench/search_latency.c \
  "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
find "$tree" -type f -not -path '*/.codeidx/*' -print0 | xargs -0 cat >/dev/null 2>&1 || true
python3 bench/search_bench.py "$BUILD" "$tree" "${2:-5}"
# Exactness on the same tree: codeidx's (path, line) sets against grep -P over exactly
# the files the index holds (queries matching nearly every line are skipped there).
if [ "${ORACLE:-1}" = 1 ]; then
  echo
  echo "grep oracle on $tree (a few minutes; ORACLE=0 skips it):"
  python3 test/integration/search_oracle.py "$BUILD" "$tree" | tail -2
fi
