/* test_blocks.c - unit tests of lib/index/blocks: summaries of random large files count the '\n' bytes before each block exactly and never miss a trigram of a block (in any letter case), keep false positives rare, leave the trigram bitmap clean, and malformed summaries are rejected, never misread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"
#include "index/blocks.h"
#include "index/trigram.h"
#include "helpers/rng.h"

/* ------------------------------------------------------------- helpers ---- */

/* The kinds of content a large file may hold. */
enum {
	K_RANDOM,    /* every byte value */
	K_SOURCE,    /* identifiers in every letter case, punctuation, short lines */
	K_LONG,      /* the same with lines of kilobytes, some longer than a block */
	K_NEWLINES,  /* '\n' about every other byte, and runs of them */
	K_CRLF,      /* source text with "\r\n" line ends */
	K_CASE,      /* a few letters in both cases: many case variants of one trigram */
	K_NO_NL,     /* text without a single '\n' */
	K_MIXED,     /* stretches of all of the above */
	K_KINDS
};

static const char *const kind_name[K_KINDS] = {"random", "source", "long lines", "newlines",
						"crlf",   "case",   "no newline", "mixed"};

static uint8_t letter(rng *r)
{
	uint8_t c = (uint8_t)('a' + rnd(r, 26));
	return rnd(r, 3) == 0 ? (uint8_t)(c ^ 0x20) : c;
}

/* Source-like text: identifiers, punctuation and line ends every `line` bytes on
 * average ('\r' before them with `crlf`). */
static void text(rng *r, uint8_t *p, size_t n, uint32_t line, int crlf)
{
	static const char punct[] = "(){};,.=+-*/<>[]\"'#&|!?:_ \t  ";
	size_t i = 0;
	while (i < n) {
		uint32_t c = rnd(r, 8);
		if (c < 4) { /* an identifier, in one of three case styles */
			uint32_t len = 1 + rnd(r, 12), style = rnd(r, 3);
			for (uint32_t j = 0; j < len && i < n; j++) {
				uint8_t b = (uint8_t)('a' + rnd(r, 26));
				if (style == 1 || (style == 2 && (j == 0 || rnd(r, 4) == 0)))
					b ^= 0x20;
				p[i++] = b;
			}
		} else if (c < 7) {
			p[i++] = (uint8_t)punct[rnd(r, sizeof punct - 1)];
		} else {
			p[i++] = (uint8_t)('0' + rnd(r, 10));
		}
		if (i < n && rnd(r, line) < 8) {
			if (crlf && i + 1 < n)
				p[i++] = '\r';
			p[i++] = '\n';
		}
	}
}

static void fill(rng *r, uint8_t *p, size_t n, int kind)
{
	switch (kind) {
	case K_RANDOM:
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)rnd64(r);
		break;
	case K_SOURCE:
		text(r, p, n, 8 * (1 + rnd(r, 80)), 0);
		break;
	case K_LONG:
		text(r, p, n, 8 * (2048 + rnd(r, 100000)), 0);
		break;
	case K_NEWLINES:
		for (size_t i = 0; i < n; i++) {
			uint32_t c = rnd(r, 16);
			p[i] = c < 8 ? '\n' : c < 14 ? letter(r) : (uint8_t)rnd64(r);
		}
		break;
	case K_CRLF:
		text(r, p, n, 8 * (1 + rnd(r, 60)), 1);
		break;
	case K_CASE:
		for (size_t i = 0; i < n; i++)
			p[i] = rnd(r, 200) == 0 ? '\n' : (uint8_t)"aAbBcC"[rnd(r, 6)];
		break;
	case K_NO_NL:
		for (size_t i = 0; i < n; i++)
			p[i] = rnd(r, 5) == 0 ? ' ' : letter(r);
		break;
	default: /* K_MIXED */
		for (size_t i = 0; i < n;) {
			size_t len = 1 + rnd(r, rnd(r, 2) ? 300 : 40000);
			len = len < n - i ? len : n - i;
			fill(r, p + i, len, (int)rnd(r, K_MIXED));
			i += len;
		}
		break;
	}
}

/* A file size: the smallest summarised size, sizes next to 4 KiB multiples and
 * block boundaries, or any size up to about 600 KiB (mostly below 200 KiB, to
 * keep the test fast). */
static size_t pick_size(rng *r)
{
	size_t pages = 8 + rnd(r, 140);
	switch (rnd(r, 8)) {
	case 0:
		return CX_BLOCKS_MIN_SIZE + rnd(r, 3);
	case 1:
		return pages * 4096 + rnd(r, 3) - 1;
	case 2:
		return CX_BLOCKS_MIN_SIZE + rnd(r, 568u << 10);
	default:
		return CX_BLOCKS_MIN_SIZE + rnd(r, 160u << 10);
	}
}

static uint64_t *g_seen;    /* the zeroed trigram bitmap build wants */
static uint32_t *g_scratch; /* room for MAX_FILE trigrams */
static uint8_t *g_file;
#define MAX_FILE (640u << 10)

static int setup(void **state)
{
	(void)state;
	g_seen = calloc(CX_TRIGRAM_BITMAP_WORDS, sizeof *g_seen);
	g_scratch = malloc(MAX_FILE * sizeof *g_scratch);
	g_file = malloc(MAX_FILE);
	return g_seen && g_scratch && g_file ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(g_seen);
	free(g_scratch);
	free(g_file);
	return 0;
}

static int seen_is_clear(void)
{
	for (size_t i = 0; i < CX_TRIGRAM_BITMAP_WORDS; i++)
		if (g_seen[i])
			return 0;
	return 1;
}

/* Builds the summary of p[0..n) into a fresh buffer. */
static cx_buf build(const uint8_t *p, size_t n)
{
	cx_buf out = CX_BUF_INIT;
	assert_int_equal(cx_blocks_build(p, n, g_seen, g_scratch, &out), 0);
	assert_true(out.len >= 8);
	return out;
}

/* Parses blob[0..len) from a copy of exactly `len` bytes, so that under ASan a read
 * past the end faults; the copy is returned in *copy (the summary points into it). */
static int parse_copy(const uint8_t *blob, size_t len, uint64_t size, cx_blocks *b,
		      uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	if (len)
		memcpy(*copy, blob, len);
	return cx_blocks_parse(*copy, len, size, b);
}

static int parses(const uint8_t *blob, size_t len, uint64_t size)
{
	cx_blocks b;
	uint8_t *copy;
	int rc = parse_copy(blob, len, size, &b, &copy);
	free(copy);
	return rc;
}

static uint32_t tri_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The trigram with the case of its ASCII letters flipped where `mask` has a bit
 * (bit 0: last byte). */
static uint32_t flip_case(uint32_t tri, unsigned mask)
{
	for (unsigned j = 0; j < 3; j++) {
		uint32_t c = (tri >> (8 * j)) & 0xff;
		if ((mask >> j & 1) && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			tri ^= 0x20u << (8 * j);
	}
	return tri;
}

static uint64_t count_nl(const uint8_t *p, size_t n)
{
	uint64_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/* Checks the summary of p[0..n) against the content itself: geometry, '\n' counts
 * and every trigram of every block (with its overlap) in three letter cases.
 * Returns 0, or 1 after printing the first difference. */
static int check_summary(const uint8_t *p, size_t n, const cx_blocks *b, rng *r,
			  const char *what)
{
	uint32_t bs = b->block_size;
	if (bs % 4096 || bs < CX_BLOCKS_MIN_BLOCK || b->n != (n + bs - 1) / bs || b->n < 1 ||
	    b->n > CX_BLOCKS_PER_FILE) {
		print_error("%s (%zu bytes): %u blocks of %u bytes\n", what, n, b->n, bs);
		return 1;
	}
	uint64_t nl = 0;
	for (unsigned k = 0; k < b->n; k++) {
		size_t lo = (size_t)k * bs;
		if (cx_blocks_newlines(b, k) != nl) {
			print_error("%s: block %u: %u newlines before it, want %llu\n", what, k,
				    cx_blocks_newlines(b, k), (unsigned long long)nl);
			return 1;
		}
		size_t hi = lo + bs + CX_BLOCKS_OVERLAP;
		hi = hi < n - 2 ? hi : n - 2;
		for (size_t i = lo; i < hi; i++) {
			if (p[i] == '\n' || p[i + 1] == '\n' || p[i + 2] == '\n')
				continue;
			uint32_t t = tri_at(p + i);
			uint32_t v[3] = {t, flip_case(t, 1 + rnd(r, 7)), flip_case(t, 7)};
			for (int j = 0; j < 3; j++) {
				if (!cx_blocks_may_have(b, k, v[j])) {
					print_error("%s (%zu bytes): block %u misses trigram %06x "
						    "(%06x at offset %zu)\n",
						    what, n, k, v[j], t, i);
					return 1;
				}
			}
		}
		nl += count_nl(p + lo, lo + bs < n ? bs : n - lo);
	}
	return 0;
}

/* ----------------------------------------------------------- the tests ---- */

/* 200 random files of 32 KiB to 600 KiB: the summary parses as one of a file of
 * that size, has ceil(n / block size) <= CX_BLOCKS_PER_FILE blocks, counts the
 * '\n' bytes before each block, and every trigram starting in a block or in the
 * CX_BLOCKS_OVERLAP bytes after it passes that block's filter, in its own letter
 * case and in others. A summary appended after other bytes is the same. */
static void test_random_files(void **state)
{
	(void)state;
	rng r = {0x243f6a8885a308d3ull};
	size_t total = 0;
	for (int f = 0; f < 200; f++) {
		int kind = f < 2 * K_KINDS ? f % K_KINDS : (int)rnd(&r, K_KINDS);
		size_t n = pick_size(&r);
		assert_true(n >= CX_BLOCKS_MIN_SIZE && n <= MAX_FILE);
		fill(&r, g_file, n, kind);
		total += n;
		char what[64];
		snprintf(what, sizeof what, "file %d (%s)", f, kind_name[kind]);
		cx_buf blob = build(g_file, n);
		assert_true(seen_is_clear());
		cx_blocks b;
		uint8_t *copy;
		int bad = parse_copy(blob.data, blob.len, n, &b, &copy) != 0;
		if (bad)
			print_error("%s: the summary of %zu bytes does not parse\n", what, n);
		else
			bad = check_summary(g_file, n, &b, &r, what);
		free(copy);
		if (bad) {
			cx_buf_release(&blob);
			fail();
		}
		if (f % 10 == 0) { /* appending after other bytes: the same summary */
			cx_buf more = CX_BUF_INIT;
			size_t pre = 1 + rnd(&r, 100);
			assert_int_equal(cx_buf_reserve(&more, pre), 0);
			memset(more.data, 0xa5, pre);
			more.len = pre;
			assert_int_equal(cx_blocks_build(g_file, n, g_seen, g_scratch, &more), 0);
			assert_int_equal(more.len, pre + blob.len);
			assert_memory_equal(more.data + pre, blob.data, blob.len);
			assert_int_equal(more.data[0], 0xa5);
			cx_buf_release(&more);
		}
		cx_buf_release(&blob);
	}
	printf("random files: 200 files, %zu bytes\n", total);
}

/* A block whose first byte is '\n' still holds the trigram right after it: files of
 * blank space where each block starts with "\n" and three letters, and the
 * extraction behind the filters keeps "abc" of "\nabc". */
static void test_block_starts_with_newline(void **state)
{
	(void)state;
	uint32_t out[4];
	assert_int_equal(cx_trigrams_extract((const uint8_t *)"\nabc", 4, g_seen, out), 1);
	assert_int_equal(out[0], 0x616263);
	assert_int_equal(cx_trigrams_extract((const uint8_t *)"a\nbcd", 5, g_seen, out), 1);
	assert_int_equal(out[0], 0x626364);
	assert_true(seen_is_clear());
	static const char *const words[] = {"xyz", "Qzx", "kJw", "foo", "BAR", "q_1", "#if", "{};"};
	size_t n = 5 * 8192; /* 5 blocks of 8 KiB */
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		memset(g_file, ' ', n);
		for (size_t k = 0; k < 5; k++) {
			g_file[k * 8192] = '\n';
			memcpy(g_file + k * 8192 + 1, words[(w + k) % 8], 3);
		}
		cx_buf blob = build(g_file, n);
		cx_blocks b;
		assert_int_equal(cx_blocks_parse(blob.data, blob.len, n, &b), 0);
		assert_int_equal(b.block_size, 8192);
		for (unsigned k = 0; k < 5; k++) {
			uint32_t t = tri_at(g_file + (size_t)k * 8192 + 1);
			if (!cx_blocks_may_have(&b, k, t)) {
				print_error("block %u starts with \"\\n%.3s\": its filter misses %06x\n",
					    k, (const char *)g_file + (size_t)k * 8192 + 1, t);
				cx_buf_release(&blob);
				fail();
			}
			assert_int_equal(cx_blocks_newlines(&b, k), k);
		}
		cx_buf_release(&blob);
	}
}

/* Trigrams absent from a block pass its filter rarely: about 24 % with 3 bits per
 * trigram and 2 probes. The bound (40 % overall, 55 % in any block) is loose enough
 * never to flake but fails a filter that says yes to most trigrams. */
static void test_false_positives(void **state)
{
	(void)state;
	rng r = {0x13198a2e03707344ull};
	uint64_t *present = calloc(CX_TRIGRAM_BITMAP_WORDS, sizeof *present);
	assert_non_null(present);
	size_t tried = 0, passed = 0, blocks = 0;
	for (int f = 0; f < 24; f++) {
		static const int kinds[] = {K_RANDOM, K_SOURCE, K_LONG, K_CRLF, K_NO_NL, K_MIXED};
		int kind = kinds[f % 6];
		size_t n = CX_BLOCKS_MIN_SIZE + rnd(&r, 300u << 10);
		fill(&r, g_file, n, kind);
		cx_buf blob = build(g_file, n);
		cx_blocks b;
		assert_int_equal(cx_blocks_parse(blob.data, blob.len, n, &b), 0);
		for (unsigned k = 0; k < b.n; k++) {
			size_t lo = (size_t)k * b.block_size, hi = lo + b.block_size + CX_BLOCKS_OVERLAP;
			hi = hi < n - 2 ? hi : n - 2;
			size_t distinct = 0;
			for (size_t i = lo; i < hi; i++) {
				if (memchr(g_file + i, '\n', 3))
					continue;
				uint32_t t = cx_blocks_fold(tri_at(g_file + i));
				distinct += !(present[t >> 6] >> (t & 63) & 1);
				present[t >> 6] |= 1ull << (t & 63);
			}
			size_t bt = 0, bp = 0;
			while (bt < 4000) {
				/* Half any bytes, half the letters and punctuation of text. */
				uint32_t t = (uint32_t)rnd64(&r) & 0xffffff;
				if (bt & 1) {
					uint8_t c[3];
					for (int j = 0; j < 3; j++)
						c[j] = rnd(&r, 4) ? letter(&r) : (uint8_t)"(){};=+ "[rnd(&r, 8)];
					t = tri_at(c);
				}
				if (memchr((uint8_t[3]){t >> 16, t >> 8 & 0xff, t & 0xff}, '\n', 3))
					continue;
				uint32_t ft = cx_blocks_fold(t);
				if (present[ft >> 6] >> (ft & 63) & 1)
					continue;
				bt++;
				bp += (size_t)cx_blocks_may_have(&b, k, t);
			}
			if (distinct >= 256 && bp * 100 > bt * 55) {
				print_error("file %d (%s) block %u (%zu distinct trigrams): %zu of %zu "
					    "absent trigrams pass\n",
					    f, kind_name[kind], k, distinct, bp, bt);
				fail();
			}
			tried += bt;
			passed += bp;
			blocks++;
			for (size_t i = lo; i < hi; i++) {
				uint32_t t = cx_blocks_fold(tri_at(g_file + i));
				present[t >> 6] = 0;
			}
		}
		cx_buf_release(&blob);
	}
	free(present);
	printf("false positives: %zu of %zu absent trigrams pass (%.1f %%) in %zu blocks\n",
	       passed, tried, 100.0 * (double)passed / (double)tried, blocks);
	assert_true(passed * 100 < tried * 40);
}

/* The trigram bitmap is all zero after each build (the next build relies on it),
 * whatever the scratch array held, and the same content gives the same summary. */
static void test_seen_cleared(void **state)
{
	(void)state;
	rng r = {0xa4093822299f31d0ull};
	for (int f = 0; f < 16; f++) {
		int kind = f % K_KINDS;
		size_t n = CX_BLOCKS_MIN_SIZE + rnd(&r, 200u << 10);
		fill(&r, g_file, n, kind);
		cx_buf a = build(g_file, n);
		if (!seen_is_clear()) {
			print_error("file %d (%s): the seen bitmap is dirty after the build\n", f,
				    kind_name[kind]);
			fail();
		}
		memset(g_scratch, 0x5a, n * sizeof *g_scratch);
		cx_buf b = build(g_file, n);
		assert_true(seen_is_clear());
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		cx_buf_release(&a);
		cx_buf_release(&b);
	}
}

/* A summary written field by field: block size, count, then per block the '\n'
 * count and filter length, then the filters (zero bytes). */
static cx_buf synth(uint32_t bsize, uint32_t n, const uint32_t *nl, const uint32_t *flen)
{
	cx_buf out = CX_BUF_INIT;
	size_t total = 8 + (size_t)n * 8;
	for (uint32_t k = 0; k < n; k++)
		total += flen[k];
	assert_int_equal(cx_buf_reserve(&out, total), 0);
	memset(out.data, 0, total);
	cx_put_u32(out.data, bsize);
	cx_put_u32(out.data + 4, n);
	for (uint32_t k = 0; k < n; k++) {
		cx_put_u32(out.data + 8 + (size_t)k * 8, nl[k]);
		cx_put_u32(out.data + 12 + (size_t)k * 8, flen[k]);
	}
	out.len = total;
	return out;
}

static uint32_t get(const cx_buf *b, size_t at)
{
	return cx_get_u32(b->data + at);
}

/* A copy of `b` with the u32 at `at` set to v. */
static int parses_with(const cx_buf *b, size_t at, uint32_t v, uint64_t size)
{
	uint8_t *c = malloc(b->len);
	assert_non_null(c);
	memcpy(c, b->data, b->len);
	cx_put_u32(c + at, v);
	int rc = cx_blocks_parse(c, b->len, size, &(cx_blocks){0});
	free(c);
	return rc;
}

/* Malformed summaries are rejected: every truncation, a file size the blocks do not
 * cover exactly, a zero block size, 0 or more than 64 blocks, '\n' counts that
 * decrease or exceed the bytes before the block, filter lengths that are 0, not a
 * multiple of 8 or past the end, and trailing bytes. Each bad field is changed
 * alone, next to a summary that parses. */
static void test_parse_rejects(void **state)
{
	(void)state;
	rng r = {0x082efa98ec4e6c89ull};
	/* A real summary: 32 KiB of short lines gives 4 blocks of 8 KiB. */
	size_t n = CX_BLOCKS_MIN_SIZE + 1000;
	fill(&r, g_file, n, K_SOURCE);
	cx_buf v = build(g_file, n);
	cx_blocks b;
	assert_int_equal(cx_blocks_parse(v.data, v.len, n, &b), 0);
	uint32_t bs = b.block_size, nb = b.n;
	assert_true(nb >= 3);
	assert_true(get(&v, 8 + 8) > 0 && get(&v, 8 + 16) > get(&v, 8 + 8)); /* '\n' counts */

	/* Every truncation, and one byte more. */
	for (size_t len = 0; len < v.len; len++)
		if (parses(v.data, len, n) == 0) {
			print_error("a summary cut to %zu of its %zu bytes parses\n", len, v.len);
			fail();
		}
	assert_int_equal(cx_buf_append(&v, "\0", 1), 0);
	assert_int_equal(parses(v.data, v.len, n), -1);
	v.len--;
	assert_int_equal(parses(v.data, v.len, n), 0);

	/* The file size must lie in ((nb - 1) * bs, nb * bs]. */
	uint64_t lo = (uint64_t)(nb - 1) * bs, hi = (uint64_t)nb * bs;
	assert_int_equal(parses(v.data, v.len, lo + 1), 0);
	assert_int_equal(parses(v.data, v.len, hi), 0);
	assert_int_equal(parses(v.data, v.len, lo), -1);
	assert_int_equal(parses(v.data, v.len, hi + 1), -1);
	assert_int_equal(parses(v.data, v.len, 0), -1);
	assert_int_equal(parses(v.data, v.len, lo - bs), -1);
	assert_int_equal(parses(v.data, v.len, UINT64_MAX), -1);

	/* Header fields. */
	assert_int_equal(parses_with(&v, 0, 0, n), -1);
	assert_int_equal(parses_with(&v, 0, 0, 0), -1);
	assert_int_equal(parses_with(&v, 4, 0, n), -1);
	assert_int_equal(parses_with(&v, 4, 65, n), -1);
	assert_int_equal(parses_with(&v, 4, UINT32_MAX, n), -1);
	assert_int_equal(parses_with(&v, 4, nb + 1, n), -1);
	assert_int_equal(parses_with(&v, 4, nb - 1, n), -1);

	/* '\n' counts: none before block 0, never decreasing, at most the bytes before
	 * the block; equal counts are fine. */
	uint32_t nl1 = get(&v, 16), nl2 = get(&v, 24);
	assert_int_equal(parses_with(&v, 8, 1, n), -1);
	assert_int_equal(parses_with(&v, 24, nl1 - 1, n), -1);
	assert_int_equal(parses_with(&v, 24, nl1, n), 0);
	assert_int_equal(parses_with(&v, 16, nl2 + 1, n), -1);
	assert_int_equal(parses_with(&v, 16, bs, n), nl2 >= bs ? 0 : -1);
	assert_int_equal(parses_with(&v, 16, bs + 1, n), -1);
	assert_int_equal(parses_with(&v, 16, UINT32_MAX, n), -1);

	/* Filter lengths, with the total kept so that only the one rule is broken. */
	uint32_t f0 = get(&v, 12), f1 = get(&v, 20);
	assert_true(f0 >= 16 && f1 >= 16);
	cx_buf w = CX_BUF_INIT;
	assert_int_equal(cx_buf_append(&w, v.data, v.len), 0);
	cx_put_u32(w.data + 12, f0 + 8); /* moving 8 bytes from filter 1 to 0 is fine */
	cx_put_u32(w.data + 20, f1 - 8);
	assert_int_equal(parses(w.data, w.len, n), 0);
	cx_put_u32(w.data + 12, f0 + 4); /* 4 is not */
	cx_put_u32(w.data + 20, f1 - 4);
	assert_int_equal(parses(w.data, w.len, n), -1);
	cx_put_u32(w.data + 12, 0); /* an empty filter */
	cx_put_u32(w.data + 20, f1 + f0);
	assert_int_equal(parses(w.data, w.len, n), -1);
	cx_put_u32(w.data + 12, f0 + f1); /* all of filter 1 in filter 0 */
	cx_put_u32(w.data + 20, 0);
	assert_int_equal(parses(w.data, w.len, n), -1);
	cx_buf_release(&w);
	assert_int_equal(parses_with(&v, 12, f0 + 8, n), -1); /* past the end */
	assert_int_equal(parses_with(&v, 12, f0 - 8, n), -1); /* short of it */
	assert_int_equal(parses_with(&v, 12, UINT32_MAX - 7, n), -1);
	assert_int_equal(parses_with(&v, 12 + 8 * (nb - 1), 0xfffffff8u, n), -1);
	cx_buf_release(&v);

	/* Synthetic summaries: 1 and 64 blocks parse, 65 do not, nor 0. */
	uint32_t nl[66] = {0}, fl[66];
	for (int k = 0; k < 66; k++) {
		fl[k] = 8 * (1 + (uint32_t)k % 3);
		nl[k] = (uint32_t)k * 7;
	}
	cx_buf s = synth(4096, 1, nl, fl);
	assert_int_equal(parses(s.data, s.len, 1), 0);
	assert_int_equal(parses(s.data, s.len, 4096), 0);
	assert_int_equal(parses(s.data, s.len, 4097), -1);
	cx_buf_release(&s);
	s = synth(4096, 64, nl, fl);
	assert_int_equal(parses(s.data, s.len, 63 * 4096 + 1), 0);
	cx_blocks sb;
	uint8_t *copy;
	assert_int_equal(parse_copy(s.data, s.len, 64 * 4096, &sb, &copy), 0);
	assert_int_equal(sb.n, 64);
	assert_int_equal(cx_blocks_newlines(&sb, 63), 63 * 7);
	assert_int_equal(cx_blocks_may_have(&sb, 63, 0x616263), 0); /* zero filters */
	free(copy);
	cx_buf_release(&s);
	s = synth(4096, 65, nl, fl);
	assert_int_equal(parses(s.data, s.len, 64 * 4096 + 1), -1);
	assert_int_equal(parses(s.data, s.len, 65 * 4096), -1);
	cx_buf_release(&s);
	s = synth(4096, 0, nl, fl);
	assert_int_equal(parses(s.data, s.len, 0), -1);
	assert_int_equal(parses(s.data, s.len, 1), -1);
	cx_buf_release(&s);
	/* Block sizes whose product with the count overflows 32 bits. */
	s = synth(UINT32_MAX, 2, nl, fl);
	assert_int_equal(parses(s.data, s.len, (uint64_t)UINT32_MAX + 1), 0);
	assert_int_equal(parses(s.data, s.len, UINT32_MAX), -1);
	assert_int_equal(parses(s.data, s.len, 1), -1);
	cx_buf_release(&s);
}

/* Random damage to valid summaries (bytes of the header and table flipped or set
 * to edge values, lengths cut or grown, file sizes moved): parse either rejects
 * the blob or returns a summary whose every block lies inside it, whose counts
 * follow the rules, and whose accessors read only the blob (an exact-size copy,
 * so that ASan sees any read past it). */
static void test_parse_mutations(void **state)
{
	(void)state;
	rng r = {0xbe5466cf34e90c6cull};
	/* Valid summaries: tiny filters (few distinct trigrams) and ordinary ones. */
	enum { N_BLOBS = 4 };
	cx_buf blobs[N_BLOBS];
	size_t sizes[N_BLOBS];
	for (int i = 0; i < N_BLOBS; i++) {
		sizes[i] = i < 2 ? CX_BLOCKS_MIN_SIZE + rnd(&r, 200u << 10) : CX_BLOCKS_MIN_SIZE + 7;
		if (i < 2) {
			for (size_t j = 0; j < sizes[i]; j++)
				g_file[j] = (uint8_t)"ab\nA"[rnd(&r, 4)];
		} else {
			fill(&r, g_file, sizes[i], i == 2 ? K_SOURCE : K_CASE);
		}
		blobs[i] = build(g_file, sizes[i]);
	}
	size_t accepted = 0, rejected = 0;
	static const uint32_t edge[] = {0, 1, 7, 8, 63, 64, 65, 4096, 8192, 0x7fffffff,
					0x80000000u, 0xfffffff8u, UINT32_MAX};
	for (int it = 0; it < 20000; it++) {
		const cx_buf *v = &blobs[it % N_BLOBS];
		uint64_t size = sizes[it % N_BLOBS];
		size_t len = v->len;
		if (rnd(&r, 8) == 0) /* a length cut or grown */
			len = rnd(&r, 2) ? rnd(&r, (uint32_t)len + 1) : len + 1 + rnd(&r, 64);
		uint8_t *c = malloc(len ? len : 1);
		assert_non_null(c);
		for (size_t i = 0; i < len; i++)
			c[i] = i < v->len ? v->data[i] : (uint8_t)rnd64(&r);
		size_t head = 8 + (size_t)cx_get_u32(v->data + 4) * 8;
		head = head < len ? head : len;
		unsigned edits = 1 + rnd(&r, 4);
		for (unsigned e = 0; e < edits && head; e++) {
			uint32_t what = rnd(&r, 4);
			size_t at = rnd(&r, (uint32_t)head);
			if (what == 0 && head >= 4) {
				cx_put_u32(c + (at & ~(size_t)3) % (head - 3),
					   edge[rnd(&r, sizeof edge / sizeof edge[0])]);
			} else if (what == 1) {
				c[at] ^= (uint8_t)(1u << rnd(&r, 8));
			} else if (what == 2) {
				c[at] = (uint8_t)rnd64(&r);
			} else if (len) {
				size_t any = rnd(&r, (uint32_t)len);
				c[any] ^= (uint8_t)(1u << rnd(&r, 8));
			}
		}
		if (rnd(&r, 8) == 0) {
			uint64_t x = rnd64(&r);
			size = rnd(&r, 2) ? size + x % 70000 - 35000 : x >> rnd(&r, 64);
		}
		cx_blocks b;
		memset(&b, 0xee, sizeof b);
		if (cx_blocks_parse(c, len, size, &b) != 0) {
			rejected++;
			free(c);
			continue;
		}
		accepted++;
		/* What parse promises. */
		assert_true(len >= 8 && b.block_size > 0 && b.n >= 1 && b.n <= CX_BLOCKS_MAX);
		assert_true((uint64_t)(b.n - 1) * b.block_size < size &&
			    size <= (uint64_t)b.n * b.block_size);
		assert_ptr_equal(b.table, c + 8);
		assert_ptr_equal(b.filters, c + 8 + (size_t)b.n * 8);
		size_t room = len - 8 - (size_t)b.n * 8, used = 0;
		uint32_t prev = 0;
		for (unsigned k = 0; k < b.n; k++) {
			uint32_t flen = cx_get_u32(b.table + (size_t)k * 8 + 4);
			uint32_t nl = cx_blocks_newlines(&b, k);
			assert_true(flen > 0 && flen % 8 == 0);
			assert_int_equal(b.start[k], used);
			assert_true(used + flen <= room);
			assert_true(nl >= prev && (uint64_t)nl <= (uint64_t)k * b.block_size);
			prev = nl;
			used += flen;
			for (int j = 0; j < 8; j++)
				(void)cx_blocks_may_have(&b, k, (uint32_t)rnd64(&r) & 0xffffff);
		}
		assert_int_equal(used, room);
		free(c);
	}
	printf("mutations: %zu accepted, %zu rejected\n", accepted, rejected);
	assert_true(rejected > 1000 && accepted > 100);
	for (int i = 0; i < N_BLOBS; i++)
		cx_buf_release(&blobs[i]);
}

/* cx_blocks_fold lowers the ASCII letters of a trigram and nothing else. */
static void test_fold(void **state)
{
	(void)state;
	for (uint32_t c = 0; c < 256; c++) {
		uint32_t want = c >= 'A' && c <= 'Z' ? c + 32 : c;
		assert_int_equal(cx_blocks_fold(c << 16 | c << 8 | c), want << 16 | want << 8 | want);
		assert_int_equal(cx_blocks_fold(c << 16 | 'x' << 8 | 'Y'), want << 16 | 'x' << 8 | 'y');
		assert_int_equal(cx_blocks_fold('Q' << 16 | c << 8), 'q' << 16 | want << 8);
	}
	assert_int_equal(cx_blocks_fold(0xc1dae1), 0xc1dae1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_block_starts_with_newline),
		cmocka_unit_test(test_random_files),
		cmocka_unit_test(test_false_positives),
		cmocka_unit_test(test_seen_cleared),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_mutations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
