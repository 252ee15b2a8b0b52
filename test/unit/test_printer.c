/* test_printer.c - unit tests of codeidx_printer (grep -Hn output), codeidx_stats_format() and codeidx_root_find(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codeidx.h"
#include "helpers/tree.h"

/* Runs the lines through a printer with `flags` into a temporary file; returns what it
 * wrote (malloc'd, NUL-terminated) and its length in *len. */
static char *print_all(const codeidx_match *ms, size_t n, unsigned flags, size_t *len)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	codeidx_printer *p;
	assert_int_equal(codeidx_printer_new(&p, fileno(f), flags), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(codeidx_printer_match(&ms[i], p), 0);
	assert_int_equal(codeidx_printer_finish(p), 0);
	off_t size = lseek(fileno(f), 0, SEEK_END); /* the printer writes to the fd itself */
	assert_true(size >= 0);
	char *out = calloc(1, (size_t)size + 1);
	assert_non_null(out);
	assert_int_equal(pread(fileno(f), out, (size_t)size, 0), size);
	fclose(f);
	*len = (size_t)size;
	return out;
}

static const codeidx_span span_foo = {4, 7}, span_two[] = {{0, 3}, {4, 7}};

/* Two files: a.c (a match, a context line, a gap, a match), b.txt (a match). */
static const codeidx_match lines[] = {
	{"a.c", 1, 5, "int foo;", 8, &span_foo, 1, 0, 1},
	{"a.c", 2, 0, "int bar;", 8, NULL, 0, 1, 0},
	{"a.c", 9, 1, "foo foo", 7, span_two, 2, 0, 0},
	{"b.txt", 3, 1, "foo\0x", 5, span_two, 1, 0, 1},
};

static void test_lines(void **state)
{
	(void)state;
	size_t len;
	char *out = print_all(lines, 4, 0, &len);
	static const char want[] = "a.c:1:int foo;\na.c-2-int bar;\na.c:9:foo foo\nb.txt:3:foo\0x\n";
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(out, want, len);
	free(out);
}

static void test_groups(void **state)
{
	(void)state;
	size_t len;
	char *out = print_all(lines, 4, CODEIDX_PRINT_GROUPS, &len);
	assert_string_equal(out, "a.c:1:int foo;\na.c-2-int bar;\n--\na.c:9:foo foo\n--\nb.txt:3:foo");
	free(out);
}

static void test_count_and_files(void **state)
{
	(void)state;
	size_t len;
	char *out = print_all(lines, 4, CODEIDX_PRINT_COUNT, &len);
	assert_string_equal(out, "a.c:2\nb.txt:1\n");
	free(out);
	out = print_all(lines, 4, CODEIDX_PRINT_FILES, &len);
	assert_string_equal(out, "a.c\nb.txt\n");
	free(out);
	/* A file whose first reported line is context is listed at its first match. */
	static const codeidx_match ctx_first[] = {
		{"c.h", 1, 0, "x", 1, NULL, 0, 1, 1},
		{"c.h", 2, 1, "foo", 3, span_two, 1, 0, 0},
	};
	out = print_all(ctx_first, 2, CODEIDX_PRINT_FILES | CODEIDX_PRINT_COUNT, &len);
	assert_string_equal(out, "c.h\nc.h:1\n");
	free(out);
}

static void test_color(void **state)
{
	(void)state;
	size_t len;
	char *out = print_all(lines + 2, 1, CODEIDX_PRINT_COLOR, &len);
	assert_string_equal(out, "\033[35ma.c\033[0m:\033[32m9\033[0m:\033[1;31mfoo\033[0m "
				 "\033[1;31mfoo\033[0m\n");
	free(out);
}

/* Writes into a pipe nobody reads: the match callback asks to stop, finish reports
 * the error. */
static void test_write_error(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	codeidx_printer *p;
	assert_int_equal(codeidx_printer_new(&p, fds[1], 0), 0);
	char big[4096];
	memset(big, 'x', sizeof big);
	codeidx_match m = {"a", 1, 1, big, sizeof big, NULL, 0, 0, 1};
	int stopped = 0;
	for (int i = 0; i < 64 && !stopped; i++) /* past the printer's 64 KiB buffer */
		stopped = codeidx_printer_match(&m, p);
	assert_true(stopped);
	assert_int_equal(codeidx_printer_finish(p), CODEIDX_EIO);
	assert_non_null(strstr(codeidx_error_detail(), "Broken pipe"));
	close(fds[1]);
	assert_int_equal(codeidx_printer_new(&p, -1, 0), CODEIDX_EINVAL);
	assert_int_equal(codeidx_printer_finish(NULL), 0);
}

/* codeidx_stats_format: the exact text `codeidx status` prints, and snprintf's
 * contract (full length returned, output cut and terminated, NULL with cap 0). */
static void test_stats_format(void **state)
{
	(void)state;
	codeidx_stats s = CODEIDX_STATS_INIT;
	s.generation = 7;
	s.files = 78579;
	s.bytes = 1270000000;
	s.segments = 2;
	s.deleted_docs = 3;
	s.index_bytes = 111149056;
	s.trigrams = 712000;
	for (int i = 0; i < CODEIDX_SKIP__COUNT; i++)
		s.skipped[i] = (uint64_t)i * 10;
	const char *want = "root        /src/linux\n"
			   "generation  7\n"
			   "files       78579\n"
			   "bytes       1270000000\n"
			   "segments    2\n"
			   "deleted     3\n"
			   "index size  111149056\n"
			   "trigrams    712000\n"
			   "skipped ignored    0\n"
			   "skipped excluded   10\n"
			   "skipped binary     20\n"
			   "skipped too-large  30\n"
			   "skipped symlink    40\n"
			   "skipped special    50\n"
			   "skipped failed     60\n";
	char buf[1024];
	int n = codeidx_stats_format(&s, "/src/linux", buf, sizeof buf);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(codeidx_stats_format(&s, "/src/linux", NULL, 0), n);
	for (size_t cap = 1; cap <= (size_t)n + 1; cap += 7) { /* every cut, header and lines */
		memset(buf, 'x', sizeof buf);
		assert_int_equal(codeidx_stats_format(&s, "/src/linux", buf, cap), n);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, want, cap - 1);
	}
}

static void test_root_find(void **state)
{
	(void)state;
	char *t = tree_new();
	assert_non_null(t);
	assert_int_equal(tree_write_str(t, "proj/.codeidx/manifest", "x"), 0);
	assert_int_equal(tree_write_str(t, "proj/src/deep/file.c", "x"), 0);
	assert_int_equal(tree_write_str(t, "other/file.c", "x"), 0);
	char *want = tree_path(t, "proj"), *deep = tree_path(t, "proj/src/deep"),
	     *other = tree_path(t, "other"), buf[PATH_MAX];
	char *canon = realpath(want, NULL);
	assert_int_equal(codeidx_root_find(deep, buf, sizeof buf), 0);
	assert_string_equal(buf, canon);
	assert_int_equal(codeidx_root_find(want, buf, sizeof buf), 0);
	assert_string_equal(buf, canon);
	assert_int_equal(codeidx_root_find(deep, buf, 4), CODEIDX_ELIMIT);
	snprintf(buf, sizeof buf, "unchanged");
	/* Unless the temporary directory itself lies below an index. */
	if (codeidx_root_find(t, buf, sizeof buf) == CODEIDX_ENOINDEX) {
		assert_int_equal(codeidx_root_find(other, buf, sizeof buf), CODEIDX_ENOINDEX);
		assert_string_equal(buf, "unchanged");
	}
	assert_int_equal(codeidx_root_find("/nonexistent/dir", buf, sizeof buf), CODEIDX_EINVAL);
	/* A file named .codeidx is not an index. */
	assert_int_equal(tree_write_str(t, "other/.codeidx", "x"), 0);
	if (codeidx_root_find(t, buf, sizeof buf) == CODEIDX_ENOINDEX)
		assert_int_equal(codeidx_root_find(other, buf, sizeof buf), CODEIDX_ENOINDEX);
	free(canon);
	free(want);
	free(deep);
	free(other);
	tree_remove(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),       cmocka_unit_test(test_groups),
		cmocka_unit_test(test_count_and_files), cmocka_unit_test(test_color),
		cmocka_unit_test(test_write_error), cmocka_unit_test(test_root_find),
		cmocka_unit_test(test_stats_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
