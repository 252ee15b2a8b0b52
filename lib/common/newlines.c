/* newlines.c - counts '\n' bytes, sixteen at a time with SSE2 on x86-64. */
#include "common/newlines.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif
#include <string.h>

/* Sixteen bytes a step with SSE2 on x86-64 (every x86-64 has it), eight elsewhere.
 * Line numbers cost a pass over each searched file's bytes up to its last match, so
 * this is one of the hot loops of a search. */
uint64_t cx_count_newlines(const uint8_t *p, size_t n)
{
	uint64_t count = 0;
	size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (i + 16 <= n) {
		/* Byte lanes count down by one per '\n' (cmpeq gives -1); flushed into
		 * 64-bit sums before any lane can wrap (255 rounds at most). */
		__m128i acc = zero;
		size_t stop = i + 16 * 255 < n ? i + 16 * 255 : n;
		for (; i + 16 <= stop; i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i)), nl));
		__m128i sums = _mm_sad_epu8(acc, zero);
		count += (uint64_t)_mm_cvtsi128_si64(sums) +
			 (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
	}
#else
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		w ^= ones * '\n'; /* '\n' bytes become zero */
		/* Exact zero-byte mask: high bit set where the byte was zero. */
		uint64_t z = ~(((w & ~highs) + ~highs) | w) & highs;
		count += ((z >> 7) * ones) >> 56; /* sum of the 0/1 bytes, no popcnt needed */
	}
#endif
	for (; i < n; i++)
		count += p[i] == '\n';
	return count;
}
