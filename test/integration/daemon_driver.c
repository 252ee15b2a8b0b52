/* daemon_driver.c - test driver for the daemon: serves a root in the foreground, or acts as a client (search, update with progress-contract checks, status, cancel, shutdown) printing canonical dumps to compare. */
/*
 * Usage:
 *   daemon_driver serve ROOT [--create] [--observe FILE]
 *       Serves ROOT until SIGTERM/SIGINT or a shutdown request. Prints "ready SOCKET"
 *       on stdout once listening; logs to stderr. --observe writes every progress event
 *       the daemon emits to FILE in the canonical event format.
 *   daemon_driver search ROOT [--local] [-F] [-i] [-w] [-A N] [-B N] [-m N] [-M N]
 *                        [-g GLOB]... [-t LANG]... [--stop-after N] PATTERN
 *       Canonical dump of every line and the summary, through the daemon or (--local)
 *       in-process: the two must be identical.
 *   daemon_driver update ROOT [--full] [--threads N] [--interval MS] [--cancel-after N]
 *                        [--sleep-ms MS] [--events FILE] [--no-progress]
 *       An update through the daemon, checking every progress-contract clause on the
 *       client side; --events writes each event received in the canonical format.
 *       Exit 0 if the contract held and the update succeeded (or was cancelled when
 *       --cancel-after was given or "expect-cancel" is printed by the caller's test).
 *   daemon_driver status|cancel|shutdown|connect ROOT
 * Exit codes: 0 success, 1 contract or comparison failure, 2 usage, 3 library error
 * (its code name and detail on stderr), 4 update cancelled.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codeidx.h"
#include "codeidx_daemon.h"

static int fail_lib(const char *what, int rc)
{
	fprintf(stderr, "daemon_driver: %s: %s (%d): %s\n", what, codeidx_daemon_strerror(rc), rc,
		codeidx_daemon_error_detail());
	return rc == CODEIDX_ECANCELLED ? 4 : 3;
}

/* Writes bytes with printable ASCII as is and everything else (and '\\') as \xHH. */
static void put_escaped(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

/* The canonical event format: every field, doubles in hexadecimal (exact). */
static void dump_event(FILE *f, const codeidx_progress *ev)
{
	fprintf(f,
		"phase=%s current=%" PRIu64 " total=%" PRIu64 " bytes=%" PRIu64 "/%" PRIu64
		" fps=%a bps=%a active=%u threads=%u elapsed=%a eta=%a files=%zu msg=",
		codeidx_phase_name(ev->phase), ev->current, ev->total, ev->bytes_done,
		ev->bytes_total, ev->files_per_second, ev->bytes_per_second, ev->active_threads,
		ev->threads, ev->elapsed_seconds, ev->eta_seconds, ev->n_files);
	put_escaped(f, ev->message, strlen(ev->message));
	fputc('\n', f);
	for (size_t i = 0; i < ev->n_files; i++) {
		const codeidx_concurrent_file *cf = &ev->files[i];
		fprintf(f, "  slot=%u size=%" PRIu64 " status=%s seconds=%a path=", cf->slot,
			cf->size, codeidx_file_status_name(cf->status), cf->seconds);
		put_escaped(f, cf->path, strlen(cf->path));
		fputc('\n', f);
	}
	fflush(f);
}

/* ------------------------------------------------------------------ serve ---- */

static codeidx_daemon_server *g_srv;

static void on_signal(int sig)
{
	(void)sig;
	codeidx_daemon_server_stop(g_srv);
}

static void log_line(const char *line, void *user)
{
	(void)user;
	fprintf(stderr, "daemon: %s\n", line);
}

static int observe(const codeidx_progress *ev, void *user)
{
	dump_event(user, ev);
	return 0;
}

static int cmd_serve(const char *root, int argc, char **argv)
{
	codeidx_daemon_server_options o = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
	o.log = log_line;
	FILE *obs = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--create")) {
			o.open_flags |= CODEIDX_OPEN_CREATE;
		} else if (!strcmp(argv[i], "--observe") && i + 1 < argc) {
			obs = fopen(argv[++i], "w");
			if (!obs)
				return 2;
			o.progress_observer = observe;
			o.progress_observer_user = obs;
		} else {
			return 2;
		}
	}
	int rc = codeidx_daemon_server_new(&g_srv, root, &o);
	if (rc)
		return fail_lib("serve", rc);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready %s\n", codeidx_daemon_server_socket(g_srv));
	fflush(stdout);
	rc = codeidx_daemon_server_run(g_srv);
	codeidx_daemon_server_free(g_srv);
	if (obs)
		fclose(obs);
	if (rc)
		return fail_lib("run", rc);
	fprintf(stderr, "daemon: stopped cleanly\n");
	return 0;
}

/* ----------------------------------------------------------------- search ---- */

typedef struct search_out {
	unsigned long n, stop_after;
} search_out;

static int print_match(const codeidx_match *m, void *user)
{
	search_out *o = user;
	put_escaped(stdout, m->path, strlen(m->path));
	printf(":%" PRIu64 ":%" PRIu64 ":%c%c:", m->line, m->column, m->is_context ? 'c' : 'm',
	       m->file_start ? 'S' : '-');
	for (size_t i = 0; i < m->n_spans; i++)
		printf("%s%zu-%zu", i ? "," : "", m->spans[i].start, m->spans[i].end);
	putchar(':');
	put_escaped(stdout, m->text, m->text_len);
	putchar('\n');
	return o->stop_after && ++o->n >= o->stop_after;
}

static int cmd_search(const char *root, int argc, char **argv)
{
	codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
	const char *globs[16], *langs[16];
	int local = 0;
	search_out out = {0};
	const char *pattern = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--local"))
			local = 1;
		else if (!strcmp(a, "-F"))
			so.flags |= CODEIDX_SEARCH_LITERAL;
		else if (!strcmp(a, "-i"))
			so.flags |= CODEIDX_SEARCH_IGNORE_CASE;
		else if (!strcmp(a, "-w"))
			so.flags |= CODEIDX_SEARCH_WORD;
		else if (!strcmp(a, "-A") && v && ++i)
			so.after = (unsigned)atoi(v);
		else if (!strcmp(a, "-B") && v && ++i)
			so.before = (unsigned)atoi(v);
		else if (!strcmp(a, "-m") && v && ++i)
			so.max_per_file = strtoull(v, NULL, 10);
		else if (!strcmp(a, "-M") && v && ++i)
			so.max_total = strtoull(v, NULL, 10);
		else if (!strcmp(a, "-g") && v && so.n_globs < 16 && ++i)
			globs[so.n_globs++] = v;
		else if (!strcmp(a, "-t") && v && so.n_languages < 16 && ++i)
			langs[so.n_languages++] = v;
		else if (!strcmp(a, "--stop-after") && v && ++i)
			out.stop_after = strtoul(v, NULL, 10);
		else if (!pattern)
			pattern = a;
		else
			return 2;
	}
	if (!pattern)
		return 2;
	so.globs = globs;
	so.languages = langs;
	codeidx_search_result res = CODEIDX_SEARCH_RESULT_INIT;
	int rc;
	if (local) {
		codeidx *idx;
		if ((rc = codeidx_open(&idx, root, NULL)))
			return fail_lib("open", rc);
		rc = codeidx_search(idx, pattern, strlen(pattern), &so, print_match, &out, &res);
		codeidx_close(idx);
	} else {
		codeidx_daemon_client *c;
		if ((rc = codeidx_daemon_connect(&c, root, NULL)))
			return fail_lib("connect", rc);
		rc = codeidx_daemon_search(c, pattern, strlen(pattern), &so, print_match, &out,
					   &res);
		codeidx_daemon_disconnect(c);
	}
	if (rc)
		return fail_lib("search", rc);
	/* A stopped search counts what was found before the stop took effect, which
	 * through a socket is later than in-process: only the flag is comparable. */
	if (res.stopped)
		printf("summary stopped=1\n");
	else
		printf("summary generation=%" PRIu64 " files=%" PRIu64 " candidates=%" PRIu64
		       " files_matched=%" PRIu64 " lines=%" PRIu64 " stopped=0\n",
		       res.generation, res.files_indexed, res.candidates, res.files_matched,
		       res.lines_matched);
	return 0;
}

/* ----------------------------------------------------------------- update ---- */

/* Client-side checker of the progress contract (DESIGN.md). */
typedef struct checker {
	pthread_t caller;
	atomic_int inside;
	unsigned long events, cancel_after, sleep_ms;
	FILE *dump;
	int have_last;
	codeidx_phase phase;
	uint64_t current;
	int last_phase, last_files;
	uint64_t last_current, last_total;
	char last_message[64];
	unsigned long violations;
	double max_lag;
	codeidx_daemon_client *client;
} checker;

static void violation(checker *k, const char *what)
{
	k->violations++;
	fprintf(stderr, "daemon_driver: contract violated at event %lu: %s\n", k->events, what);
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	checker *k = user;
	if (atomic_exchange(&k->inside, 1))
		violation(k, "callbacks overlap");
	if (!pthread_equal(pthread_self(), k->caller))
		violation(k, "callback on another thread");
	k->events++;
	if (!ev->files)
		violation(k, "files is NULL");
	if (!ev->message)
		violation(k, "message is NULL");
	if (ev->active_threads != ev->n_files)
		violation(k, "active_threads != n_files");
	if (ev->total && ev->current > ev->total)
		violation(k, "current > total");
	if (k->have_last && ev->phase < k->phase)
		violation(k, "phase went backwards");
	if (k->have_last && ev->phase == k->phase && ev->total && ev->current < k->current)
		violation(k, "current decreased within a phase");
	for (size_t i = 0; i < ev->n_files; i++)
		if (!ev->files[i].path)
			violation(k, "a concurrent file has no path");
	k->have_last = 1;
	k->phase = ev->phase;
	if (ev->total)
		k->current = ev->current;
	k->last_phase = (int)ev->phase;
	k->last_files = (int)ev->n_files;
	k->last_current = ev->current;
	k->last_total = ev->total;
	snprintf(k->last_message, sizeof k->last_message, "%s", ev->message ? ev->message : "");
	if (k->dump && ev->files && ev->message)
		dump_event(k->dump, ev);
	double t = codeidx_daemon_client_event_time(k->client);
	if (t <= 0)
		violation(k, "no daemon timestamp during the callback");
	if (k->sleep_ms)
		usleep((useconds_t)k->sleep_ms * 1000);
	atomic_store(&k->inside, 0);
	return k->cancel_after && k->events >= k->cancel_after;
}

static int cmd_update(const char *root, int argc, char **argv)
{
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	checker k = {.caller = pthread_self()};
	int progress = 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--full"))
			uo.flags |= CODEIDX_UPDATE_FULL;
		else if (!strcmp(a, "--no-progress"))
			progress = 0;
		else if (!strcmp(a, "--threads") && v && ++i)
			uo.threads = (unsigned)atoi(v);
		else if (!strcmp(a, "--interval") && v && ++i)
			uo.progress_interval_ms = (unsigned)atoi(v);
		else if (!strcmp(a, "--cancel-after") && v && ++i)
			k.cancel_after = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--sleep-ms") && v && ++i)
			k.sleep_ms = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--events") && v && ++i) {
			if (!(k.dump = fopen(v, "w")))
				return 2;
		} else
			return 2;
	}
	if (progress) {
		uo.progress = on_progress;
		uo.progress_user = &k;
	}
	codeidx_daemon_client *c;
	int rc = codeidx_daemon_connect(&c, root, NULL);
	if (rc)
		return fail_lib("connect", rc);
	k.client = c;
	codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_daemon_update(c, &uo, &res);
	codeidx_daemon_disconnect(c);
	if (k.dump)
		fclose(k.dump);
	printf("events=%lu\n", k.events);
	if (progress && k.events == 0)
		violation(&k, "no events at all");
	if (!rc && progress &&
	    (k.last_phase != CODEIDX_PHASE_DONE || k.last_files != 0 ||
	     k.last_current != k.last_total))
		violation(&k, "the last event is not DONE with current == total and no files");
	if (rc == CODEIDX_ECANCELLED && progress && strcmp(k.last_message, "cancelled"))
		violation(&k, "a cancelled run did not end with the cancelled event");
	if (k.violations)
		return 1;
	if (rc)
		return fail_lib("update", rc);
	printf("generation=%" PRIu64 " new=%" PRIu64 " changed=%" PRIu64 " deleted=%" PRIu64
	       " unchanged=%" PRIu64 "\n",
	       res.generation, res.files_new, res.files_changed, res.files_deleted,
	       res.files_unchanged);
	return 0;
}

/* ---------------------------------------------------------- small requests ---- */

static int cmd_small(const char *cmd, const char *root)
{
	codeidx_daemon_client *c;
	int rc = codeidx_daemon_connect(&c, root, NULL);
	if (rc)
		return fail_lib("connect", rc);
	if (!strcmp(cmd, "status")) {
		codeidx_daemon_status st = CODEIDX_DAEMON_STATUS_INIT;
		rc = codeidx_daemon_status_get(c, &st);
		if (!rc)
			printf("root=%s pid=%ld clients=%u update_running=%d generation=%" PRIu64
			       " files=%" PRIu64 " requests=%" PRIu64 " uptime_ok=%d\n",
			       st.root, st.pid, st.clients, st.update_running, st.stats.generation,
			       st.stats.files, st.requests, st.uptime_seconds >= 0);
	} else if (!strcmp(cmd, "cancel")) {
		int was = 0;
		rc = codeidx_daemon_cancel(c, &was);
		if (!rc)
			printf("was_running=%d\n", was);
	} else if (!strcmp(cmd, "shutdown")) {
		rc = codeidx_daemon_shutdown(c);
		if (!rc)
			printf("shutdown acknowledged\n");
	} else {
		printf("connected to %s\n", codeidx_daemon_client_root(c));
	}
	codeidx_daemon_disconnect(c);
	return rc ? fail_lib(cmd, rc) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: daemon_driver serve|search|update|status|cancel|shutdown|"
				"connect ROOT [options]\n");
		return 2;
	}
	const char *cmd = argv[1], *root = argv[2];
	if (!strcmp(cmd, "serve"))
		return cmd_serve(root, argc - 3, argv + 3);
	if (!strcmp(cmd, "search"))
		return cmd_search(root, argc - 3, argv + 3);
	if (!strcmp(cmd, "update"))
		return cmd_update(root, argc - 3, argv + 3);
	if (!strcmp(cmd, "status") || !strcmp(cmd, "cancel") || !strcmp(cmd, "shutdown") ||
	    !strcmp(cmd, "connect"))
		return cmd_small(cmd, root);
	return 2;
}
