/* detach.c - codeidx_daemon_spawn() and codeidx_daemon_stop(): a daemon in its own session, started and stopped from another process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/paths.h"

/* The server that SIGINT and SIGTERM stop, set while serve() runs. A process serves
 * one root at a time this way (a command line's daemon). */
static codeidx_daemon_server *signalled;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (signalled)
		codeidx_daemon_server_stop(signalled); /* async-signal-safe */
}

/* What the daemon process reports to its starter through the pipe. */
typedef struct spawn_report {
	int rc;
	long pid;
	char detail[512];
} spawn_report;

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* Sets up a server, stops it on SIGINT and SIGTERM, reports the setup to report_fd
 * (if >= 0), serves until stopped, frees it. */
static int serve(const char *root, const codeidx_daemon_server_options *opts, int report_fd)
{
	codeidx_daemon_server *srv;
	struct sigaction sa = {.sa_handler = on_stop_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	spawn_report rep = {.rc = codeidx_daemon_server_new(&srv, root, opts), .pid = getpid()};
	if (rep.rc == 0) {
		signalled = srv;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	if (report_fd >= 0) {
		snprintf(rep.detail, sizeof rep.detail, "%s", codeidx_daemon_error_detail());
		write_all(report_fd, &rep, sizeof rep);
		close(report_fd);
	}
	if (rep.rc)
		return rep.rc;
	int rc = codeidx_daemon_server_run(srv);
	char keep[1024];
	snprintf(keep, sizeof keep, "%s", codeidx_daemon_error_detail());
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	signalled = NULL;
	codeidx_daemon_server_free(srv);
	return rc ? dx_error(rc, "%s", keep) : 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_serve_until_signal(const char *root,
							 const codeidx_daemon_server_options *opts)
{
	dx_error_clear();
	return serve(root, opts, -1);
}

/* In the grandchild: detach from the terminal and from every file the starter had
 * open (a pipe a caller waits on must not stay open here), serve, report how the
 * setup went. Never returns. */
static void run_detached(int report_fd, const char *root,
			 const codeidx_daemon_server_options *opts)
{
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (report_fd != 3) /* keep only 0, 1, 2 and the report pipe, as 3 */
		report_fd = dup2(report_fd, 3);
	close_range(4, ~0u, 0);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Keep no directory busy (the server holds the root open), once the root no
	 * longer depends on the working directory. */
	char *abs = realpath(root, NULL);
	if (abs && chdir("/") != 0) {
	}
	_exit(serve(abs ? abs : root, opts, report_fd) ? 1 : 0);
}

CODEIDX_DAEMON_API int codeidx_daemon_spawn(const char *root,
					    const codeidx_daemon_server_options *opts,
					    long *pid)
{
	dx_error_clear();
	if (!root || !*root)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_spawn: root is empty");
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return dx_error_errno(CODEIDX_EIO, "pipe");
	fflush(NULL); /* nothing buffered is written twice by the children */
	pid_t child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return dx_error_errno(CODEIDX_EIO, "fork");
	}
	if (child == 0) { /* fork again so that the daemon is nobody's child to reap */
		close(p[0]);
		pid_t grandchild = fork();
		if (grandchild == 0)
			run_detached(p[1], root, opts);
		_exit(grandchild < 0 ? 1 : 0);
	}
	close(p[1]);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	spawn_report rep;
	size_t got = 0;
	while (got < sizeof rep) {
		ssize_t r = read(p[0], (char *)&rep + got, sizeof rep - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	if (got != sizeof rep)
		return dx_error(CODEIDX_EIO, "the daemon process for %s ended before it was set up",
				root);
	if (pid)
		*pid = rep.pid;
	rep.detail[sizeof rep.detail - 1] = '\0';
	return rep.rc ? dx_error(rep.rc, "%s", rep.detail) : 0;
}

/* Is the lock of a root's daemon free, i.e. no daemon holds it any more? */
static int lock_free(const char *lock)
{
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT;
	int is_free = flock(fd, LOCK_SH | LOCK_NB) == 0;
	close(fd); /* lets go of the lock we may just have taken */
	return is_free;
}

CODEIDX_DAEMON_API int codeidx_daemon_stop(const char *root, unsigned int timeout_ms)
{
	dx_error_clear();
	dx_paths paths;
	int rc = dx_paths_get(root, &paths);
	if (rc)
		return rc;
	codeidx_daemon_client *c;
	if ((rc = codeidx_daemon_connect(&c, root, NULL)) == 0) {
		rc = codeidx_daemon_shutdown(c);
		codeidx_daemon_disconnect(c);
	}
	/* The daemon answers before it winds down; wait until it let go of its lock, so
	 * that a new daemon can start at once. */
	if (timeout_ms == 0)
		timeout_ms = 10000;
	for (unsigned waited = 0; rc == 0 && !lock_free(paths.lock); waited += 10) {
		if (waited >= timeout_ms)
			rc = dx_error(CODEIDX_EIO, "the daemon of %s still runs after %u ms",
				      paths.root, timeout_ms);
		else
			nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	dx_paths_release(&paths);
	return rc;
}
