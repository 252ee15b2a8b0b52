/* matcher.h - finds the lines of a file's bytes that match a pattern, with grep's
 * per-line semantics, and the context lines around them. */
#ifndef CX_MATCHER_H
#define CX_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "codeidx.h"
#include "common/buf.h"

/* A compiled pattern; immutable, shared by the verifying threads. */
typedef struct cx_matcher cx_matcher;

/* Per-thread scratch for matching (PCRE2 match data and JIT stack); it serves any
 * pattern, so a handle can keep it between searches. */
typedef struct cx_match_scratch cx_match_scratch;

/* One output line of a file: a match or a context line. */
typedef struct cx_hit {
	uint64_t line;   /* 1-based */
	size_t start;    /* offset of the line in the file */
	size_t len;      /* without the '\n' */
	size_t span0;    /* first span in the hit list's span array */
	size_t n_spans;  /* 0 for context lines */
	int is_context;
} cx_hit;

typedef struct cx_hits {
	cx_hit *lines;
	size_t n, cap;
	codeidx_span *spans;
	size_t n_spans, cap_spans;
	uint64_t matched; /* matching lines (not context) */
} cx_hits;

/* Compiles `pattern` under CODEIDX_SEARCH_* flags. Compile errors give
 * CODEIDX_EPATTERN with PCRE2's message and offset. */
int cx_matcher_new(cx_matcher **out, const char *pattern, size_t len, unsigned flags);
void cx_matcher_free(cx_matcher *m);

cx_match_scratch *cx_match_scratch_new(void);
void cx_match_scratch_free(cx_match_scratch *s);

/* Appends to `out` (emptied first) the matching lines of buf[0..n) (at most
 * `max_lines` of them, 0 = all) with `before`/`after` context lines. Returns 0,
 * CODEIDX_ENOMEM, or CODEIDX_ELIMIT when PCRE2 gives up (backtracking limit). */
int cx_matcher_scan(const cx_matcher *m, cx_match_scratch *s, const uint8_t *buf, size_t n,
		    uint64_t max_lines, unsigned before, unsigned after, cx_hits *out);

/* Like cx_matcher_scan without context, over a part of a file: buf[from..n) holds
 * whole lines, the first of them line `first_line`. Appends to `out` (hit offsets
 * stay relative to buf); max_lines bounds out->matched over all parts. */
int cx_matcher_scan_part(const cx_matcher *m, cx_match_scratch *s, const uint8_t *buf,
			 size_t from, size_t n, uint64_t first_line, uint64_t max_lines,
			 cx_hits *out);

/* Empties a hit list, keeping its storage. */
void cx_hits_clear(cx_hits *h);
void cx_hits_release(cx_hits *h);

#endif
