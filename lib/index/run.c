/* run.c - a worker's posting buffer and the sorted run files it spills. */
#include "index/run.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codeidx.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "common/varint.h"

/* Doc positions are packed with 12 trigram bits into a u32 during the sort. */
#define MAX_DOCS_PER_RUN (1u << 20)
#define HI_BUCKETS 4096u

int cx_runbuf_init(cx_runbuf *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->cap = cap;
	b->tris = malloc(cap * sizeof *b->tris);
	b->tmp = malloc(cap * sizeof *b->tmp);
	b->docs_cap = 4096;
	b->doc_ids = malloc(b->docs_cap * sizeof *b->doc_ids);
	b->doc_ends = malloc(b->docs_cap * sizeof *b->doc_ends);
	if (!b->tris || !b->tmp || !b->doc_ids || !b->doc_ends) {
		cx_runbuf_release(b);
		return CODEIDX_ENOMEM;
	}
	return 0;
}

void cx_runbuf_release(cx_runbuf *b)
{
	free(b->tris);
	free(b->tmp);
	free(b->doc_ids);
	free(b->doc_ends);
	memset(b, 0, sizeof *b);
}

int cx_runbuf_fits(const cx_runbuf *b, size_t n)
{
	return n <= b->cap - b->n && b->n_docs < MAX_DOCS_PER_RUN;
}

int cx_runbuf_add(cx_runbuf *b, uint32_t id, const uint32_t *tris, size_t n)
{
	if (n > b->cap - b->n) { /* only when empty: one doc bigger than the buffer */
		uint32_t *t = cx_reallocarray(b->tris, b->n + n, sizeof *t);
		if (!t)
			return CODEIDX_ENOMEM;
		b->tris = t;
		uint32_t *u = cx_reallocarray(b->tmp, b->n + n, sizeof *u);
		if (!u)
			return CODEIDX_ENOMEM;
		b->tmp = u;
		b->cap = b->n + n;
	}
	if (b->n_docs == b->docs_cap) {
		size_t cap = b->docs_cap * 2;
		uint32_t *ids = cx_reallocarray(b->doc_ids, cap, sizeof *ids);
		if (!ids)
			return CODEIDX_ENOMEM;
		b->doc_ids = ids;
		uint32_t *ends = cx_reallocarray(b->doc_ends, cap, sizeof *ends);
		if (!ends)
			return CODEIDX_ENOMEM;
		b->doc_ends = ends;
		b->docs_cap = cap;
	}
	memcpy(b->tris + b->n, tris, n * sizeof *tris);
	b->n += n;
	b->doc_ids[b->n_docs] = id;
	b->doc_ends[b->n_docs] = (uint32_t)b->n;
	b->n_docs++;
	return 0;
}

/* Buffered writer of one run file. */
typedef struct run_writer {
	int fd;
	uint8_t buf[1 << 16];
	size_t len;
	uint64_t off;
	int failed;
} run_writer;

static void rw_flush(run_writer *w)
{
	if (!w->failed && w->len && cx_write_all(w->fd, w->buf, w->len))
		w->failed = errno ? errno : EIO;
	w->off += w->len;
	w->len = 0;
}

static inline void rw_varint(run_writer *w, uint64_t v)
{
	if (sizeof w->buf - w->len < CX_VARINT_MAX)
		rw_flush(w);
	w->len += cx_varint_put(w->buf + w->len, v);
}

/* Sort, two counting passes: by the trigram's high 12 bits into `tmp` as
 * (doc position << 12 | low 12 bits), then each bucket by its low 12 bits back into
 * `tris`. Both passes are stable, so ids stay ascending within a trigram. */
static void sort_buffer(cx_runbuf *b, size_t *bucket_start)
{
	size_t *count = bucket_start; /* HI_BUCKETS + 1 entries */
	memset(count, 0, (HI_BUCKETS + 1) * sizeof *count);
	for (size_t i = 0; i < b->n; i++)
		count[(b->tris[i] >> 12) + 1]++;
	for (unsigned h = 0; h < HI_BUCKETS; h++)
		count[h + 1] += count[h];
	size_t pos[HI_BUCKETS];
	memcpy(pos, count, sizeof pos);
	size_t i = 0;
	for (uint32_t d = 0; d < b->n_docs; d++) {
		for (; i < b->doc_ends[d]; i++) {
			uint32_t t = b->tris[i];
			b->tmp[pos[t >> 12]++] = (d << 12) | (t & 0xfffu);
		}
	}
	uint32_t lo_count[HI_BUCKETS + 1];
	for (unsigned h = 0; h < HI_BUCKETS; h++) {
		size_t s = count[h], e = count[h + 1];
		if (e - s < 2) {
			if (e > s)
				b->tris[s] = b->tmp[s];
			continue;
		}
		memset(lo_count, 0, sizeof lo_count);
		for (size_t k = s; k < e; k++)
			lo_count[(b->tmp[k] & 0xfffu) + 1]++;
		for (unsigned l = 0; l < HI_BUCKETS; l++)
			lo_count[l + 1] += lo_count[l];
		for (size_t k = s; k < e; k++)
			b->tris[s + lo_count[b->tmp[k] & 0xfffu]++] = b->tmp[k];
	}
}

/* An unnamed file in `dirfd`: O_TMPFILE, or where the file system lacks it a unique
 * name unlinked at once. Either way a killed process leaves nothing behind. */
static int open_anonymous(int dirfd)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	static atomic_uint counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		char name[64];
		snprintf(name, sizeof name, "run-%ld-%u.tmp", (long)getpid(),
			 atomic_fetch_add(&counter, 1));
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			unlinkat(dirfd, name, 0);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int cx_runbuf_spill(cx_runbuf *b, int dirfd, unsigned group, cx_run *run)
{
	memset(run, 0, sizeof *run);
	run->fd = -1;
	run->group = group;
	int fd = open_anonymous(dirfd);
	if (fd < 0)
		return cx_error_errno(CODEIDX_EIO, "cannot create a temporary run file");
	size_t *bucket = malloc((HI_BUCKETS + 1) * sizeof *bucket);
	run_writer *w = malloc(sizeof *w);
	if (!bucket || !w) {
		free(bucket);
		free(w);
		close(fd);
		return CODEIDX_ENOMEM;
	}
	sort_buffer(b, bucket);
	w->fd = fd;
	w->len = 0;
	w->off = 0;
	w->failed = 0;
	unsigned part = 0;
	for (unsigned h = 0; h < HI_BUCKETS; h++) {
		size_t k = bucket[h], e = bucket[h + 1];
		while (k < e) {
			uint32_t lo = b->tris[k] & 0xfffu;
			uint32_t tri = (h << 12) | lo;
			size_t j = k;
			while (j < e && (b->tris[j] & 0xfffu) == lo)
				j++;
			while (part <= CX_RUN_PART_OF(tri))
				run->part_off[part++] = w->off + w->len;
			if (sizeof w->buf - w->len < 3)
				rw_flush(w);
			w->buf[w->len++] = (uint8_t)(tri >> 16);
			w->buf[w->len++] = (uint8_t)(tri >> 8);
			w->buf[w->len++] = (uint8_t)tri;
			rw_varint(w, j - k);
			uint32_t prev = 0;
			for (size_t q = k; q < j; q++) {
				uint32_t id = b->doc_ids[b->tris[q] >> 12];
				rw_varint(w, id - prev);
				prev = id;
			}
			k = j;
		}
	}
	rw_flush(w);
	while (part <= CX_RUN_PARTS)
		run->part_off[part++] = w->off;
	int failed = w->failed;
	free(w);
	free(bucket);
	b->n = 0;
	b->n_docs = 0;
	if (failed) {
		close(fd);
		errno = failed;
		return cx_error_errno(CODEIDX_EIO, "cannot write a temporary run file");
	}
	run->fd = fd;
	return 0;
}

void cx_run_close(cx_run *run)
{
	if (run->fd >= 0)
		close(run->fd);
	run->fd = -1;
}
