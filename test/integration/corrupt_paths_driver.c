/* corrupt_paths_driver.c - driver of corrupt_paths.sh: an update during which a directory is swapped for a symbolic link to outside the root, or a file for a fifo, at a chosen moment. */
/*
 * Usage:
 *   corrupt_paths_driver swap ROOT NAME TARGET WHEN
 *       Runs codeidx_update on ROOT (one thread, an event per file). At the first event
 *       of WHEN ("found": the walk's summary, before any file is stat'ed; "index": the
 *       start of the index phase, after the hash phase stat'ed every file), renames
 *       ROOT/NAME to ROOT/NAME.moved and puts there a symbolic link to TARGET, or, when
 *       TARGET is "fifo", a fifo. Prints "swapped", then the update's counts. The run
 *       is under a 60 s alarm: a hang fails it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codeidx.h"

typedef struct swap {
	const char *root, *name, *target, *when;
	int done;
} swap;

static void do_swap(swap *s)
{
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof from, "%s/%s", s->root, s->name);
	snprintf(to, sizeof to, "%s/%s.moved", s->root, s->name);
	if (rename(from, to)) {
		perror("corrupt_paths_driver: rename");
		exit(1);
	}
	int rc = strcmp(s->target, "fifo") ? symlink(s->target, from) : mkfifo(from, 0644);
	if (rc) {
		perror("corrupt_paths_driver: swap");
		exit(1);
	}
	s->done = 1;
	printf("swapped\n");
	fflush(stdout);
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	swap *s = user;
	if (s->done)
		return 0;
	if ((!strcmp(s->when, "found") && !strncmp(ev->message, "found ", 6)) ||
	    (!strcmp(s->when, "index") && ev->phase == CODEIDX_PHASE_INDEX))
		do_swap(s);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "corrupt_paths_driver: the update hangs\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(4);
}

int main(int argc, char **argv)
{
	if (argc != 6 || strcmp(argv[1], "swap")) {
		fprintf(stderr, "usage: corrupt_paths_driver swap ROOT NAME TARGET found|index\n");
		return 2;
	}
	swap s = {.root = argv[2], .name = argv[3], .target = argv[4], .when = argv[5]};
	signal(SIGALRM, on_alarm);
	alarm(60);
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, s.root, &oo);
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 1;
	o.progress = on_progress;
	o.progress_user = &s;
	o.progress_interval_ms = 0;
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	if (!rc)
		rc = codeidx_update(idx, &o, &r);
	codeidx_close(idx);
	if (rc) {
		fprintf(stderr, "corrupt_paths_driver: %s: %s\n", codeidx_strerror(rc),
			codeidx_error_detail());
		return 3;
	}
	if (!s.done) {
		fprintf(stderr, "corrupt_paths_driver: no event '%s' to swap at\n", s.when);
		return 1;
	}
	printf("new %" PRIu64 " changed %" PRIu64 " symlink %" PRIu64 " special %" PRIu64
	       " failed %" PRIu64 "\n",
	       r.files_new, r.files_changed, r.skipped[CODEIDX_SKIP_SYMLINK],
	       r.skipped[CODEIDX_SKIP_SPECIAL], r.skipped[CODEIDX_SKIP_FAILED]);
	return 0;
}
