#!/usr/bin/env bash
# corrupt_index.sh - damaged and foreign index files through the public API (every byte flipped, every truncation, zeroed sections), the codeidx CLI and a daemon: CODEIDX_ECORRUPT naming the file, CODEIDX_EVERSION for a future format, or exactly the undamaged answer; never a crash, a hang or a wrong answer.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
mkdir -p "$BUILD/test"
DRV=$BUILD/test/corrupt_driver
cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror "${san[@]}" -Iinclude -o "$DRV.$$" \
  test/integration/corrupt_driver.c "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
mv -f "$DRV.$$" "$DRV"
CLI=$BUILD/codeidx
W=$(mktemp -d)
export XDG_RUNTIME_DIR=$W/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
cleanup() {
  timeout 20 "$CLI" -C "$W/tree" daemon stop >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
T=$W/tree
X=$T/.codeidx
Q=$W/queries

# A small tree indexed twice: segment 1 with deleted docs and stat overrides, segment 2.
mkdir -p "$T"
python3 - "$T" <<'PY'
import os, random, sys, time
t = sys.argv[1]
rng = random.Random(7)
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()
base = time.time() - 86400
for i in range(12):
    p = os.path.join(t, "sub" if i % 3 == 0 else "", "f%02d.%s" % (i, ["c", "py", "txt"][i % 3]))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write("".join(" ".join(rng.choice(words) for _ in range(6)) + " n%d\n" % i for _ in range(8)))
    os.utime(p, (base + i, base + i))
PY
"$CLI" --no-daemon -C "$T" index --progress=none >/dev/null
python3 - "$T" <<'PY'
import os, sys, time
t = sys.argv[1]
base = time.time() - 80000
def w(name, text, mode="w", stamp=0):
    p = os.path.join(t, name)
    open(p, mode).write(text)
    os.utime(p, (base + stamp, base + stamp))
w("f01.py", "second generation oscar papa\n", "a", 0)
w("f02.txt", "replaced kilo lima\n", "w", 1)
os.utime(os.path.join(t, "f04.py"), (base + 2, base + 2))  # touched: an override
os.unlink(os.path.join(t, "f05.txt"))
w("new.c", "new file hotel india\n", "w", 3)
PY
"$CLI" --no-daemon -C "$T" index --progress=none >/dev/null
[ "$(ls "$X" | grep -c '^seg-')" = 2 ] || fail "expected two segments"
SEG1=seg-0000000000000001.cdx
SEG2=seg-0000000000000002.cdx
cp -a "$X" "$W/pristine"
restore() { rm -rf "$X"; cp -a "$W/pristine" "$X"; }

printf '%s\t%s\n' \
  '-' 'alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|india|juliet|kilo|lima|mike|november|oscar|papa|second|replaced|new' \
  'F' 'oscar papa' \
  'i' 'HOTEL\s+INDIA' \
  'w' 'n1' \
  '-' 'n\d$' >"$Q"

# 1. Public API: every byte of every file flipped three ways, every truncation, zeroed
#    regions and blocks, appended bytes (plus a query reading the posting list a damage
#    falls in).
start=$SECONDS
rc=0
timeout 900 "$DRV" sweep "$T" "$Q" --trace "$W/trace" >"$W/sweep.out" 2>"$W/sweep.err" || rc=$?
if [ "$rc" != 0 ]; then
  sed 's/^/  | /' "$W/sweep.err" | head -30 >&2
  fail "sweep exit $rc (last trial: $(cat "$W/trace" 2>/dev/null))"
fi
sed 's/^/  /' "$W/sweep.out"
ok "public API: $(tail -n 1 "$W/sweep.out" | sed 's/^total: //') ($((SECONDS - start)) s)"
restore

# 2. The CLI (in-process): a damage in each region of each file; every command either
#    exits 2 naming the damaged file, or prints exactly what it printed undamaged.
# Commands, arguments separated by '|'.
cli_cmds=("search|-F|oscar papa" "search|-i|HOTEL\s+INDIA" "search|-c|n[0-9]" "search|-l|lima" "status")
run_cli() { # run_cli OUTFILE ARGS...: the CLI with a timeout; the exit code
  local out=$1 rc=0
  shift
  timeout 20 "$CLI" --no-daemon -C "$T" "$@" >"$out" 2>"$out.err" </dev/null || rc=$?
  echo "$rc"
}
run_cmd() { # run_cmd OUTFILE INDEX: command cli_cmds[INDEX]
  local args
  IFS='|' read -ra args <<<"${cli_cmds[$2]}"
  run_cli "$1" "${args[@]}"
}
for i in "${!cli_cmds[@]}"; do
  run_cmd "$W/cli.$i" "$i" >"$W/cli.$i.rc"
done
# Regions: name offset length, per file (segment_format.h, manifest.h).
regions() {
  python3 - "$X" <<'PY'
import os, struct, sys
x = sys.argv[1]
for name in sorted(os.listdir(x)):
    p = os.path.join(x, name)
    d = open(p, "rb").read()
    if name == "manifest":
        skip = struct.unpack_from("<I", d, 24)[0]
        print(name, "header", 0, 32 + 8 * skip)
        print(name, "segments", 32 + 8 * skip, len(d) - 8 - 32 - 8 * skip)
        print(name, "checksum", len(d) - 8, 8)
    elif name.startswith("seg-"):
        print(name, "header", 0, 64)
        print(name, "table", 64, 128)
        for i, sec in enumerate(["POSTINGS", "TRIGRAMS", "DOCS", "PATHS"]):
            off, ln = struct.unpack_from("<QQ", d, 64 + 32 * i + 8)
            print(name, sec, off, ln)
PY
}
regions >"$W/regions"
n_cli=0 n_detected=0 n_same=0
while read -r file region off len; do
  size=$(stat -c %s "$X/$file")
  for damage in flip zero truncate; do
    restore
    case $damage in
      flip) python3 -c "import sys; f = open(sys.argv[1], 'r+b'); o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0x10]))" "$X/$file" $((off + len / 2)) ;;
      zero) dd if=/dev/zero of="$X/$file" bs=1 seek="$off" count="$len" conv=notrunc status=none ;;
      truncate) truncate -s $((off + len / 2)) "$X/$file" ;;
    esac
    for i in "${!cli_cmds[@]}"; do
      n_cli=$((n_cli + 1))
      rc=$(run_cmd "$W/got" "$i")
      what="codeidx ${cli_cmds[$i]//|/ } with $file $region $damage (of $size bytes)"
      if [ "$rc" = 2 ]; then
        grep -q -- "$file" "$W/got.err" || fail "$what: the error does not name $file: $(cat "$W/got.err")"
        [ -s "$W/got" ] && [ "${cli_cmds[$i]}" != status ] && ! cmp -s <(head -c "$(stat -c %s "$W/got")" "$W/cli.$i") "$W/got" &&
          fail "$what: wrong lines before the error"
        n_detected=$((n_detected + 1))
      elif [ "$rc" = "$(cat "$W/cli.$i.rc")" ] && cmp -s "$W/got" "$W/cli.$i"; then
        n_same=$((n_same + 1))
      else
        fail "$what: exit $rc (undamaged $(cat "$W/cli.$i.rc")), output: $(head -3 "$W/got") $(cat "$W/got.err")"
      fi
    done
  done
done <"$W/regions"
restore
ok "CLI: $n_cli runs on $(wc -l <"$W/regions") regions x 3 damages: $n_detected exit 2 naming the file, $n_same undamaged output"

# 3. Foreign and missing files, through the API (corrupt_driver answers) and the CLI.
"$DRV" answers "$T" "$Q" >"$W/api.good" 2>&1 || fail "undamaged answers"
# expect CODE WHAT NAME: the API and the CLI both fail with CODE, naming NAME.
expect() {
  local code=$1 what=$2 name=$3 rc=0
  timeout 20 "$DRV" answers "$T" "$Q" >/dev/null 2>"$W/api.err" || rc=$?
  [ "$rc" = 3 ] && grep -q "($code)" "$W/api.err" && grep -q -- "$name" "$W/api.err" ||
    fail "$what: API exit $rc, expected error $code naming $name: $(cat "$W/api.err")"
  rc=$(run_cli "$W/got" search oscar)
  [ "$rc" = 2 ] && grep -q -- "$name" "$W/got.err" ||
    fail "$what: CLI exit $rc, expected 2 naming $name: $(cat "$W/got.err")"
  ok "$what: $(sed 's/^corrupt_driver: //' "$W/api.err")"
  restore
}
# same WHAT: the API answers exactly as undamaged.
same() {
  timeout 20 "$DRV" answers "$T" "$Q" >"$W/api.got" 2>&1 || fail "$1: $(cat "$W/api.got")"
  cmp -s "$W/api.got" "$W/api.good" || fail "$1: answers differ"
}
cp /bin/true "$X/$SEG1"
expect -6 "an executable named like a segment" "$SEG1"
rm "$X/$SEG1"; mkdir "$X/$SEG1"
expect -6 "a directory named like a segment" "$SEG1"
: >"$X/$SEG2"
expect -6 "an empty segment" "$SEG2"
cp "$X/manifest" "$X/$SEG2"
expect -6 "the manifest copied over a segment" "$SEG2"
cp "$X/$SEG1" "$X/manifest"
expect -6 "a segment copied over the manifest" "manifest"
echo "not an index" >"$X/manifest"
expect -6 "a text file as the manifest" "manifest"
rm "$X/$SEG2"
expect -6 "a manifest naming a missing segment" "$SEG2"
# A valid segment of another index, with the same id and as many docs.
O=$W/other
mkdir -p "$O"
for i in $(seq -w 1 12); do echo "zulu yankee $i oscar papa" >"$O/g$i.c"; done
"$CLI" --no-daemon -C "$O" index --progress=none >/dev/null
cp "$O/.codeidx/$SEG1" "$X/$SEG1"
expect -6 "a valid segment of another index with the same name and doc count" "$SEG1"
# A future format version, checksums valid.
python3 - "$X/manifest" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
struct.pack_into("<I", d, 8, 2)
import ctypes.util, ctypes
x = ctypes.CDLL(ctypes.util.find_library("xxhash"))
x.XXH3_64bits.restype = ctypes.c_uint64
x.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
struct.pack_into("<Q", d, len(d) - 8, x.XXH3_64bits(bytes(d[:-8]), len(d) - 8))
open(p, "wb").write(d)
PY
expect -10 "a manifest of format version 2" "manifest"
python3 - "$X/$SEG2" <<'PY'
import struct, sys, ctypes, ctypes.util
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
struct.pack_into("<I", d, 8, 3)  # formats 1 and 2 are read; 3 is the future
x = ctypes.CDLL(ctypes.util.find_library("xxhash"))
x.XXH3_64bits.restype = ctypes.c_uint64
x.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
struct.pack_into("<Q", d, 56, x.XXH3_64bits(bytes(d[:56] + d[64:224]), 216))
open(p, "wb").write(d)
PY
expect -10 "a segment of format version 3" "$SEG2"
# Files the manifest does not name are ignored, and the next update removes them.
head -c 5000 /dev/urandom >"$X/seg-00000000000000ff.cdx"
head -c 100 /dev/urandom >"$X/manifest.tmp"
same "junk named like a segment and a half-written manifest beside the index"
"$CLI" --no-daemon -C "$T" index --progress=none >/dev/null || fail "update beside junk"
[ ! -e "$X/seg-00000000000000ff.cdx" ] && [ ! -e "$X/manifest.tmp" ] || fail "the update left the junk"
same "after the update that removed the junk"
ok "junk named like a segment and a manifest.tmp: ignored by readers, removed by the next update"
restore

# 4. A daemon holding the index open: damage under it is reported per request, and it
#    serves again once the files are repaired.
timeout 30 "$CLI" -C "$T" daemon start >/dev/null 2>"$W/d.err" || fail "daemon start: $(cat "$W/d.err")"
dsearch() { timeout 20 "$CLI" -C "$T" search "$@" >"$W/got" 2>"$W/got.err"; }
dsearch -F 'oscar papa' || fail "search through the daemon"
cp "$W/got" "$W/d.good"
# A posting list damaged in place (the daemon maps the file): caught when read.
plist=$(python3 - "$X/$SEG1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
post = struct.unpack_from("<Q", d, 64 + 8)[0]
tris_off, tris_len = struct.unpack_from("<QQ", d, 96 + 8)
want = (ord("o") << 16) | (ord("s") << 8) | ord("c")   # a trigram of "oscar"
for k in range(tris_len // 16):
    tri, count, off = struct.unpack_from("<III", d, tris_off + 16 * k)
    if tri & 0xffffff == want:
        print(post + off)
        break
PY
)
[ -n "$plist" ] || fail "no posting list for 'osc'"
python3 -c "import sys; f = open(sys.argv[1], 'r+b'); o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0xff]))" "$X/$SEG1" "$plist"
rc=0; dsearch -F 'oscar papa' || rc=$?
[ "$rc" = 2 ] && grep -q "$SEG1" "$W/got.err" || fail "damaged list through the daemon: exit $rc $(cat "$W/got.err")"
msg=$(cat "$W/got.err")
timeout 20 "$CLI" -C "$T" daemon status >/dev/null || fail "the daemon stopped serving"
cp "$W/pristine/$SEG1" "$W/seg.tmp" && python3 -c "import sys; f = open(sys.argv[1], 'r+b'); o = int(sys.argv[2]); f.seek(o); d = open(sys.argv[3], 'rb').read(); f.write(d[o:o+1])" "$X/$SEG1" "$plist" "$W/seg.tmp"
dsearch -F 'oscar papa' && cmp -s "$W/got" "$W/d.good" || fail "the daemon after the repair"
ok "daemon: a posting list damaged under it: $msg; served again once repaired"
# A damaged manifest published under it (renamed into place as a writer would).
cp "$X/manifest" "$W/m.tmp"
printf '\x01' | dd of="$W/m.tmp" bs=1 seek=40 conv=notrunc status=none
mv "$W/m.tmp" "$X/manifest"
rc=0; dsearch -F 'oscar papa' || rc=$?
[ "$rc" = 2 ] && grep -q "manifest" "$W/got.err" || fail "damaged manifest through the daemon: exit $rc $(cat "$W/got.err")"
msg=$(cat "$W/got.err")
cp "$W/pristine/manifest" "$W/m.tmp" && mv "$W/m.tmp" "$X/manifest"
dsearch -F 'oscar papa' && cmp -s "$W/got" "$W/d.good" || fail "the daemon after the manifest repair"
ok "daemon: a damaged manifest published under it: $msg; served again once repaired"
timeout 20 "$CLI" -C "$T" daemon stop >/dev/null || fail "daemon stop"
echo "corrupt_index: all passed"
