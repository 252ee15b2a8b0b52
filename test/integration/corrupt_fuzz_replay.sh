#!/usr/bin/env bash
# corrupt_fuzz_replay.sh - regression test of the fuzz targets: each fuzz/fuzz_*.c, built with the test's compiler and sanitizers (no libFuzzer needed), runs every input kept in fuzz/corpus/<target>/ (seeds and the crashes found and fixed).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer -fno-sanitize-recover=all)
mkdir -p "$BUILD/test"
# shellcheck disable=SC2207
cjson=($(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson))
total=0
for src in fuzz/fuzz_*.c; do
  t=${src#fuzz/fuzz_}
  t=${t%.c}
  bin=$BUILD/test/fuzz_replay_$t
  cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter "${san[@]}" \
    -Iinclude -Ilib -o "$bin.$$" "$src" test/integration/corrupt_fuzz_main.c \
    "$BUILD/libcodeidx_daemon.a" "$BUILD/libcodeidx.a" "${cjson[@]}" -lpcre2-8 -lxxhash -lbsd -pthread
  mv -f "$bin.$$" "$bin"
  [ -d "fuzz/corpus/$t" ] || { echo "FAIL: no corpus fuzz/corpus/$t" >&2; exit 1; }
  if ! out=$(timeout 300 "$bin" "fuzz/corpus/$t"); then
    for f in "fuzz/corpus/$t"/*; do
      timeout 60 "$bin" "$f" >/dev/null 2>&1 || { echo "FAIL: fuzz_$t on $f" >&2; exit 1; }
    done
    echo "FAIL: fuzz_$t on its corpus" >&2
    exit 1
  fi
  n=${out% inputs}
  total=$((total + n))
  echo "ok - fuzz_$t: $out of fuzz/corpus/$t"
done
echo "corrupt_fuzz_replay: $total inputs, all passed"
