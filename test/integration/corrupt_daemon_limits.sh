#!/usr/bin/env bash
# corrupt_daemon_limits.sh - hostile clients of the daemon: oversized patterns, absurd options, deep JSON, floods of globs, more connections than allowed; each gets a clear error and the daemon keeps serving; the socket directory and socket keep modes 0700 and 0600 whatever the umask, across a stale-socket takeover. (A client of another uid: daemon_protocol.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLI=$BUILD/codeidx
W=$(mktemp -d)
export XDG_RUNTIME_DIR=$W/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
T=$W/tree
cleanup() {
  timeout 20 "$CLI" -C "$T" daemon stop >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
mkdir -p "$T"
for i in $(seq 1 40); do printf 'needle %d\nhay %d\nneedle again %d\n' "$i" "$i" "$i" >"$T/f$i.c"; done
timeout 30 "$CLI" --no-daemon -C "$T" index --progress=none >/dev/null || fail "index"

# modes SOCKET: "DIRMODE SOCKMODE LOCKMODE"
modes() { echo "$(stat -c %a "$(dirname "$1")") $(stat -c %a "$1") $(stat -c %a "${1%.sock}.lock")"; }
start() { # under a permissive umask: the daemon must not depend on it
  (umask 000; timeout 30 "$CLI" -C "$T" daemon start >/dev/null 2>"$W/start.err") ||
    fail "daemon start: $(cat "$W/start.err")"
}
start
sock=$(ls "$XDG_RUNTIME_DIR"/codeidx/*.sock)
[ "$(modes "$sock")" = "700 600 600" ] || fail "modes under umask 000: $(modes "$sock") (dir socket lock)"
ok "started under umask 000: directory 0700, socket 0600, lock 0600"

python3 - "$sock" <<'PY' || fail "hostile requests"
import json, socket, sys, time
SOCK = sys.argv[1]
ELIMIT, EINVAL, EPROTOCOL, EBUSY = -11, -2, -102, -104

def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

class Refused(Exception):
    """The daemon refused the connection as one too many (it may not have reaped the
    sessions just closed yet)."""

class Conn:
    def __init__(self, hello=True):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(30)
        self.s.connect(SOCK)
        self.buf = b""
        if hello:
            self.send_raw(b'{"hello":"codeidx","version":1}\n')
            h = self.recv()
            if h and h.get("error", {}).get("code") == EBUSY:
                self.s.close()
                raise Refused()
            if not h or h.get("hello") != "codeidx-daemon":
                fail("hello: %r" % h)
    def send_raw(self, b):
        self.s.sendall(b)
    def recv(self):
        while b"\n" not in self.buf:
            try:
                chunk = self.s.recv(1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)
    def request(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")
        lines = []
        while True:
            r = self.recv()
            if r is None or "match" not in r:
                return lines, r
            lines.append(r["match"])

def expect_error(reply, codes, words, what):
    if not reply or "error" not in reply:
        fail("%s: expected an error, got %r" % (what, reply))
    e = reply["error"]
    if e.get("code") not in codes or not any(w in e.get("message", "") for w in words):
        fail("%s: unclear error %r" % (what, e))
    print("ok - %s: %s (%d)" % (what, e["message"], e["code"]))

c = Conn()
# Pattern length: 64 KiB is the limit (CODEIDX_MAX_PATTERN).
_, r = c.request({"op": "search", "pattern": "a" * 65537})
expect_error(r, [ELIMIT], ["65536", "limit"], "a pattern of 64 KiB + 1")
lines, r = c.request({"op": "search", "pattern": "n" * 65536, "literal": True})
if not r or "summary" not in r:
    fail("a literal of exactly 64 KiB: %r" % r)
_, r = c.request({"op": "search", "pattern": "n" * 65536})
if not r or "summary" not in r:
    expect_error(r, [-9], ["too large"], "a regex of exactly 64 KiB")
print("ok - a literal of exactly 64 KiB is searched (%d lines)" % len(lines))
# Absurd options.
for req, codes, words, what in [
        ({"op": "search", "pattern": "x", "threads": 100000}, [EINVAL, EPROTOCOL], ["threads", "bad options"], "100000 search threads"),
        ({"op": "search", "pattern": "x", "before": 2 ** 40}, [ELIMIT, EINVAL, EPROTOCOL], ["context", "before"], "2^40 context lines"),
        ({"op": "search", "pattern": "x", "max_total": -1}, [EPROTOCOL], ["max_total"], "a negative max_total"),
        ({"op": "search", "pattern": "x", "max_total": 1e300}, [EPROTOCOL], ["max_total"], "max_total 1e300"),
        ({"op": "search", "pattern": "x", "threads": 1.5}, [EPROTOCOL], ["threads"], "1.5 threads"),
        ({"op": "update", "threads": 100000}, [EINVAL, EPROTOCOL], ["threads"], "an update with 100000 threads"),
        ({"op": "search", "pattern": "x", "languages": ["no-such-language"]}, [EINVAL, EPROTOCOL], ["language"], "an unknown language"),
        ({"op": "search", "pattern": "("}, [-9], ["parenthes", "missing", "pattern"], "a regex that does not compile"),
]:
    _, r = c.request(req)
    expect_error(r, codes, words, what)
# Result counts are the client's to bound: max_total and max_per_file hold exactly.
lines, r = c.request({"op": "search", "pattern": "needle", "max_total": 5})
if len(lines) != 5 or not r["summary"]["stopped"]:
    fail("max_total 5: %d lines, %r" % (len(lines), r))
lines, r = c.request({"op": "search", "pattern": "needle", "max_per_file": 1})
if len(lines) != 40 or len({m["path"] for m in lines}) != 40:
    fail("max_per_file 1: %d lines" % len(lines))
print("ok - max_total 5 gives 5 lines (stopped), max_per_file 1 one line in each of 40 files")
# A flood of globs in one line under the 1 MiB limit; deeply nested JSON.
lines, r = c.request({"op": "search", "pattern": "needle", "globs": ["*.h%d" % i for i in range(60000)] + ["*.c"]})
if not r or ("summary" not in r and "error" not in r):
    fail("60001 globs: %r" % r)
print("ok - 60001 globs in one request: %s" % ("answered, %d lines" % len(lines) if "summary" in r else r["error"]["message"]))
c.send_raw(b"[" * 200000 + b"\n")
expect_error(c.recv(), [EPROTOCOL], ["JSON", "json", "malformed", "object"], "200000 nested arrays")
c.send_raw(b'{"op":"search","pattern":"needle","globs":' + b"[" * 5000 + b"]" * 5000 + b"}\n")
expect_error(c.recv(), [EPROTOCOL], ["JSON", "json", "malformed", "globs"], "5000 nested arrays as globs")
lines, r = c.request({"op": "status"})
if not r or r.get("summary", {}).get("op") != "status":
    fail("status after the hostile requests: %r" % r)

# More connections than max_clients (64 by default): the next one is refused clearly.
idle = [Conn() for _ in range(63)]          # with c: 64 sessions
extra = Conn(hello=False)
r = extra.recv()
expect_error(r, [EBUSY], ["too many clients"], "a 65th connection")
if extra.recv() is not None:
    fail("the refused connection stays open")
for k in idle[:10]:
    k.s.close()
deadline = time.time() + 20
while True:
    try:
        again = Conn()
        break
    except (Refused, OSError):
        if time.time() > deadline:
            fail("no connection accepted after 10 closed")
        time.sleep(0.2)
lines, r = again.request({"op": "search", "pattern": "needle", "max_total": 1})
if len(lines) != 1:
    fail("search after the refusal: %r" % r)
print("ok - connections are accepted again once others close")
PY

[ "$(modes "$sock")" = "700 600 600" ] || fail "modes after the load: $(modes "$sock")"
ok "modes unchanged after the hostile clients"
# A daemon killed leaves a stale socket; the next one (umask 000 again) replaces it.
pid=$(timeout 20 "$CLI" -C "$T" daemon status | sed -n 's/.*pid \([0-9]*\).*/\1/p')
[ -n "$pid" ] || fail "daemon status names no pid"
kill -KILL "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
[ -S "$sock" ] || fail "the killed daemon's socket is gone (nothing stale to test)"
start
[ "$(modes "$sock")" = "700 600 600" ] || fail "modes after a stale-socket takeover: $(modes "$sock")"
timeout 20 "$CLI" -C "$T" search -c needle >/dev/null || fail "search through the new daemon"
ok "a stale socket replaced under umask 000: modes 0700/0600/0600 kept, serving"
timeout 20 "$CLI" -C "$T" daemon stop >/dev/null || fail "daemon stop"
echo "corrupt_daemon_limits: all passed"
