/* merge.c - merges posting lists from runs and segments into a segment writer. */
#include "index/merge.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "codeidx.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/priority.h"
#include "common/fileio.h"
#include "common/varint.h"
#include "index/postings.h"
#include "index/segment_format.h"

#define READ_CHUNK (1u << 16)

/* Reads one input's lists within one trigram range. */
typedef struct cursor {
	const cx_merge_input *in;
	uint32_t tri;   /* current trigram; valid unless done */
	int done;
	uint32_t *ids;  /* current list (input ids) */
	size_t n_ids, cap_ids;
	/* run input: buffered reader over [off, end) */
	uint8_t *buf;
	size_t buf_pos, buf_len;
	uint64_t off, end;
	/* segment input: entry range [k, k_end) */
	uint64_t k, k_end;
} cursor;

/* Per-thread state. */
typedef struct worker {
	struct merge_job *job;
	cursor *cur;
	uint32_t **group_ids; /* per group: remapped ids of the current trigram */
	size_t *group_n;
	uint32_t *scratch_a, *scratch_b; /* n_out_docs each */
	cx_buf entries, post;
} worker;

typedef struct merge_job {
	const cx_merge_input *in;
	size_t n_in;
	unsigned n_groups;
	uint32_t n_out_docs;
	cx_segw *w;
	atomic_int *cancel;
	int background; /* helper threads lower themselves */
	atomic_uint next_part;
	pthread_mutex_t lock; /* guards written and rc */
	pthread_cond_t turn;
	unsigned written; /* parts appended to the writer so far */
	int rc;
} merge_job;

static int ensure_ids(cursor *c, size_t n)
{
	if (n <= c->cap_ids)
		return 0;
	uint32_t *p = cx_reallocarray(c->ids, n, sizeof *p);
	if (!p)
		return CODEIDX_ENOMEM;
	c->ids = p;
	c->cap_ids = n;
	return 0;
}

/* Makes at least `need` bytes available in the run reader (fewer only at the end). */
static int run_fill(cursor *c, size_t need)
{
	if (c->buf_len - c->buf_pos >= need)
		return 0;
	memmove(c->buf, c->buf + c->buf_pos, c->buf_len - c->buf_pos);
	c->buf_len -= c->buf_pos;
	c->buf_pos = 0;
	uint64_t want = READ_CHUNK - c->buf_len;
	if (want > c->end - c->off)
		want = c->end - c->off;
	if (want) {
		ssize_t r = cx_pread_full(c->in->run->fd, c->buf + c->buf_len, (size_t)want,
					  (off_t)c->off);
		if (r < 0)
			return cx_error_errno(CODEIDX_EIO, "cannot read a temporary run file");
		c->buf_len += (size_t)r;
		c->off += (uint64_t)r;
	}
	return 0;
}

static int run_varint(cursor *c, uint64_t *v)
{
	int rc = run_fill(c, CX_VARINT_MAX);
	if (rc)
		return rc;
	const uint8_t *p = c->buf + c->buf_pos;
	if (cx_varint_get(&p, c->buf + c->buf_len, v))
		return cx_error(CODEIDX_ERROR, "temporary run file is truncated");
	c->buf_pos = (size_t)(p - c->buf);
	return 0;
}

/* Advances a cursor to its next trigram and list. */
static int cursor_next(cursor *c)
{
	if (c->in->seg) {
		if (c->k >= c->k_end) {
			c->done = 1;
			return 0;
		}
		const cx_segment *s = c->in->seg;
		c->tri = cx_segment_tri(s, c->k);
		c->n_ids = cx_segment_count(s, c->k);
		int rc = ensure_ids(c, c->n_ids);
		if (!rc)
			rc = cx_segment_list(s, c->k, c->ids);
		c->k++;
		return rc;
	}
	int rc = run_fill(c, 3);
	if (rc)
		return rc;
	if (c->buf_len - c->buf_pos < 3) {
		c->done = 1;
		return 0;
	}
	const uint8_t *p = c->buf + c->buf_pos;
	c->tri = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
	c->buf_pos += 3;
	uint64_t n, v, id = 0;
	if ((rc = run_varint(c, &n)) || (rc = ensure_ids(c, (size_t)n)))
		return rc;
	c->n_ids = (size_t)n;
	if (n <= (READ_CHUNK - CX_VARINT_MAX) / CX_VARINT_MAX && (rc = run_fill(c, n * 5)))
		return rc;
	if (c->buf_len - c->buf_pos >= n * 5) {
		/* Fast path: the whole list is buffered (a u32 delta takes at most 5 bytes). */
		const uint8_t *q = c->buf + c->buf_pos, *end = c->buf + c->buf_len;
		for (uint64_t i = 0; i < n; i++) {
			if (cx_varint_get(&q, end, &v))
				return cx_error(CODEIDX_ERROR, "temporary run file is damaged");
			id += v;
			c->ids[i] = (uint32_t)id;
		}
		c->buf_pos = (size_t)(q - c->buf);
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		if ((rc = run_varint(c, &v)))
			return rc;
		id += v;
		c->ids[i] = (uint32_t)id;
	}
	return 0;
}

static int cursor_start(cursor *c, unsigned part)
{
	c->done = 0;
	uint32_t lo = part << (24 - CX_RUN_PART_BITS), hi = (part + 1) << (24 - CX_RUN_PART_BITS);
	if (c->in->seg) {
		c->k = cx_segment_lower_bound(c->in->seg, lo);
		c->k_end = cx_segment_lower_bound(c->in->seg, hi);
	} else {
		c->off = c->in->run->part_off[part];
		c->end = c->in->run->part_off[part + 1];
		c->buf_pos = c->buf_len = 0;
	}
	return cursor_next(c);
}

/* Merges two ascending arrays into out; returns the output length. */
static size_t merge2(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb)
		out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
	return k;
}

/* Combines the group lists of one trigram into one ascending list; returns it. */
static const uint32_t *combine(worker *wk, size_t *n_out)
{
	const merge_job *job = wk->job;
	const uint32_t *acc = NULL;
	size_t n_acc = 0;
	for (unsigned g = 0; g < job->n_groups; g++) {
		if (!wk->group_n[g])
			continue;
		if (!acc) {
			acc = wk->group_ids[g];
			n_acc = wk->group_n[g];
			continue;
		}
		uint32_t *dst = acc == wk->scratch_a ? wk->scratch_b : wk->scratch_a;
		n_acc = merge2(acc, n_acc, wk->group_ids[g], wk->group_n[g], dst);
		acc = dst;
	}
	*n_out = n_acc;
	return acc;
}

/* Merges one trigram range into wk->entries / wk->post. */
static int merge_part(worker *wk, unsigned part)
{
	merge_job *job = wk->job;
	int rc;
	wk->entries.len = wk->post.len = 0;
	for (size_t i = 0; i < job->n_in; i++)
		if ((rc = cursor_start(&wk->cur[i], part)))
			return rc;
	for (;;) {
		uint32_t tri = UINT32_MAX;
		for (size_t i = 0; i < job->n_in; i++)
			if (!wk->cur[i].done && wk->cur[i].tri < tri)
				tri = wk->cur[i].tri;
		if (tri == UINT32_MAX)
			return 0;
		memset(wk->group_n, 0, job->n_groups * sizeof *wk->group_n);
		for (size_t i = 0; i < job->n_in; i++) {
			cursor *c = &wk->cur[i];
			if (c->done || c->tri != tri)
				continue;
			unsigned g = c->in->group;
			uint32_t *dst = wk->group_ids[g] + wk->group_n[g];
			size_t k = 0;
			for (size_t j = 0; j < c->n_ids; j++) {
				uint32_t id = c->in->remap ? c->in->remap[c->ids[j]] : c->ids[j];
				if (id != CX_MERGE_DROP)
					dst[k++] = id;
			}
			wk->group_n[g] += k;
			if ((rc = cursor_next(c)))
				return rc;
		}
		size_t n;
		const uint32_t *ids = combine(wk, &n);
		if (!n)
			continue;
		size_t at = wk->post.len;
		int kind = cx_postings_encode(ids, n, &wk->post);
		if (kind < 0)
			return kind;
		uint8_t e[CX_SEG_TRI_ENTRY];
		cx_put_u32(e, tri | ((uint32_t)kind << 24));
		cx_put_u32(e + 4, (uint32_t)n);
		cx_put_u32(e + 8, (uint32_t)at);
		cx_put_u32(e + 12, (uint32_t)XXH3_64bits(wk->post.data + at, wk->post.len - at));
		if (cx_buf_append(&wk->entries, e, sizeof e))
			return CODEIDX_ENOMEM;
	}
}

static void *merge_thread(void *arg)
{
	worker *wk = arg;
	merge_job *job = wk->job;
	for (;;) {
		unsigned part = atomic_fetch_add(&job->next_part, 1);
		if (part >= CX_RUN_PARTS)
			break;
		int rc = atomic_load(job->cancel) ? CODEIDX_ECANCELLED : merge_part(wk, part);
		pthread_mutex_lock(&job->lock);
		while (job->written != part && !job->rc)
			pthread_cond_wait(&job->turn, &job->lock);
		if (!job->rc && rc)
			job->rc = rc;
		if (!job->rc)
			job->rc = cx_segw_add_chunk(job->w, wk->entries.data,
						    wk->entries.len / CX_SEG_TRI_ENTRY,
						    wk->post.data, wk->post.len);
		job->written++;
		pthread_cond_broadcast(&job->turn);
		int stop = job->rc != 0;
		pthread_mutex_unlock(&job->lock);
		if (stop)
			break;
	}
	return NULL;
}

static void worker_release(worker *wk, size_t n_in, unsigned n_groups)
{
	if (wk->cur)
		for (size_t i = 0; i < n_in; i++) {
			free(wk->cur[i].ids);
			free(wk->cur[i].buf);
		}
	if (wk->group_ids)
		for (unsigned g = 0; g < n_groups; g++)
			free(wk->group_ids[g]);
	free(wk->cur);
	free(wk->group_ids);
	free(wk->group_n);
	free(wk->scratch_a);
	free(wk->scratch_b);
	cx_buf_release(&wk->entries);
	cx_buf_release(&wk->post);
}

static int worker_init(worker *wk, merge_job *job)
{
	memset(wk, 0, sizeof *wk);
	wk->job = job;
	size_t docs = (size_t)job->n_out_docs + 1;
	wk->cur = cx_calloc(job->n_in, sizeof *wk->cur);
	wk->group_ids = cx_calloc(job->n_groups, sizeof *wk->group_ids);
	wk->group_n = cx_calloc(job->n_groups, sizeof *wk->group_n);
	wk->scratch_a = cx_reallocarray(NULL, docs, sizeof(uint32_t));
	wk->scratch_b = cx_reallocarray(NULL, docs, sizeof(uint32_t));
	if (!wk->cur || !wk->group_ids || !wk->group_n || !wk->scratch_a || !wk->scratch_b)
		return CODEIDX_ENOMEM;
	for (size_t i = 0; i < job->n_in; i++) {
		wk->cur[i].in = &job->in[i];
		if (job->in[i].run && !(wk->cur[i].buf = malloc(READ_CHUNK)))
			return CODEIDX_ENOMEM;
	}
	for (unsigned g = 0; g < job->n_groups; g++)
		if (!(wk->group_ids[g] = cx_reallocarray(NULL, docs, sizeof(uint32_t))))
			return CODEIDX_ENOMEM;
	return 0;
}

/* A helper thread: merge_thread, at the lowest priority in the background. */
static void *helper_thread(void *arg)
{
	worker *wk = arg;
	if (wk->job->background)
		cx_lower_this_thread();
	return merge_thread(wk);
}

int cx_merge_postings(const cx_merge_input *in, size_t n, uint32_t n_out_docs,
		      cx_segw *w, unsigned threads, int background, atomic_int *cancel)
{
	merge_job job = {.in = in, .n_in = n, .n_out_docs = n_out_docs, .w = w,
			 .cancel = cancel, .background = background};
	for (size_t i = 0; i < n; i++)
		if (in[i].group + 1 > job.n_groups)
			job.n_groups = in[i].group + 1;
	if (!job.n_groups)
		job.n_groups = 1;
	if (threads < 1)
		threads = 1;
	if (threads > CX_RUN_PARTS)
		threads = CX_RUN_PARTS;
	atomic_init(&job.next_part, 0);
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.turn, NULL);
	worker *wk = cx_calloc(threads, sizeof *wk);
	pthread_t *tid = cx_calloc(threads, sizeof *tid);
	int rc = wk && tid ? 0 : CODEIDX_ENOMEM;
	unsigned started = 0;
	for (unsigned t = 0; t < threads && !rc; t++) {
		rc = worker_init(&wk[t], &job);
		if (!rc && t > 0) {
			if (pthread_create(&tid[t], NULL, helper_thread, &wk[t]))
				rc = cx_error(CODEIDX_ERROR, "cannot start a merge thread");
			else
				started++;
		}
	}
	if (!rc) {
		merge_thread(&wk[0]);
	} else {
		pthread_mutex_lock(&job.lock);
		job.rc = rc;
		pthread_cond_broadcast(&job.turn);
		pthread_mutex_unlock(&job.lock);
	}
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	if (!rc)
		rc = job.rc;
	if (wk)
		for (unsigned t = 0; t < threads; t++)
			worker_release(&wk[t], n, job.n_groups);
	free(wk);
	free(tid);
	pthread_mutex_destroy(&job.lock);
	pthread_cond_destroy(&job.turn);
	return rc;
}
