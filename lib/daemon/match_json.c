/* match_json.c - search matches to JSON and back, exactly (path and line text as raw bytes). */
#include "daemon/match_json.h"

#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/jsonval.h"

cJSON *dx_match_object(const codeidx_match *m, int *rc)
{
	*rc = CODEIDX_EINVAL;
	if (!m->path || (!m->text && m->text_len) || (!m->spans && m->n_spans)) {
		dx_error(CODEIDX_EINVAL, "match: NULL path, text or spans");
		return NULL;
	}
	*rc = CODEIDX_ENOMEM;
	cJSON *o = cJSON_CreateObject();
	cJSON *spans = cJSON_CreateArray();
	if (!o || !spans) {
		cJSON_Delete(o);
		cJSON_Delete(spans);
		return NULL;
	}
	if (dx_json_put(o, "path", dx_json_bytes(m->path, strlen(m->path))) ||
	    dx_json_put(o, "line", dx_json_u64(m->line)) ||
	    dx_json_put(o, "column", dx_json_u64(m->column)) ||
	    dx_json_put(o, "text", dx_json_bytes(m->text ? m->text : "", m->text_len))) {
		cJSON_Delete(spans);
		goto fail;
	}
	if (dx_json_put(o, "spans", spans))
		goto fail;
	for (size_t i = 0; i < m->n_spans; i++) {
		cJSON *pair = cJSON_CreateArray();
		cJSON *s = dx_json_u64(m->spans[i].start), *e = dx_json_u64(m->spans[i].end);
		if (!pair || !s || !e || !cJSON_AddItemToArray(pair, s)) {
			cJSON_Delete(pair);
			cJSON_Delete(s);
			cJSON_Delete(e);
			goto fail;
		}
		if (!cJSON_AddItemToArray(pair, e)) {
			cJSON_Delete(pair);
			cJSON_Delete(e);
			goto fail;
		}
		if (!cJSON_AddItemToArray(spans, pair)) {
			cJSON_Delete(pair);
			goto fail;
		}
	}
	if (dx_json_put(o, "context", cJSON_CreateBool(m->is_context != 0)) ||
	    dx_json_put(o, "file_start", cJSON_CreateBool(m->file_start != 0)))
		goto fail;
	*rc = 0;
	return o;
fail:
	dx_error(CODEIDX_ENOMEM, "match: out of memory");
	cJSON_Delete(o);
	return NULL;
}

CODEIDX_DAEMON_API int codeidx_daemon_match_to_json(const codeidx_match *m, char **out,
						     size_t *len)
{
	dx_error_clear();
	if (!m || !out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_match_to_json: NULL argument");
	*out = NULL;
	int rc;
	cJSON *inner = dx_match_object(m, &rc);
	if (!inner)
		return rc;
	cJSON *line = cJSON_CreateObject();
	if (dx_json_put(line, "match", inner) || !(*out = dx_json_print(line, len))) {
		cJSON_Delete(line);
		return dx_error(CODEIDX_ENOMEM, "match: out of memory");
	}
	cJSON_Delete(line);
	return 0;
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
	int rc = dx_json_parse_line(line ? line : "", len, &v);
	if (rc)
		return rc;
	const cJSON *inner = NULL;
	if (!cJSON_IsObject(v))
		rc = dx_error(CODEIDX_DAEMON_EPROTOCOL, "expected a JSON object");
	else
		rc = dx_get_object(v, "match", 1, &inner);
	if (!rc)
		rc = dx_match_decode(inner, out);
	cJSON_Delete(v);
	return rc;
}

CODEIDX_DAEMON_API void codeidx_daemon_match_free(codeidx_match *m)
{
	free(m); /* the match is the start of its block */
}
