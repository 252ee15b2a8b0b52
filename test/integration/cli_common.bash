# cli_common.bash - shared setup of the cli_*.sh tests (sourced, not run): the binary, a private work dir and XDG_RUNTIME_DIR, cleanup of daemons and tmux servers on any exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
CX=$PWD/$BUILD/codeidx
[ -x "$CX" ] || { echo "$0: $CX not built (run make)" >&2; exit 1; }
export LC_ALL=C
unset NO_COLOR CODEIDX_DEBUG
WORK=$(mktemp -d)
export XDG_RUNTIME_DIR=$WORK/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
TMUX_SOCKET=cxtest-$$
export TMUX_TMPDIR=$WORK # the tmux server's socket goes with the rest
TMUX_USED=0

cleanup() {
  local rc=$? f
  [ "$TMUX_USED" = 1 ] && tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
  # Every daemon these tests started and that still runs holds the lock file beside its
  # socket, which names its pid.
  for f in "$XDG_RUNTIME_DIR"/codeidx/*.lock; do
    [ -f "$f" ] && ! flock -n "$f" true || continue
    local pid
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  chmod -R u+rwX "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
[ -n "${CLI_TEST_KEEP:-}" ] && trap - EXIT

fail() { printf "FAIL: %b\n" "$*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# cx ARGS...: the binary with a timeout, so that a hang fails instead of blocking.
cx() { timeout 60 "$CX" "$@"; }

# expect_rc RC CMD...: runs CMD (output in $WORK/out, $WORK/err) and checks its exit code.
expect_rc() {
  local want=$1 got=0
  shift
  "$@" > "$WORK/out" 2> "$WORK/err" || got=$?
  [ "$got" = "$want" ] || fail "'$*' exited $got, not $want; stderr: $(cat "$WORK/err")"
}

# The preload that slows openat() of *.slow files (test/integration/cli_slow_open.c),
# built with the sanitizer of the build; a sanitizer's runtime must load first.
slow_preload() {
  local san=() so=$WORK/slow_open.so runtime=""
  [ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE")
  cc -shared -fPIC -O1 -Wall -Wextra -Werror "${san[@]}" -o "$so" \
    test/integration/cli_slow_open.c -ldl
  case "$SANITIZE" in
    *address*) runtime=$(cc -print-file-name=libasan.so) ;;
    *thread*) runtime=$(cc -print-file-name=libtsan.so) ;;
    *undefined*) runtime=$(cc -print-file-name=libubsan.so) ;;
  esac
  echo "${runtime:+$runtime:}$so"
}
