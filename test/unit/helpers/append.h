/* append.h - bounded appends to a NUL-terminated char array, for the tests' random
 * pattern generators: what does not fit is dropped whole. */
#ifndef TEST_APPEND_H
#define TEST_APPEND_H

#include <stddef.h>
#include <string.h>

/* Appends s[0..l) to buf (holding *n bytes, room for cap with the NUL) if it fits. */
static inline void append_bounded(char *buf, size_t cap, size_t *n, const char *s, size_t l)
{
	if (*n + l < cap) {
		memcpy(buf + *n, s, l);
		*n += l;
		buf[*n] = '\0';
	}
}

#endif
