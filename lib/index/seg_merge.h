/* seg_merge.h - folds several segments of a generation into one new segment: live
 * docs only, in path order, with metadata overrides applied. */
#ifndef CX_SEG_MERGE_H
#define CX_SEG_MERGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "index/snapshot.h"

/* Writes segment `new_id` in `dirfd` holding the live docs of segs[0..n), with
 * `threads` threads (helpers at the lowest priority when `background`). Sets
 * *n_docs to its doc count (0: nothing written, every doc was dead). */
int cx_seg_merge(int dirfd, const cx_snap_seg *const *segs, size_t n, uint64_t new_id,
		 unsigned threads, int background, atomic_int *cancel, uint32_t *n_docs);

#endif
