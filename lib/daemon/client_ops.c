/* client_ops.c - client operations: search, update (events back to codeidx_progress), status, cancel, shutdown. */
#include "daemon/client.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/match_json.h"
#include "daemon/progress_json.h"
#include "daemon/wire.h"

/* What a streamed line is: a stream item (its payload in *item), or the terminal line
 * (summary in *item, or the daemon's error code returned). */
enum { LINE_ITEM = 1, LINE_SUMMARY = 2 };

static int classify(codeidx_daemon_client *c, const cJSON *line, const char *item_key,
		    const char *op, const cJSON **item)
{
	if ((*item = cJSON_GetObjectItemCaseSensitive(line, item_key)))
		return cJSON_IsObject(*item)
			       ? LINE_ITEM
			       : dx_client_fail(c, dx_error(CODEIDX_DAEMON_EPROTOCOL,
							    "\"%s\" is not an object", item_key));
	int rc = dx_error_line_decode(line);
	if (rc == CODEIDX_DAEMON_EPROTOCOL)
		return dx_client_fail(c, rc);
	if (rc)
		return rc;
	if ((*item = cJSON_GetObjectItemCaseSensitive(line, "summary"))) {
		rc = dx_client_check_op(c, *item, op);
		return rc ? rc : LINE_SUMMARY;
	}
	return dx_client_fail(c, dx_error(CODEIDX_DAEMON_EPROTOCOL,
					  "unexpected line while \"%s\" streams", op));
}

CODEIDX_DAEMON_API int codeidx_daemon_search(codeidx_daemon_client *c, const char *pattern,
					     size_t pattern_len,
					     const codeidx_search_options *opts,
					     codeidx_match_fn fn, void *user,
					     codeidx_search_result *result)
{
	int rc = dx_client_ready(c);
	if (rc)
		return rc;
	if (result && result->version != CODEIDX_SEARCH_RESULT_VERSION)
		return dx_error(CODEIDX_EINVAL, "search result version %u unknown",
				result->version);
	cJSON *req;
	if ((rc = dx_search_request(pattern, pattern_len, opts, &req)) ||
	    (rc = dx_client_send(c, req)))
		return rc;
	int stopped = 0;
	for (;;) {
		cJSON *line;
		const cJSON *item;
		if ((rc = dx_client_next(c, &line, -1)))
			return rc;
		int kind = classify(c, line, "match", "search", &item);
		if (kind == LINE_ITEM && !stopped && fn) {
			codeidx_match *m;
			if ((rc = dx_match_decode(item, &m))) {
				cJSON_Delete(line);
				return dx_client_fail(c, rc);
			}
			if (fn(m, user)) {
				stopped = 1;
				rc = dx_client_send_op(c, "stop");
			}
			free(m);
			if (rc) {
				cJSON_Delete(line);
				return rc;
			}
		} else if (kind == LINE_SUMMARY) {
			codeidx_search_result res = CODEIDX_SEARCH_RESULT_INIT;
			rc = dx_search_result_decode(item, &res);
			cJSON_Delete(line);
			if (rc)
				return dx_client_fail(c, rc);
			res.stopped |= stopped;
			if (result)
				*result = res;
			return 0;
		} else if (kind < 0) {
			cJSON_Delete(line);
			return kind;
		}
		cJSON_Delete(line);
	}
}

/* Delivers one event to the caller's callback with its daemon timestamp. */
static int deliver(codeidx_daemon_client *c, const codeidx_update_options *o,
		   const codeidx_progress *ev, double t)
{
	c->event_time = t;
	int stop = o->progress(ev, o->progress_user);
	c->event_time = 0;
	return stop;
}

CODEIDX_DAEMON_API int codeidx_daemon_update(codeidx_daemon_client *c,
					     const codeidx_update_options *opts,
					     codeidx_update_result *result)
{
	int rc = dx_client_ready(c);
	if (rc)
		return rc;
	codeidx_update_options defaults = CODEIDX_UPDATE_OPTIONS_INIT;
	const codeidx_update_options *o = opts ? opts : &defaults;
	if (result && result->version != CODEIDX_UPDATE_RESULT_VERSION)
		return dx_error(CODEIDX_EINVAL, "update result version %u unknown",
				result->version);
	cJSON *req;
	if ((rc = dx_update_request(o, &req)) || (rc = dx_client_send(c, req)))
		return rc;
	/* After the callback asks to stop, events already in flight are held back: only
	 * the run's last one (the cancelled event) is delivered, as in-process. */
	int stopped = 0;
	codeidx_progress *held = NULL;
	double held_t = 0;
	for (;;) {
		cJSON *line;
		const cJSON *item;
		if ((rc = dx_client_next(c, &line, -1)))
			break;
		int kind = classify(c, line, "progress", "update", &item);
		if (kind == LINE_ITEM && o->progress) {
			codeidx_progress *ev;
			double t = 0;
			if (dx_get_double(line, "t", 0, &t))
				t = 0; /* absent or not a number: unknown */
			if ((rc = dx_progress_decode(item, &ev))) {
				cJSON_Delete(line);
				rc = dx_client_fail(c, rc);
				break;
			}
			if (stopped) {
				free(held);
				held = ev;
				held_t = t;
			} else {
				if (deliver(c, o, ev, t)) {
					stopped = 1;
					rc = dx_client_send_op(c, "stop");
				}
				free(ev);
				if (rc) {
					cJSON_Delete(line);
					break;
				}
			}
		} else if (kind == LINE_ITEM && !o->progress) {
			/* Not asked for; ignore. */
		} else if (kind == LINE_SUMMARY) {
			codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
			const cJSON *r = NULL;
			rc = dx_get_object(item, "result", 1, &r);
			if (!rc)
				rc = dx_update_result_decode(r, &res);
			cJSON_Delete(line);
			if (rc) {
				rc = dx_client_fail(c, rc);
				break;
			}
			if (held)
				deliver(c, o, held, held_t);
			if (result)
				*result = res;
			rc = 0;
			break;
		} else if (kind < 0) {
			cJSON_Delete(line);
			if (held && !c->broken)
				deliver(c, o, held, held_t);
			rc = kind;
			break;
		}
		cJSON_Delete(line);
	}
	free(held);
	return rc;
}

CODEIDX_DAEMON_API int codeidx_daemon_status_get(codeidx_daemon_client *c,
						 codeidx_daemon_status *st)
{
	int rc = dx_client_ready(c);
	if (rc)
		return rc;
	if (!st || st->version != CODEIDX_DAEMON_STATUS_VERSION ||
	    st->stats.version != CODEIDX_STATS_VERSION)
		return dx_error(CODEIDX_EINVAL, "status: NULL or unknown version (use "
						"CODEIDX_DAEMON_STATUS_INIT)");
	cJSON *line;
	const cJSON *s, *stats, *root;
	size_t len;
	if ((rc = dx_client_send_op(c, "status")) ||
	    (rc = dx_client_summary(c, "status", &line, &s)))
		return rc;
	codeidx_daemon_status out = CODEIDX_DAEMON_STATUS_INIT;
	uint64_t pid = 0;
	if ((rc = dx_get_bytes(s, "root", 1, &root, &len)) ||
	    (rc = dx_get_u64(s, "pid", 1, &pid)) ||
	    (rc = dx_get_double(s, "uptime_seconds", 1, &out.uptime_seconds)) ||
	    (rc = dx_get_uint(s, "clients", 1, &out.clients)) ||
	    (rc = dx_get_bool(s, "update_running", 1, &out.update_running)) ||
	    (rc = dx_get_u64(s, "requests", 1, &out.requests)) ||
	    (rc = dx_get_object(s, "stats", 1, &stats)) ||
	    (rc = dx_stats_decode(stats, &out.stats))) {
		cJSON_Delete(line);
		return dx_client_fail(c, rc);
	}
	char *r = malloc(len + 1);
	if (!r) {
		cJSON_Delete(line);
		return dx_error(CODEIDX_ENOMEM, "out of memory");
	}
	dx_bytes_copy(root, r);
	r[len] = '\0';
	cJSON_Delete(line);
	free(c->status_root);
	c->status_root = r;
	out.root = r;
	out.pid = (long)pid;
	*st = out;
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_cancel(codeidx_daemon_client *c, int *was_running)
{
	int rc = dx_client_ready(c);
	if (rc)
		return rc;
	cJSON *line;
	const cJSON *s;
	if ((rc = dx_client_send_op(c, "cancel")) ||
	    (rc = dx_client_summary(c, "cancel", &line, &s)))
		return rc;
	int was = 0;
	rc = dx_get_bool(s, "was_running", 1, &was);
	cJSON_Delete(line);
	if (rc)
		return dx_client_fail(c, rc);
	if (was_running)
		*was_running = was;
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_shutdown(codeidx_daemon_client *c)
{
	int rc = dx_client_ready(c);
	if (rc)
		return rc;
	cJSON *line;
	const cJSON *s;
	if ((rc = dx_client_send_op(c, "shutdown")) ||
	    (rc = dx_client_summary(c, "shutdown", &line, &s)))
		return rc;
	cJSON_Delete(line);
	return 0;
}
