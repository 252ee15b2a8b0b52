/* tracker.c - per-phase worker slots and counters (see tracker.h). */
#include "progress/tracker.h"

#include <stdlib.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"

int cx_tracker_init(cx_tracker *t, unsigned n_slots, uint64_t total, uint64_t bytes_total,
		    int signal_each)
{
	t->slots = cx_calloc(n_slots, sizeof *t->slots);
	if (!t->slots)
		return CODEIDX_ENOMEM;
	for (unsigned i = 0; i < n_slots; i++)
		pthread_mutex_init(&t->slots[i].lock, NULL);
	t->n_slots = n_slots;
	t->total = total;
	t->bytes_total = bytes_total;
	atomic_init(&t->current, 0);
	atomic_init(&t->bytes_done, 0);
	atomic_init(&t->cancel, 0);
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines use cx_now's clock */
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	t->running = n_slots;
	t->signal_each = signal_each;
	return 0;
}

void cx_tracker_release(cx_tracker *t)
{
	if (!t->slots)
		return;
	for (unsigned i = 0; i < t->n_slots; i++)
		pthread_mutex_destroy(&t->slots[i].lock);
	free(t->slots);
	t->slots = NULL;
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
}

void cx_tracker_begin(cx_tracker *t, unsigned slot, const char *path, uint64_t size,
		      codeidx_file_status status)
{
	cx_slot *s = &t->slots[slot];
	double now = cx_now();
	pthread_mutex_lock(&s->lock);
	s->active = 1;
	s->path = path;
	s->size = size;
	s->status = status;
	s->started = now;
	pthread_mutex_unlock(&s->lock);
}

void cx_tracker_status(cx_tracker *t, unsigned slot, codeidx_file_status status,
		       uint64_t size)
{
	cx_slot *s = &t->slots[slot];
	pthread_mutex_lock(&s->lock);
	s->status = status;
	s->size = size;
	pthread_mutex_unlock(&s->lock);
}

void cx_tracker_end(cx_tracker *t, unsigned slot, uint64_t bytes)
{
	cx_slot *s = &t->slots[slot];
	pthread_mutex_lock(&s->lock);
	s->active = 0;
	s->path = NULL;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(&t->bytes_done, bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->current, 1, memory_order_release);
	if (t->signal_each) {
		pthread_mutex_lock(&t->lock);
		pthread_cond_signal(&t->wake);
		pthread_mutex_unlock(&t->lock);
	}
}

void cx_tracker_worker_exit(cx_tracker *t)
{
	pthread_mutex_lock(&t->lock);
	t->running--;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}
