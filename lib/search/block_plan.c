/* block_plan.c - a trigram plan prepared for block filters, and its evaluation over
 * the blocks of one file (see block_plan.h). */
#include "search/block_plan.h"

#include <stdlib.h>

#include "codeidx.h"

/* A node; the kids of an AND or OR are nodes[kid0 .. kid0 + n_kids). */
typedef struct node {
	cx_plan_op op;
	uint32_t n_kids, kid0;
	cx_blocks_probe probe; /* CX_PLAN_TRI */
} node;

struct cx_block_plan {
	node *nodes; /* nodes[0] is the root */
	uint32_t n, cap;
};

/* Appends k uninitialized nodes; returns the index of the first, or -1. */
static int64_t grow(cx_block_plan *bp, uint32_t k)
{
	if (bp->n + k > bp->cap) {
		uint32_t cap = bp->cap ? bp->cap : 16;
		while (cap < bp->n + k)
			cap *= 2;
		node *nn = realloc(bp->nodes, cap * sizeof *nn);
		if (!nn)
			return -1;
		bp->nodes = nn;
		bp->cap = cap;
	}
	bp->n += k;
	return bp->n - k;
}

/* Whether kid i of an OR is a trigram that an earlier kid equals once folded. */
static int same_fold_before(const cx_plan *or, size_t i)
{
	const cx_plan *k = or->kids[i];
	if (k->op != CX_PLAN_TRI)
		return 0;
	uint32_t f = cx_blocks_fold(k->tri);
	for (size_t j = 0; j < i; j++)
		if (or->kids[j]->op == CX_PLAN_TRI && cx_blocks_fold(or->kids[j]->tri) == f)
			return 1;
	return 0;
}

/* Prepares plan p into nodes[at]. */
static int build(cx_block_plan *bp, const cx_plan *p, uint32_t at)
{
	node nd = {.op = p->op};
	if (p->op == CX_PLAN_TRI)
		nd.probe = cx_blocks_probe_of(p->tri);
	if (p->op == CX_PLAN_AND || p->op == CX_PLAN_OR) {
		uint32_t keep = 0;
		for (size_t i = 0; i < p->n_kids; i++)
			keep += !(p->op == CX_PLAN_OR && same_fold_before(p, i));
		if (keep == 1) /* an OR of one trigram's case variants: that trigram */
			return build(bp, p->kids[0], at);
		int64_t first = grow(bp, keep);
		if (first < 0)
			return CODEIDX_ENOMEM;
		nd.n_kids = keep;
		nd.kid0 = (uint32_t)first;
		for (size_t i = 0, j = 0; i < p->n_kids; i++) {
			if (p->op == CX_PLAN_OR && same_fold_before(p, i))
				continue;
			int rc = build(bp, p->kids[i], nd.kid0 + (uint32_t)j++);
			if (rc)
				return rc;
		}
	}
	bp->nodes[at] = nd;
	return 0;
}

int cx_block_plan_new(const cx_plan *plan, cx_block_plan **out)
{
	*out = NULL;
	cx_block_plan *bp = calloc(1, sizeof *bp);
	int rc = bp && grow(bp, 1) == 0 ? build(bp, plan, 0) : CODEIDX_ENOMEM;
	if (rc) {
		cx_block_plan_free(bp);
		return rc;
	}
	*out = bp;
	return 0;
}

/* The blocks of `live` on which node i holds. */
static uint64_t eval(const cx_block_plan *bp, uint32_t i, const cx_blocks *b, uint64_t live)
{
	const node *nd = &bp->nodes[i];
	uint64_t got = 0;
	switch (nd->op) {
	case CX_PLAN_ALL:
		return live;
	case CX_PLAN_NONE:
		return 0;
	case CX_PLAN_TRI:
		return cx_blocks_test(b, live, nd->probe);
	case CX_PLAN_AND:
		for (uint32_t k = 0; k < nd->n_kids && live; k++)
			live = eval(bp, nd->kid0 + k, b, live);
		return live;
	case CX_PLAN_OR:
		for (uint32_t k = 0; k < nd->n_kids && live; k++) {
			uint64_t m = eval(bp, nd->kid0 + k, b, live);
			got |= m;
			live &= ~m;
		}
		return got;
	}
	return live;
}

uint64_t cx_block_plan_mask(const cx_block_plan *bp, const cx_blocks *b)
{
	return eval(bp, 0, b, cx_blocks_all(b));
}

void cx_block_plan_free(cx_block_plan *bp)
{
	if (!bp)
		return;
	free(bp->nodes);
	free(bp);
}
