#!/usr/bin/env bash
# The README's first command: index this repository with the live progress display,
# then run a sample search. Usage: scripts/demo.sh [path/to/codeidx]
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-build/codeidx}
echo "== codeidx index (this repository)"
"$cli" -C . index
echo
echo "== codeidx search -w 'codeidx_update' -g '*.h'"
"$cli" -C . search -w codeidx_update -g '*.h' || true
echo
echo "== codeidx status"
"$cli" -C . status
