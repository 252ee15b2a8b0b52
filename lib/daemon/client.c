/* client.c - connecting to a daemon (peer uid check, handshake) and the client's line plumbing. */
#include "daemon/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/paths.h"
#include "daemon/wire.h"

#define DEFAULT_TIMEOUT_MS 5000u

int dx_client_fail(codeidx_daemon_client *c, int rc)
{
	c->broken = 1;
	return rc;
}

int dx_client_ready(codeidx_daemon_client *c)
{
	dx_error_clear();
	if (!c)
		return dx_error(CODEIDX_EINVAL, "client is NULL");
	if (c->broken)
		return dx_error(CODEIDX_DAEMON_EDISCONNECTED,
				"the connection to the daemon was lost earlier");
	return 0;
}

int dx_client_send(codeidx_daemon_client *c, cJSON *req)
{
	size_t len;
	char *text = dx_json_print(req, &len);
	cJSON_Delete(req);
	if (!text)
		return dx_error(CODEIDX_ENOMEM, "request: out of memory");
	text[len] = '\n'; /* replaces the NUL: send len + 1 bytes */
	int rc = dx_write_all(c->fd, text, len + 1);
	free(text);
	return rc ? dx_client_fail(c, rc) : 0;
}

int dx_client_send_op(codeidx_daemon_client *c, const char *op)
{
	cJSON *req = cJSON_CreateObject();
	if (!req || dx_json_put(req, "op", cJSON_CreateStringReference(op))) {
		cJSON_Delete(req);
		return dx_error(CODEIDX_ENOMEM, "request: out of memory");
	}
	return dx_client_send(c, req);
}

int dx_client_next(codeidx_daemon_client *c, cJSON **out, int timeout_ms)
{
	const char *line;
	size_t len;
	*out = NULL;
	int rc = dx_read_line(&c->rd, &line, &len, timeout_ms);
	if (rc == 0)
		return dx_client_fail(c, dx_error(CODEIDX_DAEMON_EDISCONNECTED,
						  "the daemon closed the connection"));
	if (rc == DX_TIMEOUT)
		return dx_client_fail(c, dx_error(CODEIDX_DAEMON_EDISCONNECTED,
						  "no answer from the daemon within %d ms",
						  timeout_ms));
	if (rc < 0)
		return dx_client_fail(c, rc);
	rc = dx_json_parse_line(line, len, out);
	if (!rc && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		rc = dx_error(CODEIDX_DAEMON_EPROTOCOL, "the daemon sent a line that is not an object");
	}
	return rc ? dx_client_fail(c, rc) : 0;
}

int dx_client_check_op(codeidx_daemon_client *c, const cJSON *summary, const char *op)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(summary, "op");
	if (cJSON_IsObject(summary) && cJSON_IsString(o) && !strcmp(o->valuestring, op))
		return 0;
	return dx_client_fail(c, dx_error(CODEIDX_DAEMON_EPROTOCOL,
					  "expected the summary of \"%s\" from the daemon", op));
}

int dx_client_summary(codeidx_daemon_client *c, const char *op, cJSON **line,
		      const cJSON **summary)
{
	int rc = dx_client_next(c, line, -1);
	if (rc)
		return rc;
	if ((rc = dx_error_line_decode(*line)) == 0) {
		*summary = cJSON_GetObjectItemCaseSensitive(*line, "summary");
		rc = dx_client_check_op(c, *summary, op);
	} else if (rc == CODEIDX_DAEMON_EPROTOCOL) {
		dx_client_fail(c, rc);
	}
	if (rc) {
		cJSON_Delete(*line);
		*line = NULL;
	}
	return rc;
}

/* Connects the socket within the timeout (the socket's send timeout bounds a connect
 * to a daemon whose backlog is full). */
static int connect_socket(codeidx_daemon_client *c, const dx_paths *p, unsigned timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, p->sock, strlen(p->sock) + 1); /* length checked by dx_paths_get */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return dx_error_errno(CODEIDX_EIO, "socket");
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa)) {
		if (errno == ENOENT)
			return dx_error(CODEIDX_DAEMON_ENOTRUNNING,
					"no daemon serves %s (no socket at %s)", p->root, p->sock);
		if (errno == ECONNREFUSED)
			return dx_error(CODEIDX_DAEMON_ENOTRUNNING,
					"no daemon serves %s (stale socket at %s)", p->root, p->sock);
		if (errno == EACCES || errno == EPERM)
			return dx_error_errno(CODEIDX_DAEMON_EPERM, "cannot connect to %s", p->sock);
		if (errno == EAGAIN || errno == EINPROGRESS)
			return dx_error(CODEIDX_DAEMON_EDISCONNECTED,
					"the daemon at %s did not accept within %u ms", p->sock,
					timeout_ms);
		return dx_error_errno(CODEIDX_EIO, "cannot connect to %s", p->sock);
	}
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return dx_error_errno(CODEIDX_EIO, "SO_PEERCRED on %s", p->sock);
	if (cred.uid != geteuid())
		return dx_error(CODEIDX_DAEMON_EPERM,
				"the process at %s runs as uid %lu, not as this user (uid %lu)",
				p->sock, (unsigned long)cred.uid, (unsigned long)geteuid());
	struct timeval none = {0};
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
	return 0;
}

static int handshake(codeidx_daemon_client *c, unsigned timeout_ms)
{
	cJSON *hello = cJSON_CreateObject();
	if (!hello || dx_json_put(hello, "hello", cJSON_CreateStringReference("codeidx")) ||
	    dx_json_put(hello, "version", cJSON_CreateNumber(CODEIDX_DAEMON_PROTOCOL_VERSION))) {
		cJSON_Delete(hello);
		return dx_error(CODEIDX_ENOMEM, "out of memory");
	}
	/* Read the answer even if sending failed: a daemon that refuses the connection
	 * (another uid, too many clients) writes its reason and closes at once. */
	int sent = dx_client_send(c, hello);
	char keep[512];
	snprintf(keep, sizeof keep, "%s", codeidx_daemon_error_detail());
	cJSON *line = NULL;
	int rc = dx_client_next(c, &line, (int)timeout_ms);
	if (rc && sent)
		return dx_error(sent, "%s", keep);
	if (rc)
		return rc;
	if ((rc = dx_error_line_decode(line))) {
		cJSON_Delete(line);
		return rc;
	}
	const cJSON *who = cJSON_GetObjectItemCaseSensitive(line, "hello");
	unsigned version = 0;
	const cJSON *root = NULL;
	size_t len = 0;
	if (!cJSON_IsString(who) || strcmp(who->valuestring, "codeidx-daemon") ||
	    dx_get_uint(line, "version", 1, &version) ||
	    dx_get_bytes(line, "root", 1, &root, &len)) {
		cJSON_Delete(line);
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "the peer is not a codeidx daemon");
	}
	if (version != CODEIDX_DAEMON_PROTOCOL_VERSION) {
		cJSON_Delete(line);
		return dx_error(CODEIDX_DAEMON_EPROTOCOL,
				"the daemon speaks protocol version %u, this client %d", version,
				CODEIDX_DAEMON_PROTOCOL_VERSION);
	}
	c->root = malloc(len + 1);
	if (c->root) {
		dx_bytes_copy(root, c->root);
		c->root[len] = '\0';
	}
	cJSON_Delete(line);
	return c->root ? 0 : dx_error(CODEIDX_ENOMEM, "out of memory");
}

CODEIDX_DAEMON_API int codeidx_daemon_connect(codeidx_daemon_client **out, const char *root,
					      const codeidx_daemon_connect_options *opts)
{
	dx_error_clear();
	if (!out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_connect: out is NULL");
	*out = NULL;
	codeidx_daemon_connect_options defaults = CODEIDX_DAEMON_CONNECT_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	if (opts->version != CODEIDX_DAEMON_CONNECT_OPTIONS_VERSION)
		return dx_error(CODEIDX_EINVAL, "connect options version %u unknown", opts->version);
	unsigned timeout = opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (timeout > 24u * 3600 * 1000)
		return dx_error(CODEIDX_EINVAL, "connect timeout %u ms is too long", timeout);
	dx_paths p;
	int rc = dx_paths_get(root, &p);
	if (rc)
		return rc;
	codeidx_daemon_client *c = calloc(1, sizeof *c);
	if (!c) {
		dx_paths_release(&p);
		return dx_error(CODEIDX_ENOMEM, "out of memory");
	}
	c->fd = -1;
	rc = connect_socket(c, &p, timeout);
	dx_paths_release(&p);
	dx_reader_init(&c->rd, c->fd, DX_CLIENT_MAX_LINE);
	if (!rc)
		rc = handshake(c, timeout);
	if (rc) {
		codeidx_daemon_disconnect(c);
		return rc;
	}
	*out = c;
	return 0;
}

CODEIDX_DAEMON_API void codeidx_daemon_disconnect(codeidx_daemon_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	dx_reader_release(&c->rd);
	free(c->root);
	free(c->status_root);
	free(c);
}

CODEIDX_DAEMON_API const char *codeidx_daemon_client_root(const codeidx_daemon_client *c)
{
	return c ? c->root : NULL;
}

CODEIDX_DAEMON_API double codeidx_daemon_client_event_time(const codeidx_daemon_client *c)
{
	return c ? c->event_time : 0;
}
