#!/usr/bin/env bash
# Installs into a DESTDIR, builds an out-of-tree program with pkg-config against the installed shared library, runs it, uninstalls.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
top=$PWD
# The build directory names the sanitizers (build-address-undefined): install that build.
san=""
case "$BUILD" in build-*) san=$(echo "${BUILD#build-}" | tr - ,) ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install.sh: FAIL: $*" >&2; exit 1; }
# has PATTERN CMD...: CMD's output matches PATTERN. (Not `CMD | grep -q`: under pipefail
# an early grep exit can fail the pipeline with SIGPIPE.)
has() { local pat=$1 out; shift; out=$("$@") && grep -q -- "$pat" <<< "$out"; }
dest="$work/dest"
prefix=/usr/local
root="$dest$prefix"

# --- 1. install
make -s --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" SANITIZE="$san" \
  > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "make install"; }
for f in include/codeidx.h lib/libcodeidx.a lib/libcodeidx.so.0.1.0 lib/pkgconfig/codeidx.pc bin/codeidx \
    share/man/man1/codeidx.1; do
  [ -f "$root/$f" ] || fail "not installed: $prefix/$f"
done
[ "$(readlink "$root/lib/libcodeidx.so.0")" = libcodeidx.so.0.1.0 ] || fail "libcodeidx.so.0 link"
[ "$(readlink "$root/lib/libcodeidx.so")" = libcodeidx.so.0 ] || fail "libcodeidx.so link"
has 'SONAME.*\[libcodeidx.so.0\]' readelf -d "$root/lib/libcodeidx.so.0.1.0" || fail "soname"
# Only the public API is exported.
if nm -D --defined-only "$root/lib/libcodeidx.so.0.1.0" | awk '$2 ~ /^[TDB]$/ {print $3}' |
  grep -v '^codeidx_' | grep -v '^_' > "$work/exports"; then
  fail "symbols without the codeidx_ prefix exported: $(head -5 "$work/exports" | tr '\n' ' ')"
fi

# --- 2. pkg-config. As installed (no DESTDIR) the flags would be exactly these:
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
# shellcheck disable=SC2046,SC2116  # echo $(...) trims pkg-config's trailing blank
pcw() { echo $(pkg-config "$@" codeidx); }
[ "$(pcw --cflags)" = "-I$prefix/include" ] || fail "cflags: $(pcw --cflags)"
[ "$(pcw --libs)" = "-L$prefix/lib -lcodeidx" ] || fail "libs: $(pcw --libs)"
[ "$(pcw --modversion)" = "$(sed -n 's/^#define CODEIDX_VERSION_STRING "\(.*\)"/\1/p' include/codeidx.h)" ] ||
  fail "pkg-config version $(pcw --modversion)"
# On the DESTDIR tree, PKG_CONFIG_SYSROOT_DIR maps them into it. pkgconf also prefixes
# the system modules of Requires.private (-I$dest/usr/include, which does not exist and
# is harmless); pkgconf's --define-prefix is worse (it relocates those modules too).
# shellcheck disable=SC2046,SC2116
pc() { echo $(PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config "$@" codeidx); }
cflags=$(pc --cflags); libs=$(pc --libs)
case "$cflags " in "-I$root/include "*) ;; *) fail "sysroot cflags: $cflags" ;; esac
[ "$libs" = "-L$root/lib -lcodeidx" ] || fail "sysroot libs: $libs"
static_libs=$(pc --static --libs)
for l in -lpcre2-8 -lxxhash -lbsd -pthread; do
  case " $static_libs " in *" $l "*) ;; *) fail "--static --libs lacks $l: $static_libs" ;; esac
done

# --- 3. an out-of-tree program: only the installed header and library.
mkdir "$work/app" "$work/tree"
cat > "$work/app/app.c" <<'C'
#include <codeidx.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int on_match(const codeidx_match *m, void *user)
{
	(void)user;
	printf("%s:%" PRIu64 ":%.*s\n", m->path, m->line, (int)m->text_len, m->text);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	printf("version %s\n", codeidx_version());
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, argv[1], &oo);
	if (!rc)
		rc = codeidx_update(idx, NULL, NULL);
	if (!rc)
		rc = codeidx_search(idx, argv[2], strlen(argv[2]), NULL, on_match, NULL, NULL);
	if (rc)
		fprintf(stderr, "app: %s: %s\n", codeidx_strerror(rc), codeidx_error_detail());
	codeidx_close(idx);
	return rc ? 1 : 0;
}
C
printf 'int installed_needle;\nother\n' > "$work/tree/a.c"
printf 'x\n/* installed_needle */\n' > "$work/tree/b.h"
sanflags=${san:+-fsanitize=$san}
# shellcheck disable=SC2086  # word splitting of pkg-config output is intended
(cd "$work/app" && cc -std=c11 -Wall -Wextra -Werror $sanflags -o app app.c $cflags $libs) ||
  fail "compiling the out-of-tree program"
app="$work/app/app"
has 'NEEDED.*\[libcodeidx.so.0\]' readelf -d "$app" || fail "app does not need libcodeidx.so.0"
has ' U codeidx_open$' nm "$app" || fail "app has codeidx_open built in, not from the shared library"
export LD_LIBRARY_PATH="$root/lib"
has "libcodeidx.so.0 => $root/lib/libcodeidx.so.0 " ldd "$app" ||
  fail "app does not load the installed library: $(ldd "$app" | grep codeidx || true)"
out=$("$app" "$work/tree" installed_needle) || fail "app exited $?"
expect=$(printf 'version %s\na.c:1:int installed_needle;\nb.h:2:/* installed_needle */' "$(pc --modversion)")
[ "$out" = "$expect" ] || fail "app output:\n$out\nexpected:\n$expect"
# A static link with --static flags works too (checks Requires.private).
# shellcheck disable=SC2086
(cd "$work/app" && cc -std=c11 $sanflags -o app-static app.c $cflags "$root/lib/libcodeidx.a" \
  $(pc --static --libs-only-other --libs-only-l | sed 's/-lcodeidx//')) || fail "static link"
has ' T codeidx_open$' nm "$work/app/app-static" || fail "static app lacks codeidx_open"
"$work/app/app-static" "$work/tree" installed_needle > /dev/null || fail "static app"
unset LD_LIBRARY_PATH
"$root/bin/codeidx" -C "$work/tree" search -F installed_needle > /dev/null || fail "installed CLI"

# --- 4. uninstall removes every file and link that install put there.
make -s --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" SANITIZE="$san" \
  > "$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log"; fail "make uninstall"; }
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "left after uninstall:\n$left"
echo "install.sh: ok"
