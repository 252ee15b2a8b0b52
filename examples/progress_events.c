/* progress_events.c - example: print every progress event of an update, with the concurrent files. */
/*
 * Usage: progress_events [-j THREADS] [--full] [--cancel-after N] ROOT
 *
 * Runs one update of ROOT's index with a progress callback that prints each event:
 *
 *   event 12 phase=index 7/20 files, 2 busy of 2 threads, 350.0 files/s, eta 0.0 s
 *     slot 0 src/a.c 1234 bytes reading 0.001 s
 *     slot 1 src/b.c 88 bytes indexing 0.000 s
 *   info: <message>                        (events with total == 0)
 *
 * With --cancel-after N the callback returns non-zero at event N: the update stops,
 * returns CODEIDX_ECANCELLED and the previous index generation stays live.
 * The progress interval is set to 0, so there is one event per finished file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"

/* State the callback keeps between events: passed as the `user` pointer. */
typedef struct display {
	unsigned long events;       /* events seen so far */
	unsigned long cancel_after; /* 0 = never cancel */
} display;

/* Progress callback. Runs on the thread that called codeidx_update, one event at a
 * time. The event, its `files` array and every string in it belong to the library and
 * are valid only until this function returns. */
static int on_progress(const codeidx_progress *ev, void *user)
{
	display *d = user;
	d->events++;
	if (ev->total == 0) {
		/* Setup and commit messages carry no counts, only text. */
		printf("event %lu phase=%s info: %s\n", d->events, codeidx_phase_name(ev->phase),
		       ev->message);
	} else {
		printf("event %lu phase=%s %" PRIu64 "/%" PRIu64 " files, %u busy of %u threads,"
		       " %.1f files/s, eta %.1f s\n",
		       d->events, codeidx_phase_name(ev->phase), ev->current, ev->total,
		       ev->active_threads, ev->threads, ev->files_per_second, ev->eta_seconds);
	}
	/* `files` is never NULL; each entry is a value copy of one busy worker slot. */
	for (size_t i = 0; i < ev->n_files; i++) {
		const codeidx_concurrent_file *f = &ev->files[i];
		printf("  slot %u %s %" PRIu64 " bytes %s %.3f s\n", f->slot, f->path, f->size,
		       codeidx_file_status_name(f->status), f->seconds);
	}
	fflush(stdout);
	return d->cancel_after && d->events >= d->cancel_after; /* non-zero cancels */
}

int main(int argc, char **argv)
{
	codeidx_update_options uo = CODEIDX_UPDATE_OPTIONS_INIT;
	display d = {0};
	const char *root = NULL;
	int bad = 0;
	for (int i = 1; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "-j") && i + 1 < argc)
			uo.threads = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--full"))
			uo.flags |= CODEIDX_UPDATE_FULL;
		else if (!strcmp(argv[i], "--cancel-after") && i + 1 < argc)
			d.cancel_after = strtoul(argv[++i], NULL, 10);
		else if (!root && argv[i][0] != '-')
			root = argv[i];
		else
			bad = 1;
	}
	if (!root || bad) {
		fprintf(stderr, "usage: progress_events [-j THREADS] [--full] [--cancel-after N] ROOT\n");
		return 2;
	}

	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc) {
		fprintf(stderr, "progress_events: open: %s (%s)\n", codeidx_strerror(rc),
			codeidx_error_detail());
		return 2;
	}

	uo.progress = on_progress;
	uo.progress_user = &d;
	uo.progress_interval_ms = 0; /* one event per finished file, plus phase changes */
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(idx, &uo, &r);
	codeidx_close(idx);

	if (rc == CODEIDX_ECANCELLED) {
		printf("cancelled after %lu events; the previous generation is still live\n",
		       d.events);
		return 3;
	}
	if (rc) {
		fprintf(stderr, "progress_events: update: %s (%s)\n", codeidx_strerror(rc),
			codeidx_error_detail());
		return 2;
	}
	printf("done: %lu events, generation %" PRIu64 ", %" PRIu64 " new, %" PRIu64
	       " changed, %" PRIu64 " deleted, %.3f s\n",
	       d.events, r.generation, r.files_new, r.files_changed, r.files_deleted, r.seconds);
	return 0;
}
