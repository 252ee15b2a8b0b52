/* index_timer.c - benchmark helper: runs one codeidx_update on a root and prints its
 * wall time in seconds; --sleep-ms N makes the progress callback sleep N ms per event
 * (to show that a slow display does not slow indexing); --full rebuilds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codeidx.h"

static int slow_callback(const codeidx_progress *ev, void *user)
{
	unsigned ms = *(unsigned *)user;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	(void)ev;
	nanosleep(&ts, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned sleep_ms = 0;
	const char *root = NULL;
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sleep-ms") && i + 1 < argc)
			sleep_ms = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--full"))
			o.flags |= CODEIDX_UPDATE_FULL;
		else
			root = argv[i];
	}
	if (!root) {
		fprintf(stderr, "usage: index_timer [--full] [--sleep-ms N] ROOT\n");
		return 2;
	}
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc) {
		fprintf(stderr, "open: %s: %s\n", codeidx_strerror(rc), codeidx_error_detail());
		return 2;
	}
	if (sleep_ms) {
		o.progress = slow_callback;
		o.progress_user = &sleep_ms;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(idx, &o, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	codeidx_close(idx);
	if (rc) {
		fprintf(stderr, "update: %s: %s\n", codeidx_strerror(rc), codeidx_error_detail());
		return 2;
	}
	printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9);
	return 0;
}
