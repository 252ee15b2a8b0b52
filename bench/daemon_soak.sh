#!/usr/bin/env bash
# daemon_soak.sh - runs bench/daemon_soak.c: CLIENTS concurrent clients search through one daemon (Unix socket in a private directory) for SECONDS while updates run and clients vanish mid-stream; every answer checked, the daemon's RSS sampled; prints the figures and stops by itself.
# Usage: bench/daemon_soak.sh [BUILD_DIR] [SECONDS] [CLIENTS]     (defaults: build 60 100)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SECONDS_RUN=${2:-60}
CLIENTS=${3:-100}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
bin=$BUILD/bench/daemon_soak
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror "${san[@]}" -Iinclude \
  $(pkg-config --cflags libcjson) -o "$bin.$$" bench/daemon_soak.c "$BUILD/libcodeidx_daemon.a" \
  "$BUILD/libcodeidx.a" $(pkg-config --libs libcjson) -lpcre2-8 -lxxhash -lbsd -pthread
mv -f "$bin.$$" "$bin"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/run" "$scratch/tree"
# 100 clients, plus their threads in the daemon: room for both.
ulimit -n 4096 2>/dev/null || true
XDG_RUNTIME_DIR=$scratch/run timeout $((SECONDS_RUN + 120)) "$bin" "$scratch/tree" "$SECONDS_RUN" "$CLIENTS"
