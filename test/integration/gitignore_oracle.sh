#!/usr/bin/env bash
# gitignore_oracle.sh - oracle test: the walk's file list equals git's on random trees.
# Run from the repository root after the library is built (BUILD=build by default):
#   BUILD=build bash test/integration/gitignore_oracle.sh [FIRST_SEED COUNT]
# Builds test/integration/walk_dump.c, then gitignore_oracle.py generates COUNT trees
# (default 400, seeds from 1: fixed, so the test is deterministic) and compares each
# with `git ls-files --others --exclude-standard`. Fails with a diff on any mismatch.
set -euo pipefail
BUILD=${BUILD:-build}
CC=${CC:-cc}
for tool in git python3 "$CC"; do
	command -v "$tool" >/dev/null || { echo "gitignore_oracle: $tool not found" >&2; exit 1; }
done
[ -f "$BUILD/libcodeidx.a" ] || { echo "gitignore_oracle: $BUILD/libcodeidx.a missing (run make)" >&2; exit 1; }

# Thousands of tiny files: prefer a tmpfs unless told where to work.
base=${CODEIDX_TEST_TMP:-${TMPDIR:-}}
if [ -z "$base" ]; then
	base=/tmp
	[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
fi
tmp=$(mktemp -d "$base/gitignore-oracle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A sanitizer build (make SANITIZE=address,undefined -> build-address-undefined)
# needs the same runtime in the driver.
san=()
b=$(basename "$BUILD")
case "$b" in build-*) san=(-fsanitize="$(echo "${b#build-}" | tr - ,)") ;; esac
"$CC" -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Iinclude -Ilib "${san[@]}" \
	-o "$tmp/walk_dump" test/integration/walk_dump.c "$BUILD/libcodeidx.a" \
	-lpcre2-8 -lxxhash -lbsd -pthread

mkdir "$tmp/trees"
start=$(date +%s.%N)
python3 test/integration/gitignore_oracle.py "$tmp/walk_dump" "$tmp/trees" "${1:-1}" "${2:-400}"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "gitignore oracle: %.1f s\n", e - s }'
