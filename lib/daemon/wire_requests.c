/* wire_requests.c - search and update requests: built by the client, strictly decoded by the server. */
#include "daemon/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/jsonval.h"

#define SEARCH_FLAGS (CODEIDX_SEARCH_LITERAL | CODEIDX_SEARCH_IGNORE_CASE | CODEIDX_SEARCH_WORD)
/* BACKGROUND is accepted and not sent: the daemon runs every update in the background. */
#define UPDATE_FLAGS (CODEIDX_UPDATE_FULL | CODEIDX_UPDATE_NO_IGNORE | CODEIDX_UPDATE_BACKGROUND)

/* An array of NUL-terminated byte strings. */
static cJSON *strv_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON *s = dx_json_bytes(v[i], strlen(v[i]));
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

static int nomem(cJSON *o)
{
	cJSON_Delete(o);
	return dx_error(CODEIDX_ENOMEM, "request: out of memory");
}

int dx_search_request(const char *pattern, size_t len, const codeidx_search_options *opts,
		      cJSON **out)
{
	*out = NULL;
	codeidx_search_options defaults = CODEIDX_SEARCH_OPTIONS_INIT;
	const codeidx_search_options *o = opts ? opts : &defaults;
	if (o->version != CODEIDX_SEARCH_OPTIONS_VERSION)
		return dx_error(CODEIDX_EINVAL, "search options version %u unknown", o->version);
	if (o->flags & ~SEARCH_FLAGS)
		return dx_error(CODEIDX_EINVAL, "search: unknown flags 0x%x", o->flags);
	if ((!pattern && len) || (o->n_globs && !o->globs) || (o->n_languages && !o->languages))
		return dx_error(CODEIDX_EINVAL, "search: NULL pattern, globs or languages");
	for (size_t i = 0; i < o->n_globs; i++)
		if (!o->globs[i])
			return dx_error(CODEIDX_EINVAL, "search: globs[%zu] is NULL", i);
	for (size_t i = 0; i < o->n_languages; i++)
		if (!o->languages[i])
			return dx_error(CODEIDX_EINVAL, "search: languages[%zu] is NULL", i);
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return nomem(r);
	if (dx_json_put(r, "op", cJSON_CreateStringReference("search")) ||
	    dx_json_put(r, "pattern", dx_json_bytes(pattern ? pattern : "", len)) ||
	    dx_json_put(r, "literal", cJSON_CreateBool(!!(o->flags & CODEIDX_SEARCH_LITERAL))) ||
	    dx_json_put(r, "ignore_case",
			cJSON_CreateBool(!!(o->flags & CODEIDX_SEARCH_IGNORE_CASE))) ||
	    dx_json_put(r, "word", cJSON_CreateBool(!!(o->flags & CODEIDX_SEARCH_WORD))) ||
	    dx_json_put(r, "globs", strv_array(o->globs, o->n_globs)) ||
	    dx_json_put(r, "languages", strv_array(o->languages, o->n_languages)) ||
	    dx_json_put(r, "max_per_file", dx_json_u64(o->max_per_file)) ||
	    dx_json_put(r, "max_total", dx_json_u64(o->max_total)) ||
	    dx_json_put(r, "before", dx_json_u64(o->before)) ||
	    dx_json_put(r, "after", dx_json_u64(o->after)) ||
	    dx_json_put(r, "threads", dx_json_u64(o->threads)))
		return nomem(r);
	*out = r;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Decodes the optional array member `key` of byte strings (no NUL inside) into a
 * malloc'd vector of malloc'd strings. */
static int strv_decode(const cJSON *req, const char *key, char ***out, size_t *n_out)
{
	const cJSON *a;
	size_t n = 0;
	*out = NULL;
	*n_out = 0;
	int rc = dx_get_array(req, key, 0, &a, &n);
	if (rc)
		return rc == 1 ? 0 : rc;
	char **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return dx_error(CODEIDX_ENOMEM, "request: out of memory");
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, a)
	{
		char what[64];
		size_t len;
		snprintf(what, sizeof what, "%s[%zu]", key, i);
		if ((rc = dx_bytes_check(e, what, &len)))
			break;
		if (!(v[i] = malloc(len + 1))) {
			rc = dx_error(CODEIDX_ENOMEM, "request: out of memory");
			break;
		}
		dx_bytes_copy(e, v[i]);
		v[i][len] = '\0';
		i++;
		if (memchr(v[i - 1], 0, len)) {
			rc = dx_error(CODEIDX_DAEMON_EPROTOCOL, "%s holds a NUL byte", what);
			break;
		}
	}
	if (rc) {
		strv_free(v, i);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* Reads the optional bool `key` into `bit` of *flags. */
static int flag(const cJSON *req, const char *key, unsigned bit, unsigned *flags)
{
	int on = 0;
	int rc = dx_get_bool(req, key, 0, &on);
	if (rc == 0 && on)
		*flags |= bit;
	return rc == 1 ? 0 : rc;
}

static int opt_u64(const cJSON *req, const char *key, uint64_t *v)
{
	int rc = dx_get_u64(req, key, 0, v);
	return rc == 1 ? 0 : rc;
}

static int opt_uint(const cJSON *req, const char *key, unsigned *v)
{
	int rc = dx_get_uint(req, key, 0, v);
	return rc == 1 ? 0 : rc;
}

int dx_search_req_decode(const cJSON *req, dx_search_req *out)
{
	memset(out, 0, sizeof *out);
	out->opts = (codeidx_search_options)CODEIDX_SEARCH_OPTIONS_INIT;
	const cJSON *pat;
	size_t plen;
	int rc = dx_get_bytes(req, "pattern", 1, &pat, &plen);
	if (rc)
		return rc;
	if (!(out->pattern = malloc(plen + 1)))
		return dx_error(CODEIDX_ENOMEM, "request: out of memory");
	dx_bytes_copy(pat, out->pattern);
	out->pattern[plen] = '\0';
	out->pattern_len = plen;
	codeidx_search_options *o = &out->opts;
	if ((rc = flag(req, "literal", CODEIDX_SEARCH_LITERAL, &o->flags)) ||
	    (rc = flag(req, "ignore_case", CODEIDX_SEARCH_IGNORE_CASE, &o->flags)) ||
	    (rc = flag(req, "word", CODEIDX_SEARCH_WORD, &o->flags)) ||
	    (rc = opt_u64(req, "max_per_file", &o->max_per_file)) ||
	    (rc = opt_u64(req, "max_total", &o->max_total)) ||
	    (rc = opt_uint(req, "before", &o->before)) ||
	    (rc = opt_uint(req, "after", &o->after)) ||
	    (rc = opt_uint(req, "threads", &o->threads)) ||
	    (rc = strv_decode(req, "globs", &out->globs, &o->n_globs)) ||
	    (rc = strv_decode(req, "languages", &out->languages, &o->n_languages))) {
		dx_search_req_release(out);
		return rc;
	}
	o->globs = (const char *const *)out->globs;
	o->languages = (const char *const *)out->languages;
	return 0;
}

void dx_search_req_release(dx_search_req *r)
{
	free(r->pattern);
	strv_free(r->globs, r->opts.n_globs);
	strv_free(r->languages, r->opts.n_languages);
	memset(r, 0, sizeof *r);
}

int dx_update_request(const codeidx_update_options *opts, cJSON **out)
{
	*out = NULL;
	codeidx_update_options defaults = CODEIDX_UPDATE_OPTIONS_INIT;
	const codeidx_update_options *o = opts ? opts : &defaults;
	if (o->version != CODEIDX_UPDATE_OPTIONS_VERSION)
		return dx_error(CODEIDX_EINVAL, "update options version %u unknown", o->version);
	if (o->flags & ~UPDATE_FLAGS)
		return dx_error(CODEIDX_EINVAL, "update: unknown flags 0x%x", o->flags);
	if (o->n_excludes && !o->excludes)
		return dx_error(CODEIDX_EINVAL, "update: excludes is NULL");
	for (size_t i = 0; i < o->n_excludes; i++)
		if (!o->excludes[i])
			return dx_error(CODEIDX_EINVAL, "update: excludes[%zu] is NULL", i);
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return nomem(r);
	if (dx_json_put(r, "op", cJSON_CreateStringReference("update")) ||
	    dx_json_put(r, "full", cJSON_CreateBool(!!(o->flags & CODEIDX_UPDATE_FULL))) ||
	    dx_json_put(r, "no_ignore",
			cJSON_CreateBool(!!(o->flags & CODEIDX_UPDATE_NO_IGNORE))) ||
	    dx_json_put(r, "threads", dx_json_u64(o->threads)) ||
	    dx_json_put(r, "max_file_size", dx_json_u64(o->max_file_size)) ||
	    dx_json_put(r, "excludes", strv_array(o->excludes, o->n_excludes)) ||
	    dx_json_put(r, "interval_ms", dx_json_u64(o->progress_interval_ms)) ||
	    dx_json_put(r, "progress", cJSON_CreateBool(o->progress != NULL)))
		return nomem(r);
	*out = r;
	return 0;
}

int dx_update_req_decode(const cJSON *req, dx_update_req *out)
{
	memset(out, 0, sizeof *out);
	out->opts = (codeidx_update_options)CODEIDX_UPDATE_OPTIONS_INIT;
	out->progress = 1;
	codeidx_update_options *o = &out->opts;
	int rc = dx_get_bool(req, "progress", 0, &out->progress);
	if (rc == 1)
		rc = 0;
	if (rc || (rc = flag(req, "full", CODEIDX_UPDATE_FULL, &o->flags)) ||
	    (rc = flag(req, "no_ignore", CODEIDX_UPDATE_NO_IGNORE, &o->flags)) ||
	    (rc = opt_uint(req, "threads", &o->threads)) ||
	    (rc = opt_u64(req, "max_file_size", &o->max_file_size)) ||
	    (rc = opt_uint(req, "interval_ms", &o->progress_interval_ms)) ||
	    (rc = strv_decode(req, "excludes", &out->excludes, &o->n_excludes))) {
		dx_update_req_release(out);
		return rc;
	}
	o->excludes = (const char *const *)out->excludes;
	return 0;
}

void dx_update_req_release(dx_update_req *r)
{
	strv_free(r->excludes, r->opts.n_excludes);
	memset(r, 0, sizeof *r);
}
