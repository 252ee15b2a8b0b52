/* workers.c - starts a phase's worker threads and lets the reporter watch them. */
#include <stdlib.h>

#include "common/buf.h"
#include "common/error.h"
#include "update/update.h"

int cx_update_run_workers(cx_update *u, cx_tracker *t, codeidx_phase phase,
			  void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t *tid = cx_calloc(u->threads, sizeof *tid);
	if (!tid)
		return CODEIDX_ENOMEM;
	unsigned started = 0;
	int rc = 0;
	for (; started < u->threads; started++) {
		if (pthread_create(&tid[started], NULL, fn, (char *)args + started * arg_size)) {
			rc = cx_error(CODEIDX_ERROR, "cannot start worker thread %u", started);
			break;
		}
	}
	if (rc) {
		/* Threads never started will never exit: account for them, stop the rest. */
		atomic_store(&t->cancel, 1);
		for (unsigned k = started; k < u->threads; k++)
			cx_tracker_worker_exit(t);
	}
	int wrc = cx_reporter_watch(&u->rep, phase, t);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	free(tid);
	return rc ? rc : wrc;
}
