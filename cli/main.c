/* main.c - the codeidx command line: global options, the root, shared helpers, status and daemon commands. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_main[] =
	"usage: codeidx [-C DIR] [--no-daemon] index|search|status|daemon [OPTIONS]\n"
	"  index   create or update the index        search  print the lines that match\n"
	"  status  show what the index holds         daemon  start|stop|status|run a daemon\n"
	"-C DIR: the root (default: the nearest parent with .codeidx/, else .); --no-daemon:\n"
	"work in-process even when a daemon serves the root. See COMMAND --help, codeidx(1).\n";
static const char usage_status[] = "usage: codeidx status  (what the index holds)\n";
static const char usage_daemon[] =
	"usage: codeidx daemon start|stop|status|run\n"
	"A daemon keeps the root's index open; index, search and status then go through it.\n"
	"start: in the background (creates a missing index); run: in the foreground, logging\n"
	"to stderr, until Ctrl-C; status: exit 1 if none serves the root.\n";

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("codeidx: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

int cli_fail(int code)
{
	const char *detail = codeidx_daemon_error_detail();
	return cli_error("%s", *detail ? detail : codeidx_daemon_strerror(code));
}

int cli_no_index(const cli *c)
{
	return cli_error("no index at %s; create one with: codeidx -C %s index", c->root, c->root);
}

int cli_open(const cli *c, codeidx_daemon_auto **a, unsigned int flags)
{
	int rc = codeidx_daemon_auto_open(a, c->root, c->auto_flags | flags);
	return rc == CODEIDX_ENOINDEX ? cli_no_index(c) : rc ? cli_fail(rc) : 0;
}

int cli_number(const char *opt, const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end && !errno && *out <= max)
		return 0;
	return cli_error("%s wants a number up to %llu, not '%s'", opt, max, s);
}

int cli_help(const char *cmd, const char *text, int rejected)
{
	if (!rejected)
		return fputs(text, stdout) < 0;
	fprintf(stderr, "Try 'codeidx%s%s --help'.\n", *cmd ? " " : "", cmd);
	return 2;
}

/* Parses a command that takes no option but --help and at most `args` arguments;
 * returns -1 to go on, else the exit code. */
static int no_options(const char *cmd, const char *text, int argc, char **argv, int args)
{
	static const struct option longs[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int o = getopt_long(argc, argv, "h", longs, NULL);
	if (o != -1)
		return cli_help(cmd, text, o != 'h');
	return optind + args < argc ? cli_error("%s: unexpected argument '%s'", cmd, argv[optind + args]) : -1;
}

static void print_stats(const char *root, const codeidx_stats *s)
{
	char text[PATH_MAX + 1024]; /* the root, then lines of at most 40 bytes */
	codeidx_stats_format(s, root, text, sizeof text);
	fputs(text, stdout);
}

static int cmd_status(const cli *c, int argc, char **argv)
{
	int rc = no_options("status", usage_status, argc, argv, 0);
	codeidx_daemon_auto *a;
	if (rc >= 0 || (rc = cli_open(c, &a, 0)))
		return rc;
	codeidx_stats s = CODEIDX_STATS_INIT;
	if ((rc = codeidx_daemon_auto_stats(a, &s)) == 0)
		print_stats(codeidx_daemon_auto_root(a), &s);
	codeidx_daemon_auto_close(a);
	return rc ? cli_fail(rc) : 0;
}

static void log_line(const char *line, void *user)
{
	fprintf(stderr, "codeidx daemon: %s\n", line); /* one call: lines do not mix */
}

static int cmd_daemon(const cli *c, int argc, char **argv)
{
	int rc = no_options("daemon", usage_daemon, argc, argv, 1);
	const char *sub = optind < argc ? argv[optind] : "";
	codeidx_daemon_server_options o = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
	o.open_flags = CODEIDX_OPEN_CREATE;
	codeidx_daemon_client *cl = NULL;
	codeidx_daemon_status st = CODEIDX_DAEMON_STATUS_INIT;
	long pid;
	if (rc >= 0)
		return rc;
	else if (!strcmp(sub, "start") && (rc = codeidx_daemon_spawn(c->root, &o, &pid)) == 0)
		printf("daemon pid %ld serves %s\n", pid, c->root);
	else if (!strcmp(sub, "stop"))
		rc = codeidx_daemon_stop(c->root, 0);
	else if (!strcmp(sub, "status") && !(rc = codeidx_daemon_connect(&cl, c->root, NULL)) &&
		 !(rc = codeidx_daemon_status_get(cl, &st))) {
		printf("daemon pid %ld, up %.0f s, %u clients, %" PRIu64 " requests, update %s\n",
		       st.pid, st.uptime_seconds, st.clients, st.requests,
		       st.update_running ? "running" : "idle");
		print_stats(st.root, &st.stats);
	} else if (!strcmp(sub, "run"))
		o.log = log_line, rc = codeidx_daemon_serve_until_signal(c->root, &o);
	else if (strcmp(sub, "start") && strcmp(sub, "status"))
		return cli_error("daemon: unknown subcommand '%s' (try codeidx daemon --help)", sub);
	codeidx_daemon_disconnect(cl);
	if (rc == CODEIDX_DAEMON_ENOTRUNNING)
		return cli_error("no daemon serves %s", c->root) - 1; /* exit 1, as grep's "none" */
	return rc ? cli_fail(rc) : 0;
}

int main(int argc, char **argv)
{
	static char found[PATH_MAX];
	cli c = {.root = codeidx_root_find(".", found, sizeof found) ? "." : found};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-C") && i + 1 < argc)
			c.root = argv[++i];
		else if (!strcmp(argv[i], "--no-daemon"))
			c.auto_flags |= CODEIDX_DAEMON_AUTO_NO_DAEMON;
		else if (!strcmp(argv[i], "--version"))
			return printf("codeidx %s\n", codeidx_version()) < 0;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cli_help("", usage_main, 0);
		else
			return cli_error("unknown option '%s' (try codeidx --help)", argv[i]);
	}
	if (i >= argc)
		return cli_error("no command\n%s", usage_main);
	char *abs = realpath(c.root, NULL);
	if (!abs)
		return cli_error("cannot use %s as the root: %s", c.root, strerror(errno));
	c.root = abs;
	static int (*const run[])(const cli *, int, char **) = {cmd_index, cmd_search,
								 cmd_status, cmd_daemon};
	static const char *const names[] = {"index", "search", "status", "daemon"};
	const char *cmd = argv[i];
	argv[i] = "codeidx"; /* the name in getopt's messages */
	int rc = -1;
	for (size_t k = 0; k < sizeof names / sizeof *names && rc < 0; k++)
		if (!strcmp(cmd, names[k]))
			rc = run[k](&c, argc - i, argv + i);
	if (rc < 0)
		rc = cli_error("unknown command '%s' (try codeidx --help)", cmd);
	free(abs);
	return rc;
}
