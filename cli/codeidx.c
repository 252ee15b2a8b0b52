/* codeidx.c - the command line: parses arguments, calls the public API, prints.
 * Commands: index, status. Nothing here knows the library's internals. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codeidx.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int fail(int code, const char *what)
{
	const char *detail = codeidx_error_detail();
	fprintf(stderr, "codeidx: %s: %s%s%s\n", what, codeidx_strerror(code),
		*detail ? ": " : "", detail);
	return 2;
}

enum progress_mode { PROGRESS_NONE, PROGRESS_PLAIN, PROGRESS_JSON };

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	enum progress_mode mode = *(enum progress_mode *)user;
	if (mode == PROGRESS_PLAIN) {
		if (ev->total == 0)
			fprintf(stderr, "[%s] %s\n", codeidx_phase_name(ev->phase), ev->message);
		else
			fprintf(stderr, "[%s] %" PRIu64 "/%" PRIu64 " files, %.0f files/s, %u busy%s%s\n",
				codeidx_phase_name(ev->phase), ev->current, ev->total,
				ev->files_per_second, ev->active_threads, *ev->message ? ", " : "",
				ev->message);
	} else if (mode == PROGRESS_JSON) {
		fprintf(stderr, "{\"phase\":\"%s\",\"current\":%" PRIu64 ",\"total\":%" PRIu64
				",\"message\":",
			codeidx_phase_name(ev->phase), ev->current, ev->total);
		json_string(stderr, ev->message);
		fprintf(stderr, ",\"concurrent_files\":[");
		for (size_t i = 0; i < ev->n_files; i++) {
			fprintf(stderr, "%s{\"slot\":%u,\"path\":", i ? "," : "", ev->files[i].slot);
			json_string(stderr, ev->files[i].path);
			fprintf(stderr, ",\"status\":\"%s\"}",
				codeidx_file_status_name(ev->files[i].status));
		}
		fprintf(stderr, "]}\n");
	}
	return interrupted;
}

static int cmd_index(const char *root, int argc, char **argv)
{
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	enum progress_mode mode = PROGRESS_PLAIN;
	static const struct option longs[] = {{"threads", required_argument, 0, 'j'},
					      {"full", no_argument, 0, 'f'},
					      {"progress", required_argument, 0, 'p'},
					      {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "j:f", longs, NULL)) != -1) {
		if (c == 'j')
			o.threads = (unsigned)atoi(optarg);
		else if (c == 'f')
			o.flags |= CODEIDX_UPDATE_FULL;
		else if (c == 'p')
			mode = !strcmp(optarg, "json") ? PROGRESS_JSON
			       : !strcmp(optarg, "none") ? PROGRESS_NONE
							 : PROGRESS_PLAIN;
		else
			return 2;
	}
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc)
		return fail(rc, "open");
	o.progress = on_progress;
	o.progress_user = &mode;
	signal(SIGINT, on_sigint);
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(idx, &o, &r);
	codeidx_close(idx);
	if (rc == CODEIDX_ECANCELLED) {
		fprintf(stderr, "codeidx: cancelled; the previous index is intact\n");
		return 130;
	}
	if (rc)
		return fail(rc, "index");
	printf("generation %" PRIu64 ": %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	       " touched, %" PRIu64 " unchanged, %" PRIu64 " deleted, %.2f s\n",
	       r.generation, r.files_new, r.files_changed, r.files_touched, r.files_unchanged,
	       r.files_deleted, r.seconds);
	return 0;
}

static int cmd_status(const char *root)
{
	codeidx *idx;
	int rc = codeidx_open(&idx, root, NULL);
	if (rc)
		return fail(rc, "open");
	codeidx_stats s = CODEIDX_STATS_INIT;
	rc = codeidx_stats_get(idx, &s);
	if (rc) {
		codeidx_close(idx);
		return fail(rc, "status");
	}
	printf("root        %s\ngeneration  %" PRIu64 "\nfiles       %" PRIu64
	       "\nbytes       %" PRIu64 "\nsegments    %" PRIu64 "\ndeleted     %" PRIu64
	       "\nindex size  %" PRIu64 "\ntrigrams    %" PRIu64 "\n",
	       codeidx_root(idx), s.generation, s.files, s.bytes, s.segments, s.deleted_docs,
	       s.index_bytes, s.trigrams);
	for (int i = 0; i < CODEIDX_SKIP__COUNT; i++)
		printf("skipped %-10s %" PRIu64 "\n", codeidx_skip_reason_name(i), s.skipped[i]);
	codeidx_close(idx);
	return 0;
}

int main(int argc, char **argv)
{
	const char *root = ".";
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-C")) {
		root = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: codeidx [-C DIR] index|status [options]\n");
		return 2;
	}
	const char *cmd = argv[i];
	if (!strcmp(cmd, "index"))
		return cmd_index(root, argc - i, argv + i);
	if (!strcmp(cmd, "status"))
		return cmd_status(root);
	fprintf(stderr, "codeidx: unknown command '%s'\n", cmd);
	return 2;
}
