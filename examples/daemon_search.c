/* daemon_search.c - example: search a tree through the daemon that serves it.
 *
 * Usage: daemon_search ROOT PATTERN
 *   Connects to the daemon serving ROOT (start one with `daemon_progress serve ROOT`
 *   or `codeidx daemon start`), searches for the PCRE2 pattern and prints grep-style
 *   path:line:text lines. Exit status: 0 matches, 1 none, 2 error (3: no daemon runs).
 *
 * The index stays open in the daemon, so each search costs a socket round trip plus
 * the search itself; the callback contract is the same as codeidx_search()'s.
 * Link with libcodeidx_daemon and libcodeidx (pkg-config codeidx_daemon). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codeidx.h"
#include "codeidx_daemon.h"

/* Prints one line; context lines would use '-' (none are asked for here). */
static int print_match(const codeidx_match *m, void *user)
{
	(void)user;
	printf("%s:%" PRIu64 ":", m->path, m->line);
	fwrite(m->text, 1, m->text_len, stdout); /* the text may hold NUL bytes */
	putchar('\n');
	return 0; /* non-zero would stop the search in the daemon too */
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: daemon_search ROOT PATTERN\n");
		return 2;
	}
	codeidx_daemon_client *c;
	int rc = codeidx_daemon_connect(&c, argv[1], NULL);
	if (rc) {
		fprintf(stderr, "daemon_search: %s: %s\n", codeidx_daemon_strerror(rc),
			codeidx_daemon_error_detail());
		return rc == CODEIDX_DAEMON_ENOTRUNNING ? 3 : 2;
	}
	codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
	rc = codeidx_daemon_search(c, argv[2], strlen(argv[2]), NULL, print_match, NULL, &r);
	codeidx_daemon_disconnect(c);
	if (rc) {
		fprintf(stderr, "daemon_search: %s: %s\n", codeidx_daemon_strerror(rc),
			codeidx_daemon_error_detail());
		return 2;
	}
	fprintf(stderr, "%" PRIu64 " lines in %" PRIu64 " files (generation %" PRIu64 ")\n",
		r.lines_matched, r.files_matched, r.generation);
	return r.lines_matched ? 0 : 1;
}
