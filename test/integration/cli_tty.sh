#!/usr/bin/env bash
# cli_tty.sh - codeidx in a real terminal (tmux): the live progress region at the end of a run, during a resize, after Ctrl-C (in-process and through a daemon), and colors with NO_COLOR.
source "$(dirname "$0")/cli_common.bash"
command -v tmux > /dev/null || fail "tmux is missing (scripts/install-deps.sh test installs it)"

PRELOAD=$(slow_preload)
T=$WORK/tree
mkdir -p "$T"
# 120 files whose opening is slowed down: an index run lasts about a second with 3
# threads, long enough to see the live region and to interrupt it.
for i in $(seq 1 120); do
  d="$T/dir$((i % 4))/some/deeper/path"
  mkdir -p "$d"
  printf 'int value%d;\nneedle %d\n' "$i" "$i" > "$d/file_with_a_rather_long_name_$i.slow"
done
COLS=100
ROWS=30
TMUX_USED=1
tx() { tmux -L "$TMUX_SOCKET" "$@"; }
tx new-session -d -s cli -x "$COLS" -y "$ROWS" "bash --norc --noprofile"
tx send-keys -t cli "export PS1='$ ' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' LC_ALL=C ASAN_OPTIONS='${ASAN_OPTIONS:-}'; unset NO_COLOR; cd '$T'" Enter

# The visible screen, and the screen with the history above it; a line the terminal
# wrapped is joined back into one (-J), so that its width shows.
screen() { tx capture-pane -p -J -t cli; }
everything() { tx capture-pane -p -J -t cli -S -; }
# wait_for REGEX [SECONDS]: polls the screen until a line matches.
wait_for() {
  local secs=${2:-30}
  for _ in $(seq $((secs * 20))); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.05
  done
  screen | sed 's/^/  | /' >&2
  fail "timed out waiting for /$1/ on the terminal"
}
# run_cmd CMD: clears the terminal and its history, then types CMD, which prints
# "EXIT<n>=<exit code>" when it ends; EXIT is then that marker, unique to the command.
runs=0
run_cmd() {
  runs=$((runs + 1))
  EXIT=EXIT$runs
  tx send-keys -t cli "clear; tmux -L $TMUX_SOCKET clear-history; $1; echo $EXIT=\$?" Enter
}
slow() { echo "SLOW_OPEN_MS=25 LD_PRELOAD='$PRELOAD' $CX"; }

# --- 1. A whole run: the live region while it runs, its final state at the end.
run_cmd "$(slow) index -j 3"
wait_for '^index \[#*\.+\] +[0-9]+% [0-9]+/120 files .* [1-3] busy'
wait_for '^  dir[0-3]/.*file_with_a_rather_long_name_[0-9]+\.slow [0-9]+ B (reading|indexing) [0-9.]+s$'
mid=$(screen)
wait_for "^$EXIT="
end=$(everything)
grep -qx "$EXIT=0" <<< "$end" || fail "index exited non-zero: $end"
for line in '^\[setup\] indexing .* with 3 threads$' '^\[setup\] found 120 files' \
            '^hash \[#+\] 100% 120/120 files .* 0 busy .*ETA 0:00$' \
            '^index \[#+\] 100% 120/120 files .* 0 busy .*ETA 0:00$' '^\[commit\] writing segment$' \
            '^done \[#+\] 100% 120/120 files .* 0 busy' \
            '^generation 1: 120 new, 0 changed, 0 touched, 0 unchanged, 0 deleted$'; do
  [ "$(grep -Ec -- "$line" <<< "$end")" = 1 ] || fail "not exactly one /$line/ at the end:\n$end"
done
grep -Eq '(reading|indexing) [0-9.]+s$' <<< "$end" && fail "file lines left on screen:\n$end"
grep -Eq '^index \[#*\.' <<< "$end" && fail "an unfinished status line was left:\n$end"
awk -v w="$COLS" '!/^\$ / && length($0) >= w { bad = 1 } END { exit bad }' <<< "$mid"$'\n'"$end" ||
  fail "a line fills the terminal width (it would wrap):\n$mid\n$end"
n_setup=$(grep -n '^\[setup\] indexing' <<< "$end" | cut -d: -f1)
n_done=$(grep -n '^generation 1:' <<< "$end" | cut -d: -f1)
[ $((n_done - n_setup)) = 6 ] || fail "extra lines between the first and the last line:\n$end"
ok "live region (bar, rates, busy threads, one line per file) while indexing; at the end exactly the final lines, no leftovers, within the width"

# --- 2. Resize while it runs: the region follows the new width, nothing is duplicated
# on screen. (A terminal that rewraps old lines may push their tops into its history;
# nothing can erase those.)
run_cmd "$(slow) index -j 3 --full"
wait_for '^index \[#*\.+\] '
tx resize-window -t cli -x 60
wait_for "^$EXIT="
end=$(screen)
tx resize-window -t cli -x "$COLS"
grep -qx "$EXIT=0" <<< "$end" || fail "index after resize: $end"
[ "$(grep -Ec '^index ' <<< "$end")" = 1 ] && [ "$(grep -Ec '^done ' <<< "$end")" = 1 ] ||
  fail "status lines duplicated after a resize:\n$end"
grep -Eq '^  dir' <<< "$end" && fail "file lines left after a resize:\n$end"
grep -Eq '^done .{0,54}$' <<< "$end" || fail "the final line does not fit 60 columns:\n$end"
ok "resize: the live region is redrawn at the new width without duplicates"

# --- 3. Ctrl-C in-process: the display says so, exit 130, the previous index intact.
gen=$(cx -C "$T" status | sed -n 's/^generation *//p')
run_cmd "$(slow) index -j 3 --full"
wait_for '^  dir.*\.slow [0-9]+ B (reading|indexing)'
tx send-keys -t cli C-c
wait_for "^$EXIT="
end=$(everything)
grep -qx "$EXIT=130" <<< "$end" || fail "Ctrl-C: exit code:\n$end"
grep -qx 'codeidx: cancelled; the previous index is intact' <<< "$end" || fail "Ctrl-C: no message:\n$end"
grep -Eq '^index \[#*\.+\] +[0-9]+% [0-9]+/120 files' <<< "$end" || fail "Ctrl-C: the region is gone:\n$end"
[ "$(grep -Ec '^index \[' <<< "$end")" = 1 ] || fail "Ctrl-C: duplicated status lines:\n$end"
[ "$(cx -C "$T" status | sed -n 's/^generation *//p')" = "$gen" ] || fail "Ctrl-C: the generation moved"
[ "$(cx -C "$T" search -c needle | wc -l)" = 120 ] || fail "Ctrl-C: the previous index does not answer"
ok "Ctrl-C in-process: the region shows the busy files, 'cancelled', exit 130, generation $gen intact"

# --- 4. Ctrl-C through a daemon (which runs the slow update): the same.
SLOW_OPEN_MS=25 LD_PRELOAD=$PRELOAD "$CX" -C "$T" daemon start > /dev/null
run_cmd "$CX index -j 3 --full"
wait_for '^  dir.*\.slow [0-9]+ B (reading|indexing)'
tx send-keys -t cli C-c
wait_for "^$EXIT="
end=$(everything)
grep -qx "$EXIT=130" <<< "$end" && grep -qx 'codeidx: cancelled; the previous index is intact' <<< "$end" ||
  fail "Ctrl-C through the daemon:\n$end"
cx -C "$T" daemon status > "$WORK/out" || fail "the daemon died"
grep -q 'update idle$' "$WORK/out" || fail "the daemon still updates: $(head -1 "$WORK/out")"
grep -q "^generation  $gen\$" "$WORK/out" || fail "Ctrl-C through the daemon: the generation moved"
ok "Ctrl-C through the daemon: cancelled, exit 130, the daemon is idle with generation $gen"

# --- 5. Colors on a terminal, and NO_COLOR.
run_cmd "$CX search -w needle -m 1 -g '*_7.slow'"
wait_for "^$EXIT="
# (tmux re-encodes what it shows: \e[1;31m comes back as \e[1m\e[31m.)
tx capture-pane -p -e -t cli | grep -q '31mneedle' || fail "no color on a terminal:\n$(tx capture-pane -p -e -t cli | cat -v)"
run_cmd "NO_COLOR=1 $CX search -w needle -m 1 -g '*_7.slow'"
wait_for "^$EXIT="
screen | grep -q 'file_with_a_rather_long_name_7.slow:2:needle 7' || fail "NO_COLOR search output"
tx capture-pane -p -e -t cli | grep -Eq $'\e\\[[0-9;]*3[0-9]m' && fail "NO_COLOR: colored anyway"
ok "search colors matches on a terminal; NO_COLOR turns it off"
