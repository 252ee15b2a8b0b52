/* jsonval.c - building and strictly reading the JSON values of the wire protocol. */
#include "daemon/jsonval.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bytes.h"
#include "daemon/error.h"
#include "daemon/jsonwrite.h"

#define MAX_SAFE_INT 9007199254740992.0 /* 2^53: every integer up to it is a double */

/* --------------------------------------------------------------- building ---- */

static cJSON *bytes_object(const char *p, size_t n)
{
	size_t blen = dx_base64_len(n);
	if (!blen && n)
		return NULL;
	char *b64 = malloc(blen + 1);
	if (!b64)
		return NULL;
	dx_base64_encode(p, n, b64);
	cJSON *o = cJSON_CreateObject();
	cJSON *s = cJSON_CreateString(b64);
	free(b64);
	if (!o || !s || !cJSON_AddItemToObjectCS(o, "bytes", s)) {
		cJSON_Delete(o);
		cJSON_Delete(s);
		return NULL;
	}
	return o;
}

cJSON *dx_json_bytes(const char *p, size_t n)
{
	if (!dx_utf8_plain(p, n))
		return bytes_object(p, n);
	char *tmp = malloc(n + 1);
	if (!tmp)
		return NULL;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	cJSON *s = cJSON_CreateString(tmp);
	free(tmp);
	return s;
}

cJSON *dx_json_str_ref(const char *s)
{
	size_t n = strlen(s);
	if (dx_utf8_plain(s, n))
		return cJSON_CreateStringReference(s);
	return bytes_object(s, n);
}

cJSON *dx_json_u64(uint64_t v)
{
	char text[24];
	snprintf(text, sizeof text, "%" PRIu64, v);
	return v <= (1ull << 53) ? cJSON_CreateRaw(text) : cJSON_CreateString(text);
}

cJSON *dx_json_double(double d)
{
	if (isnan(d))
		return cJSON_CreateString("NaN");
	if (isinf(d))
		return cJSON_CreateString(d > 0 ? "Infinity" : "-Infinity");
	char text[40];
	dx_format_double(d, text);
	return cJSON_CreateRaw(text);
}

int dx_json_put(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	if (!cJSON_AddItemToObjectCS(obj, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

char *dx_json_print(const cJSON *obj, size_t *len)
{
	char *s = cJSON_PrintUnformatted(obj);
	if (s && len)
		*len = strlen(s);
	return s;
}

/* ---------------------------------------------------------------- reading ---- */

int dx_json_parse_line(const char *line, size_t len, cJSON **out)
{
	*out = NULL;
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	/* cJSON would cut a string at an escaped NUL without telling: refuse it. A
	 * backslash outside a string is a syntax error anyway, so skipping escape pairs
	 * needs no string tracking. */
	for (size_t i = 0; i + 1 < len; i++) {
		if (line[i] != '\\')
			continue;
		if (line[i + 1] == 'u' && i + 6 <= len && !memcmp(line + i + 2, "0000", 4))
			return dx_error(CODEIDX_DAEMON_EPROTOCOL,
					"\\u0000 at byte %zu: send bytes holding NUL as "
					"{\"bytes\":base64}",
					i);
		i++;
	}
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!v) {
		/* cJSON sets `end` to where it failed (its global error pointer is not
		 * thread-safe, so it is not used). */
		size_t at = end && end >= line ? (size_t)(end - line) : 0;
		return dx_error(CODEIDX_DAEMON_EPROTOCOL, "malformed JSON at byte %zu of %zu", at,
				len);
	}
	for (size_t i = (size_t)(end - line); i < len; i++) {
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
			cJSON_Delete(v);
			return dx_error(CODEIDX_DAEMON_EPROTOCOL,
					"trailing data after the JSON value at byte %zu", i);
		}
	}
	*out = v;
	return 0;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int absent(const char *key, int required)
{
	if (!required)
		return 1;
	return dx_error(CODEIDX_DAEMON_EPROTOCOL, "missing field \"%s\"", key);
}

static int mistyped(const char *key, const char *expected)
{
	return dx_error(CODEIDX_DAEMON_EPROTOCOL, "field \"%s\": expected %s", key, expected);
}

static int parse_u64_text(const char *s, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int dx_val_u64(const cJSON *v, const char *key, uint64_t *out)
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (!(d >= 0 && d <= MAX_SAFE_INT) || d != floor(d))
			return mistyped(key, "an integer from 0 to 2^53 (larger ones as strings)");
		*out = (uint64_t)d;
		return 0;
	}
	if (cJSON_IsString(v) && parse_u64_text(v->valuestring, out) == 0)
		return 0;
	return mistyped(key, "a non-negative integer");
}

int dx_get_u64(const cJSON *obj, const char *key, int required, uint64_t *out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	return dx_val_u64(v, key, out);
}

int dx_val_uint(const cJSON *v, const char *key, unsigned *out)
{
	uint64_t x;
	int rc = dx_val_u64(v, key, &x);
	if (rc)
		return rc;
	if (x > UINT32_MAX)
		return mistyped(key, "an integer below 2^32");
	*out = (unsigned)x;
	return 0;
}

int dx_get_uint(const cJSON *obj, const char *key, int required, unsigned *out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	return dx_val_uint(v, key, out);
}

int dx_val_double(const cJSON *v, const char *key, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "NaN")) {
			*out = NAN;
			return 0;
		}
		if (!strcmp(v->valuestring, "Infinity") || !strcmp(v->valuestring, "-Infinity")) {
			*out = v->valuestring[0] == '-' ? -INFINITY : INFINITY;
			return 0;
		}
	}
	return mistyped(key, "a number");
}

int dx_get_double(const cJSON *obj, const char *key, int required, double *out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	return dx_val_double(v, key, out);
}

int dx_get_bool(const cJSON *obj, const char *key, int required, int *out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	if (!cJSON_IsBool(v))
		return mistyped(key, "true or false");
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 0;
}

int dx_get_object(const cJSON *obj, const char *key, int required, const cJSON **out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	if (!cJSON_IsObject(v))
		return mistyped(key, "an object");
	*out = v;
	return 0;
}

int dx_get_array(const cJSON *obj, const char *key, int required, const cJSON **out,
		 size_t *n)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	if (!cJSON_IsArray(v))
		return mistyped(key, "an array");
	*out = v;
	*n = (size_t)cJSON_GetArraySize(v);
	return 0;
}

int dx_val_name(const cJSON *v, const char *key, const char *const *names, unsigned n,
		unsigned *out)
{
	if (!cJSON_IsString(v))
		return mistyped(key, "a name (string)");
	for (unsigned i = 0; i < n; i++) {
		if (names[i] && !strcmp(names[i], v->valuestring)) {
			*out = i;
			return 0;
		}
	}
	return dx_error(CODEIDX_DAEMON_EPROTOCOL, "field \"%s\": unknown name \"%.64s\"", key,
			v->valuestring);
}

int dx_get_name(const cJSON *obj, const char *key, int required, const char *const *names,
		unsigned n, unsigned *out)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	return dx_val_name(v, key, names, n, out);
}

int dx_bytes_check(const cJSON *v, const char *what, size_t *len)
{
	if (cJSON_IsString(v)) {
		*len = strlen(v->valuestring);
		return 0;
	}
	if (cJSON_IsObject(v)) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "bytes");
		if (cJSON_IsString(b)) {
			long long n = dx_base64_decode(b->valuestring, strlen(b->valuestring), NULL);
			if (n >= 0) {
				*len = (size_t)n;
				return 0;
			}
			return dx_error(CODEIDX_DAEMON_EPROTOCOL,
					"%s: \"bytes\" is not padded base64", what);
		}
	}
	return dx_error(CODEIDX_DAEMON_EPROTOCOL,
			"%s: expected a string or {\"bytes\":base64}", what);
}

int dx_get_bytes(const cJSON *obj, const char *key, int required, const cJSON **val,
		 size_t *len)
{
	const cJSON *v = member(obj, key);
	if (!v || cJSON_IsNull(v))
		return absent(key, required);
	char what[80];
	snprintf(what, sizeof what, "field \"%s\"", key);
	int rc = dx_bytes_check(v, what, len);
	if (!rc)
		*val = v;
	return rc;
}

size_t dx_bytes_copy(const cJSON *v, char *dst)
{
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		memcpy(dst, v->valuestring, n);
		return n;
	}
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "bytes");
	return (size_t)dx_base64_decode(b->valuestring, strlen(b->valuestring),
					(unsigned char *)dst);
}

int dx_json_parse_envelope(const char *line, size_t len, const char *key, cJSON **root,
			   const cJSON **inner)
{
	*root = NULL;
	*inner = NULL;
	cJSON *v;
	int rc = dx_json_parse_line(line ? line : "", len, &v);
	if (rc)
		return rc;
	if (!cJSON_IsObject(v))
		rc = dx_error(CODEIDX_DAEMON_EPROTOCOL, "expected a JSON object");
	else
		rc = dx_get_object(v, key, 1, inner);
	if (rc)
		cJSON_Delete(v);
	else
		*root = v;
	return rc;
}
