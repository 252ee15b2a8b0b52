/* server.h - the daemon's state (socket, lock, open index, sessions) and the per-connection session. */
#ifndef DX_SERVER_H
#define DX_SERVER_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>

#include "codeidx_daemon.h"
#include "daemon/jsonwrite.h"
#include "daemon/lineio.h"
#include "daemon/paths.h"

/* Why one thread per connection rather than a poll loop: codeidx_search() and
 * codeidx_update() are blocking calls that deliver matches and events through callbacks
 * on the calling thread. A poll loop would still need a thread per running request and
 * queues between them; a thread per connection writes straight from those callbacks,
 * gets back-pressure from the socket for free (a slow reader slows only its own
 * thread), and keeps each request's state on one stack. Clients are few (editors, the
 * CLI), and max_clients bounds them. */

typedef struct dx_session dx_session;

struct codeidx_daemon_server {
	dx_paths paths;
	codeidx_daemon_server_options opts;
	codeidx *idx;      /* open from new() to free(); thread-safe for search and stats */
	int listen_fd;     /* -1 once closed */
	int lock_fd;       /* holds the flock that makes this the root's only daemon */
	int wake[2];       /* self-pipe (non-blocking): 's' = stop, 'r' = a session ended */
	int bound;         /* the socket file is ours: unlink it when done */
	int ran;           /* run() was called */
	double started;    /* CLOCK_MONOTONIC seconds at new() */
	atomic_int stop_requested; /* set by stop(), async-signal-safe */
	atomic_int stopping;       /* run() is shutting down: requests end, updates cancel */
	atomic_int cancel_update;  /* the running update must stop (written under lock) */
	atomic_uint_fast64_t requests;

	pthread_mutex_t lock; /* guards everything below */
	dx_session *sessions; /* live and finished-but-unreaped sessions */
	unsigned n_sessions;
	unsigned next_id;
	int update_running;
	unsigned update_client; /* id of the session running the update */
};

/* One connection. Everything but `next` and `finished` belongs to its thread. */
struct dx_session {
	struct codeidx_daemon_server *srv;
	int fd;          /* closed by the reaper after join */
	unsigned id;
	long peer_pid;
	pthread_t thread;
	int finished;    /* the thread is done (srv->lock) */
	dx_session *next; /* srv->sessions (srv->lock) */
	dx_reader rd;
	int gone;        /* the peer left or stopped reading: write nothing more */
	char *out;       /* lines waiting to be written */
	size_t out_len, out_cap;
	dx_jw jw;        /* reused to write stream lines (matches, events) */
};

/* The session thread's entry point. */
void *dx_session_main(void *arg);

/* Appends one JSON line (plus '\n') to the session's output; flushes when more than
 * 64 KiB wait, or when `flush` is set. Frees `obj`. Returns 0, or
 * CODEIDX_DAEMON_EDISCONNECTED once the peer is gone. */
int dx_session_send(dx_session *s, cJSON *obj, int flush);
/* Appends an already printed line. */
int dx_session_send_text(dx_session *s, const char *line, size_t len, int flush);
int dx_session_flush(dx_session *s);
/* Sends {"error":{"code":code,"message":message}} and flushes. */
int dx_session_send_error(dx_session *s, int code, const char *message);

/* While a request streams: reads what the peer sent without blocking. If the first
 * pending line is {"op":"stop"}, or {"op":"cancel"} when `cancel_too`, consumes it and
 * returns its op ("stop" / "cancel"); otherwise NULL, leaving the line for later. Marks
 * the session gone when the peer has left. */
const char *dx_session_poll_stop(dx_session *s, int cancel_too);

/* Request handlers: each sends the stream and exactly one terminal line. */
void dx_serve_search(dx_session *s, const cJSON *req);
void dx_serve_update(dx_session *s, const cJSON *req);
void dx_serve_status(dx_session *s);
void dx_serve_cancel(dx_session *s);

/* Cancels the running update, if any; returns whether one was running. */
int dx_server_cancel_update(struct codeidx_daemon_server *srv);

/* Logs one line through opts.log, if set. */
void dx_log(struct codeidx_daemon_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* CLOCK_MONOTONIC in seconds. */
double dx_now(void);

#endif
