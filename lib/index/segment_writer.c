/* segment_writer.c - writes one immutable segment file (layout: segment_format.h). */
#include "index/segment_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "index/segment_format.h"

struct cx_segw {
	int dirfd;
	int fd;
	char name[128];
	uint64_t post_len; /* bytes of POSTINGS written so far */
	XXH3_state_t *post_hash;
	cx_buf tris;  /* TRIGRAMS entries, offsets already absolute */
	cx_buf docs;  /* DOCS entries */
	cx_buf paths; /* PATHS bytes */
	cx_buf blocks_tab; /* BLOCKS entries, offsets relative to the first summary */
	cx_buf blocks;     /* the summaries */
	uint32_t n_blocks;
	uint32_t n_docs;
	uint64_t n_tris;
};

#define DATA_START (CX_SEG_HEADER_SIZE + CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE)

int cx_segw_create(cx_segw **out, int dirfd, const char *name)
{
	*out = NULL;
	cx_segw *w = calloc(1, sizeof *w);
	if (!w)
		return CODEIDX_ENOMEM;
	w->dirfd = dirfd;
	snprintf(w->name, sizeof w->name, "%s", name);
	w->post_hash = XXH3_createState();
	if (!w->post_hash) {
		free(w);
		return CODEIDX_ENOMEM;
	}
	XXH3_64bits_reset(w->post_hash);
	w->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int rc = cx_error_errno(CODEIDX_EIO, "cannot create segment %s", name);
		XXH3_freeState(w->post_hash);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

static void segw_free(cx_segw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	XXH3_freeState(w->post_hash);
	cx_buf_release(&w->tris);
	cx_buf_release(&w->docs);
	cx_buf_release(&w->paths);
	cx_buf_release(&w->blocks_tab);
	cx_buf_release(&w->blocks);
	free(w);
}

void cx_segw_abort(cx_segw *w)
{
	if (!w)
		return;
	unlinkat(w->dirfd, w->name, 0);
	segw_free(w);
}

/* Records doc `doc`'s block summary. One that would carry the section past what its
 * u32 offsets reach (4 GiB) is left out: the doc is then read whole by searches. */
static int add_blocks(cx_segw *w, uint32_t doc, const uint8_t *blob, size_t len)
{
	uint64_t head = 8 + ((uint64_t)w->n_blocks + 1) * CX_SEG_BLOCKS_ENTRY;
	if ((uint64_t)w->blocks.len + len + head > UINT32_MAX)
		return 0;
	uint8_t e[CX_SEG_BLOCKS_ENTRY];
	cx_put_u32(e, doc);
	cx_put_u32(e + 4, (uint32_t)w->blocks.len);
	cx_put_u32(e + 8, (uint32_t)len);
	cx_put_u32(e + 12, (uint32_t)XXH3_64bits(blob, len));
	if (cx_buf_append(&w->blocks_tab, e, sizeof e) || cx_buf_append(&w->blocks, blob, len))
		return cx_error(CODEIDX_ENOMEM, "segment %s: out of memory", w->name);
	w->n_blocks++;
	return 0;
}

int cx_segw_add_doc(cx_segw *w, const char *path, size_t len, const cx_docmeta *m,
		    const uint8_t *blocks, size_t blocks_len)
{
	if (w->n_docs == UINT32_MAX || len > UINT32_MAX)
		return cx_error(CODEIDX_ELIMIT, "segment %s: too many docs", w->name);
	uint8_t e[CX_SEG_DOC_ENTRY] = {0};
	cx_put_u64(e, w->paths.len);
	cx_put_u32(e + 8, (uint32_t)len);
	cx_put_u64(e + 16, m->size);
	cx_put_u64(e + 24, (uint64_t)m->mtime_ns);
	cx_put_u64(e + 32, m->ino);
	cx_put_u64(e + 40, m->hash);
	if (cx_buf_append(&w->docs, e, sizeof e) || cx_buf_append(&w->paths, path, len))
		return cx_error(CODEIDX_ENOMEM, "segment %s: out of memory", w->name);
	if (blocks_len) {
		int rc = add_blocks(w, w->n_docs, blocks, blocks_len);
		if (rc)
			return rc;
	}
	w->n_docs++;
	return 0;
}

int cx_segw_add_chunk(cx_segw *w, const uint8_t *entries, size_t n_entries,
		      const uint8_t *post, size_t post_len)
{
	if (w->post_len + post_len > CX_SEG_MAX_POSTINGS)
		return cx_error(CODEIDX_ELIMIT, "segment %s: posting lists exceed 4 GiB",
				w->name);
	size_t at = w->tris.len;
	if (cx_buf_append(&w->tris, entries, n_entries * CX_SEG_TRI_ENTRY))
		return cx_error(CODEIDX_ENOMEM, "segment %s: out of memory", w->name);
	for (size_t i = 0; i < n_entries; i++) {
		uint8_t *e = w->tris.data + at + i * CX_SEG_TRI_ENTRY;
		cx_put_u32(e + 8, cx_get_u32(e + 8) + (uint32_t)w->post_len);
	}
	if (post_len) {
		if (pwrite(w->fd, post, post_len, (off_t)(DATA_START + w->post_len)) !=
		    (ssize_t)post_len) {
			if (errno == 0)
				errno = ENOSPC;
			return cx_error_errno(CODEIDX_EIO, "cannot write segment %s", w->name);
		}
		XXH3_64bits_update(w->post_hash, post, post_len);
	}
	w->post_len += post_len;
	w->n_tris += n_entries;
	return 0;
}

static void put_section(uint8_t *p, unsigned id, uint64_t off, uint64_t len, uint64_t sum)
{
	cx_put_u32(p, id);
	cx_put_u32(p + 4, 0);
	cx_put_u64(p + 8, off);
	cx_put_u64(p + 16, len);
	cx_put_u64(p + 24, sum);
}

/* Turns the BLOCKS entries into the section's head: count, table checksum, entries
 * with offsets from the section's start. 0 or CODEIDX_ENOMEM. */
static int blocks_head(cx_segw *w, cx_buf *head)
{
	size_t table = (size_t)w->n_blocks * CX_SEG_BLOCKS_ENTRY;
	if (cx_buf_reserve(head, 8 + table))
		return CODEIDX_ENOMEM;
	uint8_t *t = w->blocks_tab.data;
	for (uint32_t i = 0; i < w->n_blocks; i++) {
		uint8_t *e = t + (size_t)i * CX_SEG_BLOCKS_ENTRY;
		cx_put_u32(e + 4, cx_get_u32(e + 4) + (uint32_t)(8 + table));
	}
	cx_put_u32(head->data, w->n_blocks);
	cx_put_u32(head->data + 4, (uint32_t)XXH3_64bits(t, table));
	if (table)
		memcpy(head->data + 8, t, table);
	head->len = 8 + table;
	return 0;
}

int cx_segw_commit(cx_segw *w, uint64_t *bytes)
{
	uint8_t head[DATA_START] = {0};
	cx_buf bhead = CX_BUF_INIT;
	if (blocks_head(w, &bhead)) {
		cx_segw_abort(w);
		return CODEIDX_ENOMEM;
	}
	cx_buf_release(&w->blocks_tab);
	w->blocks_tab = bhead; /* freed with the writer */
	/* The sections after POSTINGS, each in one or two pieces. */
	const cx_buf *tail[CX_SEG_NSECTIONS - 1][2] = {
		{&w->tris, NULL}, {&w->docs, NULL}, {&w->paths, NULL}, {&w->blocks_tab, &w->blocks}};
	uint64_t off = DATA_START + w->post_len;
	uint8_t *sec = head + CX_SEG_HEADER_SIZE;
	put_section(sec, CX_SEC_POSTINGS, DATA_START, w->post_len,
		    XXH3_64bits_digest(w->post_hash));
	XXH3_state_t *hs = XXH3_createState();
	if (!hs) {
		cx_segw_abort(w);
		return CODEIDX_ENOMEM;
	}
	for (unsigned i = 0; i < CX_SEG_NSECTIONS - 1; i++) {
		uint64_t start = off;
		XXH3_64bits_reset(hs);
		for (unsigned j = 0; j < 2 && tail[i][j]; j++) {
			const cx_buf *b = tail[i][j];
			XXH3_64bits_update(hs, b->data, b->len);
			if (b->len && pwrite(w->fd, b->data, b->len, (off_t)off) != (ssize_t)b->len) {
				XXH3_freeState(hs);
				goto io_error;
			}
			off += b->len;
		}
		put_section(sec + (i + 1) * CX_SEG_SECTION_SIZE, i + 1, start, off - start,
			    XXH3_64bits_digest(hs));
	}
	memcpy(head, CX_SEG_MAGIC, 8);
	cx_put_u32(head + 8, CX_SEG_VERSION);
	cx_put_u32(head + 12, CX_SEG_NSECTIONS);
	cx_put_u32(head + 16, w->n_docs);
	cx_put_u64(head + 24, w->n_tris);
	XXH3_64bits_reset(hs);
	XXH3_64bits_update(hs, head, 56);
	XXH3_64bits_update(hs, sec, CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE);
	cx_put_u64(head + 56, XXH3_64bits_digest(hs));
	XXH3_freeState(hs);
	if (pwrite(w->fd, head, sizeof head, 0) != (ssize_t)sizeof head || fsync(w->fd))
		goto io_error;
	if (close(w->fd)) {
		w->fd = -1;
		goto io_error;
	}
	w->fd = -1;
	if (bytes)
		*bytes = off;
	segw_free(w);
	return 0;
io_error:
	if (errno == 0)
		errno = ENOSPC;
	int rc = cx_error_errno(CODEIDX_EIO, "cannot write segment %s", w->name);
	cx_segw_abort(w);
	return rc;
}
