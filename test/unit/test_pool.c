/* test_pool.c - unit tests of lib/search/pool: jobs run on parked helpers and
 * cx_pool_wait returns only once each has returned; helpers are reused, not started
 * again; a caller never waits for a helper another caller holds (it gets fewer, down
 * to none at CX_POOL_MAX); a forked child gets no helper from its parent's pool and can
 * free it, while a pool it makes itself works; helpers run with the application's
 * signals blocked but not those a fault raises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "search/pool.h"

typedef struct job {
	atomic_int started, finished;
	atomic_int release; /* helpers hold until this is set */
	pthread_t seen[CX_POOL_MAX];
	atomic_int n_seen;
} job;

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

/* Waits until *v reaches n; fails after 10 s instead of hanging. */
static void wait_for(atomic_int *v, int n)
{
	for (int ms = 0; atomic_load(v) < n; ms++) {
		if (ms > 10000)
			fail_msg("waited 10 s for %d helpers, %d came", n, atomic_load(v));
		sleep_ms(1);
	}
}

static void work(void *arg)
{
	job *j = arg;
	int k = atomic_fetch_add(&j->started, 1);
	if (k < (int)CX_POOL_MAX)
		j->seen[k] = pthread_self();
	atomic_fetch_add(&j->n_seen, 1);
	while (!atomic_load(&j->release))
		sleep_ms(1);
	sleep_ms(5); /* still running when the caller starts waiting */
	atomic_fetch_add(&j->finished, 1);
}

static void test_jobs_run_and_wait(void **state)
{
	(void)state;
	cx_pool *p = cx_pool_new();
	assert_non_null(p);
	pthread_t first[3];
	for (int round = 0; round < 3; round++) {
		job j = {0};
		atomic_store(&j.release, 1);
		cx_crew crew;
		assert_int_equal(cx_pool_start(p, 3, work, &j, &crew), 3);
		cx_pool_wait(&crew);
		assert_int_equal(atomic_load(&j.finished), 3); /* wait saw every return */
		assert_int_equal(crew.n, 0);
		/* The same three threads each round: parked, not started anew. */
		for (int k = 0; k < 3; k++) {
			if (round == 0) {
				first[k] = j.seen[k];
				continue;
			}
			int found = 0;
			for (int m = 0; m < 3; m++)
				found += pthread_equal(first[m], j.seen[k]) != 0;
			assert_int_equal(found, 1);
		}
	}
	cx_pool_free(p);
}

static void test_busy_helpers_are_not_shared(void **state)
{
	(void)state;
	cx_pool *p = cx_pool_new();
	job a = {0}, b = {0};
	cx_crew ca, cb;
	assert_int_equal(cx_pool_start(p, CX_POOL_MAX, work, &a, &ca), CX_POOL_MAX);
	wait_for(&a.n_seen, (int)CX_POOL_MAX);
	/* Every helper is held by a and the pool is full: b gets none, at once. */
	assert_int_equal(cx_pool_start(p, 2, work, &b, &cb), 0);
	cx_pool_wait(&cb); /* nothing to wait for */
	atomic_store(&a.release, 1);
	cx_pool_wait(&ca);
	assert_int_equal(atomic_load(&a.finished), CX_POOL_MAX);
	/* Idle again: b gets its two. */
	atomic_store(&b.release, 1);
	assert_int_equal(cx_pool_start(p, 2, work, &b, &cb), 2);
	cx_pool_wait(&cb);
	assert_int_equal(atomic_load(&b.finished), 2);
	cx_pool_free(p);
}

/* Two callers at once: helpers one holds are not given to the other. */
static void test_two_callers(void **state)
{
	(void)state;
	cx_pool *p = cx_pool_new();
	job a = {0}, b = {0};
	cx_crew ca, cb;
	assert_int_equal(cx_pool_start(p, 2, work, &a, &ca), 2);
	assert_int_equal(cx_pool_start(p, 2, work, &b, &cb), 2);
	wait_for(&a.n_seen, 2);
	wait_for(&b.n_seen, 2);
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++)
			assert_false(pthread_equal(a.seen[i], b.seen[k]));
	atomic_store(&b.release, 1);
	cx_pool_wait(&cb); /* returns while a's helpers still hold */
	assert_int_equal(atomic_load(&b.finished), 2);
	assert_int_equal(atomic_load(&a.finished), 0);
	atomic_store(&a.release, 1);
	cx_pool_wait(&ca);
	assert_int_equal(atomic_load(&a.finished), 2);
	cx_pool_free(p);
}

/* Waits (at most 30 s) for child `pid`, which must exit with status 0. */
static void expect_child_ok(pid_t pid)
{
	int status;
	alarm(30);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_fork(void **state)
{
	(void)state;
	cx_pool *p = cx_pool_new();
	job j = {0};
	atomic_store(&j.release, 1);
	cx_crew crew;
	assert_int_equal(cx_pool_start(p, 2, work, &j, &crew), 2);
	cx_pool_wait(&crew);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		job c = {0};
		cx_crew cc;
		int got = cx_pool_start(p, 2, work, &c, &cc); /* the parent's threads: none */
		cx_pool_wait(&cc);
		cx_pool_free(p); /* must not join the parent's threads */
		_exit(got == 0 ? 0 : 1);
	}
	expect_child_ok(pid);
	cx_pool_free(p);
}

/* A child forked while no helper runs (ThreadSanitizer cannot start threads in the
 * child of a multi-threaded process): a pool made before the fork gives it none, one
 * made in the child works. */
static void test_pool_made_after_fork(void **state)
{
	(void)state;
	cx_pool *p = cx_pool_new();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		job j = {0}, o = {0};
		atomic_store(&j.release, 1);
		atomic_store(&o.release, 1);
		cx_crew cc;
		int before = (int)cx_pool_start(p, 2, work, &j, &cc);
		cx_pool_free(p);
		cx_pool *own = cx_pool_new();
		int after = own ? (int)cx_pool_start(own, 2, work, &o, &cc) : -1;
		cx_pool_wait(&cc);
		cx_pool_free(own);
		_exit(before == 0 && after == 2 && atomic_load(&o.finished) == 2 ? 0 : 1);
	}
	expect_child_ok(pid);
	cx_pool_free(p);
}

static void record_mask(void *arg)
{
	pthread_sigmask(SIG_BLOCK, NULL, arg);
}

static void test_signal_mask(void **state)
{
	(void)state;
	sigset_t none, mask;
	sigemptyset(&none);
	sigemptyset(&mask);
	pthread_sigmask(SIG_SETMASK, &none, NULL); /* the caller takes every signal */
	cx_pool *p = cx_pool_new();
	cx_crew crew;
	assert_int_equal(cx_pool_start(p, 1, record_mask, &mask, &crew), 1);
	cx_pool_wait(&crew);
	cx_pool_free(p);
	static const int blocked[] = {SIGINT, SIGTERM, SIGUSR1, SIGCHLD, SIGALRM, SIGPIPE};
	for (size_t i = 0; i < sizeof blocked / sizeof *blocked; i++)
		assert_true(sigismember(&mask, blocked[i]));
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
	for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
		assert_false(sigismember(&mask, faults[i]));
	/* The caller's own mask is as it was. */
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	assert_false(sigismember(&mask, SIGUSR1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_run_and_wait),
		cmocka_unit_test(test_two_callers),
		cmocka_unit_test(test_busy_helpers_are_not_shared),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_pool_made_after_fork),
		cmocka_unit_test(test_signal_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
