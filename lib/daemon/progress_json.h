/* progress_json.h - a progress event written as JSON and read back. */
/* Used by the public functions, the server and the client. */
#ifndef DX_PROGRESS_JSON_H
#define DX_PROGRESS_JSON_H

#include <cjson/cJSON.h>

#include "codeidx.h"
#include "daemon/jsonwrite.h"

/* Appends the event's object {...} (without the {"progress":...} wrapper) to w. Returns
 * 0, CODEIDX_EINVAL (bad event, with a detail) or CODEIDX_ENOMEM. */
int dx_progress_write(dx_jw *w, const codeidx_progress *ev);

/* Rebuilds an event from such an object, in one allocation (free()). Returns 0 or
 * CODEIDX_DAEMON_EPROTOCOL / CODEIDX_ENOMEM / CODEIDX_ELIMIT. */
int dx_progress_decode(const cJSON *obj, codeidx_progress **out);

#endif
