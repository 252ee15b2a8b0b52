/* fuzz_plan.c - libFuzzer target: a trigram plan must hold on every text in which PCRE2 matches a line. */
/*
 * Input: byte 0 = flags (CX_PLAN_LITERAL 1, CX_PLAN_IGNORE_CASE 2, CX_PLAN_WORD 4),
 * bytes 1-2 = pattern length (little-endian, cut to what is left), then the
 * pattern, then the subject text. Checks the shape of the plan (flat, bounded, no
 * '\n' in trigrams) and soundness: if PCRE2 (byte mode, PCRE2_CASELESS for -i,
 * PCRE2_LITERAL per '\n'-separated alternative for -F) matches some line of the
 * subject, the plan is true on the subject's trigram set. Aborts otherwise.
 *
 * Build (from the top directory), then run with fuzz/corpus/plan as corpus:
 *   clang -fsanitize=fuzzer,address -Iinclude -Ilib fuzz/fuzz_plan.c \
 *         lib/search/plan.c lib/search/plan_parse.c lib/search/plan_analyze.c \
 *         lib/common/buf.c lib/common/error.c -lpcre2-8
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "search/plan.h"

typedef struct subject {
	const uint8_t *p;
	size_t n;
} subject;

static int has_tri(uint32_t tri, void *user)
{
	const subject *s = user;
	for (size_t i = 0; i + 3 <= s->n; i++) {
		if (s->p[i] == '\n' || s->p[i + 1] == '\n' || s->p[i + 2] == '\n')
			continue;
		if (((uint32_t)s->p[i] << 16 | (uint32_t)s->p[i + 1] << 8 | s->p[i + 2]) == tri)
			return 1;
	}
	return 0;
}

/* Checks the promised shape; returns the node count. */
static size_t check_shape(const cx_plan *p, int top)
{
	switch (p->op) {
	case CX_PLAN_ALL:
	case CX_PLAN_NONE:
		if (!top)
			abort();
		return 1;
	case CX_PLAN_TRI:
		if (p->tri > 0xffffff || ((p->tri >> 16) & 0xff) == '\n' ||
		    ((p->tri >> 8) & 0xff) == '\n' || (p->tri & 0xff) == '\n')
			abort();
		return 1;
	case CX_PLAN_AND:
	case CX_PLAN_OR: {
		if (p->n_kids < 2)
			abort();
		size_t n = 1;
		for (size_t i = 0; i < p->n_kids; i++) {
			if (p->kids[i]->op == p->op)
				abort();
			n += check_shape(p->kids[i], 0);
		}
		return n;
	}
	}
	abort();
}

/* Does some line of the subject match any of the compiled alternatives? */
static int any_line_matches(pcre2_code **re, size_t n_re, int all, const subject *s,
			    pcre2_match_data *md, pcre2_match_context *mc)
{
	size_t start = 0;
	for (size_t i = 0; i <= s->n; i++) {
		if (i < s->n && s->p[i] != '\n')
			continue;
		if (all)
			return 1;
		for (size_t k = 0; k < n_re; k++)
			if (pcre2_match(re[k], s->p + start, i - start, 0, 0, md, mc) > 0)
				return 1;
		start = i + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned flags = data[0] & 7;
	size_t plen = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (plen > size)
		plen = size;
	const char *pat = (const char *)data;
	subject s = {data + plen, size - plen};

	cx_plan *plan = NULL;
	if (cx_plan_build(pat, plen, flags, &plan) != 0)
		abort(); /* only ENOMEM may fail, and it does not happen here */
	if (check_shape(plan, 1) > 200)
		abort();
	char *text = cx_plan_describe(plan);
	if (!text)
		abort();

	pcre2_code *re[32];
	size_t n_re = 0;
	int all = 0, ok = 1, err;
	PCRE2_SIZE off;
	uint32_t opts = (flags & CX_PLAN_IGNORE_CASE) ? PCRE2_CASELESS : 0;
	if (flags & CX_PLAN_LITERAL) {
		size_t start = 0;
		for (size_t i = 0; i <= plen && ok; i++) {
			if (i < plen && pat[i] != '\n')
				continue;
			if (i == start)
				all = 1;
			else if (n_re < 32)
				ok = (re[n_re++] = pcre2_compile((PCRE2_SPTR)pat + start, i - start,
								 opts | PCRE2_LITERAL, &err, &off,
								 NULL)) != NULL;
			else
				ok = 0; /* too many alternatives to check one by one */
			start = i + 1;
		}
	} else {
		ok = (re[n_re++] = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &err, &off, NULL)) != NULL;
	}
	if (ok) {
		pcre2_match_data *md = pcre2_match_data_create(32, NULL);
		pcre2_match_context *mc = pcre2_match_context_create(NULL);
		pcre2_set_match_limit(mc, 20000);
		pcre2_set_depth_limit(mc, 2000);
		if (any_line_matches(re, n_re, all, &s, md, mc) && !cx_plan_eval(plan, has_tri, &s)) {
			fprintf(stderr, "unsound plan %s for pattern of %zu bytes (flags %u)\n", text,
				plen, flags);
			abort();
		}
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
	}
	for (size_t i = 0; i < n_re; i++)
		pcre2_code_free(re[i]);
	free(text);
	cx_plan_free(plan);
	return 0;
}
