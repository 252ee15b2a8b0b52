/* trigram.c - distinct trigrams of a file's bytes, skipping those that span '\n'. */
#include "index/trigram.h"

size_t cx_trigrams_extract(const uint8_t *p, size_t n, uint64_t *seen, uint32_t *out)
{
	size_t k = 0;
	if (n < 3)
		return 0;
	uint32_t t = ((uint32_t)p[0] << 8) | p[1];
	/* `valid` counts the bytes since the last '\n' (capped): a trigram is kept
	 * only when its three bytes all lie after it. */
	unsigned valid = p[1] == '\n' ? 0 : p[0] == '\n' ? 1 : 2;
	for (size_t i = 2; i < n; i++) {
		uint8_t c = p[i];
		t = ((t << 8) | c) & 0xffffffu;
		if (c == '\n') {
			valid = 0;
			continue;
		}
		if (valid < 2) {
			valid++;
			continue;
		}
		uint64_t bit = 1ull << (t & 63);
		uint64_t *w = &seen[t >> 6];
		if (!(*w & bit)) {
			*w |= bit;
			out[k++] = t;
		}
	}
	for (size_t i = 0; i < k; i++)
		seen[out[i] >> 6] = 0;
	return k;
}
