/* test_update.c - incremental codeidx_update behaviour through the public API on real trees: change detection, skips, merges, locking, options and open errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codeidx.h"
#include "helpers/tree.h"

/* ---------------------------------------------------------------- helpers ---- */

static codeidx *open_idx(const char *root)
{
	codeidx *idx = NULL;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc)
		fail_msg("codeidx_open(%s): %s: %s", root, codeidx_strerror(rc),
			 codeidx_error_detail());
	return idx;
}

/* One update with 2 threads and optional max size / flags. */
static int update_ex(codeidx *idx, unsigned flags, uint64_t max_size,
		     codeidx_update_result *res)
{
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	o.flags = flags;
	o.max_file_size = max_size;
	*res = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
	return codeidx_update(idx, &o, res);
}

/* An update that must succeed. */
static codeidx_update_result update_ok(codeidx *idx)
{
	codeidx_update_result res;
	int rc = update_ex(idx, 0, 0, &res);
	if (rc)
		fail_msg("codeidx_update: %s: %s", codeidx_strerror(rc), codeidx_error_detail());
	return res;
}

static codeidx_stats stats(codeidx *idx)
{
	codeidx_stats s = CODEIDX_STATS_INIT;
	assert_int_equal(codeidx_stats_get(idx, &s), 0);
	return s;
}

/* n files "src/fNNN.c" of 200 + 37*i bytes; returns the sum of their sizes. */
static uint64_t make_files(const char *root, size_t n)
{
	uint64_t sum = 0;
	char name[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "src/d%zu/f%03zu.c", i % 4, i);
		size_t len = 200 + 37 * i;
		assert_int_equal(tree_write_text(root, name, len, i + 1), 0);
		sum += len;
	}
	return sum;
}

static const char *fname(size_t i)
{
	static char name[64];
	snprintf(name, sizeof name, "src/d%zu/f%03zu.c", i % 4, i);
	return name;
}

/* stat data of every file of <root>/.codeidx except the lock file. */
typedef struct dir_state {
	char name[64][256];
	struct stat st[64];
	size_t n;
} dir_state;

static void index_dir_state(const char *root, dir_state *ds)
{
	memset(ds, 0, sizeof *ds);
	char *dir = tree_path(root, ".codeidx");
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "lock"))
			continue;
		assert_true(ds->n < 64);
		snprintf(ds->name[ds->n], sizeof ds->name[0], "%s", e->d_name);
		char *p = tree_path(dir, e->d_name);
		assert_int_equal(stat(p, &ds->st[ds->n]), 0);
		free(p);
		ds->n++;
	}
	closedir(d);
	free(dir);
}

static void assert_same_dir_state(const dir_state *a, const dir_state *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		size_t j = 0;
		while (j < b->n && strcmp(a->name[i], b->name[j]))
			j++;
		if (j == b->n)
			fail_msg("index file %s disappeared", a->name[i]);
		assert_int_equal(a->st[i].st_ino, b->st[j].st_ino);
		assert_int_equal(a->st[i].st_size, b->st[j].st_size);
		assert_int_equal(a->st[i].st_mtim.tv_sec, b->st[j].st_mtim.tv_sec);
		assert_int_equal(a->st[i].st_mtim.tv_nsec, b->st[j].st_mtim.tv_nsec);
	}
}

static size_t count_segment_files(const char *root)
{
	dir_state ds;
	index_dir_state(root, &ds);
	size_t n = 0;
	for (size_t i = 0; i < ds.n; i++)
		n += !strncmp(ds.name[i], "seg-", 4);
	return n;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ tests ---- */

/* A re-run with nothing changed decides everything by stat and touches no file. */
static void test_rerun_no_changes(void **state)
{
	(void)state;
	char *root = tree_new();
	uint64_t bytes = make_files(root, 50);
	codeidx *idx = open_idx(root);
	codeidx_update_result r = update_ok(idx);
	assert_int_equal(r.files_new, 50);
	assert_int_equal(r.segments_written, 1);
	assert_int_equal(r.bytes_indexed, bytes);
	codeidx_stats s0 = stats(idx);
	assert_int_equal(s0.files, 50);
	assert_int_equal(s0.bytes, bytes);
	assert_int_equal(s0.generation, r.generation);
	dir_state before, after;
	index_dir_state(root, &before);
	sleep_ms(30); /* let the file system clock tick: a rewrite would show */

	r = update_ok(idx);
	assert_int_equal(r.files_unchanged, 50);
	assert_int_equal(r.files_new + r.files_changed + r.files_touched + r.files_deleted, 0);
	assert_int_equal(r.segments_written, 0);
	assert_int_equal(r.segments_merged, 0);
	assert_int_equal(r.bytes_indexed, 0);
	assert_int_equal(r.generation, s0.generation);
	codeidx_stats s1 = stats(idx);
	assert_int_equal(s1.generation, s0.generation);
	assert_int_equal(s1.files, 50);
	index_dir_state(root, &after);
	assert_same_dir_state(&before, &after);

	/* A second handle sees the same, and its re-run changes nothing either. */
	codeidx *idx2 = open_idx(root);
	r = update_ok(idx2);
	assert_int_equal(r.files_unchanged, 50);
	assert_int_equal(r.generation, s0.generation);
	index_dir_state(root, &after);
	assert_same_dir_state(&before, &after);
	codeidx_close(idx2);
	codeidx_close(idx);
	tree_remove(root);
}

/* Changing one file re-indexes that file only. */
static void test_change_one_file(void **state)
{
	(void)state;
	char *root = tree_new();
	uint64_t bytes = make_files(root, 50);
	codeidx *idx = open_idx(root);
	codeidx_update_result r = update_ok(idx);
	uint64_t gen = r.generation;

	/* A new size. */
	uint64_t old_len = 200 + 37 * 7;
	assert_int_equal(tree_write_text(root, fname(7), 5000, 777), 0);
	r = update_ok(idx);
	assert_int_equal(r.files_changed, 1);
	assert_int_equal(r.files_new, 0);
	assert_int_equal(r.files_touched, 0);
	assert_int_equal(r.files_deleted, 0);
	assert_int_equal(r.files_unchanged, 49);
	assert_int_equal(r.bytes_indexed, 5000);
	assert_int_equal(r.segments_written, 1);
	assert_int_equal(r.generation, gen + 1);
	codeidx_stats s = stats(idx);
	assert_int_equal(s.files, 50);
	assert_int_equal(s.bytes, bytes - old_len + 5000);
	assert_int_equal(s.deleted_docs + s.files, 51); /* the old version is a deletion */

	/* Same size, other bytes, a later mtime: the hash tells it changed. */
	assert_int_equal(tree_write_text(root, fname(9), 200 + 37 * 9, 999), 0);
	assert_int_equal(tree_shift_mtime(root, fname(9), 5), 0);
	r = update_ok(idx);
	assert_int_equal(r.files_changed, 1);
	assert_int_equal(r.files_touched, 0);
	assert_int_equal(r.files_unchanged, 49);
	assert_int_equal(r.bytes_indexed, 200 + 37 * 9);
	assert_int_equal(r.generation, gen + 2);
	assert_int_equal(stats(idx).files, 50);
	codeidx_close(idx);
	tree_remove(root);
}

/* New stat data with the same bytes: recorded, not re-indexed, and remembered. */
static void test_touch_same_content(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 50);
	codeidx *idx = open_idx(root);
	update_ok(idx);
	codeidx_stats s0 = stats(idx);

	assert_int_equal(tree_shift_mtime(root, fname(3), 7), 0);
	codeidx_update_result r = update_ok(idx);
	assert_int_equal(r.files_touched, 1);
	assert_int_equal(r.files_changed, 0);
	assert_int_equal(r.files_new, 0);
	assert_int_equal(r.files_unchanged, 49);
	assert_int_equal(r.bytes_indexed, 0);
	assert_int_equal(r.segments_written, 0);
	codeidx_stats s1 = stats(idx);
	assert_int_equal(s1.files, 50);
	assert_int_equal(s1.segments, s0.segments);
	assert_int_equal(s1.deleted_docs, 0);

	/* The override is persisted: the next run (on a fresh handle too) is clean. */
	dir_state before, after;
	index_dir_state(root, &before);
	sleep_ms(30);
	codeidx_close(idx);
	idx = open_idx(root);
	r = update_ok(idx);
	assert_int_equal(r.files_unchanged, 50);
	assert_int_equal(r.files_touched, 0);
	assert_int_equal(r.generation, s1.generation);
	index_dir_state(root, &after);
	assert_same_dir_state(&before, &after);

	/* Same bytes in a new inode (write a copy, rename it over): touched too. */
	char *src = tree_path(root, fname(4));
	struct stat st;
	assert_int_equal(stat(src, &st), 0);
	char *buf = malloc((size_t)st.st_size);
	FILE *fp = fopen(src, "rb");
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, fp), (size_t)st.st_size);
	fclose(fp);
	assert_int_equal(tree_write(root, "copy.tmp", buf, (size_t)st.st_size), 0);
	assert_int_equal(tree_set_mtime(root, "copy.tmp", st.st_mtim.tv_sec, st.st_mtim.tv_nsec), 0);
	char *tmp = tree_path(root, "copy.tmp");
	assert_int_equal(rename(tmp, src), 0);
	r = update_ok(idx);
	assert_int_equal(r.files_touched, 1);
	assert_int_equal(r.files_changed, 0);
	assert_int_equal(r.files_unchanged, 49);
	r = update_ok(idx);
	assert_int_equal(r.files_unchanged, 50);
	free(buf);
	free(tmp);
	free(src);
	codeidx_close(idx);
	tree_remove(root);
}

/* Deleted and renamed files leave the index; a renamed file is new under its name. */
static void test_delete_and_rename(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 50);
	codeidx *idx = open_idx(root);
	update_ok(idx);

	char *a = tree_path(root, fname(1)), *b = tree_path(root, fname(2));
	char *from = tree_path(root, fname(3)), *to = tree_path(root, "renamed/file.c");
	assert_int_equal(unlink(a), 0);
	assert_int_equal(unlink(b), 0);
	char *dir = tree_path(root, "renamed");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(rename(from, to), 0);
	codeidx_update_result r = update_ok(idx);
	assert_int_equal(r.files_deleted, 3);
	assert_int_equal(r.files_new, 1);
	assert_int_equal(r.files_changed, 0);
	assert_int_equal(r.files_unchanged, 47);
	assert_int_equal(stats(idx).files, 48);

	/* A whole directory goes. */
	size_t in_d1 = 0;
	for (size_t i = 0; i < 50; i++)
		if (i % 4 == 1 && i != 1)
			in_d1++;
	tree_remove(tree_path(root, "src/d1"));
	r = update_ok(idx);
	assert_int_equal(r.files_deleted, in_d1);
	assert_int_equal(r.files_new, 0);
	assert_int_equal(stats(idx).files, 48 - in_d1);
	free(a);
	free(b);
	free(from);
	free(to);
	free(dir);
	codeidx_close(idx);
	tree_remove(root);
}

/* A NUL in the first 8 KiB makes a file binary: skipped, and its old doc deleted. */
static void test_becomes_binary(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 50);
	codeidx *idx = open_idx(root);
	update_ok(idx);

	char buf[10000];
	tree_fill_text(buf, sizeof buf, 5);
	buf[100] = '\0';
	assert_int_equal(tree_write(root, fname(5), buf, 600), 0); /* was indexed */
	assert_int_equal(tree_write(root, "new.bin", buf, sizeof buf), 0);
	tree_fill_text(buf, sizeof buf, 6);
	buf[9000] = '\0'; /* past the 8 KiB probe: text */
	assert_int_equal(tree_write(root, "late_nul.txt", buf, sizeof buf), 0);
	codeidx_update_result r = update_ok(idx);
	assert_int_equal(r.skipped[CODEIDX_SKIP_BINARY], 2);
	assert_int_equal(r.files_deleted, 1);
	assert_int_equal(r.files_changed, 0);
	assert_int_equal(r.files_new, 1);
	assert_int_equal(r.bytes_indexed, sizeof buf);
	codeidx_stats s = stats(idx);
	assert_int_equal(s.files, 50);
	assert_int_equal(s.skipped[CODEIDX_SKIP_BINARY], 2);
	assert_string_equal(codeidx_skip_reason_name(CODEIDX_SKIP_BINARY), "binary");

	/* Nothing changed since: no commit, the binaries still counted. */
	r = update_ok(idx);
	assert_int_equal(r.files_unchanged, 50);
	assert_int_equal(r.files_new + r.files_changed + r.files_deleted, 0);
	assert_int_equal(r.skipped[CODEIDX_SKIP_BINARY], 2);
	assert_int_equal(r.segments_written, 0);
	assert_int_equal(r.generation, s.generation);

	/* Text again: indexed again. */
	assert_int_equal(tree_write_text(root, fname(5), 600, 55), 0);
	r = update_ok(idx);
	assert_int_equal(r.files_new, 1);
	assert_int_equal(r.skipped[CODEIDX_SKIP_BINARY], 1);
	assert_int_equal(stats(idx).files, 51);
	codeidx_close(idx);
	tree_remove(root);
}

/* Files over max_file_size are skipped as too-large. */
static void test_too_large(void **state)
{
	(void)state;
	char *root = tree_new();
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof name, "small%d.c", i);
		assert_int_equal(tree_write_text(root, name, 1000, (uint64_t)i), 0);
	}
	assert_int_equal(tree_write_text(root, "big1.c", 10000, 11), 0);
	assert_int_equal(tree_write_text(root, "big2.c", 4097, 12), 0);
	assert_int_equal(tree_write_text(root, "edge.c", 4096, 13), 0);
	codeidx *idx = open_idx(root);
	codeidx_update_result r;
	assert_int_equal(update_ex(idx, 0, 4096, &r), 0);
	assert_int_equal(r.skipped[CODEIDX_SKIP_TOO_LARGE], 2);
	assert_int_equal(r.files_new, 11); /* exactly max_file_size still fits */
	assert_int_equal(stats(idx).files, 11);
	assert_int_equal(stats(idx).skipped[CODEIDX_SKIP_TOO_LARGE], 2);
	assert_string_equal(codeidx_skip_reason_name(CODEIDX_SKIP_TOO_LARGE), "too-large");

	/* An indexed file grows too large: deleted from the index. */
	assert_int_equal(tree_write_text(root, "small3.c", 5000, 33), 0);
	assert_int_equal(update_ex(idx, 0, 4096, &r), 0);
	assert_int_equal(r.skipped[CODEIDX_SKIP_TOO_LARGE], 3);
	assert_int_equal(r.files_deleted, 1);
	assert_int_equal(r.files_changed, 0);
	assert_int_equal(stats(idx).files, 10);

	/* The default limit (16 MiB) takes them all. */
	r = update_ok(idx);
	assert_int_equal(r.skipped[CODEIDX_SKIP_TOO_LARGE], 0);
	assert_int_equal(r.files_new, 3);
	assert_int_equal(stats(idx).files, 13);
	codeidx_close(idx);
	tree_remove(root);
}

/* Many small incremental runs: the merge policy keeps segments bounded and the
 * file count right; a full rebuild agrees with the incremental history. */
static void test_many_incremental_runs(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 40);
	codeidx *idx = open_idx(root);
	update_ok(idx);
	uint64_t expect = 40, merged = 0, gen = stats(idx).generation;
	size_t next_new = 0, next_del = 0;
	for (int run = 0; run < 12; run++) {
		for (int k = 0; k < 3; k++) /* 3 changes (new sizes) */
			assert_int_equal(tree_write_text(root, fname((size_t)(run * 3 + k) % 40),
							 300 + (size_t)run * 11 + (size_t)k, 100 + run),
					 0);
		char name[64];
		snprintf(name, sizeof name, "added/n%02zu.c", next_new++);
		assert_int_equal(tree_write_text(root, name, 700, 500 + (uint64_t)run), 0);
		expect++;
		size_t deleted = 0;
		if (run % 2) { /* and every other run, an added file goes again */
			snprintf(name, sizeof name, "added/n%02zu.c", next_del++);
			char *p = tree_path(root, name);
			assert_int_equal(unlink(p), 0);
			free(p);
			expect--;
			deleted = 1;
		}
		codeidx_update_result r = update_ok(idx);
		assert_int_equal(r.files_new, 1);
		assert_int_equal(r.files_deleted, deleted);
		assert_int_equal(r.files_changed, 3);
		assert_int_equal(r.files_unchanged, expect - 1 - 3);
		assert_int_equal(r.generation, gen + 1 + (r.segments_merged ? 1 : 0));
		gen = r.generation;
		merged += r.segments_merged;
		codeidx_stats s = stats(idx);
		assert_int_equal(s.files, expect);
		if (s.segments > 6)
			fail_msg("run %d: %llu segments", run, (unsigned long long)s.segments);
		/* Unused segment files are collected. */
		assert_int_equal(count_segment_files(root), s.segments);
	}
	assert_true(merged > 0); /* the policy did merge */
	codeidx_stats inc = stats(idx);

	codeidx_update_result r;
	assert_int_equal(update_ex(idx, CODEIDX_UPDATE_FULL, 0, &r), 0);
	assert_int_equal(r.files_new, expect);
	codeidx_stats full = stats(idx);
	assert_int_equal(full.files, inc.files);
	assert_int_equal(full.bytes, inc.bytes);
	assert_int_equal(full.segments, 1);
	assert_int_equal(full.deleted_docs, 0);
	assert_int_equal(count_segment_files(root), 1);
	r = update_ok(idx);
	assert_int_equal(r.files_unchanged, expect);
	codeidx_close(idx);
	tree_remove(root);
}

/* A second writer gets CODEIDX_ELOCKED while an update runs, and no callback. */
typedef struct writer {
	codeidx *idx;
	atomic_int started, release;
	int rc;
} writer;

static int hold_cb(const codeidx_progress *p, void *user)
{
	(void)p;
	writer *w = user;
	atomic_store(&w->started, 1);
	for (int i = 0; i < 2000 && !atomic_load(&w->release); i++)
		sleep_ms(5); /* a slow callback, at most ~10 s */
	return 0;
}

static void *writer_main(void *arg)
{
	writer *w = arg;
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	o.progress = hold_cb;
	o.progress_user = w;
	w->rc = codeidx_update(w->idx, &o, NULL);
	return NULL;
}

static int count_cb(const codeidx_progress *p, void *user)
{
	(void)p;
	(*(int *)user)++;
	return 0;
}

static void test_second_writer_locked(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 30);
	writer w = {.idx = open_idx(root)};
	atomic_init(&w.started, 0);
	atomic_init(&w.release, 0);
	codeidx *other = open_idx(root);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	for (int i = 0; i < 2000 && !atomic_load(&w.started); i++)
		sleep_ms(5);
	assert_true(atomic_load(&w.started));

	int calls = 0;
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	o.progress = count_cb;
	o.progress_user = &calls;
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(codeidx_update(other, &o, &r), CODEIDX_ELOCKED);
	assert_int_equal(calls, 0);
	assert_true(strlen(codeidx_error_detail()) > 0);
	/* Readers are not writers: stats work meanwhile. */
	assert_int_equal(stats(other).generation, 0);

	atomic_store(&w.release, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, 0);
	/* The lock is free again; the other handle sees the new generation. */
	assert_int_equal(stats(other).files, 30);
	r = update_ok(other);
	assert_int_equal(r.files_unchanged, 30);
	codeidx_close(other);
	codeidx_close(w.idx);
	tree_remove(root);
}

/* FIFOs and symlinks are never read; a file vanishing mid-run is counted as failed. */
static int vanish_cb(const codeidx_progress *p, void *user)
{
	/* After the hash phase decided every file, before the index phase reads them. */
	if (p->phase == CODEIDX_PHASE_HASH && p->total && p->current == p->total) {
		char *path = user;
		if (path[0])
			unlink(path);
		path[0] = '\0';
	}
	return 0;
}

static void test_special_and_vanishing_files(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 20);
	char *fifo = tree_path(root, "src/pipe");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	char *dangling = tree_path(root, "src/dangling");
	assert_int_equal(symlink("does/not/exist", dangling), 0);
	char *link = tree_path(root, "src/link.c");
	assert_int_equal(symlink("d0/f000.c", link), 0);
	codeidx *idx = open_idx(root);
	codeidx_update_result r = update_ok(idx); /* and no hang on the FIFO */
	assert_int_equal(r.skipped[CODEIDX_SKIP_SPECIAL], 1);
	assert_int_equal(r.skipped[CODEIDX_SKIP_SYMLINK], 2);
	assert_int_equal(r.skipped[CODEIDX_SKIP_FAILED], 0);
	assert_int_equal(r.files_new, 20);
	codeidx_stats s = stats(idx);
	assert_int_equal(s.files, 20);
	assert_int_equal(s.skipped[CODEIDX_SKIP_SPECIAL], 1);
	assert_int_equal(s.skipped[CODEIDX_SKIP_SYMLINK], 2);

	/* A new file that vanishes between the hash and the index phase. */
	assert_int_equal(tree_write_text(root, "zz/vanish.c", 4000, 4), 0);
	assert_int_equal(tree_write_text(root, "zz/stays.c", 4000, 5), 0);
	char *vanish = tree_path(root, "zz/vanish.c");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", vanish);
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	o.progress = vanish_cb;
	o.progress_user = path;
	r = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(codeidx_update(idx, &o, &r), 0);
	assert_int_equal(path[0], '\0'); /* the callback did remove it */
	assert_int_equal(r.skipped[CODEIDX_SKIP_FAILED], 1);
	assert_int_equal(r.files_new, 1);
	assert_int_equal(stats(idx).files, 21);
	/* Gone for good: the next run no longer counts it anywhere. */
	r = update_ok(idx);
	assert_int_equal(r.skipped[CODEIDX_SKIP_FAILED], 0);
	assert_int_equal(r.files_unchanged, 21);
	free(vanish);
	free(fifo);
	free(dangling);
	free(link);
	codeidx_close(idx);
	tree_remove(root);
}

/* Bad options fail up front: CODEIDX_EINVAL, no callback, nothing written. */
/* The nice value of thread `tid` of this process, from /proc; -100 if unreadable. */
static int thread_nice(const char *tid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/self/task/%s/stat", tid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	int nice = -100;
	/* After the name: state is field 3, nice field 19. */
	for (int field = 3; p && field <= 19; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 19)
			nice = atoi(p + 1);
	}
	return nice;
}

typedef struct nice_seen {
	int base;        /* the calling thread's nice before the update */
	int caller;      /* the calling thread's nice at an event where it differed */
	int lowest_prio; /* the highest nice value of any other thread seen */
	unsigned events_with_workers;
} nice_seen;

static int watch_nice(const codeidx_progress *ev, void *user)
{
	nice_seen *ns = user;
	char self[32];
	snprintf(self, sizeof self, "%ld", (long)gettid());
	if (thread_nice(self) != ns->base)
		ns->caller = thread_nice(self);
	if (ev->n_files == 0)
		return 0;
	ns->events_with_workers++;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.' && strcmp(e->d_name, self)) {
			int v = thread_nice(e->d_name);
			if (v > ns->lowest_prio)
				ns->lowest_prio = v;
		}
	if (d)
		closedir(d);
	return 0;
}

/* CODEIDX_UPDATE_BACKGROUND lowers the workers to nice 19 and only them: the caller
 * (who receives the progress events) keeps its priority; without it nobody changes. */
static void test_background_priority(void **state)
{
	(void)state;
	char self[32];
	snprintf(self, sizeof self, "%ld", (long)gettid());
	int base = thread_nice(self);
	if (base >= 19 || base == -100)
		skip(); /* already at the lowest priority, or no /proc: nothing to tell apart */
	char *root = tree_new();
	make_files(root, 400);
	for (int background = 0; background < 2; background++) {
		codeidx *idx = open_idx(root);
		nice_seen ns = {.base = base, .caller = base, .lowest_prio = -100};
		codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
		o.threads = 2;
		o.flags = CODEIDX_UPDATE_FULL | (background ? CODEIDX_UPDATE_BACKGROUND : 0);
		o.progress = watch_nice;
		o.progress_user = &ns;
		o.progress_interval_ms = 0;
		codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
		assert_int_equal(codeidx_update(idx, &o, &r), 0);
		assert_int_equal(r.files_new, 400);
		assert_true(ns.events_with_workers > 0);
		assert_int_equal(ns.caller, base);
		assert_int_equal(ns.lowest_prio, background ? 19 : base);
		codeidx_close(idx);
	}
	tree_remove(root);
}

static void test_bad_options(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 5);
	codeidx *idx = open_idx(root);
	int calls = 0;
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.progress = count_cb;
	o.progress_user = &calls;

	o.version = 99;
	assert_int_equal(codeidx_update(idx, &o, &r), CODEIDX_EINVAL);
	assert_true(strlen(codeidx_error_detail()) > 0);
	o.version = CODEIDX_UPDATE_OPTIONS_VERSION;

	o.n_excludes = 1; /* excludes is NULL */
	assert_int_equal(codeidx_update(idx, &o, &r), CODEIDX_EINVAL);
	o.n_excludes = 0;

	o.flags = 0x80;
	assert_int_equal(codeidx_update(idx, &o, &r), CODEIDX_EINVAL);
	o.flags = 0;

	o.threads = 100000;
	assert_int_equal(codeidx_update(idx, &o, &r), CODEIDX_EINVAL);
	o.threads = 2;

	r.version = 42;
	assert_int_equal(codeidx_update(idx, &o, &r), CODEIDX_EINVAL);
	r.version = CODEIDX_UPDATE_RESULT_VERSION;

	assert_int_equal(codeidx_update(NULL, &o, &r), CODEIDX_EINVAL);
	assert_int_equal(calls, 0);
	assert_int_equal(stats(idx).generation, 0);
	char *man = tree_path(root, ".codeidx/manifest");
	assert_int_not_equal(access(man, F_OK), 0);
	free(man);

	/* The same handle then works. */
	assert_int_equal(codeidx_update(idx, &o, &r), 0);
	assert_true(calls > 0);
	assert_int_equal(r.files_new, 5);
	codeidx_close(idx);
	tree_remove(root);
}

/* codeidx_open: missing root, a file as root, no index without CREATE. */
static void test_open_errors(void **state)
{
	(void)state;
	char *root = tree_new();
	codeidx *idx = (codeidx *)0x1;
	char *missing = tree_path(root, "no/such/dir");
	int rc = codeidx_open(&idx, missing, NULL);
	assert_true(rc < 0);
	assert_null(idx);
	assert_true(strlen(codeidx_error_detail()) > 0);

	assert_int_equal(tree_write_str(root, "file.c", "int x;\n"), 0);
	char *file = tree_path(root, "file.c");
	idx = (codeidx *)0x1;
	assert_true(codeidx_open(&idx, file, NULL) < 0);
	assert_null(idx);

	assert_true(codeidx_open(&idx, "", NULL) < 0);
	assert_int_equal(codeidx_open(NULL, root, NULL), CODEIDX_EINVAL);

	/* No .codeidx and no CREATE: ENOINDEX, and nothing gets created. */
	idx = (codeidx *)0x1;
	assert_int_equal(codeidx_open(&idx, root, NULL), CODEIDX_ENOINDEX);
	assert_null(idx);
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	assert_int_equal(codeidx_open(&idx, root, &oo), CODEIDX_ENOINDEX);
	char *dir = tree_path(root, ".codeidx");
	assert_int_not_equal(access(dir, F_OK), 0);

	oo.version = 7;
	oo.flags = CODEIDX_OPEN_CREATE;
	assert_int_equal(codeidx_open(&idx, root, &oo), CODEIDX_EINVAL);
	assert_int_not_equal(access(dir, F_OK), 0);

	/* With CREATE: an empty index of generation 0, at the canonical root. */
	oo.version = CODEIDX_OPEN_OPTIONS_VERSION;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	assert_int_equal(access(dir, F_OK), 0);
	codeidx_stats s = stats(idx);
	assert_int_equal(s.generation, 0);
	assert_int_equal(s.files, 0);
	char *real = realpath(root, NULL);
	assert_string_equal(codeidx_root(idx), real);
	codeidx_close(idx);
	/* Now it opens without CREATE. */
	assert_int_equal(codeidx_open(&idx, root, NULL), 0);
	codeidx_close(idx);
	free(real);
	free(dir);
	free(missing);
	free(file);
	tree_remove(root);
}

/* "Whatever kills the process": a segment written by an update that died before
 * publishing its manifest must not block later updates. */
static void test_stale_segment_from_crash(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 20);
	codeidx *idx = open_idx(root);
	codeidx_update_result r = update_ok(idx);
	uint64_t gen = r.generation;
	/* What a crash between the segment's fsync and the manifest's rename leaves:
	 * the next segment file (named after the next generation), unpublished. */
	char name[64];
	snprintf(name, sizeof name, ".codeidx/seg-%016llx.cdx", (unsigned long long)gen + 1);
	assert_int_equal(tree_write_str(root, name, "partial segment of a killed update"), 0);
	assert_int_equal(stats(idx).generation, gen); /* the index still opens and reads */

	assert_int_equal(tree_write_text(root, fname(2), 3000, 22), 0);
	int rc = update_ex(idx, 0, 0, &r);
	if (rc)
		fail_msg("update after a crash leftover: %s: %s", codeidx_strerror(rc),
			 codeidx_error_detail());
	assert_int_equal(r.files_changed, 1);
	assert_int_equal(stats(idx).generation, gen + 1);
	codeidx_close(idx);
	tree_remove(root);
}

/* Racily clean files: a file rewritten (same size) within the file-system time tick
 * in which the update recorded it keeps its size, mtime and inode. The stat data of
 * a file whose mtime is not older than the update that recorded it cannot prove it
 * unchanged later (git's "racy git" rule); the next run must look at its content. */
typedef struct racy {
	const char *root;
	struct timespec mtime; /* of racy.c when first written */
	int wrote, rewrote;
} racy;

static int racy_cb(const codeidx_progress *p, void *user)
{
	racy *x = user;
	if (!x->wrote) { /* the first event: the update has started */
		x->wrote = 1;
		assert_int_equal(tree_write_str(x->root, "racy.c", "int alpha_version = 1;\n"), 0);
		/* Written now, while the update runs (tree_write dates files in the past). */
		assert_int_equal(clock_gettime(CLOCK_REALTIME, &x->mtime), 0);
		assert_int_equal(tree_set_mtime(x->root, "racy.c", x->mtime.tv_sec,
						x->mtime.tv_nsec),
				 0);
	}
	if (p->phase == CODEIDX_PHASE_COMMIT && !x->rewrote) {
		/* The index phase has read racy.c; it is rewritten in the same tick (on a
		 * coarse clock; the test pins the mtime so it does not depend on timing). */
		x->rewrote = 1;
		assert_int_equal(tree_write_str(x->root, "racy.c", "int bravo_version = 2;\n"), 0);
		assert_int_equal(tree_set_mtime(x->root, "racy.c", x->mtime.tv_sec,
						x->mtime.tv_nsec),
				 0);
	}
	return 0;
}

static void test_racy_rewrite_in_same_tick(void **state)
{
	(void)state;
	char *root = tree_new();
	make_files(root, 10);
	codeidx *idx = open_idx(root);
	update_ok(idx);
	racy x = {.root = root};
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	o.progress = racy_cb;
	o.progress_user = &x;
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(codeidx_update(idx, &o, &r), 0);
	assert_true(x.wrote && x.rewrote);
	assert_int_equal(r.files_new, 1);

	/* racy.c now holds "bravo", the index holds what was read: "alpha". */
	r = update_ok(idx);
	if (r.files_changed != 1)
		fail_msg("racy.c was rewritten after being read, within its mtime tick; the "
			 "next update reports %llu changed, %llu unchanged: the index keeps "
			 "stale content",
			 (unsigned long long)r.files_changed,
			 (unsigned long long)r.files_unchanged);
	codeidx_close(idx);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rerun_no_changes),
		cmocka_unit_test(test_change_one_file),
		cmocka_unit_test(test_touch_same_content),
		cmocka_unit_test(test_delete_and_rename),
		cmocka_unit_test(test_becomes_binary),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_many_incremental_runs),
		cmocka_unit_test(test_second_writer_locked),
		cmocka_unit_test(test_special_and_vanishing_files),
		cmocka_unit_test(test_background_priority),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_stale_segment_from_crash),
		cmocka_unit_test(test_racy_rewrite_in_same_tick),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
