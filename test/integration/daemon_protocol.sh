#!/usr/bin/env bash
# Daemon protocol test on the raw socket (daemon_protocol.py): handshake, malformed and
# oversized lines, pipelining, in-stream stop/cancel, vanishing clients; then the peer
# checks: a client of another uid (nobody) is refused by the socket's permissions, and,
# with those opened up on purpose, by the daemon's SO_PEERCRED check.
source "$(dirname "$0")/daemon_common.bash"

tree=$WORK/tree
mkdir -p "$tree"
cp -r include lib "$tree/"
python3 - "$tree" <<'PY'
import os, sys
t = sys.argv[1]
open(os.path.join(t, "bad-\xff.c".encode("latin-1").decode("utf-8", "surrogateescape")), "wb").write(b"needle \xfe here\n")
for i in range(400):
    open(os.path.join(t, "n%03d.txt" % i), "w").write("needle %d\n" % i * 50)
PY
start_daemon proto "$tree" --create
drv update "$tree" --threads 2 >/dev/null || fail "initial update"
sock=$(socket_of proto)
python3 test/integration/daemon_protocol.py "$sock" "$tree" || fail "protocol checks"

# Another uid: the 0700 directory and 0600 socket keep it out.
who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$WORK"
rc=0; "${who[@]}" timeout 20 "$DRIVER" connect "$tree" >/dev/null 2>"$WORK/nobody1.err" || rc=$?
[ "$rc" = 3 ] && grep -q 'Permission denied' "$WORK/nobody1.err" ||
  fail "nobody through the permissions: rc=$rc $(cat "$WORK/nobody1.err")"
ok "uid 65534 cannot reach the socket (0700 dir, 0600 socket)"

# With the permissions opened on purpose, the daemon itself refuses the uid
# (SO_PEERCRED), and the client library refuses a daemon of another uid.
chmod 711 "$XDG_RUNTIME_DIR" "$(dirname "$sock")"
chmod 666 "$sock"
reply=$("${who[@]}" timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
try:
    s.sendall(b"{\"hello\":\"codeidx\",\"version\":1}\n")
except OSError:
    pass  # the daemon may have refused and closed already
data = b""
while True:
    try:
        chunk = s.recv(4096)
    except ConnectionResetError:
        break
    if not chunk: break
    data += chunk
sys.stdout.write(data.decode())' "$sock") || fail "raw connect as nobody"
echo "$reply" | grep -q '"code":-103' || fail "daemon did not refuse uid 65534: $reply"
rc=0; "${who[@]}" timeout 20 "$DRIVER" connect "$tree" >/dev/null 2>"$WORK/nobody2.err" || rc=$?
[ "$rc" = 3 ] && grep -q 'runs as uid 0' "$WORK/nobody2.err" ||
  fail "client of uid 65534 accepted a root daemon: $(cat "$WORK/nobody2.err")"
chmod 700 "$XDG_RUNTIME_DIR" "$(dirname "$sock")" "$WORK"
chmod 600 "$sock"
grep -q 'refused pid .*uid 65534' "$WORK/daemon-proto.err" || fail "refusal not logged"
drv status "$tree" >/dev/null || fail "daemon stopped serving after the refusal"
ok "uid 65534 refused by SO_PEERCRED ($(echo "$reply" | sed 's/.*"message":"\([^"]*\)".*/\1/'))"

# An unsafe socket directory is refused at start.
chmod 755 "$(dirname "$sock")"
drv shutdown "$tree" >/dev/null
wait "$DPID" || fail "daemon exit status after shutdown"
rc=0; drv serve "$tree" >/dev/null 2>"$WORK/unsafe.err" || rc=$?
[ "$rc" = 3 ] && grep -q 'unsafe socket directory' "$WORK/unsafe.err" ||
  fail "unsafe directory accepted: $(cat "$WORK/unsafe.err")"
ok "a socket directory open to others is refused: $(sed 's/.*: unsafe/unsafe/' "$WORK/unsafe.err")"
echo "daemon_protocol: all passed"
