/* handle.c - open and close an index, read its stats, track its current generation. */
#include "api/handle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

CODEIDX_API const char *codeidx_version(void)
{
	return CODEIDX_VERSION_STRING;
}

static int open_index_dir(codeidx *idx, unsigned flags)
{
	idx->dir_fd = openat(idx->root_fd, CX_INDEX_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (idx->dir_fd >= 0)
		return 0;
	if (errno != ENOENT)
		return cx_error_errno(CODEIDX_EIO, "cannot open %s/%s", idx->root, CX_INDEX_DIR);
	if (!(flags & CODEIDX_OPEN_CREATE))
		return cx_error(CODEIDX_ENOINDEX, "no index at %s (create one with an update)",
				idx->root);
	if (mkdirat(idx->root_fd, CX_INDEX_DIR, 0755) && errno != EEXIST)
		return cx_error_errno(CODEIDX_EIO, "cannot create %s/%s", idx->root,
				      CX_INDEX_DIR);
	idx->dir_fd = openat(idx->root_fd, CX_INDEX_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (idx->dir_fd < 0)
		return cx_error_errno(CODEIDX_EIO, "cannot open %s/%s", idx->root, CX_INDEX_DIR);
	return 0;
}

CODEIDX_API int codeidx_open(codeidx **out, const char *root, const codeidx_open_options *opts)
{
	cx_error_clear();
	if (!out)
		return cx_error(CODEIDX_EINVAL, "codeidx_open: out is NULL");
	*out = NULL;
	if (!root || !*root)
		return cx_error(CODEIDX_EINVAL, "codeidx_open: root is empty");
	if (opts && opts->version != CODEIDX_OPEN_OPTIONS_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_open: options version %u unknown",
				opts->version);
	unsigned flags = opts ? opts->flags : 0;
	codeidx *idx = calloc(1, sizeof *idx);
	if (!idx)
		return CODEIDX_ENOMEM;
	idx->root_fd = idx->dir_fd = -1;
	pthread_mutex_init(&idx->snap_lock, NULL);
	int rc = 0;
	if (!(idx->ws = cx_workspace_new()) || !(idx->pool = cx_pool_new())) {
		rc = CODEIDX_ENOMEM;
		goto fail;
	}
	idx->root = realpath(root, NULL);
	if (!idx->root) {
		rc = cx_error_errno(errno == ENOENT || errno == ENOTDIR ? CODEIDX_EINVAL
									: CODEIDX_EIO,
				    "cannot resolve root %s", root);
		goto fail;
	}
	idx->root_fd = open(idx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (idx->root_fd < 0) {
		rc = cx_error_errno(errno == ENOTDIR ? CODEIDX_EINVAL : CODEIDX_EIO,
				    "cannot open root %s", idx->root);
		goto fail;
	}
	if ((rc = open_index_dir(idx, flags)))
		goto fail;
	if ((rc = cx_snapshot_load(idx->dir_fd, NULL, &idx->snap)))
		goto fail;
	*out = idx;
	return 0;
fail:
	codeidx_close(idx);
	return rc;
}

CODEIDX_API void codeidx_close(codeidx *idx)
{
	if (!idx)
		return;
	cx_pool_free(idx->pool); /* joins the helpers first: they borrow from ws */
	cx_snapshot_unref(idx->snap);
	cx_workspace_free(idx->ws);
	if (idx->dir_fd >= 0)
		close(idx->dir_fd);
	if (idx->root_fd >= 0)
		close(idx->root_fd);
	pthread_mutex_destroy(&idx->snap_lock);
	free(idx->root);
	free(idx);
}

CODEIDX_API const char *codeidx_root(const codeidx *idx)
{
	return idx ? idx->root : NULL;
}

cx_snapshot *cx_handle_acquire(codeidx *idx, int *rc)
{
	pthread_mutex_lock(&idx->snap_lock);
	cx_snapshot *cur = cx_snapshot_ref(idx->snap);
	pthread_mutex_unlock(&idx->snap_lock);
	if (cx_snapshot_is_current(cur, idx->dir_fd))
		return cur;
	cx_snapshot *fresh;
	*rc = cx_snapshot_load(idx->dir_fd, cur, &fresh);
	cx_snapshot_unref(cur);
	if (*rc)
		return NULL;
	pthread_mutex_lock(&idx->snap_lock);
	if (fresh->manifest.generation >= idx->snap->manifest.generation) {
		cx_snapshot_unref(idx->snap);
		idx->snap = cx_snapshot_ref(fresh);
	}
	pthread_mutex_unlock(&idx->snap_lock);
	return fresh;
}

void cx_handle_publish(codeidx *idx, cx_snapshot *snap)
{
	pthread_mutex_lock(&idx->snap_lock);
	cx_snapshot *old = idx->snap;
	idx->snap = snap;
	pthread_mutex_unlock(&idx->snap_lock);
	cx_snapshot_unref(old);
}

CODEIDX_API int codeidx_stats_get(codeidx *idx, codeidx_stats *stats)
{
	cx_error_clear();
	if (!idx || !stats || stats->version != CODEIDX_STATS_VERSION)
		return cx_error(CODEIDX_EINVAL, "codeidx_stats_get: bad arguments");
	int rc = 0;
	cx_snapshot *s = cx_handle_acquire(idx, &rc);
	if (!s)
		return rc;
	memset(stats, 0, sizeof *stats);
	stats->version = CODEIDX_STATS_VERSION;
	stats->generation = s->manifest.generation;
	stats->files = s->live_docs;
	stats->bytes = cx_snapshot_live_bytes(s);
	stats->segments = s->manifest.n_segs;
	for (uint32_t i = 0; i < s->manifest.n_segs; i++)
		stats->deleted_docs += s->segs[i].n_dead;
	stats->index_bytes = s->index_bytes;
	stats->trigrams = s->trigrams;
	memcpy(stats->skipped, s->manifest.skipped, sizeof stats->skipped);
	cx_snapshot_unref(s);
	return 0;
}
