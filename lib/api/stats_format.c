/* stats_format.c - codeidx_stats_format(): an index's statistics as text lines. */
#include <inttypes.h>
#include <stdio.h>

#include "codeidx.h"

CODEIDX_API int codeidx_stats_format(const codeidx_stats *s, const char *root, char *buf,
				     size_t cap)
{
	int n = snprintf(buf, cap,
			 "root        %s\ngeneration  %" PRIu64 "\nfiles       %" PRIu64
			 "\nbytes       %" PRIu64 "\nsegments    %" PRIu64 "\ndeleted     %" PRIu64
			 "\nindex size  %" PRIu64 "\ntrigrams    %" PRIu64 "\n",
			 root ? root : "", s->generation, s->files, s->bytes, s->segments, s->deleted_docs,
			 s->index_bytes, s->trigrams);
	for (int i = 0; i < CODEIDX_SKIP__COUNT && n >= 0; i++) {
		size_t at = (size_t)n < cap ? (size_t)n : cap; /* appends after what fitted */
		int k = snprintf(cap ? buf + at : NULL, cap - at, "skipped %-10s %" PRIu64 "\n",
				 codeidx_skip_reason_name((codeidx_skip_reason)i), s->skipped[i]);
		n = k < 0 ? k : n + k;
	}
	return n;
}
