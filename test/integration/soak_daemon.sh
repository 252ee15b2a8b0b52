#!/usr/bin/env bash
# soak_daemon.sh - the short daemon soak of make check: 100 clients for 5 s through one daemon while updates run and clients vanish mid-stream; every answer exact, no error (the 60 s run with the RSS verdict is bench/daemon_soak.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
# Under a sanitizer the daemon runs several times slower: 100 clients may wait longer
# than the default 5 s for a handshake without anything being wrong.
SOAK_CONNECT_MS=${SOAK_CONNECT_MS:-${SANITIZE:+30000}} SOAK_CHECK_RSS=0 bash bench/daemon_soak.sh "$BUILD" "${SOAK_SECONDS:-5}" "${SOAK_CLIENTS:-100}"
