/* trigram.h - distinct trigrams of a file's bytes, skipping those that span '\n'. */
#ifndef CX_TRIGRAM_H
#define CX_TRIGRAM_H

#include <stddef.h>
#include <stdint.h>

#define CX_TRIGRAM_SPACE (1u << 24)
#define CX_TRIGRAM_BITMAP_WORDS (CX_TRIGRAM_SPACE / 64)

/* Appends the distinct trigrams of p[0..n) that contain no '\n' to out[] (room for
 * min(n, CX_TRIGRAM_SPACE) entries) in order of first appearance and returns their
 * count. `seen` is a zeroed bitmap of CX_TRIGRAM_BITMAP_WORDS words; it is zeroed
 * again before return. */
size_t cx_trigrams_extract(const uint8_t *p, size_t n, uint64_t *seen, uint32_t *out);

#endif
