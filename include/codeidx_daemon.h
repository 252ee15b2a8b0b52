/* codeidx_daemon.h - optional transport of libcodeidx: daemon, client, JSON events and matches. */
/*
 * A daemon serves one open index over a Unix socket; its client runs searches and
 * updates through it; progress events and matches have an exact JSON form.
 *
 * This is a separate library (libcodeidx_daemon, pkg-config codeidx_daemon) built on the
 * public API of libcodeidx; the core neither links nor knows it. It adds cJSON.
 *
 * Conventions are those of codeidx.h:
 *   - Fallible functions return 0 or a negative code: the CODEIDX_E* codes of the core
 *     plus the CODEIDX_DAEMON_E* codes below. codeidx_daemon_strerror() names both kinds;
 *     codeidx_daemon_error_detail() gives the context of the last failing call of this
 *     library on the calling thread (it includes the core's detail when the core failed,
 *     and the daemon's message when the daemon answered with an error).
 *   - Option structs start with a `version` field; initialise them with their *_INIT
 *     macro. A NULL options pointer means defaults.
 *   - A callback is never called if the call that takes it fails up front.
 *   - Everything a callback receives is valid only during that call; copy what you keep.
 *
 * ---------------------------------------------------------------- the wire ----
 * Newline-delimited JSON over a SOCK_STREAM Unix socket, one object per line, UTF-8.
 *
 * Byte strings. Paths, line text, messages and patterns are raw bytes in libcodeidx.
 * On the wire such a value is a JSON string when its bytes are valid UTF-8 without a NUL
 * byte, and otherwise the object {"bytes":"<base64 of the exact bytes>"} (RFC 4648, with
 * padding). Readers accept both forms everywhere a byte string goes; a JSON string is
 * taken as its UTF-8 bytes. "\u0000" inside a string is refused (use the bytes form).
 *
 * Numbers. Counters (uint64_t) are JSON integers up to 2^53 and decimal strings above
 * ("18446744073709551615"), so every value survives parsers that hold numbers as
 * doubles. Doubles are printed with 17 significant digits ("%.17g" in the C locale),
 * which reads back to the identical double; NaN and infinities, which JSON cannot
 * spell, are the strings "NaN", "Infinity" and "-Infinity". Enumerations are their
 * names (codeidx_phase_name(), codeidx_file_status_name(), codeidx_skip_reason_name()).
 *
 * Session. The client speaks first:  {"hello":"codeidx","version":1}
 * and the daemon answers             {"hello":"codeidx-daemon","version":1,"root":R,
 *                                     "pid":N,"library":"0.1.0"}
 * (an unsupported version gets an error line and the connection is closed). Then the
 * client sends requests, one at a time; each is answered by zero or more stream lines
 * and exactly one terminal line, either {"summary":{"op":OP,...}} or
 * {"error":{"code":C,"message":M}} (C is a codeidx or codeidx_daemon error code).
 * Unknown fields of a request are ignored; a missing required field or a field of the
 * wrong type is an error, as are malformed JSON and unknown operations; the connection
 * stays open after all of these. A request line longer than CODEIDX_DAEMON_MAX_LINE
 * bytes gets an error (CODEIDX_ELIMIT) and the connection is closed.
 *
 *   {"op":"search","pattern":P, "literal":b,"ignore_case":b,"word":b, "globs":[P..],
 *    "languages":["c",..], "max_per_file":n,"max_total":n,"before":n,"after":n,
 *    "threads":n}                           (only "pattern" is required)
 *      -> {"match":{"path":P,"line":n,"column":n,"text":P,"spans":[[s,e],..],
 *                   "context":b,"file_start":b}}  per line, in codeidx_search's order
 *      -> {"summary":{"op":"search","generation":n,"files_indexed":n,"candidates":n,
 *                     "files_matched":n,"lines_matched":n,"stopped":b}}
 *   {"op":"update","full":b,"no_ignore":b,"threads":n,"max_file_size":n,
 *    "excludes":[P..],"interval_ms":n,"progress":b}      (all optional)
 *      -> {"progress":{...event...},"t":T}  per progress event unless "progress":false;
 *         T is the daemon's CLOCK_MONOTONIC time, in seconds, when the core handed it
 *         the event (see codeidx_daemon_client_event_time())
 *      -> {"summary":{"op":"update","result":{codeidx_update_result},"stats":{stats}}}
 *   {"op":"status"}  -> {"summary":{"op":"status","root":R,"pid":n,"uptime_seconds":d,
 *                        "clients":n,"update_running":b,"requests":n,"stats":{stats}}}
 *   {"op":"cancel"}  -> {"summary":{"op":"cancel","was_running":b}}   (cancels the
 *                       running update, whichever connection started it)
 *   {"op":"shutdown"} -> {"summary":{"op":"shutdown"}}, then the daemon stops.
 *   {"op":"stop"}    -> no answer (see below; ignored when nothing streams)
 *
 * While a search or an update streams on a connection, the daemon watches that
 * connection for {"op":"stop"}: it ends the search early (the summary says
 * "stopped":true) or cancels the update (the terminal line is the cancelled error).
 * During an update, {"op":"cancel"} on the same connection does the same and is
 * answered in the stream by its cancel summary, before the terminal line. Any other
 * request sent meanwhile waits its turn. If the client disconnects while its update
 * runs, the update goes on to completion; a search stops.
 *
 * The progress event object has one member per field of codeidx_progress, with the
 * same names: "phase", "current", "total", "bytes_done", "bytes_total",
 * "files_per_second", "bytes_per_second", "active_threads", "threads",
 * "elapsed_seconds", "eta_seconds", "message", and "concurrent_files", always an
 * array (n_files is its length) of {"slot":n,"path":P,"size":n,"status":S,"seconds":d}.
 */
#ifndef CODEIDX_DAEMON_H
#define CODEIDX_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "codeidx.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CODEIDX_DAEMON_BUILDING) && defined(__GNUC__)
#define CODEIDX_DAEMON_API __attribute__((visibility("default")))
#else
#define CODEIDX_DAEMON_API
#endif

#define CODEIDX_DAEMON_PROTOCOL_VERSION 1

/* The longest request line (without its '\n') the daemon accepts: 1 MiB. */
#define CODEIDX_DAEMON_MAX_LINE (1u << 20)

/* ---------------------------------------------------------------- errors ---- */

/* Codes of this library, in addition to the core's CODEIDX_E* codes. */
enum codeidx_daemon_error {
	CODEIDX_DAEMON_ENOTRUNNING = -100, /* no daemon serves this root (no or stale socket) */
	CODEIDX_DAEMON_ERUNNING = -101,    /* another daemon already serves this root */
	CODEIDX_DAEMON_EPROTOCOL = -102,   /* malformed JSON, unknown op, missing or mistyped
					    * field, unexpected line */
	CODEIDX_DAEMON_EPERM = -103,       /* peer of another uid, or an unsafe socket dir */
	CODEIDX_DAEMON_EBUSY = -104,       /* an update already runs, or too many clients */
	CODEIDX_DAEMON_EDISCONNECTED = -105, /* the connection ended before the answer did */
};

/* Returns a short static description of a code of this library or of the core. */
CODEIDX_DAEMON_API const char *codeidx_daemon_strerror(int code);

/* Returns the detail message of the last error this library raised on the calling
 * thread, or "" if the last call succeeded. Thread-local; valid until the next call
 * into this library on the thread. */
CODEIDX_DAEMON_API const char *codeidx_daemon_error_detail(void);

/* Frees a string returned by this library (the *_to_json functions). NULL is a no-op. */
CODEIDX_DAEMON_API void codeidx_daemon_free(void *p);

/* -------------------------------------------------------------- JSON forms ---- */

/* Serialises `ev` to one JSON line {"progress":{...}} (see the wire notes above),
 * without a trailing '\n'. On success *out is a NUL-terminated, malloc'd string
 * (free it with codeidx_daemon_free()) and *len, if not NULL, its length.
 * Errors: CODEIDX_EINVAL (NULL arguments, files NULL with n_files > 0), CODEIDX_ENOMEM.
 * Thread-safe. */
CODEIDX_DAEMON_API int codeidx_daemon_progress_to_json(const codeidx_progress *ev,
							char **out, size_t *len);

/* Parses one line made by codeidx_daemon_progress_to_json() (or a daemon's progress
 * line; other members beside "progress" are ignored) back into an event equal to the
 * original field by field: same integers, bit-identical doubles, same path and message
 * bytes. `line` is `len` bytes, need not be NUL-terminated, and may end in '\n'.
 * On success *out is one allocation holding the event, its `files` (never NULL) and
 * every string; free it with codeidx_daemon_progress_free().
 * Errors: CODEIDX_DAEMON_EPROTOCOL (the detail says what is wrong and where),
 * CODEIDX_ELIMIT (more than INT_MAX elements), CODEIDX_ENOMEM. Thread-safe. */
CODEIDX_DAEMON_API int codeidx_daemon_progress_from_json(const char *line, size_t len,
							  codeidx_progress **out);
CODEIDX_DAEMON_API void codeidx_daemon_progress_free(codeidx_progress *ev);

/* The same pair for one search result line, {"match":{...}}. `m->text` may hold NUL
 * bytes; the parsed match's text is also NUL-terminated (text[text_len] == 0). */
CODEIDX_DAEMON_API int codeidx_daemon_match_to_json(const codeidx_match *m, char **out,
						     size_t *len);
CODEIDX_DAEMON_API int codeidx_daemon_match_from_json(const char *line, size_t len,
						       codeidx_match **out);
CODEIDX_DAEMON_API void codeidx_daemon_match_free(codeidx_match *m);

/* ------------------------------------------------------------------ socket ---- */

/* Where the daemon of `root` listens: <dir>/<16 hex digits of a 64-bit FNV-1a hash of
 * the canonical root>.sock, where <dir> is $XDG_RUNTIME_DIR/codeidx when
 * XDG_RUNTIME_DIR is set to an absolute path, else /tmp/codeidx-<uid>. The daemon
 * creates <dir> with mode 0700 and refuses one that is not a directory owned by the
 * user with no group or other permission bits; the socket itself has mode 0600.
 * Beside it, <hash>.lock is the lock that keeps one daemon per root.
 * `root` must exist (it is resolved with realpath()). *out is malloc'd (free with
 * codeidx_daemon_free()). Errors: CODEIDX_EINVAL (root does not resolve),
 * CODEIDX_ELIMIT (the path does not fit in sockaddr_un), CODEIDX_ENOMEM. */
CODEIDX_DAEMON_API int codeidx_daemon_socket_path(const char *root, char **out);

/* ------------------------------------------------------------------ server ---- */

/* A daemon serving one root. Opaque. */
typedef struct codeidx_daemon_server codeidx_daemon_server;

/* Receives one human-readable line about the daemon's life (client connected, refused,
 * request failed, stale socket replaced...). Called from any of the daemon's threads,
 * possibly concurrently: it must be thread-safe. */
typedef void (*codeidx_daemon_log_fn)(const char *line, void *user);

typedef struct codeidx_daemon_server_options {
	unsigned int version;      /* CODEIDX_DAEMON_SERVER_OPTIONS_VERSION */
	unsigned int open_flags;   /* for codeidx_open(): CODEIDX_OPEN_CREATE creates a
				    * missing index */
	unsigned int max_clients;  /* connections at once; 0 = 64. One more is refused
				    * with CODEIDX_DAEMON_EBUSY */
	unsigned int send_timeout_ms; /* a client that reads nothing for this long while
				       * the daemon writes to it is dropped; 0 = 10000 */
	codeidx_daemon_log_fn log; /* may be NULL */
	void *log_user;
	/* Called in the daemon with every progress event of an update it runs, on the
	 * thread running the update, just before the event is sent (a local display of a
	 * daemon's work, or a test that compares both ends). May be NULL. Its return value
	 * is ignored: cancel with a cancel request. */
	codeidx_progress_fn progress_observer;
	void *progress_observer_user;
} codeidx_daemon_server_options;

#define CODEIDX_DAEMON_SERVER_OPTIONS_VERSION 1
#define CODEIDX_DAEMON_SERVER_OPTIONS_INIT {.version = CODEIDX_DAEMON_SERVER_OPTIONS_VERSION}

/* Prepares a daemon for `root`: creates the socket directory, takes the lock
 * (flock on <hash>.lock; the file then holds the daemon's pid), opens the index with
 * codeidx_open(), replaces a stale socket left by a daemon that was killed (one no
 * process accepts on), and binds and listens on the socket. Nothing is served until
 * codeidx_daemon_server_run(). Never listens on a network address.
 * Errors: CODEIDX_DAEMON_ERUNNING (a daemon already serves this root: the detail names
 * its pid and socket), CODEIDX_DAEMON_EPERM (unsafe socket directory), the errors of
 * codeidx_open(), CODEIDX_EIO, CODEIDX_ELIMIT, CODEIDX_EINVAL. On failure *out is NULL
 * and nothing is left behind but the directory and the lock file. */
CODEIDX_DAEMON_API int codeidx_daemon_server_new(codeidx_daemon_server **out,
						 const char *root,
						 const codeidx_daemon_server_options *opts);

/* The socket path of a server (owned by it). */
CODEIDX_DAEMON_API const char *codeidx_daemon_server_socket(const codeidx_daemon_server *srv);

/* Serves clients until a shutdown request or codeidx_daemon_server_stop(); blocks the
 * calling thread, runs each connection on a thread of its own. Peers of another uid
 * (SO_PEERCRED) get an error line and are disconnected. The index stays open between
 * requests; searches run concurrently with each other and with the one update that can
 * run at a time; each search sees the last committed generation. Every update runs with
 * CODEIDX_UPDATE_BACKGROUND: its workers yield the CPUs to searches, to progress events
 * on their way to clients and to the rest of the machine.
 * A client that disconnects mid-stream costs nothing: its search stops, its thread and
 * buffers are freed; an update it started runs to completion (or until a cancel
 * request), so the index still gets the new generation. Events are written as they come,
 * so a client that reads slowly paces the end of its update as a slow callback does
 * in-process; one that reads nothing for send_timeout_ms is dropped and the update goes
 * on without it. When stopping, the daemon
 * cancels a running update (the previous generation stays live), ends every
 * connection, waits for their threads, removes the socket and releases the lock.
 * Returns 0 after a clean stop, or CODEIDX_EIO if the socket failed; call it once. */
CODEIDX_DAEMON_API int codeidx_daemon_server_run(codeidx_daemon_server *srv);

/* Asks a running server to stop; returns at once. Async-signal-safe and thread-safe:
 * call it from a SIGTERM handler. A stop requested before run() makes run() return
 * immediately. */
CODEIDX_DAEMON_API void codeidx_daemon_server_stop(codeidx_daemon_server *srv);

/* Frees a server (after run() returned, or instead of running it): closes the index,
 * removes the socket if still bound, releases the lock. NULL is a no-op. */
CODEIDX_DAEMON_API void codeidx_daemon_server_free(codeidx_daemon_server *srv);

/* new + run + free: serves `root` in the foreground until shutdown. */
CODEIDX_DAEMON_API int codeidx_daemon_serve(const char *root,
					    const codeidx_daemon_server_options *opts);

/* ------------------------------------------------------------------ client ---- */

/* One connection to a daemon. Opaque. Use a client from one thread at a time; open
 * several to work concurrently (a search on one while an update streams on another). */
typedef struct codeidx_daemon_client codeidx_daemon_client;

typedef struct codeidx_daemon_connect_options {
	unsigned int version;    /* CODEIDX_DAEMON_CONNECT_OPTIONS_VERSION */
	unsigned int timeout_ms; /* for connect and handshake; 0 = 5000 */
} codeidx_daemon_connect_options;

#define CODEIDX_DAEMON_CONNECT_OPTIONS_VERSION 1
#define CODEIDX_DAEMON_CONNECT_OPTIONS_INIT {.version = CODEIDX_DAEMON_CONNECT_OPTIONS_VERSION}

/* Connects to the daemon serving `root` and shakes hands. The daemon must run under
 * the caller's uid (checked with SO_PEERCRED). Errors: CODEIDX_DAEMON_ENOTRUNNING (no
 * socket, or a stale one), CODEIDX_DAEMON_EPERM (a daemon of another uid, or refused),
 * CODEIDX_DAEMON_EPROTOCOL (not a codeidx daemon, or another protocol version),
 * CODEIDX_DAEMON_EDISCONNECTED, the errors of codeidx_daemon_socket_path().
 * On failure *out is NULL. */
CODEIDX_DAEMON_API int codeidx_daemon_connect(codeidx_daemon_client **out, const char *root,
					      const codeidx_daemon_connect_options *opts);

/* Closes the connection and frees the client. NULL is a no-op. An update this client
 * started keeps running in the daemon. */
CODEIDX_DAEMON_API void codeidx_daemon_disconnect(codeidx_daemon_client *c);

/* The canonical root the daemon serves (owned by the client). */
CODEIDX_DAEMON_API const char *codeidx_daemon_client_root(const codeidx_daemon_client *c);

/* codeidx_search() through the daemon: same arguments, same callback contract (called
 * on the calling thread, in path then line order, never concurrently; everything in
 * `m` valid only during the call), same results. When `fn` returns non-zero the client
 * asks the daemon to stop, discards what was already in flight, and returns 0 with
 * result->stopped set; the counts of such a result are what the daemon had found when
 * the stop reached it, which may be a few lines more than the callback saw.
 * Errors: those of codeidx_search() as reported by the daemon,
 * CODEIDX_EINVAL (bad options, caught before anything is sent),
 * CODEIDX_DAEMON_EDISCONNECTED, CODEIDX_DAEMON_EPROTOCOL. After a disconnection or a
 * protocol error the client is unusable; every later call returns
 * CODEIDX_DAEMON_EDISCONNECTED. */
CODEIDX_DAEMON_API int codeidx_daemon_search(codeidx_daemon_client *c, const char *pattern,
					     size_t pattern_len,
					     const codeidx_search_options *opts,
					     codeidx_match_fn fn, void *user,
					     codeidx_search_result *result);

/* codeidx_update() run by the daemon: same options (flags, threads, max_file_size,
 * excludes, progress, progress_user, progress_interval_ms), same result. Each event
 * the daemon's update emits is sent over, turned back into a codeidx_progress equal
 * field by field to the daemon's, and passed to opts->progress on the calling thread,
 * in order, never concurrently: the progress contract holds as in-process. When the
 * callback returns non-zero a cancel is sent; events already in flight are not
 * delivered except the run's last one (the cancelled event listing the files that were
 * active), as in-process. If the update had already committed when the cancel arrived,
 * the call succeeds. Errors: those of codeidx_update() (CODEIDX_ECANCELLED,
 * CODEIDX_ELOCKED...), CODEIDX_DAEMON_EBUSY (this daemon already runs an update),
 * CODEIDX_EINVAL, CODEIDX_DAEMON_EDISCONNECTED, CODEIDX_DAEMON_EPROTOCOL.
 * `result` is filled on success only. */
CODEIDX_DAEMON_API int codeidx_daemon_update(codeidx_daemon_client *c,
					     const codeidx_update_options *opts,
					     codeidx_update_result *result);

/* When called from inside a progress callback of codeidx_daemon_update(): the daemon's
 * CLOCK_MONOTONIC time, in seconds, at which the core handed it the event being
 * delivered (comparable with the caller's CLOCK_MONOTONIC on the same machine). 0
 * outside a callback. */
CODEIDX_DAEMON_API double codeidx_daemon_client_event_time(const codeidx_daemon_client *c);

/* What a daemon is doing. */
typedef struct codeidx_daemon_status {
	unsigned int version;   /* CODEIDX_DAEMON_STATUS_VERSION */
	const char *root;       /* canonical root; owned by the client, valid until the
				 * next call on it */
	long pid;               /* the daemon's process id */
	double uptime_seconds;
	unsigned int clients;   /* connections open now, this one included */
	int update_running;     /* 1 while an update runs */
	uint64_t requests;      /* requests served since start */
	codeidx_stats stats;    /* of the newest committed generation */
} codeidx_daemon_status;

#define CODEIDX_DAEMON_STATUS_VERSION 1
#define CODEIDX_DAEMON_STATUS_INIT \
	{.version = CODEIDX_DAEMON_STATUS_VERSION, .stats = CODEIDX_STATS_INIT}

/* Fills *st from the daemon. Errors: CODEIDX_EINVAL (bad version), those of
 * codeidx_stats_get() as reported by the daemon, CODEIDX_DAEMON_EDISCONNECTED,
 * CODEIDX_DAEMON_EPROTOCOL. */
CODEIDX_DAEMON_API int codeidx_daemon_status_get(codeidx_daemon_client *c,
						 codeidx_daemon_status *st);

/* Cancels the update the daemon runs, whoever started it; *was_running (may be NULL)
 * says whether one was running. The update then ends as cancelled updates do. */
CODEIDX_DAEMON_API int codeidx_daemon_cancel(codeidx_daemon_client *c, int *was_running);

/* Asks the daemon to stop (see codeidx_daemon_server_run()) and waits for its
 * acknowledgement. The client stays open but the daemon will close it. */
CODEIDX_DAEMON_API int codeidx_daemon_shutdown(codeidx_daemon_client *c);

/* ------------------------------------------------------ starting and stopping ---- */

/* Starts a daemon for `root` in a process of its own, detached from the caller: a new
 * session, no controlling terminal, stdin/stdout/stderr on /dev/null and no other file
 * of the caller's open, working directory "/", SIGHUP ignored, SIGTERM (or SIGINT)
 * stops it cleanly (opts->log then writes nowhere useful: leave it NULL). Returns once the daemon listens, with its pid in *pid (may be NULL), or with
 * the error of codeidx_daemon_server_new() and its detail (CODEIDX_DAEMON_ERUNNING when
 * one already serves the root). Forks: call it from a single-threaded process (a
 * command line); the caller's buffered stdio output is flushed first.
 * Errors also: CODEIDX_EINVAL, CODEIDX_EIO (pipe or fork failed). */
CODEIDX_DAEMON_API int codeidx_daemon_spawn(const char *root,
					    const codeidx_daemon_server_options *opts,
					    long *pid);

/* codeidx_daemon_serve() in the foreground that SIGINT and SIGTERM stop cleanly (as
 * codeidx_daemon_server_stop() does): installs handlers for both for the duration of
 * the call and restores the previous ones after. One such call per process at a time.
 * Returns as codeidx_daemon_serve() does. */
CODEIDX_DAEMON_API int codeidx_daemon_serve_until_signal(const char *root,
							 const codeidx_daemon_server_options *opts);

/* Asks the daemon serving `root` to shut down and waits, up to timeout_ms (0 = 10000),
 * until it has let go of the root, so that another daemon can start at once.
 * Errors: those of codeidx_daemon_connect() (CODEIDX_DAEMON_ENOTRUNNING when none
 * serves it), of codeidx_daemon_shutdown(), and CODEIDX_EIO on timeout. */
CODEIDX_DAEMON_API int codeidx_daemon_stop(const char *root, unsigned int timeout_ms);

/* ------------------------------------------------------- daemon or in-process ---- */

/* One root reached the way a command line tool should: through the daemon serving it
 * when there is one, else in-process on an index opened here. The calls below behave
 * as codeidx_search(), codeidx_update() and codeidx_stats_get() do, with the same
 * callback contracts, whichever way is taken; so a tool's output is the same either
 * way. Every error's detail is in codeidx_daemon_error_detail(). Use from one thread at
 * a time. */
typedef struct codeidx_daemon_auto codeidx_daemon_auto;

#define CODEIDX_DAEMON_AUTO_NO_DAEMON 0x1u /* never use a daemon */
#define CODEIDX_DAEMON_AUTO_CREATE 0x2u    /* in-process: create a missing index (an
					    * update will follow) */

/* Connects to the daemon of `root`, or, when none serves it (or with
 * CODEIDX_DAEMON_AUTO_NO_DAEMON), opens its index with codeidx_open(). A daemon that
 * exists but cannot be used (CODEIDX_DAEMON_EPERM, CODEIDX_DAEMON_EPROTOCOL, ...) is an
 * error, not a reason to fall back. Errors: those of codeidx_daemon_connect() and of
 * codeidx_open() (CODEIDX_ENOINDEX without CODEIDX_DAEMON_AUTO_CREATE). */
CODEIDX_DAEMON_API int codeidx_daemon_auto_open(codeidx_daemon_auto **out, const char *root,
						unsigned int flags);
/* Disconnects or closes the index, and frees `a`. NULL is a no-op. */
CODEIDX_DAEMON_API void codeidx_daemon_auto_close(codeidx_daemon_auto *a);
/* 1 when `a` goes through a daemon, 0 when it works in-process. */
CODEIDX_DAEMON_API int codeidx_daemon_auto_via_daemon(const codeidx_daemon_auto *a);
/* The canonical root (owned by `a`). */
CODEIDX_DAEMON_API const char *codeidx_daemon_auto_root(const codeidx_daemon_auto *a);
CODEIDX_DAEMON_API int codeidx_daemon_auto_search(codeidx_daemon_auto *a, const char *pattern,
						  size_t pattern_len,
						  const codeidx_search_options *opts,
						  codeidx_match_fn fn, void *user,
						  codeidx_search_result *result);
CODEIDX_DAEMON_API int codeidx_daemon_auto_update(codeidx_daemon_auto *a,
						  const codeidx_update_options *opts,
						  codeidx_update_result *result);
/* The stats of the newest committed generation (through a daemon: its status's). */
CODEIDX_DAEMON_API int codeidx_daemon_auto_stats(codeidx_daemon_auto *a, codeidx_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* CODEIDX_DAEMON_H */
