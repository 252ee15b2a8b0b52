/* workers.c - starts a phase's worker threads and lets the reporter watch them. */
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/priority.h"
#include "update/update.h"

typedef struct start {
	void *(*fn)(void *);
	void *arg;
	sem_t *lowered; /* background: posted once this worker's priority is lowered */
} start;

static void *worker_main(void *arg)
{
	const start *st = arg;
	if (st->lowered) {
		cx_lower_this_thread();
		sem_post(st->lowered);
	}
	return st->fn(st->arg);
}

int cx_update_run_workers(cx_update *u, cx_tracker *t, codeidx_phase phase,
			  void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t *tid = cx_calloc(u->threads, sizeof *tid);
	start *st = cx_calloc(u->threads, sizeof *st);
	if (!tid || !st) {
		free(tid);
		free(st);
		return CODEIDX_ENOMEM;
	}
	/* In the background, the phase (and its first event) starts only once every worker
	 * is lowered: a worker still at normal priority would hold a CPU for a whole
	 * scheduler tick against the threads the event wakes up. */
	sem_t lowered;
	sem_init(&lowered, 0, 0);
	unsigned started = 0;
	int rc = 0;
	for (; started < u->threads; started++) {
		st[started] = (start){fn, (char *)args + started * arg_size,
				      u->background ? &lowered : NULL};
		if (pthread_create(&tid[started], NULL, worker_main, &st[started])) {
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
	for (unsigned k = 0; u->background && k < started; k++)
		while (sem_wait(&lowered) && errno == EINTR)
			;
	int wrc = cx_reporter_watch(&u->rep, phase, t);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	sem_destroy(&lowered);
	free(tid);
	free(st);
	return rc ? rc : wrc;
}
