/* jsonval.h - JSON values of the wire as cJSON: byte strings, exact counters and doubles, strict typed reads. */
#ifndef DX_JSONVAL_H
#define DX_JSONVAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* ---- building; each returns NULL when out of memory ---- */

/* A byte string: a JSON string if plain UTF-8, else {"bytes":base64}. Copies p. */
cJSON *dx_json_bytes(const char *p, size_t n);
/* The same for a NUL-terminated string that outlives the tree: a plain string is
 * referenced, not copied. */
cJSON *dx_json_str_ref(const char *s);
/* A counter: an integer up to 2^53, a decimal string above. */
cJSON *dx_json_u64(uint64_t v);
/* A double with 17 significant digits; NaN/infinities as strings. */
cJSON *dx_json_double(double d);
/* Adds `item` under the static key `key`; returns -1 (and frees item) on failure,
 * including item == NULL, so calls chain with ||. */
int dx_json_put(cJSON *obj, const char *key, cJSON *item);
/* Prints `obj` unformatted; the result is malloc'd, *len its length. NULL on ENOMEM. */
char *dx_json_print(const cJSON *obj, size_t *len);

/* ---- reading; 0 = read, 1 = absent and optional, CODEIDX_DAEMON_EPROTOCOL with a
 * detail naming the member otherwise ---- */

/* Parses one line (a trailing "\n" or "\r\n" is allowed) into *out. Refuses anything but
 * exactly one JSON value, and "\u0000" in strings. */
int dx_json_parse_line(const char *line, size_t len, cJSON **out);

/* The same checks on a value already found (`key` names it in errors). */
int dx_val_u64(const cJSON *v, const char *key, uint64_t *out);
int dx_val_uint(const cJSON *v, const char *key, unsigned *out);
int dx_val_double(const cJSON *v, const char *key, double *out);
int dx_val_name(const cJSON *v, const char *key, const char *const *names, unsigned n,
		unsigned *out);

int dx_get_u64(const cJSON *obj, const char *key, int required, uint64_t *out);
int dx_get_uint(const cJSON *obj, const char *key, int required, unsigned *out);
int dx_get_double(const cJSON *obj, const char *key, int required, double *out);
int dx_get_bool(const cJSON *obj, const char *key, int required, int *out);
int dx_get_object(const cJSON *obj, const char *key, int required, const cJSON **out);

/* Parses a line holding one JSON object and finds its required member `key` (an
 * object): *root (free with cJSON_Delete) and *inner point into the parse. On error
 * *root is NULL and nothing needs freeing. */
int dx_json_parse_envelope(const char *line, size_t len, const char *key, cJSON **root,
			   const cJSON **inner);
int dx_get_array(const cJSON *obj, const char *key, int required, const cJSON **out,
		 size_t *n);
/* A string member whose bytes are one of names[0..n) (NULL entries skipped): *out is
 * its index. */
int dx_get_name(const cJSON *obj, const char *key, int required, const char *const *names,
		unsigned n, unsigned *out);

/* Checks that `v` is a byte string (either form) and gives its decoded length. `what`
 * names it in the error. */
int dx_bytes_check(const cJSON *v, const char *what, size_t *len);
/* A member that is a byte string: *val and its decoded length. */
int dx_get_bytes(const cJSON *obj, const char *key, int required, const cJSON **val,
		 size_t *len);
/* Writes the bytes of a value accepted by dx_bytes_check() to dst; returns the length. */
size_t dx_bytes_copy(const cJSON *v, char *dst);

#endif
