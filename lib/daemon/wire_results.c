/* wire_results.c - index stats, update results and search results as JSON and back. */
#include "daemon/wire.h"

#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/jsonval.h"

static cJSON *skipped_object(const uint64_t *skipped)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	for (unsigned i = 0; i < CODEIDX_SKIP__COUNT; i++) {
		if (dx_json_put(o, codeidx_skip_reason_name((codeidx_skip_reason)i),
				dx_json_u64(skipped[i]))) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static int skipped_decode(const cJSON *o, uint64_t *skipped)
{
	const cJSON *s;
	int rc = dx_get_object(o, "skipped", 1, &s);
	for (unsigned i = 0; !rc && i < CODEIDX_SKIP__COUNT; i++)
		rc = dx_get_u64(s, codeidx_skip_reason_name((codeidx_skip_reason)i), 1,
				&skipped[i]);
	return rc;
}

cJSON *dx_stats_object(const codeidx_stats *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (dx_json_put(o, "generation", dx_json_u64(s->generation)) ||
	    dx_json_put(o, "files", dx_json_u64(s->files)) ||
	    dx_json_put(o, "bytes", dx_json_u64(s->bytes)) ||
	    dx_json_put(o, "segments", dx_json_u64(s->segments)) ||
	    dx_json_put(o, "deleted_docs", dx_json_u64(s->deleted_docs)) ||
	    dx_json_put(o, "index_bytes", dx_json_u64(s->index_bytes)) ||
	    dx_json_put(o, "trigrams", dx_json_u64(s->trigrams)) ||
	    dx_json_put(o, "skipped", skipped_object(s->skipped))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int dx_stats_decode(const cJSON *o, codeidx_stats *s)
{
	int rc;
	if ((rc = dx_get_u64(o, "generation", 1, &s->generation)) ||
	    (rc = dx_get_u64(o, "files", 1, &s->files)) ||
	    (rc = dx_get_u64(o, "bytes", 1, &s->bytes)) ||
	    (rc = dx_get_u64(o, "segments", 1, &s->segments)) ||
	    (rc = dx_get_u64(o, "deleted_docs", 1, &s->deleted_docs)) ||
	    (rc = dx_get_u64(o, "index_bytes", 1, &s->index_bytes)) ||
	    (rc = dx_get_u64(o, "trigrams", 1, &s->trigrams)))
		return rc;
	return skipped_decode(o, s->skipped);
}

cJSON *dx_update_result_object(const codeidx_update_result *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (dx_json_put(o, "generation", dx_json_u64(r->generation)) ||
	    dx_json_put(o, "files_new", dx_json_u64(r->files_new)) ||
	    dx_json_put(o, "files_changed", dx_json_u64(r->files_changed)) ||
	    dx_json_put(o, "files_touched", dx_json_u64(r->files_touched)) ||
	    dx_json_put(o, "files_unchanged", dx_json_u64(r->files_unchanged)) ||
	    dx_json_put(o, "files_deleted", dx_json_u64(r->files_deleted)) ||
	    dx_json_put(o, "bytes_indexed", dx_json_u64(r->bytes_indexed)) ||
	    dx_json_put(o, "segments_written", dx_json_u64(r->segments_written)) ||
	    dx_json_put(o, "segments_merged", dx_json_u64(r->segments_merged)) ||
	    dx_json_put(o, "skipped", skipped_object(r->skipped)) ||
	    dx_json_put(o, "seconds", dx_json_double(r->seconds))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int dx_update_result_decode(const cJSON *o, codeidx_update_result *r)
{
	int rc;
	if ((rc = dx_get_u64(o, "generation", 1, &r->generation)) ||
	    (rc = dx_get_u64(o, "files_new", 1, &r->files_new)) ||
	    (rc = dx_get_u64(o, "files_changed", 1, &r->files_changed)) ||
	    (rc = dx_get_u64(o, "files_touched", 1, &r->files_touched)) ||
	    (rc = dx_get_u64(o, "files_unchanged", 1, &r->files_unchanged)) ||
	    (rc = dx_get_u64(o, "files_deleted", 1, &r->files_deleted)) ||
	    (rc = dx_get_u64(o, "bytes_indexed", 1, &r->bytes_indexed)) ||
	    (rc = dx_get_u64(o, "segments_written", 1, &r->segments_written)) ||
	    (rc = dx_get_u64(o, "segments_merged", 1, &r->segments_merged)) ||
	    (rc = dx_get_double(o, "seconds", 1, &r->seconds)))
		return rc;
	return skipped_decode(o, r->skipped);
}

int dx_search_result_put(cJSON *o, const codeidx_search_result *r)
{
	if (dx_json_put(o, "generation", dx_json_u64(r->generation)) ||
	    dx_json_put(o, "files_indexed", dx_json_u64(r->files_indexed)) ||
	    dx_json_put(o, "candidates", dx_json_u64(r->candidates)) ||
	    dx_json_put(o, "files_matched", dx_json_u64(r->files_matched)) ||
	    dx_json_put(o, "lines_matched", dx_json_u64(r->lines_matched)) ||
	    dx_json_put(o, "stopped", cJSON_CreateBool(r->stopped != 0)))
		return -1;
	return 0;
}

int dx_search_result_decode(const cJSON *o, codeidx_search_result *r)
{
	int rc;
	if ((rc = dx_get_u64(o, "generation", 1, &r->generation)) ||
	    (rc = dx_get_u64(o, "files_indexed", 1, &r->files_indexed)) ||
	    (rc = dx_get_u64(o, "candidates", 1, &r->candidates)) ||
	    (rc = dx_get_u64(o, "files_matched", 1, &r->files_matched)) ||
	    (rc = dx_get_u64(o, "lines_matched", 1, &r->lines_matched)) ||
	    (rc = dx_get_bool(o, "stopped", 1, &r->stopped)))
		return rc;
	return 0;
}

cJSON *dx_error_line(int code, const char *message)
{
	cJSON *err = cJSON_CreateObject();
	if (!err || dx_json_put(err, "code", cJSON_CreateNumber(code)) ||
	    dx_json_put(err, "message", dx_json_bytes(message, strlen(message)))) {
		cJSON_Delete(err);
		return NULL;
	}
	cJSON *line = cJSON_CreateObject();
	if (!line) {
		cJSON_Delete(err);
		return NULL;
	}
	if (dx_json_put(line, "error", err)) {
		cJSON_Delete(line);
		return NULL;
	}
	return line;
}

int dx_error_line_decode(const cJSON *line)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(line, "error");
	if (!err)
		return 0;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *msg = NULL;
	size_t len = 0;
	if (!cJSON_IsObject(err) || !cJSON_IsNumber(code) || code->valuedouble >= 0 ||
	    code->valuedouble < -100000 || code->valuedouble != (double)(int)code->valuedouble ||
	    dx_get_bytes(err, "message", 1, &msg, &len))
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "malformed error line from the daemon");
	char *text = malloc(len + 1);
	if (!text)
		return dx_error((int)code->valuedouble, "daemon: (message lost: out of memory)");
	dx_bytes_copy(msg, text);
	text[len] = '\0';
	int rc = dx_error((int)code->valuedouble, "daemon: %s", text);
	free(text);
	return rc;
}

cJSON *dx_summary_line(const char *op, cJSON **inner)
{
	cJSON *line = cJSON_CreateObject(), *in = cJSON_CreateObject();
	if (!line || !in) {
		cJSON_Delete(line);
		cJSON_Delete(in);
		return NULL;
	}
	if (dx_json_put(line, "summary", in) ||
	    dx_json_put(in, "op", cJSON_CreateStringReference(op))) {
		cJSON_Delete(line); /* frees `in` too, if it was added */
		return NULL;
	}
	*inner = in;
	return line;
}
