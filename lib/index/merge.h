/* merge.h - merges posting lists from spilled runs and/or existing segments into a
 * new segment, in parallel over trigram ranges. Used to finish a build (runs) and to
 * fold small segments together (segments). */
#ifndef CX_MERGE_H
#define CX_MERGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "index/run.h"
#include "index/segment.h"
#include "index/segment_writer.h"

#define CX_MERGE_DROP UINT32_MAX

typedef struct cx_merge_input {
	const cx_run *run;     /* exactly one of run and seg */
	const cx_segment *seg;
	const uint32_t *remap; /* input id -> output id, or CX_MERGE_DROP */
	/* Inputs of one group yield ascending output ids in input order, so their lists
	 * are concatenated; different groups are merged. */
	unsigned group;
} cx_merge_input;

/* Writes the merged posting lists of `in` into `w` (whose docs number `n_out_docs`),
 * using `threads` threads: the caller's and threads - 1 helpers, lowered to the
 * lowest CPU priority when `background`. Checks `cancel` between ranges
 * (CODEIDX_ECANCELLED). Damaged input lists give CODEIDX_ECORRUPT. */
int cx_merge_postings(const cx_merge_input *in, size_t n, uint32_t n_out_docs,
		      cx_segw *w, unsigned threads, int background, atomic_int *cancel);

#endif
