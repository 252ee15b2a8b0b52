/* blocks.c - builds and reads the block summaries of large files (see blocks.h). */
#include "index/blocks.h"

#include <string.h>

#include "codeidx.h"
#include "common/newlines.h"
#include "index/trigram.h"

/* Filter bits per distinct trigram of a block, and probes per trigram: about 24 %
 * false positives per trigram; a plan needs all of a match's trigrams, so a block
 * lacking even three of them passes in about 1 % of cases. */
#define BITS_PER_TRIGRAM 3u
#define PROBES 2u

uint32_t cx_blocks_fold(uint32_t tri)
{
	uint32_t out = tri;
	for (unsigned sh = 0; sh < 24; sh += 8) {
		uint32_t c = (tri >> sh) & 0xff;
		if (c >= 'A' && c <= 'Z')
			out |= 0x20u << sh;
	}
	return out;
}

/* Filters hold folded trigrams: a case-insensitive plan's case variants of one
 * trigram then cost one probe and one false-positive chance, not eight. */
cx_blocks_probe cx_blocks_probe_of(uint32_t tri)
{
	uint64_t h = (uint64_t)(cx_blocks_fold(tri) + 1) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	return (cx_blocks_probe){(uint32_t)(h >> 32), (uint32_t)h | 1u};
}

/* Probe i of a trigram: a bit below `bits`, by multiply-shift rather than division. */
static inline uint32_t probe_bit(uint32_t h1, uint32_t h2, uint32_t i, uint32_t bits)
{
	return (uint32_t)(((uint64_t)(h1 + i * h2) * bits) >> 32);
}

static void filter_add(uint8_t *f, uint32_t bits, uint32_t tri)
{
	cx_blocks_probe pr = cx_blocks_probe_of(tri);
	for (uint32_t i = 0; i < PROBES; i++) {
		uint32_t b = probe_bit(pr.h1, pr.h2, i, bits);
		f[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
}

int cx_blocks_build(const uint8_t *p, size_t n, uint64_t *seen, uint32_t *scratch,
		    cx_buf *out)
{
	uint64_t per = ((uint64_t)n + CX_BLOCKS_PER_FILE - 1) / CX_BLOCKS_PER_FILE;
	uint32_t bsize = (uint32_t)((per + 4095) & ~(uint64_t)4095);
	if (bsize < CX_BLOCKS_MIN_BLOCK)
		bsize = CX_BLOCKS_MIN_BLOCK;
	uint32_t nb = (uint32_t)(((uint64_t)n + bsize - 1) / bsize);
	size_t head = 8 + (size_t)nb * 8, at = out->len;
	if (cx_buf_reserve(out, head))
		return CODEIDX_ENOMEM;
	out->len += head;
	cx_put_u32(out->data + at, bsize);
	cx_put_u32(out->data + at + 4, nb);
	uint64_t lines = 0;
	for (uint32_t k = 0; k < nb; k++) {
		size_t from = (size_t)k * bsize;
		size_t to = from + bsize < n ? from + bsize : n;
		/* Trigrams starting before `to + OVERLAP`: their bytes end 2 further on. */
		size_t ext = to + CX_BLOCKS_OVERLAP + 2 < n ? to + CX_BLOCKS_OVERLAP + 2 : n;
		size_t count = cx_trigrams_extract(p + from, ext - from, seen, scratch);
		uint32_t bits = (uint32_t)(((count * BITS_PER_TRIGRAM) + 63) & ~(size_t)63);
		if (bits < 64)
			bits = 64;
		size_t f = out->len;
		if (cx_buf_reserve(out, bits / 8))
			return CODEIDX_ENOMEM;
		memset(out->data + f, 0, bits / 8);
		out->len += bits / 8;
		for (size_t i = 0; i < count; i++)
			filter_add(out->data + f, bits, scratch[i]);
		uint8_t *e = out->data + at + 8 + (size_t)k * 8;
		cx_put_u32(e, (uint32_t)lines);
		cx_put_u32(e + 4, bits / 8);
		lines += cx_count_newlines(p + from, to - from);
	}
	return 0;
}

int cx_blocks_parse(const uint8_t *blob, size_t len, uint64_t file_size, cx_blocks *b)
{
	if (len < 8)
		return -1;
	b->block_size = cx_get_u32(blob);
	b->n = cx_get_u32(blob + 4);
	if (b->block_size == 0 || b->n == 0 || b->n > CX_BLOCKS_MAX ||
	    (uint64_t)(b->n - 1) * b->block_size >= file_size ||
	    (uint64_t)b->n * b->block_size < file_size || len < 8 + (size_t)b->n * 8)
		return -1;
	b->table = blob + 8;
	b->filters = b->table + (size_t)b->n * 8;
	size_t room = len - 8 - (size_t)b->n * 8, used = 0;
	uint32_t lines = 0;
	for (uint32_t k = 0; k < b->n; k++) {
		uint32_t nl = cx_get_u32(b->table + (size_t)k * 8);
		uint32_t flen = cx_get_u32(b->table + (size_t)k * 8 + 4);
		if (nl < lines || (uint64_t)nl > (uint64_t)k * b->block_size || flen == 0 ||
		    flen % 8 || flen > room - used)
			return -1;
		lines = nl;
		b->start[k] = (uint32_t)used;
		b->bits[k] = flen * 8;
		used += flen;
	}
	return used == room ? 0 : -1;
}

uint32_t cx_blocks_newlines(const cx_blocks *b, unsigned k)
{
	return cx_get_u32(b->table + (size_t)k * 8);
}

uint64_t cx_blocks_test(const cx_blocks *b, uint64_t live, cx_blocks_probe probe)
{
	uint64_t out = 0;
	for (; live; live &= live - 1) {
		unsigned k = (unsigned)__builtin_ctzll(live);
		const uint8_t *f = b->filters + b->start[k];
		uint32_t i = 0;
		for (; i < PROBES; i++) {
			uint32_t x = probe_bit(probe.h1, probe.h2, i, b->bits[k]);
			if (!(f[x >> 3] & (1u << (x & 7))))
				break;
		}
		if (i == PROBES)
			out |= 1ull << k;
	}
	return out;
}

int cx_blocks_may_have(const cx_blocks *b, unsigned k, uint32_t tri)
{
	return cx_blocks_test(b, 1ull << k, cx_blocks_probe_of(tri)) != 0;
}
