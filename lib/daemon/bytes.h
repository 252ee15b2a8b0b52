/* bytes.h - byte-string helpers for the wire: strict UTF-8 check and base64 (RFC 4648). */
#ifndef DX_BYTES_H
#define DX_BYTES_H

#include <stddef.h>

/* 1 if p[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) and holds no NUL byte: then it can travel as a plain JSON string. */
int dx_utf8_plain(const char *p, size_t n);

/* Length of the base64 text of n bytes (without a NUL), or 0 when it would overflow. */
size_t dx_base64_len(size_t n);

/* Writes the padded base64 text of p[0..n) to out (dx_base64_len(n) bytes) and a NUL. */
void dx_base64_encode(const void *p, size_t n, char *out);

/* Decodes the padded base64 text s[0..n) into out (at most n / 4 * 3 bytes); returns
 * the decoded length, or -1 if s is not canonical padded base64. out may be NULL to
 * validate and measure only. */
long long dx_base64_decode(const char *s, size_t n, unsigned char *out);

#endif
