/* progress_json.c - progress events to JSON and back, exactly (every field, concurrent_files always an array). */
#include "daemon/progress_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"
#include "daemon/jsonval.h"

#define N_PHASES 5u   /* CODEIDX_PHASE_SETUP .. CODEIDX_PHASE_DONE */
#define N_STATUSES 7u /* CODEIDX_FILE_QUEUED .. CODEIDX_FILE_FAILED */

static cJSON *file_object(const codeidx_concurrent_file *f)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (dx_json_put(o, "slot", dx_json_u64(f->slot)) ||
	    dx_json_put(o, "path", dx_json_str_ref(f->path)) ||
	    dx_json_put(o, "size", dx_json_u64(f->size)) ||
	    dx_json_put(o, "status",
			cJSON_CreateStringReference(codeidx_file_status_name(f->status))) ||
	    dx_json_put(o, "seconds", dx_json_double(f->seconds))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *dx_progress_object(const codeidx_progress *ev, int *rc)
{
	*rc = CODEIDX_EINVAL;
	if ((unsigned)ev->phase >= N_PHASES) {
		dx_error(CODEIDX_EINVAL, "progress event: phase %d out of range", (int)ev->phase);
		return NULL;
	}
	if (!ev->files && ev->n_files) {
		dx_error(CODEIDX_EINVAL, "progress event: files is NULL with n_files %zu",
			 ev->n_files);
		return NULL;
	}
	for (size_t i = 0; i < ev->n_files; i++) {
		if ((unsigned)ev->files[i].status >= N_STATUSES || !ev->files[i].path) {
			dx_error(CODEIDX_EINVAL, "progress event: files[%zu] has %s", i,
				 ev->files[i].path ? "a status out of range" : "a NULL path");
			return NULL;
		}
	}
	*rc = CODEIDX_ENOMEM;
	cJSON *o = cJSON_CreateObject();
	cJSON *files = cJSON_CreateArray();
	if (!o || !files) {
		cJSON_Delete(o);
		cJSON_Delete(files);
		return NULL;
	}
	if (dx_json_put(o, "phase", cJSON_CreateStringReference(codeidx_phase_name(ev->phase))) ||
	    dx_json_put(o, "current", dx_json_u64(ev->current)) ||
	    dx_json_put(o, "total", dx_json_u64(ev->total)) ||
	    dx_json_put(o, "bytes_done", dx_json_u64(ev->bytes_done)) ||
	    dx_json_put(o, "bytes_total", dx_json_u64(ev->bytes_total)) ||
	    dx_json_put(o, "files_per_second", dx_json_double(ev->files_per_second)) ||
	    dx_json_put(o, "bytes_per_second", dx_json_double(ev->bytes_per_second)) ||
	    dx_json_put(o, "active_threads", dx_json_u64(ev->active_threads)) ||
	    dx_json_put(o, "threads", dx_json_u64(ev->threads)) ||
	    dx_json_put(o, "elapsed_seconds", dx_json_double(ev->elapsed_seconds)) ||
	    dx_json_put(o, "eta_seconds", dx_json_double(ev->eta_seconds)) ||
	    dx_json_put(o, "message", dx_json_str_ref(ev->message ? ev->message : ""))) {
		cJSON_Delete(files);
		goto fail;
	}
	if (dx_json_put(o, "concurrent_files", files))
		goto fail;
	for (size_t i = 0; i < ev->n_files; i++) {
		cJSON *f = file_object(&ev->files[i]);
		if (!f || !cJSON_AddItemToArray(files, f)) {
			cJSON_Delete(f);
			goto fail;
		}
	}
	*rc = 0;
	return o;
fail:
	dx_error(CODEIDX_ENOMEM, "progress event: out of memory");
	cJSON_Delete(o);
	return NULL;
}

CODEIDX_DAEMON_API int codeidx_daemon_progress_to_json(const codeidx_progress *ev,
							char **out, size_t *len)
{
	dx_error_clear();
	if (!ev || !out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_progress_to_json: NULL argument");
	*out = NULL;
	int rc;
	cJSON *inner = dx_progress_object(ev, &rc);
	if (!inner)
		return rc;
	cJSON *line = cJSON_CreateObject();
	if (dx_json_put(line, "progress", inner) || !(*out = dx_json_print(line, len))) {
		cJSON_Delete(line);
		return dx_error(CODEIDX_ENOMEM, "progress event: out of memory");
	}
	cJSON_Delete(line);
	return 0;
}

/* ------------------------------------------------------------------ decode ---- */

/* The event, its files, then the strings, in one allocation. */
typedef struct block {
	codeidx_progress ev;
	codeidx_concurrent_file files[];
} block;

static int add_size(size_t *total, size_t n)
{
	if (__builtin_add_overflow(*total, n, total))
		return dx_error(CODEIDX_ELIMIT, "progress event too large");
	return 0;
}

/* Prefixes the current detail with the element's position. */
static int at_file(int rc, size_t i)
{
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", codeidx_daemon_error_detail());
	return dx_error(rc, "concurrent_files[%zu]: %s", i, msg);
}

int dx_progress_decode(const cJSON *obj, codeidx_progress **out)
{
	*out = NULL;
	const char *phase_names[N_PHASES], *status_names[N_STATUSES];
	for (unsigned i = 0; i < N_PHASES; i++)
		phase_names[i] = codeidx_phase_name((codeidx_phase)i);
	for (unsigned i = 0; i < N_STATUSES; i++)
		status_names[i] = codeidx_file_status_name((codeidx_file_status)i);

	codeidx_progress ev = {0};
	unsigned phase = 0;
	const cJSON *msg = NULL, *files = NULL;
	size_t msg_len = 0, n_files = 0;
	int rc;
	if ((rc = dx_get_name(obj, "phase", 1, phase_names, N_PHASES, &phase)) ||
	    (rc = dx_get_u64(obj, "current", 1, &ev.current)) ||
	    (rc = dx_get_u64(obj, "total", 1, &ev.total)) ||
	    (rc = dx_get_u64(obj, "bytes_done", 1, &ev.bytes_done)) ||
	    (rc = dx_get_u64(obj, "bytes_total", 1, &ev.bytes_total)) ||
	    (rc = dx_get_double(obj, "files_per_second", 1, &ev.files_per_second)) ||
	    (rc = dx_get_double(obj, "bytes_per_second", 1, &ev.bytes_per_second)) ||
	    (rc = dx_get_uint(obj, "active_threads", 1, &ev.active_threads)) ||
	    (rc = dx_get_uint(obj, "threads", 1, &ev.threads)) ||
	    (rc = dx_get_double(obj, "elapsed_seconds", 1, &ev.elapsed_seconds)) ||
	    (rc = dx_get_double(obj, "eta_seconds", 1, &ev.eta_seconds)) ||
	    (rc = dx_get_bytes(obj, "message", 1, &msg, &msg_len)) ||
	    (rc = dx_get_array(obj, "concurrent_files", 1, &files, &n_files)))
		return rc;
	ev.phase = (codeidx_phase)phase;

	/* First pass: check every entry and size the block. */
	size_t size = sizeof(block);
	if (n_files > SIZE_MAX / sizeof(codeidx_concurrent_file))
		return dx_error(CODEIDX_ELIMIT, "progress event too large");
	if ((rc = add_size(&size, n_files * sizeof(codeidx_concurrent_file))) ||
	    (rc = add_size(&size, msg_len + 1)))
		return rc;
	size_t i = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, files)
	{
		size_t plen;
		const cJSON *path;
		uint64_t u;
		unsigned st;
		double d;
		if (!cJSON_IsObject(f))
			return dx_error(CODEIDX_DAEMON_EPROTOCOL,
					"concurrent_files[%zu]: expected an object", i);
		if ((rc = dx_get_uint(f, "slot", 1, &st)) ||
		    (rc = dx_get_bytes(f, "path", 1, &path, &plen)) ||
		    (rc = dx_get_u64(f, "size", 1, &u)) ||
		    (rc = dx_get_name(f, "status", 1, status_names, N_STATUSES, &st)) ||
		    (rc = dx_get_double(f, "seconds", 1, &d)))
			return at_file(rc, i);
		if ((rc = add_size(&size, plen + 1)))
			return rc;
		i++;
	}

	block *b = malloc(size);
	if (!b)
		return dx_error(CODEIDX_ENOMEM, "progress event: out of memory");
	char *strings = (char *)(b->files + n_files);
	b->ev = ev;
	b->ev.files = b->files;
	b->ev.n_files = n_files;
	i = 0;
	cJSON_ArrayForEach(f, files)
	{
		codeidx_concurrent_file *cf = &b->files[i++];
		unsigned st = 0;
		const cJSON *path = NULL;
		size_t plen;
		/* Checked in the first pass: these reads cannot fail. */
		dx_get_uint(f, "slot", 1, &cf->slot);
		dx_get_u64(f, "size", 1, &cf->size);
		dx_get_name(f, "status", 1, status_names, N_STATUSES, &st);
		dx_get_double(f, "seconds", 1, &cf->seconds);
		dx_get_bytes(f, "path", 1, &path, &plen);
		cf->status = (codeidx_file_status)st;
		size_t n = dx_bytes_copy(path, strings);
		if (memchr(strings, 0, n)) {
			free(b);
			return dx_error(CODEIDX_DAEMON_EPROTOCOL,
					"concurrent_files[%zu]: path holds a NUL byte", i - 1);
		}
		strings[n] = '\0';
		cf->path = strings;
		strings += n + 1;
	}
	size_t n = dx_bytes_copy(msg, strings);
	if (memchr(strings, 0, n)) {
		free(b);
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "message holds a NUL byte");
	}
	strings[n] = '\0';
	b->ev.message = strings;
	*out = &b->ev;
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_progress_from_json(const char *line, size_t len,
							  codeidx_progress **out)
{
	dx_error_clear();
	if (!out || (!line && len))
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_progress_from_json: NULL argument");
	*out = NULL;
	cJSON *v;
	int rc = dx_json_parse_line(line ? line : "", len, &v);
	if (rc)
		return rc;
	const cJSON *inner = NULL;
	if (!cJSON_IsObject(v))
		rc = dx_error(CODEIDX_DAEMON_EPROTOCOL, "expected a JSON object");
	else
		rc = dx_get_object(v, "progress", 1, &inner);
	if (!rc)
		rc = dx_progress_decode(inner, out);
	cJSON_Delete(v);
	return rc;
}

CODEIDX_DAEMON_API void codeidx_daemon_progress_free(codeidx_progress *ev)
{
	free(ev); /* the event is the start of its block */
}
