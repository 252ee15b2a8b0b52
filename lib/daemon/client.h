/* client.h - one connection to a daemon (socket, reader, state) and the plumbing the client operations share. */
#ifndef DX_CLIENT_H
#define DX_CLIENT_H

#include <cjson/cJSON.h>

#include "codeidx_daemon.h"
#include "daemon/lineio.h"

/* The longest line the client accepts from the daemon: a match line holds a whole
 * source line, which may be megabytes long (and grows by base64 or escaping). */
#define DX_CLIENT_MAX_LINE ((size_t)1 << 30)

struct codeidx_daemon_client {
	int fd;
	dx_reader rd;
	char *root;        /* canonical root, from the daemon's hello */
	char *status_root; /* the root of the last status reply */
	int broken;        /* the connection is lost or out of step: refuse further calls */
	double event_time; /* daemon time of the event being delivered; 0 outside callbacks */
};

/* Sends one request line (frees `req`). */
int dx_client_send(codeidx_daemon_client *c, cJSON *req);
/* Sends the small request {"op":op}. */
int dx_client_send_op(codeidx_daemon_client *c, const char *op);
/* Reads and parses the next line (timeout_ms -1 = wait forever). On end of stream,
 * timeout or garbage, marks the client broken. */
int dx_client_next(codeidx_daemon_client *c, cJSON **line, int timeout_ms);
/* Marks the client broken and returns `rc`. */
int dx_client_fail(codeidx_daemon_client *c, int rc);
/* Reads the terminal line of `op` (no stream expected): 0 with *line and *summary (the
 * {"summary":...} member), or the daemon's error code. */
int dx_client_summary(codeidx_daemon_client *c, const char *op, cJSON **line,
		      const cJSON **summary);
/* Checks that a {"summary":...} object belongs to `op`. */
int dx_client_check_op(codeidx_daemon_client *c, const cJSON *summary, const char *op);
/* Entry check of every client call. */
int dx_client_ready(codeidx_daemon_client *c);

#endif
