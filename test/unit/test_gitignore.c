/* test_gitignore.c - unit tests of gitignore pattern compilation, matching and wildmatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codeidx.h"
#include "walk/gitignore.h"

enum { N = CX_IGNORE_NONE, X = CX_IGNORE_EXCLUDE, I = CX_IGNORE_INCLUDE };

/* Verdict of `text` (len bytes, or strlen when len is 0) compiled at `base` for the
 * path; a path ending in '/' is a directory. */
static int verdict_len(const char *text, size_t len, const char *base, const char *path)
{
	cx_ignore_list *l;
	assert_int_equal(cx_ignore_list_new(&l, text, len ? len : strlen(text), base, strlen(base)), 0);
	size_t n = strlen(path);
	int is_dir = n && path[n - 1] == '/';
	cx_ignore_path p;
	cx_ignore_path_init(&p, path, n - (size_t)is_dir, is_dir);
	int v = (int)cx_ignore_list_match(l, &p);
	cx_ignore_list_free(l);
	return v;
}

static int verdict(const char *text, const char *path)
{
	return verdict_len(text, 0, "", path);
}

struct wcase {
	const char *pat, *text;
	unsigned flags;
	int want;
};

static void test_wildmatch(void **state)
{
	(void)state;
	static const struct wcase cases[] = {
		{"", "", 0, 1},
		{"", "a", 0, 0},
		{"abc", "abc", 0, 1},
		{"abc", "abd", 0, 0},
		{"a?c", "abc", 0, 1},
		{"a?c", "a/c", CX_WILDMATCH_PATHNAME, 0},
		{"a?c", "a/c", 0, 1},
		{"*", "a/b", 0, 1},
		{"*", "a/b", CX_WILDMATCH_PATHNAME, 0},
		{"**", "a/b", CX_WILDMATCH_PATHNAME, 1},
		{"a**b", "axb", CX_WILDMATCH_PATHNAME, 1},
		{"a**b", "a/b", CX_WILDMATCH_PATHNAME, 0}, /* not a whole component: a '*' */
		{"**/b", "b", CX_WILDMATCH_PATHNAME, 1},
		{"**/b", "a/x/b", CX_WILDMATCH_PATHNAME, 1},
		{"**/b", "a/xb", CX_WILDMATCH_PATHNAME, 0},
		{"a/**/b", "a/b", CX_WILDMATCH_PATHNAME, 1},
		{"a/**/b", "a/x/y/b", CX_WILDMATCH_PATHNAME, 1},
		{"a/**/b", "ab", CX_WILDMATCH_PATHNAME, 0},
		{"a/**", "a/x/y", CX_WILDMATCH_PATHNAME, 1},
		{"*/b", "a/x/b", CX_WILDMATCH_PATHNAME, 0},
		{"*/b", "a/b", CX_WILDMATCH_PATHNAME, 1},
		{"*a", "", 0, 0},
		{"*", "", 0, 1},
		{"a*", "a", 0, 1},
		{"*.c", "x.c", 0, 1},
		{"*.c", "x.h", 0, 0},
		{"a*b*c", "aXbYbZc", 0, 1},
		{"a*b*c", "aXbYbZ", 0, 0},
		{"a\\*", "a*", 0, 1},
		{"a\\*", "ab", 0, 0},
		{"a\\", "a\\", 0, 0}, /* a trailing backslash never matches */
		{"\\a", "a", 0, 1},
		{"[abc]", "b", 0, 1},
		{"[abc]", "d", 0, 0},
		{"[!abc]", "d", 0, 1},
		{"[^abc]", "a", 0, 0},
		{"[a-c]", "b", 0, 1},
		{"[c-a]", "b", 0, 0},
		{"[a-]", "-", 0, 1},
		{"[-a]", "-", 0, 1},
		{"[]]", "]", 0, 1},
		{"[]a]", "a", 0, 1},
		{"[!]]", "]", 0, 0},
		{"[!]]", "x", 0, 1},
		{"[\\]]", "]", 0, 1},
		{"[a\\-c]", "b", 0, 0},
		{"[a\\-c]", "-", 0, 1},
		{"[abc", "a", 0, 0},  /* unterminated: never */
		{"[abc", "[abc", 0, 0},
		{"[]", "]", 0, 0},
		{"[[:digit:]]", "7", 0, 1},
		{"[[:digit:]]", "x", 0, 0},
		{"[[:alpha:][:digit:]]", "x", 0, 1},
		{"[![:alpha:]]", "x", 0, 0},
		{"[[:bogus:]]", "x", 0, 0},
		{"[[:space:]]", "\t", 0, 1},
		{"[[:space:]]", "\v", 0, 0}, /* git's ctype: no \v or \f */
		{"[[:cntrl:]]", "\x7f", 0, 1},
		{"[[:upper:]]", "\xc3", 0, 0},
		{"[[:punct:]]", "_", 0, 1},
		{"[[:xdigit:]]", "F", 0, 1},
		{"[[:a]", "[", 0, 1}, /* no ":]": '[' ':' 'a' are members */
		{"[[:a]", ":", 0, 1},
		{"[[:a]", "a", 0, 1},
		{"[[:-z]", "A", 0, 1}, /* the range ':'-'z' */
		{"[[:x]]y", "x]y", 0, 1},
		{"[/]", "/", CX_WILDMATCH_PATHNAME, 0},
		{"[!a]", "/", CX_WILDMATCH_PATHNAME, 0},
		{"[\x80-\xff]", "\xe9", 0, 1},
		{"**/", "a/", CX_WILDMATCH_PATHNAME, 1},
		{"a/**\\/b", "a/x/b", CX_WILDMATCH_PATHNAME, 1},
		{"*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct wcase *c = &cases[i];
		int got = cx_wildmatch(c->pat, strlen(c->pat), c->text, strlen(c->text), c->flags);
		if (got != c->want)
			fail_msg("wildmatch(\"%s\", \"%s\", %u) = %d, want %d", c->pat, c->text,
				 c->flags, got, c->want);
	}
}

static void test_basename_patterns(void **state)
{
	(void)state;
	assert_int_equal(verdict("foo", "foo"), X);
	assert_int_equal(verdict("foo", "a/b/foo"), X);
	assert_int_equal(verdict("foo", "a/foo/"), X);
	assert_int_equal(verdict("foo", "foo.c"), N);
	assert_int_equal(verdict("foo", "xfoo"), N);
	assert_int_equal(verdict("foo", "foo/x"), N); /* the parent rule is the walk's */
	assert_int_equal(verdict("*.c", "a/b.c"), X);
	assert_int_equal(verdict("*.c", ".c"), X);
	assert_int_equal(verdict("*.c", "c"), N);
	assert_int_equal(verdict("*.tar.gz", "a.tar.gz"), X);
	assert_int_equal(verdict("*.tar.gz", "tar.gz"), N);
	assert_int_equal(verdict("*~", "a~"), X);
	assert_int_equal(verdict(".*", ".hidden"), X);
	assert_int_equal(verdict(".*", "a.b"), N);
	assert_int_equal(verdict("cscope.*", "d/cscope.out"), X);
	assert_int_equal(verdict("*.[ch]", "x.h"), X);
	assert_int_equal(verdict("*.[ch]", "x.o"), N);
	assert_int_equal(verdict("*.asn1.[ch]", "x.asn1.c"), X);
	assert_int_equal(verdict("*.asn1.[ch]", "x.asn2.c"), N);
	assert_int_equal(verdict("*", "anything/at/all"), X);
	assert_int_equal(verdict("**", "a/b"), X);
	assert_int_equal(verdict("?", "a/b"), X);
	assert_int_equal(verdict("?", "a/bc"), N);
}

static void test_dir_only_and_anchored(void **state)
{
	(void)state;
	assert_int_equal(verdict("foo/", "foo/"), X);
	assert_int_equal(verdict("foo/", "foo"), N);
	assert_int_equal(verdict("foo/", "a/foo/"), X);
	assert_int_equal(verdict("*.d/", "x.d/"), X);
	assert_int_equal(verdict("*.d/", "x.d"), N);
	assert_int_equal(verdict("**/", "x/"), X);
	assert_int_equal(verdict("**/", "x"), N);
	assert_int_equal(verdict("/foo", "foo"), X);
	assert_int_equal(verdict("/foo", "a/foo"), N);
	assert_int_equal(verdict("a/b", "a/b"), X);
	assert_int_equal(verdict("a/b", "x/a/b"), N);
	assert_int_equal(verdict("a/b/", "a/b"), N);
	assert_int_equal(verdict("a/b/", "a/b/"), X);
	assert_int_equal(verdict("/*", "x"), X);
	assert_int_equal(verdict("/*", "d/"), X);
	assert_int_equal(verdict("/*", "d/x"), N);
	assert_int_equal(verdict("a/*.c", "a/x.c"), X);
	assert_int_equal(verdict("a/*.c", "a/b/x.c"), N);
	assert_int_equal(verdict("doc/?.txt", "doc/a.txt"), X);
	assert_int_equal(verdict("doc/?.txt", "doc/ab.txt"), N);
	assert_int_equal(verdict("/arch/*/gen/", "arch/x86/gen/"), X);
	assert_int_equal(verdict("/arch/*/gen/", "arch/x86/y/gen/"), N);
	/* "//" and "/" match nothing; "foo//" needs an empty component */
	assert_int_equal(verdict("/\n//\nfoo//", "foo/"), N);
}

static void test_double_star(void **state)
{
	(void)state;
	assert_int_equal(verdict("**/foo", "foo"), X);
	assert_int_equal(verdict("**/foo", "a/b/foo"), X);
	assert_int_equal(verdict("**/foo", "xfoo"), N);
	assert_int_equal(verdict("/**/foo", "a/foo"), X);
	assert_int_equal(verdict("**/foo/bar", "foo/bar"), X);
	assert_int_equal(verdict("**/foo/bar", "a/foo/bar"), X);
	assert_int_equal(verdict("**/foo/bar", "foo/x/bar"), N);
	assert_int_equal(verdict("a/**/b", "a/b"), X);
	assert_int_equal(verdict("a/**/b", "a/x/y/b"), X);
	assert_int_equal(verdict("a/**/b", "a/xb"), N);
	assert_int_equal(verdict("a/**", "a/x/y"), X);
	assert_int_equal(verdict("a/**", "a/"), N);
	/* git compares the literal head first and globs the rest on its own, so this
	 * "**" counts as a leading one: the quirk is kept */
	assert_int_equal(verdict("foo**/bar", "foo/bar"), X);
	assert_int_equal(verdict("foo**/bar", "foo/x/bar"), X);
	assert_int_equal(verdict("foo**/bar", "foox/bar"), X);
	assert_int_equal(verdict("foo**/bar", "fo/bar"), N);
}

static void test_negation_last_match_wins(void **state)
{
	(void)state;
	assert_int_equal(verdict("*\n!foo", "foo"), I);
	assert_int_equal(verdict("*\n!foo", "bar"), X);
	assert_int_equal(verdict("!foo\n*", "foo"), X);
	/* across the hashed and scanned kinds */
	assert_int_equal(verdict("*.o\nfoo.o\n!*.o", "foo.o"), I);
	assert_int_equal(verdict("!*.o\nfoo.o", "foo.o"), X);
	assert_int_equal(verdict("x.*\n!x.o", "x.o"), I);
	assert_int_equal(verdict("!x.o\nx.*", "x.o"), X);
	assert_int_equal(verdict("/a/b\n!b", "a/b"), I);
	assert_int_equal(verdict("!b\n/a/b", "a/b"), X);
	assert_int_equal(verdict("foo/\n!foo", "foo/"), I);
	assert_int_equal(verdict("!foo\nfoo/", "foo/"), X);
	assert_int_equal(verdict("!foo\nfoo/", "foo"), I);
	assert_int_equal(verdict("!foo", "bar"), N);
}

static void test_line_syntax(void **state)
{
	(void)state;
	assert_int_equal(verdict("#foo\n\nbar", "#foo"), N);
	assert_int_equal(verdict("\\#foo", "#foo"), X);
	assert_int_equal(verdict("\\!foo", "!foo"), X);
	assert_int_equal(verdict(" #foo", " #foo"), X);
	assert_int_equal(verdict("foo  ", "foo"), X);
	assert_int_equal(verdict("foo  ", "foo "), N);
	assert_int_equal(verdict("foo\\ ", "foo "), X);
	assert_int_equal(verdict("foo\\ ", "foo"), N);
	assert_int_equal(verdict("foo\\  ", "foo "), X);
	assert_int_equal(verdict("foo \\", "foo \\"), N); /* lone trailing backslash */
	assert_int_equal(verdict("foo\t", "foo"), N);       /* tabs are not trimmed */
	assert_int_equal(verdict("foo\t", "foo\t"), X);
	assert_int_equal(verdict("foo\r\nbar\r\n", "foo"), X);
	assert_int_equal(verdict("foo\r\nbar\r\n", "bar"), X);
	assert_int_equal(verdict("foo\r\r\n", "foo\r"), X); /* only one CR is dropped */
	assert_int_equal(verdict("\xef\xbb\xbf" "foo", "foo"), X);
	assert_int_equal(verdict("x\n\xef\xbb\xbf" "foo", "\xef\xbb\xbf" "foo"), X);
	assert_int_equal(verdict_len("foo\0bar\nbaz", 11, "", "foo"), X);
	assert_int_equal(verdict_len("foo\0bar\nbaz", 11, "", "foobar"), N);
	assert_int_equal(verdict_len("foo\0bar\nbaz", 11, "", "baz"), X);
	assert_int_equal(verdict("no-newline-at-end", "no-newline-at-end"), X);
	assert_int_equal(verdict("!", "!"), N);
	assert_int_equal(verdict("\xff\xfe", "d/\xff\xfe"), X);
	assert_int_equal(verdict("new?line", "new\nline"), X);
}

static void test_list_size(void **state)
{
	(void)state;
	cx_ignore_list *l;
	const char *t = "# c\n\n  \na\n!b\n/\nc/\n";
	assert_int_equal(cx_ignore_list_new(&l, t, strlen(t), "", 0), 0);
	assert_int_equal(cx_ignore_list_size(l), 3);
	cx_ignore_list_free(l);
	assert_int_equal(cx_ignore_list_new(&l, NULL, 0, NULL, 0), 0);
	assert_int_equal(cx_ignore_list_size(l), 0);
	cx_ignore_list_free(l);
	cx_ignore_list_free(NULL);
}

static void test_base_directory(void **state)
{
	(void)state;
	assert_int_equal(verdict_len("foo", 0, "sub", "sub/foo"), X);
	assert_int_equal(verdict_len("foo", 0, "sub", "sub/a/foo"), X);
	assert_int_equal(verdict_len("foo", 0, "sub", "foo"), N);
	assert_int_equal(verdict_len("foo", 0, "sub", "subx/foo"), N);
	assert_int_equal(verdict_len("/foo", 0, "sub", "sub/foo"), X);
	assert_int_equal(verdict_len("/foo", 0, "sub", "sub/a/foo"), N);
	assert_int_equal(verdict_len("a/b", 0, "s/t", "s/t/a/b"), X);
	assert_int_equal(verdict_len("a/b", 0, "s/t", "s/a/b"), N);
	assert_int_equal(verdict_len("/*", 0, "s/t", "s/t/x"), X);
	assert_int_equal(verdict_len("/*", 0, "s/t", "s/t/x/y"), N);
	assert_int_equal(verdict_len("x/**/y", 0, "s", "s/x/1/2/y"), X);
	assert_int_equal(verdict_len("*", 0, "s", "s/"), N);
}

static void test_match_lists(void **state)
{
	(void)state;
	cx_ignore_list *info, *root, *sub;
	assert_int_equal(cx_ignore_list_new(&info, "*.log\n*.tmp", 11, "", 0), 0);
	assert_int_equal(cx_ignore_list_new(&root, "*.c\n!*.tmp", 10, "", 0), 0);
	assert_int_equal(cx_ignore_list_new(&sub, "!keep.c", 7, "sub", 3), 0);
	const cx_ignore_list *lists[] = {info, root, NULL, sub};
	struct {
		const char *path;
		int want;
	} cases[] = {
		{"keep.c", X},     {"sub/keep.c", I}, {"sub/other.c", X}, {"a.log", X},
		{"sub/a.log", X}, {"x.tmp", I},      {"readme", N},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cx_ignore_path p;
		cx_ignore_path_init(&p, cases[i].path, strlen(cases[i].path), 0);
		int got = (int)cx_ignore_match_lists(lists, 4, &p);
		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].path, got, cases[i].want);
	}
	cx_ignore_list_free(info);
	cx_ignore_list_free(root);
	cx_ignore_list_free(sub);
}

static void test_path_init(void **state)
{
	(void)state;
	cx_ignore_path p;
	cx_ignore_path_init(&p, "a/b.c/x.tar.gz", 14, 0);
	assert_int_equal(p.base, 6);
	assert_int_equal(p.ext, 11);
	assert_int_equal(p.slashes, 2);
	cx_ignore_path_init(&p, "a.d/noext", 9, 1);
	assert_int_equal(p.base, 4);
	assert_int_equal(p.ext, 9);
	assert_true(p.is_dir);
}

/* Many patterns of every kind in one list: the fast paths give the same answers as
 * plain wildmatch of each pattern in turn. */
static void test_many_patterns_agree(void **state)
{
	(void)state;
	static const char *const pats[] = {
		"*.o", "!keep.o", "build/", "/dist", "*.mod.c", "cscope.*", "!cscope.keep",
		"a/b/c", "*~", "\\#*#", "x*y", "**/gen", "doc/**/tmp", "/*.spec", "!*.spec/",
		"t?st", "[Mm]akefile.old", "lib/*.a", "*.o/",
	};
	static const char *const paths[] = {
		"x.o", "keep.o", "d/keep.o", "build", "build/", "dist", "a/dist", "m.mod.c",
		"cscope.out", "cscope.keep", "a/b/c", "x/a/b/c", "f~", "#x#", "xay", "p/gen",
		"doc/a/b/tmp", "doc/tmp", "r.spec", "r.spec/", "test", "Makefile.old",
		"lib/x.a", "lib/y/x.a", "o.o/", "plain.c",
	};
	size_t np = sizeof pats / sizeof *pats;
	char text[512] = "";
	for (size_t i = 0; i < np; i++) {
		strcat(text, pats[i]);
		strcat(text, "\n");
	}
	for (size_t k = 0; k < sizeof paths / sizeof *paths; k++) {
		const char *path = paths[k];
		size_t n = strlen(path);
		int is_dir = path[n - 1] == '/';
		n -= (size_t)is_dir;
		const char *bn = memrchr(path, '/', n);
		bn = bn ? bn + 1 : path;
		/* the slow model: each pattern on its own, last match wins */
		int want = N;
		for (size_t i = 0; i < np; i++) {
			const char *s = pats[i];
			size_t len = strlen(s);
			int neg = s[0] == '!';
			s += neg;
			len -= (size_t)neg;
			int dir_only = s[len - 1] == '/';
			len -= (size_t)dir_only;
			if (dir_only && !is_dir)
				continue;
			int m;
			if (!memchr(s, '/', len)) {
				m = cx_wildmatch(s, len, bn, n - (size_t)(bn - path), 0);
			} else {
				if (s[0] == '/') {
					s++;
					len--;
				}
				m = cx_wildmatch(s, len, path, n, CX_WILDMATCH_PATHNAME);
			}
			if (m)
				want = neg ? I : X;
		}
		int got = verdict(text, path);
		if (got != want)
			fail_msg("%s: got %d, want %d", path, got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wildmatch),
		cmocka_unit_test(test_basename_patterns),
		cmocka_unit_test(test_dir_only_and_anchored),
		cmocka_unit_test(test_double_star),
		cmocka_unit_test(test_negation_last_match_wins),
		cmocka_unit_test(test_line_syntax),
		cmocka_unit_test(test_list_size),
		cmocka_unit_test(test_base_directory),
		cmocka_unit_test(test_match_lists),
		cmocka_unit_test(test_path_init),
		cmocka_unit_test(test_many_patterns_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
