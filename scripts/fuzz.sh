#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each over its corpus for a bounded time; prints executions per target.
#
#   scripts/fuzz.sh [TARGET...]          fuzz each target FUZZ_SECONDS (default 30) s
#   scripts/fuzz.sh --replay [TARGET...] run each target once over its corpus (-runs=0)
#
# Targets: fuzz/fuzz_<name>.c (plan, daemon_json, segment, manifest). The library is
# built with clang and coverage into build-fuzz/ (make BUILD=build-fuzz ...). Seeds and
# kept regression inputs are fuzz/corpus/<name>/ (read-only here); new inputs the
# fuzzer finds go to build-fuzz/corpus/<name>/, crashes to build-fuzz/crashes/. A crash
# fails the run: minimise it (build-fuzz/fuzz_<name> -minimize_crash=1 FILE), fix the
# bug, and keep the input as fuzz/corpus/<name>/crash-<what>, so that make check
# (test/integration/corrupt_fuzz_replay.sh) replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-30}
replay=0
if [ "${1:-}" = "--replay" ]; then
  replay=1
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do t=${f#fuzz/fuzz_}; targets+=("${t%.c}"); done
fi
command -v clang >/dev/null || scripts/install-deps.sh test
B=build-fuzz
# The libraries, instrumented for coverage (the Makefile's rules, with clang).
make -s BUILD=$B CC=clang SANITIZE=address,undefined CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" \
  $B/libcodeidx.a $B/libcodeidx_daemon.a
# shellcheck disable=SC2046
cjson=$(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson)
mkdir -p $B/crashes
status=0
for t in "${targets[@]}"; do
  [ -f "fuzz/fuzz_$t.c" ] || { echo "fuzz.sh: no target fuzz/fuzz_$t.c" >&2; exit 2; }
  bin=$B/fuzz_$t
  # shellcheck disable=SC2086
  clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -Iinclude -Ilib -o "$bin.$$" "fuzz/fuzz_$t.c" \
    $B/libcodeidx_daemon.a $B/libcodeidx.a $cjson -lpcre2-8 -lxxhash -lbsd -pthread
  mv -f "$bin.$$" "$bin"
  mkdir -p "fuzz/corpus/$t" "$B/corpus/$t"
  log=$B/fuzz_$t.log
  rc=0
  if [ $replay = 1 ]; then
    "$bin" -runs=0 "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  else
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$B/crashes/$t-" \
      "$B/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  units=$(find "$B/corpus/$t" "fuzz/corpus/$t" -type f | wc -l)
  if [ $rc != 0 ]; then
    echo "fuzz $t: FAILED (exit $rc); see $log" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
    status=1
  elif [ $replay = 1 ]; then
    echo "fuzz $t: $(find "fuzz/corpus/$t" -type f | wc -l) corpus inputs replayed"
  else
    echo "fuzz $t: $execs executions in ${SECONDS_EACH} s, corpus $units inputs," \
      "$(grep -c '^#[0-9]*.*\(NEW\|REDUCE\)' "$log" || true) new/reduced"
  fi
done
exit $status
