/* plan_span.c - the longest stretch of a line that one match of a pattern, with its
 * positive lookarounds (the only ones the plan takes trigrams from), can cover: a search whose matches are short can read only the blocks
 * of a large file whose summaries pass its plan (index/blocks.h). */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "search/plan_internal.h"

/* Sum and product that saturate at SIZE_MAX ("unbounded"). */
static size_t add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t mul_sat(size_t a, size_t b)
{
	return a && b > SIZE_MAX / a ? SIZE_MAX : a * b;
}

/* Bytes a match of `n` covers at most. A positive lookaround looks at the bytes next
 * to where it stands, so its own span adds to its sequence's like any item's. */
static size_t span(const pl_node *n)
{
	size_t s = 0;
	switch (n->kind) {
	case PL_EMPTY:
		return 0;
	case PL_ANY:
		return SIZE_MAX;
	case PL_LIT:
		return n->len;
	case PL_CLASS:
		return 1;
	case PL_CAT:
		for (uint32_t i = 0; i < n->len && s != SIZE_MAX; i++)
			s = add_sat(s, span(n->kids[i]));
		return s;
	case PL_ALT:
		for (uint32_t i = 0; i < n->len && s != SIZE_MAX; i++) {
			size_t k = span(n->kids[i]);
			s = k > s ? k : s;
		}
		return s;
	case PL_REP:
		s = span(n->kids[0]);
		if (s == 0)
			return 0;
		return n->max < 0 ? SIZE_MAX : mul_sat(s, (size_t)n->max);
	case PL_LOOK:
		return span(n->kids[0]);
	}
	return SIZE_MAX;
}

/* Longest of the '\n'-separated fixed strings. */
static size_t literal_span(const char *p, size_t len)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < len; i++) {
		run = p[i] == '\n' ? 0 : run + 1;
		best = run > best ? run : best;
	}
	return best;
}

size_t cx_plan_span(const char *pattern, size_t len, unsigned flags)
{
	size_t s;
	if (flags & CX_PLAN_LITERAL) {
		s = literal_span(pattern, len);
	} else {
		pl_arena *a = calloc(1, sizeof *a);
		if (!a)
			return SIZE_MAX;
		volatile size_t got = SIZE_MAX;
		if (!setjmp(a->fail)) {
			const pl_node *root = pl_parse(a, (const uint8_t *)pattern, len,
						       flags & CX_PLAN_IGNORE_CASE);
			got = root ? span(root) : SIZE_MAX;
		}
		pl_arena_release(a);
		free(a);
		s = got;
	}
	/* -w looks at one byte on each side of the match. */
	return flags & CX_PLAN_WORD ? add_sat(s, 2) : s;
}
