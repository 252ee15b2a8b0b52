/* postings.h - encode and decode one posting list (ascending doc ids), see
 * segment_format.h for the two encodings. */
#ifndef CX_POSTINGS_H
#define CX_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends the smaller encoding of ids[0..n) (n >= 1, strictly ascending) to `out`
 * and returns its kind (CX_LIST_*) or a negative CODEIDX_E* code. */
int cx_postings_encode(const uint32_t *ids, size_t n, cx_buf *out);

/* Decodes a list of `n` ids of kind `kind` from [p, p+len) into out[0..n), checking
 * that ids ascend strictly, stay below `limit` and use exactly `len` bytes.
 * Returns 0 or -1 (corrupt). */
int cx_postings_decode(int kind, const uint8_t *p, size_t len, size_t n, uint32_t limit,
		       uint32_t *out);

/* Keeps in ids[0..*n_ids) (ascending) the ids the list holds, in place: a bitmap
 * list is probed, a varint list walked once. Same checks as decoding where the walk
 * reaches; returns 0 or -1 (corrupt). */
int cx_postings_filter(int kind, const uint8_t *p, size_t len, size_t n, uint32_t limit,
		       uint32_t *ids, size_t *n_ids);

#endif
