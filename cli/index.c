/* index.c - `codeidx index`: runs an update and shows its progress (live terminal region, plain lines, JSON or nothing). */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

static const char usage_index[] =
	"usage: codeidx index [--full] [-j N] [--progress=tty|plain|json|none]\n"
	"Creates or updates the root's index. --full rebuilds it; -j N worker threads;\n"
	"progress on stderr: a live region (tty, the default on a terminal), a few lines\n"
	"(plain, the default otherwise), the daemon's JSON events (json), or none.\n"
	"Ctrl-C cancels, keeps the previous index and exits with 130.\n";

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = sig;
}

/* The progress display: its mode and, on a terminal, the lines of the live region at
 * the bottom of the screen, which the next event redraws. */
enum { NONE, PLAIN, JSON, TTY };
static const char *const modes[] = {"none", "plain", "json", "tty"};
typedef struct display {
	int mode;
	char live[1 << 16], text[1 << 16];
} display;

/* Writes lines, each erasing the rest of its row; returns how many rows they fill on a
 * terminal `cols` wide (a narrower terminal may have rewrapped them since). */
static unsigned put_lines(const char *text, unsigned cols, int write)
{
	unsigned rows = 0;
	for (const char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		rows += nl > p ? (unsigned)(nl - p + cols - 1) / cols : 1;
		if (write)
			fprintf(stderr, "%.*s\033[K\n", (int)(nl - p), p);
	}
	return rows;
}

/* An info line scrolls up above the live region; an event that ends a phase (or the
 * run) stays on screen as drawn; any other event becomes the new live region. The
 * width is asked at every event, so the region follows a resized terminal. */
static void draw(display *d, const codeidx_progress *ev)
{
	struct winsize ws = {0};
	ioctl(STDERR_FILENO, TIOCGWINSZ, &ws);
	unsigned cols = ws.ws_col ? ws.ws_col : 80, rows = ws.ws_row > 1 ? ws.ws_row : 24;
	codeidx_progress_format(ev, cols > 21 ? cols - 1 : 20, d->text, sizeof d->text);
	for (char *p = d->text; (p = strchr(p, '\n')); p++) /* at most a screenful */
		if (--rows == 1)
			p[1] = '\0';
	unsigned up = put_lines(d->live, cols, 0);
	if (up)
		fprintf(stderr, "\033[%uF", up);
	put_lines(d->text, cols, 1);
	put_lines(ev->total ? "" : d->live, cols, 1);
	fputs("\033[J", stderr); /* only now: tmux keeps a screen cleared whole in its history */
	if (ev->total)
		snprintf(d->live, sizeof d->live, "%s", ev->current < ev->total ? d->text : "");
	fflush(stderr);
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	display *d = user;
	char *json;
	int plain = d->mode == PLAIN, last = ev->phase == CODEIDX_PHASE_DONE;
	if (d->mode == TTY)
		draw(d, ev);
	else if (d->mode == JSON && !codeidx_daemon_progress_to_json(ev, &json, NULL))
		fprintf(stderr, "%s\n", json), codeidx_daemon_free(json);
	else if (plain && (last || !strcmp(ev->message, "cancelled"))) /* the outcome */
		fprintf(stderr, "[%s] %s\n", codeidx_phase_name(ev->phase), ev->message);
	else if (plain && ev->current >= ev->total && /* an info line, the end of a phase */
		 codeidx_progress_format(ev, 200, d->text, sizeof d->text) > 0)
		fputs(d->text, stderr);
	return interrupted;
}

int cmd_index(const cli *c, int argc, char **argv)
{
	static display disp;
	const char *term = getenv("TERM");
	disp.mode = isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb")) ? TTY : PLAIN;
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	static const struct option longs[] = {
		{"threads", required_argument, 0, 'j'}, {"full", no_argument, 0, 'f'},
		{"progress", required_argument, 0, 'p'}, {"help", no_argument, 0, 'h'}, {0}};
	unsigned long long n;
	int opt, rc = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, "j:f", longs, NULL)) != -1) {
		if (opt == 'j' && !(rc = cli_number("-j", optarg, 1024, &n)))
			o.threads = (unsigned)n;
		else if (opt == 'f')
			o.flags |= CODEIDX_UPDATE_FULL;
		else if (opt == 'p') {
			for (disp.mode = TTY; disp.mode >= 0 && strcmp(optarg, modes[disp.mode]);)
				disp.mode--;
			if (disp.mode < 0)
				rc = cli_error("--progress wants tty, plain, json or none, not '%s'", optarg);
		} else if (opt != 'j')
			return cli_help("index", usage_index, opt != 'h');
	}
	codeidx_daemon_auto *a;
	if (rc == 0 && optind < argc)
		rc = cli_error("index: unexpected argument '%s'", argv[optind]);
	if (rc || (rc = cli_open(c, &a, CODEIDX_DAEMON_AUTO_CREATE)))
		return rc;
	if (disp.mode == TTY) /* one write per redraw */
		setvbuf(stderr, NULL, _IOFBF, 1 << 16);
	o.progress = on_progress;
	o.progress_user = &disp;
	struct sigaction sa = {.sa_handler = on_sigint, .sa_flags = SA_RESETHAND};
	sigaction(SIGINT, &sa, NULL); /* a second Ctrl-C ends the process at once */
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_daemon_auto_update(a, &o, &r);
	codeidx_daemon_auto_close(a);
	if (rc == CODEIDX_ECANCELLED)
		return cli_error("cancelled; the previous index is intact") + 128; /* 130, as for SIGINT */
	if (rc)
		return cli_fail(rc);
	printf("generation %" PRIu64 ": %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	       " touched, %" PRIu64 " unchanged, %" PRIu64 " deleted\n",
	       r.generation, r.files_new, r.files_changed, r.files_touched, r.files_unchanged,
	       r.files_deleted);
	return 0;
}
