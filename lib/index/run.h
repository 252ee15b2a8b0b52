/* run.h - a worker's in-memory posting buffer and the sorted "run" files it spills
 * to while a segment is being built; the merge turns runs into a segment. */
#ifndef CX_RUN_H
#define CX_RUN_H

#include <stddef.h>
#include <stdint.h>

/* The trigram space is cut into CX_RUN_PARTS ranges (by the top bits) so that the
 * merge can work on ranges in parallel. */
#define CX_RUN_PART_BITS 6
#define CX_RUN_PARTS (1u << CX_RUN_PART_BITS)
#define CX_RUN_PART_OF(tri) ((tri) >> (24 - CX_RUN_PART_BITS))

/* A spilled run: a temp file of records (3-byte trigram, varint count, varint first
 * id, varint deltas), ascending by trigram; part_off[p] is where part p starts. */
typedef struct cx_run {
	int fd; /* open for reading; the file is already unlinked */
	uint64_t part_off[CX_RUN_PARTS + 1];
	unsigned group; /* the worker that wrote it: runs of one group have ascending ids */
} cx_run;

/* A worker's buffer: the distinct trigrams of each doc, in doc order. */
typedef struct cx_runbuf {
	uint32_t *tris; /* trigrams, doc after doc */
	uint32_t *tmp;  /* scratch of the same size, for the sort */
	size_t n, cap;
	uint32_t *doc_ids;  /* the global id of each buffered doc */
	uint32_t *doc_ends; /* end of each doc's trigrams in `tris` */
	size_t n_docs, docs_cap;
} cx_runbuf;

/* Allocates a buffer for `cap` postings. 0 or CODEIDX_ENOMEM. */
int cx_runbuf_init(cx_runbuf *b, size_t cap);
void cx_runbuf_release(cx_runbuf *b);

/* Whether `n` more postings (and one doc) fit. */
int cx_runbuf_fits(const cx_runbuf *b, size_t n);

/* Buffers doc `id` with its n distinct trigrams (caller checked cx_runbuf_fits, or the
 * buffer is empty; a doc larger than the buffer grows it). 0 or CODEIDX_ENOMEM. */
int cx_runbuf_add(cx_runbuf *b, uint32_t id, const uint32_t *tris, size_t n);

/* Sorts the buffer by (trigram, id) and writes it as an unlinked temp file in
 * `dirfd`, then empties the buffer. On success fills *run. */
int cx_runbuf_spill(cx_runbuf *b, int dirfd, unsigned group, cx_run *run);

void cx_run_close(cx_run *run);

#endif
