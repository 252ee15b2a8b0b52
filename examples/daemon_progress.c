/* daemon_progress.c - example: one progress display for both modes; an update runs through the root's daemon when one serves it, in-process otherwise. */
/*
 * Usage:
 *   daemon_progress serve ROOT    serve ROOT in the foreground until Ctrl-C (or SIGTERM)
 *   daemon_progress update ROOT   update ROOT's index: through its daemon if one runs,
 *                                 else in-process; the same callback prints the events
 *
 * The point: a progress event received from the daemon is turned back into an ordinary
 * codeidx_progress, so `show` below cannot tell which mode it serves.
 * Link with libcodeidx_daemon and libcodeidx (pkg-config codeidx_daemon).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "codeidx.h"
#include "codeidx_daemon.h"

/* The display: one line per event, one indented line per busy worker. */
static int show(const codeidx_progress *ev, void *user)
{
	(void)user;
	if (ev->total == 0)
		printf("[%s] %s\n", codeidx_phase_name(ev->phase), ev->message);
	else
		printf("[%s] %" PRIu64 "/%" PRIu64 " files, %u of %u threads busy, %.0f files/s\n",
		       codeidx_phase_name(ev->phase), ev->current, ev->total, ev->active_threads,
		       ev->threads, ev->files_per_second);
	for (size_t i = 0; i < ev->n_files; i++) /* files is never NULL */
		printf("    %s (%s)\n", ev->files[i].path,
		       codeidx_file_status_name(ev->files[i].status));
	return 0; /* non-zero would cancel, in either mode */
}

static codeidx_daemon_server *server;

static void on_signal(int sig)
{
	(void)sig;
	codeidx_daemon_server_stop(server); /* async-signal-safe */
}

static int serve(const char *root)
{
	codeidx_daemon_server_options o = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
	o.open_flags = CODEIDX_OPEN_CREATE;
	int rc = codeidx_daemon_server_new(&server, root, &o);
	if (rc) {
		/* e.g. "a daemon (pid 1234) already serves /src on ..." */
		fprintf(stderr, "daemon_progress: %s\n", codeidx_daemon_error_detail());
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("serving %s on %s\n", root, codeidx_daemon_server_socket(server));
	fflush(stdout);
	rc = codeidx_daemon_server_run(server);
	codeidx_daemon_server_free(server);
	return rc ? 1 : 0;
}

static int update(const char *root)
{
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.progress = show;
	codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
	codeidx_daemon_client *c;
	int rc = codeidx_daemon_connect(&c, root, NULL);
	if (rc == 0) {
		printf("through the daemon\n");
		rc = codeidx_daemon_update(c, &o, &res);
		if (rc)
			fprintf(stderr, "daemon_progress: %s\n", codeidx_daemon_error_detail());
		codeidx_daemon_disconnect(c);
	} else if (rc == CODEIDX_DAEMON_ENOTRUNNING) {
		printf("in-process\n");
		codeidx *idx;
		codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
		oo.flags = CODEIDX_OPEN_CREATE;
		if ((rc = codeidx_open(&idx, root, &oo)) == 0) {
			rc = codeidx_update(idx, &o, &res);
			codeidx_close(idx);
		}
		if (rc)
			fprintf(stderr, "daemon_progress: %s\n", codeidx_error_detail());
	} else {
		fprintf(stderr, "daemon_progress: %s\n", codeidx_daemon_error_detail());
	}
	if (rc)
		return 1;
	printf("generation %" PRIu64 "\n", res.generation);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "update"))
		return update(argv[2]);
	fprintf(stderr, "usage: daemon_progress serve|update ROOT\n");
	return 2;
}
