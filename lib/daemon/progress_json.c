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

static int check(const codeidx_progress *ev)
{
	if ((unsigned)ev->phase >= N_PHASES)
		return dx_error(CODEIDX_EINVAL, "progress event: phase %d out of range",
				(int)ev->phase);
	if (!ev->files && ev->n_files)
		return dx_error(CODEIDX_EINVAL, "progress event: files is NULL with n_files %zu",
				ev->n_files);
	for (size_t i = 0; i < ev->n_files; i++) {
		if ((unsigned)ev->files[i].status >= N_STATUSES || !ev->files[i].path)
			return dx_error(CODEIDX_EINVAL, "progress event: files[%zu] has %s", i,
					ev->files[i].path ? "a status out of range" : "a NULL path");
	}
	return 0;
}

static void put_name(dx_jw *w, const char *name)
{
	dx_jw_lit(w, "\"");
	dx_jw_raw(w, name, strlen(name)); /* static lowercase ASCII names */
	dx_jw_lit(w, "\"");
}

int dx_progress_write(dx_jw *w, const codeidx_progress *ev)
{
	int rc = check(ev);
	if (rc)
		return rc;
	const char *msg = ev->message ? ev->message : "";
	dx_jw_lit(w, "{\"phase\":");
	put_name(w, codeidx_phase_name(ev->phase));
	dx_jw_lit(w, ",\"current\":");
	dx_jw_u64(w, ev->current);
	dx_jw_lit(w, ",\"total\":");
	dx_jw_u64(w, ev->total);
	dx_jw_lit(w, ",\"bytes_done\":");
	dx_jw_u64(w, ev->bytes_done);
	dx_jw_lit(w, ",\"bytes_total\":");
	dx_jw_u64(w, ev->bytes_total);
	dx_jw_lit(w, ",\"files_per_second\":");
	dx_jw_double(w, ev->files_per_second);
	dx_jw_lit(w, ",\"bytes_per_second\":");
	dx_jw_double(w, ev->bytes_per_second);
	dx_jw_lit(w, ",\"active_threads\":");
	dx_jw_u64(w, ev->active_threads);
	dx_jw_lit(w, ",\"threads\":");
	dx_jw_u64(w, ev->threads);
	dx_jw_lit(w, ",\"elapsed_seconds\":");
	dx_jw_double(w, ev->elapsed_seconds);
	dx_jw_lit(w, ",\"eta_seconds\":");
	dx_jw_double(w, ev->eta_seconds);
	dx_jw_lit(w, ",\"message\":");
	dx_jw_bytes(w, msg, strlen(msg));
	dx_jw_lit(w, ",\"concurrent_files\":[");
	for (size_t i = 0; i < ev->n_files; i++) {
		const codeidx_concurrent_file *f = &ev->files[i];
		if (i)
			dx_jw_lit(w, ",");
		dx_jw_lit(w, "{\"slot\":");
		dx_jw_u64(w, f->slot);
		dx_jw_lit(w, ",\"path\":");
		dx_jw_bytes(w, f->path, strlen(f->path));
		dx_jw_lit(w, ",\"size\":");
		dx_jw_u64(w, f->size);
		dx_jw_lit(w, ",\"status\":");
		put_name(w, codeidx_file_status_name(f->status));
		dx_jw_lit(w, ",\"seconds\":");
		dx_jw_double(w, f->seconds);
		dx_jw_lit(w, "}");
	}
	dx_jw_lit(w, "]}");
	return w->oom ? dx_error(CODEIDX_ENOMEM, "progress event: out of memory") : 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_progress_to_json(const codeidx_progress *ev,
							char **out, size_t *len)
{
	dx_error_clear();
	if (!ev || !out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_progress_to_json: NULL argument");
	*out = NULL;
	dx_jw w = {0};
	dx_jw_lit(&w, "{\"progress\":");
	int rc = dx_progress_write(&w, ev);
	dx_jw_lit(&w, "}");
	return dx_jw_finish(&w, rc, "progress event", out, len);
}

/* ------------------------------------------------------------------ decode ---- */

/* The event, its files, then the strings, in one allocation. */
typedef struct block {
	codeidx_progress ev;
	codeidx_concurrent_file files[];
} block;

/* One concurrent file as read, before the block is allocated. */
typedef struct pending_file {
	codeidx_concurrent_file f;
	const cJSON *path;
	size_t path_len;
} pending_file;

/* Prefixes the current detail with the element's position. */
static int at_file(int rc, size_t i)
{
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", codeidx_daemon_error_detail());
	return dx_error(rc, "concurrent_files[%zu]: %s", i, msg);
}

/* Reads one entry of concurrent_files, walking its members once. */
static int read_file(const cJSON *o, const char *const *status_names, pending_file *p)
{
	if (!cJSON_IsObject(o))
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "expected an object");
	const cJSON *slot = NULL, *size = NULL, *status = NULL, *seconds = NULL;
	p->path = NULL;
	for (const cJSON *m = o->child; m; m = m->next) {
		const char *k = m->string;
		if (!strcmp(k, "slot"))
			slot = m;
		else if (!strcmp(k, "path"))
			p->path = m;
		else if (!strcmp(k, "size"))
			size = m;
		else if (!strcmp(k, "status"))
			status = m;
		else if (!strcmp(k, "seconds"))
			seconds = m;
	}
	unsigned st = 0;
	int rc;
	if (!slot || !p->path || !size || !status || !seconds)
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "missing field \"%s\"",
				!slot ? "slot" : !p->path ? "path" : !size ? "size"
						 : !status ? "status" : "seconds");
	if ((rc = dx_val_uint(slot, "slot", &p->f.slot)) ||
	    (rc = dx_bytes_check(p->path, "field \"path\"", &p->path_len)) ||
	    (rc = dx_val_u64(size, "size", &p->f.size)) ||
	    (rc = dx_val_name(status, "status", status_names, N_STATUSES, &st)) ||
	    (rc = dx_val_double(seconds, "seconds", &p->f.seconds)))
		return rc;
	p->f.status = (codeidx_file_status)st;
	return 0;
}

/* Copies a checked byte string into *at as a C string; refuses embedded NULs. */
static int put_cstr(const cJSON *v, char **at, const char *what)
{
	size_t n = dx_bytes_copy(v, *at);
	if (memchr(*at, 0, n))
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "%s holds a NUL byte", what);
	(*at)[n] = '\0';
	*at += n + 1;
	return 0;
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

	if (n_files > SIZE_MAX / sizeof(block) / 4)
		return dx_error(CODEIDX_ELIMIT, "progress event too large");
	pending_file *pend = malloc((n_files ? n_files : 1) * sizeof *pend);
	if (!pend)
		return dx_error(CODEIDX_ENOMEM, "progress event: out of memory");
	size_t size = sizeof(block) + n_files * sizeof(codeidx_concurrent_file) + msg_len + 1;
	size_t i = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, files)
	{
		if ((rc = read_file(f, status_names, &pend[i]))) {
			free(pend);
			return at_file(rc, i);
		}
		size += pend[i].path_len + 1; /* bounded by the line length: no overflow */
		i++;
	}
	block *b = malloc(size);
	if (!b) {
		free(pend);
		return dx_error(CODEIDX_ENOMEM, "progress event: out of memory");
	}
	char *strings = (char *)(b->files + n_files);
	b->ev = ev;
	b->ev.files = b->files;
	b->ev.n_files = n_files;
	b->ev.message = strings;
	rc = put_cstr(msg, &strings, "message");
	for (i = 0; !rc && i < n_files; i++) {
		b->files[i] = pend[i].f;
		b->files[i].path = strings;
		if ((rc = put_cstr(pend[i].path, &strings, "path")))
			rc = at_file(rc, i);
	}
	free(pend);
	if (rc) {
		free(b);
		return rc;
	}
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
	const cJSON *inner;
	int rc = dx_json_parse_envelope(line, len, "progress", &v, &inner);
	if (!rc)
		rc = dx_progress_decode(inner, out);
	cJSON_Delete(v);
	return rc;
}

CODEIDX_DAEMON_API void codeidx_daemon_progress_free(codeidx_progress *ev)
{
	free(ev); /* the event is the start of its block */
}
