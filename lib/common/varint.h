/* varint.h - LEB128 unsigned varints used by posting lists and run files. */
#ifndef CX_VARINT_H
#define CX_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define CX_VARINT_MAX 10

/* Writes v at p; returns the number of bytes written (1..10). */
static inline size_t cx_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Reads a varint from [*pp, end); advances *pp. Returns 0, or -1 if truncated or
 * longer than 10 bytes (callers report corruption). */
static inline int cx_varint_get(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70 && p < end; shift += 7) {
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
	}
	return -1;
}

#endif
