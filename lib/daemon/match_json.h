/* match_json.h - a search match as a cJSON object and back (used by the public functions,
 * the server and the client). */
#ifndef DX_MATCH_JSON_H
#define DX_MATCH_JSON_H

#include <cjson/cJSON.h>

#include "codeidx.h"

/* The match's fields as an object (copies everything). NULL with a detail on bad input
 * or out of memory (*rc says which). */
cJSON *dx_match_object(const codeidx_match *m, int *rc);

/* Rebuilds a match from such an object, in one allocation (free()); text is also
 * NUL-terminated. Returns 0, CODEIDX_DAEMON_EPROTOCOL, CODEIDX_ELIMIT or CODEIDX_ENOMEM. */
int dx_match_decode(const cJSON *obj, codeidx_match **out);

#endif
