#!/usr/bin/env bash
# Indexing benchmark: codeidx against cindex (Debian's codesearch) on the Linux 6.1 tree,
# side by side in one run, warm page cache. Prints medians of REPS runs.
# Usage: bench/index_bench.sh [BUILD_DIR] (corpus from shared/bench/linux-corpus.sh, or
# CODEIDX_BENCH_TREE=/some/tree to use another tree).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
REPS=${REPS:-3}
tree=${CODEIDX_BENCH_TREE:-$(bash ../shared/bench/linux-corpus.sh)}
timer=$BUILD/bench/index_timer
mkdir -p "$BUILD/bench"
cc -O2 -Iinclude -o "$timer" bench/index_timer.c "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_rss CMD... -> "seconds kilobytes" (GNU time)
time_rss() { /usr/bin/time -f '%e %M' -o "$scratch/t" "$@" >/dev/null 2>&1; cat "$scratch/t"; }

echo "tree: $tree ($(find "$tree" -type f -not -path '*/.codeidx/*' | wc -l) files, $(du -sh --exclude=.codeidx "$tree" | cut -f1))"
echo "warming the page cache..."
find "$tree" -type f -not -path '*/.codeidx/*' -print0 | xargs -0 cat >/dev/null 2>&1 || true

ci_t=(); ci_m=(); cx_t=(); cx_m=()
for r in $(seq "$REPS"); do
  rm -f "$scratch/csearchindex"
  read -r t m < <(CSEARCHINDEX="$scratch/csearchindex" time_rss cindex "$tree")
  ci_t+=("$t"); ci_m+=("$m")
  rm -rf "$tree/.codeidx"
  read -r t m < <(time_rss "$timer" "$tree")
  cx_t+=("$t"); cx_m+=("$m")
done
ci_size=$(stat -c %s "$scratch/csearchindex")
cx_size=$(du -sb "$tree/.codeidx" | cut -f1)
ct=$(printf '%s\n' "${ci_t[@]}" | median); cm=$(printf '%s\n' "${ci_m[@]}" | median)
xt=$(printf '%s\n' "${cx_t[@]}" | median); xm=$(printf '%s\n' "${cx_m[@]}" | median)

noop=(); touch1=(); slow=(); fast=()
victim=$(find "$tree" -name '*.c' -not -path '*/.codeidx/*' -print -quit)
for r in $(seq "$REPS"); do
  noop+=("$("$timer" "$tree")")
  touch "$victim"; echo "/* bench $r */" >> "$victim"
  touch1+=("$("$timer" "$tree")")
  fast+=("$("$timer" --full "$tree")")
  slow+=("$("$timer" --full --sleep-ms 20 "$tree")")
done
# restore the victim file
sed -i '/^\/\* bench [0-9]* \*\/$/d' "$victim"
"$timer" "$tree" >/dev/null

nt=$(printf '%s\n' "${noop[@]}" | median); tt=$(printf '%s\n' "${touch1[@]}" | median)
ft=$(printf '%s\n' "${fast[@]}" | median); st=$(printf '%s\n' "${slow[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-44s %12s %12s %8s %s\n' "measure (median of $REPS)" "codeidx" "cindex" "ratio" "target"
printf '%-44s %12s %12s %8s %s\n' "full index, wall seconds" "$xt" "$ct" "$(ratio "$xt" "$ct")" "<= 0.50"
printf '%-44s %12s %12s %8s %s\n' "full index, peak RSS (MiB)" "$((xm / 1024))" "$((cm / 1024))" "$(ratio "$xm" "$cm")" "<= 0.50"
printf '%-44s %12s %12s %8s %s\n' "index size (MiB)" "$((cx_size >> 20))" "$((ci_size >> 20))" "$(ratio "$cx_size" "$ci_size")" "<= 1.00"
printf '%-44s %12s %12s %8s %s\n' "re-run, no changes (s)" "$nt" "-" "-" "< 0.5 s"
printf '%-44s %12s %12s %8s %s\n' "re-run, one file changed (s)" "$tt" "-" "-" "< 1 s"
printf '%-44s %12s %12s %8s %s\n' "full rebuild, 20 ms/event callback (s)" "$st" "$ft" "$(ratio "$st" "$ft")" "<= 1.10 (vs no callback)"
