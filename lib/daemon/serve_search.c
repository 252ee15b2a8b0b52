/* serve_search.c - the search request: codeidx_search streamed as match lines, then the summary. */
#include "daemon/server.h"

#include <stdio.h>
#include <stdlib.h>

#include "daemon/error.h"
#include "daemon/jsonval.h"
#include "daemon/match_json.h"
#include "daemon/wire.h"

#define POLL_EVERY 64 /* matches between looks at the socket for a stop */

typedef struct search_ctx {
	dx_session *s;
	unsigned long n;
	int failed; /* a match could not be written (out of memory) */
} search_ctx;

static int on_match(const codeidx_match *m, void *user)
{
	search_ctx *c = user;
	dx_session *s = c->s;
	if (s->gone || atomic_load(&s->srv->stopping))
		return 1;
	dx_jw *w = &s->jw;
	dx_jw_reset(w);
	dx_jw_lit(w, "{\"match\":");
	int rc = dx_match_write(w, m);
	dx_jw_lit(w, "}");
	if (rc || w->oom) {
		c->failed = 1;
		return 1;
	}
	if (dx_session_send_text(s, w->buf, w->len, 0))
		return 1;
	if (++c->n % POLL_EVERY == 0 && dx_session_poll_stop(s, 0))
		return 1;
	return 0;
}

void dx_serve_search(dx_session *s, const cJSON *req)
{
	dx_search_req r;
	int rc = dx_search_req_decode(req, &r);
	if (rc) {
		dx_session_send_error(s, rc, codeidx_daemon_error_detail());
		return;
	}
	search_ctx c = {.s = s};
	codeidx_search_result res = CODEIDX_SEARCH_RESULT_INIT;
	rc = codeidx_search(s->srv->idx, r.pattern, r.pattern_len, &r.opts, on_match, &c, &res);
	dx_search_req_release(&r);
	if (!rc && c.failed)
		rc = dx_error(CODEIDX_ENOMEM, "search: out of memory encoding a match");
	else if (rc)
		dx_error_core(rc, "search");
	if (rc) {
		dx_session_send_error(s, rc, codeidx_daemon_error_detail());
		return;
	}
	cJSON *in = NULL, *line = dx_summary_line("search", &in);
	if (!line || dx_search_result_put(in, &res)) {
		cJSON_Delete(line);
		dx_session_send_error(s, CODEIDX_ENOMEM, "search: out of memory");
		return;
	}
	dx_session_send(s, line, 1);
}
