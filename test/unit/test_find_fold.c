/* test_find_fold.c - unit tests of lib/search/find_fold: the case-blind finder returns exactly the first occurrence a naive search ignoring ASCII case finds (bytes >= 0x80 and the non-letters next to the letters never fold), at every position, alignment and length, without reading past the haystack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "search/find_fold.h"

/* ------------------------------------------------------------- helpers ---- */


/* The reference: ASCII upper case letters lowered on both sides, byte by byte. */
static uint8_t ref_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static const uint8_t *ref_find(const uint8_t *needle, size_t n, const uint8_t *hay, size_t len)
{
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n && ref_lower(hay[i + j]) == ref_lower(needle[j]))
			j++;
		if (j == n)
			return hay + i;
	}
	return NULL;
}

/* Haystacks end right before an inaccessible page, so a read past the end faults
 * in every build (and ASan sees it too). */
#define AREA 8192
static uint8_t *g_area; /* AREA bytes, then a PROT_NONE page */
static size_t g_page;

static int setup(void **state)
{
	(void)state;
	g_page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (AREA + g_page - 1) / g_page * g_page;
	uint8_t *m = mmap(NULL, len + g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (m == MAP_FAILED || mprotect(m + len, g_page, PROT_NONE))
		return -1;
	g_area = m + len - AREA;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	size_t len = (AREA + g_page - 1) / g_page * g_page;
	munmap(g_area + AREA - len, len + g_page);
	return 0;
}

/* hay[0..len) copied to end at the guard page (tail == 0) or `tail` bytes before
 * it; the needle copied to a heap block of exactly n bytes. Runs both searches and
 * fails with the case on a difference. */
static size_t g_cases, g_found;

static void check(const uint8_t *needle, size_t n, const uint8_t *hay, size_t len, size_t tail)
{
	assert_true(len + tail <= AREA);
	uint8_t *h = g_area + AREA - tail - len;
	memmove(h, hay, len);
	uint8_t *nd = malloc(n);
	assert_non_null(nd);
	memcpy(nd, needle, n);
	cx_fold_finder f;
	cx_fold_finder_init(&f, nd, n);
	const uint8_t *want = ref_find(nd, n, h, len);
	g_cases++;
	g_found += want != NULL;
	/* The CPU's widest loop, then the sixteen-byte one (where it differs). */
	int wide = f.wide;
	for (int pass = 0; pass <= wide; pass++) {
		f.wide = wide && pass == 0;
		const uint8_t *got = cx_fold_finder_find(&f, h, len);
		if (got == want)
			continue;
		print_error("%s loop: ", f.wide ? "AVX2" : "narrow");
		print_error("needle (%zu bytes):", n);
		for (size_t i = 0; i < n; i++)
			print_error(" %02x", nd[i]);
		print_error("\nhaystack (%zu bytes, %zu before the end of its page):", len, tail);
		for (size_t i = 0; i < len; i++)
			print_error(" %02x", h[i]);
		print_error("\nfound at %td, want %td\n", got ? got - h : (ptrdiff_t)-1,
			    want ? want - h : (ptrdiff_t)-1);
		fail();
	}
	free(nd);
}

/* Bytes that fold ('a' 'A' 'b' 'B' 'z' 'Z'), the neighbours of the letter ranges
 * that differ from letters by 0x20 ('@' '`' '[' '{'), and 0xC1/0xE1, which differ by
 * 0x20 too but are not ASCII letters. */
static const uint8_t alphabet[] = {'a', 'A', 'b', 'B', 'z', 'Z', '@', '`', '[', '{', 0xc1, 0xe1};
#define N_ALPHA (sizeof alphabet)

/* A random alphabet of 2 to 5 bytes from the one above (few bytes: many
 * near-misses and overlapping candidates). */
static size_t pick_alphabet(rng *r, uint8_t *a)
{
	size_t k = 2 + rnd(r, 4);
	for (size_t i = 0; i < k; i++)
		a[i] = alphabet[rnd(r, N_ALPHA)];
	return k;
}

static void random_bytes(rng *r, const uint8_t *a, size_t k, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = a[rnd(r, (uint32_t)k)];
}

/* Flips the case of some letters of p[0..n) (and only letters). */
static void recase(rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') && rnd(r, 2))
			p[i] ^= 0x20;
}

/* ----------------------------------------------------------- the tests ---- */

/* Random haystacks of 0 to 300 bytes and needles of 2 to 20 bytes over small
 * alphabets, half of them with a case-changed copy of the needle planted (at the
 * very end, overlapping another, or anywhere), against the naive search. */
static void test_random(void **state)
{
	(void)state;
	rng r = {0x0123456789abcdefull};
	uint8_t a[8], hay[400], needle[32];
	g_cases = g_found = 0;
	for (int it = 0; it < 200000; it++) {
		size_t k = pick_alphabet(&r, a);
		size_t n = 2 + rnd(&r, 19), len = rnd(&r, 301);
		random_bytes(&r, a, k, needle, n);
		random_bytes(&r, a, k, hay, len);
		switch (rnd(&r, 6)) {
		case 0: /* planted anywhere */
		case 1:
			if (len >= n) {
				size_t at = rnd(&r, (uint32_t)(len - n + 1));
				memcpy(hay + at, needle, n);
				recase(&r, hay + at, n);
			}
			break;
		case 2: /* at the very end */
			if (len >= n) {
				memcpy(hay + len - n, needle, n);
				recase(&r, hay + len - n, n);
			}
			break;
		case 3: /* twice, overlapping */
			if (len >= n + 1) {
				size_t shift = 1 + rnd(&r, (uint32_t)n);
				size_t at = rnd(&r, (uint32_t)(len - n + 1));
				memcpy(hay + at, needle, n);
				if (at + shift + n <= len)
					memcpy(hay + at + shift, needle, n);
				recase(&r, hay + at, len - at);
			}
			break;
		default: /* as drawn; needles longer than the haystack too */
			break;
		}
		check(needle, n, hay, len, rnd(&r, 4) ? 0 : rnd(&r, 40));
	}
	printf("random: %zu cases, %zu with an occurrence\n", g_cases, g_found);
	assert_true(g_found > g_cases / 3 && g_found < g_cases);
}

/* One occurrence at every position of haystacks of every length up to 100, for
 * needles of several lengths: every start relative to the 16-byte steps, the
 * step boundary and the scalar tail, with the haystack start at 16 alignments. */
static void test_every_position(void **state)
{
	(void)state;
	rng r = {0xdeadbeef12345678ull};
	uint8_t hay[128];
	static const size_t lens[] = {2, 3, 5, 8, 15, 16, 17, 20, 31, 33};
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
		size_t n = lens[li];
		uint8_t needle[40];
		for (size_t i = 0; i < n; i++)
			needle[i] = alphabet[rnd(&r, 6)]; /* letters */
		needle[rnd(&r, (uint32_t)n)] = '@';
		for (size_t len = 0; len <= 100; len++) {
			memset(hay, '`', len); /* never matches a letter or '@' */
			check(needle, n, hay, len, len % 16);
			for (size_t at = 0; at + n <= len; at++) {
				memset(hay, '`', len);
				memcpy(hay + at, needle, n);
				recase(&r, hay + at, n);
				check(needle, n, hay, len, (len + at) % 16);
			}
		}
	}
	/* A prefix of the needle at every position before a full occurrence. */
	const uint8_t nd[] = "aBzZ@b";
	for (size_t len = 6; len <= 70; len++)
		for (size_t at = 0; at + 5 <= len; at++) {
			memset(hay, 'b', len);
			memcpy(hay + at, "AbZz@", 5); /* one byte short of a match */
			if (len >= 6)
				memcpy(hay + len - 6, "abzz@B", 6);
			check(nd, 6, hay, len, at % 16);
		}
}

/* Bytes that differ from a letter by 0x20 but are not letters never match it, in
 * the vector filter or the full compare, whichever offsets the finder tests. */
static void test_no_false_folds(void **state)
{
	(void)state;
	static const struct {
		uint8_t a, b;
	} pairs[] = {{'@', '`'}, {'[', '{'}, {0xc1, 0xe1}, {0xda, 0xfa}, {'^', '~'},
		     {'_', 0x7f}, {']', '}'}, {0x80, 0xa0}, {0x00, ' '}};
	uint8_t hay[64], needle[20];
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		for (size_t n = 2; n <= 20; n++) {
			for (size_t pos = 0; pos < n; pos++) {
				/* needle "xxx.a.xxx", haystack holding "xxx.b.xxx" at offsets
				 * 0..len-n, padded with a letter that is never in the needle */
				for (size_t i = 0; i < n; i++)
					needle[i] = (uint8_t)("Kq"[i & 1]);
				needle[pos] = pairs[p].a;
				for (size_t len = n; len <= 40; len += 3) {
					memset(hay, 'j', len);
					size_t at = (len - n) / 2;
					memcpy(hay + at, needle, n);
					hay[at + pos] = pairs[p].b;
					recase(&(rng){len * 31 + pos}, hay + at, n);
					check(needle, n, hay, len, pos % 16);
					needle[pos] = pairs[p].b; /* and the other way round */
					hay[at + pos] = pairs[p].a;
					check(needle, n, hay, len, (pos + 7) % 16);
					needle[pos] = pairs[p].a;
				}
			}
		}
	}
}

/* The edge cases of the API: an empty haystack, one shorter than the needle by a
 * byte, exactly the needle, and an all-case needle in a long one (vector steps
 * only up to the last occurrence). */
static void test_edges(void **state)
{
	(void)state;
	check((const uint8_t *)"ab", 2, (const uint8_t *)"", 0, 0);
	check((const uint8_t *)"ab", 2, (const uint8_t *)"A", 1, 0);
	check((const uint8_t *)"ab", 2, (const uint8_t *)"AB", 2, 0);
	check((const uint8_t *)"ab", 2, (const uint8_t *)"aB", 2, 5);
	check((const uint8_t *)"AbCdEfGhIjKlMnOpQ", 17, (const uint8_t *)"aBcDeFgHiJkLmNoP", 16, 0);
	uint8_t hay[300];
	memset(hay, 'x', sizeof hay);
	memcpy(hay + 283, "HELLO_WORLD_HELLO", 17);
	check((const uint8_t *)"hello_world_hello", 17, hay, 300, 0);
	check((const uint8_t *)"hello_world_hellO", 17, hay, 299, 0);
	check((const uint8_t *)"xXxXxXxXxXxXxXxXxXx", 19, hay, 300, 0);
	static const uint8_t s[] = "xxaBxAB";
	cx_fold_finder f;
	cx_fold_finder_init(&f, "Ab", 2);
	assert_ptr_equal(cx_fold_finder_find(&f, s, 7), s + 2);
	assert_ptr_equal(cx_fold_finder_find(&f, s + 3, 4), s + 5);
	assert_null(cx_fold_finder_find(&f, s + 3, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_no_false_folds),
		cmocka_unit_test(test_every_position),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
