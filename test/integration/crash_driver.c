/* crash_driver.c - driver of crash_consistency.sh: an update that reports its phases and system calls and can be SIGKILLed at a chosen moment or call; canonical search answers. */
/*
 * Usage:
 *   crash_driver update ROOT [--threads N] [--full]
 *       Runs codeidx_update (opening with CODEIDX_OPEN_CREATE). Writes a marker line
 *       to stdout, unbuffered, at each phase change and info message:
 *         "<ms> phase <name> <message>"
 *       and before each fsync, renameat and unlinkat the library makes:
 *         "<ms> sys <call> <name>"
 *       With CRASH_KILL_AT=N in the environment, the N-th of those calls (counted from
 *       1) is not made: the process SIGKILLs itself just before it. With
 *       CRASH_KILL_AFTER=N, just after it. Exit 0 on success, 3 on a library error.
 *   crash_driver kill ROOT WHEN DELAY_US [--threads N] [--full]
 *       Forks a child running "update"; when the child's marker stream first shows a
 *       marker containing WHEN, waits DELAY_US microseconds and SIGKILLs it. Prints
 *       "killed <phase label> | <last marker>" (the label names the stage the child was
 *       in: setup, hash, index, segment-write, publish, merge, merge-publish, cleanup,
 *       done), or "completed <exit code>" if the child ended first.
 *   crash_driver answers ROOT QUERIES
 *       Opens the index (without CREATE) and runs every query of the file QUERIES
 *       (one per line: FLAGS TAB PATTERN, FLAGS a mix of F i w, or "-"), printing
 *       "query N" then each line as "path:line:text" (bytes outside printable ASCII as
 *       \xHH), then "generation G files F". Exit 3 on a library error (code and detail
 *       on stderr).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "codeidx.h"

static double t0;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One marker line, written with a single write(2) so that it reaches the pipe whole
 * before anything that follows it (including a SIGKILL). */
static void marker(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%.3f ", now_ms() - t0);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	ssize_t w = write(STDOUT_FILENO, line, (size_t)n);
	(void)w;
}

/* ------------------------------------------------ system call interposition ---- */

/* The library is linked statically into this program, so its calls to these
 * functions bind to the definitions below, which forward to the next definition
 * (libc, or a sanitizer's interceptor). */
static int kill_at = -1, kill_after = -1, calls;
static int tracing;

static void before_call(const char *call, const char *name)
{
	if (!tracing)
		return;
	calls++;
	marker("sys %s %s", call, name);
	if (calls == kill_at)
		raise(SIGKILL);
}

static void after_call(void)
{
	if (tracing && calls == kill_after)
		raise(SIGKILL);
}

static void *next_fn(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "crash_driver: no %s after this program\n", name);
		abort();
	}
	return f;
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))next_fn("fsync");
	char target[512] = "?";
	const char *name = target;
	if (tracing) {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(proc, target, sizeof target - 1);
		if (n > 0) {
			target[n] = 0;
			const char *slash = strrchr(target, '/');
			name = slash ? slash + 1 : target;
		}
	}
	before_call("fsync", name);
	int rc = real(fd);
	after_call();
	return rc;
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static int (*real)(int, const char *, int, const char *);
	if (!real)
		real = (int (*)(int, const char *, int, const char *))next_fn("renameat");
	before_call("renameat", newpath);
	int rc = real(olddirfd, oldpath, newdirfd, newpath);
	after_call();
	return rc;
}

int unlinkat(int dirfd, const char *path, int flags)
{
	static int (*real)(int, const char *, int);
	if (!real)
		real = (int (*)(int, const char *, int))next_fn("unlinkat");
	before_call("unlinkat", path);
	int rc = real(dirfd, path, flags);
	after_call();
	return rc;
}

/* ----------------------------------------------------------------- update ---- */

static int fail_lib(const char *what, int rc)
{
	fprintf(stderr, "crash_driver: %s: %s (%d): %s\n", what, codeidx_strerror(rc), rc,
		codeidx_error_detail());
	return 3;
}

static int on_progress(const codeidx_progress *ev, void *user)
{
	int *last = user;
	if ((int)ev->phase != *last || ev->total == 0) {
		marker("phase %s %s", codeidx_phase_name(ev->phase), ev->message);
		*last = (int)ev->phase;
	}
	return 0;
}

static int parse_update_opts(int argc, char **argv, codeidx_update_options *o)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o->threads = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--full"))
			o->flags |= CODEIDX_UPDATE_FULL;
		else
			return -1;
	}
	return 0;
}

static int env_int(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : -1;
}

static int cmd_update(const char *root, int argc, char **argv)
{
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	if (parse_update_opts(argc, argv, &o))
		return 2;
	int last = -1;
	o.progress = on_progress;
	o.progress_user = &last;
	o.progress_interval_ms = 0;
	kill_at = env_int("CRASH_KILL_AT");
	kill_after = env_int("CRASH_KILL_AFTER");
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc)
		return fail_lib("open", rc);
	codeidx_update_result r = CODEIDX_UPDATE_RESULT_INIT;
	tracing = 1;
	rc = codeidx_update(idx, &o, &r);
	tracing = 0;
	codeidx_close(idx);
	if (rc)
		return fail_lib("update", rc);
	marker("result generation %" PRIu64 " new %" PRIu64 " changed %" PRIu64 " touched %" PRIu64
	       " deleted %" PRIu64 " written %" PRIu64 " merged %" PRIu64 " calls %d",
	       r.generation, r.files_new, r.files_changed, r.files_touched, r.files_deleted,
	       r.segments_written, r.segments_merged, calls);
	return 0;
}

/* ------------------------------------------------------------------- kill ---- */

/* The stage a marker line starts. */
static const char *stage_of(const char *line, const char *stage)
{
	if (strstr(line, " phase setup "))
		return "setup";
	if (strstr(line, " phase hash "))
		return "hash";
	if (strstr(line, " phase index "))
		return "index";
	if (strstr(line, " phase commit writing segment"))
		return "segment-write";
	if (strstr(line, " phase commit merging"))
		return "merge";
	if (strstr(line, " phase done "))
		return "done";
	/* The fsync of a segment ends its writing: the manifest is written next. */
	if (strstr(line, " sys fsync seg-"))
		return !strcmp(stage, "merge") ? "merge-publish" : "publish";
	/* The directory fsync after the rename ends a publish: then merge or cleanup. */
	if (strstr(line, " sys unlinkat ") && strcmp(stage, "start") && strcmp(stage, "setup") &&
	    strcmp(stage, "hash"))
		return "cleanup";
	return stage;
}

static int cmd_kill(const char *root, const char *when, long delay_us, int argc, char **argv)
{
	int fds[2];
	if (pipe(fds))
		return 2;
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		_exit(cmd_update(root, argc, argv));
	}
	close(fds[1]);
	FILE *in = fdopen(fds[0], "r");
	char line[1024], last[1024] = "(none)";
	const char *stage = "start";
	int killed = 0;
	while (fgets(line, sizeof line, in)) {
		line[strcspn(line, "\n")] = 0;
		stage = stage_of(line, stage);
		snprintf(last, sizeof last, "%s", line);
		if (!killed && strstr(line, when)) {
			struct timespec d = {delay_us / 1000000, (delay_us % 1000000) * 1000};
			nanosleep(&d, NULL);
			kill(pid, SIGKILL);
			killed = 1;
			/* What the child wrote before it died tells where it was. */
		}
	}
	fclose(in);
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		printf("killed %s | %s\n", stage, last);
		return 0;
	}
	printf("completed %d | %s\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1, last);
	return 0;
}

/* ---------------------------------------------------------------- answers ---- */

static void put_escaped(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

static int print_line(const codeidx_match *m, void *user)
{
	(void)user;
	put_escaped(m->path, strlen(m->path));
	printf(":%" PRIu64 ":", m->line);
	put_escaped(m->text, m->text_len);
	putchar('\n');
	return 0;
}

static int cmd_answers(const char *root, const char *queries)
{
	FILE *q = fopen(queries, "r");
	if (!q)
		return 2;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, NULL);
	if (rc) {
		fclose(q);
		return fail_lib("open", rc);
	}
	char line[4096];
	int n = 0;
	while (!rc && fgets(line, sizeof line, q)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
		so.flags = (strchr(line, 'F') ? CODEIDX_SEARCH_LITERAL : 0) |
			   (strchr(line, 'i') ? CODEIDX_SEARCH_IGNORE_CASE : 0) |
			   (strchr(line, 'w') ? CODEIDX_SEARCH_WORD : 0);
		printf("query %d\n", ++n);
		rc = codeidx_search(idx, tab + 1, strlen(tab + 1), &so, print_line, NULL, NULL);
	}
	fclose(q);
	codeidx_stats st = CODEIDX_STATS_INIT;
	if (!rc)
		rc = codeidx_stats_get(idx, &st);
	codeidx_close(idx);
	if (rc)
		return fail_lib("search", rc);
	printf("generation %" PRIu64 " files %" PRIu64 "\n", st.generation, st.files);
	return 0;
}

int main(int argc, char **argv)
{
	t0 = now_ms();
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc >= 3 && !strcmp(argv[1], "update"))
		return cmd_update(argv[2], argc - 3, argv + 3);
	if (argc >= 5 && !strcmp(argv[1], "kill"))
		return cmd_kill(argv[2], argv[3], atol(argv[4]), argc - 5, argv + 5);
	if (argc == 4 && !strcmp(argv[1], "answers"))
		return cmd_answers(argv[2], argv[3]);
	fprintf(stderr, "usage: crash_driver update|kill|answers ROOT ...\n");
	return 2;
}
