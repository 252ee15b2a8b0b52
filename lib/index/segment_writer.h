/* segment_writer.h - writes one immutable segment file: posting chunks are streamed
 * in trigram order, docs in path order; commit adds the tables and fsyncs. */
#ifndef CX_SEGMENT_WRITER_H
#define CX_SEGMENT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "index/docmeta.h"

typedef struct cx_segw cx_segw;

/* Creates the file `name` in `dirfd` (failing if it exists). */
int cx_segw_create(cx_segw **out, int dirfd, const char *name);

/* Appends the next doc (ids are given in call order, from 0; paths must ascend), with
 * its block summary (index/blocks.h) when blocks_len > 0. */
int cx_segw_add_doc(cx_segw *w, const char *path, size_t len, const cx_docmeta *meta,
		    const uint8_t *blocks, size_t blocks_len);

/* Appends a chunk of trigram entries (16-byte format of segment_format.h, offsets
 * relative to `post`) and their posting bytes. Chunks come in trigram order. */
int cx_segw_add_chunk(cx_segw *w, const uint8_t *entries, size_t n_entries,
		      const uint8_t *post, size_t post_len);

/* Writes the tables and the header, fsyncs and closes the file. Returns 0 or an error;
 * either way the writer is freed, and on error the file is removed. `bytes` (may be
 * NULL) receives the file size. */
int cx_segw_commit(cx_segw *w, uint64_t *bytes);

/* Abandons the segment: closes and removes the file, frees the writer. */
void cx_segw_abort(cx_segw *w);

#endif
