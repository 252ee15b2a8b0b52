/* regions.c - picks the blocks of a large file that may hold a match and reads them
 * as runs of whole lines (see regions.h). */
#include "search/regions.h"

#include <string.h>

#include "codeidx.h"
#include "common/fileio.h"

/* Reads blocks first..last (a run of `mask`) with CX_REGION_SLACK bytes around to the
 * end of content (unchanged length), the first at file offset *origin, and finds the
 * whole lines among them: [*start, *end) in the file. Returns 0, 1 (no line end within
 * the slack, or a short read) or CODEIDX_ENOMEM. */
static int read_run(int fd, uint64_t size, const cx_blocks *b, unsigned first, unsigned last,
		    cx_buf *content, uint64_t *origin, uint64_t *start, uint64_t *end)
{
	/* A match starting in the run lies on a line holding one of the run's bytes (it may
	 * end past the run, on the same line), and every such line is read whole. */
	uint64_t from = (uint64_t)first * b->block_size;
	uint64_t to = (uint64_t)(last + 1) * b->block_size;
	to = to < size ? to : size;
	uint64_t lo = from > CX_REGION_SLACK ? from - CX_REGION_SLACK : 0;
	uint64_t hi = size - to > CX_REGION_SLACK ? to + CX_REGION_SLACK : size;
	*origin = lo;
	size_t n = (size_t)(hi - lo), at = content->len;
	if (cx_buf_reserve(content, n))
		return CODEIDX_ENOMEM;
	uint8_t *p = content->data + at;
	if (cx_pread_full(fd, p, n, (off_t)lo) != (ssize_t)n)
		return 1;
	/* The line holding byte `from` starts after the last '\n' before it. */
	const uint8_t *q = from > lo ? memrchr(p, '\n', (size_t)(from - lo)) : NULL;
	if (!q && lo > 0)
		return 1;
	*start = q ? lo + (uint64_t)(q - p) + 1 : lo;
	/* The line holding byte `to - 1` ends at the first '\n' from there. */
	q = memchr(p + (to - 1 - lo), '\n', (size_t)(hi - to + 1));
	if (!q && hi < size)
		return 1;
	*end = q ? lo + (uint64_t)(q - p) + 1 : hi;
	return 0;
}

int cx_regions_read(int fd, uint64_t size, const cx_blocks *b, uint64_t mask, cx_buf *content,
		    cx_region *out, size_t *n)
{
	content->len = 0;
	*n = 0;
	uint64_t done = 0; /* file offset up to which lines are in `content` */
	for (unsigned k = 0; k < b->n; k++) {
		if (!(mask >> k & 1))
			continue;
		unsigned last = k;
		while (last + 1 < b->n && (mask >> (last + 1) & 1))
			last++;
		size_t at = content->len;
		uint64_t lo, start, end;
		int rc = read_run(fd, size, b, k, last, content, &lo, &start, &end);
		if (rc)
			return rc;
		/* Keep the lines not in `content` yet: a run whose first line the last run
		 * already ended with joins it. */
		uint64_t keep = start > done ? start : done;
		if (end > keep) {
			memmove(content->data + at, content->data + at + (keep - lo), (size_t)(end - keep));
			if (*n && keep == done) {
				out[*n - 1].len += (size_t)(end - keep);
			} else {
				/* `start` begins the line holding the block's first byte, so the
				 * '\n' bytes before it are those before the block. */
				out[*n] = (cx_region){at, (size_t)(end - keep),
						      (uint64_t)cx_blocks_newlines(b, k) + 1};
				(*n)++;
			}
			content->len = at + (size_t)(end - keep);
			done = end;
		}
		k = last;
	}
	return 0;
}
