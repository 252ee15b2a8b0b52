/* plan.c - builds, bounds, evaluates, prints and frees trigram plans (the public side of the plan module). */

/*
 * The module in three files: plan_parse.c reads the PCRE2 syntax into a small tree
 * (plan_internal.h), plan_analyze.c derives the plan from it, and this file wraps
 * both in an arena, bounds the result to PL_BUDGET nodes and copies it out.
 *
 * What the analysis does not model, and how it degrades (always towards ALL):
 *   whole plan ALL   (*UTF) (*UCP) (*ACCEPT), unknown verbs and option letters,
 *                    callouts, (?x) #-comments under (*CR)/(*CRLF)/(*NUL) or holding
 *                    \r \v \f or NEL, nesting deeper than PL_MAX_DEPTH, syntax errors
 *   any string       backreferences, subroutine calls and recursion, \X, and the
 *                    brace forms "{,n}" "{ n }" (literal in PCRE2 10.42, quantifiers
 *                    from 10.43)
 *   any one byte     . \N \C \p \P, classes of more than PL_MAX_CLASS bytes, classes
 *                    holding \p or a quoted \Q...\E part
 *   nothing          anchors, \b \B \A \z \Z \G \K, negative lookarounds, conditions,
 *                    backtracking verbs (positive lookarounds add their own plan)
 *   weaker           x{n} past PL_MAX_REP copies reads x{4}.*x{4}; x{n,m} with m-n
 *                    past PL_MAX_REP reads x{n}.*; big sets fold into trigrams; an
 *                    OR over PL_OR_CAP kids is ALL; ANDs keep PL_AND_CAP kids; past
 *                    PL_MAX_VISITS tree nodes the rest reads as any string; a build
 *                    over PL_ARENA_MAX bytes gives ALL.
 */
#include "search/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"
#include "common/error.h"
#include "search/plan_internal.h"

/* ------------------------------------------------------------------ arena ---- */

struct pl_chunk {
	pl_chunk *next;  /* older chunk */
	size_t used, cap;
	max_align_t data[];
};

void *pl_alloc(pl_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = n ? (n + align - 1) / align * align : align;
	pl_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		/* Chunks start small (most builds need a few KiB) and double to 64 KiB. */
		size_t cap = a->total < 4096 ? 4096 : a->total < 65536 ? a->total : 65536;
		if (cap < n)
			cap = n;
		if (a->total + cap > PL_ARENA_MAX)
			longjmp(a->fail, PL_FAIL_BUDGET);
		c = malloc(sizeof *c + cap);
		if (!c)
			longjmp(a->fail, PL_FAIL_NOMEM);
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
		a->total += cap;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void pl_arena_release(pl_arena *a)
{
	while (a->head) {
		pl_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	a->total = 0;
}

/* ---------------------------------------------------------------- pruning ---- */

static size_t plan_size(const pl_plan *q)
{
	size_t n = 1;
	if (q->op == CX_PLAN_AND || q->op == CX_PLAN_OR)
		for (uint32_t i = 0; i < q->n; i++)
			n += plan_size(q->kids[i]);
	return n;
}

/* State of one pruning pass; `work` bounds the nodes visited, since the
 * analysis shares nodes and a plan may be a DAG much larger as a tree. */
typedef struct pruner {
	pl_arena *a;
	size_t work;
} pruner;

#define PRUNE_WORK_MAX 100000

/* Returns a plan that q implies, with at most `budget` nodes (ALL if budget is
 * 0). An AND may drop kids (it keeps trigrams first: they are the cheap ones); an
 * OR needs all of its kids, so each gets a share of the budget, and an OR that
 * cannot fit becomes ALL. pl_and_list/pl_or_list normalise the result again. */
static const pl_plan *prune(pruner *pr, const pl_plan *q, size_t budget)
{
	if (q->op != CX_PLAN_AND && q->op != CX_PLAN_OR)
		return budget || q->op != CX_PLAN_TRI ? q : &pl_plan_all;
	if (budget == 0 || ++pr->work > PRUNE_WORK_MAX)
		return &pl_plan_all;
	const pl_plan **v = pl_alloc(pr->a, q->n * sizeof *v);
	size_t n = 0;
	if (q->op == CX_PLAN_AND) {
		if (budget == 1) { /* no room for the AND node itself: keep one kid */
			for (uint32_t i = 0; i < q->n; i++) {
				const pl_plan *k = prune(pr, q->kids[i], 1);
				if (k->op != CX_PLAN_ALL)
					return k;
			}
			return &pl_plan_all;
		}
		size_t left = budget - 1;
		for (uint32_t i = 0; i < q->n && left > 0; i++) {
			if (q->kids[i]->op == CX_PLAN_TRI) {
				v[n++] = q->kids[i];
				left--;
			}
		}
		for (uint32_t i = 0; i < q->n && left > 0; i++) {
			if (q->kids[i]->op == CX_PLAN_TRI)
				continue;
			const pl_plan *k = prune(pr, q->kids[i], left);
			if (k->op == CX_PLAN_ALL)
				continue;
			v[n++] = k;
			size_t s = plan_size(k);
			left = s < left ? left - s : 0;
		}
		return pl_and_list(pr->a, v, n);
	}
	if ((size_t)q->n + 1 > budget)
		return &pl_plan_all;
	size_t left = budget - 1;
	for (uint32_t i = 0; i < q->n; i++) {
		const pl_plan *k = prune(pr, q->kids[i], left / (q->n - i));
		if (k->op == CX_PLAN_ALL)
			return &pl_plan_all;
		v[n++] = k;
		size_t s = plan_size(k);
		left = s < left ? left - s : 0;
	}
	return pl_or_list(pr->a, v, n);
}

/* ----------------------------------------------------------------- export ---- */

/* Copies an arena plan into malloc'd cx_plan nodes; NULL on allocation failure. */
static cx_plan *export_plan(const pl_plan *q)
{
	cx_plan *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->op = q->op;
	p->tri = q->tri;
	if (q->op != CX_PLAN_AND && q->op != CX_PLAN_OR)
		return p;
	p->kids = cx_calloc(q->n, sizeof *p->kids);
	if (!p->kids) {
		free(p);
		return NULL;
	}
	for (uint32_t i = 0; i < q->n; i++) {
		p->kids[i] = export_plan(q->kids[i]);
		if (!p->kids[i]) {
			cx_plan_free(p);
			return NULL;
		}
		p->n_kids++;
	}
	return p;
}

/* ------------------------------------------------------------- public API ---- */

int cx_plan_build(const char *pattern, size_t len, unsigned flags, cx_plan **out)
{
	if (!out)
		return cx_error(CODEIDX_EINVAL, "cx_plan_build: no output pointer");
	*out = NULL;
	if (!pattern && len)
		return cx_error(CODEIDX_EINVAL, "cx_plan_build: NULL pattern of length %zu", len);
	/* The arena lives on the heap so that its state is well defined after a
	 * longjmp back here. */
	pl_arena *a = calloc(1, sizeof *a);
	if (!a)
		return cx_error(CODEIDX_ENOMEM, "cx_plan_build: out of memory");
	const pl_plan *volatile q = &pl_plan_all;
	int jumped = setjmp(a->fail);
	if (jumped == PL_FAIL_NOMEM) {
		pl_arena_release(a);
		free(a);
		return cx_error(CODEIDX_ENOMEM, "cx_plan_build: out of memory");
	}
	if (!jumped) {
		const uint8_t *pat = (const uint8_t *)pattern;
		bool fold = flags & CX_PLAN_IGNORE_CASE;
		/* CX_PLAN_WORD only restricts which matches count: same plan. */
		if (flags & CX_PLAN_LITERAL)
			q = pl_analyze_literal(a, pat, len, fold);
		else
			q = pl_analyze(a, pl_parse(a, pat, len, fold));
		pruner pr = {a, 0};
		q = prune(&pr, q, PL_BUDGET);
	} else {
		q = &pl_plan_all; /* over the memory budget: settle for "all files" */
	}
	cx_plan *p = export_plan(q);
	pl_arena_release(a);
	free(a);
	if (!p)
		return cx_error(CODEIDX_ENOMEM, "cx_plan_build: out of memory");
	*out = p;
	return 0;
}

void cx_plan_free(cx_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_kids; i++)
		cx_plan_free(plan->kids[i]);
	free(plan->kids);
	free(plan);
}

int cx_plan_eval(const cx_plan *plan, int (*has)(uint32_t tri, void *user), void *user)
{
	switch (plan->op) {
	case CX_PLAN_ALL:
		return 1;
	case CX_PLAN_NONE:
		return 0;
	case CX_PLAN_TRI:
		return has(plan->tri, user) != 0;
	case CX_PLAN_AND:
		for (size_t i = 0; i < plan->n_kids; i++)
			if (!cx_plan_eval(plan->kids[i], has, user))
				return 0;
		return 1;
	case CX_PLAN_OR:
		for (size_t i = 0; i < plan->n_kids; i++)
			if (cx_plan_eval(plan->kids[i], has, user))
				return 1;
		return 0;
	}
	return 1;
}

/* Appends the text form of a plan. */
static int describe(cx_buf *b, const cx_plan *plan)
{
	char tmp[16];
	int rc = 0;
	switch (plan->op) {
	case CX_PLAN_ALL:
		return cx_buf_append(b, "ALL", 3);
	case CX_PLAN_NONE:
		return cx_buf_append(b, "NONE", 4);
	case CX_PLAN_TRI:
		rc = cx_buf_append(b, "\"", 1);
		for (int shift = 16; shift >= 0 && !rc; shift -= 8) {
			unsigned c = (plan->tri >> shift) & 0xff;
			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
				tmp[0] = (char)c;
				rc = cx_buf_append(b, tmp, 1);
			} else {
				snprintf(tmp, sizeof tmp, "\\x%02x", c);
				rc = cx_buf_append(b, tmp, 4);
			}
		}
		return rc ? rc : cx_buf_append(b, "\"", 1);
	case CX_PLAN_AND:
	case CX_PLAN_OR:
		rc = cx_buf_append(b, plan->op == CX_PLAN_AND ? "AND(" : "OR(",
				   plan->op == CX_PLAN_AND ? 4 : 3);
		for (size_t i = 0; i < plan->n_kids && !rc; i++) {
			if (i)
				rc = cx_buf_append(b, " ", 1);
			if (!rc)
				rc = describe(b, plan->kids[i]);
		}
		return rc ? rc : cx_buf_append(b, ")", 1);
	}
	return 0;
}

char *cx_plan_describe(const cx_plan *plan)
{
	cx_buf b = CX_BUF_INIT;
	if (describe(&b, plan) || cx_buf_append(&b, "", 1)) {
		cx_buf_release(&b);
		return NULL;
	}
	return (char *)b.data;
}
