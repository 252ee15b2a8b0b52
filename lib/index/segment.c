/* segment.c - maps a segment file, verifies it, and reads trigrams and docs. */
#include "index/segment.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"
#include "index/postings.h"
#include "index/segment_format.h"

void cx_segment_name(uint64_t id, char *buf, size_t n)
{
	snprintf(buf, n, "seg-%016" PRIx64 ".cdx", id);
}

static int corrupt(cx_segment *s, const char *what, uint64_t off)
{
	return cx_error(CODEIDX_ECORRUPT, "segment %s: %s (offset %" PRIu64 ")", s->name, what,
			off);
}

/* Whether p[0..len) is a path a walk can produce: relative, '/'-separated, no empty,
 * "." or ".." component, no NUL byte. */
static int walk_path(const uint8_t *p, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] == 0)
			return 0;
		if (i < len && p[i] != '/')
			continue;
		size_t n = i - start;
		if (n == 0 || (n == 1 && p[start] == '.') ||
		    (n == 2 && p[start] == '.' && p[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* Whether the PATHS section [p, p+len) holds no NUL byte and none of "//", "/./",
 * "/../": then a path can only be bad at its ends, which the caller checks per path
 * (any bad path has a bad end or one of those inside it, and its inside is part of
 * the section). A few wide compares per 16 bytes, instead of a loop per byte. */
static int section_inside_clean(const uint8_t *p, size_t len)
{
	if (memchr(p, 0, len))
		return 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i slash = _mm_set1_epi8('/'), dot = _mm_set1_epi8('.');
	for (; i + 17 <= len; i += 16) {
		__m128i a = _mm_loadu_si128((const void *)(p + i));
		__m128i b = _mm_loadu_si128((const void *)(p + i + 1));
		__m128i hit = _mm_and_si128(_mm_cmpeq_epi8(a, slash),
					    _mm_or_si128(_mm_cmpeq_epi8(b, slash),
							 _mm_cmpeq_epi8(b, dot)));
		for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1) {
			const uint8_t *q = p + i + (unsigned)__builtin_ctz(m) + 1; /* after '/' */
			size_t left = len - (size_t)(q - p);
			if (q[0] == '/' || (left > 1 && q[1] == '/') ||
			    (left > 2 && q[1] == '.' && q[2] == '/'))
				return 0; /* "//", "/./", "/../" (or a dot-name: the slow check decides) */
		}
	}
#endif
	for (; i + 1 < len; i++)
		if (p[i] == '/' && (p[i + 1] == '/' ||
				    (p[i + 1] == '.' && i + 2 < len &&
				     (p[i + 2] == '/' || (p[i + 2] == '.' && i + 3 < len && p[i + 3] == '/')))))
			return 0;
	return 1;
}

/* The ends of a path whose inside is clean (see section_inside_clean). */
static int path_ends_ok(const uint8_t *p, size_t len)
{
	if (p[0] == '/' || p[len - 1] == '/')
		return 0;
	if (p[0] == '.' && (len == 1 || p[1] == '/' ||
			    (p[1] == '.' && (len == 2 || p[2] == '/'))))
		return 0; /* ".", "./...", "..", "../..." */
	if (p[len - 1] == '.' && len >= 2 &&
	    (p[len - 2] == '/' || (p[len - 2] == '.' && len >= 3 && p[len - 3] == '/')))
		return 0; /* ".../.", ".../.." */
	return 1;
}

/* Checks the BLOCKS section's head: count, entries' checksum, order and bounds (each
 * summary's own checksum is checked when it is read). */
static int verify_blocks(cx_segment *s, const uint8_t *p, uint64_t len)
{
	if (len < 8)
		return corrupt(s, "block section too short", (uint64_t)(p - s->map));
	uint32_t n = cx_get_u32(p);
	uint64_t table = (uint64_t)n * CX_SEG_BLOCKS_ENTRY;
	if (n > s->n_docs || table > len - 8 ||
	    (uint32_t)XXH3_64bits(p + 8, (size_t)table) != cx_get_u32(p + 4))
		return corrupt(s, "block table damaged", (uint64_t)(p - s->map));
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + (uint64_t)i * CX_SEG_BLOCKS_ENTRY;
		uint64_t off = cx_get_u32(e + 4), blen = cx_get_u32(e + 8);
		if (cx_get_u32(e) >= s->n_docs || (i && cx_get_u32(e) <= cx_get_u32(e - 16)) ||
		    off < 8 + table || off > len || blen > len - off)
			return corrupt(s, "block table entry out of order or bounds",
				       (uint64_t)(e - s->map));
	}
	s->blocks_checked = calloc((n + 63) / 64 + 1, sizeof *s->blocks_checked);
	if (!s->blocks_checked)
		return CODEIDX_ENOMEM;
	s->blocks = p;
	s->n_blocks = n;
	return 0;
}

/* Checks the header, the section table and the small sections. */
static int verify(cx_segment *s)
{
	const uint8_t *m = s->map;
	if (s->map_len < CX_SEG_HEADER_SIZE || memcmp(m, CX_SEG_MAGIC, 8) != 0)
		return corrupt(s, "not a segment file (bad magic or too short)", 0);
	uint32_t version = cx_get_u32(m + 8);
	if (version != CX_SEG_VERSION && version != 1)
		return cx_error(CODEIDX_EVERSION, "segment %s: format version %u, expected %u",
				s->name, version, CX_SEG_VERSION);
	const unsigned nsec = version == 1 ? CX_SEG_NSECTIONS_V1 : CX_SEG_NSECTIONS;
	const size_t start = CX_SEG_HEADER_SIZE + nsec * CX_SEG_SECTION_SIZE;
	if (s->map_len < start)
		return corrupt(s, "file too short for its section table", 0);
	if (cx_get_u32(m + 12) != nsec)
		return corrupt(s, "wrong section count", 12);
	XXH3_state_t *hs = XXH3_createState();
	if (!hs)
		return CODEIDX_ENOMEM;
	XXH3_64bits_reset(hs);
	XXH3_64bits_update(hs, m, 56);
	XXH3_64bits_update(hs, m + CX_SEG_HEADER_SIZE, nsec * CX_SEG_SECTION_SIZE);
	uint64_t sum = XXH3_64bits_digest(hs);
	XXH3_freeState(hs);
	if (sum != cx_get_u64(m + 56))
		return corrupt(s, "header checksum mismatch", 56);
	s->seal = (uint32_t)sum;
	s->version = version;
	s->n_docs = cx_get_u32(m + 16);
	s->n_tris = cx_get_u64(m + 24);
	const uint8_t *sec_ptr[CX_SEG_NSECTIONS];
	uint64_t sec_len[CX_SEG_NSECTIONS];
	for (unsigned i = 0; i < nsec; i++) {
		const uint8_t *e = m + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE;
		uint64_t off = cx_get_u64(e + 8), len = cx_get_u64(e + 16);
		if (cx_get_u32(e) != i || off < start || off > s->map_len ||
		    len > s->map_len - off)
			return corrupt(s, "section out of bounds", (uint64_t)(e - m));
		sec_ptr[i] = m + off;
		sec_len[i] = len;
		/* Posting lists and block summaries are verified one by one when read. */
		if (i != CX_SEC_POSTINGS && i != CX_SEC_BLOCKS &&
		    XXH3_64bits(m + off, len) != cx_get_u64(e + 24))
			return corrupt(s, "section checksum mismatch", off);
	}
	if (s->n_tris > s->map_len / CX_SEG_TRI_ENTRY ||
	    sec_len[CX_SEC_TRIGRAMS] != s->n_tris * CX_SEG_TRI_ENTRY ||
	    sec_len[CX_SEC_DOCS] != (uint64_t)s->n_docs * CX_SEG_DOC_ENTRY)
		return corrupt(s, "table sizes disagree with the header", 16);
	if (nsec > CX_SEC_BLOCKS) {
		int rc = verify_blocks(s, sec_ptr[CX_SEC_BLOCKS], sec_len[CX_SEC_BLOCKS]);
		if (rc)
			return rc;
	}
	s->post = sec_ptr[CX_SEC_POSTINGS];
	s->post_len = sec_len[CX_SEC_POSTINGS];
	s->tris = sec_ptr[CX_SEC_TRIGRAMS];
	s->docs = sec_ptr[CX_SEC_DOCS];
	s->paths = sec_ptr[CX_SEC_PATHS];
	s->paths_len = sec_len[CX_SEC_PATHS];
	/* Paths stay inside PATHS and are what a walk produces, so that no crafted file
	 * can name a file outside the root. Orders (trigrams, paths) are covered by the
	 * section checksums; every posting list's bounds are checked when it is read. */
	int clean = section_inside_clean(s->paths, s->paths_len);
	for (uint32_t i = 0; i < s->n_docs; i++) {
		const uint8_t *e = s->docs + (uint64_t)i * CX_SEG_DOC_ENTRY;
		uint64_t off = cx_get_u64(e);
		uint32_t len = cx_get_u32(e + 8);
		if (off > s->paths_len || len > s->paths_len - off || len == 0)
			return corrupt(s, "doc path out of bounds", (uint64_t)(e - s->map));
		if (!(clean ? path_ends_ok(s->paths + off, len) : walk_path(s->paths + off, len)))
			return corrupt(s, "doc path not relative to the root", (uint64_t)(e - s->map));
	}
	return 0;
}

int cx_segment_open(int dirfd, uint64_t id, cx_segment **out)
{
	*out = NULL;
	cx_segment *s = calloc(1, sizeof *s);
	if (!s)
		return CODEIDX_ENOMEM;
	s->id = id;
	cx_segment_name(id, s->name, sizeof s->name);
	int fd = openat(dirfd, s->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int rc = cx_error_errno(errno == ENOENT ? CODEIDX_ECORRUPT : CODEIDX_EIO,
					"cannot open segment %s", s->name);
		free(s);
		return rc;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st)) {
		rc = cx_error_errno(CODEIDX_EIO, "cannot stat segment %s", s->name);
	} else if (!S_ISREG(st.st_mode)) {
		rc = corrupt(s, "not a regular file", 0);
	} else if ((uint64_t)st.st_size < CX_SEG_HEADER_SIZE) {
		rc = corrupt(s, "file too short", (uint64_t)st.st_size);
	} else {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			rc = cx_error_errno(CODEIDX_EIO, "cannot map segment %s", s->name);
		} else {
			s->map = m;
			s->map_len = (size_t)st.st_size;
			rc = verify(s);
		}
	}
	close(fd);
	if (rc) {
		if (s->map)
			munmap((void *)s->map, s->map_len);
		free(s->blocks_checked);
		free(s);
		return rc;
	}
	atomic_init(&s->refs, 1);
	*out = s;
	return 0;
}

int cx_segment_read_seal(int dirfd, uint64_t id, uint32_t *seal)
{
	char name[64];
	uint8_t sum[8];
	cx_segment_name(id, name, sizeof name);
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_error_errno(CODEIDX_EIO, "cannot open segment %s", name);
	ssize_t got = cx_pread_full(fd, sum, sizeof sum, 56);
	int rc = got == (ssize_t)sizeof sum
			 ? 0
			 : cx_error(CODEIDX_EIO, "cannot read the header of segment %s", name);
	close(fd);
	if (!rc)
		*seal = (uint32_t)cx_get_u64(sum);
	return rc;
}

cx_segment *cx_segment_ref(cx_segment *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void cx_segment_unref(cx_segment *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	munmap((void *)s->map, s->map_len);
	free(s->blocks_checked);
	free(s);
}

const char *cx_segment_path(const cx_segment *s, uint32_t i, size_t *len)
{
	const uint8_t *e = s->docs + (uint64_t)i * CX_SEG_DOC_ENTRY;
	*len = cx_get_u32(e + 8);
	return (const char *)s->paths + cx_get_u64(e);
}

void cx_segment_meta(const cx_segment *s, uint32_t i, cx_docmeta *m)
{
	const uint8_t *e = s->docs + (uint64_t)i * CX_SEG_DOC_ENTRY;
	m->size = cx_get_u64(e + 16);
	m->mtime_ns = (int64_t)cx_get_u64(e + 24);
	m->ino = cx_get_u64(e + 32);
	m->hash = cx_get_u64(e + 40);
}

uint32_t cx_segment_tri(const cx_segment *s, uint64_t k)
{
	return cx_get_u32(s->tris + k * CX_SEG_TRI_ENTRY) & 0xffffffu;
}

uint32_t cx_segment_count(const cx_segment *s, uint64_t k)
{
	return cx_get_u32(s->tris + k * CX_SEG_TRI_ENTRY + 4);
}

uint64_t cx_segment_lower_bound(const cx_segment *s, uint32_t tri)
{
	uint64_t lo = 0, hi = s->n_tris;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (cx_segment_tri(s, mid) < tri)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int64_t cx_segment_find(const cx_segment *s, uint32_t tri)
{
	uint64_t k = cx_segment_lower_bound(s, tri);
	return k < s->n_tris && cx_segment_tri(s, k) == tri ? (int64_t)k : -1;
}

static int list_damaged(const cx_segment *s, uint64_t k, const uint8_t *p)
{
	return cx_error(CODEIDX_ECORRUPT,
			"segment %s: posting list of trigram %06x damaged (offset %" PRIu64 ")",
			s->name, cx_get_u32(s->tris + k * CX_SEG_TRI_ENTRY) & 0xffffffu,
			(uint64_t)(p - s->map));
}

/* The bytes of entry k's list, bounds and checksum checked; 0 or CODEIDX_ECORRUPT. */
static int list_bytes(const cx_segment *s, uint64_t k, const uint8_t **p, size_t *len)
{
	const uint8_t *e = s->tris + k * CX_SEG_TRI_ENTRY;
	uint64_t off = cx_get_u32(e + 8);
	uint64_t end = k + 1 < s->n_tris ? cx_get_u32(e + CX_SEG_TRI_ENTRY + 8) : s->post_len;
	if (off > end || end > s->post_len)
		return cx_error(CODEIDX_ECORRUPT,
				"segment %s: posting list %" PRIu64 " out of bounds", s->name, k);
	*p = s->post + off;
	*len = (size_t)(end - off);
	if ((uint32_t)XXH3_64bits(*p, *len) != cx_get_u32(e + 12))
		return list_damaged(s, k, *p);
	return 0;
}

int cx_segment_list(const cx_segment *s, uint64_t k, uint32_t *out)
{
	const uint8_t *e = s->tris + k * CX_SEG_TRI_ENTRY, *p;
	size_t len;
	int rc = list_bytes(s, k, &p, &len);
	if (!rc && cx_postings_decode((int)(cx_get_u32(e) >> 24), p, len, cx_get_u32(e + 4),
				      s->n_docs, out))
		rc = list_damaged(s, k, p);
	return rc;
}

int cx_segment_filter(const cx_segment *s, uint64_t k, uint32_t *ids, size_t *n)
{
	const uint8_t *e = s->tris + k * CX_SEG_TRI_ENTRY, *p;
	size_t len;
	int rc = list_bytes(s, k, &p, &len);
	if (!rc && cx_postings_filter((int)(cx_get_u32(e) >> 24), p, len, cx_get_u32(e + 4),
				      s->n_docs, ids, n))
		rc = list_damaged(s, k, p);
	return rc;
}

int cx_segment_blocks(const cx_segment *s, uint32_t doc, const uint8_t **blob, size_t *len)
{
	*blob = NULL;
	*len = 0;
	if (!s->blocks)
		return 0; /* format 1: no summaries */
	uint32_t lo = 0, hi = s->n_blocks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cx_get_u32(s->blocks + 8 + (uint64_t)mid * CX_SEG_BLOCKS_ENTRY) < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	const uint8_t *e = s->blocks + 8 + (uint64_t)lo * CX_SEG_BLOCKS_ENTRY;
	if (lo == s->n_blocks || cx_get_u32(e) != doc)
		return 0;
	const uint8_t *p = s->blocks + cx_get_u32(e + 4);
	size_t n = cx_get_u32(e + 8);
	/* Checked on first read only: hashing a summary on every search cost as much as
	 * probing it. (Posting lists, shorter to hash, are checked on every read.) */
	_Atomic uint64_t *word = &s->blocks_checked[lo / 64];
	uint64_t bit = 1ull << (lo % 64);
	if (!(atomic_load_explicit(word, memory_order_relaxed) & bit)) {
		if ((uint32_t)XXH3_64bits(p, n) != cx_get_u32(e + 12))
			return cx_error(CODEIDX_ECORRUPT,
					"segment %s: block summary of doc %u damaged (offset %" PRIu64 ")",
					s->name, doc, (uint64_t)(p - s->map));
		atomic_fetch_or_explicit(word, bit, memory_order_relaxed);
	}
	*blob = p;
	*len = n;
	return 0;
}
