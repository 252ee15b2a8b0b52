# daemon_protocol.py - raw-socket protocol checks against a running daemon: handshake,
# malformed and mistyped requests, oversized lines, pipelining, in-stream stop/cancel,
# clients vanishing mid-stream, while another client keeps being served.
# Usage: python3 daemon_protocol.py SOCKET ROOT   (prints "ok - ..." lines; exits 1 on failure)
import json
import os
import socket
import sys
import time

SOCK, ROOT = sys.argv[1], os.path.realpath(sys.argv[2])
EPROTOCOL, ELIMIT, ECANCELLED = -102, -11, -8


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Conn:
    def __init__(self, hello=True):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(20)
        self.s.connect(SOCK)
        self.buf = b""
        if hello:
            self.send({"hello": "codeidx", "version": 1})
            h = self.recv()
            if h.get("hello") != "codeidx-daemon" or h.get("version") != 1 or h.get("root") != ROOT:
                fail("bad hello reply %r" % h)

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def recv_line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self):
        line = self.recv_line()
        if line is None:
            return None
        line.decode("utf-8")  # every line must be UTF-8
        return json.loads(line)

    def request(self, obj):
        self.send(obj)
        return self.recv()

    def close(self):
        self.s.close()


def expect_error(reply, code, what):
    if not reply or "error" not in reply:
        fail("%s: expected an error, got %r" % (what, reply))
    err = reply["error"]
    if err.get("code") != code or not isinstance(err.get("message"), str) or not err["message"]:
        fail("%s: wrong error %r" % (what, err))
    return err["message"]


def expect_status(c, what):
    r = c.request({"op": "status"})
    if not r or r.get("summary", {}).get("op") != "status":
        fail("%s: status after it failed: %r" % (what, r))
    return r["summary"]


# A bystander connection that must be served throughout.
bystander = Conn()

# 1. Handshake: garbage first is an error (the connection stays), then an unknown
#    version is refused and closed; a good hello works after an error.
c = Conn(hello=False)
expect_error(c.request({"op": "status"}), EPROTOCOL, "request before hello")
c.send_raw(b"not json\n")
expect_error(c.recv(), EPROTOCOL, "garbage before hello")
c.send({"hello": "codeidx", "version": 2})
msg = expect_error(c.recv(), EPROTOCOL, "version 2")
if "version" not in msg or c.recv_line() is not None:
    fail("version 2 not refused and closed: %s" % msg)
c.close()
c = Conn(hello=False)
c.send_raw(b"\n   \n{oops\n")
expect_error(c.recv(), EPROTOCOL, "broken hello")
c.send({"hello": "codeidx", "version": 1})
if c.recv().get("hello") != "codeidx-daemon":
    fail("hello after an error")
c.close()
print("ok - handshake: errors keep the connection, a wrong version closes it")

# 2. Malformed and mistyped requests: an error object each, connection stays.
c = Conn()
bad = [
    (b"{", "malformed"), (b"[]", "object"), (b"42", "object"), (b'"x"', "object"),
    (b'{"op":"nope"}', "unknown op"), (b'{"op":1}', "op"), (b'{"noop":true}', "missing field \"op\""),
    (b'{"op":"search"}', "pattern"), (b'{"op":"search","pattern":5}', "pattern"),
    (b'{"op":"search","pattern":"x","before":-1}', "before"),
    (b'{"op":"search","pattern":"x","literal":"yes"}', "literal"),
    (b'{"op":"search","pattern":"x","globs":"*.c"}', "globs"),
    (b'{"op":"search","pattern":"x","globs":[1]}', "globs[0]"),
    (b'{"op":"search","pattern":{"bytes":"!!"}}', "base64"),
    (b'{"op":"update","threads":"many"}', "threads"),
    (b'{"op":"update","excludes":[{"bytes":"YQBi"}]}', "NUL"),
    (b'{"op":"search","pattern":"a\\u0000b"}', "u0000"),
    (b'{"op":"status"} {"op":"status"}', "trailing"),
    (b'{"op":"status"', "malformed"),
    (b'\xff\xfe{}', "malformed"),
]
for line, word in bad:
    c.send_raw(line + b"\n")
    m = expect_error(c.recv(), EPROTOCOL, line.decode("latin-1"))
    if word not in m:
        fail("error for %r does not mention %r: %s" % (line, word, m))
# Semantic errors come with the core's code.
expect_error(c.request({"op": "search", "pattern": "a("}), -9, "bad regex")
expect_error(c.request({"op": "search", "pattern": "x", "before": 10001}), ELIMIT, "context limit")
expect_status(c, "malformed requests")
expect_status(bystander, "bystander")
print("ok - %d malformed or mistyped requests: error objects, connection kept" % (len(bad) + 2))

# 3. Byte strings: a pattern sent in the bytes form matches like the string form.
a = c.request({"op": "search", "pattern": "needle"})
lines_a = []
while a and "match" in a:
    lines_a.append(a["match"])
    a = c.recv()
c.send({"op": "search", "pattern": {"bytes": "bmVlZGxl"}})
lines_b = []
b = c.recv()
while b and "match" in b:
    lines_b.append(b["match"])
    b = c.recv()
if not lines_a or lines_a != lines_b or a["summary"]["lines_matched"] != len(lines_a):
    fail("bytes-form pattern differs")
if not any(isinstance(m["path"], dict) or isinstance(m["text"], dict) for m in lines_a):
    fail("expected some non-UTF-8 path or text in the bytes form")
print("ok - byte strings: %d matches, non-UTF-8 ones in the bytes form" % len(lines_a))

# 4. Pipelining: two requests in one write get their answers in order.
c.send_raw(b'{"op":"status"}\n{"op":"search","pattern":"zzqqxx-none"}\n{"op":"cancel"}\n')
r1, r2, r3 = c.recv(), c.recv(), c.recv()
if (r1["summary"]["op"], r2["summary"]["op"], r3["summary"]["op"]) != ("status", "search", "cancel"):
    fail("pipelined answers out of order")
if r3["summary"]["was_running"] is not False:
    fail("cancel with no update running")
print("ok - pipelined requests answered in order")

# 5. In-stream stop of a search with many matches.
c.send({"op": "search", "pattern": "."})
c.send({"op": "stop"})
n = 0
r = c.recv()
while r and "match" in r:
    n += 1
    r = c.recv()
if not r or r.get("summary", {}).get("stopped") is not True:
    fail("search not stopped: %r after %d" % (r, n))
expect_status(c, "after stop")
print("ok - stop ends a streaming search early (%d lines sent before it took effect)" % n)

# 6. In-stream cancel of an update: a cancel summary in the stream, then the cancelled error.
c.send({"op": "update", "full": True, "interval_ms": 0, "threads": 2})
first = c.recv()
if "progress" not in first or not isinstance(first["progress"]["concurrent_files"], list) \
        or not isinstance(first.get("t"), float):
    fail("bad first progress line %r" % first)
c.send({"op": "cancel"})
seen_cancel, events, r = False, 1, c.recv()
while r and ("progress" in r or r.get("summary", {}).get("op") == "cancel"):
    if "summary" in r:
        seen_cancel = True
    else:
        events += 1
        if not isinstance(r["progress"]["concurrent_files"], list):
            fail("concurrent_files not an array")
    r = c.recv()
expect_error(r, ECANCELLED, "cancelled update")
if not seen_cancel:
    fail("no in-stream cancel summary")
print("ok - in-stream cancel of an update (%d events, then the cancelled error)" % events)

# 7. Clients vanishing mid-stream cost nothing: a search and an update abandoned.
for op in ({"op": "search", "pattern": "."}, {"op": "update", "full": True, "interval_ms": 0}):
    v = Conn()
    v.send(op)
    v.recv()  # the stream has started
    v.close()
deadline = time.time() + 20
while True:
    st = expect_status(bystander, "after vanished clients")
    if not st["update_running"] and st["clients"] == 2:
        break
    if time.time() > deadline:
        fail("vanished clients not cleaned up: %r" % st)
    time.sleep(0.1)
print("ok - clients vanishing mid-search and mid-update: freed, update finished (generation %d)"
      % st["stats"]["generation"])

# 8. A line over 1 MiB: an error, then the connection is closed; others unaffected.
big = Conn()
try:
    big.send_raw(b'{"op":"search","pattern":"' + b"x" * (1 << 20) + b'"}\n')
except (BrokenPipeError, ConnectionResetError):
    pass
msg = expect_error(big.recv(), ELIMIT, "oversized line")
if big.recv_line() is not None:
    fail("connection not closed after an oversized line")
big.close()
big = Conn()
big.send_raw(b"y" * ((1 << 20) + 100))  # no newline at all
expect_error(big.recv(), ELIMIT, "oversized unterminated line")
big.close()
expect_status(c, "after oversized lines")
expect_status(bystander, "bystander at the end")
print("ok - lines over 1 MiB: error then close (%s); everyone else still served" % msg)
c.close()
bystander.close()
