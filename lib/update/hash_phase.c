/* hash_phase.c - stats every candidate in parallel and decides what changed: equal
 * size, mtime and inode mean unchanged without reading; otherwise XXH3 of the content
 * decides between changed and touched (same bytes, new stat data). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "index/segment_format.h"
#include "update/update.h"

typedef struct hash_worker {
	cx_update *u;
	cx_tracker *t;
	unsigned slot;
	atomic_size_t *next;
	uint8_t *buf;
} hash_worker;

static void meta_from_stat(cx_docmeta *m, const struct stat *st)
{
	m->size = (uint64_t)st->st_size;
	m->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	m->ino = (uint64_t)st->st_ino;
}

static void skip(cx_cand *c, codeidx_skip_reason why)
{
	c->outcome = CX_OUT_SKIPPED;
	c->skip = (uint8_t)why;
}

/* Streams the file through XXH3; returns 0 or -1 (unreadable). */
static int hash_file(int root_fd, const char *path, uint8_t *buf, size_t buf_size,
		     uint64_t *out)
{
	/* Nothing swapped in since the walk may lead it out of the root or block it. */
	int fd = cx_open_beneath(root_fd, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	XXH3_state_t *st = XXH3_createState();
	int rc = st ? 0 : -1;
	if (st)
		XXH3_64bits_reset(st);
	while (!rc) {
		ssize_t r = read(fd, buf, buf_size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		XXH3_64bits_update(st, buf, (size_t)r);
	}
	if (!rc)
		*out = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	close(fd);
	return rc;
}

#define HASH_BUF (1u << 16)

/* Decides one cand. The slot shows the file from its stat on, with its real size. */
static void decide(hash_worker *w, cx_cand *c)
{
	cx_update *u = w->u;
	struct stat st;
	int failed = fstatat(u->idx->root_fd, c->path, &st, AT_SYMLINK_NOFOLLOW);
	cx_tracker_begin(w->t, w->slot, c->path, failed ? 0 : (uint64_t)st.st_size,
			 CODEIDX_FILE_STATING);
	if (failed) {
		skip(c, CODEIDX_SKIP_FAILED);
		return;
	}
	meta_from_stat(&c->now, &st);
	if (S_ISLNK(st.st_mode))
		return skip(c, CODEIDX_SKIP_SYMLINK);
	if (!S_ISREG(st.st_mode))
		return skip(c, CODEIDX_SKIP_SPECIAL);
	if (c->now.size > u->max_size)
		return skip(c, CODEIDX_SKIP_TOO_LARGE);
	if (c->old_seg < 0) {
		c->outcome = CX_OUT_NEW; /* hashed while it is read in the index phase */
		return;
	}
	if (u->old->segs[c->old_seg].seg->version < CX_SEG_VERSION) {
		/* Written by an older format (no block summaries; format 1 extractors also
		 * dropped the trigram after a leading '\n'): indexed again. */
		c->outcome = CX_OUT_CHANGED;
		return;
	}
	if (c->now.size == c->old.size && c->now.mtime_ns == c->old.mtime_ns &&
	    c->now.ino == c->old.ino) {
		c->outcome = CX_OUT_UNCHANGED;
		c->now.hash = c->old.hash;
		return;
	}
	if (c->now.size != c->old.size) {
		c->outcome = CX_OUT_CHANGED;
		return;
	}
	cx_tracker_status(w->t, w->slot, CODEIDX_FILE_HASHING, c->now.size);
	if (hash_file(u->idx->root_fd, c->path, w->buf, HASH_BUF, &c->now.hash))
		return skip(c, CODEIDX_SKIP_FAILED);
	c->outcome = c->now.hash == c->old.hash ? CX_OUT_TOUCHED : CX_OUT_CHANGED;
}

static void *hash_thread(void *arg)
{
	hash_worker *w = arg;
	cx_update *u = w->u;
	while (!atomic_load_explicit(&w->t->cancel, memory_order_relaxed)) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= u->n_cands)
			break;
		cx_cand *c = &u->cands[i];
		decide(w, c);
		cx_tracker_end(w->t, w->slot, c->now.size);
	}
	cx_tracker_worker_exit(w->t);
	return NULL;
}

int cx_update_hash_phase(cx_update *u)
{
	cx_tracker t = {0};
	/* Sizes are only known once stat'ed: bytes_total stays 0 in this phase. */
	int rc = cx_tracker_init(&t, u->threads, u->n_cands, 0, u->rep.interval_ms == 0);
	hash_worker *w = cx_calloc(u->threads, sizeof *w);
	atomic_size_t next;
	atomic_init(&next, 0);
	if (!rc && !w)
		rc = CODEIDX_ENOMEM;
	for (unsigned k = 0; !rc && k < u->threads; k++) {
		w[k] = (hash_worker){.u = u, .t = &t, .slot = k, .next = &next,
				     .buf = malloc(HASH_BUF)};
		if (!w[k].buf)
			rc = CODEIDX_ENOMEM;
	}
	if (!rc)
		rc = cx_update_run_workers(u, &t, CODEIDX_PHASE_HASH, hash_thread, w, sizeof *w);
	if (w)
		for (unsigned k = 0; k < u->threads; k++)
			free(w[k].buf);
	free(w);
	cx_tracker_release(&t);
	return rc;
}
