/* match_json.h - a search match written as JSON and read back. */
/* Used by the public functions, the server and the client. */
#ifndef DX_MATCH_JSON_H
#define DX_MATCH_JSON_H

#include <cjson/cJSON.h>

#include "codeidx.h"
#include "daemon/jsonwrite.h"

/* Appends the match's object {...} (without the {"match":...} wrapper) to w. Returns 0,
 * CODEIDX_EINVAL (NULL path, text or spans) or CODEIDX_ENOMEM. */
int dx_match_write(dx_jw *w, const codeidx_match *m);

/* Rebuilds a match from such an object, in one allocation (free()); text is also
 * NUL-terminated. Returns 0, CODEIDX_DAEMON_EPROTOCOL, CODEIDX_ELIMIT or CODEIDX_ENOMEM. */
int dx_match_decode(const cJSON *obj, codeidx_match **out);

#endif
