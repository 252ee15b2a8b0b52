/* blocks.h - block summaries of a large file: which part of it may hold a match.
 *
 * A file of at least CX_BLOCKS_MIN_SIZE bytes is cut into at most CX_BLOCKS_PER_FILE
 * blocks of equal size (a multiple of 4 KiB). For each block the index keeps the
 * number of '\n' bytes before it (so a search that reads only that block still knows
 * its line numbers) and a Bloom filter of the trigrams starting in it or in the first
 * CX_BLOCKS_OVERLAP bytes of the next block, with ASCII letters folded to lower case
 * (a probe for "Abc" asks for "abc"). So every string of at most
 * CX_BLOCKS_OVERLAP + 2 bytes in the file has all its trigrams in the filter of the
 * block where it starts: a search whose matches are that short reads only the blocks
 * whose filters pass its trigram plan (the filter has false positives, never false
 * negatives).
 *
 * A summary ("blob"), all integers little-endian:
 *   u32 block size, u32 block count n (1..64),
 *   n x (u32 '\n' bytes before the block, u32 bytes of its filter: a multiple of 8),
 *   the filters, back to back.
 */
#ifndef CX_BLOCKS_H
#define CX_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define CX_BLOCKS_MIN_SIZE (32u << 10)
#define CX_BLOCKS_PER_FILE 32u
#define CX_BLOCKS_MIN_BLOCK (8u << 10)
#define CX_BLOCKS_MAX 64u
#define CX_BLOCKS_OVERLAP 256u

/* A parsed, validated summary (pointers into the blob). */
typedef struct cx_blocks {
	uint32_t block_size;
	uint32_t n;
	const uint8_t *table;   /* n entries of 8 bytes */
	const uint8_t *filters; /* filter k starts at filters + start[k] */
	uint32_t start[CX_BLOCKS_MAX];
	uint32_t bits[CX_BLOCKS_MAX]; /* filter k's size in bits */
} cx_blocks;

/* Where a trigram's bits lie in a filter of any size: computed once per trigram, then
 * tested against many blocks. */
typedef struct cx_blocks_probe {
	uint32_t h1, h2;
} cx_blocks_probe;

/* Appends the summary of p[0..n) (n >= CX_BLOCKS_MIN_SIZE) to `out`. `seen` is a
 * zeroed trigram bitmap (CX_TRIGRAM_BITMAP_WORDS words, zeroed again on return) and
 * `scratch` has room for n trigrams. 0 or CODEIDX_ENOMEM. */
int cx_blocks_build(const uint8_t *p, size_t n, uint64_t *seen, uint32_t *scratch,
		    cx_buf *out);

/* Parses blob[0..len) as the summary of a file of `file_size` bytes. Returns 0, or
 * -1 when it is not a well-formed summary of such a file. */
int cx_blocks_parse(const uint8_t *blob, size_t len, uint64_t file_size, cx_blocks *b);

/* The mask of every block of `b` (bit k for block k). */
static inline uint64_t cx_blocks_all(const cx_blocks *b)
{
	return b->n == 64 ? ~0ull : (1ull << b->n) - 1;
}

/* Number of '\n' bytes before block k (k < b->n). */
uint32_t cx_blocks_newlines(const cx_blocks *b, unsigned k);

/* The trigram with its ASCII letters in lower case: what filters hold. */
uint32_t cx_blocks_fold(uint32_t tri);

/* The probe of trigram `tri` (in any letter case: it is folded first). */
cx_blocks_probe cx_blocks_probe_of(uint32_t tri);

/* The blocks of `live` (bit k for block k) whose filters may hold the probe's trigram
 * (no false negatives). */
uint64_t cx_blocks_test(const cx_blocks *b, uint64_t live, cx_blocks_probe probe);

/* Whether block k's filter may hold trigram `tri` (no false negatives): one block and
 * one trigram, for tests and the fuzzer; searches use cx_blocks_test(). */
int cx_blocks_may_have(const cx_blocks *b, unsigned k, uint32_t tri);

#endif
