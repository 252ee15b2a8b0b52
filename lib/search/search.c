/* search.c - codeidx_search(): plan the pattern into trigrams, pick the candidate
 * files, verify them in parallel (a bounded window ahead of the output), and stream
 * matching lines to the callback in path, then line order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "api/handle.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "search/block_plan.h"
#include "search/candidates.h"
#include "search/filter.h"
#include "search/matcher.h"
#include "search/plan.h"
#include "search/regions.h"
#include "search/workspace.h"

typedef struct search {
	codeidx *idx;
	const cx_snapshot *snap;
	const cx_cand_doc *cands;
	size_t n_cands;
	const cx_matcher *matcher;
	const cx_block_plan *blocks; /* when matches are short enough for block summaries
				      * and no context is asked; else NULL */
	const codeidx_search_options *o;
	/* The window: cand i is verified into slots[i % window] once i < emitted + window. */
	cx_file_slot *slots;
	size_t window;
	pthread_mutex_t lock; /* guards everything below and the slots' ready flags */
	pthread_cond_t ready; /* the emitter waits here for its next slot */
	pthread_cond_t space; /* workers wait here for room in the window */
	size_t next, emitted;
	int stop;
	int emitter_waiting;     /* signal `ready` only when someone waits: fewer switches */
	unsigned workers_waiting;
} search;

/* The blocks of candidate c's file (indexed as `m`) that may hold a match, from its
 * block summary (no I/O): fills *b and *mask and returns 1, or returns 0 when the file
 * has no summary or every block passes, or CODEIDX_ECORRUPT. */
static int pick_blocks(const search *se, const cx_cand_doc *c, const cx_docmeta *m,
		       cx_blocks *b, uint64_t *mask)
{
	const cx_snap_seg *seg = &se->snap->segs[c->seg];
	if (m->size < CX_BLOCKS_MIN_SIZE)
		return 0;
	const uint8_t *blob;
	size_t len;
	int rc = cx_segment_blocks(seg->seg, c->doc, &blob, &len);
	if (rc || !blob)
		return rc;
	if (cx_blocks_parse(blob, len, m->size, b))
		return cx_error(CODEIDX_ECORRUPT, "segment %s: block summary of doc %u malformed",
				seg->seg->name, c->doc);
	*mask = cx_block_plan_mask(se->blocks, b);
	return *mask != cx_blocks_all(b);
}

/* Whether stat data `st` is that of the file as indexed (`m`): same size, mtime and
 * inode (an mtime not settled at indexing never matches). */
static int as_indexed(const cx_docmeta *m, const struct stat *st)
{
	int64_t mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	return m->size == (uint64_t)st->st_size && m->mtime_ns == mtime &&
	       m->ino == (uint64_t)st->st_ino;
}

/* Reads and scans the blocks of `mask` of an open file, if it is still the one indexed.
 * Returns 0 when done, 1 when the whole file must be read instead, or an error. */
static int verify_blocks(const search *se, int fd, const struct stat *st, const cx_docmeta *m,
			 const cx_blocks *b, uint64_t mask, cx_file_slot *sl,
			 cx_match_scratch *scratch)
{
	if (!as_indexed(m, st))
		return 1; /* changed since indexing (or its mtime was not settled then) */
	cx_region parts[CX_BLOCKS_MAX];
	size_t n;
	int rc = cx_regions_read(fd, m->size, b, mask, &sl->content, parts, &n);
	for (size_t i = 0; !rc && i < n; i++)
		rc = cx_matcher_scan_part(se->matcher, scratch, sl->content.data, parts[i].off,
					  parts[i].off + parts[i].len, parts[i].first_line,
					  se->o->max_per_file, &sl->hits);
	return rc;
}

/* Reads the rest of an open file, from offset content->len on, up to the size fstat
 * gives (to EOF when that is 0, as in /proc): a file written to meanwhile is searched
 * as it was then, as grep would. Returns 0, 1 when it is not a regular file (skip
 * it), or an error. */
static int read_rest(int fd, const char *path, cx_buf *content)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return 1;
	if ((uint64_t)st.st_size >= SIZE_MAX / 2)
		return cx_error(CODEIDX_ENOMEM, "%s: %jd bytes do not fit in memory", path,
				(intmax_t)st.st_size);
	size_t want = (size_t)st.st_size;
	int rc = want > content->len ? cx_buf_reserve(content, want - content->len + 1) : 0;
	while (!rc && (!want || content->len < want)) {
		if (content->cap == content->len && (rc = cx_buf_reserve(content, 1 << 16)))
			break;
		ssize_t r = pread(fd, content->data + content->len,
				  cx_read_chunk(content->cap - content->len), (off_t)content->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		content->len += (size_t)r;
	}
	return rc;
}

/* Reads a whole open file, indexed with `size` bytes, into `content`. The common case
 * costs one pread() and no fstat() (an eighth of the kernel time per file): asked for
 * one byte more than indexed, a regular file gives exactly its indexed size, and the
 * short count is its end (a regular file reads short only at its end; a filesystem
 * that breaks this, as FUSE with direct_io may, could hide a changed file's tail).
 * Anything else goes by fstat(), which rejects what is not a regular file: a fifo,
 * socket or terminal swapped in since indexing refuses pread() (ESPIPE) before a byte
 * is taken from it, a directory gives EISDIR, and a device giving exactly the indexed
 * size at once is the one thing that would pass unchecked. Returns 0, 1 to skip the
 * file, or an error. */
static int read_whole(int fd, const char *path, uint64_t size, cx_buf *content)
{
	if (size < cx_read_chunk(SIZE_MAX)) {
		int rc = cx_buf_reset(content, (size_t)size + 1);
		if (rc)
			return rc;
		ssize_t r;
		do
			r = pread(fd, content->data, (size_t)size + 1, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return 1; /* a directory, fifo, socket or terminal: not a file to search */
		content->len = (size_t)r;
		if ((uint64_t)r == size)
			return 0;
	} else {
		content->len = 0;
	}
	return read_rest(fd, path, content);
}

/* Reads the file of candidate `c` and scans it into `sl`. */
static int verify(search *se, const cx_cand_doc *c, cx_file_slot *sl, cx_match_scratch *scratch)
{
	size_t len;
	const cx_snap_seg *seg = &se->snap->segs[c->seg];
	const char *p = cx_segment_path(seg->seg, c->doc, &len);
	if (cx_buf_reset(&sl->path, len + 1))
		return CODEIDX_ENOMEM;
	memcpy(sl->path.data, p, len);
	sl->path.data[len] = '\0';
	const char *path = (const char *)sl->path.data;
	cx_hits_clear(&sl->hits);
	cx_docmeta meta;
	cx_snap_meta(seg, c->doc, &meta);
	cx_blocks blocks;
	uint64_t mask = 0;
	int partial = se->blocks ? pick_blocks(se, c, &meta, &blocks, &mask) : 0;
	if (partial < 0)
		return partial;
	/* No block can hold a match: the file is skipped unread if it is the one indexed
	 * (a stat costs less than an open); a changed file is read whole. */
	if (partial && mask == 0) {
		struct stat now;
		if (fstatat(se->idx->root_fd, path, &now, AT_SYMLINK_NOFOLLOW))
			return 0; /* vanished */
		if (as_indexed(&meta, &now))
			return 0;
		partial = 0;
	}
	/* Never through a link (in any component) nor into a fifo swapped in since
	 * indexing: such a file is reported as if it had vanished. */
	int fd = cx_open_beneath(se->idx->root_fd, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return 0; /* vanished since indexing: nothing to report */
	int rc = 1;
	if (partial) {
		struct stat st;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			close(fd);
			return 0;
		}
		rc = verify_blocks(se, fd, &st, &meta, &blocks, mask, sl, scratch);
		if (rc == 1) /* the partial read (by pread) gave up: start over */
			cx_hits_clear(&sl->hits);
	}
	if (rc == 1) {
		rc = read_whole(fd, path, meta.size, &sl->content);
		if (!rc)
			rc = cx_matcher_scan(se->matcher, scratch, sl->content.data,
					     sl->content.len, se->o->max_per_file, se->o->before,
					     se->o->after, &sl->hits);
		else if (rc == 1)
			rc = 0;
	}
	close(fd);
	return rc;
}

/* A helper's part of a search: verifies unclaimed candidates while the window has
 * room. */
static void verify_job(void *arg)
{
	search *se = arg;
	cx_match_scratch *scratch = NULL; /* taken on the first file claimed: a helper that
					   * comes late often finds nothing left */
	pthread_mutex_lock(&se->lock);
	for (;;) {
		while (!se->stop && se->next < se->n_cands && se->next >= se->emitted + se->window) {
			se->workers_waiting++;
			pthread_cond_wait(&se->space, &se->lock);
			se->workers_waiting--;
		}
		if (se->stop || se->next >= se->n_cands)
			break;
		size_t i = se->next++;
		cx_file_slot *sl = &se->slots[i % se->window];
		pthread_mutex_unlock(&se->lock);
		if (!scratch)
			scratch = cx_workspace_take_scratch(se->idx->ws);
		int rc = scratch ? verify(se, &se->cands[i], sl, scratch) : CODEIDX_ENOMEM;
		pthread_mutex_lock(&se->lock);
		sl->rc = rc;
		sl->ready = 1;
		if (se->emitter_waiting)
			pthread_cond_signal(&se->ready);
	}
	pthread_mutex_unlock(&se->lock);
	if (scratch)
		cx_workspace_give_scratch(se->idx->ws, scratch);
}

/* Reports one verified file; returns non-zero to stop. */
static int emit(search *se, cx_file_slot *sl, codeidx_match_fn fn, void *user,
		codeidx_search_result *res)
{
	if (!sl->hits.matched)
		return 0;
	res->files_matched++;
	for (size_t k = 0; k < sl->hits.n; k++) {
		const cx_hit *h = &sl->hits.lines[k];
		if (!h->is_context && se->o->max_total && res->lines_matched >= se->o->max_total)
			return 1;
		codeidx_match m = {
			.path = (const char *)sl->path.data,
			.line = h->line,
			.text = (const char *)sl->content.data + h->start,
			.text_len = h->len,
			.spans = h->n_spans ? sl->hits.spans + h->span0 : NULL,
			.n_spans = h->n_spans,
			.column = h->is_context ? 0 : (h->n_spans ? sl->hits.spans[h->span0].start + 1 : 1),
			.is_context = h->is_context,
			.file_start = k == 0,
		};
		if (!h->is_context)
			res->lines_matched++;
		if (fn && fn(&m, user))
			return 1;
	}
	return se->o->max_total && res->lines_matched >= se->o->max_total;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1;
}

/* Verifies and reports a few candidates on the calling thread: for selective queries
 * starting threads costs more than it saves. */
static int run_inline(search *se, codeidx_match_fn fn, void *user, codeidx_search_result *res)
{
	cx_file_slot sl;
	cx_workspace_take_slots(se->idx->ws, &sl, 1);
	cx_match_scratch *scratch = cx_workspace_take_scratch(se->idx->ws);
	int rc = scratch ? 0 : CODEIDX_ENOMEM;
	for (size_t i = 0; i < se->n_cands && !rc; i++) {
		rc = verify(se, &se->cands[i], &sl, scratch);
		if (!rc && emit(se, &sl, fn, user, res)) {
			res->stopped = 1;
			break;
		}
	}
	cx_workspace_give_slots(se->idx->ws, &sl, 1);
	cx_workspace_give_scratch(se->idx->ws, scratch);
	return rc;
}

/* Buffers above this are freed after their file is reported: a few large files would
 * otherwise leave every slot of the window holding (and the CPU caches missing) a
 * buffer of their size. */
#define SLOT_KEEP_BYTES (256u << 10)

/* Candidates up to which verification stays on the calling thread. */
#define INLINE_CANDIDATES 32

/* Verifies and reports every candidate, in order. */
static int run(search *se, codeidx_match_fn fn, void *user, codeidx_search_result *res)
{
	unsigned threads = se->o->threads ? se->o->threads : online_cpus();
	if (threads > se->n_cands)
		threads = (unsigned)se->n_cands;
	if (threads == 0)
		return 0;
	if (threads == 1 || se->n_cands <= INLINE_CANDIDATES)
		return run_inline(se, fn, user, res);
	/* threads - 1 helpers; the calling thread verifies too while it waits. The
	 * helpers given wait for the lock while the window is sized for them. */
	pthread_mutex_lock(&se->lock);
	cx_crew crew;
	cx_pool_start(se->idx->pool, threads - 1, verify_job, se, &crew);
	se->window = (size_t)(crew.n + 1) * 8;
	se->slots = cx_calloc(se->window, sizeof *se->slots);
	cx_match_scratch *scratch = se->slots ? cx_workspace_take_scratch(se->idx->ws) : NULL;
	if (!scratch) {
		se->stop = 1;
		pthread_mutex_unlock(&se->lock);
		cx_pool_wait(&crew);
		free(se->slots);
		return CODEIDX_ENOMEM;
	}
	cx_workspace_take_slots(se->idx->ws, se->slots, se->window);
	int rc = 0;
	while (!rc && se->emitted < se->n_cands) {
		cx_file_slot *sl = &se->slots[se->emitted % se->window];
		while (!sl->ready) {
			if (se->next < se->n_cands && se->next < se->emitted + se->window) {
				/* Verify the next unclaimed file here rather than sleep. */
				size_t i = se->next++;
				cx_file_slot *mine = &se->slots[i % se->window];
				pthread_mutex_unlock(&se->lock);
				int vrc = verify(se, &se->cands[i], mine, scratch);
				pthread_mutex_lock(&se->lock);
				mine->rc = vrc;
				mine->ready = 1;
				continue;
			}
			se->emitter_waiting = 1;
			pthread_cond_wait(&se->ready, &se->lock);
			se->emitter_waiting = 0;
		}
		pthread_mutex_unlock(&se->lock);
		rc = sl->rc;
		int stop = rc ? 0 : emit(se, sl, fn, user, res);
		/* Keep memory bounded: a slot does not hold on to a big file's buffers. */
		cx_file_slot_trim(sl, SLOT_KEEP_BYTES);
		pthread_mutex_lock(&se->lock);
		sl->ready = 0;
		se->emitted++;
		if (stop) {
			res->stopped = 1;
			break;
		}
		if (se->workers_waiting)
			pthread_cond_signal(&se->space);
	}
	se->stop = 1;
	pthread_cond_broadcast(&se->space);
	pthread_mutex_unlock(&se->lock);
	cx_pool_wait(&crew);
	cx_workspace_give_scratch(se->idx->ws, scratch);
	cx_workspace_give_slots(se->idx->ws, se->slots, se->window);
	free(se->slots);
	return rc;
}

static int check(const char *pattern, size_t len, const codeidx_search_options *o)
{
	if (o->version != CODEIDX_SEARCH_OPTIONS_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: options version %u unknown",
				o->version);
	if (!pattern && len)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: pattern is NULL");
	if (len > CODEIDX_MAX_PATTERN)
		return cx_error(CODEIDX_ELIMIT, "pattern of %zu bytes exceeds the limit of %u bytes",
				len, CODEIDX_MAX_PATTERN);
	if (o->before > CODEIDX_MAX_CONTEXT || o->after > CODEIDX_MAX_CONTEXT)
		return cx_error(CODEIDX_ELIMIT, "context of more than %u lines", CODEIDX_MAX_CONTEXT);
	if (o->flags & ~(CODEIDX_SEARCH_LITERAL | CODEIDX_SEARCH_IGNORE_CASE | CODEIDX_SEARCH_WORD))
		return cx_error(CODEIDX_EINVAL, "codeidx_search: unknown flags 0x%x", o->flags);
	if (o->n_globs && !o->globs)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: n_globs is %zu but globs is NULL",
				o->n_globs);
	if (o->n_languages && !o->languages)
		return cx_error(CODEIDX_EINVAL,
				"codeidx_search: n_languages is %zu but languages is NULL",
				o->n_languages);
	if (o->threads > 1024)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: threads %u exceeds 1024", o->threads);
	return 0;
}

CODEIDX_API int codeidx_search(codeidx *idx, const char *pattern, size_t pattern_len,
			       const codeidx_search_options *opts, codeidx_match_fn fn,
			       void *user, codeidx_search_result *result)
{
	cx_error_clear();
	codeidx_search_options defaults = CODEIDX_SEARCH_OPTIONS_INIT;
	const codeidx_search_options *o = opts ? opts : &defaults;
	if (!idx)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: idx is NULL");
	if (result && result->version != CODEIDX_SEARCH_RESULT_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_search: result version %u unknown",
				result->version);
	int rc = check(pattern, pattern_len, o);
	if (rc)
		return rc;
	/* Options in CODEIDX_MAX_CONTEXT are honoured up to the matcher's own bound. */
	codeidx_search_result res = {.version = CODEIDX_SEARCH_RESULT_VERSION};
	cx_matcher *matcher = NULL;
	cx_plan *plan = NULL;
	cx_filter filter = {0};
	cx_cand_doc *cands = NULL;
	size_t n_cands = 0;
	cx_snapshot *snap = NULL;
	cx_block_plan *blocks = NULL;
	rc = cx_matcher_new(&matcher, pattern ? pattern : "", pattern_len, o->flags);
	unsigned pf = (o->flags & CODEIDX_SEARCH_LITERAL ? CX_PLAN_LITERAL : 0) |
		      (o->flags & CODEIDX_SEARCH_IGNORE_CASE ? CX_PLAN_IGNORE_CASE : 0) |
		      (o->flags & CODEIDX_SEARCH_WORD ? CX_PLAN_WORD : 0);
	if (!rc)
		rc = cx_plan_build(pattern ? pattern : "", pattern_len, pf, &plan);
	if (!rc)
		rc = cx_filter_init(&filter, o->globs, o->n_globs, o->languages, o->n_languages);
	if (!rc && !(snap = cx_handle_acquire(idx, &rc)))
		goto out;
	if (!rc)
		rc = cx_candidates(snap, plan, &filter, &cands, &n_cands);
	if (!rc) {
		res.generation = snap->manifest.generation;
		res.files_indexed = snap->live_docs;
		res.candidates = n_cands;
		/* Block summaries pass a plan on the trigrams of a short stretch of a line;
		 * context lines need the lines around each match, so the whole file. */
		if (plan->op != CX_PLAN_ALL && !o->before && !o->after &&
		    cx_plan_span(pattern ? pattern : "", pattern_len, pf) <= CX_BLOCKS_OVERLAP)
			rc = cx_block_plan_new(plan, &blocks);
	}
	if (!rc) {
		search se = {.idx = idx, .snap = snap, .cands = cands, .n_cands = n_cands,
			     .matcher = matcher, .blocks = blocks, .o = o};
		pthread_mutex_init(&se.lock, NULL);
		pthread_cond_init(&se.ready, NULL);
		pthread_cond_init(&se.space, NULL);
		rc = run(&se, fn, user, &res);
		pthread_mutex_destroy(&se.lock);
		pthread_cond_destroy(&se.ready);
		pthread_cond_destroy(&se.space);
	}
out:
	cx_block_plan_free(blocks);
	free(cands);
	cx_snapshot_unref(snap);
	cx_filter_release(&filter);
	cx_plan_free(plan);
	cx_matcher_free(matcher);
	if (!rc && result)
		*result = res;
	return rc;
}
