#!/usr/bin/env bash
# unknown_size.sh - a file whose size the kernel does not report (stat says 0, as for a
# /proc file) is indexed and searched to its end, exactly as grep reads it: /proc/cpuinfo
# bind-mounted over a file of the tree, in a private mount namespace. Skipped where no
# such namespace can be made (needs root, or unprivileged user namespaces).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLI=$PWD/$BUILD/codeidx
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir "$w/tree"
echo "flags in a plain file" > "$w/tree/plain.txt"
: > "$w/tree/cpuinfo.txt"
if ! unshare -m true 2>/dev/null; then
  echo "unknown_size: skipped (no private mount namespace here)"
  exit 0
fi
unshare -m bash -s "$w/tree" "$CLI" <<'IN'
set -euo pipefail
tree=$1 cli=$2
if ! mount --bind /proc/cpuinfo "$tree/cpuinfo.txt" 2>/dev/null; then
  echo "unknown_size: skipped (bind mounts refused here)"
  exit 0
fi
[ "$(stat -c %s "$tree/cpuinfo.txt")" = 0 ] || { echo "unknown_size: stat reports a size"; exit 1; }
"$cli" --no-daemon -C "$tree" index --progress=none >/dev/null
# The "flags" lines lie past the first 256 bytes, and stay the same between two reads.
(cd "$tree" && LC_ALL=C grep -Hn '^flags' cpuinfo.txt plain.txt) > "$tree/../want" || true
"$cli" --no-daemon -C "$tree" search --color=never '^flags' > "$tree/../got"
[ -s "$tree/../want" ] || { echo "unknown_size: grep found no flags line"; exit 1; }
if ! cmp -s "$tree/../want" "$tree/../got"; then
  echo "unknown_size: codeidx and grep differ on a file stat calls empty:"
  diff "$tree/../want" "$tree/../got" | head -5
  exit 1
fi
echo "ok - a /proc file (stat size 0) searched to its end: $(wc -l < "$tree/../got") lines, as grep prints them"
IN
