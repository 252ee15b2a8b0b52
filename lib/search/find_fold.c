/* find_fold.c - substring search ignoring ASCII case (see find_fold.h). Each step
 * tests sixteen candidate starts at once (thirty-two with AVX2): the bytes at the two
 * chosen offsets, with bit 0x20 set where they must be letters, against the needle's
 * lower-case bytes; only starts passing both are compared in full. */
#include "search/find_fold.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "search/find.h"

static int is_alpha(uint8_t c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static uint8_t lower(uint8_t c)
{
	return is_alpha(c) ? (uint8_t)(c | 0x20) : c;
}

/* How common a byte is in source code when either case counts. */
static unsigned fold_rank(uint8_t c)
{
	unsigned r = cx_byte_rank(c);
	if (is_alpha(c)) {
		unsigned o = cx_byte_rank((uint8_t)(c ^ 0x20));
		r = o > r ? o : r;
	}
	return r;
}

void cx_fold_finder_init(cx_fold_finder *f, const void *needle, size_t n)
{
	f->needle = needle;
	f->n = n;
	size_t a = 0, b = 1;
	if (fold_rank(f->needle[b]) < fold_rank(f->needle[a])) {
		a = 1;
		b = 0;
	}
	for (size_t i = 2; i < n; i++) {
		unsigned r = fold_rank(f->needle[i]);
		if (r < fold_rank(f->needle[a])) {
			b = a;
			a = i;
		} else if (r < fold_rank(f->needle[b])) {
			b = i;
		}
	}
	f->off[0] = a;
	f->off[1] = b;
	f->wide = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	f->wide = __builtin_cpu_supports("avx2");
#endif
	for (int k = 0; k < 2; k++) {
		uint8_t c = f->needle[f->off[k]];
		f->val[k] = lower(c);
		f->mask[k] = is_alpha(c) ? 0x20 : 0;
	}
}

static int equal_fold(const uint8_t *p, const uint8_t *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower(q[i]))
			return 0;
	return 1;
}

static int passes(const cx_fold_finder *f, const uint8_t *start)
{
	return (uint8_t)(start[f->off[0]] | f->mask[0]) == f->val[0] &&
	       (uint8_t)(start[f->off[1]] | f->mask[1]) == f->val[1] &&
	       equal_fold(start, f->needle, f->n);
}

/* The first start among p + the set bits of `hit` that the needle matches, or NULL. */
static const uint8_t *first_hit(const cx_fold_finder *f, const uint8_t *p, uint32_t hit)
{
	for (; hit; hit &= hit - 1) {
		const uint8_t *s = p + __builtin_ctz(hit);
		if (equal_fold(s, f->needle, f->n))
			return s;
	}
	return NULL;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* Thirty-two starts a step, where the CPU has AVX2 (cx_fold_finder.wide): as the
 * sixteen-byte loop below. Advances *at past the starts it tested. */
__attribute__((target("avx2"))) static const uint8_t *
find_avx2(const cx_fold_finder *f, const uint8_t *hay, size_t len, const uint8_t **at)
{
	const uint8_t *p = *at, *last = hay + len - f->n;
	size_t reach = (f->off[0] > f->off[1] ? f->off[0] : f->off[1]) + 32;
	const __m256i m0 = _mm256_set1_epi8((char)f->mask[0]), v0 = _mm256_set1_epi8((char)f->val[0]);
	const __m256i m1 = _mm256_set1_epi8((char)f->mask[1]), v1 = _mm256_set1_epi8((char)f->val[1]);
	const uint8_t *found = NULL;
	while (!found && p <= last && (size_t)(last - p) >= 31 && (size_t)(hay + len - p) >= reach) {
		__m256i a = _mm256_or_si256(_mm256_loadu_si256((const void *)(p + f->off[0])), m0);
		__m256i b = _mm256_or_si256(_mm256_loadu_si256((const void *)(p + f->off[1])), m1);
		found = first_hit(f, p, (uint32_t)_mm256_movemask_epi8(
						_mm256_and_si256(_mm256_cmpeq_epi8(a, v0), _mm256_cmpeq_epi8(b, v1))));
		p += 32;
	}
	*at = p;
	return found;
}
#endif

const uint8_t *cx_fold_finder_find(const cx_fold_finder *f, const uint8_t *hay, size_t len)
{
	if (len < f->n)
		return NULL;
	const uint8_t *p = hay, *last = hay + len - f->n; /* last possible start */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (f->wide) {
		const uint8_t *found = find_avx2(f, hay, len, &p);
		if (found)
			return found;
	}
#endif
#if defined(__SSE2__) && defined(__x86_64__)
	size_t reach = (f->off[0] > f->off[1] ? f->off[0] : f->off[1]) + 16;
	const __m128i m0 = _mm_set1_epi8((char)f->mask[0]), v0 = _mm_set1_epi8((char)f->val[0]);
	const __m128i m1 = _mm_set1_epi8((char)f->mask[1]), v1 = _mm_set1_epi8((char)f->val[1]);
	/* Sixteen starts a step while every load stays inside hay and every start is
	 * one the needle fits after. */
	while (p <= last && (size_t)(last - p) >= 15 && (size_t)(hay + len - p) >= reach) {
		__m128i a = _mm_or_si128(_mm_loadu_si128((const void *)(p + f->off[0])), m0);
		__m128i b = _mm_or_si128(_mm_loadu_si128((const void *)(p + f->off[1])), m1);
		const uint8_t *found = first_hit(f, p, (uint32_t)_mm_movemask_epi8(_mm_and_si128(
								  _mm_cmpeq_epi8(a, v0), _mm_cmpeq_epi8(b, v1))));
		if (found)
			return found;
		p += 16;
	}
#endif
	for (; p <= last; p++) /* p never passes last + 1, inside hay */
		if (passes(f, p))
			return p;
	return NULL;
}
