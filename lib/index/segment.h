/* segment.h - read side of a segment file: mmap, verify, look up trigrams and docs.
 * A segment is immutable and shared (reference-counted) by every generation that
 * lists it; all functions are safe to call from many threads at once. */
#ifndef CX_SEGMENT_H
#define CX_SEGMENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "index/docmeta.h"

typedef struct cx_segment {
	atomic_int refs;
	uint64_t id;      /* from the file name seg-<id>.cdx */
	uint32_t seal;    /* low half of the header checksum (see manifest.h) */
	uint32_t version; /* format: 1 (read only) or CX_SEG_VERSION */
	char name[64];
	const uint8_t *map;
	size_t map_len;
	uint32_t n_docs;
	uint64_t n_tris;
	const uint8_t *post; /* POSTINGS */
	uint64_t post_len;
	const uint8_t *tris; /* TRIGRAMS entries */
	const uint8_t *docs; /* DOCS entries */
	const uint8_t *paths;
	uint64_t paths_len;
	const uint8_t *blocks; /* BLOCKS (NULL in a format 1 segment) */
	uint32_t n_blocks;     /* docs with a block summary */
	_Atomic uint64_t *blocks_checked; /* bit i: summary i's checksum was verified */
} cx_segment;

/* Formats the file name of segment `id` into buf (at least 32 bytes). */
void cx_segment_name(uint64_t id, char *buf, size_t n);

/* Opens, maps and verifies segment `id` in `dirfd` (refs = 1). Damage gives
 * CODEIDX_ECORRUPT naming the file and what is wrong. */
int cx_segment_open(int dirfd, uint64_t id, cx_segment **out);
cx_segment *cx_segment_ref(cx_segment *s);

/* Reads the seal of segment `id` in `dirfd` (the low half of its header checksum; see
 * manifest.h) without opening it fully: for a writer to record in the manifest. */
int cx_segment_read_seal(int dirfd, uint64_t id, uint32_t *seal);
void cx_segment_unref(cx_segment *s);

/* Doc `i`'s path (not NUL-terminated) and metadata. i < n_docs. */
const char *cx_segment_path(const cx_segment *s, uint32_t i, size_t *len);
void cx_segment_meta(const cx_segment *s, uint32_t i, cx_docmeta *m);

/* Doc i's block summary (index/blocks.h): sets blob and len, or NULL and 0 when it has
 * none, after verifying its checksum (on the segment's first read of it; thread-safe).
 * Returns 0 or CODEIDX_ECORRUPT. */
int cx_segment_blocks(const cx_segment *s, uint32_t doc, const uint8_t **blob, size_t *len);

/* Finds trigram `tri`: returns its entry index, or -1 when absent. */
int64_t cx_segment_find(const cx_segment *s, uint32_t tri);
/* Trigram of entry k, and its doc count. */
uint32_t cx_segment_tri(const cx_segment *s, uint64_t k);
uint32_t cx_segment_count(const cx_segment *s, uint64_t k);
/* First entry whose trigram is >= tri (n_tris if none). */
uint64_t cx_segment_lower_bound(const cx_segment *s, uint32_t tri);
/* Decodes entry k's doc ids into out[0..count) after verifying its checksum.
 * Returns 0 or CODEIDX_ECORRUPT (detail names the file and offset). */
int cx_segment_list(const cx_segment *s, uint64_t k, uint32_t *out);
/* Keeps in ids[0..*n) (ascending) those entry k's list holds, after verifying its
 * checksum; cheaper than decoding a long list. Returns 0 or CODEIDX_ECORRUPT. */
int cx_segment_filter(const cx_segment *s, uint64_t k, uint32_t *ids, size_t *n);

#endif
