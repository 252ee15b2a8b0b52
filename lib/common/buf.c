/* buf.c - growable byte buffer and overflow-checked allocation helpers. */
#include "common/buf.h"

#include <errno.h>
#include <stdlib.h>

#include "codeidx.h"

int cx_buf_reserve(cx_buf *b, size_t extra)
{
	if (extra <= b->cap - b->len)
		return 0;
	if (extra > SIZE_MAX / 2 - b->len)
		return CODEIDX_ENOMEM;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return CODEIDX_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int cx_buf_reset(cx_buf *b, size_t n)
{
	b->len = 0;
	if (n <= b->cap)
		return 0;
	cx_buf_release(b);
	/* Powers of two (n itself if it is one): a reused buffer soon fits the sizes it
	 * meets. */
	size_t c = n <= 256 || n > SIZE_MAX / 4 ? n : (size_t)1 << (64 - __builtin_clzll(n - 1));
	return cx_buf_reserve(b, c);
}

int cx_buf_append(cx_buf *b, const void *p, size_t n)
{
	int rc = cx_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void cx_buf_release(cx_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void *cx_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void *cx_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	size_t total = n * size;
	return realloc(p, total ? total : 1);
}

char *cx_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
