# daemon_common.bash - shared setup for the daemon integration tests (sourced, not run):
# builds daemon_driver, makes a private XDG_RUNTIME_DIR, starts daemons and always
# cleans them up (trap), and wraps every client call in a timeout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
mkdir -p "$BUILD/test"
DRIVER=$BUILD/test/daemon_driver
# shellcheck disable=SC2046
# Built under a temporary name and renamed: tests running at once never see half a file.
cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror "${san[@]}" -Iinclude \
  $(pkg-config --cflags libcjson) -o "$DRIVER.$$" test/integration/daemon_driver.c \
  "$BUILD/libcodeidx_daemon.a" "$BUILD/libcodeidx.a" $(pkg-config --libs libcjson) \
  -lpcre2-8 -lxxhash -lbsd -pthread
mv -f "$DRIVER.$$" "$DRIVER"

WORK=$(mktemp -d)
export XDG_RUNTIME_DIR=$WORK/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  chmod -R u+rwX "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$WORK"/daemon*.err; do [ -f "$f" ] && sed 's/^/  | /' "$f" >&2; done; exit 1; }
ok() { echo "ok - $*"; }

# drv ARGS...: the driver with a timeout, so that a hang fails instead of blocking.
drv() { timeout 60 "$DRIVER" "$@"; }

# start_daemon NAME ROOT [serve options]: starts a daemon in the background, waits for
# its "ready" line; sets DPID. Output goes to $WORK/daemon-NAME.{out,err}.
start_daemon() {
  local name=$1 root=$2
  shift 2
  "$DRIVER" serve "$root" "$@" >"$WORK/daemon-$name.out" 2>"$WORK/daemon-$name.err" &
  DPID=$!
  PIDS+=("$DPID")
  for _ in $(seq 100); do
    grep -q '^ready ' "$WORK/daemon-$name.out" 2>/dev/null && return 0
    kill -0 "$DPID" 2>/dev/null || fail "daemon $name exited early"
    sleep 0.1
  done
  fail "daemon $name not ready in 10 s"
}

# wait_exit PID [SECONDS]: waits for a process to end; fails if it does not.
wait_exit() {
  local pid=$1 secs=${2:-10}
  for _ in $(seq $((secs * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  fail "process $pid still running after $secs s"
}

# socket_of ROOT: the socket path the daemon of ROOT uses.
socket_of() { sed -n 's/^ready //p' "$WORK/daemon-$1.out"; }
