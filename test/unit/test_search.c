/* test_search.c - codeidx_search through the public API on real trees: output order,
 * columns and spans, context, limits, filters, errors, multi-segment answers equal to
 * a fresh full index, and concurrent searches during updates (run under TSan too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codeidx.h"
#include "helpers/tree.h"

/* ---------------------------------------------------------------- helpers ---- */

/* Every reported line, as "path:line:column:ctx:text\n" (spans as [s,e) after). */
typedef struct transcript {
	char *text;
	size_t len, cap;
	size_t lines, stop_after; /* stop_after: return non-zero after that many lines */
} transcript;

static void append(transcript *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->text = realloc(t->text, t->cap);
		assert_non_null(t->text);
	}
	memcpy(t->text + t->len, s, n);
	t->len += n;
	t->text[t->len] = '\0';
}

static int record(const codeidx_match *m, void *user)
{
	transcript *t = user;
	char head[512];
	int n = snprintf(head, sizeof head, "%s:%llu:%llu:%d:", m->path,
			 (unsigned long long)m->line, (unsigned long long)m->column,
			 m->is_context);
	append(t, head, (size_t)n);
	append(t, m->text, m->text_len);
	for (size_t i = 0; i < m->n_spans; i++) {
		n = snprintf(head, sizeof head, " [%zu,%zu)", m->spans[i].start, m->spans[i].end);
		append(t, head, (size_t)n);
	}
	append(t, "\n", 1);
	t->lines++;
	return t->stop_after && t->lines >= t->stop_after;
}

static codeidx *open_indexed(const char *root)
{
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx = NULL;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	uo.threads = 2;
	assert_int_equal(codeidx_update(idx, &uo, NULL), 0);
	return idx;
}

static char *run(codeidx *idx, const char *pat, const codeidx_search_options *o,
		 codeidx_search_result *r)
{
	transcript t = {0};
	append(&t, "", 0);
	codeidx_search_result local = CODEIDX_SEARCH_RESULT_INIT;
	int rc = codeidx_search(idx, pat, strlen(pat), o, record, &t, r ? r : &local);
	if (rc)
		fail_msg("search %s: %s: %s", pat, codeidx_strerror(rc), codeidx_error_detail());
	return t.text;
}

static char *small_tree(void)
{
	char *root = tree_new();
	assert_non_null(root);
	assert_int_equal(tree_write_str(root, "b.c", "int alpha;\nint beta = alpha;\n"), 0);
	assert_int_equal(tree_write_str(root, "a/x.h", "one\ntwo alpha\nthree\nfour\nfive alpha\n"),
			 0);
	assert_int_equal(tree_write_str(root, "a-b.txt", "alphabet\n"), 0);
	assert_int_equal(tree_write_str(root, "z.py", "# alpha\n"), 0);
	return root;
}

/* ------------------------------------------------------------------ tests ---- */

/* Path order is bytewise ("a-b.txt" < "a/x.h": '-' < '/'), then line order; columns
 * are 1-based bytes; spans cover every match on a line. */
static void test_order_columns_spans(void **state)
{
	(void)state;
	char *root = small_tree();
	codeidx *idx = open_indexed(root);
	codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
	char *out = run(idx, "alpha", NULL, &r);
	assert_string_equal(out, "a-b.txt:1:1:0:alphabet [0,5)\n"
				 "a/x.h:2:5:0:two alpha [4,9)\n"
				 "a/x.h:5:6:0:five alpha [5,10)\n"
				 "b.c:1:5:0:int alpha; [4,9)\n"
				 "b.c:2:12:0:int beta = alpha; [11,16)\n"
				 "z.py:1:3:0:# alpha [2,7)\n");
	assert_int_equal(r.files_matched, 4);
	assert_int_equal(r.lines_matched, 6);
	assert_true(r.candidates >= 4);
	free(out);
	codeidx_close(idx);
	tree_remove(root);
}

static void test_word_case_literal(void **state)
{
	(void)state;
	char *root = small_tree();
	codeidx *idx = open_indexed(root);
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	o.flags = CODEIDX_SEARCH_WORD;
	char *out = run(idx, "alpha", &o, NULL);
	assert_null(strstr(out, "alphabet")); /* not a whole word */
	assert_non_null(strstr(out, "b.c:2:12:0:"));
	free(out);
	o.flags = CODEIDX_SEARCH_IGNORE_CASE;
	out = run(idx, "ALPHABET", &o, NULL);
	assert_string_equal(out, "a-b.txt:1:1:0:alphabet [0,8)\n");
	free(out);
	o.flags = CODEIDX_SEARCH_LITERAL;
	out = run(idx, "beta = a", &o, NULL);
	assert_string_equal(out, "b.c:2:5:0:int beta = alpha; [4,12)\n");
	free(out);
	out = run(idx, "a.p", &o, NULL); /* '.' is literal with -F */
	assert_string_equal(out, "");
	free(out);
	codeidx_close(idx);
	tree_remove(root);
}

/* Context lines are marked, not repeated, and limits stop where grep stops. */
static void test_context_and_limits(void **state)
{
	(void)state;
	char *root = small_tree();
	codeidx *idx = open_indexed(root);
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	o.before = 1;
	o.after = 1;
	o.globs = (const char *[]){"*.h"};
	o.n_globs = 1;
	char *out = run(idx, "alpha", &o, NULL);
	assert_string_equal(out, "a/x.h:1:0:1:one\n"
				 "a/x.h:2:5:0:two alpha [4,9)\n"
				 "a/x.h:3:0:1:three\n"
				 "a/x.h:4:0:1:four\n"
				 "a/x.h:5:6:0:five alpha [5,10)\n");
	free(out);
	codeidx_search_options m = CODEIDX_SEARCH_OPTIONS_INIT;
	m.max_per_file = 1;
	out = run(idx, "alpha", &m, NULL);
	assert_null(strstr(out, "a/x.h:5:"));
	assert_null(strstr(out, "b.c:2:"));
	assert_non_null(strstr(out, "z.py:1:"));
	free(out);
	codeidx_search_options t = CODEIDX_SEARCH_OPTIONS_INIT;
	t.max_total = 3;
	codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
	out = run(idx, "alpha", &t, &r);
	assert_int_equal(r.lines_matched, 3);
	assert_true(r.stopped);
	free(out);
	/* The callback stops the search. */
	transcript tr = {.stop_after = 2};
	append(&tr, "", 0);
	assert_int_equal(codeidx_search(idx, "alpha", 5, NULL, record, &tr, NULL), 0);
	assert_int_equal(tr.lines, 2);
	free(tr.text);
	codeidx_close(idx);
	tree_remove(root);
}

static void test_filters(void **state)
{
	(void)state;
	char *root = small_tree();
	codeidx *idx = open_indexed(root);
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	o.globs = (const char *[]){"!a/"};
	o.n_globs = 1;
	char *out = run(idx, "alpha", &o, NULL);
	assert_null(strstr(out, "a/x.h"));
	assert_non_null(strstr(out, "a-b.txt"));
	free(out);
	codeidx_search_options l = CODEIDX_SEARCH_OPTIONS_INIT;
	l.languages = (const char *[]){"py"};
	l.n_languages = 1;
	out = run(idx, "alpha", &l, NULL);
	assert_string_equal(out, "z.py:1:3:0:# alpha [2,7)\n");
	free(out);
	l.languages = (const char *[]){"no-such-language"};
	assert_int_equal(codeidx_search(idx, "alpha", 5, &l, record, NULL, NULL), CODEIDX_EINVAL);
	assert_non_null(strstr(codeidx_error_detail(), "no-such-language"));
	codeidx_close(idx);
	tree_remove(root);
}

static int never_called(const codeidx_match *m, void *user)
{
	(void)m;
	(void)user;
	fail_msg("the callback ran for a search that failed up front");
	return 1;
}

/* Files deleted after indexing are skipped and not counted, also when the window slot
 * they land in last held a matching file (its counts must not carry over), and a
 * handle reusing its buffers across searches answers the same every time. */
static void test_vanished_files_and_reuse(void **state)
{
	(void)state;
	char *root = tree_new();
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "f%03d.c", i);
		assert_int_equal(tree_write_str(root, name, "int needle;\nother\n"), 0);
	}
	codeidx *idx = open_indexed(root);
	for (int i = 20; i < 100; i += 3) { /* 27 files gone, in every window position */
		snprintf(name, sizeof name, "%s/f%03d.c", root, i);
		assert_int_equal(unlink(name), 0);
	}
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	char *first = NULL;
	for (unsigned threads = 1; threads <= 4; threads++) {
		o.threads = threads;
		for (int rep = 0; rep < 3; rep++) {
			codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
			char *out = run(idx, "needle", &o, &r);
			assert_int_equal(r.candidates, 100);
			assert_int_equal(r.files_matched, 73);
			assert_int_equal(r.lines_matched, 73);
			if (!first)
				first = out;
			else {
				assert_string_equal(out, first);
				free(out);
			}
		}
	}
	free(first);
	codeidx_close(idx);
	tree_remove(root);
}

static void test_errors(void **state)
{
	(void)state;
	char *root = small_tree();
	codeidx *idx = open_indexed(root);
	assert_int_equal(codeidx_search(idx, "foo(", 4, NULL, never_called, NULL, NULL),
			 CODEIDX_EPATTERN);
	assert_non_null(strstr(codeidx_error_detail(), "offset 4"));
	size_t big = CODEIDX_MAX_PATTERN + 1;
	char *pat = malloc(big);
	memset(pat, 'a', big);
	assert_int_equal(codeidx_search(idx, pat, big, NULL, never_called, NULL, NULL),
			 CODEIDX_ELIMIT);
	free(pat);
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	o.after = CODEIDX_MAX_CONTEXT + 1;
	assert_int_equal(codeidx_search(idx, "a", 1, &o, never_called, NULL, NULL), CODEIDX_ELIMIT);
	o = (codeidx_search_options)CODEIDX_SEARCH_OPTIONS_INIT;
	o.version = 99;
	assert_int_equal(codeidx_search(idx, "a", 1, &o, never_called, NULL, NULL), CODEIDX_EINVAL);
	codeidx_close(idx);
	tree_remove(root);
}

/* ------------------------------------------------- multi-segment answers ---- */

static const char *const queries[] = {"needle", "need(le|ed)", "^line \\d+ of", "\\bx\\w*y\\b",
				      "tail$", "(?i)NEEDLE"};

static char *all_answers(codeidx *idx)
{
	transcript t = {0};
	append(&t, "", 0);
	for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
		char *out = run(idx, queries[q], NULL, NULL);
		append(&t, out, strlen(out));
		free(out);
	}
	return t.text;
}

static void write_doc(const char *root, unsigned i, unsigned version)
{
	char rel[64], body[512];
	snprintf(rel, sizeof rel, "d%u/f%03u.txt", i % 7, i);
	snprintf(body, sizeof body,
		 "line %u of file %u\n%s xa%uy tail\nversion %u%s\n", version, i,
		 (i + version) % 3 ? "needle" : "needed", i, version,
		 version % 2 ? " tail" : "");
	assert_int_equal(tree_write_str(root, rel, body), 0);
}

/* Incremental history (changes, deletions, renames, over many segments) answers
 * exactly like a fresh full index of the same tree. */
static void test_multi_segment_equals_full(void **state)
{
	(void)state;
	char *root = tree_new();
	for (unsigned i = 0; i < 120; i++)
		write_doc(root, i, 0);
	codeidx *idx = open_indexed(root);
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	for (unsigned round = 1; round <= 9; round++) {
		for (unsigned i = round; i < 120; i += 11)
			write_doc(root, i, round);
		char rel[64], *p;
		snprintf(rel, sizeof rel, "d%u/f%03u.txt", (round * 13) % 7, round * 13);
		p = tree_path(root, rel);
		remove(p); /* a deletion */
		free(p);
		write_doc(root, 200 + round, round); /* an addition */
		assert_int_equal(codeidx_update(idx, &uo, NULL), 0);
	}
	codeidx_stats st = CODEIDX_STATS_INIT;
	assert_int_equal(codeidx_stats_get(idx, &st), 0);
	assert_true(st.segments > 1);
	assert_true(st.deleted_docs > 0);
	char *incremental = all_answers(idx);
	uo.flags = CODEIDX_UPDATE_FULL;
	assert_int_equal(codeidx_update(idx, &uo, NULL), 0);
	assert_int_equal(codeidx_stats_get(idx, &st), 0);
	assert_int_equal(st.segments, 1);
	char *full = all_answers(idx);
	assert_true(strlen(full) > 1000);
	assert_string_equal(incremental, full);
	free(incremental);
	free(full);
	codeidx_close(idx);
	tree_remove(root);
}

/* ----------------------------------------------------------- concurrency ---- */

/* Each update adds a whole batch of files; a search must see whole batches only. */
#define BATCHES 6
#define BATCH_FILES 12

typedef struct shared {
	codeidx *idx;
	int done;
	pthread_mutex_t lock;
	unsigned searches, bad;
} shared;

typedef struct seen {
	unsigned per_batch[BATCHES + 1];
} seen;

static int count_batch(const codeidx_match *m, void *user)
{
	seen *s = user;
	unsigned b;
	if (sscanf(m->path, "batch%u/", &b) == 1 && b <= BATCHES)
		s->per_batch[b]++;
	return 0;
}

static void *searcher(void *arg)
{
	shared *sh = arg;
	for (;;) {
		pthread_mutex_lock(&sh->lock);
		int done = sh->done;
		pthread_mutex_unlock(&sh->lock);
		seen s = {0};
		codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
		o.threads = 2;
		int rc = codeidx_search(sh->idx, "batchword", 9, &o, count_batch, &s, NULL);
		unsigned bad = rc != 0;
		for (unsigned b = 0; b <= BATCHES; b++)
			bad += s.per_batch[b] != 0 && s.per_batch[b] != BATCH_FILES;
		pthread_mutex_lock(&sh->lock);
		sh->searches++;
		sh->bad += bad;
		pthread_mutex_unlock(&sh->lock);
		if (done)
			return NULL;
	}
}

static void test_concurrent_searches_during_updates(void **state)
{
	(void)state;
	char *root = tree_new();
	for (unsigned f = 0; f < BATCH_FILES; f++) {
		char rel[64];
		snprintf(rel, sizeof rel, "batch0/f%u.c", f);
		assert_int_equal(tree_write_str(root, rel, "int batchword;\n"), 0);
	}
	shared sh = {.idx = open_indexed(root)};
	pthread_mutex_init(&sh.lock, NULL);
	pthread_t tid[4];
	for (int t = 0; t < 4; t++)
		assert_int_equal(pthread_create(&tid[t], NULL, searcher, &sh), 0);
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	for (unsigned b = 1; b <= BATCHES; b++) {
		for (unsigned f = 0; f < BATCH_FILES; f++) {
			char rel[64];
			snprintf(rel, sizeof rel, "batch%u/f%u.c", b, f);
			assert_int_equal(tree_write_str(root, rel, "int batchword;\n"), 0);
		}
		assert_int_equal(codeidx_update(sh.idx, &uo, NULL), 0);
	}
	pthread_mutex_lock(&sh.lock);
	sh.done = 1;
	pthread_mutex_unlock(&sh.lock);
	for (int t = 0; t < 4; t++)
		pthread_join(tid[t], NULL);
	assert_true(sh.searches >= 4);
	if (sh.bad)
		fail_msg("%u of %u searches saw a partial generation or failed", sh.bad,
			 sh.searches);
	/* After the last update every batch is whole. */
	seen s = {0};
	assert_int_equal(codeidx_search(sh.idx, "batchword", 9, NULL, count_batch, &s, NULL), 0);
	for (unsigned b = 0; b <= BATCHES; b++)
		assert_int_equal(s.per_batch[b], BATCH_FILES);
	pthread_mutex_destroy(&sh.lock);
	codeidx_close(sh.idx);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_columns_spans),
		cmocka_unit_test(test_word_case_literal),
		cmocka_unit_test(test_context_and_limits),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_vanished_files_and_reuse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_multi_segment_equals_full),
		cmocka_unit_test(test_concurrent_searches_during_updates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
