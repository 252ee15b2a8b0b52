/* wire.h - JSON forms shared by client and server: requests, summaries, stats, results, errors. */
#ifndef DX_WIRE_H
#define DX_WIRE_H

#include <cjson/cJSON.h>

#include "codeidx.h"

/* ---- summaries: objects (NULL on out of memory) and their strict readers ---- */
cJSON *dx_stats_object(const codeidx_stats *s);
int dx_stats_decode(const cJSON *o, codeidx_stats *s);
cJSON *dx_update_result_object(const codeidx_update_result *r);
int dx_update_result_decode(const cJSON *o, codeidx_update_result *r);
/* Adds the search result's members to `o`. Returns 0 or -1 (out of memory). */
int dx_search_result_put(cJSON *o, const codeidx_search_result *r);
int dx_search_result_decode(const cJSON *o, codeidx_search_result *r);

/* ---- terminal lines ---- */

/* The line {"summary":{"op":op}}; *inner is the summary object to add members to (the
 * line owns it: on failure delete the line only). NULL on out of memory. */
cJSON *dx_summary_line(const char *op, cJSON **inner);


/* The line {"error":{"code":code,"message":message}}; NULL on out of memory. */
cJSON *dx_error_line(int code, const char *message);
/* If `line` is an error line: records "daemon: <message>" as the detail and returns its
 * code (negative). 0 if it is not an error line; CODEIDX_DAEMON_EPROTOCOL if malformed. */
int dx_error_line_decode(const cJSON *line);

/* ---- requests ---- */

/* A decoded search request: options whose arrays and pattern it owns. */
typedef struct dx_search_req {
	codeidx_search_options opts;
	char *pattern; /* pattern_len bytes, NUL-terminated */
	size_t pattern_len;
	char **globs;     /* n = opts.n_globs, each malloc'd */
	char **languages; /* n = opts.n_languages, each malloc'd */
} dx_search_req;

/* The request {"op":"search",...}. Checks opts first: CODEIDX_EINVAL on an unknown
 * version or flags. */
int dx_search_request(const char *pattern, size_t len, const codeidx_search_options *opts,
		      cJSON **out);
int dx_search_req_decode(const cJSON *req, dx_search_req *out);
void dx_search_req_release(dx_search_req *r);

/* A decoded update request: options (progress left NULL) and whether the client wants
 * progress events. */
typedef struct dx_update_req {
	codeidx_update_options opts;
	int progress;
	char **excludes; /* n = opts.n_excludes, each malloc'd */
} dx_update_req;

int dx_update_request(const codeidx_update_options *opts, cJSON **out);
int dx_update_req_decode(const cJSON *req, dx_update_req *out);
void dx_update_req_release(dx_update_req *r);

#endif
