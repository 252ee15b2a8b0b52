/* progress_json.h - a progress event as a cJSON object and back (used by the public
 * functions, the server and the client). */
#ifndef DX_PROGRESS_JSON_H
#define DX_PROGRESS_JSON_H

#include <cjson/cJSON.h>

#include "codeidx.h"

/* The event's fields as an object (paths referenced, not copied: `ev` must outlive the
 * object). NULL with a detail on bad input or out of memory (*rc says which). */
cJSON *dx_progress_object(const codeidx_progress *ev, int *rc);

/* Rebuilds an event from the object made by dx_progress_object(), in one allocation
 * (free()). Returns 0 or CODEIDX_DAEMON_EPROTOCOL / CODEIDX_ENOMEM / CODEIDX_ELIMIT. */
int dx_progress_decode(const cJSON *obj, codeidx_progress **out);

#endif
