/* find.h - substring search tuned for source code: memchr on the needle's rarest byte
 * (by a table of byte frequencies measured on source code), then a compare. */
#ifndef CX_FIND_H
#define CX_FIND_H

#include <stddef.h>
#include <stdint.h>

typedef struct cx_finder {
	const uint8_t *needle; /* borrowed */
	size_t n;
	size_t rare_off; /* offset of the rarest byte in the needle */
	uint8_t rare;
	int by_rare; /* 0: the rarest byte is still common; use memmem */
} cx_finder;

/* How common byte c is in source code: 0 for the rarest byte, 255 for the space. */
unsigned cx_byte_rank(uint8_t c);

/* Prepares a finder for needle[0..n) (n >= 1); the needle must outlive it. */
void cx_finder_init(cx_finder *f, const void *needle, size_t n);

/* The first occurrence of the needle in hay[0..len), or NULL. */
const uint8_t *cx_finder_find(const cx_finder *f, const uint8_t *hay, size_t len);

#endif
