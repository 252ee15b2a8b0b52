/* test_block_plan.c - unit tests of lib/search/block_plan: for random patterns (literal, alternations, groups, classes, any letter case, -i, -w) the prepared plan picks exactly the blocks on which the plain trigram plan holds when each trigram is asked of each block's filter, and case variants merged in an OR change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"
#include "helpers/append.h"
#include "helpers/rng.h"
#include "index/blocks.h"
#include "index/trigram.h"
#include "search/block_plan.h"
#include "search/plan.h"

#define MAX_FILE (640u << 10)

static uint8_t g_file[MAX_FILE];
static uint32_t g_scratch[MAX_FILE];
static uint64_t g_seen[CX_TRIGRAM_BITMAP_WORDS];

/* Words of random letters in random case, spaces and line ends. */
static void fill(rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t c = rnd(r, 10);
		p[i] = c == 0 ? ' ' : c == 1 && rnd(r, 8) == 0 ? '\n' : (uint8_t)('a' + rnd(r, 26));
		if (p[i] >= 'a' && rnd(r, 3) == 0)
			p[i] ^= 0x20;
	}
}

/* A random word of `len` letters in random case. */
static void word(rng *r, char *buf, size_t cap, size_t *n, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = (char)('a' + rnd(r, 26));
		if (rnd(r, 3) == 0)
			c ^= 0x20;
		append_bounded(buf, cap, n, &c, 1);
	}
}

/* A random pattern: words joined by concatenation, alternation, groups, a class, an
 * optional part or a dot, so plans hold ANDs, ORs and ALL kids. */
static void pattern(rng *r, char *buf, size_t cap, int depth)
{
	size_t n = strlen(buf);
	uint32_t parts = 1 + rnd(r, 3);
	for (uint32_t i = 0; i < parts; i++) {
		switch (depth < 2 ? rnd(r, 6) : 0) {
		case 0:
		case 1:
			word(r, buf, cap, &n, 2 + rnd(r, 5));
			break;
		case 2:
			append_bounded(buf, cap, &n, "(", 1);
			pattern(r, buf, cap, depth + 1);
			n = strlen(buf);
			append_bounded(buf, cap, &n, "|", 1);
			pattern(r, buf, cap, depth + 1);
			n = strlen(buf);
			append_bounded(buf, cap, &n, ")", 1);
			break;
		case 3:
			append_bounded(buf, cap, &n, "[aBc]", 5);
			break;
		case 4:
			append_bounded(buf, cap, &n, rnd(r, 2) ? "x?" : ".", rnd(r, 2) ? 2 : 1);
			break;
		default:
			append_bounded(buf, cap, &n, "|", 1);
			break;
		}
	}
}

typedef struct probe_ctx {
	const cx_blocks *b;
	unsigned k;
} probe_ctx;

static int block_has(uint32_t tri, void *user)
{
	const probe_ctx *c = user;
	return cx_blocks_may_have(c->b, c->k, tri);
}

/* ------------------------------------------------------------------ tests ---- */

static void test_random_plans(void **state)
{
	(void)state;
	rng r = {0x5eed0b10c4ull};
	size_t masks = 0, mixed = 0;
	for (int file = 0; file < 12; file++) {
		size_t n = CX_BLOCKS_MIN_SIZE + rnd(&r, MAX_FILE - CX_BLOCKS_MIN_SIZE);
		fill(&r, g_file, n);
		cx_buf blob = CX_BUF_INIT;
		assert_int_equal(cx_blocks_build(g_file, n, g_seen, g_scratch, &blob), 0);
		cx_blocks b;
		assert_int_equal(cx_blocks_parse(blob.data, blob.len, n, &b), 0);
		for (int q = 0; q < 400; q++) {
			char pat[256] = "";
			pattern(&r, pat, sizeof pat, 0);
			unsigned flags = (rnd(&r, 2) ? CX_PLAN_IGNORE_CASE : 0) |
					 (rnd(&r, 4) == 0 ? CX_PLAN_WORD : 0) |
					 (rnd(&r, 6) == 0 ? CX_PLAN_LITERAL : 0);
			cx_plan *plan;
			assert_int_equal(cx_plan_build(pat, strlen(pat), flags, &plan), 0);
			cx_block_plan *bp;
			assert_int_equal(cx_block_plan_new(plan, &bp), 0);
			uint64_t got = cx_block_plan_mask(bp, &b), want = 0;
			for (unsigned k = 0; k < b.n; k++) {
				probe_ctx c = {&b, k};
				if (cx_plan_eval(plan, block_has, &c))
					want |= 1ull << k;
			}
			if (got != want) {
				char *d = cx_plan_describe(plan);
				print_error("pattern \"%s\" flags %u plan %s: mask %#llx, want %#llx\n",
					    pat, flags, d ? d : "?", (unsigned long long)got,
					    (unsigned long long)want);
				free(d);
				fail();
			}
			masks++;
			mixed += want != 0 && want != cx_blocks_all(&b);
			cx_block_plan_free(bp);
			cx_plan_free(plan);
		}
		cx_buf_release(&blob);
	}
	printf("random plans: %zu masks, %zu neither empty nor full\n", masks, mixed);
	assert_true(mixed * 4 > masks); /* the cases are not trivially all or none */
}

/* Plans without trigrams: ALL passes every block, NONE none. */
static void test_all_and_none(void **state)
{
	(void)state;
	rng r = {77};
	size_t n = 100000;
	fill(&r, g_file, n);
	cx_buf blob = CX_BUF_INIT;
	assert_int_equal(cx_blocks_build(g_file, n, g_seen, g_scratch, &blob), 0);
	cx_blocks b;
	assert_int_equal(cx_blocks_parse(blob.data, blob.len, n, &b), 0);
	static const char *const all[] = {"a.c", "", "[^x]*", "(?s).{2}"};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		cx_plan *plan;
		cx_block_plan *bp;
		assert_int_equal(cx_plan_build(all[i], strlen(all[i]), 0, &plan), 0);
		assert_int_equal(cx_block_plan_new(plan, &bp), 0);
		assert_int_equal(cx_block_plan_mask(bp, &b), cx_blocks_all(&b));
		cx_block_plan_free(bp);
		cx_plan_free(plan);
	}
	cx_plan none = {.op = CX_PLAN_NONE};
	cx_block_plan *bp;
	assert_int_equal(cx_block_plan_new(&none, &bp), 0);
	assert_int_equal(cx_block_plan_mask(bp, &b), 0);
	cx_block_plan_free(bp);
	cx_buf_release(&blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_and_none),
		cmocka_unit_test(test_random_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
