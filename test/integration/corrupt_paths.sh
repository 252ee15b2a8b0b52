#!/usr/bin/env bash
# corrupt_paths.sh - hostile paths: symbolic links (to outside, dangling, loops, a symlinked .codeidx, a root reached through a link, a directory swapped for a link during an update or after it), a crafted index naming files outside the root, fifos, and file names with newlines, quotes, escapes and invalid UTF-8 through the API, the CLI and the daemon's JSON.
# Checks that fail because of known bugs in code this test's author may not change are
# reported as "KNOWN BUG"; they fail the run unless CORRUPT_STRICT=0.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
mkdir -p "$BUILD/test"
build() { # build NAME SOURCE [extra flags...]
  local out=$BUILD/test/$1 src=$2
  shift 2
  # shellcheck disable=SC2068
  cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror "${san[@]}" -Iinclude -o "$out.$$" "$src" $@
  mv -f "$out.$$" "$out"
}
build corrupt_paths_driver test/integration/corrupt_paths_driver.c "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
build corrupt_driver test/integration/corrupt_driver.c "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
build daemon_driver test/integration/daemon_driver.c "$(pkg-config --cflags libcjson)" \
  "$BUILD/libcodeidx_daemon.a" "$BUILD/libcodeidx.a" "$(pkg-config --libs libcjson)" -lpcre2-8 -lxxhash -lbsd -pthread
PD=$BUILD/test/corrupt_paths_driver
CD=$BUILD/test/corrupt_driver
DD=$BUILD/test/daemon_driver
CLI=$BUILD/codeidx
W=$(mktemp -d)
export XDG_RUNTIME_DIR=$W/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
daemons=()
cleanup() {
  for r in "${daemons[@]}"; do timeout 20 "$CLI" -C "$r" daemon stop >/dev/null 2>&1 || true; done
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
known=0
known_bug() {
  known=$((known + 1))
  echo "KNOWN BUG - $*"
  [ "${CORRUPT_STRICT:-1}" = 1 ] && fail "$*"
  return 0
}
OUT=$W/outside
R=$W/root
mkdir -p "$OUT/sub" "$R/sub"
echo "SECRETMARK outside" >"$OUT/secret.c"
echo "inner ok SECRETMARK outside" >"$OUT/sub/b.c"
echo "inner ok" >"$R/sub/b.c"
echo "top level" >"$R/a.c"
q() { printf '%s\t%s\n' "$@" >"$W/q"; }
# answers PATTERN: the API's answer (corrupt_driver) for a regex.
answers() { q - "$1"; timeout 30 "$CD" answers "$R" "$W/q"; }
cli() { timeout 30 "$CLI" --no-daemon -C "$R" "$@"; }

# 1. The walk: links to outside (a directory, a file, /), dangling, a loop, are skipped.
ln -s "$OUT" "$R/linkdir"
ln -s "$OUT/secret.c" "$R/linkfile.c"
ln -s / "$R/slash"
ln -s "$W/nonexistent" "$R/dangling"
ln -s . "$R/loop"
ln -s ../outside/sub "$R/sub/up"
cli index --progress=none >/dev/null || fail "index with links"
cli status >"$W/status"
grep -q '^files *2$' "$W/status" || fail "expected 2 files: $(cat "$W/status")"
grep -q 'symlink *6$' "$W/status" || fail "expected 6 links skipped: $(grep symlink "$W/status")"
rc=0; cli search -e SECRETMARK -e '.' -l >"$W/got" || rc=$?
[ "$(sort "$W/got" | tr '\n' ' ')" = "a.c sub/b.c " ] || fail "walk led outside: $(cat "$W/got")"
ok "walk: 6 links (to a dir and a file outside, to /, dangling, a loop, ../) skipped; only the 2 files inside indexed"

# 2. A root reached through a link: the same index, the same answers, the canonical root.
ln -s "$R" "$W/rootlink"
timeout 30 "$CLI" --no-daemon -C "$W/rootlink" search inner >"$W/a" 2>&1 || fail "search through a root link"
cli search inner >"$W/b"
cmp -s "$W/a" "$W/b" || fail "a root through a link answers differently"
timeout 30 "$CLI" --no-daemon -C "$W/rootlink" index --progress=none >/dev/null || fail "index through a root link"
[ "$(ls "$R/.codeidx" | grep -c '^seg-')" -ge 1 ] && [ ! -e "$W/.codeidx" ] || fail "index placed outside the real root"
timeout 30 "$CLI" --no-daemon -C "$W/rootlink" status | grep -q "^root *$R\$" || fail "root not canonical"
timeout 30 "$CLI" -C "$R" daemon start >/dev/null 2>&1 || fail "daemon start"
daemons+=("$R")
timeout 30 "$CLI" -C "$W/rootlink" search inner >"$W/c" 2>&1 || fail "search through the daemon via the root link"
cmp -s "$W/c" "$W/b" || fail "the daemon answers a linked root differently"
timeout 30 "$CLI" -C "$R" daemon stop >/dev/null || fail "daemon stop"
ok "a root reached through a link: same index (in the real root), same answers, in-process and through the daemon"

# 3. A symlinked .codeidx: followed for the index itself, never walked.
mv "$R/.codeidx" "$W/idx-elsewhere"
ln -s "$W/idx-elsewhere" "$R/.codeidx"
cli search inner >"$W/c" || fail "search with a symlinked .codeidx"
cmp -s "$W/c" "$W/b" || fail "a symlinked .codeidx answers differently"
cli index --progress=none >/dev/null || fail "update with a symlinked .codeidx"
cli status | grep -q '^files *2$' || fail "the index's own files were walked"
rm "$R/.codeidx"
mv "$W/idx-elsewhere" "$R/.codeidx"
# .codeidx pointing at another tree's index: its paths are read inside this root only.
O2=$W/other
mkdir -p "$O2"
echo "SECRETMARK in other" >"$O2/only-there.c"
echo "SECRETMARK in other" >"$O2/a.c"
timeout 30 "$CLI" --no-daemon -C "$O2" index --progress=none >/dev/null
mv "$R/.codeidx" "$W/idx-mine"
ln -s "$O2/.codeidx" "$R/.codeidx"
rc=0; cli search SECRETMARK >"$W/got" 2>&1 || rc=$?
grep -q "in other" "$W/got" && fail "a .codeidx of another tree made the search read that tree: $(cat "$W/got")"
rm "$R/.codeidx"
mv "$W/idx-mine" "$R/.codeidx"
ok "a symlinked .codeidx: followed for the index, never walked; another tree's index reads nothing outside this root (exit $rc)"

# 4. A crafted index naming files outside the root (../ and absolute paths), with every
#    checksum and the manifest's seal made valid: refused as corrupt.
craft() { # craft NEWPATH: rewrites the only doc path of a one-file index
  local t=$W/craft
  rm -rf "$t"
  mkdir -p "$t"
  python3 - "$t" "$1" <<'PY'
import ctypes, ctypes.util, os, struct, subprocess, sys
t, new = sys.argv[1], sys.argv[2].encode()
name = "f" * (len(new) - 4) + ".txt" if len(new) > 4 else "f.c"
open(os.path.join(t, name), "w").write("SECRETMARK inside\n")
cli = os.environ["CLI"]
subprocess.run([cli, "--no-daemon", "-C", t, "index", "--progress=none"], check=True, stdout=subprocess.DEVNULL)
x = ctypes.CDLL(ctypes.util.find_library("xxhash"))
x.XXH3_64bits.restype = ctypes.c_uint64
x.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
h = lambda b: x.XXH3_64bits(bytes(b), len(b))
seg = os.path.join(t, ".codeidx", "seg-0000000000000001.cdx")
d = bytearray(open(seg, "rb").read())
paths, plen = struct.unpack_from("<QQ", d, 64 + 3 * 32 + 8)
assert plen == len(new), (plen, new)
d[paths:paths + plen] = new
struct.pack_into("<Q", d, 64 + 3 * 32 + 24, h(d[paths:paths + plen]))
nsec = struct.unpack_from("<I", d, 12)[0]
hsum = h(d[:56] + d[64:64 + 32 * nsec])
struct.pack_into("<Q", d, 56, hsum)
open(seg, "wb").write(d)
man = os.path.join(t, ".codeidx", "manifest")
m = bytearray(open(man, "rb").read())
skip = struct.unpack_from("<I", m, 24)[0]
struct.pack_into("<I", m, 32 + 8 * skip + 20, hsum & 0xffffffff)  # the seal
struct.pack_into("<Q", m, len(m) - 8, h(m[:-8]))
open(man, "wb").write(m)
PY
  rc=0
  timeout 30 "$CLI" --no-daemon -C "$t" search SECRETMARK >"$W/got" 2>&1 || rc=$?
  [ "$rc" = 2 ] && grep -q "not relative to the root" "$W/got" ||
    fail "crafted doc path $1: exit $rc: $(cat "$W/got")"
}
export CLI
craft "../outside/secret.c"
craft "$OUT/secret.c"
craft "sub/../../outside/secret.c"
ok "crafted segments naming ../outside/secret.c, $OUT/secret.c and sub/../../outside/secret.c: refused ($(sed 's/^codeidx: //' "$W/got"))"

# 5. A directory swapped for a link to outside during an update, before its files are
#    stat'ed: the update must not read through it.
rm -rf "$R/sub.moved"
out=$(timeout 90 "$PD" swap "$R" sub "$OUT/sub" found) || fail "update with a swap: $out"
rc=0; answers . >"$W/got" 2>&1 || rc=$?
if grep -q SECRETMARK "$W/got"; then fail "the update indexed a file outside the root through a swapped directory"; fi
ok "a directory swapped for a link to outside during an update: not followed ($(echo "$out" | tail -1))"
rm "$R/sub"
mv "$R/sub.moved" "$R/sub"
cli index --progress=none >/dev/null

# 6. The same swap after the update: a search must not read through it either.
mv "$R/sub" "$R/sub.moved"
ln -s "$OUT/sub" "$R/sub"
rc=0; answers inner >"$W/got" 2>&1 || rc=$?
if grep -q SECRETMARK "$W/got"; then
  known_bug "lib/search/search.c (verify: openat(root_fd, path, O_NOFOLLOW) follows links in the directories of the path): a directory swapped for a link after indexing leads the search outside the root: $(grep SECRETMARK "$W/got")"
else
  ok "a directory swapped for a link after indexing: the search does not follow it"
fi
rm "$R/sub"
mv "$R/sub.moved" "$R/sub"

# 7. Fifos: one swapped in during an update's index phase, one after indexing.
for i in $(seq -w 1 200); do echo "filler $i" >"$R/f$i.c"; done
echo "fifo victim" >"$R/zz.c"
cli index --progress=none >/dev/null
# 200 changed files come first (one thread, path order): the swap at the start of the
# index phase is over long before zz.c is opened. A few tries, should a run outpace it.
for try in 1 2 3; do
  for i in $(seq -w 1 200); do echo "filler $i changed $try" >"$R/f$i.c"; done
  rm -f "$R/zz.c" "$R/zz.c.moved"
  echo "fifo victim changed $try" >"$R/zz.c"
  out=$(timeout 90 "$PD" swap "$R" zz.c fifo index) || fail "an update with a file swapped for a fifo: $out"
  case $out in *"special 1"*) break ;; esac
done
case $out in *"special 1"*) ;; *) fail "the fifo was never swapped in before zz.c was read: $out" ;; esac
ok "a file swapped for a fifo during the index phase: skipped, no hang ($(echo "$out" | tail -1))"
rm -f "$R/zz.c" "$R/zz.c.moved"
echo "fifo victim" >"$R/zz.c"
cli index --progress=none >/dev/null
mv "$R/zz.c" "$R/zz.c.moved"
mkfifo "$R/zz.c"
rc=0; timeout 3 "$CLI" --no-daemon -C "$R" search victim >"$W/got" 2>&1 || rc=$?
if [ "$rc" = 124 ]; then
  known_bug "lib/search/search.c (verify: openat without O_NONBLOCK): a file replaced by a fifo after indexing makes a search hang"
else
  ok "a file replaced by a fifo after indexing: the search does not hang (exit $rc)"
fi
# The same fifo with a writer and exactly the indexed size (12 bytes) waiting in it:
# not searched, and not one byte taken from whoever reads it.
exec 3<>"$R/zz.c"
printf 'pipe victim\n' >&3
rc=0; timeout 3 "$CLI" --no-daemon -C "$R" search victim >"$W/got" 2>&1 || rc=$?
left=""; read -r -t 2 -u 3 left || true
exec 3<&-
[ "$rc" = 1 ] && [ ! -s "$W/got" ] ||
  fail "a fifo with data waiting, swapped in after indexing, was searched (exit $rc): $(cat "$W/got")"
[ "$left" = "pipe victim" ] || fail "a search took the bytes waiting in a fifo (left: '$left')"
ok "a fifo with the indexed size waiting in it: not searched, its bytes left to its reader"
rm -f "$R/zz.c" "$R"/f*.c
mv "$R/zz.c.moved" "$R/zz.c"

# 8. File names with newlines, quotes, escapes, invalid UTF-8: exact through the API,
#    the daemon's JSON (== in-process), the CLI (raw bytes, as grep) and --json.
N=$W/names
mkdir -p "$N/dir with space"
python3 - "$N" <<'PY'
import os, sys
n = sys.argv[1].encode()
names = [b"new\nline.c", b"quote\"d'.c", b"bad-\xff\xfe.c", b"back\\slash.c", b"-dash.c",
         b"colon:name.c", b"tab\tname.c", b"\x1b[31mansi.c", "caf\u00e9.c".encode(),
         b"dir with space/x.c", b"trailing.space .c", b"%s%n.c", b"\r.c"]
for i, name in enumerate(names):
    with open(os.path.join(n, name), "wb") as f:
        f.write(b"NAMEMARK %d \xff end\n" % i)
open(os.path.join(n, b"expected"), "wb").write(b"\0".join(names))  # creation order
PY
mv "$N/expected" "$W/expected"
timeout 30 "$CLI" --no-daemon -C "$N" index --progress=none >/dev/null || fail "index of odd names"
q - NAMEMARK
timeout 30 "$CD" answers "$N" "$W/q" >"$W/api" || fail "API search of odd names"
python3 - "$W/expected" "$W/api" <<'PY' || fail "API paths of odd names"
import sys
names = sorted(open(sys.argv[1], "rb").read().split(b"\0"))
esc = lambda b: "".join(chr(c) if 0x20 <= c < 0x7f and c != 0x5c else "\\x%02x" % c for c in b)
got = [l.rsplit(":1:NAMEMARK", 1)[0] for l in open(sys.argv[2]).read().splitlines()[1:-1]]
want = [esc(n) for n in names]
if got != want:
    sys.exit("want %r\ngot  %r" % (want, got))
PY
timeout 30 "$DD" search "$N" --local NAMEMARK >"$W/local" || fail "daemon driver local search"
timeout 30 "$CLI" -C "$N" daemon start >/dev/null 2>&1 || fail "daemon start on odd names"
daemons+=("$N")
timeout 30 "$DD" search "$N" NAMEMARK >"$W/remote" || fail "search of odd names through the daemon"
cmp -s "$W/local" "$W/remote" || fail "the daemon's JSON changed odd names: $(diff "$W/local" "$W/remote" | head -5)"
timeout 30 "$CLI" -C "$N" search NAMEMARK >"$W/cli-daemon" || fail "CLI through the daemon"
timeout 30 "$CLI" -C "$N" search --json NAMEMARK >"$W/json" || fail "CLI --json"
timeout 30 "$CLI" -C "$N" daemon stop >/dev/null || fail "daemon stop"
timeout 30 "$CLI" --no-daemon -C "$N" search NAMEMARK >"$W/cli" || fail "CLI search of odd names"
cmp -s "$W/cli" "$W/cli-daemon" || fail "the CLI prints odd names differently through the daemon"
python3 - "$W/expected" "$W/cli" "$W/json" <<'PY' || fail "CLI output of odd names"
import base64, json, sys
made = open(sys.argv[1], "rb").read().split(b"\0")  # in creation order
names = sorted(made)                                  # the output's path order
want = b"".join(b"%s:1:NAMEMARK %d \xff end\n" % (n, made.index(n)) for n in names)
got = open(sys.argv[2], "rb").read()
if got != want:
    sys.exit("CLI output differs:\n%r\n%r" % (got, want))
paths = []
for line in open(sys.argv[3], "rb").read().splitlines():
    line.decode("utf-8")                  # every JSON line is UTF-8
    obj = json.loads(line)
    m = obj.get("match")
    if m is None:
        continue
    p = m["path"]
    paths.append(base64.b64decode(p["bytes"]) if isinstance(p, dict) else p.encode())
if paths != names:
    sys.exit("--json paths differ:\n%r\n%r" % (paths, names))
PY
ok "$(wc -l <"$W/local" | tr -d ' ') lines from 13 odd file names (newline, quotes, escape sequence, invalid UTF-8, ...): exact through the API, the daemon's JSON, the CLI and --json"
echo "corrupt_paths: all passed ($known known bugs reported)"
