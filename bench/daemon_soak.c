/* daemon_soak.c - daemon soak: many concurrent clients search through one daemon for a fixed time while updates run and some clients vanish mid-stream; every answer is compared with the in-process one; prints requests/s, latencies and the daemon's RSS over time. */
/*
 * Usage: daemon_soak ROOT SECONDS CLIENTS
 * ROOT must be an empty directory; XDG_RUNTIME_DIR should be private (the script sets
 * it). The program
 *   1. writes a tree: "stable/" (files whose lines hold QTOKEN<n> words; every query
 *      matches only there) and "churn/" (lowercase text without the letter q, rewritten
 *      by the updates: no query ever matches it, so the right answer of every query is
 *      the same in every generation), indexes it and computes each query's answer
 *      in-process;
 *   2. forks a daemon serving ROOT (max_clients 4 * CLIENTS) and, for SECONDS:
 *      - CLIENTS threads search through it (codeidx_daemon_search), each answer
 *        compared byte for byte (every line, column and span, and the line count)
 *        with the in-process one; every 50th request a client reconnects;
 *      - one thread rewrites, adds and deletes churn files and runs an update through
 *        the daemon (progress events on) about every 0.25 s; one update in four is
 *        abandoned by its client after the first event (a raw socket closed
 *        mid-stream);
 *      - 4 threads open raw sockets, start a search with thousands of lines and close
 *        the socket after reading a few KB (or nothing);
 *      - the main thread samples the daemon's VmRSS every 250 ms;
 *   3. checks the daemon's answers once more against a fresh in-process handle, shuts
 *      the daemon down, and prints the figures.
 * Exit 0 when every request was answered exactly, no call failed, the daemon exited
 * cleanly and its RSS stayed flat after warm-up (the first fifth of the run, at least
 * 1 s): a least-squares line through the samples after warm-up rises by less than 10%
 * of their mean (+ 4 MiB) over the run. Exit 1 otherwise. SOAK_CHECK_RSS=0 reports the RSS
 * without judging it (runs of a few seconds have no steady state to judge).
 * SOAK_CONNECT_MS sets the clients' connect and handshake timeout (default 5000; the
 * sanitizer runs of make check, ten times slower, give it 30000).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
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

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const char *root;
static double deadline;
static codeidx_daemon_connect_options connect_opts = CODEIDX_DAEMON_CONNECT_OPTIONS_INIT;

/* ------------------------------------------------------------------ the tree ---- */

#define STABLE_FILES 300
#define CHURN_FILES 200

static void write_file(const char *rel, const char *text, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void make_stable(void)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/stable", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/churn", root);
	mkdir(dir, 0755);
	uint64_t seed = 42;
	static char text[1 << 16];
	for (int i = 0; i < STABLE_FILES; i++) {
		size_t n = 0;
		int lines = 20 + (int)(splitmix(&seed) % 40);
		for (int l = 0; l < lines; l++)
			n += (size_t)snprintf(text + n, sizeof text - n,
					      "line %d of %d: QTOKEN%" PRIu64 " Alpha Beta QTOKEN%" PRIu64
					      " gamma\n",
					      l, i, splitmix(&seed) % 100, splitmix(&seed) % 1000);
		char rel[64];
		snprintf(rel, sizeof rel, "stable/s%03d.c", i);
		write_file(rel, text, n);
	}
}

/* Rewrites churn file i with lowercase words without a 'q' (or deletes it). */
static void churn_file(int i, uint64_t *seed, int remove)
{
	char rel[64];
	snprintf(rel, sizeof rel, "churn/c%03d.txt", i);
	if (remove) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", root, rel);
		unlink(path);
		return;
	}
	static const char letters[] = "abcdefghijklmnoprstuvwxyz";
	char text[4096];
	size_t n = 0;
	while (n < sizeof text - 16) {
		size_t w = 2 + splitmix(seed) % 8;
		for (size_t k = 0; k < w; k++)
			text[n++] = letters[splitmix(seed) % (sizeof letters - 1)];
		text[n++] = splitmix(seed) % 8 ? ' ' : '\n';
	}
	text[n++] = '\n';
	write_file(rel, text, n);
}

/* ------------------------------------------------------------------ queries ---- */

typedef struct query {
	const char *pattern;
	unsigned flags;
	char *answer; /* the in-process answer, canonical form */
	size_t answer_len;
} query;

static query queries[] = {
	{"QTOKEN7\\b", 0, NULL, 0},
	{"QTOKEN1[0-9]{2}", 0, NULL, 0},
	{"Alpha Beta QTOKEN99\\b", 0, NULL, 0},
	{"qtoken42 alpha", CODEIDX_SEARCH_IGNORE_CASE, NULL, 0},
	{"QTOKEN500", CODEIDX_SEARCH_WORD, NULL, 0},
	{"line 3 of 1\\d: QTOKEN", 0, NULL, 0},
	{"QTOKEN3 Alpha\nQTOKEN4 Alpha", CODEIDX_SEARCH_LITERAL, NULL, 0},
	{"^line 0 of 2\\d\\d: QTOKEN\\d+ Alpha", 0, NULL, 0},
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

typedef struct sink {
	char *buf;
	size_t len, cap;
} sink;

static void sink_add(sink *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			abort();
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* Canonical form of a line: path, line, column, spans, text. */
static int on_match(const codeidx_match *m, void *user)
{
	sink *s = user;
	char head[256];
	int n = snprintf(head, sizeof head, "%s:%" PRIu64 ":%" PRIu64 ":%zu:", m->path, m->line,
			 m->column, m->n_spans);
	sink_add(s, head, (size_t)n);
	for (size_t i = 0; i < m->n_spans; i++) {
		n = snprintf(head, sizeof head, "%zu-%zu,", m->spans[i].start, m->spans[i].end);
		sink_add(s, head, (size_t)n);
	}
	sink_add(s, m->text, m->text_len);
	sink_add(s, "\n", 1);
	return 0;
}

static void finish(sink *s, const codeidx_search_result *r)
{
	char tail[64];
	int n = snprintf(tail, sizeof tail, "lines %" PRIu64 "\n", r->lines_matched);
	sink_add(s, tail, (size_t)n);
}

static int local_answers(void)
{
	codeidx *idx;
	int rc = codeidx_open(&idx, root, NULL);
	for (size_t i = 0; !rc && i < N_QUERIES; i++) {
		query *q = &queries[i];
		sink s = {0};
		codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
		so.flags = q->flags;
		codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
		rc = codeidx_search(idx, q->pattern, strlen(q->pattern), &so, on_match, &s, &r);
		finish(&s, &r);
		if (!q->answer) {
			q->answer = s.buf;
			q->answer_len = s.len;
		} else {
			if (s.len != q->answer_len || memcmp(s.buf, q->answer, s.len))
				rc = CODEIDX_ERROR; /* the in-process answer changed */
			free(s.buf);
		}
	}
	if (!rc)
		codeidx_close(idx);
	return rc;
}

/* ------------------------------------------------------------------ clients ---- */

typedef struct stats {
	uint64_t requests, mismatches, errors, reconnects;
	double *lat;
	size_t n_lat, cap_lat;
	char first_error[256];
} stats;

static void record_error(stats *st, const char *what, int rc)
{
	if (!st->errors++)
		snprintf(st->first_error, sizeof st->first_error, "%s: %s: %s", what,
			 codeidx_daemon_strerror(rc), codeidx_daemon_error_detail());
}

typedef struct client_arg {
	int id;
	stats st;
} client_arg;

static void *client_thread(void *p)
{
	client_arg *a = p;
	stats *st = &a->st;
	uint64_t seed = 1000 + (uint64_t)a->id;
	codeidx_daemon_client *c = NULL;
	sink s = {0};
	while (now() < deadline) {
		if (!c || st->requests % 50 == 49) {
			codeidx_daemon_disconnect(c);
			c = NULL;
			int rc = codeidx_daemon_connect(&c, root, &connect_opts);
			if (rc) {
				record_error(st, "connect", rc);
				usleep(10000);
				continue;
			}
			st->reconnects++;
		}
		query *q = &queries[splitmix(&seed) % N_QUERIES];
		codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
		so.flags = q->flags;
		codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
		s.len = 0;
		double t = now();
		int rc = codeidx_daemon_search(c, q->pattern, strlen(q->pattern), &so, on_match, &s,
					       &r);
		t = now() - t;
		st->requests++;
		if (rc) {
			record_error(st, "search", rc);
			codeidx_daemon_disconnect(c);
			c = NULL;
			continue;
		}
		finish(&s, &r);
		if (s.len != q->answer_len || memcmp(s.buf, q->answer, s.len)) {
			if (!st->mismatches++)
				snprintf(st->first_error, sizeof st->first_error,
					 "answer of '%s' differs (%zu bytes, expected %zu)", q->pattern,
					 s.len, q->answer_len);
		}
		if (st->n_lat == st->cap_lat) {
			st->cap_lat = st->cap_lat ? st->cap_lat * 2 : 1024;
			st->lat = realloc(st->lat, st->cap_lat * sizeof *st->lat);
			if (!st->lat)
				abort();
		}
		st->lat[st->n_lat++] = t;
	}
	codeidx_daemon_disconnect(c);
	free(s.buf);
	return NULL;
}

/* A raw connection that sends `request` after the handshake, reads up to `keep` bytes
 * of the answer, and closes. Returns 0, or -1 if the daemon could not be reached. */
static int vanish(const char *sock, const char *request, size_t keep)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(sock) >= sizeof sa.sun_path) {
		close(fd);
		return -1;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char msg[512];
	int n = snprintf(msg, sizeof msg, "{\"hello\":\"codeidx\",\"version\":1}\n%s\n", request);
	int rc = send(fd, msg, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
	char buf[4096];
	size_t got = 0;
	while (!rc && got < keep) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return rc;
}

static char sock_path[108];
static atomic_ulong vanished_searches, vanished_updates;

static void *vanish_thread(void *p)
{
	stats *st = p;
	uint64_t seed = 77 + (uint64_t)(uintptr_t)p;
	while (now() < deadline) {
		size_t keep = splitmix(&seed) % 5 ? 4096 : 0;
		if (vanish(sock_path, "{\"op\":\"search\",\"pattern\":\"QTOKEN\"}", keep))
			record_error(st, "raw connect", CODEIDX_DAEMON_ENOTRUNNING);
		else
			atomic_fetch_add(&vanished_searches, 1);
		usleep(20000);
	}
	return NULL;
}

typedef struct updater {
	stats st;
	uint64_t updates, busy, events;
} updater;

static int count_event(const codeidx_progress *ev, void *user)
{
	(void)ev;
	((updater *)user)->events++;
	return 0;
}

static void *update_thread(void *p)
{
	updater *u = p;
	uint64_t seed = 5;
	codeidx_daemon_client *c = NULL;
	while (now() < deadline) {
		for (int k = 0; k < 10; k++) {
			int i = (int)(splitmix(&seed) % CHURN_FILES);
			churn_file(i, &seed, splitmix(&seed) % 10 == 0);
		}
		if (u->updates % 4 == 3) {
			/* Abandoned mid-stream: the daemon finishes the update without a client. */
			if (vanish(sock_path, "{\"op\":\"update\",\"interval_ms\":0}", 1)) {
				record_error(&u->st, "raw update", CODEIDX_DAEMON_ENOTRUNNING);
			} else {
				atomic_fetch_add(&vanished_updates, 1);
				u->updates++;
			}
			usleep(250000);
			continue;
		}
		if (!c) {
			int rc = codeidx_daemon_connect(&c, root, &connect_opts);
			if (rc) {
				record_error(&u->st, "update connect", rc);
				usleep(100000);
				continue;
			}
		}
		codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
		uo.progress = count_event;
		uo.progress_user = u;
		codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
		int rc = codeidx_daemon_update(c, &uo, &r);
		if (rc == CODEIDX_DAEMON_EBUSY) {
			u->busy++; /* the abandoned update still runs: not an error */
		} else if (rc) {
			record_error(&u->st, "update", rc);
			codeidx_daemon_disconnect(c);
			c = NULL;
		} else {
			u->updates++;
		}
		usleep(250000);
	}
	codeidx_daemon_disconnect(c);
	return NULL;
}

/* ---------------------------------------------------------------------- RSS ---- */

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

/* The daemon's anonymous and file-backed RSS (KiB), and how many segment mappings
 * (distinct files, deleted ones included) it holds. */
static void rss_detail(pid_t pid, long *anon, long *file, long *segs, long *deleted)
{
	char path[64], line[512];
	*anon = *file = *segs = *deleted = 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "RssAnon:", 8))
			*anon = strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "RssFile:", 8))
			*file = strtol(line + 8, NULL, 10);
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		if (strstr(line, ".cdx")) {
			(*segs)++;
			if (strstr(line, "(deleted)"))
				(*deleted)++;
		}
	}
	if (f)
		fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ------------------------------------------------------------------------ main ---- */

static pid_t start_daemon(unsigned max_clients)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		codeidx_daemon_server_options o = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
		o.max_clients = max_clients;
		int rc = codeidx_daemon_serve(root, &o);
		if (rc)
			fprintf(stderr, "daemon_soak: daemon: %s: %s\n", codeidx_daemon_strerror(rc),
				codeidx_daemon_error_detail());
		_exit(rc ? 1 : 0);
	}
	for (int i = 0; i < 200; i++) {
		codeidx_daemon_client *c;
		if (codeidx_daemon_connect(&c, root, NULL) == 0) {
			codeidx_daemon_disconnect(c);
			return pid;
		}
		usleep(50000);
	}
	fprintf(stderr, "daemon_soak: the daemon did not start\n");
	kill(pid, SIGKILL);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: daemon_soak ROOT SECONDS CLIENTS\n");
		return 2;
	}
	root = argv[1];
	double seconds = atof(argv[2]);
	int n_clients = atoi(argv[3]);
	if (seconds <= 0 || n_clients <= 0)
		return 2;
	if (getenv("SOAK_CONNECT_MS"))
		connect_opts.timeout_ms = (unsigned)atoi(getenv("SOAK_CONNECT_MS"));
	signal(SIGPIPE, SIG_IGN);
	make_stable();
	uint64_t seed = 9;
	for (int i = 0; i < CHURN_FILES; i++)
		churn_file(i, &seed, 0);
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (!rc)
		rc = codeidx_update(idx, NULL, NULL);
	codeidx_close(idx);
	if (rc || local_answers()) {
		fprintf(stderr, "daemon_soak: initial index: %s\n", codeidx_error_detail());
		return 2;
	}
	size_t answer_bytes = 0;
	for (size_t i = 0; i < N_QUERIES; i++)
		answer_bytes += queries[i].answer_len;
	char *sp;
	if (codeidx_daemon_socket_path(root, &sp))
		return 2;
	snprintf(sock_path, sizeof sock_path, "%s", sp);
	codeidx_daemon_free(sp);

	pid_t daemon = start_daemon(4u * (unsigned)n_clients + 16);
	double t0 = now();
	deadline = t0 + seconds;
	client_arg *clients = calloc((size_t)n_clients, sizeof *clients);
	pthread_t *tids = calloc((size_t)n_clients, sizeof *tids);
	pthread_t vt[4], ut;
	static stats vstats[4];
	static updater up;
	for (int i = 0; i < n_clients; i++) {
		clients[i].id = i;
		pthread_create(&tids[i], NULL, client_thread, &clients[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_create(&vt[i], NULL, vanish_thread, &vstats[i]);
	pthread_create(&ut, NULL, update_thread, &up);

	/* RSS samples every 250 ms. */
	size_t n_rss = 0, cap_rss = (size_t)(seconds * 4) + 16;
	double *rss_t = calloc(cap_rss, sizeof *rss_t);
	long *rss = calloc(cap_rss, sizeof *rss);
	while (now() < deadline && n_rss < cap_rss) {
		usleep(250000);
		rss_t[n_rss] = now() - t0;
		rss[n_rss++] = rss_kib(daemon);
	}
	long anon, file, segs, deleted;
	rss_detail(daemon, &anon, &file, &segs, &deleted);
	for (int i = 0; i < n_clients; i++)
		pthread_join(tids[i], NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(vt[i], NULL);
	pthread_join(ut, NULL);
	double elapsed = now() - t0;

	/* The daemon's answers once more, against a fresh in-process handle. */
	int final_ok = local_answers() == 0;
	codeidx_daemon_client *c;
	codeidx_daemon_status ds = CODEIDX_DAEMON_STATUS_INIT;
	int src = codeidx_daemon_connect(&c, root, NULL);
	if (!src)
		src = codeidx_daemon_status_get(c, &ds);
	if (!src)
		src = codeidx_daemon_shutdown(c);
	codeidx_daemon_disconnect(c);
	int status = 0;
	waitpid(daemon, &status, 0);
	int daemon_ok = !src && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	stats total = {0};
	size_t n_lat = 0;
	for (int i = 0; i < n_clients; i++)
		n_lat += clients[i].st.n_lat;
	double *lat = malloc((n_lat + 1) * sizeof *lat);
	n_lat = 0;
	const char *first = NULL;
	for (int i = 0; i < n_clients + 5; i++) {
		stats *st = i < n_clients ? &clients[i].st : i < n_clients + 4 ? &vstats[i - n_clients]
										  : &up.st;
		total.requests += st->requests;
		total.mismatches += st->mismatches;
		total.errors += st->errors;
		total.reconnects += st->reconnects;
		if ((st->errors || st->mismatches) && !first)
			first = st->first_error;
		if (st->n_lat) /* st->lat is NULL for a client that timed nothing */
			memcpy(lat + n_lat, st->lat, st->n_lat * sizeof *lat);
		n_lat += st->n_lat;
	}
	qsort(lat, n_lat, sizeof *lat, cmp_double);
	/* RSS after warm-up: a least-squares line through the samples; flat when it rises
	 * less than 10% of the mean (+ 4 MiB) over the measured span. */
	double warm = seconds / 5 > 1 ? seconds / 5 : 1;
	long at_warm = -1, max_all = 0;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n_after = 0, t_first = 0, t_last = 0;
	for (size_t i = 0; i < n_rss; i++) {
		if (rss[i] > max_all)
			max_all = rss[i];
		if (rss_t[i] < warm)
			continue;
		if (at_warm < 0) {
			at_warm = rss[i];
			t_first = rss_t[i];
		}
		t_last = rss_t[i];
		double x = rss_t[i], y = rss[i] / 1024.0;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n_after++;
	}
	double slope = 0, mean = n_after ? sy / n_after : 0; /* MiB/s, MiB */
	if (n_after >= 2 && n_after * sxx - sx * sx > 0)
		slope = (n_after * sxy - sx * sy) / (n_after * sxx - sx * sx);
	double rise = slope * (t_last - t_first);
	const char *check_rss = getenv("SOAK_CHECK_RSS");
	int judge_rss = !check_rss || strcmp(check_rss, "0");
	int rss_flat = rise <= mean / 10 + 4;

	printf("daemon soak: %d clients for %.1f s, %zu queries (%zu bytes of expected answers)\n",
	       n_clients, elapsed, N_QUERIES, answer_bytes);
	printf("  searches answered:   %" PRIu64 " (%.0f/s), %" PRIu64 " exact, %" PRIu64
	       " different, %" PRIu64 " errors; %" PRIu64 " connections\n",
	       total.requests, total.requests / elapsed, total.requests - total.mismatches,
	       total.mismatches, total.errors, total.reconnects);
	if (n_lat)
		printf("  search latency:      median %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       lat[n_lat / 2] * 1e3, lat[(size_t)(n_lat * 0.99)] * 1e3, lat[n_lat - 1] * 1e3);
	printf("  updates:             %" PRIu64 " through the daemon (%" PRIu64
	       " progress events), %lu of them abandoned mid-stream, %" PRIu64
	       " busy retries; generation %" PRIu64 " at the end, %" PRIu64 " files\n",
	       up.updates, up.events, atomic_load(&vanished_updates), up.busy,
	       ds.stats.generation, ds.stats.files);
	printf("  vanished searchers:  %lu connections closed mid-stream\n",
	       atomic_load(&vanished_searches));
	printf("  daemon RSS (MiB):    %.1f after warm-up (%.0f s), mean %.1f, trend %+.1f MiB/min "
	       "(%+.1f over %.0f s), max %.1f -> %s\n",
	       at_warm / 1024.0, warm, mean, slope * 60, rise, t_last - t_first, max_all / 1024.0,
	       !judge_rss ? "not judged" : rss_flat ? "flat" : "GROWING");
	printf("  daemon RSS timeline: ");
	for (size_t i = 0, step = n_rss / 12 ? n_rss / 12 : 1; i < n_rss; i += step)
		printf("%.0fs:%.0f ", rss_t[i], rss[i] / 1024.0);
	printf("MiB\n");
	printf("  daemon at the end of the load: %.1f MiB anonymous, %.1f MiB file-backed; "
	       "%ld segment mappings, %ld of them of deleted files\n",
	       anon / 1024.0, file / 1024.0, segs, deleted);
	printf("  final check:         in-process answers %s; daemon %s\n",
	       final_ok ? "unchanged" : "CHANGED", daemon_ok ? "exited cleanly" : "FAILED");
	if (first)
		printf("  first problem:       %s\n", first);
	int ok = total.mismatches == 0 && total.errors == 0 && final_ok && daemon_ok &&
		 (rss_flat || !judge_rss) &&
		 total.requests > 0 && up.updates > 0;
	printf("daemon soak: %s\n", ok ? "passed" : "FAILED");
	for (int i = 0; i < n_clients; i++)
		free(clients[i].st.lat);
	for (size_t i = 0; i < N_QUERIES; i++)
		free(queries[i].answer);
	free(clients);
	free(tids);
	free(lat);
	free(rss_t);
	free(rss);
	return ok ? 0 : 1;
}
