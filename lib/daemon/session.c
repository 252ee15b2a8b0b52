/* session.c - one connection: handshake, request loop and error replies, output, small requests. */
#include "daemon/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/wire.h"

#define FLUSH_AT (64u << 10)
#define HELLO_TIMEOUT_MS 10000

/* ----------------------------------------------------------------- output ---- */

int dx_session_flush(dx_session *s)
{
	if (s->gone)
		return CODEIDX_DAEMON_EDISCONNECTED;
	int rc = s->out_len ? dx_write_all(s->fd, s->out, s->out_len) : 0;
	s->out_len = 0;
	if (rc) {
		/* Gone, or not reading within the send timeout: end the connection so the
		 * peer sees it, and keep whatever runs (an update) going without output. */
		s->gone = 1;
		shutdown(s->fd, SHUT_RDWR);
		dx_log(s->srv, "client %u: %s; dropped", s->id, codeidx_daemon_error_detail());
	}
	return rc;
}

int dx_session_send_text(dx_session *s, const char *line, size_t len, int flush)
{
	if (s->gone)
		return CODEIDX_DAEMON_EDISCONNECTED;
	size_t need = s->out_len + len + 1;
	if (need > s->out_cap) {
		size_t cap = s->out_cap ? s->out_cap : 4096;
		while (cap < need)
			cap *= 2;
		char *b = realloc(s->out, cap);
		if (!b)
			return dx_error(CODEIDX_ENOMEM, "output buffer: out of memory");
		s->out = b;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, line, len);
	s->out[s->out_len + len] = '\n';
	s->out_len = need;
	if (flush || s->out_len >= FLUSH_AT)
		return dx_session_flush(s);
	return 0;
}

int dx_session_send(dx_session *s, cJSON *obj, int flush)
{
	size_t len = 0;
	char *text = obj ? dx_json_print(obj, &len) : NULL;
	cJSON_Delete(obj);
	if (!text)
		return dx_error(CODEIDX_ENOMEM, "reply: out of memory");
	int rc = dx_session_send_text(s, text, len, flush);
	free(text);
	return rc;
}

int dx_session_send_error(dx_session *s, int code, const char *message)
{
	cJSON *line = dx_error_line(code, message);
	if (!line)
		return dx_error(CODEIDX_ENOMEM, "reply: out of memory");
	return dx_session_send(s, line, 1);
}

/* Sends the calling thread's last error: `code` and "<what>: <detail>". */
static void send_failure(dx_session *s, int code)
{
	char msg[1200];
	const char *d = codeidx_daemon_error_detail();
	snprintf(msg, sizeof msg, "%s", *d ? d : codeidx_daemon_strerror(code));
	dx_session_send_error(s, code, msg);
}

/* ------------------------------------------------------- in-stream control ---- */

/* Whether a request line is the small object {"op":op}. */
static int line_op_is(const char *line, size_t len, const char *op)
{
	cJSON *v;
	if (len > 256 || dx_json_parse_line(line, len, &v))
		return 0;
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(v, "op");
	int yes = cJSON_IsString(o) && !strcmp(o->valuestring, op);
	cJSON_Delete(v);
	return yes;
}

const char *dx_session_poll_stop(dx_session *s, int cancel_too)
{
	if (s->gone)
		return NULL;
	/* Read only while no complete or oversized line waits: a peer cannot make the
	 * buffer grow while a stream runs. */
	for (;;) {
		const char *line;
		size_t len;
		int rc = dx_reader_peek(&s->rd, &line, &len);
		if (rc == 1) {
			const char *op = line_op_is(line, len, "stop")		   ? "stop"
					 : cancel_too && line_op_is(line, len, "cancel") ? "cancel"
											   : NULL;
			if (op)
				dx_reader_consume(&s->rd, len);
			return op;
		}
		if (rc)
			return NULL;
		rc = dx_reader_fill(&s->rd, 0);
		if (rc == 0) {
			s->gone = 1; /* the peer left: stop writing, let the work finish */
			dx_log(s->srv, "client %u left while its request ran", s->id);
			return NULL;
		}
		if (rc != 1)
			return NULL;
	}
}

/* ---------------------------------------------------------- small requests ---- */

void dx_serve_status(dx_session *s)
{
	codeidx_daemon_server *srv = s->srv;
	codeidx_stats st = CODEIDX_STATS_INIT;
	int rc = codeidx_stats_get(srv->idx, &st);
	if (rc) {
		dx_error_core(rc, "status");
		send_failure(s, rc);
		return;
	}
	pthread_mutex_lock(&srv->lock);
	unsigned clients = 0;
	for (dx_session *p = srv->sessions; p; p = p->next)
		clients += !p->finished;
	int updating = srv->update_running;
	pthread_mutex_unlock(&srv->lock);
	cJSON *in = NULL, *line = dx_summary_line("status", &in);
	if (!line || dx_json_put(in, "root", dx_json_str_ref(srv->paths.root)) ||
	    dx_json_put(in, "pid", dx_json_u64((uint64_t)getpid())) ||
	    dx_json_put(in, "uptime_seconds", dx_json_double(dx_now() - srv->started)) ||
	    dx_json_put(in, "clients", dx_json_u64(clients)) ||
	    dx_json_put(in, "update_running", cJSON_CreateBool(updating)) ||
	    dx_json_put(in, "requests", dx_json_u64(atomic_load(&srv->requests))) ||
	    dx_json_put(in, "stats", dx_stats_object(&st))) {
		cJSON_Delete(line);
		dx_session_send_error(s, CODEIDX_ENOMEM, "status: out of memory");
		return;
	}
	dx_session_send(s, line, 1);
}

int dx_server_cancel_update(codeidx_daemon_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	int was = srv->update_running;
	if (was)
		atomic_store(&srv->cancel_update, 1);
	pthread_mutex_unlock(&srv->lock);
	return was;
}

void dx_serve_cancel(dx_session *s)
{
	int was = dx_server_cancel_update(s->srv);
	if (was)
		dx_log(s->srv, "client %u cancelled the running update", s->id);
	cJSON *in = NULL, *line = dx_summary_line("cancel", &in);
	if (!line || dx_json_put(in, "was_running", cJSON_CreateBool(was))) {
		cJSON_Delete(line);
		dx_session_send_error(s, CODEIDX_ENOMEM, "cancel: out of memory");
		return;
	}
	dx_session_send(s, line, 1);
}

static void serve_shutdown(dx_session *s)
{
	dx_log(s->srv, "client %u asked for shutdown", s->id);
	cJSON *in = NULL, *line = dx_summary_line("shutdown", &in);
	if (line)
		dx_session_send(s, line, 1);
	codeidx_daemon_server_stop(s->srv);
}

/* -------------------------------------------------------------- handshake ---- */

static int send_hello(dx_session *s)
{
	cJSON *line = cJSON_CreateObject();
	if (!line || dx_json_put(line, "hello", cJSON_CreateStringReference("codeidx-daemon")) ||
	    dx_json_put(line, "version", cJSON_CreateNumber(CODEIDX_DAEMON_PROTOCOL_VERSION)) ||
	    dx_json_put(line, "root", dx_json_str_ref(s->srv->paths.root)) ||
	    dx_json_put(line, "pid", dx_json_u64((uint64_t)getpid())) ||
	    dx_json_put(line, "library", cJSON_CreateString(codeidx_version()))) {
		cJSON_Delete(line);
		return CODEIDX_ENOMEM;
	}
	return dx_session_send(s, line, 1);
}

/* Handles one line before the handshake. Returns 1 when greeted, 0 to wait for another
 * line, -1 to close. */
static int greet(dx_session *s, const char *text, size_t len)
{
	cJSON *v;
	int rc = dx_json_parse_line(text, len, &v);
	if (rc) {
		send_failure(s, rc);
		return 0;
	}
	const cJSON *hello = cJSON_GetObjectItemCaseSensitive(v, "hello");
	unsigned version = 0;
	int ok = cJSON_IsObject(v) && cJSON_IsString(hello);
	if (ok && (rc = dx_get_uint(v, "version", 1, &version))) {
		cJSON_Delete(v);
		send_failure(s, rc);
		return 0;
	}
	cJSON_Delete(v);
	if (!ok) {
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL,
				      "expected {\"hello\":\"codeidx\",\"version\":1} first");
		return 0;
	}
	if (version != CODEIDX_DAEMON_PROTOCOL_VERSION) {
		char msg[128];
		snprintf(msg, sizeof msg, "protocol version %u is not supported (this daemon "
					  "speaks version %d)",
			 version, CODEIDX_DAEMON_PROTOCOL_VERSION);
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL, msg);
		return -1;
	}
	return send_hello(s) ? -1 : 1;
}

/* --------------------------------------------------------------- requests ---- */

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static void dispatch(dx_session *s, const char *text, size_t len)
{
	cJSON *req;
	int rc = dx_json_parse_line(text, len, &req);
	if (rc) {
		send_failure(s, rc);
		return;
	}
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
	if (!cJSON_IsObject(req))
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL, "expected a JSON object");
	else if (!op)
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL, "missing field \"op\"");
	else if (!cJSON_IsString(op))
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL,
				      "field \"op\": expected a string");
	else {
		atomic_fetch_add(&s->srv->requests, 1);
		const char *name = op->valuestring;
		if (!strcmp(name, "search"))
			dx_serve_search(s, req);
		else if (!strcmp(name, "update"))
			dx_serve_update(s, req);
		else if (!strcmp(name, "status"))
			dx_serve_status(s);
		else if (!strcmp(name, "cancel"))
			dx_serve_cancel(s);
		else if (!strcmp(name, "shutdown"))
			serve_shutdown(s);
		else if (!strcmp(name, "stop"))
			; /* nothing streams: a late stop has nothing to stop */
		else {
			char msg[160];
			snprintf(msg, sizeof msg,
				 "unknown op \"%.64s\" (search, update, status, cancel, stop, "
				 "shutdown)",
				 name);
			dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL, msg);
		}
	}
	cJSON_Delete(req);
}

/* Reads the next line; on an oversized line answers and returns 0 (close). */
static int next_line(dx_session *s, const char **line, size_t *len, int timeout_ms)
{
	int rc = dx_read_line(&s->rd, line, len, timeout_ms);
	if (rc == CODEIDX_ELIMIT) {
		char msg[128];
		snprintf(msg, sizeof msg, "request line longer than %u bytes; closing",
			 CODEIDX_DAEMON_MAX_LINE);
		dx_log(s->srv, "client %u: %s", s->id, msg);
		dx_session_send_error(s, CODEIDX_ELIMIT, msg);
		return 0;
	}
	if (rc == DX_TIMEOUT) {
		dx_session_send_error(s, CODEIDX_DAEMON_EPROTOCOL, "no hello in time; closing");
		return 0;
	}
	return rc == 1;
}

static void serve(dx_session *s)
{
	const char *line;
	size_t len;
	int greeted = 0;
	while (!greeted) {
		if (!next_line(s, &line, &len, HELLO_TIMEOUT_MS))
			return;
		if (blank(line, len))
			continue;
		greeted = greet(s, line, len);
		if (greeted < 0)
			return;
	}
	while (!s->gone && !atomic_load(&s->srv->stopping)) {
		if (!next_line(s, &line, &len, -1))
			return;
		if (!blank(line, len))
			dispatch(s, line, len);
	}
}

void *dx_session_main(void *arg)
{
	dx_session *s = arg;
	codeidx_daemon_server *srv = s->srv;
	dx_log(srv, "client %u connected (pid %ld)", s->id, s->peer_pid);
	serve(s);
	dx_log(srv, "client %u disconnected", s->id);
	pthread_mutex_lock(&srv->lock);
	s->finished = 1;
	pthread_mutex_unlock(&srv->lock);
	ssize_t n = write(srv->wake[1], "r", 1);
	(void)n; /* a full pipe is already a pending wake-up */
	return NULL;
}
