/* serve_update.c - the update request: one at a time, each progress event sent as one stamped JSON line. */
#include "daemon/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/progress_json.h"
#include "daemon/wire.h"

typedef struct update_ctx {
	dx_session *s;
	int send_events;   /* the client asked for progress lines */
	int stop;          /* the client asked to stop on this connection */
	int encode_failed; /* an event could not be encoded (reported once in the log) */
} update_ctx;

static void send_event(update_ctx *c, const codeidx_progress *ev, double t)
{
	dx_jw *w = &c->s->jw;
	dx_jw_reset(w);
	dx_jw_lit(w, "{\"progress\":");
	int rc = dx_progress_write(w, ev);
	dx_jw_lit(w, ",\"t\":");
	dx_jw_double(w, t);
	dx_jw_lit(w, "}");
	if (rc || w->oom) {
		if (!c->encode_failed++)
			dx_log(c->s->srv, "client %u: cannot write a progress event: %s", c->s->id,
			       rc ? codeidx_daemon_error_detail() : "out of memory");
		return;
	}
	dx_session_send_text(c->s, w->buf, w->len, 1);
}

/* Runs on this session's thread, called by codeidx_update, one event at a time. */
static int on_progress(const codeidx_progress *ev, void *user)
{
	double t = dx_now();
	update_ctx *c = user;
	dx_session *s = c->s;
	codeidx_daemon_server *srv = s->srv;
	if (srv->opts.progress_observer)
		srv->opts.progress_observer(ev, srv->opts.progress_observer_user);
	if (c->send_events && !s->gone)
		send_event(c, ev, t);
	const char *op = dx_session_poll_stop(s, 1);
	if (op) {
		c->stop = 1;
		if (!strcmp(op, "cancel")) {
			/* A cancel on the streaming connection is answered in the stream. */
			dx_server_cancel_update(srv);
			cJSON *in = NULL, *line = dx_summary_line("cancel", &in);
			if (line && !dx_json_put(in, "was_running", cJSON_CreateTrue()))
				dx_session_send(s, line, 1);
			else
				cJSON_Delete(line);
		}
	}
	return c->stop || atomic_load(&srv->cancel_update) || atomic_load(&srv->stopping);
}

/* Claims the daemon's one update slot; 0, or the id of the client holding it. */
static unsigned claim(dx_session *s)
{
	codeidx_daemon_server *srv = s->srv;
	pthread_mutex_lock(&srv->lock);
	unsigned holder = srv->update_running ? srv->update_client : 0;
	if (!holder) {
		srv->update_running = 1;
		srv->update_client = s->id;
		atomic_store(&srv->cancel_update, 0);
	}
	pthread_mutex_unlock(&srv->lock);
	return holder;
}

static void release_slot(codeidx_daemon_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	srv->update_running = 0;
	srv->update_client = 0;
	atomic_store(&srv->cancel_update, 0);
	pthread_mutex_unlock(&srv->lock);
}

static void send_summary(dx_session *s, const codeidx_update_result *res)
{
	codeidx_stats st = CODEIDX_STATS_INIT;
	int rc = codeidx_stats_get(s->srv->idx, &st);
	if (rc) {
		dx_error_core(rc, "update done; stats");
		dx_session_send_error(s, rc, codeidx_daemon_error_detail());
		return;
	}
	cJSON *in = NULL, *line = dx_summary_line("update", &in);
	if (!line || dx_json_put(in, "result", dx_update_result_object(res)) ||
	    dx_json_put(in, "stats", dx_stats_object(&st))) {
		cJSON_Delete(line);
		dx_session_send_error(s, CODEIDX_ENOMEM, "update: out of memory");
		return;
	}
	dx_session_send(s, line, 1);
}

void dx_serve_update(dx_session *s, const cJSON *req)
{
	codeidx_daemon_server *srv = s->srv;
	dx_update_req r;
	int rc = dx_update_req_decode(req, &r);
	if (rc) {
		dx_session_send_error(s, rc, codeidx_daemon_error_detail());
		return;
	}
	unsigned holder = claim(s);
	if (holder) {
		char msg[128];
		snprintf(msg, sizeof msg, "an update is already running (started by client %u)",
			 holder);
		dx_session_send_error(s, CODEIDX_DAEMON_EBUSY, msg);
		dx_update_req_release(&r);
		return;
	}
	dx_log(srv, "client %u: update started", s->id);
	update_ctx c = {.s = s, .send_events = r.progress};
	r.opts.progress = on_progress; /* always: it also watches for cancels */
	/* A daemon is a background service: its index workers yield the CPUs to the
	 * requests it serves (progress lines included) and to the rest of the machine. */
	r.opts.flags |= CODEIDX_UPDATE_BACKGROUND;
	r.opts.progress_user = &c;
	codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(srv->idx, &r.opts, &res);
	release_slot(srv);
	dx_update_req_release(&r);
	if (rc) {
		dx_error_core(rc, "update");
		dx_log(srv, "client %u: update ended: %s", s->id, codeidx_daemon_error_detail());
		dx_session_send_error(s, rc, codeidx_daemon_error_detail());
		return;
	}
	dx_log(srv, "client %u: update committed generation %llu", s->id,
	       (unsigned long long)res.generation);
	send_summary(s, &res);
}
