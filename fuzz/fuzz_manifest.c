/* fuzz_manifest.c - libFuzzer target: the manifest reader on a file made from the input, its checksum optionally made valid; refused cleanly, or a manifest that keeps its promises and round-trips exactly. */
/*
 * Input: byte 0 = mode, the rest = the file. Mode bit 0 set: the trailing XXH3 is
 * recomputed over the fuzzed bytes before reading, so that the fuzzer reaches the
 * structural checks behind it. The file is written as "manifest" in a private
 * directory and read with cx_manifest_read(). A manifest that reads has, per segment,
 * ascending deleted docs and overrides below its doc count, and distinct segment ids;
 * written back with cx_manifest_write() and read again it is equal field by field.
 * A failed read leaves an empty manifest. Nothing may crash, leak or read out of bounds.
 *
 * Build and run: scripts/fuzz.sh manifest (or make fuzz); corpus: fuzz/corpus/manifest.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "index/manifest.h"

static int dirfd = -1;
static char dir_path[] = "/tmp/fuzz_manifest.XXXXXX";

static void remove_dir(void)
{
	if (dirfd >= 0) {
		unlinkat(dirfd, CX_MANIFEST_NAME, 0);
		unlinkat(dirfd, CX_MANIFEST_NAME ".tmp", 0);
		close(dirfd);
		rmdir(dir_path);
	}
}

/* A private directory for the file, removed at exit. */
static int private_dir(void)
{
	if (dirfd >= 0)
		return dirfd;
	if (!mkdtemp(dir_path))
		abort();
	dirfd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		abort();
	atexit(remove_dir);
	return dirfd;
}

static void write_file(const uint8_t *data, size_t size)
{
	int fd = openat(private_dir(), CX_MANIFEST_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);
	if (fd < 0)
		abort();
	size_t done = 0;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	close(fd);
}

static void check(const cx_manifest *m)
{
	for (uint32_t i = 0; i < m->n_segs; i++) {
		const cx_manifest_seg *s = &m->segs[i];
		if (s->n_deleted > s->n_docs || s->n_overrides > s->n_docs)
			abort();
		for (uint32_t k = 0; k < s->n_deleted; k++)
			if (s->deleted[k] >= s->n_docs || (k && s->deleted[k] <= s->deleted[k - 1]))
				abort();
		for (uint32_t k = 0; k < s->n_overrides; k++)
			if (s->overrides[k].doc >= s->n_docs ||
			    (k && s->overrides[k].doc <= s->overrides[k - 1].doc))
				abort();
		for (uint32_t j = 0; j < i; j++)
			if (m->segs[j].id == s->id)
				abort();
	}
}

static void equal(const cx_manifest *a, const cx_manifest *b)
{
	if (a->generation != b->generation || a->n_segs != b->n_segs ||
	    memcmp(a->skipped, b->skipped, sizeof a->skipped))
		abort();
	for (uint32_t i = 0; i < a->n_segs; i++) {
		const cx_manifest_seg *x = &a->segs[i], *y = &b->segs[i];
		if (x->id != y->id || x->seal != y->seal || x->n_docs != y->n_docs ||
		    x->n_deleted != y->n_deleted || x->n_overrides != y->n_overrides ||
		    memcmp(x->deleted, y->deleted, x->n_deleted * sizeof *x->deleted))
			abort();
		for (uint32_t k = 0; k < x->n_overrides; k++) {
			const cx_override *o = &x->overrides[k], *p = &y->overrides[k];
			if (o->doc != p->doc || o->size != p->size || o->mtime_ns != p->mtime_ns ||
			    o->ino != p->ino)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	size_t len = size - 1;
	uint8_t *f = malloc(len ? len : 1);
	if (!f)
		abort();
	memcpy(f, data + 1, len);
	if ((mode & 1) && len >= 8)
		cx_put_u64(f + len - 8, XXH3_64bits(f, len - 8));
	write_file(f, len);
	free(f);
	cx_manifest m;
	if (cx_manifest_read(private_dir(), &m) != 0) {
		if (m.segs || m.n_segs || m.generation)
			abort(); /* a failed read leaves an empty manifest */
		return 0;
	}
	check(&m);
	cx_manifest back;
	if (cx_manifest_write(private_dir(), &m) || cx_manifest_read(private_dir(), &back))
		abort();
	equal(&m, &back);
	cx_manifest_release(&back);
	cx_manifest_release(&m);
	return 0;
}
