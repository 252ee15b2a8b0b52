/* block_plan.h - a search's trigram plan prepared once for block summaries
 * (index/blocks.h): trigrams folded to lower case and hashed into filter probes, and
 * an OR's case variants of one trigram merged, since they probe the same bits. */
#ifndef CX_BLOCK_PLAN_H
#define CX_BLOCK_PLAN_H

#include <stdint.h>

#include "index/blocks.h"
#include "search/plan.h"

typedef struct cx_block_plan cx_block_plan;

/* Prepares `plan` into *out. Returns 0 or CODEIDX_ENOMEM. */
int cx_block_plan_new(const cx_plan *plan, cx_block_plan **out);

/* The blocks of `b` on which the plan holds (bit k for block k; filters have false
 * positives, so a block may pass without holding a match, never the reverse). Each
 * AND kid probes only the blocks earlier kids left, each OR kid only those no earlier
 * kid passed. */
uint64_t cx_block_plan_mask(const cx_block_plan *bp, const cx_blocks *b);

/* Frees a prepared plan (NULL is a no-op). */
void cx_block_plan_free(cx_block_plan *bp);

#endif
