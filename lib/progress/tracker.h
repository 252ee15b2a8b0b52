/* tracker.h - per-phase worker slots: what each worker is doing, updated under a
 * short per-slot lock, plus phase counters. Workers write; the coordinator reads. */
#ifndef CX_TRACKER_H
#define CX_TRACKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "codeidx.h"

typedef struct cx_slot {
	pthread_mutex_t lock; /* guards every field below */
	int active;           /* a file is in this slot */
	const char *path;     /* borrowed from the run's file list, stable for the phase */
	uint64_t size;
	codeidx_file_status status;
	double started; /* cx_now() when the slot took the file */
} cx_slot;

typedef struct cx_tracker {
	cx_slot *slots;
	unsigned n_slots;
	uint64_t total;       /* files in the phase (set before workers start) */
	uint64_t bytes_total; /* bytes in the phase, as stat'ed */
	atomic_uint_fast64_t current;    /* files finished */
	atomic_uint_fast64_t bytes_done; /* bytes of finished files */
	atomic_int cancel;               /* set by the coordinator: workers stop taking files */
	/* Wakes the coordinator when a file finishes (in per-file mode) or a worker
	 * exits. `lock` guards `running`. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	unsigned running; /* workers not yet exited */
	int signal_each;  /* signal `wake` on every finished file; fixed before workers start */
} cx_tracker;

/* Prepares a tracker for `n_slots` workers; `signal_each` makes every finished file
 * wake the coordinator (per-file events). Returns 0 or CODEIDX_ENOMEM. */
int cx_tracker_init(cx_tracker *t, unsigned n_slots, uint64_t total, uint64_t bytes_total,
		    int signal_each);
void cx_tracker_release(cx_tracker *t);

/* A worker starts a file in its slot. */
void cx_tracker_begin(cx_tracker *t, unsigned slot, const char *path, uint64_t size,
		      codeidx_file_status status);
/* A worker moves its file to a new status (and may correct its size). */
void cx_tracker_status(cx_tracker *t, unsigned slot, codeidx_file_status status,
		       uint64_t size);
/* A worker finished its file: the slot empties, counters advance. */
void cx_tracker_end(cx_tracker *t, unsigned slot, uint64_t bytes);
/* A worker thread exits (call once per worker). */
void cx_tracker_worker_exit(cx_tracker *t);

#endif
