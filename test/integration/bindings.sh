#!/usr/bin/env bash
# Runs the Python binding tests (unittest) and, when cargo is present, the Rust crate's tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
top=$PWD
[ -e "$BUILD/libcodeidx.so" ] || { echo "bindings.sh: $BUILD/libcodeidx.so not built (run make)" >&2; exit 1; }

# A sanitizer build's library needs its runtime loaded first into python (and rustc's
# test binaries); thread-sanitized code cannot run inside CPython at all.
preload=""
case "$BUILD" in
  *thread*) echo "bindings.sh: skipped for the thread-sanitizer build"; exit 0 ;;
  *address*) preload=$(cc -print-file-name=libasan.so)
             export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} ;;
  *undefined*) preload=$(cc -print-file-name=libubsan.so) ;;
esac

echo "-- python: $(python3 --version 2>&1)"
PYTHONDONTWRITEBYTECODE=1 CODEIDX_LIB="$top/$BUILD/libcodeidx.so" LD_PRELOAD="$preload" \
  python3 -m unittest discover -s bindings/python/tests -t bindings/python/tests

if command -v cargo > /dev/null; then
  echo "-- rust: $(cargo --version)"
  runner=()
  if [ -n "$preload" ]; then  # preload the test binaries only, not cargo and rustc
    host=$(rustc -vV | sed -n 's/^host: //p' | tr 'a-z-' 'A-Z_')
    runner=("CARGO_TARGET_${host}_RUNNER=env LD_PRELOAD=$preload")
  fi
  (cd bindings/rust &&
    env "${runner[@]}" CODEIDX_LIB_DIR="$top/$BUILD" CARGO_TARGET_DIR="$top/$BUILD/rust-target" \
    cargo test --offline --quiet 2>&1)
else
  echo "-- rust: cargo not found, skipped"
fi
