/* manifest.c - read and atomically publish the manifest (format in manifest.h). */
#include "index/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fileio.h"

#define MAGIC "CDXMAN\r\n"
#define VERSION 1u
#define MAX_MANIFEST (1u << 30)
#define OVERRIDE_SIZE 32u

void cx_manifest_release(cx_manifest *m)
{
	for (uint32_t i = 0; i < m->n_segs; i++) {
		free(m->segs[i].deleted);
		free(m->segs[i].overrides);
	}
	free(m->segs);
	memset(m, 0, sizeof *m);
}

/* Bounds-checked reader over the manifest bytes. */
typedef struct reader {
	const uint8_t *p, *end;
	int bad;
} reader;

static uint32_t rd32(reader *r)
{
	if (r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	uint32_t v = cx_get_u32(r->p);
	r->p += 4;
	return v;
}

static uint64_t rd64(reader *r)
{
	if (r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	uint64_t v = cx_get_u64(r->p);
	r->p += 8;
	return v;
}

static int corrupt(const char *what, const reader *r, const uint8_t *base)
{
	return cx_error(CODEIDX_ECORRUPT, "manifest: %s (offset %td)", what,
			r ? r->p - base : (ptrdiff_t)0);
}

static int parse(const uint8_t *data, size_t len, cx_manifest *m)
{
	reader r = {data, data + len, 0};
	if (len < 8 + 8 || memcmp(data, MAGIC, 8) != 0)
		return corrupt("not a manifest (bad magic)", NULL, data);
	if (XXH3_64bits(data, len - 8) != cx_get_u64(data + len - 8))
		return cx_error(CODEIDX_ECORRUPT, "manifest: checksum mismatch (offset %zu)",
				len - 8);
	r.end = data + len - 8;
	r.p += 8;
	uint32_t version = rd32(&r);
	if (version != VERSION)
		return cx_error(CODEIDX_EVERSION, "manifest: format version %u, expected %u",
				version, VERSION);
	uint32_t n_segs = rd32(&r);
	m->generation = rd64(&r);
	uint32_t n_skip = rd32(&r);
	rd32(&r);
	for (uint32_t i = 0; i < n_skip && !r.bad; i++) {
		uint64_t v = rd64(&r);
		if (i < CODEIDX_SKIP__COUNT)
			m->skipped[i] = v;
	}
	if (r.bad || n_segs > (size_t)(r.end - r.p) / 24)
		return corrupt("truncated header", &r, data);
	m->segs = cx_calloc(n_segs, sizeof *m->segs);
	if (!m->segs)
		return CODEIDX_ENOMEM;
	m->n_segs = n_segs;
	for (uint32_t i = 0; i < n_segs; i++) {
		cx_manifest_seg *s = &m->segs[i];
		s->id = rd64(&r);
		s->n_docs = rd32(&r);
		s->n_deleted = rd32(&r);
		s->n_overrides = rd32(&r);
		s->seal = rd32(&r);
		if (r.bad || s->n_deleted > s->n_docs || s->n_overrides > s->n_docs ||
		    (uint64_t)s->n_deleted * 4 + (uint64_t)s->n_overrides * OVERRIDE_SIZE >
			    (uint64_t)(r.end - r.p))
			return corrupt("segment entry out of bounds", &r, data);
		s->deleted = cx_calloc(s->n_deleted, sizeof *s->deleted);
		s->overrides = cx_calloc(s->n_overrides, sizeof *s->overrides);
		if (!s->deleted || !s->overrides)
			return CODEIDX_ENOMEM;
		for (uint32_t k = 0; k < s->n_deleted; k++) {
			s->deleted[k] = rd32(&r);
			if (s->deleted[k] >= s->n_docs || (k && s->deleted[k] <= s->deleted[k - 1]))
				return corrupt("deleted docs out of order", &r, data);
		}
		for (uint32_t k = 0; k < s->n_overrides; k++) {
			cx_override *o = &s->overrides[k];
			o->doc = rd32(&r);
			rd32(&r);
			o->size = rd64(&r);
			o->mtime_ns = (int64_t)rd64(&r);
			o->ino = rd64(&r);
			if (o->doc >= s->n_docs || (k && o->doc <= s->overrides[k - 1].doc))
				return corrupt("overrides out of order", &r, data);
		}
		for (uint32_t j = 0; j < i; j++)
			if (m->segs[j].id == s->id)
				return corrupt("segment listed twice", &r, data);
	}
	if (r.bad || r.p != r.end)
		return corrupt("trailing or missing bytes", &r, data);
	return 0;
}

int cx_manifest_read(int dirfd, cx_manifest *m)
{
	memset(m, 0, sizeof *m);
	int fd = openat(dirfd, CX_MANIFEST_NAME, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return cx_error_errno(CODEIDX_EIO, "cannot open manifest");
	}
	struct stat st;
	if (fstat(fd, &st)) {
		int rc = cx_error_errno(CODEIDX_EIO, "cannot stat manifest");
		close(fd);
		return rc;
	}
	if (st.st_size < 16 || st.st_size > MAX_MANIFEST) {
		close(fd);
		return cx_error(CODEIDX_ECORRUPT, "manifest: implausible size %jd bytes",
				(intmax_t)st.st_size);
	}
	uint8_t *data = malloc((size_t)st.st_size);
	if (!data) {
		close(fd);
		return CODEIDX_ENOMEM;
	}
	ssize_t got = cx_pread_full(fd, data, (size_t)st.st_size, 0);
	int rc;
	if (got != st.st_size)
		rc = got < 0 ? cx_error_errno(CODEIDX_EIO, "cannot read manifest")
			     : cx_error(CODEIDX_ECORRUPT, "manifest: short read");
	else
		rc = parse(data, (size_t)got, m);
	free(data);
	close(fd);
	if (rc)
		cx_manifest_release(m);
	return rc;
}

static int put32(cx_buf *b, uint32_t v)
{
	uint8_t x[4];
	cx_put_u32(x, v);
	return cx_buf_append(b, x, 4);
}

static int put64(cx_buf *b, uint64_t v)
{
	uint8_t x[8];
	cx_put_u64(x, v);
	return cx_buf_append(b, x, 8);
}

static int serialize(const cx_manifest *m, cx_buf *b)
{
	int rc = cx_buf_append(b, MAGIC, 8) | put32(b, VERSION) | put32(b, m->n_segs) |
		 put64(b, m->generation) | put32(b, CODEIDX_SKIP__COUNT) | put32(b, 0);
	for (unsigned i = 0; i < CODEIDX_SKIP__COUNT; i++)
		rc |= put64(b, m->skipped[i]);
	for (uint32_t i = 0; i < m->n_segs; i++) {
		const cx_manifest_seg *s = &m->segs[i];
		rc |= put64(b, s->id) | put32(b, s->n_docs) | put32(b, s->n_deleted) |
		      put32(b, s->n_overrides) | put32(b, s->seal);
		for (uint32_t k = 0; k < s->n_deleted; k++)
			rc |= put32(b, s->deleted[k]);
		for (uint32_t k = 0; k < s->n_overrides; k++) {
			const cx_override *o = &s->overrides[k];
			rc |= put32(b, o->doc) | put32(b, 0) | put64(b, o->size) |
			      put64(b, (uint64_t)o->mtime_ns) | put64(b, o->ino);
		}
	}
	rc |= put64(b, XXH3_64bits(b->data, b->len));
	return rc ? CODEIDX_ENOMEM : 0;
}

int cx_manifest_write(int dirfd, const cx_manifest *m)
{
	cx_buf b = CX_BUF_INIT;
	int rc = serialize(m, &b);
	if (rc) {
		cx_buf_release(&b);
		return rc;
	}
	const char *tmp = CX_MANIFEST_NAME ".tmp";
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		cx_buf_release(&b);
		return cx_error_errno(CODEIDX_EIO, "cannot create %s", tmp);
	}
	if (cx_write_all(fd, b.data, b.len) || fsync(fd)) {
		rc = cx_error_errno(CODEIDX_EIO, "cannot write %s", tmp);
		close(fd);
		unlinkat(dirfd, tmp, 0);
		cx_buf_release(&b);
		return rc;
	}
	cx_buf_release(&b);
	if (close(fd) || renameat(dirfd, tmp, dirfd, CX_MANIFEST_NAME) || cx_fsync_dir(dirfd)) {
		rc = cx_error_errno(CODEIDX_EIO, "cannot publish the manifest");
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	return 0;
}
