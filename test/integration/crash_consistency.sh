#!/usr/bin/env bash
# crash_consistency.sh - SIGKILLs real indexing processes at random moments of every phase and at every commit system call; after each kill the index must open and answer exactly as the old or the new generation, and the next update must succeed and leave no stray files.
#
# Two scenarios on a generated tree (CRASH_FILES files of ~8 KiB, default 2400):
#   A. incremental: 6 segments live; the change under test touches a third of the files
#      (hash phase), rewrites a twelfth and adds 10% (index phase), deletes 2%, so its
#      commit writes a 7th segment and then merges 5 of them (segment merge);
#   B. the very first index of the same tree.
# Expected answers (a fixed query set) are computed beforehand: the old generation's
# (the index before the update, over the changed tree) and the new one's (after a
# reference run). Each trial restores the old index, starts `crash_driver update` and
#   - either SIGKILLs it a random delay after a phase starts (hash, index, segment
#     write, manifest publish, merge; delays drawn within the phase's duration as
#     measured by the reference run), or
#   - lets it SIGKILL itself just before or just after its N-th fsync/renameat/unlinkat
#     (every such call of the commit, so every step of a publish is hit);
# then checks: codeidx_open + codeidx_search + codeidx_stats succeed and the answers
# and generation are exactly the old or the new ones; a following update succeeds,
# answers as the new generation, and leaves only lock, manifest and the segments the
# manifest names. Env: CRASH_SEED (default random, printed), CRASH_TIMED (timed kills
# per phase, default 10), CRASH_FILES (600 and 6 under sanitizers).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-}
san=()
[ -n "$SANITIZE" ] && san=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
mkdir -p "$BUILD/test"
DRV=$BUILD/test/crash_driver
cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror "${san[@]}" -Iinclude -o "$DRV.$$" \
  test/integration/crash_driver.c "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
mv -f "$DRV.$$" "$DRV"
TREE_PY=test/integration/crash_tree.py

SEED=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
# Sanitized builds index several times slower: a smaller tree and fewer timed kills
# keep the run bounded there (still more than 50 kills).
if [ -n "$SANITIZE" ]; then TIMED=${CRASH_TIMED:-6} FILES=${CRASH_FILES:-600}
else TIMED=${CRASH_TIMED:-10} FILES=${CRASH_FILES:-2400}; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
T=$W/tree
Q=$W/queries
started=$SECONDS
echo "crash_consistency: seed $SEED (CRASH_SEED=$SEED to repeat), $FILES files"

fail() {
  echo "FAIL: $* (seed $SEED)" >&2
  exit 1
}

# The fixed query set: regexes, literals, -i, -w; most of them see the change.
printf '%s\t%s\n' \
  '-' 'NEWMARK_\w+' \
  'F' 'NEWMARK_changed1 ' \
  'i' 'newmark_mixed' \
  'w' 'id1[0-9]' \
  '-' 'round[35] *$' \
  'F' 'w007 w008' \
  'iw' 'ID77' >"$Q"

drv() { timeout 120 "$DRV" "$@"; }

# answers FILE: the query answers of the index as it is now.
answers() {
  drv answers "$T" "$Q" >"$1" 2>"$1.err" || fail "open or search failed: $(cat "$1.err")"
}

# restore: puts the old generation's index back (none in scenario B).
restore() {
  rm -rf "$T/.codeidx"
  if [ -d "$W/old.codeidx" ]; then cp -a "$W/old.codeidx" "$T/.codeidx"; fi
}

# marker_us LOG PATTERN: the time (us) of the first marker of the reference run matching.
marker_us() { awk -v p="$2" 'index($0, p) { printf "%d\n", $1 * 1000; exit }' "$1"; }

declare -A landed
n_runs=0 n_old=0 n_new=0

# check LABEL: after a kill, the index is the old or the new generation, and the next
# update repairs everything.
check() {
  local label=$1 got=$W/got gl ol nl
  n_runs=$((n_runs + 1))
  landed[$label]=$(( ${landed[$label]:-0} + 1 ))
  answers "$got"
  gl=$(tail -n 1 "$got")
  ol=$(tail -n 1 "$W/A_old")
  if cmp -s <(head -n -1 "$got") <(head -n -1 "$W/A_old"); then
    [ "$gl" = "$ol" ] || fail "$label: old answers but '$gl', expected '$ol'"
    n_old=$((n_old + 1))
  elif cmp -s <(head -n -1 "$got") <(head -n -1 "$W/A_new"); then
    local g f
    read -r _ g _ f <<<"$gl"
    [ "$f" = "$F_NEW" ] && { [ "$g" = $((G_OLD + 1)) ] || [ "$g" = $((G_OLD + 2)) ]; } ||
      fail "$label: new answers but '$gl' (new: generation $((G_OLD + 1)) or $((G_OLD + 2)), $F_NEW files)"
    n_new=$((n_new + 1))
  else
    diff <(head -n -1 "$W/A_old") <(head -n -1 "$got") | head -5 >&2 || true
    diff <(head -n -1 "$W/A_new") <(head -n -1 "$got") | head -5 >&2 || true
    fail "$label: answers are neither the old nor the new generation's"
  fi
  drv update "$T" >"$W/follow.log" 2>&1 || fail "$label: the next update failed: $(tail -3 "$W/follow.log")"
  answers "$got"
  cmp -s <(head -n -1 "$got") <(head -n -1 "$W/A_new") ||
    fail "$label: after the next update the answers are not the new generation's"
  read -r _ _ _ f <<<"$(tail -n 1 "$got")"
  [ "$f" = "$F_NEW" ] || fail "$label: after the next update $f files, expected $F_NEW"
  local s
  s=$(python3 "$TREE_PY" strays "$T/.codeidx") || fail "$label: stray files after the next update: $s"
}

# timed_kills ANCHOR END_PATTERN NAME: TIMED kills a random delay after the marker
# ANCHOR, within the reference run's time from ANCHOR to END_PATTERN.
timed_kills() {
  local anchor=$1 end=$2 name=$3 a e span out
  a=$(marker_us "$W/ref.log" "$anchor")
  e=$(marker_us "$W/ref.log" "$end")
  [ -n "$a" ] && [ -n "$e" ] || fail "reference run lacks '$anchor' or '$end'"
  span=$((e - a))
  [ "$span" -gt 0 ] || span=200
  for _ in $(seq "$TIMED"); do
    restore
    local delay=$(( (RANDOM * 32768 + RANDOM) % span ))
    out=$(drv kill "$T" "$anchor" "$delay" --threads 2) || fail "kill driver: $out"
    case $out in
      killed*) check "$(echo "$out" | awk '{print $2}')" ;;
      completed\ 0*) check "completed" ;;
      *) fail "$name: the update failed on its own: $out" ;;
    esac
  done
  echo "  $name: $TIMED kills, delays 0..$((span / 1000)) ms after '$anchor'"
}

# syscall_kills: one kill before and one after each fsync/renameat/unlinkat of the
# reference run.
syscall_kills() {
  local calls k mode rc label
  calls=$(sed -n 's/.* calls \([0-9]*\)$/\1/p' "$W/ref.log")
  [ "${calls:-0}" -gt 0 ] || fail "reference run made no traced calls"
  for k in $(seq "$calls"); do
    for mode in AT AFTER; do
      restore
      rc=0
      # (braces: no "Killed" job notice from bash)
      { env "CRASH_KILL_$mode=$k" timeout 120 "$DRV" update "$T" --threads 2 >"$W/sys.log" 2>&1 || rc=$?; } 2>/dev/null
      [ "$rc" = 137 ] || fail "CRASH_KILL_$mode=$k: exit $rc, expected SIGKILL: $(tail -2 "$W/sys.log")"
      label=$(tail -n 1 "$W/sys.log" | awk '{print $3 "(" $4 ")"}' | sed 's/seg-[0-9a-f]*\.cdx/seg/')
      check "${mode,,}-$label"
    done
  done
  echo "  system calls: $((2 * calls)) kills, before and after each of $calls calls:" \
    "$(grep -o 'sys [a-z]* [^ ]*' "$W/ref.log" | awk '{print $2 "(" $3 ")"}' | sed 's/0000000000000//' | tr '\n' ' ')"
}

# reference LABEL: the uninterrupted run from the old state; sets A_new, F_NEW.
reference() {
  restore
  drv update "$T" --threads 2 >"$W/ref.log" 2>&1 || fail "reference update: $(tail -3 "$W/ref.log")"
  answers "$W/A_new"
  read -r _ _ _ F_NEW <<<"$(tail -n 1 "$W/A_new")"
  cmp -s <(head -n -1 "$W/A_new") <(head -n -1 "$W/A_old") &&
    fail "old and new answers are the same: the test would prove nothing"
  echo "  reference: $(grep ' result ' "$W/ref.log" | cut -d' ' -f3-)"
  echo "  phases (ms): $(awk '/ phase | sys fsync seg/ { split($0, a, " "); printf "%s@%d ", (a[2] == "sys" ? "seg-fsync" : a[3]), a[1] }' "$W/ref.log" | tr -s ' ')"
}

# ---- scenario A: incremental update with a merge
mkdir -p "$T"
python3 "$TREE_PY" make "$T" "$FILES"
drv update "$T" --threads 2 >/dev/null || fail "initial update"
for k in 1 2 3 4 5; do
  python3 "$TREE_PY" round "$T" "$k"
  drv update "$T" --threads 2 >/dev/null || fail "round $k update"
done
python3 "$TREE_PY" final "$T"
cp -a "$T/.codeidx" "$W/old.codeidx"
answers "$W/A_old"
read -r _ G_OLD _ _ <<<"$(tail -n 1 "$W/A_old")"
[ "$(ls "$T/.codeidx" | grep -c '^seg-')" = 6 ] || fail "scenario A should start with 6 segments"
echo "scenario A: incremental update of generation $G_OLD (6 segments) with a merge"
reference
grep -q ' merged [1-9]' "$W/ref.log" || fail "the reference update did not merge segments"
timed_kills "phase hash" "phase index" "hash"
timed_kills "phase index" "phase commit writing segment" "index"
timed_kills "phase commit writing segment" "sys fsync seg-" "segment write"
timed_kills "sys fsync seg-" "phase commit merging" "publish"
timed_kills "phase commit merging" "phase done" "merge"
syscall_kills

# ---- scenario B: the first index of the tree
echo "scenario B: first index"
rm -rf "$W/old.codeidx" "$T/.codeidx"
mkdir "$T/.codeidx"
answers "$W/A_old"
G_OLD=0
reference
timed_kills "phase setup" "phase hash" "walk"
timed_kills "phase index" "phase commit writing segment" "index"
timed_kills "phase commit writing segment" "phase done" "commit"
syscall_kills

echo "  landed:" "$(for k in "${!landed[@]}"; do echo "$k=${landed[$k]}"; done | sort | tr '\n' ' ')"
[ "$n_runs" -ge 50 ] || fail "only $n_runs runs"
echo "crash_consistency: $n_runs kills, $n_old left the old generation, $n_new the new;" \
  "every one opened, answered exactly, and was repaired by the next update ($((SECONDS - started)) s)"
