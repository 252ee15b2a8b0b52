/* handle.h - the codeidx handle's layout, shared by the modules that implement the
 * public API (open/stats, update, search). */
#ifndef CX_HANDLE_H
#define CX_HANDLE_H

#include <pthread.h>

#include "codeidx.h"
#include "index/snapshot.h"
#include "search/pool.h"
#include "search/workspace.h"

#define CX_INDEX_DIR ".codeidx"

struct codeidx {
	char *root;  /* canonical absolute path */
	int root_fd; /* the root directory */
	int dir_fd;  /* <root>/.codeidx */
	pthread_mutex_t snap_lock; /* guards `snap` (the pointer, not the snapshot) */
	cx_snapshot *snap;         /* newest generation this handle has loaded */
	cx_workspace *ws;          /* search buffers kept between searches */
	cx_pool *pool;             /* search helper threads, parked between searches */
};

/* Returns a reference to the newest committed generation (reloading it if another
 * handle or process published since), or NULL with *rc set. Unref when done. */
cx_snapshot *cx_handle_acquire(codeidx *idx, int *rc);

/* Makes `snap` the handle's current generation (takes over the caller's reference). */
void cx_handle_publish(codeidx *idx, cx_snapshot *snap);

#endif
