/* match_json.c - search matches to JSON and back, exactly (path and line text as raw bytes). */
#include "daemon/match_json.h"

#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/jsonval.h"

int dx_match_write(dx_jw *w, const codeidx_match *m)
{
	if (!m->path || (!m->text && m->text_len) || (!m->spans && m->n_spans))
		return dx_error(CODEIDX_EINVAL, "match: NULL path, text or spans");
	dx_jw_lit(w, "{\"path\":");
	dx_jw_bytes(w, m->path, strlen(m->path));
	dx_jw_lit(w, ",\"line\":");
	dx_jw_u64(w, m->line);
	dx_jw_lit(w, ",\"column\":");
	dx_jw_u64(w, m->column);
	dx_jw_lit(w, ",\"text\":");
	dx_jw_bytes(w, m->text ? m->text : "", m->text_len);
	dx_jw_lit(w, ",\"spans\":[");
	for (size_t i = 0; i < m->n_spans; i++) {
		if (i)
			dx_jw_lit(w, ",");
		dx_jw_lit(w, "[");
		dx_jw_u64(w, m->spans[i].start);
		dx_jw_lit(w, ",");
		dx_jw_u64(w, m->spans[i].end);
		dx_jw_lit(w, "]");
	}
	dx_jw_lit(w, "],\"context\":");
	dx_jw_bool(w, m->is_context != 0);
	dx_jw_lit(w, ",\"file_start\":");
	dx_jw_bool(w, m->file_start != 0);
	dx_jw_lit(w, "}");
	return w->oom ? dx_error(CODEIDX_ENOMEM, "match: out of memory") : 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_match_to_json(const codeidx_match *m, char **out,
						     size_t *len)
{
	dx_error_clear();
	if (!m || !out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_match_to_json: NULL argument");
	*out = NULL;
	dx_jw w = {0};
	dx_jw_lit(&w, "{\"match\":");
	int rc = dx_match_write(&w, m);
	dx_jw_lit(&w, "}");
	return dx_jw_finish(&w, rc, "match", out, len);
}

/* The match, its spans, then path and text, in one allocation. */
typedef struct block {
	codeidx_match m;
	codeidx_span spans[];
} block;

/* Reads span i ([start, end]) and checks it lies within the text. */
static int read_span(const cJSON *pair, size_t i, size_t text_len, codeidx_span *out)
{
	uint64_t v[2];
	const cJSON *e = NULL;
	int k = 0;
	if (cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2) {
		cJSON_ArrayForEach(e, pair)
		{
			double d = cJSON_IsNumber(e) ? e->valuedouble : -1;
			if (!(d >= 0 && d <= (double)text_len) || d != (double)(uint64_t)d)
				break;
			v[k++] = (uint64_t)d;
		}
	}
	if (k != 2 || v[0] > v[1])
		return dx_error(CODEIDX_DAEMON_EPROTOCOL,
				"spans[%zu]: expected [start, end] with start <= end <= %zu", i,
				text_len);
	out->start = (size_t)v[0];
	out->end = (size_t)v[1];
	return 0;
}

int dx_match_decode(const cJSON *obj, codeidx_match **out)
{
	*out = NULL;
	codeidx_match m = {0};
	const cJSON *path = NULL, *text = NULL, *spans = NULL;
	size_t plen = 0, tlen = 0, n_spans = 0;
	int rc;
	if ((rc = dx_get_bytes(obj, "path", 1, &path, &plen)) ||
	    (rc = dx_get_u64(obj, "line", 1, &m.line)) ||
	    (rc = dx_get_u64(obj, "column", 1, &m.column)) ||
	    (rc = dx_get_bytes(obj, "text", 1, &text, &tlen)) ||
	    (rc = dx_get_array(obj, "spans", 1, &spans, &n_spans)) ||
	    (rc = dx_get_bool(obj, "context", 1, &m.is_context)) ||
	    (rc = dx_get_bool(obj, "file_start", 1, &m.file_start)))
		return rc;
	size_t size = sizeof(block), extra;
	if (n_spans > SIZE_MAX / sizeof(codeidx_span) / 2 ||
	    __builtin_add_overflow(plen, tlen, &extra) ||
	    __builtin_add_overflow(extra, (size_t)2, &extra) ||
	    __builtin_add_overflow(size, n_spans * sizeof(codeidx_span), &size) ||
	    __builtin_add_overflow(size, extra, &size))
		return dx_error(CODEIDX_ELIMIT, "match too large");
	block *b = malloc(size);
	if (!b)
		return dx_error(CODEIDX_ENOMEM, "match: out of memory");
	size_t i = 0;
	const cJSON *pair;
	cJSON_ArrayForEach(pair, spans)
	{
		if ((rc = read_span(pair, i, tlen, &b->spans[i]))) {
			free(b);
			return rc;
		}
		i++;
	}
	char *p = (char *)(b->spans + n_spans);
	size_t n = dx_bytes_copy(path, p);
	if (memchr(p, 0, n)) {
		free(b);
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "field \"path\": holds a NUL byte");
	}
	p[n] = '\0';
	char *t = p + n + 1;
	dx_bytes_copy(text, t);
	t[tlen] = '\0';
	b->m = m;
	b->m.path = p;
	b->m.text = t;
	b->m.text_len = tlen;
	b->m.spans = b->spans;
	b->m.n_spans = n_spans;
	*out = &b->m;
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_match_from_json(const char *line, size_t len,
						       codeidx_match **out)
{
	dx_error_clear();
	if (!out || (!line && len))
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_match_from_json: NULL argument");
	*out = NULL;
	cJSON *v;
	const cJSON *inner;
	int rc = dx_json_parse_envelope(line, len, "match", &v, &inner);
	if (!rc)
		rc = dx_match_decode(inner, out);
	cJSON_Delete(v);
	return rc;
}

CODEIDX_DAEMON_API void codeidx_daemon_match_free(codeidx_match *m)
{
	free(m); /* the match is the start of its block */
}
