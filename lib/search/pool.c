/* pool.c - parked search helper threads (see pool.h). */
#include "search/pool.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

typedef struct helper {
	pthread_t tid;
	pthread_cond_t wake; /* signalled when a job is given or the pool stops */
	void (*fn)(void *);  /* the job, or NULL when idle */
	void *arg;
	uint64_t given, done; /* job numbers: the last given, the last finished */
	cx_pool *pool;
} helper;

struct cx_pool {
	pthread_mutex_t lock;     /* guards everything below and every helper's fields */
	pthread_cond_t finished;  /* broadcast when a helper finishes a job */
	helper *h[CX_POOL_MAX];
	unsigned n;
	int stop;
	unsigned forks; /* fork_count when the pool was made: its helpers live in that process */
};

/* fork() calls in this process's history, counted in each child: unlike a pid it can
 * not come back (a child's child may get its grandparent's recycled pid). */
static _Atomic unsigned fork_count;
static pthread_once_t fork_hook = PTHREAD_ONCE_INIT;

static void count_fork(void)
{
	fork_count++;
}

static void install_fork_hook(void)
{
	pthread_atfork(NULL, NULL, count_fork);
}

/* Whether the pool's helpers are threads of this process. */
static int ours(const cx_pool *p)
{
	return p->forks == fork_count;
}

cx_pool *cx_pool_new(void)
{
	pthread_once(&fork_hook, install_fork_hook);
	cx_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->finished, NULL);
	p->forks = fork_count;
	return p;
}

static void *helper_main(void *arg)
{
	helper *h = arg;
	cx_pool *p = h->pool;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!h->fn && !p->stop)
			pthread_cond_wait(&h->wake, &p->lock);
		if (!h->fn)
			break; /* stopping, and idle */
		void (*fn)(void *) = h->fn;
		void *a = h->arg;
		pthread_mutex_unlock(&p->lock);
		fn(a);
		pthread_mutex_lock(&p->lock);
		h->fn = NULL;
		h->done = h->given;
		pthread_cond_broadcast(&p->finished);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Adds a helper (p->lock held); returns it or NULL. Signals go to the application's
 * own threads, never to a library helper: it starts with them blocked (inherited, so
 * none can arrive before it runs), except those a fault raises, which a blocked mask
 * would turn into a kill that skips the application's handler. */
static helper *spawn(cx_pool *p)
{
	helper *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->pool = p;
	pthread_cond_init(&h->wake, NULL);
	sigset_t mask, old;
	sigfillset(&mask);
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
	for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
		sigdelset(&mask, faults[i]);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	int failed = pthread_create(&h->tid, NULL, helper_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (failed) {
		pthread_cond_destroy(&h->wake);
		free(h);
		return NULL;
	}
	p->h[p->n++] = h;
	return h;
}

unsigned cx_pool_start(cx_pool *p, unsigned want, void (*fn)(void *), void *arg,
		       cx_crew *crew)
{
	crew->pool = p;
	crew->n = 0;
	if (!ours(p))
		return 0;
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; crew->n < want && i < CX_POOL_MAX && !p->stop; i++) {
		helper *h = i < p->n ? p->h[i] : spawn(p);
		if (!h)
			break;
		if (h->fn)
			continue; /* serving another search */
		h->fn = fn;
		h->arg = arg;
		crew->who[crew->n] = (uint8_t)i;
		crew->job[crew->n++] = ++h->given;
		pthread_cond_signal(&h->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return crew->n;
}

void cx_pool_wait(cx_crew *crew)
{
	if (!crew->n)
		return;
	cx_pool *p = crew->pool;
	pthread_mutex_lock(&p->lock);
	for (unsigned k = 0; k < crew->n; k++)
		while (p->h[crew->who[k]]->done < crew->job[k])
			pthread_cond_wait(&p->finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
	crew->n = 0;
}

void cx_pool_free(cx_pool *p)
{
	if (!p)
		return;
	/* After fork() the helpers are the parent's, and the lock may have been held by
	 * one of them: only the memory is ours. */
	int mine = ours(p);
	if (mine) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		for (unsigned i = 0; i < p->n; i++)
			pthread_cond_signal(&p->h[i]->wake);
		pthread_mutex_unlock(&p->lock);
	}
	for (unsigned i = 0; i < p->n; i++) {
		if (mine) {
			pthread_join(p->h[i]->tid, NULL);
			pthread_cond_destroy(&p->h[i]->wake);
		}
		free(p->h[i]);
	}
	if (mine) {
		pthread_cond_destroy(&p->finished);
		pthread_mutex_destroy(&p->lock);
	}
	free(p);
}
