/* server.c - the daemon's life: lock, socket (stale one replaced), accept loop with uid check, orderly stop. */
#include "daemon/server.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/wire.h"

#define DEFAULT_MAX_CLIENTS 64u
#define DEFAULT_SEND_TIMEOUT_MS 10000u

double dx_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void dx_log(codeidx_daemon_server *srv, const char *fmt, ...)
{
	if (!srv->opts.log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	srv->opts.log(line, srv->opts.log_user);
}

static int sockaddr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n >= sizeof sa->sun_path)
		return dx_error(CODEIDX_ELIMIT, "socket path too long: %s", path);
	memcpy(sa->sun_path, path, n + 1);
	return 0;
}

/* The pid a running daemon wrote into the lock file, or 0. */
static long lock_owner(int fd)
{
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

/* Takes the per-root lock; a held lock means a daemon runs (ERUNNING). */
static int take_lock(codeidx_daemon_server *srv)
{
	srv->lock_fd = open(srv->paths.lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (srv->lock_fd < 0)
		return dx_error_errno(CODEIDX_EIO, "cannot open lock file %s", srv->paths.lock);
	if (flock(srv->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return dx_error_errno(CODEIDX_EIO, "cannot lock %s", srv->paths.lock);
	long pid = lock_owner(srv->lock_fd);
	return dx_error(CODEIDX_DAEMON_ERUNNING,
			"a daemon (pid %ld) already serves %s on %s; stop it first", pid,
			srv->paths.root, srv->paths.sock);
}

static void record_pid(codeidx_daemon_server *srv)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(srv->lock_fd, 0) == 0 && pwrite(srv->lock_fd, buf, (size_t)n, 0) < 0)
		dx_log(srv, "cannot record the pid in %s", srv->paths.lock);
}

/* With the lock held, a socket file left behind is stale unless something accepts on
 * it (a daemon that lost its lock file): connect to find out. */
static int clear_stale_socket(codeidx_daemon_server *srv, const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(srv->paths.sock, &st)) {
		if (errno == ENOENT)
			return 0;
		return dx_error_errno(CODEIDX_EIO, "cannot stat %s", srv->paths.sock);
	}
	if (!S_ISSOCK(st.st_mode))
		return dx_error(CODEIDX_DAEMON_EPERM, "%s exists and is not a socket",
				srv->paths.sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return dx_error_errno(CODEIDX_EIO, "socket");
	int alive = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0 || errno == EAGAIN;
	close(fd);
	if (alive)
		return dx_error(CODEIDX_DAEMON_ERUNNING,
				"another process accepts connections on %s (for %s)",
				srv->paths.sock, srv->paths.root);
	if (unlink(srv->paths.sock) && errno != ENOENT)
		return dx_error_errno(CODEIDX_EIO, "cannot remove stale socket %s",
				      srv->paths.sock);
	dx_log(srv, "replaced the stale socket %s", srv->paths.sock);
	return 0;
}

static int listen_on(codeidx_daemon_server *srv, const struct sockaddr_un *sa)
{
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return dx_error_errno(CODEIDX_EIO, "socket");
	/* The directory is 0700, so nobody else can reach the socket before the chmod. */
	if (bind(srv->listen_fd, (const struct sockaddr *)sa, sizeof *sa))
		return dx_error_errno(CODEIDX_EIO, "cannot bind %s", srv->paths.sock);
	srv->bound = 1;
	if (chmod(srv->paths.sock, 0600))
		return dx_error_errno(CODEIDX_EIO, "cannot chmod %s", srv->paths.sock);
	if (listen(srv->listen_fd, 64))
		return dx_error_errno(CODEIDX_EIO, "cannot listen on %s", srv->paths.sock);
	return 0;
}

static int setup(codeidx_daemon_server *srv, const char *root)
{
	int rc;
	struct sockaddr_un sa;
	if ((rc = dx_paths_get(root, &srv->paths)) || (rc = dx_dir_ensure(srv->paths.dir)) ||
	    (rc = sockaddr_of(srv->paths.sock, &sa)) || (rc = take_lock(srv)) ||
	    (rc = clear_stale_socket(srv, &sa)))
		return rc;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = srv->opts.open_flags;
	if ((rc = codeidx_open(&srv->idx, srv->paths.root, &oo)))
		return dx_error_core(rc, "cannot open the index");
	if ((rc = listen_on(srv, &sa)))
		return rc;
	record_pid(srv);
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_server_new(codeidx_daemon_server **out,
						 const char *root,
						 const codeidx_daemon_server_options *opts)
{
	dx_error_clear();
	if (!out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_server_new: out is NULL");
	*out = NULL;
	codeidx_daemon_server_options defaults = CODEIDX_DAEMON_SERVER_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	if (opts->version != CODEIDX_DAEMON_SERVER_OPTIONS_VERSION)
		return dx_error(CODEIDX_EINVAL, "server options version %u unknown", opts->version);
	codeidx_daemon_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return dx_error(CODEIDX_ENOMEM, "out of memory");
	srv->opts = *opts;
	if (!srv->opts.max_clients)
		srv->opts.max_clients = DEFAULT_MAX_CLIENTS;
	if (!srv->opts.send_timeout_ms)
		srv->opts.send_timeout_ms = DEFAULT_SEND_TIMEOUT_MS;
	srv->listen_fd = srv->lock_fd = srv->wake[0] = srv->wake[1] = -1;
	pthread_mutex_init(&srv->lock, NULL);
	srv->started = dx_now();
	int rc = 0;
	if (pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK))
		rc = dx_error_errno(CODEIDX_EIO, "pipe");
	if (!rc)
		rc = setup(srv, root);
	if (rc) {
		char keep[1024];
		snprintf(keep, sizeof keep, "%s", codeidx_daemon_error_detail());
		codeidx_daemon_server_free(srv);
		return dx_error(rc, "%s", keep);
	}
	*out = srv;
	return 0;
}

CODEIDX_DAEMON_API const char *codeidx_daemon_server_socket(const codeidx_daemon_server *srv)
{
	return srv ? srv->paths.sock : NULL;
}

CODEIDX_DAEMON_API void codeidx_daemon_server_stop(codeidx_daemon_server *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stop_requested, 1);
	ssize_t n = write(srv->wake[1], "s", 1);
	(void)n; /* a full pipe is already a pending wake-up */
}

/* Refuses a connection with one error line (best effort) and closes it. */
static void refuse(int fd, int code, const char *message)
{
	cJSON *line = dx_error_line(code, message);
	size_t len;
	char *text = line ? dx_json_print(line, &len) : NULL;
	if (text) {
		text[len] = '\n'; /* replaces the NUL: write len + 1 bytes */
		dx_write_all(fd, text, len + 1);
		free(text);
	}
	cJSON_Delete(line);
	close(fd);
}

static void accept_one(codeidx_daemon_server *srv)
{
	int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			dx_log(srv, "accept: %s", strerror(errno));
		return;
	}
	struct timeval tv = {.tv_sec = srv->opts.send_timeout_ms / 1000,
			     .tv_usec = (srv->opts.send_timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof cred) {
		dx_log(srv, "refused a connection: SO_PEERCRED failed: %s", strerror(errno));
		refuse(fd, CODEIDX_DAEMON_EPERM, "permission denied: peer credentials unknown");
		return;
	}
	if (cred.uid != geteuid()) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "permission denied: uid %lu may not use the daemon of uid %lu",
			 (unsigned long)cred.uid, (unsigned long)geteuid());
		dx_log(srv, "refused pid %ld: %s", (long)cred.pid, msg);
		refuse(fd, CODEIDX_DAEMON_EPERM, msg);
		return;
	}
	pthread_mutex_lock(&srv->lock);
	int full = srv->n_sessions >= srv->opts.max_clients;
	pthread_mutex_unlock(&srv->lock);
	if (full) {
		dx_log(srv, "refused pid %ld: too many clients", (long)cred.pid);
		refuse(fd, CODEIDX_DAEMON_EBUSY, "too many clients");
		return;
	}
	dx_session *s = calloc(1, sizeof *s);
	if (!s) {
		refuse(fd, CODEIDX_ENOMEM, "out of memory");
		return;
	}
	s->srv = srv;
	s->fd = fd;
	s->peer_pid = (long)cred.pid;
	dx_reader_init(&s->rd, fd, CODEIDX_DAEMON_MAX_LINE);
	pthread_mutex_lock(&srv->lock);
	s->id = ++srv->next_id;
	int err = pthread_create(&s->thread, NULL, dx_session_main, s);
	if (!err) {
		s->next = srv->sessions;
		srv->sessions = s;
		srv->n_sessions++;
	}
	pthread_mutex_unlock(&srv->lock);
	if (err) {
		dx_log(srv, "cannot start a session thread: %s", strerror(err));
		dx_reader_release(&s->rd);
		free(s);
		refuse(fd, CODEIDX_EIO, "cannot start a session thread");
	}
}

static void session_free(dx_session *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
	dx_reader_release(&s->rd);
	dx_jw_release(&s->jw);
	free(s->out);
	free(s);
}

/* Joins the sessions that have finished (all of them when `all`). Then hands the heap
 * they freed back to the system: glibc keeps the per-thread arenas of finished session
 * threads otherwise, and a busy daemon's RSS creeps up with them. */
static void reap(codeidx_daemon_server *srv, int all)
{
	for (int freed = 0;; freed = 1) {
		dx_session *found = NULL;
		pthread_mutex_lock(&srv->lock);
		for (dx_session **p = &srv->sessions; *p; p = &(*p)->next) {
			if ((*p)->finished || all) {
				found = *p;
				*p = found->next;
				srv->n_sessions--;
				break;
			}
		}
		pthread_mutex_unlock(&srv->lock);
		if (!found) {
#ifdef __GLIBC__
			if (freed)
				malloc_trim(0);
#endif
			return;
		}
		session_free(found);
	}
}

/* Stops everything run() started; the socket goes first so that new clients see at
 * once that no daemon serves the root. */
static void wind_down(codeidx_daemon_server *srv)
{
	atomic_store(&srv->stopping, 1);
	dx_server_cancel_update(srv);
	if (srv->bound && unlink(srv->paths.sock) == 0)
		srv->bound = 0;
	close(srv->listen_fd);
	srv->listen_fd = -1;
	pthread_mutex_lock(&srv->lock);
	for (dx_session *s = srv->sessions; s; s = s->next)
		shutdown(s->fd, SHUT_RDWR);
	pthread_mutex_unlock(&srv->lock);
	reap(srv, 1);
}

CODEIDX_DAEMON_API int codeidx_daemon_server_run(codeidx_daemon_server *srv)
{
	dx_error_clear();
	if (!srv || srv->ran)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_server_run: %s",
				srv ? "already ran" : "srv is NULL");
	srv->ran = 1;
	dx_log(srv, "serving %s on %s (pid %ld)", srv->paths.root, srv->paths.sock,
	       (long)getpid());
	int rc = 0;
	while (!atomic_load(&srv->stop_requested)) {
		struct pollfd p[2] = {{.fd = srv->wake[0], .events = POLLIN},
				      {.fd = srv->listen_fd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = dx_error_errno(CODEIDX_EIO, "poll");
			break;
		}
		if (p[0].revents) {
			char buf[64];
			while (read(srv->wake[0], buf, sizeof buf) > 0) {
			}
			reap(srv, 0);
		}
		if (p[1].revents & (POLLERR | POLLNVAL)) {
			rc = dx_error(CODEIDX_EIO, "the listening socket failed");
			break;
		}
		if (p[1].revents & POLLIN)
			accept_one(srv);
	}
	dx_log(srv, "stopping");
	wind_down(srv);
	return rc;
}

CODEIDX_DAEMON_API void codeidx_daemon_server_free(codeidx_daemon_server *srv)
{
	if (!srv)
		return;
	if (srv->sessions)
		wind_down(srv);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	/* Remove the socket before letting go of the lock: a successor binds only after
	 * taking the lock. */
	if (srv->bound)
		unlink(srv->paths.sock);
	codeidx_close(srv->idx);
	if (srv->lock_fd >= 0)
		close(srv->lock_fd);
	if (srv->wake[0] >= 0)
		close(srv->wake[0]);
	if (srv->wake[1] >= 0)
		close(srv->wake[1]);
	dx_paths_release(&srv->paths);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

CODEIDX_DAEMON_API int codeidx_daemon_serve(const char *root,
					    const codeidx_daemon_server_options *opts)
{
	codeidx_daemon_server *srv;
	int rc = codeidx_daemon_server_new(&srv, root, opts);
	if (rc)
		return rc;
	rc = codeidx_daemon_server_run(srv);
	char keep[1024];
	snprintf(keep, sizeof keep, "%s", codeidx_daemon_error_detail());
	codeidx_daemon_server_free(srv);
	return rc ? dx_error(rc, "%s", keep) : 0;
}
