/* test_segment.c - unit tests of lib/index: posting list codecs, segment write/read round trips, and damaged segment and manifest files reported as corrupt, never misread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "codeidx.h"
#include "common/buf.h"
#include "common/varint.h"
#include "helpers/tree.h"
#include "index/manifest.h"
#include "index/postings.h"
#include "index/segment.h"
#include "index/segment_format.h"
#include "index/segment_writer.h"

/* ------------------------------------------------------ guarded mappings ---- */

/* Every read-only file mapping this binary makes (the segment reader's) gets an
 * inaccessible page right after it, so a read past the end of a mapped file crashes
 * at once instead of reading whatever memory happens to follow. */
/* ThreadSanitizer maps its shadow memory through mmap and must keep its own
 * interceptor: the guard pages are left to the other builds. */
#ifndef __SANITIZE_THREAD__
typedef struct guarded {
	void *addr;
	size_t len; /* mapped length, page rounded, without the guard */
} guarded;
static guarded g_maps[64];

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	return (n + pg - 1) / pg * pg;
}

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd < 0 || prot != PROT_READ || addr || len == 0)
		return raw_mmap(addr, len, prot, flags, fd, off);
	size_t rl = page_round(len), pg = (size_t)sysconf(_SC_PAGESIZE);
	guarded *slot = NULL;
	for (size_t i = 0; i < 64 && !slot; i++)
		if (!g_maps[i].addr)
			slot = &g_maps[i];
	if (!slot)
		return raw_mmap(addr, len, prot, flags, fd, off);
	uint8_t *area = raw_mmap(NULL, rl + pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return MAP_FAILED;
	void *m = raw_mmap(area, len, prot, flags | MAP_FIXED, fd, off);
	if (m == MAP_FAILED) {
		syscall(SYS_munmap, area, rl + pg);
		return MAP_FAILED;
	}
	*slot = (guarded){area, rl};
	return area;
}

int munmap(void *addr, size_t len)
{
	for (size_t i = 0; i < 64; i++)
		if (g_maps[i].addr && g_maps[i].addr == addr) {
			len = g_maps[i].len + (size_t)sysconf(_SC_PAGESIZE);
			g_maps[i].addr = NULL;
			break;
		}
	return (int)syscall(SYS_munmap, addr, len);
}
#endif

/* --------------------------------------------------------------- helpers ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* n distinct ascending ids below limit, each id present with probability ~density. */
static size_t random_list(uint32_t *out, uint32_t limit, double density)
{
	size_t n = 0;
	uint64_t threshold = (uint64_t)(density * 1e6);
	for (uint32_t id = 0; id < limit; id++)
		if (rnd() % 1000000 < threshold)
			out[n++] = id;
	if (n == 0)
		out[n++] = (uint32_t)(rnd() % limit);
	return n;
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* ----------------------------------------------------------- postings ---- */

/* Random sparse and dense lists round-trip; each gets the smaller encoding. */
static void test_postings_round_trip(void **state)
{
	(void)state;
	rng_state = 0x1234567;
	static const double densities[] = {0.0005, 0.003, 0.01, 0.05, 0.12, 0.2, 0.5, 0.9, 1.0};
	static const uint32_t limits[] = {1, 2, 9, 100, 1000, 70000, 300000};
	uint32_t *ids = malloc(300000 * sizeof *ids), *back = malloc(300000 * sizeof *back);
	size_t kinds[2] = {0, 0};
	for (size_t li = 0; li < sizeof limits / sizeof *limits; li++)
		for (size_t di = 0; di < sizeof densities / sizeof *densities; di++) {
			uint32_t limit = limits[li];
			size_t n = random_list(ids, limit, densities[di]);
			/* Sometimes shift the list up to start far from 0. */
			cx_buf b = CX_BUF_INIT;
			assert_int_equal(cx_buf_append(&b, "pre", 3), 0); /* appends, not overwrites */
			int kind = cx_postings_encode(ids, n, &b);
			assert_true(kind == CX_LIST_VARINT || kind == CX_LIST_BITMAP);
			kinds[kind]++;
			size_t vlen = varint_size(ids[0]), span = ids[n - 1] - ids[0] + 1;
			for (size_t i = 1; i < n; i++)
				vlen += varint_size(ids[i] - ids[i - 1]);
			size_t blen = varint_size(ids[0]) + (span + 7) / 8;
			assert_int_equal(kind, blen < vlen ? CX_LIST_BITMAP : CX_LIST_VARINT);
			assert_int_equal(b.len - 3, kind == CX_LIST_BITMAP ? blen : vlen);
			assert_memory_equal(b.data, "pre", 3);
			memset(back, 0xab, n * sizeof *back);
			assert_int_equal(cx_postings_decode(kind, b.data + 3, b.len - 3, n, limit, back),
					 0);
			assert_memory_equal(back, ids, n * sizeof *ids);
			cx_buf_release(&b);
		}
	/* High ids (multi-byte varints) and lists far from 0. */
	for (int rep = 0; rep < 200; rep++) {
		uint32_t base = (uint32_t)(rnd() % 0xfffff000u);
		size_t n = 1 + rnd() % 300;
		uint32_t step = rep % 2 ? 1 + (uint32_t)(rnd() % 3) : 1 + (uint32_t)(rnd() % 5000);
		for (size_t i = 0; i < n; i++)
			ids[i] = base + (uint32_t)i * step;
		cx_buf b = CX_BUF_INIT;
		int kind = cx_postings_encode(ids, n, &b);
		assert_true(kind >= 0);
		kinds[kind]++;
		assert_int_equal(cx_postings_decode(kind, b.data, b.len, n, UINT32_MAX, back), 0);
		assert_memory_equal(back, ids, n * sizeof *ids);
		cx_buf_release(&b);
	}
	assert_true(kinds[CX_LIST_VARINT] > 10);
	assert_true(kinds[CX_LIST_BITMAP] > 10);
	free(ids);
	free(back);
}

static int decode(int kind, const uint8_t *p, size_t len, size_t n, uint32_t limit)
{
	uint32_t out[64];
	assert_true(n <= 64);
	return cx_postings_decode(kind, p, len, n, limit, out);
}

/* Bytes that are not a well-formed list of n ascending ids below limit are refused. */
/* cx_postings_filter keeps exactly the ids a naive intersection keeps, for both
 * encodings, probe sets sparse and dense, inside and outside the list's span. */
static void test_postings_filter(void **state)
{
	(void)state;
	rng_state = 0x7777;
	static const double densities[] = {0.001, 0.02, 0.2, 0.7, 1.0};
	const uint32_t limit = 50000;
	uint32_t *ids = malloc(limit * sizeof *ids), *probe = malloc(limit * sizeof *probe);
	uint32_t *want = malloc(limit * sizeof *want);
	size_t kinds[2] = {0, 0};
	for (size_t di = 0; di < 5; di++)
		for (size_t pi = 0; pi < 5; pi++) {
			size_t n = random_list(ids, limit, densities[di]);
			size_t np = random_list(probe, limit, densities[pi]);
			size_t nw = 0;
			for (size_t i = 0, j = 0; i < np; i++) {
				while (j < n && ids[j] < probe[i])
					j++;
				if (j < n && ids[j] == probe[i])
					want[nw++] = probe[i];
			}
			cx_buf b = CX_BUF_INIT;
			int kind = cx_postings_encode(ids, n, &b);
			kinds[kind]++;
			assert_int_equal(cx_postings_filter(kind, b.data, b.len, n, limit, probe, &np),
					 0);
			assert_int_equal(np, nw);
			assert_memory_equal(probe, want, nw * sizeof *want);
			/* A list cut short is corrupt once the walk reaches its end. */
			probe[0] = ids[n - 1];
			np = 1;
			if (kind == CX_LIST_VARINT && n > 1)
				assert_int_equal(cx_postings_filter(kind, b.data, b.len - 1, n, limit,
								    probe, &np), -1);
			cx_buf_release(&b);
		}
	assert_true(kinds[CX_LIST_VARINT] > 0 && kinds[CX_LIST_BITMAP] > 0);
	/* Varint lists the walk finds wrong: an id at or past the limit (by one-byte
	 * deltas and by a long one), a zero delta, an overlong varint. */
	static const struct {
		uint8_t bytes[8];
		size_t len, n;
		uint32_t limit, probe;
	} bad[] = {
		{{5, 100, 27}, 3, 3, 132, 131},          /* 5, 105, 132 = limit */
		{{5, 100, 27}, 3, 3, 132, 200},          /* asked past the limit */
		{{5, 0x80, 0x01}, 3, 2, 132, 200},       /* 5, 133 */
		{{5, 0, 3}, 3, 3, 1000, 8},              /* a zero delta */
		{{5, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, 8, 2, 1000, 900},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		uint32_t one = bad[k].probe;
		size_t np = 1;
		if (cx_postings_filter(CX_LIST_VARINT, bad[k].bytes, bad[k].len, bad[k].n,
				       bad[k].limit, &one, &np) != -1)
			fail_msg("bad varint list %zu accepted", k);
	}
	free(ids);
	free(probe);
	free(want);
}

/* The test's own statement of a path a walk can produce: relative, no empty, "." or
 * ".." component, no NUL. */
static int path_ok_reference(const char *p, size_t len)
{
	if (len == 0 || memchr(p, 0, len))
		return 0;
	const char *end = p + len;
	for (const char *c = p;;) { /* each component, split at '/' */
		const char *slash = memchr(c, '/', (size_t)(end - c));
		size_t n = (size_t)((slash ? slash : end) - c);
		if (n == 0 || (n <= 2 && !memcmp(c, "..", n)))
			return 0; /* empty, "." or ".." */
		if (!slash)
			return 1;
		c = slash + 1;
	}
}

/* Opening a segment accepts exactly the doc paths the reference accepts: random paths
 * over "ab./" (and a rare NUL), several per segment, short and longer than the
 * 16-byte steps the fast check takes, plus hand-picked dot names. */
static void test_segment_doc_paths(void **state)
{
	(void)state;
	rng_state = 0xd07;
	char *root = tree_new();
	int dirfd = open(root, O_RDONLY | O_DIRECTORY);
	static const char *const picked[] = {
		".gitignore", "a/.gitignore", "a/..b/c", "a/b..", ".../x", "a/.../b", "x/.",
		"x/..", "./x", "../x", "a/./b", "a/../b", "a//b", "/a", "a/", ".", "..",
		"dir/sub/.hidden/..x/file.c", "0123456789abcdef/./0123456789abcdef",
		"0123456789abcdef0123456789abcdef/.x", "0123456789abcde/../",
		"0123456789abcdef0123/../x/0123456789abcdef", "abcdefghij//klmnopqrstuvwxyz0123",
		"abcdefghijklmnopq/./rstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz/.../.x/..y/z",
		"abcdefghijklmnopqrstuvwxyz/..", "abcdefghijklmnopqrstuvwxyz/."};
	size_t n_picked = sizeof picked / sizeof *picked, accepted = 0, refused = 0;
	for (int round = 0; round < 600; round++) {
		char paths[8][80];
		/* Hand-picked paths alone in their segment, then random sets. */
		size_t lens[8], n = round < (int)n_picked ? 1 : 1 + rnd() % (round % 2 ? 8 : 2);
		int want = 1;
		for (size_t k = 0; k < n; k++) {
			if (round < (int)n_picked && k == 0) {
				lens[k] = strlen(picked[round]);
				memcpy(paths[k], picked[round], lens[k]);
			} else {
				lens[k] = 1 + rnd() % 70;
				for (size_t i = 0; i < lens[k]; i++) {
					unsigned r = (unsigned)(rnd() % 1000);
					paths[k][i] = r < 500 ? 'a' : r < 850 ? 'b' : r < 920 ? '/' : r < 998 ? '.' : 0;
				}
			}
			want &= path_ok_reference(paths[k], lens[k]);
		}
		cx_segw *w = NULL;
		assert_int_equal(cx_segw_create(&w, dirfd, "seg-0000000000000009.cdx"), 0);
		cx_docmeta meta = {0};
		for (size_t k = 0; k < n; k++)
			assert_int_equal(cx_segw_add_doc(w, paths[k], lens[k], &meta, NULL, 0), 0);
		assert_int_equal(cx_segw_commit(w, NULL), 0);
		cx_segment *sg = NULL;
		int rc = cx_segment_open(dirfd, 9, &sg);
		assert_int_equal(rc, want ? 0 : CODEIDX_ECORRUPT);
		if (want)
			accepted++;
		else
			refused++;
		cx_segment_unref(sg);
		assert_int_equal(unlinkat(dirfd, "seg-0000000000000009.cdx", 0), 0);
	}
	print_message("%zu segments accepted, %zu refused\n", accepted, refused);
	assert_true(accepted > 100 && refused > 100);
	close(dirfd);
	tree_remove(root);
}

static void test_postings_decode_rejects(void **state)
{
	(void)state;
	const uint32_t sparse[] = {3, 200, 5000, 70000};
	const uint32_t dense[] = {10, 11, 12, 14, 15, 17, 18, 19, 20, 22, 23, 25};
	struct {
		const uint32_t *ids;
		size_t n;
		int kind;
	} lists[] = {{sparse, 4, CX_LIST_VARINT}, {dense, 12, CX_LIST_BITMAP}};
	for (size_t li = 0; li < 2; li++) {
		const uint32_t *ids = lists[li].ids;
		size_t n = lists[li].n;
		cx_buf b = CX_BUF_INIT;
		int kind = cx_postings_encode(ids, n, &b);
		assert_int_equal(kind, lists[li].kind);
		uint8_t p[64];
		size_t len = b.len;
		memcpy(p, b.data, len);
		uint32_t limit = ids[n - 1] + 1;
		assert_int_equal(decode(kind, p, len, n, limit), 0);
		assert_int_equal(decode(kind, p, len, n, ids[n - 1]), -1);   /* id >= limit */
		assert_int_equal(decode(kind, p, len - 1, n, limit), -1);    /* truncated */
		assert_int_equal(decode(kind, p, 0, n, limit), -1);          /* empty */
		assert_int_equal(decode(kind, p, len, n + 1, limit + 9), -1); /* too few ids */
		assert_int_equal(decode(kind, p, len, n - 1, limit), -1);    /* too many */
		assert_int_equal(decode(kind, p, len, 0, limit), -1);
		assert_int_equal(decode(2, p, len, n, limit), -1);           /* unknown kind */
		assert_int_equal(decode(255, p, len, n, limit), -1);
		uint8_t q[65];
		memcpy(q, p, len);
		q[len] = 0; /* a trailing zero byte */
		assert_int_equal(decode(kind, q, len + 1, n, limit + 64), -1);
		q[len] = 1; /* a trailing non-zero byte */
		assert_int_equal(decode(kind, q, len + 1, n, limit + 64), -1);
		cx_buf_release(&b);
	}
	/* Varint specifics: a zero delta (repeated id), an unterminated varint. */
	const uint8_t zero_delta[] = {5, 0, 3};
	assert_int_equal(decode(CX_LIST_VARINT, zero_delta, 3, 3, 100), -1);
	const uint8_t unterminated[] = {5, 0x83};
	assert_int_equal(decode(CX_LIST_VARINT, unterminated, 2, 2, 100000), -1);
	const uint8_t eleven[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	assert_int_equal(decode(CX_LIST_VARINT, eleven, 11, 1, UINT32_MAX), -1);
	/* Bitmap specifics: the first id's bit must be set. */
	const uint8_t no_first_bit[] = {10, 0x06};
	assert_int_equal(decode(CX_LIST_BITMAP, no_first_bit, 2, 2, 100), -1);
	/* A delta so large it wraps the 64-bit sum around to a smaller id: 5, then
	 * 5 + (2^64 - 2) = 3 (mod 2^64). Not ascending: must be refused. */
	uint8_t wrap[16];
	size_t k = cx_varint_put(wrap, 5);
	k += cx_varint_put(wrap + k, UINT64_MAX - 1);
	uint32_t out[2] = {0, 0};
	int rc = cx_postings_decode(CX_LIST_VARINT, wrap, k, 2, 1000, out);
	if (rc == 0)
		fail_msg("a wrapping delta decoded as the list {%u, %u}: not ascending", out[0],
			 out[1]);
}

/* ------------------------------------------------------------ segments ---- */

#define N_DOCS 40
#define N_TRIS 300

typedef struct seg_model {
	char paths[N_DOCS][32];
	cx_docmeta meta[N_DOCS];
	uint32_t tri[N_TRIS];
	uint32_t count[N_TRIS];
	uint32_t ids[N_TRIS][N_DOCS];
	int kinds[2];
} seg_model;

static void model_make(seg_model *m)
{
	memset(m, 0, sizeof *m);
	rng_state = 0xfeedface;
	for (uint32_t i = 0; i < N_DOCS; i++) {
		snprintf(m->paths[i], sizeof m->paths[i], "%s/file%03u.c", i < 20 ? "a" : "b/c", i);
		m->meta[i] = (cx_docmeta){.size = 100u * i + 1, .mtime_ns = 1700000000000000000ll + i,
					  .ino = 4242 + i, .hash = 0x9e3779b97f4a7c15ull * (i + 1)};
	}
	uint32_t t = 0;
	for (uint32_t k = 0; k < N_TRIS; k++) {
		t += 1 + (uint32_t)(rnd() % 50000);
		m->tri[k] = t & 0xffffffu;
		assert_true(k == 0 || m->tri[k] > m->tri[k - 1]);
		double density = k % 3 == 0 ? 0.9 : k % 3 == 1 ? 0.05 : 0.3;
		m->count[k] = (uint32_t)random_list(m->ids[k], N_DOCS, density);
	}
}

/* Doc i's block summary in the model: opaque bytes for every fifth doc (the segment
 * stores summaries without reading them), none for the others. */
static size_t model_blob(uint32_t i, uint8_t *blob)
{
	if (i % 5)
		return 0;
	size_t n = 8 + i;
	for (size_t k = 0; k < n; k++)
		blob[k] = (uint8_t)(i * 7 + k);
	return n;
}

/* Writes the model as segment `id` of dirfd, the trigram entries in 3 chunks. */
static uint64_t model_write(seg_model *m, int dirfd, uint64_t id)
{
	char name[64];
	cx_segment_name(id, name, sizeof name);
	cx_segw *w = NULL;
	assert_int_equal(cx_segw_create(&w, dirfd, name), 0);
	for (uint32_t i = 0; i < N_DOCS; i++) {
		uint8_t blob[64];
		size_t n = model_blob(i, blob);
		assert_int_equal(cx_segw_add_doc(w, m->paths[i], strlen(m->paths[i]), &m->meta[i],
						 blob, n), 0);
	}
	const uint32_t cuts[] = {0, 17, 170, N_TRIS};
	for (int c = 0; c < 3; c++) {
		cx_buf entries = CX_BUF_INIT, post = CX_BUF_INIT;
		for (uint32_t k = cuts[c]; k < cuts[c + 1]; k++) {
			size_t at = post.len;
			int kind = cx_postings_encode(m->ids[k], m->count[k], &post);
			assert_true(kind >= 0);
			m->kinds[kind]++;
			uint8_t e[CX_SEG_TRI_ENTRY];
			cx_put_u32(e, m->tri[k] | ((uint32_t)kind << 24));
			cx_put_u32(e + 4, m->count[k]);
			cx_put_u32(e + 8, (uint32_t)at);
			cx_put_u32(e + 12, (uint32_t)XXH3_64bits(post.data + at, post.len - at));
			assert_int_equal(cx_buf_append(&entries, e, sizeof e), 0);
		}
		assert_int_equal(cx_segw_add_chunk(w, entries.data, entries.len / CX_SEG_TRI_ENTRY,
						   post.data, post.len),
				 0);
		cx_buf_release(&entries);
		cx_buf_release(&post);
	}
	uint64_t bytes = 0;
	assert_int_equal(cx_segw_commit(w, &bytes), 0);
	return bytes;
}

/* Compares an opened segment with the model. Returns the number of lists that
 * cx_segment_list refused (as corrupt); any list it returns must be the model's. */
static size_t model_compare(const seg_model *m, const cx_segment *s, int strict)
{
	assert_int_equal(s->n_docs, N_DOCS);
	assert_int_equal(s->n_tris, N_TRIS);
	for (uint32_t i = 0; i < N_DOCS; i++) {
		size_t len;
		const char *p = cx_segment_path(s, i, &len);
		assert_int_equal(len, strlen(m->paths[i]));
		assert_memory_equal(p, m->paths[i], len);
		cx_docmeta d;
		cx_segment_meta(s, i, &d);
		assert_memory_equal(&d, &m->meta[i], sizeof d);
	}
	size_t refused = 0;
	for (uint32_t i = 0; i < N_DOCS; i++) {
		uint8_t want[64];
		size_t n = model_blob(i, want), len;
		const uint8_t *blob;
		int rc = cx_segment_blocks(s, i, &blob, &len);
		/* Checked once, then trusted: a damaged summary must stay refused. */
		const uint8_t *again;
		size_t again_len;
		assert_int_equal(cx_segment_blocks(s, i, &again, &again_len), rc);
		if (rc) {
			assert_int_equal(rc, CODEIDX_ECORRUPT);
			assert_false(strict);
			refused++;
			continue;
		}
		if (len != n || (n && memcmp(blob, want, n)))
			fail_msg("block summary of doc %u read back different, without an error", i);
	}
	uint32_t out[N_DOCS];
	for (uint32_t k = 0; k < N_TRIS; k++) {
		assert_int_equal(cx_segment_tri(s, k), m->tri[k]);
		assert_int_equal(cx_segment_count(s, k), m->count[k]);
		int rc = cx_segment_list(s, k, out);
		if (rc) {
			assert_int_equal(rc, CODEIDX_ECORRUPT);
			assert_false(strict);
			refused++;
			continue;
		}
		if (memcmp(out, m->ids[k], m->count[k] * sizeof *out))
			fail_msg("list %u (trigram %06x) read back different, without an error", k,
				 m->tri[k]);
	}
	return refused;
}

typedef struct seg_env {
	char *root;
	int dirfd;
	seg_model m;
	uint8_t *bytes; /* the pristine file */
	size_t len;
	int fd; /* the file, open for writing damage into it */
	char name[64];
} seg_env;

static int seg_setup(void **state)
{
	seg_env *e = calloc(1, sizeof *e);
	e->root = tree_new();
	e->dirfd = open(e->root, O_RDONLY | O_DIRECTORY);
	model_make(&e->m);
	e->len = model_write(&e->m, e->dirfd, 7);
	cx_segment_name(7, e->name, sizeof e->name);
	e->fd = openat(e->dirfd, e->name, O_RDWR);
	struct stat st;
	assert_int_equal(fstat(e->fd, &st), 0);
	assert_int_equal((size_t)st.st_size, e->len);
	e->bytes = malloc(e->len);
	assert_int_equal(pread(e->fd, e->bytes, e->len, 0), (ssize_t)e->len);
	*state = e;
	return 0;
}

static int seg_teardown(void **state)
{
	seg_env *e = *state;
	close(e->fd);
	close(e->dirfd);
	free(e->bytes);
	tree_remove(e->root);
	free(e);
	return 0;
}

static void restore(seg_env *e)
{
	assert_int_equal(ftruncate(e->fd, (off_t)e->len), 0);
	assert_int_equal(pwrite(e->fd, e->bytes, e->len, 0), (ssize_t)e->len);
}

/* A segment written with cx_segw_* reads back identical. */
static void test_segment_round_trip(void **state)
{
	seg_env *e = *state;
	assert_true(e->m.kinds[CX_LIST_VARINT] > 0 && e->m.kinds[CX_LIST_BITMAP] > 0);
	cx_segment *s = NULL;
	assert_int_equal(cx_segment_open(e->dirfd, 7, &s), 0);
	assert_int_equal(s->id, 7);
	assert_int_equal(s->map_len, e->len);
	assert_int_equal(model_compare(&e->m, s, 1), 0);
	/* Lookups. */
	for (uint32_t k = 0; k < N_TRIS; k++) {
		assert_int_equal(cx_segment_find(s, e->m.tri[k]), (int64_t)k);
		if (k == 0 || e->m.tri[k] - 1 != e->m.tri[k - 1]) {
			assert_int_equal(cx_segment_find(s, e->m.tri[k] - 1), -1);
			assert_int_equal(cx_segment_lower_bound(s, e->m.tri[k] - 1), k);
		}
	}
	assert_true(e->m.tri[N_TRIS - 1] < 0xffffffu);
	assert_int_equal(cx_segment_lower_bound(s, e->m.tri[N_TRIS - 1] + 1), N_TRIS);
	assert_int_equal(cx_segment_find(s, e->m.tri[N_TRIS - 1] + 1), -1);
	/* References keep the mapping alive. */
	cx_segment *s2 = cx_segment_ref(s);
	cx_segment_unref(s);
	assert_int_equal(model_compare(&e->m, s2, 1), 0);
	cx_segment_unref(s2);
	/* A missing segment is reported (the manifest names a file that is gone). */
	assert_int_equal(cx_segment_open(e->dirfd, 8, &s), CODEIDX_ECORRUPT);
	assert_null(s);
	/* The writer refuses to overwrite an existing segment. */
	cx_segw *w = NULL;
	assert_int_not_equal(cx_segw_create(&w, e->dirfd, e->name), 0);
	assert_null(w);
}

/* Opens the (damaged) segment: either refused as corrupt, or every doc and entry reads
 * as written and every list is either the written one or refused. Returns 1 when the
 * damage was detected (at open or by a list), 0 when not. */
static int open_damaged(seg_env *e, int allow_version)
{
	cx_segment *s = NULL;
	int rc = cx_segment_open(e->dirfd, 7, &s);
	if (rc) {
		assert_null(s);
		if (!(rc == CODEIDX_ECORRUPT || (allow_version && rc == CODEIDX_EVERSION)))
			fail_msg("damaged segment: %s (%d)", codeidx_strerror(rc), rc);
		assert_true(strlen(codeidx_error_detail()) > 0);
		return 1;
	}
	size_t refused = model_compare(&e->m, s, 0);
	cx_segment_unref(s);
	return refused > 0;
}

static size_t sec_off(const seg_env *e, unsigned i)
{
	return (size_t)cx_get_u64(e->bytes + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE + 8);
}

static size_t sec_len(const seg_env *e, unsigned i)
{
	return (size_t)cx_get_u64(e->bytes + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE + 16);
}

/* Any single flipped byte, anywhere (header, section table, each section), is caught:
 * ECORRUPT at open (EVERSION for the version field), or ECORRUPT for the list it
 * hits; nothing is ever read back different. */
static void test_segment_flipped_bytes(void **state)
{
	seg_env *e = *state;
	/* The layout this test relies on: sections back to back, all non-empty. */
	assert_int_equal(sec_off(e, CX_SEC_POSTINGS),
			 CX_SEG_HEADER_SIZE + CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE);
	for (unsigned i = 0; i < CX_SEG_NSECTIONS; i++)
		assert_true(sec_len(e, i) > 0);
	assert_int_equal(sec_off(e, CX_SEC_BLOCKS) + sec_len(e, CX_SEC_BLOCKS), e->len);
	const uint8_t masks[] = {0x01, 0x80, 0xff};
	size_t undetected = 0;
	for (size_t pos = 0; pos < e->len; pos++) {
		for (size_t mi = 0; mi < sizeof masks; mi++) {
			uint8_t b = e->bytes[pos] ^ masks[mi];
			assert_int_equal(pwrite(e->fd, &b, 1, (off_t)pos), 1);
			int version_field = pos >= 8 && pos < 12;
			if (!open_damaged(e, version_field)) {
				if (undetected++ < 10)
					print_error("undetected flip 0x%02x at offset %zu\n", masks[mi],
						    pos);
			}
			assert_int_equal(pwrite(e->fd, &e->bytes[pos], 1, (off_t)pos), 1);
		}
	}
	assert_int_equal(undetected, 0);
	assert_int_equal(open_damaged(e, 0), 0); /* restored: reads clean */
}

/* A file cut short anywhere is refused at open. */
static void test_segment_truncated(void **state)
{
	seg_env *e = *state;
	for (size_t len = 0; len < e->len; len++) {
		assert_int_equal(ftruncate(e->fd, (off_t)len), 0);
		if (!open_damaged(e, 0))
			fail_msg("segment truncated to %zu of %zu bytes not detected", len, e->len);
		restore(e);
	}
	/* Zeros appended: not the same file either (section table no longer ends it) is
	 * fine to accept, but must never read differently. */
	uint8_t zeros[4096] = {0};
	assert_int_equal(pwrite(e->fd, zeros, sizeof zeros, (off_t)e->len), (ssize_t)sizeof zeros);
	open_damaged(e, 0);
	restore(e);
}

/* Zeroed regions: the whole file, the header, the table, each section. */
static void test_segment_zeroed(void **state)
{
	seg_env *e = *state;
	struct region {
		size_t off, len;
	} regions[3 + CX_SEG_NSECTIONS];
	size_t n = 0;
	regions[n++] = (struct region){0, e->len};
	regions[n++] = (struct region){0, CX_SEG_HEADER_SIZE};
	regions[n++] = (struct region){CX_SEG_HEADER_SIZE, CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE};
	for (unsigned i = 0; i < CX_SEG_NSECTIONS; i++)
		regions[n++] = (struct region){sec_off(e, i), sec_len(e, i)};
	uint8_t *zeros = calloc(1, e->len);
	for (size_t r = 0; r < n; r++) {
		assert_int_equal(pwrite(e->fd, zeros, regions[r].len, (off_t)regions[r].off),
				 (ssize_t)regions[r].len);
		if (!open_damaged(e, 0))
			fail_msg("zeroed bytes %zu..%zu not detected", regions[r].off,
				 regions[r].off + regions[r].len);
		restore(e);
	}
	/* An empty file. */
	assert_int_equal(ftruncate(e->fd, 0), 0);
	assert_int_equal(open_damaged(e, 0), 1);
	restore(e);
	free(zeros);
}

/* A foreign file with valid checksums whose header claims 2^60 trigrams: 2^60 * 16
 * wraps to 0, the length of its (empty) TRIGRAMS section. The reader must refuse it,
 * not walk trigram entries past the end of the file. Run in a child: a crash is the
 * failure being tested for. */
static void test_segment_trigram_count_overflow(void **state)
{
	seg_env *e = *state;
	const size_t size = 4096; /* one page: the guard page follows the file's last byte */
	uint8_t *f = calloc(1, size);
	const size_t post = 192, docs = 200, paths = 248, tris = 256;
	f[post] = 0; /* one list: doc 0 */
	cx_put_u64(f + docs, 0);     /* path offset */
	cx_put_u32(f + docs + 8, 1); /* path length */
	f[paths] = 'a';
	for (size_t k = 0; tris + (k + 1) * 16 <= size; k++) { /* plausible entries */
		cx_put_u32(f + tris + k * 16, (uint32_t)k + 1);
		cx_put_u32(f + tris + k * 16 + 4, 1);
	}
	memcpy(f, CX_SEG_MAGIC, 8);
	cx_put_u32(f + 8, 1); /* format 1: four sections, still read */
	cx_put_u32(f + 12, CX_SEG_NSECTIONS_V1);
	cx_put_u32(f + 16, 1);
	cx_put_u64(f + 24, 1ull << 60);
	const size_t so[4] = {post, tris, docs, paths}, sl[4] = {1, 0, 48, 1};
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *t = f + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE;
		cx_put_u32(t, i);
		cx_put_u64(t + 8, so[i]);
		cx_put_u64(t + 16, sl[i]);
		cx_put_u64(t + 24, XXH3_64bits(f + so[i], sl[i]));
	}
	uint8_t hs[56 + 128];
	memcpy(hs, f, 56);
	memcpy(hs + 56, f + 64, 128);
	cx_put_u64(f + 56, XXH3_64bits(hs, sizeof hs));
	char name[64];
	cx_segment_name(99, name, sizeof name);
	int fd = openat(e->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, f, size), (ssize_t)size);
	close(fd);
	free(f);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL); /* not cmocka's handler: let a crash show */
		signal(SIGBUS, SIG_DFL);
		cx_segment *s = NULL;
		int rc = cx_segment_open(e->dirfd, 99, &s);
		_exit(rc == CODEIDX_ECORRUPT ? 0 : 10 + (rc < 0 ? -rc : rc));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("cx_segment_open crashed (signal %d) on a segment claiming 2^60 trigrams",
			 WTERMSIG(status));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("cx_segment_open accepted or misreported a segment claiming 2^60 "
			 "trigrams (exit %d)",
			 WEXITSTATUS(status));
}

/* ------------------------------------------------------------ manifest ---- */

static void manifest_make(cx_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->generation = 12345;
	for (unsigned i = 0; i < CODEIDX_SKIP__COUNT; i++)
		m->skipped[i] = 100 + i;
	m->n_segs = 3;
	m->segs = calloc(3, sizeof *m->segs);
	for (uint32_t s = 0; s < 3; s++) {
		cx_manifest_seg *g = &m->segs[s];
		g->id = 1000 + s * 7;
		g->n_docs = 50 + s;
		g->n_deleted = s == 1 ? 0 : 4 + s;
		g->deleted = calloc(g->n_deleted + 1, sizeof *g->deleted);
		for (uint32_t k = 0; k < g->n_deleted; k++)
			g->deleted[k] = k * 5 + s;
		g->n_overrides = s == 2 ? 0 : 2 + s;
		g->overrides = calloc(g->n_overrides + 1, sizeof *g->overrides);
		for (uint32_t k = 0; k < g->n_overrides; k++)
			g->overrides[k] = (cx_override){.doc = k * 3 + 1, .size = 77 + k,
							.mtime_ns = -5 + (int64_t)k, .ino = 9 + k};
	}
}

static void manifest_equal(const cx_manifest *a, const cx_manifest *b)
{
	assert_int_equal(a->generation, b->generation);
	assert_memory_equal(a->skipped, b->skipped, sizeof a->skipped);
	assert_int_equal(a->n_segs, b->n_segs);
	for (uint32_t s = 0; s < a->n_segs; s++) {
		const cx_manifest_seg *x = &a->segs[s], *y = &b->segs[s];
		assert_int_equal(x->id, y->id);
		assert_int_equal(x->n_docs, y->n_docs);
		assert_int_equal(x->n_deleted, y->n_deleted);
		assert_int_equal(x->n_overrides, y->n_overrides);
		if (x->n_deleted)
			assert_memory_equal(x->deleted, y->deleted, x->n_deleted * sizeof *x->deleted);
		for (uint32_t k = 0; k < x->n_overrides; k++) {
			assert_int_equal(x->overrides[k].doc, y->overrides[k].doc);
			assert_int_equal(x->overrides[k].size, y->overrides[k].size);
			assert_int_equal(x->overrides[k].mtime_ns, y->overrides[k].mtime_ns);
			assert_int_equal(x->overrides[k].ino, y->overrides[k].ino);
		}
	}
}

static uint8_t *read_all(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *b = malloc((size_t)st.st_size + 1);
	assert_int_equal(pread(fd, b, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void write_all(int dirfd, const char *name, const void *p, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

static int read_manifest_rc(int dirfd)
{
	cx_manifest m;
	int rc = cx_manifest_read(dirfd, &m);
	if (!rc)
		cx_manifest_release(&m);
	else
		assert_int_equal(m.n_segs, 0); /* released on failure */
	return rc;
}

/* Round trip; a missing manifest is generation 0. */
static void test_manifest_round_trip(void **state)
{
	(void)state;
	char *root = tree_new();
	int dirfd = open(root, O_RDONLY | O_DIRECTORY);
	cx_manifest m, back;
	assert_int_equal(cx_manifest_read(dirfd, &back), 0);
	assert_int_equal(back.generation, 0);
	assert_int_equal(back.n_segs, 0);
	cx_manifest_release(&back);

	manifest_make(&m);
	assert_int_equal(cx_manifest_write(dirfd, &m), 0);
	assert_int_equal(cx_manifest_read(dirfd, &back), 0);
	manifest_equal(&m, &back);
	cx_manifest_release(&back);
	/* No temporary left behind. */
	assert_int_not_equal(faccessat(dirfd, CX_MANIFEST_NAME ".tmp", F_OK, 0), 0);
	/* Rewriting replaces it atomically. */
	m.generation++;
	assert_int_equal(cx_manifest_write(dirfd, &m), 0);
	assert_int_equal(cx_manifest_read(dirfd, &back), 0);
	assert_int_equal(back.generation, 12346);
	cx_manifest_release(&back);
	cx_manifest_release(&m);
	close(dirfd);
	tree_remove(root);
}

/* Flipped bytes, truncation and zeroing of the manifest give CODEIDX_ECORRUPT. */
static void test_manifest_damaged(void **state)
{
	(void)state;
	char *root = tree_new();
	int dirfd = open(root, O_RDONLY | O_DIRECTORY);
	cx_manifest m;
	manifest_make(&m);
	assert_int_equal(cx_manifest_write(dirfd, &m), 0);
	cx_manifest_release(&m);
	size_t len;
	uint8_t *good = read_all(dirfd, CX_MANIFEST_NAME, &len);
	uint8_t *bad = malloc(len);
	const uint8_t masks[] = {0x01, 0x80, 0xff};
	for (size_t pos = 0; pos < len; pos++)
		for (size_t mi = 0; mi < sizeof masks; mi++) {
			memcpy(bad, good, len);
			bad[pos] ^= masks[mi];
			write_all(dirfd, CX_MANIFEST_NAME, bad, len);
			int rc = read_manifest_rc(dirfd);
			if (rc != CODEIDX_ECORRUPT)
				fail_msg("manifest with byte %zu ^ 0x%02x: rc %d", pos, masks[mi], rc);
		}
	for (size_t l = 0; l < len; l++) {
		write_all(dirfd, CX_MANIFEST_NAME, good, l);
		if (read_manifest_rc(dirfd) != CODEIDX_ECORRUPT)
			fail_msg("manifest truncated to %zu of %zu bytes not detected", l, len);
	}
	memset(bad, 0, len);
	write_all(dirfd, CX_MANIFEST_NAME, bad, len);
	assert_int_equal(read_manifest_rc(dirfd), CODEIDX_ECORRUPT);
	/* Appended bytes break the checksum too. */
	memcpy(bad, good, len);
	write_all(dirfd, CX_MANIFEST_NAME, good, len);
	int fd = openat(dirfd, CX_MANIFEST_NAME, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(read_manifest_rc(dirfd), CODEIDX_ECORRUPT);
	/* A valid checksum over a newer format version: EVERSION. */
	memcpy(bad, good, len);
	cx_put_u32(bad + 8, 2);
	cx_put_u64(bad + len - 8, XXH3_64bits(bad, len - 8));
	write_all(dirfd, CX_MANIFEST_NAME, bad, len);
	assert_int_equal(read_manifest_rc(dirfd), CODEIDX_EVERSION);
	/* The pristine file still reads. */
	write_all(dirfd, CX_MANIFEST_NAME, good, len);
	assert_int_equal(read_manifest_rc(dirfd), 0);
	free(good);
	free(bad);
	close(dirfd);
	tree_remove(root);
}

/* Checksummed but inconsistent manifests are refused too. */
static void test_manifest_inconsistent(void **state)
{
	(void)state;
	char *root = tree_new();
	int dirfd = open(root, O_RDONLY | O_DIRECTORY);
	for (int c = 0; c < 6; c++) {
		cx_manifest m;
		manifest_make(&m);
		switch (c) {
		case 0: m.segs[0].deleted[1] = m.segs[0].deleted[0]; break; /* not ascending */
		case 1: m.segs[0].deleted[3] = m.segs[0].n_docs; break;     /* doc out of range */
		case 2: m.segs[1].overrides[1].doc = 0; break;              /* overrides order */
		case 3: m.segs[0].overrides[0].doc = 9999; m.segs[0].n_overrides = 1; break;
		case 4: m.segs[2].id = m.segs[0].id; break;                 /* listed twice */
		case 5: m.segs[0].n_docs = 2; break;                        /* more deleted than docs */
		}
		assert_int_equal(cx_manifest_write(dirfd, &m), 0);
		int rc = read_manifest_rc(dirfd);
		if (rc != CODEIDX_ECORRUPT)
			fail_msg("inconsistent manifest case %d: rc %d", c, rc);
		cx_manifest_release(&m);
	}
	close(dirfd);
	tree_remove(root);
}

/* ------------------------------------------------------ through the API ---- */

/* A damaged index is reported by codeidx_open as CODEIDX_ECORRUPT. */
static void test_open_damaged_index(void **state)
{
	(void)state;
	char *root = tree_new();
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%02d.c", i);
		assert_int_equal(tree_write_text(root, name, 3000, (uint64_t)i), 0);
	}
	codeidx *idx = NULL;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 2;
	assert_int_equal(codeidx_update(idx, &o, NULL), 0);
	codeidx_close(idx);
	char *dir = tree_path(root, ".codeidx");
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	char seg[64];
	cx_segment_name(1, seg, sizeof seg);
	size_t slen, mlen;
	uint8_t *sb = read_all(dirfd, seg, &slen), *mb = read_all(dirfd, CX_MANIFEST_NAME, &mlen);
	/* A byte of the DOCS section; then a byte of the manifest; then a missing segment. */
	uint8_t *bad = malloc(slen);
	memcpy(bad, sb, slen);
	size_t docs = (size_t)cx_get_u64(sb + CX_SEG_HEADER_SIZE + CX_SEC_DOCS * CX_SEG_SECTION_SIZE + 8);
	bad[docs + 3] ^= 0x10;
	write_all(dirfd, seg, bad, slen);
	assert_int_equal(codeidx_open(&idx, root, NULL), CODEIDX_ECORRUPT);
	assert_null(idx);
	assert_non_null(strstr(codeidx_error_detail(), seg));
	write_all(dirfd, seg, sb, slen);
	memcpy(bad, mb, mlen);
	bad[mlen / 2] ^= 0x01;
	write_all(dirfd, CX_MANIFEST_NAME, bad, mlen);
	assert_int_equal(codeidx_open(&idx, root, NULL), CODEIDX_ECORRUPT);
	write_all(dirfd, CX_MANIFEST_NAME, mb, mlen);
	assert_int_equal(unlinkat(dirfd, seg, 0), 0);
	assert_int_equal(codeidx_open(&idx, root, NULL), CODEIDX_ECORRUPT);
	write_all(dirfd, seg, sb, slen);
	assert_int_equal(codeidx_open(&idx, root, NULL), 0);
	codeidx_stats st = CODEIDX_STATS_INIT;
	assert_int_equal(codeidx_stats_get(idx, &st), 0);
	assert_int_equal(st.files, 20);
	codeidx_close(idx);
	free(bad);
	free(sb);
	free(mb);
	close(dirfd);
	free(dir);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postings_round_trip),
		cmocka_unit_test(test_postings_filter),
		cmocka_unit_test(test_postings_decode_rejects),
		cmocka_unit_test(test_segment_doc_paths),
		cmocka_unit_test_setup_teardown(test_segment_round_trip, seg_setup, seg_teardown),
		cmocka_unit_test_setup_teardown(test_segment_flipped_bytes, seg_setup, seg_teardown),
		cmocka_unit_test_setup_teardown(test_segment_truncated, seg_setup, seg_teardown),
		cmocka_unit_test_setup_teardown(test_segment_zeroed, seg_setup, seg_teardown),
		cmocka_unit_test_setup_teardown(test_segment_trigram_count_overflow, seg_setup,
						seg_teardown),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_manifest_damaged),
		cmocka_unit_test(test_manifest_inconsistent),
		cmocka_unit_test(test_open_damaged_index),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
