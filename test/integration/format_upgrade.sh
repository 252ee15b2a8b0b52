#!/usr/bin/env bash
# format_upgrade.sh - an index whose segment is of format 1 (before block summaries,
# and before the fix of the trigram after a leading '\n') is still read, and the next
# update indexes its files again: every file "changed", only format 2 segments left,
# searches through the new summaries and the fixed trigrams give grep's lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLI=$BUILD/codeidx
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

T=$W/tree
mkdir -p "$T"
python3 - "$T" <<'PY'
import os, sys
t = sys.argv[1]
words = b"alpha beta gamma lock unlock count value state".split()
body = b"".join(b" ".join(words[(i * 7 + k) % len(words)] for k in range(6)) + b";\n"
                for i in range(2000))
open(os.path.join(t, "big.c"), "wb").write(b"needle_one here\n" + body + b"needle_two end\n")
open(os.path.join(t, "lead.txt"), "wb").write(b"\nneedle_three after an empty first line\n")
open(os.path.join(t, "small.c"), "wb").write(b"int needle_four;\n")
PY
touch -d '2 days ago' "$T"/*
timeout 60 "$CLI" --no-daemon -C "$T" index --progress=none >/dev/null

# Turn the segment into format 1: version 1, four sections (the fifth entry and the
# BLOCKS bytes stay behind, unreferenced), header checksum and the manifest's seal
# made valid again.
python3 - "$T/.codeidx" <<'PY'
import ctypes, ctypes.util, glob, os, struct, sys
d_ = sys.argv[1]
x = ctypes.CDLL(ctypes.util.find_library("xxhash"))
x.XXH3_64bits.restype = ctypes.c_uint64
x.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
h = lambda b: x.XXH3_64bits(bytes(b), len(b))
[seg] = glob.glob(os.path.join(d_, "seg-*.cdx"))
d = bytearray(open(seg, "rb").read())
assert struct.unpack_from("<II", d, 8) == (2, 5)
struct.pack_into("<II", d, 8, 1, 4)
hsum = h(d[:56] + d[64:64 + 4 * 32])
struct.pack_into("<Q", d, 56, hsum)
open(seg, "wb").write(d)
man = os.path.join(d_, "manifest")
m = bytearray(open(man, "rb").read())
skip = struct.unpack_from("<I", m, 24)[0]
struct.pack_into("<I", m, 32 + 8 * skip + 20, hsum & 0xffffffff)
struct.pack_into("<Q", m, len(m) - 8, h(m[:-8]))
open(man, "wb").write(m)
PY

got=$(timeout 30 "$CLI" --no-daemon -C "$T" search needle_ | sort)
want=$(cd "$T" && LC_ALL=C grep -P -n -H needle_ big.c lead.txt small.c | sort)
[ "$got" = "$want" ] || fail "searching a format 1 segment: $got"
ok "a format 1 segment is read: $(echo "$got" | wc -l) lines as grep prints them"

out=$(timeout 60 "$CLI" --no-daemon -C "$T" index --progress=none)
case $out in
  *"0 new, 3 changed, 0 touched, 0 unchanged, 0 deleted"*) ;;
  *) fail "the update after a format 1 segment: $out" ;;
esac
for s in "$T"/.codeidx/seg-*.cdx; do
  v=$(od -An -tu4 -j8 -N4 "$s" | tr -d ' ')
  [ "$v" = 2 ] || fail "$(basename "$s") is of format $v after the update"
done
got=$(timeout 30 "$CLI" --no-daemon -C "$T" search needle_ | sort)
[ "$got" = "$want" ] || fail "searching after the upgrade: $got"
ok "the next update indexes its files again (3 changed), leaving only format 2 segments"
