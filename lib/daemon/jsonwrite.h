/* jsonwrite.h - a direct JSON writer for the wire's high-volume lines (progress events, matches). */
/* Why not cJSON here: cJSON builds a heap node per value (about 9000 allocations for
 * an event with 1000 concurrent files) before printing; writing the fixed shape straight
 * into a reused buffer is several times faster. Every line written here is read back
 * with cJSON (by the client and by the tests). */
#ifndef DX_JSONWRITE_H
#define DX_JSONWRITE_H

#include <stddef.h>
#include <stdint.h>

/* A growable output buffer. After a failed allocation `oom` is set and further writes
 * are dropped; check it once at the end. */
typedef struct dx_jw {
	char *buf;
	size_t len, cap;
	int oom;
} dx_jw;

void dx_jw_release(dx_jw *w);

/* Ends a message written into w: on success (rc == 0 and no allocation failed) hands
 * its buffer to *out (and its length to *len, may be NULL); otherwise frees it and
 * returns the error (CODEIDX_ENOMEM naming `what`). */
int dx_jw_finish(dx_jw *w, int rc, const char *what, char **out, size_t *len);
/* Empties the buffer, keeping its memory. */
void dx_jw_reset(dx_jw *w);

/* Appends n bytes as they are (punctuation, keys written as "\"key\":"). */
void dx_jw_raw(dx_jw *w, const char *s, size_t n);
/* A literal token: dx_jw_lit(w, "{\"a\":"). */
#define dx_jw_lit(w, s) dx_jw_raw((w), (s), sizeof(s) - 1)

/* The wire forms of codeidx_daemon.h: a counter (integer up to 2^53, decimal string
 * above), a double ("%.17g", C locale; NaN/infinities as strings), a byte string (JSON
 * string if plain UTF-8, else {"bytes":base64}). */
void dx_jw_u64(dx_jw *w, uint64_t v);
void dx_jw_double(dx_jw *w, double d);
void dx_jw_bytes(dx_jw *w, const char *p, size_t n);
void dx_jw_bool(dx_jw *w, int b);

/* Formats a finite double as "%.17g" in the C locale into out (40 bytes); returns the
 * length. */
size_t dx_format_double(double d, char out[40]);

#endif
