/* buf.h - growable byte buffer and overflow-checked allocation helpers. */
#ifndef CX_BUF_H
#define CX_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct cx_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
} cx_buf;

#define CX_BUF_INIT {NULL, 0, 0}

/* Ensures room for `extra` more bytes; returns 0 or CODEIDX_ENOMEM. */
int cx_buf_reserve(cx_buf *b, size_t extra);
/* Empties the buffer and ensures room for n bytes, without copying the old ones. */
int cx_buf_reset(cx_buf *b, size_t n);
/* Appends n bytes; returns 0 or CODEIDX_ENOMEM. */
int cx_buf_append(cx_buf *b, const void *p, size_t n);
/* Frees the storage and resets the buffer. */
void cx_buf_release(cx_buf *b);

/* calloc/reallocarray with overflow checks; NULL on failure (errno = ENOMEM). */
void *cx_calloc(size_t n, size_t size);
void *cx_reallocarray(void *p, size_t n, size_t size);
/* strdup / memdup returning NULL on failure. */
char *cx_strndup(const char *s, size_t n);

/* Appends a little-endian fixed-width integer (no error: caller reserved room). */
static inline void cx_put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the format is little-endian; x86/arm64 hosts are too */
}
static inline void cx_put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static inline uint32_t cx_get_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline uint64_t cx_get_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#endif
