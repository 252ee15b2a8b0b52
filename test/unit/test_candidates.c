/* test_candidates.c - unit tests of lib/search/candidates: on a real index of 1,200 files whose trigrams range from rare to in nearly every file (two segments, with deleted and changed files), the candidates of random plans (alternations, groups, -i case variants) are exactly the live files on whose trigram sets the plan holds, in path order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handle.h"
#include "codeidx.h"
#include "helpers/append.h"
#include "helpers/rng.h"
#include "helpers/tree.h"
#include "search/candidates.h"
#include "search/plan.h"

#define N_FILES 1200
#define N_WORDS 4000
#define MAX_TEXT 1500

static char g_words[N_WORDS][12];

/* A file as the test knows it: its sorted distinct trigrams, or dead. */
typedef struct file_model {
	uint32_t *tris;
	size_t n;
	int live;
} file_model;

static file_model g_files[N_FILES];

/* Words of random letters in one of three case styles. */
static void make_words(rng *r)
{
	for (int i = 0; i < N_WORDS; i++) {
		uint32_t len = 3 + rnd(r, 8), style = rnd(r, 3);
		for (uint32_t j = 0; j < len; j++) {
			char c = (char)('a' + rnd(r, 26));
			if (style == 1 || (style == 2 && rnd(r, 3) == 0))
				c ^= 0x20;
			g_words[i][j] = c;
		}
		g_words[i][len] = '\0';
	}
}

/* Word k with probability falling as 1/(k+1): some in nearly every file, most rare. */
static const char *pick_word(rng *r)
{
	double u = (double)(rnd64(r) >> 11) / 9007199254740992.0;
	uint32_t k = (uint32_t)(N_WORDS * u * u * u);
	return g_words[k < N_WORDS ? k : N_WORDS - 1];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Writes file i anew and records its trigrams (those without a '\n', as indexed). */
static void write_file(const char *root, rng *r, int i)
{
	char text[MAX_TEXT + 16];
	size_t n = 0, want = 40 + rnd(r, MAX_TEXT - 40);
	text[0] = '\0';
	while (n < want) {
		const char *w = pick_word(r);
		append_bounded(text, sizeof text, &n, w, strlen(w));
		append_bounded(text, sizeof text, &n, rnd(r, 6) ? " " : "\n", 1);
		if (n + 12 >= sizeof text)
			break;
	}
	char rel[32];
	snprintf(rel, sizeof rel, "f%04d.c", i);
	assert_int_equal(tree_write(root, rel, text, n), 0);
	file_model *f = &g_files[i];
	free(f->tris);
	f->tris = malloc((n + 1) * sizeof *f->tris);
	assert_non_null(f->tris);
	f->n = 0;
	for (size_t k = 0; k + 2 < n; k++) {
		const uint8_t *p = (const uint8_t *)text + k;
		if (p[0] != '\n' && p[1] != '\n' && p[2] != '\n')
			f->tris[f->n++] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	}
	qsort(f->tris, f->n, sizeof *f->tris, cmp_u32);
	size_t u = 0;
	for (size_t k = 0; k < f->n; k++)
		if (!u || f->tris[k] != f->tris[u - 1])
			f->tris[u++] = f->tris[k];
	f->n = u;
	f->live = 1;
}

static int file_has(uint32_t tri, void *user)
{
	const file_model *f = user;
	return bsearch(&tri, f->tris, f->n, sizeof tri, cmp_u32) != NULL;
}

/* A random pattern over the files' words (any of them, rare ones as often as
 * common ones, and a common one now and then): a word, a concatenation with a gap, an
 * alternation of two or three, or a group inside a concatenation. */
static void pattern(rng *r, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	const char *a = g_words[rnd(r, N_WORDS)], *b = g_words[rnd(r, N_WORDS)];
	const char *c = rnd(r, 2) ? pick_word(r) : g_words[rnd(r, N_WORDS)];
	switch (rnd(r, 4)) {
	case 0:
		append_bounded(buf, cap, &n, a, strlen(a));
		break;
	case 1:
		append_bounded(buf, cap, &n, a, strlen(a));
		append_bounded(buf, cap, &n, ".*", 2);
		append_bounded(buf, cap, &n, b, strlen(b));
		break;
	case 2:
		append_bounded(buf, cap, &n, a, strlen(a));
		append_bounded(buf, cap, &n, "|", 1);
		append_bounded(buf, cap, &n, b, strlen(b));
		if (rnd(r, 2)) {
			append_bounded(buf, cap, &n, "|", 1);
			append_bounded(buf, cap, &n, c, strlen(c));
		}
		break;
	default:
		append_bounded(buf, cap, &n, a, strlen(a));
		append_bounded(buf, cap, &n, " (", 2);
		append_bounded(buf, cap, &n, b, strlen(b));
		append_bounded(buf, cap, &n, "|", 1);
		append_bounded(buf, cap, &n, c, strlen(c));
		append_bounded(buf, cap, &n, ")", 1);
		break;
	}
}

static void update(codeidx *idx)
{
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	uo.threads = 2;
	assert_int_equal(codeidx_update(idx, &uo, NULL), 0);
}

/* ------------------------------------------------------------------ tests ---- */

static void test_random_plans(void **state)
{
	(void)state;
	rng r = {0xca9d1da7e5ull};
	make_words(&r);
	char *root = tree_new();
	assert_non_null(root);
	for (int i = 0; i < N_FILES; i++)
		write_file(root, &r, i);
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx = NULL;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	update(idx);
	/* A second segment: some files changed, some deleted. */
	for (int i = 0; i < N_FILES; i += 7) {
		if (i % 2) {
			char rel[32];
			snprintf(rel, sizeof rel, "f%04d.c", i);
			char *p = tree_path(root, rel);
			assert_int_equal(unlink(p), 0);
			free(p);
			g_files[i].live = 0;
		} else {
			write_file(root, &r, i);
		}
	}
	update(idx);
	int rc = 0;
	cx_snapshot *snap = cx_handle_acquire(idx, &rc);
	assert_non_null(snap);
	assert_int_equal(snap->manifest.n_segs, 2); /* the first run and the changes */
	cx_filter none = {0};
	size_t total = 0, nonempty = 0, queries = 0;
	for (int q = 0; q < 3000; q++) {
		char pat[128];
		pattern(&r, pat, sizeof pat);
		unsigned flags = rnd(&r, 2) ? CX_PLAN_IGNORE_CASE : 0;
		cx_plan *plan;
		assert_int_equal(cx_plan_build(pat, strlen(pat), flags, &plan), 0);
		cx_cand_doc *cands;
		size_t n;
		assert_int_equal(cx_candidates(snap, plan, &none, &cands, &n), 0);
		size_t k = 0;
		for (int i = 0; i < N_FILES; i++) {
			if (!g_files[i].live || !cx_plan_eval(plan, file_has, &g_files[i]))
				continue;
			char want[32];
			snprintf(want, sizeof want, "f%04d.c", i);
			size_t len = 0;
			const char *got = k < n ? cx_segment_path(snap->segs[cands[k].seg].seg,
								  cands[k].doc, &len)
						: "";
			if (k >= n || len != strlen(want) || memcmp(got, want, len)) {
				char *d = cx_plan_describe(plan);
				print_error("pattern \"%s\" (flags %u, plan %s): candidate %zu is %.*s, "
					    "want %s\n", pat, flags, d ? d : "?", k, (int)len, got, want);
				free(d);
				fail();
			}
			k++;
		}
		if (k != n)
			fail_msg("pattern \"%s\" (flags %u): %zu candidates, want %zu", pat, flags, n, k);
		total += n;
		nonempty += n > 0;
		queries++;
		free(cands);
		cx_plan_free(plan);
	}
	printf("random plans: %zu queries, %zu with candidates, %zu candidates\n", queries,
	       nonempty, total);
	assert_true(nonempty * 4 > queries && total < queries * N_FILES / 4);
	cx_snapshot_unref(snap);
	codeidx_close(idx);
	for (int i = 0; i < N_FILES; i++)
		free(g_files[i].tris);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
