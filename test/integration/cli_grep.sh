#!/usr/bin/env bash
# cli_grep.sh - codeidx search's flags against grep on the same files (grep -P/-F/-i/-w/-A/-B/-C/-l/-c/-m, LC_ALL=C, -a), --json, --color, -g/-t, exit codes and error messages.
source "$(dirname "$0")/cli_common.bash"

T=$WORK/tree
mkdir -p "$T"
python3 - "$T" <<'EOF'
import os, sys
t = sys.argv[1]
def w(path, data):
    p = os.path.join(t, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)
w("src/main.c", b"#include <stdio.h>\n#include \"util.h\"\n\nint main(void)\n{\n\tint foo = 1;\n"
  b"\tint foobar = foo + 2; /* foo */\n\tprintf(\"Hello World\\n\");\n\treturn foo_bar(foo);\n}\n")
w("src/util.h", b"#ifndef UTIL_H\n#define UTIL_H\nint foo_bar(int foo);\nextern int FOO;\n#endif\n")
w("src/util.c", b"#include \"util.h\"\nint FOO = 3;\nint foo_bar(int foo)\n{\n\treturn foo * FOO;\n}\n")
w("docs/notes.txt", b"foo\nbar\nbaz\n\nFoo Bar\nfoofoo foo\na[0] = x.*y\n" + b"line\n" * 12 +
  b"foo at the end\nbar again\nno newline at the end: foo")
w("docs/more notes.md", b"# Title\n\nSome `foo` and `bar`.\n\n\n1234 56789\nAB_cd EF_gh\n")
w("py/tool.py", b"def foo():\n    return 'foo'\n\nclass Bar:\n    pass\n")
w("data/latin1.txt", b"caf\xe9 foo\nna\xefve bar\n\xff\xfe raw\n")
w("data/crlf.txt", b"foo\r\nbar\r\nend x\r\n")
# Text up front, a NUL past 8 KiB: indexed, and searched as text (grep -a).
w("data/late_nul.txt", b"text line\n" * 1000 + b"zero\x00byte foo\nafter foo\n")
# A NUL in the first 8 KiB: binary, not indexed, never searched.
w("data/bin.dat", b"foo\x00\x01\x02foo\n")
w("many.txt", b"".join(b"m%d foo\n" % i if i % 3 else b"m%d\n" % i for i in range(40)))
EOF

# The files codeidx indexes, in its order (bytes): every file but the binary one.
mapfile -t FILES < <(cd "$T" && find . -type f ! -name bin.dat | sed 's|^\./||' | sort)

cx -C "$T" index --progress=none > /dev/null
[ "$(cx -C "$T" status | sed -n 's/^files *//p')" = "${#FILES[@]}" ] || fail "indexed file count"

# same DESC CODEIDX_FLAGS -- GREP_ARGS...: codeidx search's stdout and exit code equal
# grep's over the indexed files (grep run with -H -n -a from the root).
same() {
  local desc=$1 ours=() rc1=0 rc2=0
  shift
  while [ "$1" != "--" ]; do ours+=("$1"); shift; done
  shift
  (cd "$T" && grep -H -n -a "$@" -- "${FILES[@]}") > "$WORK/want" 2> "$WORK/grep.err" || rc1=$?
  cx -C "$T" search "${ours[@]}" > "$WORK/got" 2> "$WORK/err" || rc2=$?
  if ! cmp -s "$WORK/want" "$WORK/got" || [ "$rc1" != "$rc2" ]; then
    diff "$WORK/want" "$WORK/got" | head -20 >&2 || true
    fail "$desc: codeidx search ${ours[*]} (exit $rc2) differs from grep $* (exit $rc1)"
  fi
}
# same_nonum: the same comparison for -l/-c, whose grep output has no line numbers.
same_nonum() {
  local desc=$1 ours=() rc1=0 rc2=0
  shift
  while [ "$1" != "--" ]; do ours+=("$1"); shift; done
  shift
  (cd "$T" && grep -H -a "$@" -- "${FILES[@]}") | grep -v ':0$' > "$WORK/want" || rc1=$?
  cx -C "$T" search "${ours[@]}" > "$WORK/got" 2> "$WORK/err" || rc2=$?
  if ! cmp -s "$WORK/want" "$WORK/got" || [ "$rc1" != "$rc2" ]; then
    diff "$WORK/want" "$WORK/got" | head -20 >&2 || true
    fail "$desc: codeidx search ${ours[*]} (exit $rc2) differs from grep $* (exit $rc1)"
  fi
}

n=0
for pat in 'foo' 'fo+\w*' '^#include' '\bint\b' 'a.c' '(foo|bar)(baz)?' '\d{3,}' '[A-Z]{2}_\w+' \
           'x$' '^$' '.' 'caf\xe9' '\xff' 'zero\x00byte' 'foo$' '(?i)hello' 'nomatch_at_all'; do
  same "regex $pat" "$pat" -- -P "$pat"
  same "-i $pat" -i "$pat" -- -P -i "$pat"
  same "-w $pat" -w "$pat" -- -P -w "$pat"
  n=$((n + 3))
done
for pat in 'foo' 'a[0]' '.*' 'x.*y' 'FOO' 'Foo Bar' 'foo_bar(' "\\d" 'end x'; do
  same "-F $pat" -F "$pat" -- -F "$pat"
  same "-F -i $pat" -F -i "$pat" -- -F -i "$pat"
  same "-F -w $pat" -F -w "$pat" -- -F -w "$pat"
  n=$((n + 3))
done
ok "$n patterns: -P, -F, -i, -w lines and exit codes equal grep's"

for ctx in "-A 1" "-B 2" "-C 1" "-C 3" "-A 0" "-A 2 -B 1" "-C 5 -A 0"; do
  # shellcheck disable=SC2086
  same "context $ctx" $ctx foo -- -P $ctx foo
  # shellcheck disable=SC2086
  same "context $ctx -i" $ctx -i '^bar' -- -P $ctx -i '^bar'
done
same "-m 2" -m 2 foo -- -P -m 2 foo
same "-m 1 -A 2" -m 1 -A 2 foo -- -P -m 1 -A 2 foo
same "-m 0" -m 0 foo -- -P -m 0 foo
same "-e -e" -e foo_bar -e '^bar' -- -P '(?:foo_bar)|(?:^bar)'
same "-F -e -e" -F -e 'a[0]' -e 'Foo' -- -F -e 'a[0]' -e 'Foo'
same "a pattern with a leading dash" -e -P -- -P -e -P
ok "context (-A -B -C, '--' between groups), -m, several -e equal grep's"

same_nonum "-l" -l foo -- -P -l foo
same_nonum "-l -i" -l -i hello -- -P -l -i hello
same_nonum "-c" -c foo -- -P -c foo
same_nonum "-c -w" -c -w foo -- -P -c -w foo
same_nonum "-c -m 2" -c -m 2 foo -- -P -c -m 2 foo
same_nonum "-l none" -l nomatch_at_all -- -P -l nomatch_at_all
ok "-l and -c (files without matches are not listed, as in ripgrep) equal grep's"

# -g and -t: grep over the files the glob or language selects.
sub() { local keep=() f; for f in "${FILES[@]}"; do case "${f##*/}" in $1) keep+=("$f") ;; esac; done; FILES=("${keep[@]}"); }
all=("${FILES[@]}")
sub '*.c'; same "-g *.c" -g '*.c' foo -- -P foo; FILES=("${all[@]}")
sub '*.[ch]'; same "-t c" -t c foo -- -P foo; FILES=("${all[@]}")
keep=(); for f in "${FILES[@]}"; do case "$f" in *.txt) [ "$f" != many.txt ] && keep+=("$f") ;; esac; done
FILES=("${keep[@]}"); same "-g *.txt -g !many.txt" -g '*.txt' -g '!many.txt' foo -- -P foo; FILES=("${all[@]}")
keep=(); for f in "${FILES[@]}"; do case "$f" in src/*) keep+=("$f") ;; esac; done
FILES=("${keep[@]}"); same "-g src/**" -g 'src/**' -i foo -- -P -i foo; FILES=("${all[@]}")
ok "-g globs (include, exclude, anchored) and -t languages select the files grep is given"

# --json: one {"match":...} object per output line, the same lines as the text output.
cx -C "$T" search -C 1 foo > "$WORK/text"
cx -C "$T" search --json -C 1 foo > "$WORK/json"
python3 - "$WORK/json" "$WORK/text" <<'EOF' || fail "--json does not hold the text output's lines"
import base64, json, sys
def b(v):
    return base64.b64decode(v["bytes"]) if isinstance(v, dict) else v.encode()
out = []
for line in open(sys.argv[1], "rb"):
    m = json.loads(line)["match"]
    sep = b"-" if m["context"] else b":"
    assert m["context"] == (m["spans"] == []), m
    out.append(b(m["path"]) + sep + str(m["line"]).encode() + sep + b(m["text"]))
text = [l for l in open(sys.argv[2], "rb").read().split(b"\n")[:-1] if l != b"--"]
assert out == text, (out[:5], text[:5])
EOF
expect_rc 2 cx -C "$T" search --json -l foo
grep -q 'cannot be combined' "$WORK/err" || fail "--json -l message"
ok "--json: one daemon match object per line, same lines as the text output"

# --color: always colors (paths, line numbers, matches); never and auto (not a tty) do not.
cx -C "$T" search --color=always -w foo_bar > "$WORK/color"
grep -q $'\e\\[1;31mfoo_bar\e\\[0m' "$WORK/color" || fail "--color=always: match not colored"
grep -q $'^\e\\[35msrc/main.c\e\\[0m:\e\\[32m9\e\\[0m:' "$WORK/color" || fail "--color=always: path/line"
sed 's/\x1b\[[0-9;]*m//g' "$WORK/color" | cmp -s - <(cx -C "$T" search -w foo_bar) ||
  fail "--color=always differs from plain output beyond the colors"
NO_COLOR=1 cx -C "$T" search --color=always -w foo_bar | grep -q $'\e' || fail "--color=always must beat NO_COLOR"
cx -C "$T" search --color=never foo | grep -q $'\e' && fail "--color=never colored"
cx -C "$T" search foo | grep -q $'\e' && fail "auto colored a pipe"
ok "--color=always|never|auto (NO_COLOR on a terminal: see cli_tty.sh)"

# Exit codes and messages.
expect_rc 1 cx -C "$T" search nomatch_at_all
[ ! -s "$WORK/out" ] && [ ! -s "$WORK/err" ] || fail "no match must print nothing"
expect_rc 2 cx -C "$T" search 'foo('
grep -q '^codeidx: .*missing closing parenthesis' "$WORK/err" && [ "$(wc -l < "$WORK/err")" = 1 ] ||
  fail "bad pattern message: $(cat "$WORK/err")"
expect_rc 2 cx -C "$T" search --bogus foo
grep -q "unrecognized option '--bogus'" "$WORK/err" && grep -q "codeidx search --help" "$WORK/err" ||
  fail "bad flag message: $(cat "$WORK/err")"
expect_rc 2 cx -C "$T" search -A x foo
grep -qx "codeidx: -A wants a number up to 10000, not 'x'" "$WORK/err" || fail "-A x: $(cat "$WORK/err")"
expect_rc 2 cx -C "$T" search --color=sometimes foo
expect_rc 2 cx -C "$T" index --progress=sometimes
grep -qx "codeidx: --progress wants tty, plain, json or none, not 'sometimes'" "$WORK/err" || fail "--progress"
expect_rc 2 cx -C "$T" index -j many
expect_rc 2 cx -C "$T" index --bogus
grep -q "codeidx index --help" "$WORK/err" || fail "index: bad flag message: $(cat "$WORK/err")"
expect_rc 2 cx -C "$T" status extra
expect_rc 2 cx -C "$T" daemon start extra
expect_rc 2 cx -C "$T" search
grep -q 'no pattern' "$WORK/err" || fail "no pattern message"
expect_rc 2 cx -C "$T" search foo extra
grep -q "unexpected argument 'extra'" "$WORK/err" || fail "extra argument message"
expect_rc 2 cx -C "$T" bogus
grep -q "unknown command 'bogus'" "$WORK/err" || fail "unknown command message"
mkdir "$WORK/empty"
expect_rc 2 cx -C "$WORK/empty" search foo
grep -qx "codeidx: no index at $WORK/empty; create one with: codeidx -C $WORK/empty index" "$WORK/err" ||
  fail "missing index message: $(cat "$WORK/err")"
expect_rc 2 cx -C "$WORK/empty" status
grep -q "create one with" "$WORK/err" || fail "status without index"
expect_rc 2 cx -C "$WORK/nowhere" search foo
grep -qx "codeidx: cannot use $WORK/nowhere as the root: No such file or directory" "$WORK/err" ||
  fail "missing root message: $(cat "$WORK/err")"
expect_rc 2 cx -C "$T/many.txt" index --progress=none
grep -q "^codeidx: .*many.txt" "$WORK/err" || fail "file as root: $(cat "$WORK/err")"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
  # An unreadable root, for a user who cannot read it (root reads everything).
  mkdir -m 700 "$WORK/private"
  chmod 755 "$WORK"
  expect_rc 2 setpriv --reuid=65534 --regid=65534 --clear-groups "$CX" -C "$WORK/private" index --progress=none
  grep -q "^codeidx: .*Permission denied" "$WORK/err" || fail "unreadable root: $(cat "$WORK/err")"
fi
ok "exit codes 0/1/2 and one-line messages (bad pattern, bad flag, bad number, missing index, missing/unreadable root)"

# -C default: the nearest parent with .codeidx/, else the current directory.
(cd "$T/src" && cx search -w FOO) > "$WORK/got" || fail "search from a subdirectory"
grep -q '^src/util.h:4:extern int FOO;$' "$WORK/got" || fail "root not found from a subdirectory"
(cd "$WORK/empty" && expect_rc 2 cx status)
grep -q "no index at $WORK/empty;" "$WORK/err" || fail "default root: $(cat "$WORK/err")"
ok "-C defaults to the nearest parent with .codeidx/, else the current directory"

# --help on every command, on stdout, exit 0.
for cmd in "" index search status daemon "daemon start"; do
  # shellcheck disable=SC2086
  expect_rc 0 cx $cmd --help
  grep -q "^usage: codeidx" "$WORK/out" || fail "codeidx $cmd --help"
done
expect_rc 0 cx --version
ok "--help on every command"
