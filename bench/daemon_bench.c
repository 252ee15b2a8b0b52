/* daemon_bench.c - daemon transport benchmark: JSON time of a 1000-file progress event, event emission-to-callback latency during full indexes, and selective search latency through the socket versus in-process. Prints figures; asserts nothing. */
/*
 * Usage: daemon_bench TREE [REPS]
 * Serves TREE from a daemon process it spawns (over the real Unix socket, in a private
 * XDG_RUNTIME_DIR) and measures, as a client:
 *   1. codeidx_daemon_progress_to_json / _from_json of an event with 1000 concurrent
 *      files (median and p99 of 2000 runs);
 *   2. a full index through the daemon, per-file events (interval 0), five with the default
 *      throttle (100 ms), then per-file events with one worker thread: latency from the
 *      daemon receiving each event from the core (its timestamp travels with the event)
 *      to the client callback (median, p99, max, and the slowest event);
 *   3. selective searches: median of REPS runs each, through the daemon and in-process.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codeidx.h"
#include "codeidx_daemon.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v and returns its q-quantile (0.5 = median). */
static double quantile(double *v, size_t n, double q)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "daemon_bench: %s: %s: %s\n", what, codeidx_daemon_strerror(rc),
		codeidx_daemon_error_detail());
	exit(1);
}

/* ------------------------------------------------------------ 1. JSON time ---- */

static void bench_json(void)
{
	enum { N = 1000, RUNS = 2000 };
	codeidx_concurrent_file *files = calloc(N, sizeof *files);
	char (*paths)[96] = calloc(N, sizeof *paths);
	double *ser = calloc(RUNS, sizeof *ser), *par = calloc(RUNS, sizeof *par);
	if (!files || !paths || !ser || !par)
		exit(1);
	for (unsigned i = 0; i < N; i++) {
		snprintf(paths[i], sizeof paths[i], "drivers/net/ethernet/vendor%02u/chip%u/main_%u.c",
			 i % 50, i % 7, i);
		files[i] = (codeidx_concurrent_file){.slot = i, .path = paths[i],
						     .size = 1000 + i * 37ull,
						     .status = (codeidx_file_status)(i % 5),
						     .seconds = 0.001 * i + 1e-7};
	}
	codeidx_progress ev = {.phase = CODEIDX_PHASE_INDEX, .current = 40000, .total = 78000,
			       .bytes_done = 700000000, .bytes_total = 1500000000,
			       .files_per_second = 1234.5678, .bytes_per_second = 2.5e7,
			       .active_threads = N, .threads = N, .elapsed_seconds = 31.25,
			       .eta_seconds = 30.7, .message = "", .files = files, .n_files = N};
	size_t bytes = 0;
	for (int r = 0; r < RUNS; r++) {
		char *json;
		size_t len;
		double t0 = now();
		int rc = codeidx_daemon_progress_to_json(&ev, &json, &len);
		double t1 = now();
		if (rc)
			die("to_json", rc);
		codeidx_progress *back;
		rc = codeidx_daemon_progress_from_json(json, len, &back);
		double t2 = now();
		if (rc)
			die("from_json", rc);
		ser[r] = t1 - t0;
		par[r] = t2 - t1;
		bytes = len;
		codeidx_daemon_progress_free(back);
		codeidx_daemon_free(json);
	}
	printf("1. progress event with %d concurrent files: %zu bytes of JSON\n", N, bytes);
	printf("   serialize  median %.3f ms  p99 %.3f ms   (target < 1 ms)\n",
	       quantile(ser, RUNS, 0.5) * 1e3, quantile(ser, RUNS, 0.99) * 1e3);
	printf("   parse      median %.3f ms  p99 %.3f ms\n", quantile(par, RUNS, 0.5) * 1e3,
	       quantile(par, RUNS, 0.99) * 1e3);
	free(files);
	free(paths);
	free(ser);
	free(par);
}

/* ----------------------------------------------------- 2. event latency ---- */

typedef struct lat {
	codeidx_daemon_client *c;
	double *v;
	size_t n, cap;
	size_t max_files;
	double worst;          /* the slowest event, for the report */
	char worst_what[96];
	char slow[4][112];     /* the first events over 2 ms */
	size_t n_slow;
} lat;

static int on_event(const codeidx_progress *ev, void *user)
{
	double t = now();
	lat *l = user;
	double sent = codeidx_daemon_client_event_time(l->c);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			exit(1);
	}
	l->v[l->n++] = t - sent;
	if (t - sent > l->worst) {
		l->worst = t - sent;
		snprintf(l->worst_what, sizeof l->worst_what, "event %zu, %s %" PRIu64 "/%" PRIu64 " %s",
			 l->n, codeidx_phase_name(ev->phase), ev->current, ev->total, ev->message);
	}
	if (t - sent > 2e-3 && l->n_slow < 4)
		snprintf(l->slow[l->n_slow++], sizeof l->slow[0], "%.2f ms: event %zu, %s %" PRIu64 "/%" PRIu64 " %s",
			 (t - sent) * 1e3, l->n, codeidx_phase_name(ev->phase), ev->current, ev->total, ev->message);
	if (ev->n_files > l->max_files)
		l->max_files = ev->n_files;
	return 0;
}

/* `runs` full indexes through the daemon; latencies of all their events pooled. */
static void bench_update(const char *root, unsigned interval_ms, unsigned threads, int runs)
{
	lat l = {0};
	double secs = 0;
	uint64_t files = 0;
	for (int run = 0; run < runs; run++) {
		int rc = codeidx_daemon_connect(&l.c, root, NULL);
		if (rc)
			die("connect", rc);
		codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
		uo.flags = CODEIDX_UPDATE_FULL;
		uo.progress = on_event;
		uo.progress_user = &l;
		uo.progress_interval_ms = interval_ms;
		uo.threads = threads;
		codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
		double t0 = now();
		rc = codeidx_daemon_update(l.c, &uo, &res);
		secs += now() - t0;
		codeidx_daemon_disconnect(l.c);
		if (rc)
			die("update", rc);
		files = res.files_new + res.files_changed;
	}
	printf("   interval %3u ms, %s worker threads, %d run%s: %zu events, %.1f s a run (%" PRIu64
	       " files indexed, up to %zu concurrent)\n",
	       interval_ms, threads ? "1" : "all", runs, runs > 1 ? "s" : "", l.n, secs / runs,
	       files, l.max_files);
	size_t n = l.n;
	double p50 = quantile(l.v, n, 0.5), p99 = quantile(l.v, n, 0.99), max = l.v[n - 1];
	printf("      emission -> callback  median %.3f ms  p99 %.3f ms  max %.3f ms   "
	       "(target p99 < 2 ms)\n",
	       p50 * 1e3, p99 * 1e3, max * 1e3);
	printf("      slowest: %s\n", l.worst_what);
	for (size_t k = 0; k < l.n_slow; k++)
		printf("      over 2 ms: %s\n", l.slow[k]);
	free(l.v);
}

/* ------------------------------------------------------ 3. search latency ---- */

static int count_match(const codeidx_match *m, void *user)
{
	(void)m;
	(*(unsigned long *)user)++;
	return 0;
}

static void bench_search(const char *root, int reps)
{
	static const char *const queries[] = {
		"EXPORT_SYMBOL_GPL\\(kvm_vcpu_kick\\)",
		"struct file_operations [a-z_]+_fops = \\{",
		"MODULE_AUTHOR\\(\"Linus Torvalds",
		"CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS",
		"codeidx_daemon_search",
		"ieee80211_tx_status_ext",
	};
	codeidx_daemon_client *c;
	codeidx *idx;
	int rc = codeidx_daemon_connect(&c, root, NULL);
	if (rc)
		die("connect", rc);
	if ((rc = codeidx_open(&idx, root, NULL)))
		die("open", rc);
	double *d = calloc((size_t)reps, sizeof *d), *p = calloc((size_t)reps, sizeof *p);
	if (!d || !p)
		exit(1);
	printf("3. selective searches, median of %d runs (target through the daemon < 3 ms)\n",
	       reps);
	printf("   %-46s %7s %12s %12s\n", "pattern", "lines", "daemon ms", "in-process ms");
	for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
		unsigned long nd = 0, np = 0;
		const char *pat = queries[q];
		for (int r = 0; r < reps; r++) {
			nd = np = 0;
			double t0 = now();
			if ((rc = codeidx_daemon_search(c, pat, strlen(pat), NULL, count_match, &nd,
							NULL)))
				die("daemon search", rc);
			double t1 = now();
			if ((rc = codeidx_search(idx, pat, strlen(pat), NULL, count_match, &np, NULL)))
				die("search", rc);
			double t2 = now();
			d[r] = t1 - t0;
			p[r] = t2 - t1;
		}
		if (nd != np)
			printf("   MISMATCH: %lu lines through the daemon, %lu in-process\n", nd, np);
		printf("   %-46s %7lu %12.3f %12.3f\n", pat, nd, quantile(d, (size_t)reps, 0.5) * 1e3,
		       quantile(p, (size_t)reps, 0.5) * 1e3);
	}
	free(d);
	free(p);
	codeidx_close(idx);
	codeidx_daemon_disconnect(c);
}

/* ------------------------------------------------------------------- main ---- */

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: daemon_bench TREE [REPS]\n");
		return 2;
	}
	const char *root = argv[1];
	int reps = argc > 2 ? atoi(argv[2]) : 21;
	if (reps < 1)
		reps = 1;
	bench_json();

	/* The daemon runs as its own process, as `codeidx daemon start` runs it: sharing
	 * one with the client would also share its address-space lock and heap. */
	codeidx_daemon_server_options so = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
	so.open_flags = CODEIDX_OPEN_CREATE;
	long pid;
	int rc = codeidx_daemon_spawn(root, &so, &pid);
	if (rc)
		die("spawn", rc);
	printf("2. full index of %s through the daemon (pid %ld, %ld CPUs)\n", root, pid,
	       sysconf(_SC_NPROCESSORS_ONLN));
	bench_update(root, 0, 0, 1);
	/* The default throttle gives ~35 events a run: pool several runs for a p99. */
	bench_update(root, 100, 0, 5);
	/* With a CPU left free for the daemon and the client: shows how much of the
	 * latency is waiting for a CPU rather than the transport. */
	bench_update(root, 0, 1, 1);
	bench_search(root, reps);
	if ((rc = codeidx_daemon_stop(root, 0)))
		die("stop", rc);
	return 0;
}
