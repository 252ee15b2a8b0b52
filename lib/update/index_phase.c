/* index_phase.c - reads the new and changed files in parallel, drops binaries,
 * hashes them, extracts their trigrams and spills sorted runs within a memory budget.
 * The id of a file in the new segment is its position in u->todo (path order). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "index/blocks.h"
#include "index/trigram.h"
#include "update/update.h"

/* Postings buffered across all workers before they spill (8 bytes each). */
#define POSTINGS_BUDGET_BYTES (192u << 20)
#define BINARY_PROBE 8192u

typedef struct index_worker {
	cx_update *u;
	cx_tracker *t;
	unsigned slot;
	atomic_size_t *next;
	cx_runbuf rb;
	uint64_t *seen;  /* trigram bitmap, all zero between files */
	uint32_t *tris;  /* a file's distinct trigrams */
	size_t tris_cap;
	cx_buf content;
	cx_buf blocks; /* a large file's block summary, before it is copied to its cand */
	cx_run *runs; /* this worker's spilled runs, in order */
	size_t n_runs, runs_cap;
	int rc;
} index_worker;

static int spill(index_worker *w)
{
	if (w->rb.n_docs == 0)
		return 0;
	if (w->n_runs == w->runs_cap) {
		size_t c = w->runs_cap ? w->runs_cap * 2 : 8;
		cx_run *r = cx_reallocarray(w->runs, c, sizeof *r);
		if (!r)
			return CODEIDX_ENOMEM;
		w->runs = r;
		w->runs_cap = c;
	}
	int rc = cx_runbuf_spill(&w->rb, w->u->idx->dir_fd, w->slot, &w->runs[w->n_runs]);
	if (!rc)
		w->n_runs++;
	return rc;
}

/* Reads a whole file into w->content (at most max_size bytes). Returns 0, or a skip
 * reason + 1 when the file must be left out. */
static int read_file(index_worker *w, cx_cand *c)
{
	/* Nothing swapped in since the walk (a link on the way, a fifo) may lead the read
	 * out of the root or block it: links fail with ELOOP, a fifo opens at once. */
	int fd = cx_open_beneath(w->u->idx->root_fd, c->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? CODEIDX_SKIP_SYMLINK + 1 : CODEIDX_SKIP_FAILED + 1;
	struct stat st;
	int why = 0;
	if (fstat(fd, &st))
		why = CODEIDX_SKIP_FAILED + 1;
	else if (!S_ISREG(st.st_mode))
		why = CODEIDX_SKIP_SPECIAL + 1;
	else if ((uint64_t)st.st_size > w->u->max_size)
		why = CODEIDX_SKIP_TOO_LARGE + 1;
	w->content.len = 0;
	while (!why) {
		if (cx_buf_reserve(&w->content, 1 << 16)) {
			why = CODEIDX_SKIP_FAILED + 1;
			break;
		}
		ssize_t r = read(fd, w->content.data + w->content.len,
				 cx_read_chunk(w->content.cap - w->content.len));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			why = CODEIDX_SKIP_FAILED + 1;
		if (r <= 0)
			break;
		w->content.len += (size_t)r;
		if (w->content.len > w->u->max_size)
			why = CODEIDX_SKIP_TOO_LARGE + 1;
	}
	if (!why) {
		c->now.size = w->content.len;
		c->now.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		c->now.ino = (uint64_t)st.st_ino;
	}
	close(fd);
	return why;
}

/* Builds the block summary of the large file in w->content for its cand. */
static int summarize_blocks(index_worker *w, cx_cand *c)
{
	w->blocks.len = 0;
	int rc = cx_blocks_build(w->content.data, w->content.len, w->seen, w->tris, &w->blocks);
	if (rc)
		return rc;
	free(c->blocks);
	c->blocks = malloc(w->blocks.len);
	if (!c->blocks)
		return CODEIDX_ENOMEM;
	memcpy(c->blocks, w->blocks.data, w->blocks.len);
	c->blocks_len = (uint32_t)w->blocks.len;
	return 0;
}

static int index_one(index_worker *w, size_t id, cx_cand *c)
{
	int why = read_file(w, c);
	size_t n = w->content.len;
	if (!why && memchr(w->content.data, 0, n < BINARY_PROBE ? n : BINARY_PROBE))
		why = CODEIDX_SKIP_BINARY + 1;
	if (why) {
		c->outcome = CX_OUT_SKIPPED;
		c->skip = (uint8_t)(why - 1);
		return 0;
	}
	cx_tracker_status(w->t, w->slot, CODEIDX_FILE_INDEXING, n);
	c->now.hash = XXH3_64bits(w->content.data, n);
	if (n > w->tris_cap) {
		uint32_t *p = cx_reallocarray(w->tris, n, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		w->tris = p;
		w->tris_cap = n;
	}
	size_t k = cx_trigrams_extract(w->content.data, n, w->seen, w->tris);
	if (k == 0)
		return 0;
	int rc = 0;
	if (!cx_runbuf_fits(&w->rb, k))
		rc = spill(w);
	if (!rc)
		rc = cx_runbuf_add(&w->rb, (uint32_t)id, w->tris, k);
	if (!rc && n >= CX_BLOCKS_MIN_SIZE && n <= UINT32_MAX)
		rc = summarize_blocks(w, c);
	return rc;
}

static void *index_thread(void *arg)
{
	index_worker *w = arg;
	cx_update *u = w->u;
	while (!w->rc && !atomic_load_explicit(&w->t->cancel, memory_order_relaxed)) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= u->n_todo)
			break;
		cx_cand *c = &u->cands[u->todo[i]];
		cx_tracker_begin(w->t, w->slot, c->path, c->now.size, CODEIDX_FILE_READING);
		w->rc = index_one(w, i, c);
		cx_tracker_end(w->t, w->slot, c->now.size);
	}
	if (!w->rc && !atomic_load(&w->t->cancel))
		w->rc = spill(w);
	if (w->rc) /* a fatal error: stop the other workers too */
		atomic_store(&w->t->cancel, 1);
	cx_tracker_worker_exit(w->t);
	return NULL;
}

static int worker_init(index_worker *w, cx_update *u, cx_tracker *t, unsigned slot,
		       atomic_size_t *next)
{
	memset(w, 0, sizeof *w);
	w->u = u;
	w->t = t;
	w->slot = slot;
	w->next = next;
	w->seen = cx_calloc(CX_TRIGRAM_BITMAP_WORDS, sizeof *w->seen);
	if (!w->seen)
		return CODEIDX_ENOMEM;
	return cx_runbuf_init(&w->rb, POSTINGS_BUDGET_BYTES / 8 / u->threads);
}

static void worker_release(index_worker *w)
{
	cx_runbuf_release(&w->rb);
	free(w->seen);
	free(w->tris);
	cx_buf_release(&w->content);
	cx_buf_release(&w->blocks);
	for (size_t i = 0; i < w->n_runs; i++)
		cx_run_close(&w->runs[i]);
	free(w->runs);
}

/* Moves the workers' runs to u->runs, grouped by worker, in spill order. */
static int collect_runs(cx_update *u, index_worker *w)
{
	size_t n = 0;
	for (unsigned k = 0; k < u->threads; k++)
		n += w[k].n_runs;
	u->runs = cx_calloc(n, sizeof *u->runs);
	if (!u->runs)
		return CODEIDX_ENOMEM;
	for (unsigned k = 0; k < u->threads; k++) {
		if (w[k].n_runs)
			memcpy(u->runs + u->n_runs, w[k].runs, w[k].n_runs * sizeof *u->runs);
		u->n_runs += w[k].n_runs;
		w[k].n_runs = 0; /* ownership moved */
	}
	return 0;
}

int cx_update_index_phase(cx_update *u)
{
	u->todo = cx_calloc(u->n_cands, sizeof *u->todo);
	if (!u->todo)
		return CODEIDX_ENOMEM;
	uint64_t bytes = 0;
	for (size_t i = 0; i < u->n_cands; i++) {
		uint8_t o = u->cands[i].outcome;
		if (o == CX_OUT_NEW || o == CX_OUT_CHANGED) {
			u->todo[u->n_todo++] = i;
			bytes += u->cands[i].now.size;
		}
	}
	if (u->n_todo > UINT32_MAX - 1)
		return cx_error(CODEIDX_ELIMIT, "too many files to index (%zu)", u->n_todo);
	if (u->n_todo == 0)
		return cx_reporter_info(&u->rep, CODEIDX_PHASE_INDEX, "nothing to index");
	cx_tracker t = {0};
	atomic_size_t next;
	atomic_init(&next, 0);
	int rc = cx_tracker_init(&t, u->threads, u->n_todo, bytes, u->rep.interval_ms == 0);
	index_worker *w = cx_calloc(u->threads, sizeof *w);
	if (!rc && !w)
		rc = CODEIDX_ENOMEM;
	for (unsigned k = 0; !rc && k < u->threads; k++)
		rc = worker_init(&w[k], u, &t, k, &next);
	if (!rc)
		rc = cx_update_run_workers(u, &t, CODEIDX_PHASE_INDEX, index_thread, w, sizeof *w);
	for (unsigned k = 0; w && !rc && k < u->threads; k++)
		rc = w[k].rc;
	if (!rc)
		rc = collect_runs(u, w);
	if (w)
		for (unsigned k = 0; k < u->threads; k++)
			worker_release(&w[k]);
	free(w);
	cx_tracker_release(&t);
	return rc;
}
