#!/usr/bin/env bash
# Runs the compiled examples (build/examples/*) on a generated tree and checks their output.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ex="$BUILD/examples"
for p in index_and_search progress_events; do
  [ -x "$ex/$p" ] || { echo "examples.sh: $ex/$p not built (run make)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "examples.sh: FAIL: $*" >&2; exit 1; }

# A small tree plus 40 files of 256 KiB, so that workers are busy while events are made.
t="$work/tree"
mkdir -p "$t/src" "$t/big"
printf 'int main(void)\n{\n\treturn needle_fn();\n}\n' > "$t/src/main.c"
printf '/* needle_fn: the answer */\nint needle_fn(void) { return 42; }\n' > "$t/src/lib.c"
printf 'nothing to see\n' > "$t/README"
python3 - "$t/big" <<'PY'
import sys
line = b"".join(b"line %d of a big file with some words %d\n" % (j, j * 7 % 1000) for j in range(6000))
for i in range(40):
    open("%s/b%02d.txt" % (sys.argv[1], i), "wb").write(line[: 256 * 1024])
PY

# Date the tree in the past: files written within a clock tick of an update are
# rechecked by the next one (racy stat data), which is not what this test is about.
find "$t" -type f -exec touch -d '1 minute ago' {} +

# --- index_and_search: output must equal grep's lines in path:line:column:text form.
out="$work/search.out"
"$ex/index_and_search" -F "$t" needle_fn > "$out" || fail "index_and_search exited $?"
grep -q '^indexed generation 1: 43 new, 0 changed, 0 unchanged, 0 deleted$' "$out" ||
  fail "index_and_search summary: $(head -1 "$out")"
expect=$(printf '%s\n' 'src/lib.c:1:4:/* needle_fn: the answer */' \
  'src/lib.c:2:5:int needle_fn(void) { return 42; }' 'src/main.c:3:9:	return needle_fn();')
got=$(sed -n '2,4p' "$out")
[ "$got" = "$expect" ] || fail "index_and_search matches:\n$got\nexpected:\n$expect"
grep -q '^3 matching lines in 2 files' <<< "$(tail -1 "$out")" || fail "search summary: $(tail -1 "$out")"
# Second run: nothing changed; a regex with -i; nothing found gives exit 1.
"$ex/index_and_search" -i "$t" 'NEEDLE_\w+\(void' > "$out"
grep -q '^indexed generation 1: 0 new, 0 changed, 43 unchanged' "$out" || fail "re-index: $(head -1 "$out")"
grep -q '^src/lib.c:2:5:' "$out" || fail "regex -i search"
rc=0; "$ex/index_and_search" "$t" 'no_such_thing_anywhere' > "$out" || rc=$?
[ "$rc" = 1 ] || fail "no match should exit 1, got $rc"
rc=0; "$ex/index_and_search" "$t" 'bad(' > "$out" 2> "$work/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'search: ' "$work/err" || fail "bad pattern should exit 2 with a message (rc $rc)"

# --- progress_events: a full rebuild; every event well formed, concurrent files real.
check_progress() { # $1 = output file; prints the number of concurrent-file lines
  python3 - "$1" "$t" <<'PY'
import os, re, sys
lines = open(sys.argv[1]).read().splitlines()
root = sys.argv[2]
ev = re.compile(r"^event (\d+) phase=(\w+) (?:info: .*|(\d+)/(\d+) files, (\d+) busy of (\d+) threads, .*)$")
slot = re.compile(r"^  slot (\d+) (.+) (\d+) bytes (queued|stating|hashing|reading|indexing|done|failed) \d+\.\d+ s$")
n_ev = n_slot = 0; busy = None; listed = 0; last = None
def close_event():
    if busy is not None and busy != listed:
        sys.exit("event lists %d files but says %d busy" % (listed, busy))
for l in lines[:-1]:
    m = ev.match(l)
    if m:
        close_event()
        n_ev += 1
        assert int(m.group(1)) == n_ev, l
        last = m
        busy = int(m.group(5)) if m.group(3) else None
        listed = 0
        if m.group(3):
            assert int(m.group(3)) <= int(m.group(4)), l
            assert int(m.group(5)) <= int(m.group(6)) == 2, l
        continue
    s = slot.match(l)
    assert s, "unexpected line: %r" % l
    assert int(s.group(1)) < 2, l
    path = os.path.join(root, s.group(2))
    assert os.path.isfile(path) and os.path.getsize(path) == int(s.group(3)), l
    listed += 1; n_slot += 1
close_event()
assert last and last.group(2) == "done" and last.group(3) == last.group(4) == "43", last and last.group(0)
assert listed == 0, "the last event lists files"
assert re.match(r"^done: %d events, generation \d+, 43 new, 0 changed, 0 deleted, " % n_ev, lines[-1]), lines[-1]
print(n_slot)
PY
}
slots=0
for attempt in 1 2 3; do  # concurrent files depend on timing: allow a few tries
  "$ex/progress_events" -j 2 --full "$t" > "$work/progress.out" || fail "progress_events exited $?"
  slots=$(check_progress "$work/progress.out") || fail "progress output (see above)"
  [ "$slots" -gt 0 ] && break
done
[ "$slots" -gt 0 ] || fail "no event ever listed a concurrent file"
grep -q 'phase=setup info: ' "$work/progress.out" || fail "no setup message"

# --- progress_events --cancel-after: exit 3, and the previous generation stays live.
gen_before=$(sed -n 's/^done: .*generation \([0-9]*\),.*/\1/p' "$work/progress.out")
echo 'changed needle_fn' >> "$t/README"
rc=0; "$ex/progress_events" -j 2 --cancel-after 5 "$t" > "$work/cancel.out" || rc=$?
[ "$rc" = 3 ] || fail "cancel should exit 3, got $rc"
grep -q '^cancelled after [0-9]* events' "$work/cancel.out" || fail "cancel output"
grep -q "^generation  $gen_before\$" <<< "$("$BUILD/codeidx" -C "$t" status)" ||
  fail "generation changed after a cancelled update"
"$ex/index_and_search" -F "$t" 'changed needle_fn' > "$out"
grep -q '^README:2:1:changed needle_fn$' "$out" || fail "update after cancel"
echo "examples.sh: ok ($slots concurrent-file lines)"
