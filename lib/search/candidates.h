/* candidates.h - evaluates a trigram plan on a generation's segments and returns the
 * live docs that may match, in global path order. */
#ifndef CX_CANDIDATES_H
#define CX_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "index/snapshot.h"
#include "search/filter.h"
#include "search/plan.h"

typedef struct cx_cand_doc {
	uint32_t seg; /* index into the snapshot's segments */
	uint32_t doc;
} cx_cand_doc;

/* Fills *out (malloc'd, free it) with the candidates of `plan` that pass `filter`,
 * sorted by path. Damaged posting lists give CODEIDX_ECORRUPT. */
int cx_candidates(const cx_snapshot *s, const cx_plan *plan, const cx_filter *filter,
		  cx_cand_doc **out, size_t *n);

#endif
