#!/usr/bin/env bash
# cli_daemon.sh - codeidx daemon start|stop|status|run, and index, search and status through a daemon print what they print in-process.
source "$(dirname "$0")/cli_common.bash"

T=$WORK/tree
python3 - "$T" <<'EOF'
import os, sys
t = sys.argv[1]
for d in range(6):
    for f in range(8):
        p = os.path.join(t, "dir%d" % d, "sub" if f % 2 else "", "file%d.%s" % (f, "ch"[f % 2]))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as out:
            for i in range(30):
                out.write("int value_%d_%d = %d; /* %s */\n" % (d, f, i, "needle" if i % 7 == 0 else "hay"))
open(os.path.join(t, "caf\xe9.txt".encode("latin-1").decode("utf-8", "surrogateescape")), "wb").write(b"needle \xff\n")
EOF
# Old timestamps: no file looks "racily clean", so both runs decide alike.
find "$T" -type f -exec touch -d '2020-01-01 00:00:00' {} +

# A progress stream without what depends on timing: the throttled events inside a phase
# (how many there are depends on speed) are left out; rates, times and ETA are zeroed;
# so are the counts and busy workers of a phase's start event (workers may already
# have begun), but not at the end of a phase or of the run, where they are exact. Info events, phase starts and ends and the final event stay, with
# every other field as it is. Every event must list as many files as busy workers.
norm_json() {
  python3 -c '
import json, re, sys
for line in sys.stdin:
    ev = json.loads(line)["progress"]
    assert ev["active_threads"] == len(ev["concurrent_files"]), ev
    if ev["total"] and ev["message"] == "" and ev["phase"] != "done":
        continue
    for k in ("files_per_second", "bytes_per_second", "elapsed_seconds", "eta_seconds"):
        ev[k] = 0
    if ev["message"] not in ("done", "cancelled") and ev["phase"] != "done":
        ev.update(active_threads=0, concurrent_files=[], current=0, bytes_done=0)
    ev["message"] = re.sub(r"[0-9.]+ s$", "T s", ev["message"])
    print(json.dumps(ev, sort_keys=True))'
}
norm_plain() {
  sed -E -e 's/[0-9.]+ files\/s/R files\/s/' -e 's/[0-9.]+ [KMGT]?B\/s/R B\/s/' \
    -e 's/[0-9]+:[0-9]{2}/T/g' -e 's/[0-9.]+ s$/T s/'
}

QUERIES=("needle" "-w value_3_\\d" "-i NEEDLE -C 2" "-l -F needle" "-c needle" "-m 1 -A 1 hay"
         "--json -B 1 value_5_4.=.2" "nothing_matches_this" "-g *.h -t c needle" "bad(")

# run_all DIR [--no-daemon]: index (json, then plain progress), searches and status, each
# command's stdout and exit code (and normalized progress) in DIR.
run_all() {
  local dir=$1 i=0 rc q
  shift
  mkdir -p "$dir"
  rc=0; cx "$@" -C "$T" index -j 2 --progress=json > "$dir/index-json.out" 2> "$WORK/progress" || rc=$?
  echo "$rc" >> "$dir/index-json.out"
  norm_json < "$WORK/progress" > "$dir/index-json.progress"
  rc=0; cx "$@" -C "$T" index -j 2 --full --progress=plain > "$dir/index-plain.out" 2> "$WORK/progress" || rc=$?
  echo "$rc" >> "$dir/index-plain.out"
  norm_plain < "$WORK/progress" > "$dir/index-plain.progress"
  set -f # the queries are split on blanks, never globbed
  for q in "${QUERIES[@]}"; do
    rc=0
    # shellcheck disable=SC2086
    cx "$@" -C "$T" search $q > "$dir/search-$i.out" 2> /dev/null || rc=$?
    echo "exit $rc" >> "$dir/search-$i.out"
    i=$((i + 1))
  done
  set +f
  cx "$@" -C "$T" status > "$dir/status.out"
}

run_all "$WORK/local" --no-daemon
rm -rf "$T/.codeidx"
expect_rc 0 cx -C "$T" daemon start
grep -q "^daemon pid [0-9]* serves $T\$" "$WORK/out" || fail "daemon start output: $(cat "$WORK/out")"
before=$(cx -C "$T" daemon status | sed -n 's/.* \([0-9]*\) requests.*/\1/p')
run_all "$WORK/remote"
after=$(cx -C "$T" daemon status | sed -n 's/.* \([0-9]*\) requests.*/\1/p')
# 2 updates, the searches (the invalid pattern too) and a status went to the daemon,
# plus the "daemon status" just before.
[ "$after" -ge $((before + ${#QUERIES[@]} + 4)) ] ||
  fail "the commands did not go through the daemon ($before -> $after requests)"
grep -q '"phase": "done"' "$WORK/remote/index-json.progress" || fail "no final event in the daemon's progress"
grep -q '^generation 1: 49 new' "$WORK/remote/index-json.out" || fail "daemon index: $(cat "$WORK/remote/index-json.out")"
grep -q '^\[done\] 49 files indexed: 49 new, 0 changed, 0 deleted; generation 2; T s$' \
  "$WORK/remote/index-plain.progress" || fail "daemon plain progress: $(cat "$WORK/remote/index-plain.progress")"
for f in "$WORK"/local/*; do
  cmp -s "$f" "$WORK/remote/${f##*/}" || {
    diff "$f" "$WORK/remote/${f##*/}" | head -20 >&2
    fail "${f##*/}: output through the daemon differs from in-process"
  }
done
grep -q '^exit 0' "$WORK/local/search-0.out" && grep -q '^exit 1' "$WORK/local/search-7.out" &&
  grep -q '^exit 2' "$WORK/local/search-9.out" || fail "the comparison lacks its exit codes"
ok "index (stdout; json and plain progress without timings), ${#QUERIES[@]} searches and status: same through the daemon as in-process"

# Lifecycle: one daemon per root, status, stop, run in the foreground.
expect_rc 2 cx -C "$T" daemon start
grep -q "^codeidx: a daemon (pid [0-9]*) already serves $T" "$WORK/err" || fail "second start: $(cat "$WORK/err")"
(cd "$T/dir1/sub" && cx daemon status) > "$WORK/out" || fail "daemon status from a subdirectory"
grep -q '^daemon pid [0-9]*, up [0-9]* s, 1 clients, [0-9]* requests, update idle$' "$WORK/out" &&
  grep -q "^root        $T\$" "$WORK/out" || fail "daemon status output: $(cat "$WORK/out")"
expect_rc 0 cx -C "$T" daemon stop
expect_rc 1 cx -C "$T" daemon status
grep -qx "codeidx: no daemon serves $T" "$WORK/err" || fail "status without daemon: $(cat "$WORK/err")"
expect_rc 1 cx -C "$T" daemon stop
expect_rc 2 cx -C "$T" daemon restart
cx -C "$T" search -c needle > /dev/null || fail "in-process search after stop"
ok "daemon start twice, status (from a subdirectory), stop, stop again, unknown subcommand"

"$CX" -C "$T" daemon run 2> "$WORK/run.err" &
run_pid=$!
for _ in $(seq 100); do grep -q 'serving' "$WORK/run.err" && break; sleep 0.1; done
grep -q "codeidx daemon: serving $T on $XDG_RUNTIME_DIR/codeidx/[0-9a-f]*.sock (pid $run_pid)" "$WORK/run.err" ||
  fail "daemon run log: $(cat "$WORK/run.err")"
cmp -s <(cx -C "$T" search needle; echo "exit $?") "$WORK/local/search-0.out" || fail "search through 'daemon run'"
kill -TERM "$run_pid"
rc=0; wait "$run_pid" || rc=$?
[ "$rc" = 0 ] || fail "daemon run exited $rc on SIGTERM"
[ -z "$(find "$XDG_RUNTIME_DIR/codeidx" -name '*.sock')" ] || fail "daemon run left its socket"
expect_rc 1 cx -C "$T" daemon status
ok "daemon run: serves in the foreground, logs to stderr, SIGTERM stops it cleanly"
