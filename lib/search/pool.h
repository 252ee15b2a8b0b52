/* pool.h - a handle's parked search helper threads. Starting a thread and joining it
 * cost a selective search about 110 us of its ~2 ms on this machine (a VM: clone, then
 * the new thread's first run, and its exit); a parked helper is woken instead. Helpers
 * start on first use and stay until the pool is freed. A search takes the helpers that
 * are idle (starting new ones up to CX_POOL_MAX) and never waits for one that serves
 * another search: it runs with fewer. */
#ifndef CX_POOL_H
#define CX_POOL_H

#include <stdint.h>

#define CX_POOL_MAX 64u

typedef struct cx_pool cx_pool;

/* The helpers one caller was given: cx_pool_wait() waits for exactly those. */
typedef struct cx_crew {
	cx_pool *pool;
	unsigned n;
	uint8_t who[CX_POOL_MAX];
	uint64_t job[CX_POOL_MAX]; /* the job number each was given */
} cx_crew;

/* A pool with no threads yet, or NULL on out of memory. */
cx_pool *cx_pool_new(void);

/* Stops and joins the helpers (none may be busy), frees the pool. NULL is a no-op. */
void cx_pool_free(cx_pool *p);

/* Runs fn(arg) on up to `want` helpers at once; fills *crew and returns how many
 * were given (0 when none is idle and no more can start, or in a process forked since
 * the pool was made: its threads are the parent's). */
unsigned cx_pool_start(cx_pool *p, unsigned want, void (*fn)(void *), void *arg,
		       cx_crew *crew);

/* Waits until every helper of `crew` has returned from fn. */
void cx_pool_wait(cx_crew *crew);

#endif
