#!/usr/bin/env bash
# Installs the Debian packages libcodeidx builds and tests with, only if missing.
# Safe to run repeatedly; needs root (or sudo) only when something is missing.
set -euo pipefail
build_pkgs=(gcc make pkg-config libcjson-dev libxxhash-dev libpcre2-dev libbsd-dev libcmocka-dev)
test_pkgs=(git tmux python3 clang)
bench_pkgs=(codesearch ripgrep time)
want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  valgrind) want+=(valgrind) ;;
  *) echo "usage: $0 [build|test|bench|valgrind]" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
