/* regions.h - reads only the lines of a large file that may hold a match: the blocks
 * whose summaries (index/blocks.h) pass the search's trigram plan, widened to whole
 * lines, with the line number each part starts at. */
#ifndef CX_REGIONS_H
#define CX_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "index/blocks.h"

/* Bytes read on each side of a block run to find the lines' ends; a line longer than
 * that at a run's edge makes the caller read the whole file instead. */
#define CX_REGION_SLACK 1024u

/* A run of whole lines of the file, copied to content.data[off..off+len). */
typedef struct cx_region {
	size_t off, len;
	uint64_t first_line; /* 1-based number of its first line */
} cx_region;

/* Reads from `fd` (a file of `size` bytes that `b` summarizes) the lines holding any
 * byte of the blocks of `mask`, so every line a match starting in those blocks lies
 * on. Fills content (emptied first) and out[0..*n) (room for CX_BLOCKS_MAX),
 * in file order, lines never repeated. Returns 0; 1 when a line at an edge is longer
 * than CX_REGION_SLACK or the file is shorter than `size` (read it whole instead);
 * or CODEIDX_ENOMEM. */
int cx_regions_read(int fd, uint64_t size, const cx_blocks *b, uint64_t mask, cx_buf *content,
		    cx_region *out, size_t *n);

#endif
