#!/usr/bin/env bash
# Oracle test: codeidx search vs grep -P (-F/-i/-w) on a copy of this repository and
# on a generated tree of edge cases (CRLF, no final newline, empty files, 100 KB lines,
# UTF-8 and invalid UTF-8, NUL bytes after 8 KiB, names with spaces, quotes, newlines);
# then on large files read in part through their block summaries (blocks_oracle.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
mkdir -p "$BUILD/test"
# Same sanitizer runtime as the library when make check runs with SANITIZE=...
cc -O2 -Iinclude ${SANITIZE:+-fsanitize=$SANITIZE} -o "$BUILD/test/search_dump" test/integration/search_dump.c \
  "$BUILD/libcodeidx.a" -lpcre2-8 -lxxhash -lbsd -pthread
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. This repository's tracked sources (no .git: .gitignore rules are not in force).
mkdir "$work/repo"
git ls-files -z | xargs -0 cp --parents -t "$work/repo" 2>/dev/null || \
  cp -r include lib cli test "$work/repo/"

# 2. Edge cases.
e="$work/edge"
mkdir -p "$e/sub dir" "$e/deep/er/still"
printf 'hello world\r\nline\r\nHELLO World needle\r\n' > "$e/crlf.txt"
printf 'first\ntail-no-newline' > "$e/nofinal.txt"
: > "$e/empty.c"
printf '\n\n\n' > "$e/blank-lines.txt"
printf '\nneedle after a leading newline\n' > "$e/leading-newline.txt"
printf 'g b\nxx\nab cd ef\nfoo\nfoo bar\na  \nb\nkk\n' > "$e/line-ends.txt"
python3 - "$e" <<'PY'
import os, sys
e = sys.argv[1]
open(os.path.join(e, "long.txt"), "wb").write(b"x" * 100000 + b" long line marker " + b"y" * 5000 + b"\nshort\n" + b"z" * 150 + b"y\n")
open(os.path.join(e, "utf8.txt"), "wb").write("café crème\nnaïve ünïcode NEEDLE\n日本語 needle\n".encode())
open(os.path.join(e, "invalid.txt"), "wb").write(b"bad \xff\xfe bytes\ncaf\xe9 latin1\nok needle line\n")
open(os.path.join(e, "late-nul.txt"), "wb").write(b"a" * 9000 + b"\n" + b"after nul\0 hidden needle\n")
open(os.path.join(e, "early-nul.bin"), "wb").write(b"needle\0binary\n")
open(os.path.join(e, "sub dir", "space name.c"), "wb").write(b"static int x;\nint main(void) { return -1; }\n")
open(os.path.join(e, 'q"uote\'s.txt'), "wb").write(b'q"uote and back\\slash\n')
open(os.path.join(e, "new\nline.txt"), "wb").write(b"needle in a file with a newline in its name\n")
open(os.path.join(e, "colon:in:name"), "wb").write(b"colon:in:name inside\n")
open(os.path.join(e, "deep", "er", "still", "x.h"), "wb").write(b"#include <stdio.h>\nfoo_bar foobar foo bar\nTODO: x\n\tTab\n" + b"1234 56789\n" * 3)
open(os.path.join(e, "words.txt"), "wb").write(b"x xx x_x x-x\nNeedle needles NEEDLE\nif a else b\nfoo fooo foobar\n abc \n")
PY
python3 test/integration/search_oracle.py "$BUILD" "$work/repo" "$e"
python3 test/integration/blocks_oracle.py "$BUILD" "$work"
