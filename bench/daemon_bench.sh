#!/usr/bin/env bash
# Daemon transport benchmark: JSON time of a 1000-file event, event latency during full
# indexes and selective search latency through the socket, on a hard-linked copy of the
# Linux 6.1 tree (its own .codeidx, so other benchmarks on the corpus are undisturbed).
# Usage: bench/daemon_bench.sh [BUILD_DIR]   (CODEIDX_BENCH_TREE=/some/tree for another tree)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
tree=${CODEIDX_BENCH_TREE:-$(bash ../shared/bench/linux-corpus.sh)}
bin=$BUILD/bench/daemon_bench
mkdir -p "$BUILD/bench"
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude $(pkg-config --cflags libcjson) -o "$bin" \
  bench/daemon_bench.c "$BUILD/libcodeidx_daemon.a" "$BUILD/libcodeidx.a" \
  $(pkg-config --libs libcjson) -lpcre2-8 -lxxhash -lbsd -pthread
scratch=$(mktemp -d /var/tmp/codeidx-daemon-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/run"
echo "linking a copy of $tree..."
cp -al "$tree" "$scratch/tree"
rm -rf "$scratch/tree/.codeidx"
XDG_RUNTIME_DIR=$scratch/run "$bin" "$scratch/tree" "${REPS:-21}"
