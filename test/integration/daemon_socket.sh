#!/usr/bin/env bash
# Daemon integration test over the real socket: search results identical to in-process,
# progress events identical to what the daemon emitted (every contract clause checked by
# the client), searches during an update, cancel (in-stream and from another client), a
# client killed mid-update, second daemon refused, stale socket replaced, shutdown, SIGTERM.
source "$(dirname "$0")/daemon_common.bash"

# A tree: this repository's sources, nasty names, and 3000 small files so an update
# paced by a slow client lasts long enough to be cancelled or abandoned.
tree=$WORK/tree
mkdir -p "$tree"
cp -r include lib cli "$tree/"
python3 - "$tree" <<'PY'
import os, sys
t = sys.argv[1]
nasty = [b'q"uote\'s.c', b'back\\slash.c', b'new\nline.c', b'ctl\x01\x1f.c', b'caf\xc3\xa9.c',
         b'bad-\xff\xfe.c', b'latin1-caf\xe9.c', b'tab\there.c']
os.makedirs(os.path.join(t, "nasty"))
for i, n in enumerate(nasty):
    with open(os.path.join(t.encode(), b"nasty", n), "wb") as f:
        f.write(b"needle %d in \xff bytes\nctx line\r\nNEEDLE upper\n" % i)
for d in range(30):
    os.makedirs(os.path.join(t, "gen", "d%02d" % d))
    for i in range(100):
        with open(os.path.join(t, "gen", "d%02d" % d, "f%03d.c" % i), "w") as f:
            f.write("int gen_%d_%d(void) { return %d; } /* needle? */\n" % (d, i, i) * 20)
PY

start_daemon main "$tree" --create --observe "$WORK/observed.txt"
sock=$(socket_of main)
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode $(stat -c %a "$sock"), expected 600"
[ "$(stat -c %a "$(dirname "$sock")")" = 700 ] || fail "socket dir not 0700"
ok "daemon listening on $sock (0600 in a 0700 dir)"

# 1. First update through the daemon: contract checked client-side; every event the
#    client got is byte-identical (canonical dump, exact doubles) to what the daemon emitted.
drv update "$tree" --threads 4 --interval 0 --events "$WORK/client.txt" >"$WORK/u1.out" ||
  fail "update through the daemon"
cmp -s "$WORK/observed.txt" "$WORK/client.txt" || fail "client events differ from the daemon's"
ok "update: $(grep -c '^phase=' "$WORK/client.txt") events identical at both ends, contract held"
drv update "$tree" --threads 2 --interval 100 --events "$WORK/client2.txt" >/dev/null ||
  fail "throttled no-op update"
ok "no-op update with the default throttle"
ex=$BUILD/examples/daemon_progress
timeout 60 "$ex" update "$tree" >"$WORK/ex1.out" || fail "example through the daemon"
[ "$(head -1 "$WORK/ex1.out")" = "through the daemon" ] && grep -q '^generation ' "$WORK/ex1.out" ||
  fail "example: $(head -3 "$WORK/ex1.out")"
ok "examples/daemon_progress: update through the daemon"
# examples/daemon_search prints what the in-process example prints for the same search.
timeout 30 "$BUILD/examples/daemon_search" "$tree" 'need(le|ed)' >"$WORK/dse.out" 2>/dev/null ||
  fail "examples/daemon_search exited $?"
timeout 30 "$BUILD/examples/index_and_search" "$tree" 'need(le|ed)' 2>/dev/null |
  grep -a -v '^indexed generation' | cut -d: -f1,2,4- | sed '$d' >"$WORK/dsl.out" || true
[ -s "$WORK/dse.out" ] && cmp -s "$WORK/dse.out" "$WORK/dsl.out" ||
  { diff "$WORK/dse.out" "$WORK/dsl.out" | head >&2; fail "examples/daemon_search differs from in-process"; }
ok "examples/daemon_search: $(wc -l <"$WORK/dse.out") lines, same as in-process"

# 2. Searches: daemon == in-process, byte for byte.
check_search() {
  drv search "$tree" "$@" >"$WORK/sd.txt" || fail "daemon search $*"
  drv search "$tree" --local "$@" >"$WORK/sl.txt" || fail "local search $*"
  cmp -s "$WORK/sd.txt" "$WORK/sl.txt" || { diff "$WORK/sd.txt" "$WORK/sl.txt" | head >&2; fail "search differs: $*"; }
}
check_search needle
check_search -i -w needle
check_search -F 'q"uote'
check_search -B 1 -A 2 'NEEDLE|ctx'
check_search -g '*.h' -g '!lib/daemon/*' 'codeidx_[a-z_]+\('
check_search -t c -m 2 'return [0-9]+;'
check_search -M 25 'gen_1[0-9]_'
check_search --stop-after 7 needle
check_search 'no such string anywhere, really'
ok "9 searches identical through the daemon and in-process"

# 3. Searches during a long update (a slow client paces it) still answer exactly.
"$DRIVER" update "$tree" --full --threads 2 --interval 0 --sleep-ms 3 >"$WORK/slow.out" 2>&1 &
slow=$!
PIDS+=("$slow")
sleep 0.5
drv status "$tree" | grep -q 'update_running=1' || fail "status does not show the update"
for p in needle 'gen_2[0-9]_9' 'ctx line'; do check_search "$p"; done
ok "searches during an update are exact; status shows it running"

# 4. Another update meanwhile is refused as busy; cancel from another client stops it.
if drv update "$tree" --no-progress >/dev/null 2>"$WORK/busy.err"; then fail "second update not refused"; fi
grep -q 'daemon busy' "$WORK/busy.err" || fail "second update: $(cat "$WORK/busy.err")"
gen_before=$(drv status "$tree" | sed 's/.*generation=\([0-9]*\).*/\1/')
drv cancel "$tree" | grep -q 'was_running=1' || fail "cancel did not find the update"
rc=0; wait "$slow" || rc=$?
[ "$rc" = 4 ] || { cat "$WORK/slow.out" >&2; fail "cancelled update exited $rc, expected 4"; }
gen_after=$(drv status "$tree" | sed 's/.*generation=\([0-9]*\).*/\1/')
[ "$gen_before" = "$gen_after" ] || fail "generation moved by a cancelled update"
ok "concurrent update refused (busy); cancel from another client; generation $gen_after kept"

# 5. Cancel from the callback (non-zero return): ends with the cancelled event.
rc=0; drv update "$tree" --full --interval 0 --cancel-after 5 >"$WORK/c5.out" 2>&1 || rc=$?
[ "$rc" = 4 ] || { cat "$WORK/c5.out" >&2; fail "callback cancel exited $rc"; }
ok "callback cancel: ECANCELLED, last event is the cancelled one"

# 6. A client killed mid-update: the update runs to completion, the daemon serves on.
"$DRIVER" update "$tree" --full --threads 2 --interval 0 --sleep-ms 3 >/dev/null 2>&1 &
victim=$! # the driver itself, not a timeout wrapper: it must really die
PIDS+=("$victim")
sleep 0.5
{ kill -KILL "$victim" && wait "$victim"; } 2>/dev/null || true
for _ in $(seq 100); do
  drv status "$tree" | grep -q 'update_running=0' && break
  sleep 0.1
done
st=$(drv status "$tree")
echo "$st" | grep -q 'update_running=0' || fail "abandoned update still running"
gen_new=$(echo "$st" | sed 's/.*generation=\([0-9]*\).*/\1/')
[ "$gen_new" -gt "$gen_after" ] || fail "abandoned update did not commit ($gen_new)"
check_search needle
ok "client killed mid-update: update committed generation $gen_new, daemon still serves"

# 7. A second daemon for the same root refuses with a clear message.
rc=0; drv serve "$tree" >/dev/null 2>"$WORK/second.err" || rc=$?
[ "$rc" = 3 ] && grep -q 'already serves' "$WORK/second.err" || fail "second daemon: rc=$rc $(cat "$WORK/second.err")"
ok "second daemon refused: $(sed 's/.*: //' "$WORK/second.err" | head -c 80)..."

# 8. Killed daemon: its stale socket is detected by clients and replaced by the next daemon.
{ kill -KILL "$DPID" && wait "$DPID"; } 2>/dev/null || true
[ -S "$sock" ] || fail "expected the killed daemon's socket to remain"
rc=0; drv status "$tree" 2>"$WORK/stale.err" || rc=$?
grep -q 'stale socket' "$WORK/stale.err" || fail "client on a stale socket: $(cat "$WORK/stale.err")"
start_daemon second "$tree"
grep -q 'replaced the stale socket' "$WORK/daemon-second.err" || fail "stale socket not reported"
check_search needle
ok "stale socket seen by clients (no daemon serves) and replaced by a new daemon"

# 9. Shutdown request: the daemon exits 0 and removes its socket.
drv shutdown "$tree" | grep -q acknowledged || fail "shutdown not acknowledged"
rc=0; wait "$DPID" || rc=$?
[ "$rc" = 0 ] || fail "daemon exited $rc after shutdown"
[ ! -e "$sock" ] || fail "socket left after shutdown"
rc=0; drv status "$tree" 2>"$WORK/gone.err" || rc=$?
grep -q 'no socket' "$WORK/gone.err" || fail "after shutdown: $(cat "$WORK/gone.err")"
ok "shutdown: daemon exited 0, socket removed, clients told no daemon runs"
timeout 60 "$ex" update "$tree" >"$WORK/ex2.out" || fail "example in-process"
[ "$(head -1 "$WORK/ex2.out")" = "in-process" ] && grep -q '^generation ' "$WORK/ex2.out" ||
  fail "example without a daemon: $(head -3 "$WORK/ex2.out")"
ok "examples/daemon_progress: the same display in-process when no daemon runs"

# 10. SIGTERM during an update: cancelled (generation kept), clean exit.
start_daemon third "$tree"
gen_t=$(drv status "$tree" | sed 's/.*generation=\([0-9]*\).*/\1/')
"$DRIVER" update "$tree" --full --threads 2 --interval 0 --sleep-ms 3 >/dev/null 2>&1 &
upd=$!
PIDS+=("$upd")
sleep 0.5
kill -TERM "$DPID"
rc=0; wait "$DPID" || rc=$?
[ "$rc" = 0 ] || fail "daemon exited $rc after SIGTERM"
wait "$upd" 2>/dev/null || true
[ ! -e "$sock" ] || fail "socket left after SIGTERM"
start_daemon fourth "$tree"
[ "$(drv status "$tree" | sed 's/.*generation=\([0-9]*\).*/\1/')" = "$gen_t" ] ||
  fail "SIGTERM during an update changed the generation"
ok "SIGTERM mid-update: update cancelled, generation $gen_t kept, clean exit"
echo "daemon_socket: all passed"
