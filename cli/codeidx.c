/* codeidx.c - the command line: parses arguments, calls the public API, prints.
 * Commands: index, search, status. Nothing here knows the library's internals. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

enum progress_mode { PROGRESS_NONE, PROGRESS_PLAIN, PROGRESS_JSON, PROGRESS_TTY };

/* The progress display: the mode and, on a terminal, how many lines the live region
 * at the bottom holds now. */
typedef struct display {
	enum progress_mode mode;
	int region;
	char text[1 << 16];
} display;

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

static unsigned term_width(void)
{
	struct winsize ws;
	return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
}

/* Redraws the live region in place; info lines are printed above it. */
static void draw(display *d, const codeidx_progress *ev)
{
	int n = codeidx_progress_format(ev, term_width() - 1, d->text, sizeof d->text);
	if (n < 0)
		return;
	if (d->region)
		fprintf(stderr, "\033[%dF", d->region); /* to the region's first line */
	fputs("\033[J", stderr);                      /* clear it */
	fputs(d->text, stderr);
	d->region = ev->total ? n : 0; /* an info line scrolls up and stays */
	fflush(stderr);
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	display *d = user;
	if (d->mode == PROGRESS_TTY) {
		draw(d, ev);
	} else if (d->mode == PROGRESS_PLAIN) {
		/* A few readable lines: info messages, phase ends, the outcome. */
		if (ev->phase == CODEIDX_PHASE_DONE || !strcmp(ev->message, "cancelled"))
			fprintf(stderr, "[%s] %s\n", codeidx_phase_name(ev->phase), ev->message);
		else if ((ev->total == 0 || !strcmp(ev->message, "done")) &&
			 codeidx_progress_format(ev, 200, d->text, sizeof d->text) > 0)
			fputs(d->text, stderr);
	} else if (d->mode == PROGRESS_JSON) {
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
	static display disp;
	disp.mode = isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_PLAIN;
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
			disp.mode = !strcmp(optarg, "json")    ? PROGRESS_JSON
				    : !strcmp(optarg, "none")  ? PROGRESS_NONE
				    : !strcmp(optarg, "plain") ? PROGRESS_PLAIN
							       : disp.mode;
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
	o.progress_user = &disp;
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


/* Output state of a search. */
typedef struct out_state {
	int color, count_only, files_only, context;
	const char *last_path;
	uint64_t last_line, file_count;
	char *path_copy;
} out_state;

static void print_count(out_state *st)
{
	if (st->count_only && st->path_copy)
		printf("%s:%" PRIu64 "\n", st->path_copy, st->file_count);
}

static int on_match(const codeidx_match *m, void *user)
{
	out_state *st = user;
	if (m->file_start) {
		print_count(st);
		free(st->path_copy);
		st->path_copy = strdup(m->path);
		st->file_count = 0;
		if (st->files_only)
			printf("%s\n", m->path);
		else if (st->context && st->last_line)
			printf("--\n");
		st->last_line = 0;
	}
	if (!m->is_context)
		st->file_count++;
	if (st->files_only || st->count_only)
		return 0;
	if (st->context && st->last_line && m->line > st->last_line + 1 && !m->file_start)
		printf("--\n");
	st->last_line = m->line;
	char sep = m->is_context ? '-' : ':';
	if (st->color)
		printf("\033[35m%s\033[0m%c\033[32m%" PRIu64 "\033[0m%c", m->path, sep, m->line, sep);
	else
		printf("%s%c%" PRIu64 "%c", m->path, sep, m->line, sep);
	size_t at = 0;
	for (size_t i = 0; st->color && i < m->n_spans; i++) {
		fwrite(m->text + at, 1, m->spans[i].start - at, stdout);
		printf("\033[1;31m");
		fwrite(m->text + m->spans[i].start, 1, m->spans[i].end - m->spans[i].start, stdout);
		printf("\033[0m");
		at = m->spans[i].end;
	}
	fwrite(m->text + at, 1, m->text_len - at, stdout);
	putchar('\n');
	return 0;
}

static int cmd_search(const char *root, int argc, char **argv)
{
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	out_state st = {0};
	const char *pattern = NULL, *color = "auto";
	const char *globs[64], *langs[16];
	static const struct option longs[] = {{"color", required_argument, 0, 'K'},
					      {"glob", required_argument, 0, 'g'},
					      {"type", required_argument, 0, 't'},
					      {"count", no_argument, 0, 'c'},
					      {"files-with-matches", no_argument, 0, 'l'},
					      {"max-count", required_argument, 0, 'm'},
					      {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "e:Fiwg:t:C:A:B:lcm:", longs, NULL)) != -1) {
		switch (c) {
		case 'e': pattern = optarg; break;
		case 'F': o.flags |= CODEIDX_SEARCH_LITERAL; break;
		case 'i': o.flags |= CODEIDX_SEARCH_IGNORE_CASE; break;
		case 'w': o.flags |= CODEIDX_SEARCH_WORD; break;
		case 'g': if (o.n_globs < 64) globs[o.n_globs++] = optarg; break;
		case 't': if (o.n_languages < 16) langs[o.n_languages++] = optarg; break;
		case 'C': o.before = o.after = (unsigned)atoi(optarg); break;
		case 'A': o.after = (unsigned)atoi(optarg); break;
		case 'B': o.before = (unsigned)atoi(optarg); break;
		case 'l': st.files_only = 1; o.max_per_file = 1; break;
		case 'c': st.count_only = 1; break;
		case 'm': o.max_per_file = strtoull(optarg, NULL, 10); break;
		case 'K': color = optarg; break;
		default: return 2;
		}
	}
	if (!pattern && optind < argc)
		pattern = argv[optind++];
	if (!pattern) {
		fprintf(stderr, "usage: codeidx search [options] PATTERN\n");
		return 2;
	}
	o.globs = globs;
	o.languages = langs;
	if (st.files_only || st.count_only)
		o.before = o.after = 0;
	st.context = o.before || o.after;
	st.color = !strcmp(color, "always") ||
		   (!strcmp(color, "auto") && isatty(1) && !getenv("NO_COLOR"));
	codeidx *idx;
	int rc = codeidx_open(&idx, root, NULL);
	if (rc == CODEIDX_ENOINDEX) {
		fprintf(stderr, "codeidx: no index at %s; create one with: codeidx -C %s index\n",
			root, root);
		return 2;
	}
	if (rc)
		return fail(rc, "open");
	codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
	rc = codeidx_search(idx, pattern, strlen(pattern), &o, on_match, &st, &r);
	print_count(&st);
	free(st.path_copy);
	codeidx_close(idx);
	if (rc)
		return fail(rc, "search");
	return r.lines_matched ? 0 : 1;
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
		fprintf(stderr, "usage: codeidx [-C DIR] index|search|status [options]\n");
		return 2;
	}
	const char *cmd = argv[i];
	if (!strcmp(cmd, "index"))
		return cmd_index(root, argc - i, argv + i);
	if (!strcmp(cmd, "search"))
		return cmd_search(root, argc - i, argv + i);
	if (!strcmp(cmd, "status"))
		return cmd_status(root);
	fprintf(stderr, "codeidx: unknown command '%s'\n", cmd);
	return 2;
}
