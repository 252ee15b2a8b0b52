/* find_fold.h - substring search ignoring ASCII case (grep -i in the C locale): a
 * vector filter on two rare bytes of the needle, then a folded compare. */
#ifndef CX_FIND_FOLD_H
#define CX_FIND_FOLD_H

#include <stddef.h>
#include <stdint.h>

typedef struct cx_fold_finder {
	const uint8_t *needle; /* borrowed */
	size_t n;
	size_t off[2];   /* offsets of the two bytes the filter tests */
	uint8_t val[2];  /* those bytes, lower case */
	uint8_t mask[2]; /* 0x20 for a letter (either case passes), else 0 */
	int wide;        /* the CPU has AVX2: test 32 starts a step, not 16 */
} cx_fold_finder;

/* Prepares a finder for needle[0..n) (n >= 2); the needle must outlive it. */
void cx_fold_finder_init(cx_fold_finder *f, const void *needle, size_t n);

/* The first occurrence of the needle in hay[0..len) ignoring ASCII case, or NULL. */
const uint8_t *cx_fold_finder_find(const cx_fold_finder *f, const uint8_t *hay, size_t len);

#endif
