/* newlines.h - counts '\n' bytes fast: line numbers of a search, and the line
 * numbers an index records at the start of each block of a large file. */
#ifndef CX_NEWLINES_H
#define CX_NEWLINES_H

#include <stddef.h>
#include <stdint.h>

/* The number of '\n' bytes in p[0..n). */
uint64_t cx_count_newlines(const uint8_t *p, size_t n);

#endif
