/* update.c - codeidx_update(): takes the writer lock and runs walk, classify, hash
 * phase, index phase and commit, reporting progress all along. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "index/lock.h"
#include "update/update.h"

static int walk_info(const char *message, void *user)
{
	cx_update *u = user;
	return cx_reporter_note(&u->rep, CODEIDX_PHASE_SETUP, message);
}

static int check_options(const codeidx_update_options *o)
{
	if (o->version != CODEIDX_UPDATE_OPTIONS_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_update: options version %u unknown",
				o->version);
	if (o->threads > 1024)
		return cx_error(CODEIDX_EINVAL, "codeidx_update: %u threads is too many",
				o->threads);
	if (o->n_excludes && !o->excludes)
		return cx_error(CODEIDX_EINVAL, "codeidx_update: excludes is NULL");
	if (o->flags &
	    ~(CODEIDX_UPDATE_FULL | CODEIDX_UPDATE_NO_IGNORE | CODEIDX_UPDATE_BACKGROUND))
		return cx_error(CODEIDX_EINVAL, "codeidx_update: unknown flags 0x%x", o->flags);
	return 0;
}

/* Tallies outcomes into u->res (after the hash phase, again after the index phase). */
static void tally(cx_update *u, const cx_walk_result *w)
{
	codeidx_update_result *r = &u->res;
	r->files_new = r->files_changed = r->files_touched = r->files_unchanged = 0;
	r->files_deleted = u->n_gone;
	memcpy(r->skipped, w->skipped, sizeof r->skipped);
	for (size_t i = 0; i < u->n_cands; i++) {
		const cx_cand *c = &u->cands[i];
		switch (c->outcome) {
		case CX_OUT_NEW: r->files_new++; break;
		case CX_OUT_CHANGED: r->files_changed++; break;
		case CX_OUT_TOUCHED: r->files_touched++; break;
		case CX_OUT_UNCHANGED: r->files_unchanged++; break;
		case CX_OUT_SKIPPED:
			r->skipped[c->skip]++;
			if (c->old_seg >= 0)
				r->files_deleted++;
			break;
		default: break;
		}
	}
}

static void release(cx_update *u)
{
	for (size_t i = 0; i < u->n_runs; i++)
		cx_run_close(&u->runs[i]);
	free(u->runs);
	free(u->todo);
	free(u->gone_seg);
	free(u->gone_doc);
	for (size_t i = 0; u->cands && i < u->n_cands; i++)
		free(u->cands[i].blocks);
	free(u->cands);
	cx_walk_result_release(&u->walk);
	cx_reporter_release(&u->rep);
	cx_snapshot_unref(u->old);
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1;
}

/* Whether `root` (an absolute path) or one of its parents holds a .git entry. */
static int in_git_work_tree(const char *root)
{
	char path[PATH_MAX];
	size_t n = strlen(root);
	if (n >= sizeof path - 6)
		return 0;
	memcpy(path, root, n + 1);
	for (;;) {
		struct stat st;
		memcpy(path + n, "/.git", 6);
		if (!lstat(path, &st))
			return 1;
		while (n > 0 && path[n - 1] != '/')
			n--;
		if (n <= 1)
			return 0;
		n--; /* drop the '/' */
	}
}

static int run(cx_update *u, const codeidx_update_options *o)
{
	/* A coarse kernel clock stamps files up to a tick behind the wall clock. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	u->racy_after_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - 50000000;
	cx_update_collect_garbage(u); /* leftovers of a writer that was killed */
	int rc = cx_reporter_info(&u->rep, CODEIDX_PHASE_SETUP, "indexing %s with %u threads",
				  u->idx->root, u->threads);
	cx_walk_options wo = {.excludes = o->excludes, .n_excludes = o->n_excludes,
			      .info = walk_info, .info_user = u};
	wo.no_ignore_files = (o->flags & CODEIDX_UPDATE_NO_IGNORE) || !in_git_work_tree(u->idx->root);
	if (!rc)
		rc = cx_walk(u->idx->root_fd, &wo, &u->walk);
	if (!rc)
		rc = cx_reporter_info(&u->rep, CODEIDX_PHASE_SETUP,
				      "found %zu files (%llu ignored, %llu excluded)%s",
				      u->walk.n_files,
				      (unsigned long long)u->walk.skipped[CODEIDX_SKIP_IGNORED],
				      (unsigned long long)u->walk.skipped[CODEIDX_SKIP_EXCLUDED],
				      wo.no_ignore_files ? "; .gitignore not applied" : "");
	if (!rc)
		rc = cx_update_classify(u);
	if (!rc)
		rc = cx_update_hash_phase(u);
	if (!rc) {
		tally(u, &u->walk);
		rc = cx_update_index_phase(u);
	}
	if (!rc) {
		tally(u, &u->walk);
		for (size_t i = 0; i < u->n_todo; i++) {
			const cx_cand *c = &u->cands[u->todo[i]];
			if (c->outcome != CX_OUT_SKIPPED)
				u->res.bytes_indexed += c->now.size;
		}
		rc = cx_update_commit(u);
	}
	return rc;
}

CODEIDX_API int codeidx_update(codeidx *idx, const codeidx_update_options *opts,
			       codeidx_update_result *result)
{
	cx_error_clear();
	codeidx_update_options defaults = CODEIDX_UPDATE_OPTIONS_INIT;
	const codeidx_update_options *o = opts ? opts : &defaults;
	if (!idx)
		return cx_error(CODEIDX_EINVAL, "codeidx_update: idx is NULL");
	if (result && result->version != CODEIDX_UPDATE_RESULT_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_update: result version %u unknown",
				result->version);
	int rc = check_options(o);
	if (rc)
		return rc;
	int lock = cx_lock_acquire(idx->dir_fd, idx->root);
	if (lock < 0)
		return lock;
	double started = cx_now();
	cx_update u = {.idx = idx, .full = (o->flags & CODEIDX_UPDATE_FULL) != 0,
		       .background = (o->flags & CODEIDX_UPDATE_BACKGROUND) != 0};
	u.threads = o->threads ? o->threads : default_threads();
	u.max_size = o->max_file_size ? o->max_file_size : CODEIDX_DEFAULT_MAX_FILE_SIZE;
	u.res.version = CODEIDX_UPDATE_RESULT_VERSION;
	u.old = cx_handle_acquire(idx, &rc);
	if (u.old)
		rc = cx_reporter_init(&u.rep, o->progress, o->progress_user,
				      o->progress_interval_ms, u.threads);
	if (!rc)
		rc = run(&u, o);
	u.res.seconds = cx_now() - started;
	if (rc == CODEIDX_ECANCELLED) {
		cx_reporter_cancel_event(&u.rep);
		cx_error(CODEIDX_ECANCELLED, "update of %s cancelled; generation %llu unchanged",
			 idx->root, (unsigned long long)(u.old ? u.old->manifest.generation : 0));
	} else if (!rc) {
		u.rep.cancelled = 0; /* published: a late cancel request no longer applies */
		cx_reporter_done(&u.rep, u.old->live_docs,
				 "%llu files indexed: %llu new, %llu changed, %llu deleted; "
				 "generation %llu; %.2f s",
				 (unsigned long long)u.old->live_docs,
				 (unsigned long long)u.res.files_new,
				 (unsigned long long)u.res.files_changed,
				 (unsigned long long)u.res.files_deleted,
				 (unsigned long long)u.res.generation, u.res.seconds);
		if (result)
			*result = u.res;
	}
	release(&u);
	cx_lock_release(lock);
	return rc;
}
