/* test_walk.c - unit tests of the tree walk: order, skips, .gitignore rules, options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codeidx.h"
#include "walk/walk.h"

/* ------------------------------------------------------------------ helpers ---- */

/* A fresh temporary directory; tests build trees below it. */
static char *tmp_dir(void)
{
	const char *base = getenv("CODEIDX_TEST_TMP");
	if (!base || !*base)
		base = "/tmp";
	char *p = malloc(strlen(base) + 32);
	assert_non_null(p);
	snprintf(p, strlen(base) + 32, "%s/cx-walk-XXXXXX", base);
	assert_non_null(mkdtemp(p));
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D) {
		chmod(path, 0700);
		rmdir(path);
	} else {
		unlink(path);
	}
	return 0;
}

static void rm_rf(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *join(const char *root, const char *rel)
{
	size_t n = strlen(root) + strlen(rel) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", root, rel);
	return p;
}

/* Creates root/rel and its parent directories. */
static void mk(const char *root, const char *rel)
{
	char *p = join(root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
	free(p);
}

/* Writes root/rel (creating parents) with `content`. */
static void put(const char *root, const char *rel, const char *content)
{
	const char *slash = strrchr(rel, '/');
	if (slash) {
		char *dir = strndup(rel, (size_t)(slash - rel));
		mk(root, dir);
		free(dir);
	}
	char *p = join(root, rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static int walk_dir(const char *root, const cx_walk_options *o, cx_walk_result *r)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	int rc = cx_walk(fd, o, r);
	close(fd);
	return rc;
}

static bool has(const cx_walk_result *r, const char *path)
{
	for (size_t i = 0; i < r->n_files; i++)
		if (r->files[i].path_len == strlen(path) && !memcmp(r->files[i].path, path, strlen(path)))
			return true;
	return false;
}

static void check_sorted(const cx_walk_result *r)
{
	for (size_t i = 1; i < r->n_files; i++) {
		const cx_walk_file *a = &r->files[i - 1], *b = &r->files[i];
		size_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
		int c = memcmp(a->path, b->path, n);
		if (c > 0 || (c == 0 && a->path_len >= b->path_len))
			fail_msg("not sorted: \"%s\" before \"%s\"", a->path, b->path);
		assert_int_equal(strlen(a->path), a->path_len);
	}
}

/* Asserts the listed files are exactly `want` (NULL-terminated), in sorted order. */
static void expect_files(const cx_walk_result *r, const char *const *want)
{
	size_t n = 0;
	for (; want[n]; n++)
		if (!has(r, want[n]))
			fail_msg("missing \"%s\"", want[n]);
	if (r->n_files != n) {
		for (size_t i = 0; i < r->n_files; i++)
			print_message("listed: \"%s\"\n", r->files[i].path);
		fail_msg("%zu files listed, want %zu", r->n_files, n);
	}
	check_sorted(r);
}

/* -------------------------------------------------------------------- tests ---- */

static void test_sorted_bytewise(void **state)
{
	(void)state;
	char *root = tmp_dir();
	const char *names[] = {"a/b", "a.c", "a-b", "a0", "ab/c", "B", "_", "\xff", "a/a/z",
			       "a/a.x", "a/a0", "z/y/x/w", "z.", "z/", NULL};
	for (size_t i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		if (names[i][n - 1] == '/')
			continue;
		put(root, names[i], "x");
	}
	mk(root, "empty/dir");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {"a/b", "a.c", "a-b", "a0", "ab/c", "B", "_", "\xff", "a/a/z",
			      "a/a.x", "a/a0", "z/y/x/w", "z.", NULL};
	expect_files(&r, want);
	cx_walk_result_release(&r);
	assert_null(r.files);
	assert_int_equal(r.n_files, 0);
	rm_rf(root);
}

static void test_odd_names(void **state)
{
	(void)state;
	char *root = tmp_dir();
	const char *names[] = {"new\nline", "quo\"te", "it's", "\xff\xfe" "bad", "sp ace",
			       "trail ", "d\n/\x01x", "tab\tx", "back\\slash", NULL};
	for (size_t i = 0; names[i]; i++)
		put(root, names[i], "x");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	expect_files(&r, names);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_skips_git_and_codeidx(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, ".git/HEAD", "ref: refs/heads/main\n");
	put(root, ".codeidx/manifest", "m");
	put(root, "sub/.git/config", "c");
	put(root, "sub/.codeidx/seg", "s");
	put(root, "sub2/.git", "gitdir: ../.git/modules/sub2\n"); /* a gitlink file */
	put(root, "sub2/file", "f");
	put(root, ".gitx", "kept");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {".gitx", "sub2/file", NULL};
	expect_files(&r, want);
	for (int k = 0; k < CODEIDX_SKIP__COUNT; k++)
		assert_int_equal(r.skipped[k], 0);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_symlinks_and_special(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, "dir/file", "x");
	char *p = join(root, "link-dir");
	assert_int_equal(symlink("dir", p), 0);
	free(p);
	p = join(root, "link-file");
	assert_int_equal(symlink("dir/file", p), 0);
	free(p);
	p = join(root, "dangling");
	assert_int_equal(symlink("nowhere", p), 0);
	free(p);
	p = join(root, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {"dir/file", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_SYMLINK], 3);
	assert_int_equal(r.skipped[CODEIDX_SKIP_SPECIAL], 1);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_excluded_parent_cannot_be_reincluded(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, ".gitignore", "build/\n!build/keep\nout/*\n!out/keep\n");
	put(root, "build/keep", "k");
	put(root, "build/x", "x");
	put(root, "build/.gitignore", "!*\n"); /* never read: build/ is excluded */
	put(root, "out/keep", "k");
	put(root, "out/x", "x");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {".gitignore", "out/keep", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_IGNORED], 2); /* build (once) and out/x */
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_nested_precedence(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, ".gitignore", "*.log\n/top-only\n");
	put(root, "a.log", "x");
	put(root, "top-only", "x");
	put(root, "sub/.gitignore", "!important.log\n/local\n");
	put(root, "sub/important.log", "x");
	put(root, "sub/other.log", "x");
	put(root, "sub/top-only", "x");
	put(root, "sub/local", "x");
	put(root, "sub/deeper/.gitignore", "important.log\n");
	put(root, "sub/deeper/important.log", "x");
	put(root, "sub/deeper/local", "x");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {".gitignore", "sub/.gitignore", "sub/important.log",
			      "sub/top-only", "sub/deeper/.gitignore", "sub/deeper/local", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_IGNORED], 5);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_info_exclude(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, ".git/info/exclude", "secret*\n");
	put(root, ".gitignore", "!secret-but-kept\n");
	put(root, "secret", "x");
	put(root, "secret-but-kept", "x");
	put(root, "d/secret2", "x");
	put(root, "d/plain", "x");
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {".gitignore", "d/plain", "secret-but-kept", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_IGNORED], 2);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_gitlink_info_exclude(void **state)
{
	(void)state;
	char *base = tmp_dir();
	/* a linked worktree: .git names a gitdir whose commondir holds info/exclude */
	put(base, "main/.git/info/exclude", "from-common\n");
	put(base, "main/.git/worktrees/wt/commondir", "../..\n");
	put(base, "main/.git/worktrees/wt/info/exclude", "not-this-one\n");
	put(base, "wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
	put(base, "wt/from-common", "x");
	put(base, "wt/not-this-one", "x");
	/* a submodule-like gitlink without commondir */
	put(base, "gd/info/exclude", "linked\n");
	put(base, "sm/.git", "gitdir: ../gd\n");
	put(base, "sm/linked", "x");
	put(base, "sm/other", "x");
	cx_walk_result r;
	char *wt = join(base, "wt"), *sm = join(base, "sm");
	assert_int_equal(walk_dir(wt, NULL, &r), 0);
	const char *want_wt[] = {"not-this-one", NULL};
	expect_files(&r, want_wt);
	cx_walk_result_release(&r);
	assert_int_equal(walk_dir(sm, NULL, &r), 0);
	const char *want_sm[] = {"other", NULL};
	expect_files(&r, want_sm);
	cx_walk_result_release(&r);
	free(wt);
	free(sm);
	rm_rf(base);
}

static void test_excludes_option(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, ".gitignore", "*.log\n");
	put(root, "keep.log", "x");
	put(root, "x.log", "x");
	put(root, "a.tmp", "x");
	put(root, "src/a.tmp", "x");
	put(root, "src/main.c", "x");
	put(root, "gen/out.c", "x");
	put(root, "src/gen/out.c", "x");
	put(root, "src/.gitignore", "!*.tmp\n"); /* loses to the excludes */
	const char *ex[] = {"*.tmp", "gen/", "!keep.log", "/src/main.c"};
	cx_walk_options o = {.excludes = ex, .n_excludes = 4};
	cx_walk_result r;
	assert_int_equal(walk_dir(root, &o, &r), 0);
	const char *want[] = {".gitignore", "keep.log", "src/.gitignore", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_EXCLUDED], 5); /* 2 tmp, 2 gen, main.c */
	assert_int_equal(r.skipped[CODEIDX_SKIP_IGNORED], 1);  /* x.log */
	cx_walk_result_release(&r);

	/* n_excludes without excludes is an error; the callback is never called */
	cx_walk_options bad = {.excludes = NULL, .n_excludes = 1};
	assert_int_equal(walk_dir(root, &bad, &r), CODEIDX_EINVAL);
	assert_null(r.files);
	rm_rf(root);
}

struct info_log {
	int calls;
	int cancel_at; /* call number that returns non-zero, 0 = never */
	char last[256];
	bool saw_scanned;
};

static int on_info(const char *msg, void *user)
{
	struct info_log *log = user;
	log->calls++;
	snprintf(log->last, sizeof log->last, "%s", msg);
	if (strstr(msg, "scanned 5000 entries"))
		log->saw_scanned = true;
	return log->calls == log->cancel_at;
}

static void test_info_and_cancel(void **state)
{
	(void)state;
	char *root = tmp_dir();
	mk(root, "many");
	char name[64];
	for (int i = 0; i < 5003; i++) {
		snprintf(name, sizeof name, "many/f%05d", i);
		put(root, name, "");
	}
	struct info_log log = {0};
	cx_walk_options o = {.info = on_info, .info_user = &log};
	cx_walk_result r;
	assert_int_equal(walk_dir(root, &o, &r), 0);
	assert_int_equal(r.n_files, 5003);
	assert_int_equal(log.calls, 2);
	assert_true(log.saw_scanned);
	assert_non_null(strstr(log.last, "5003 files"));
	check_sorted(&r);
	cx_walk_result_release(&r);

	/* cancelled mid-walk: nothing is returned */
	struct info_log stop = {.cancel_at = 1};
	o.info_user = &stop;
	assert_int_equal(walk_dir(root, &o, &r), CODEIDX_ECANCELLED);
	assert_int_equal(stop.calls, 1);
	assert_null(r.files);
	assert_int_equal(r.n_files, 0);
	assert_int_equal(r.skipped[CODEIDX_SKIP_IGNORED], 0);

	/* cancelled by the final count message */
	struct info_log late = {.cancel_at = 2};
	o.info_user = &late;
	assert_int_equal(walk_dir(root, &o, &r), CODEIDX_ECANCELLED);
	assert_int_equal(late.calls, 2);
	assert_null(r.files);
	rm_rf(root);
}

static void test_root_errors(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, "file", "x");
	char *p = join(root, "file");
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	cx_walk_result r;
	assert_int_equal(cx_walk(fd, NULL, &r), CODEIDX_EINVAL);
	assert_null(r.files);
	assert_true(strlen(codeidx_error_detail()) > 0);
	close(fd);
	free(p);
	assert_int_equal(cx_walk(-1, NULL, &r), CODEIDX_EIO);
	rm_rf(root);
}

static void test_unreadable_directory(void **state)
{
	(void)state;
	if (geteuid() == 0)
		skip(); /* root reads any directory */
	char *root = tmp_dir();
	put(root, "locked/inside", "x");
	put(root, "open/inside", "x");
	char *p = join(root, "locked");
	assert_int_equal(chmod(p, 0), 0);
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {"open/inside", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_FAILED], 1);
	cx_walk_result_release(&r);
	chmod(p, 0700);
	free(p);
	rm_rf(root);
}

/* Out of file descriptors below some depth: those directories count as failed and
 * the walk goes on. Works as root too, unlike a chmod. */
static void test_fd_exhaustion_counts_failed(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, "a/b/c/d/deep", "x");
	put(root, "a/shallow", "x");
	put(root, "top", "x");
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	int next = dup(0);
	assert_true(next > fd);
	close(next);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)next + 3; /* the walk's root, a, a/b; not a/b/c */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	cx_walk_result r;
	int rc = cx_walk(fd, NULL, &r);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, 0);
	const char *want[] = {"a/shallow", "top", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_FAILED], 1);
	cx_walk_result_release(&r);
	close(fd);
	rm_rf(root);
}

static void test_symlinked_gitignore_not_read(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, "real-ignore", "*.c\n");
	put(root, "x.c", "x");
	char *p = join(root, ".gitignore");
	assert_int_equal(symlink("real-ignore", p), 0);
	free(p);
	cx_walk_result r;
	assert_int_equal(walk_dir(root, NULL, &r), 0);
	const char *want[] = {"real-ignore", "x.c", NULL};
	expect_files(&r, want);
	assert_int_equal(r.skipped[CODEIDX_SKIP_SYMLINK], 1);
	cx_walk_result_release(&r);
	rm_rf(root);
}

static void test_walk_does_not_move_caller_offset(void **state)
{
	(void)state;
	char *root = tmp_dir();
	put(root, "a", "x");
	put(root, "b", "x");
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	cx_walk_result r;
	assert_int_equal(cx_walk(fd, NULL, &r), 0);
	assert_int_equal(r.n_files, 2);
	cx_walk_result_release(&r);
	assert_int_equal(cx_walk(fd, NULL, &r), 0); /* the same fd again */
	assert_int_equal(r.n_files, 2);
	cx_walk_result_release(&r);
	cx_walk_result_release(&r); /* releasing twice is harmless */
	close(fd);
	rm_rf(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_bytewise),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_skips_git_and_codeidx),
		cmocka_unit_test(test_symlinks_and_special),
		cmocka_unit_test(test_excluded_parent_cannot_be_reincluded),
		cmocka_unit_test(test_nested_precedence),
		cmocka_unit_test(test_info_exclude),
		cmocka_unit_test(test_gitlink_info_exclude),
		cmocka_unit_test(test_excludes_option),
		cmocka_unit_test(test_info_and_cancel),
		cmocka_unit_test(test_root_errors),
		cmocka_unit_test(test_unreadable_directory),
		cmocka_unit_test(test_fd_exhaustion_counts_failed),
		cmocka_unit_test(test_symlinked_gitignore_not_read),
		cmocka_unit_test(test_walk_does_not_move_caller_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
