/* fuzz_segment.c - libFuzzer target: the segment reader on a file made from the input, its checksums optionally made valid; refused cleanly, or every doc, entry and posting list read within bounds. */
/*
 * Input: byte 0 = mode, the rest = the file. Mode bit 0 set: before the file is opened,
 * every checksum it can hold is recomputed over the fuzzed bytes (each posting list's,
 * in its TRIGRAMS entry, each block summary's and the block table's, then each
 * section's, then the header's), so that the fuzzer
 * reaches the structural checks behind them, as a crafted foreign file would.
 * The file is written as seg-0000000000000001.cdx in a private directory and opened with
 * cx_segment_open(). When it opens: every doc's path and metadata are read, every
 * trigram entry is looked up with cx_segment_find(), and every posting list is decoded
 * with cx_segment_list() into a buffer of min(count, n_docs) ids (a list may never yield
 * more docs than the segment has); a list that decodes holds ascending ids below
 * n_docs; every doc's block summary is fetched, and one that parses is probed in every
 * block. Nothing may crash, leak, hang or read out of bounds.
 *
 * Build and run: scripts/fuzz.sh segment (or make fuzz); corpus: fuzz/corpus/segment.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "index/blocks.h"
#include "index/segment.h"
#include "index/segment_format.h"

static int dirfd = -1;
static char dir_path[] = "/tmp/fuzz_segment.XXXXXX";

static void remove_dir(void)
{
	if (dirfd >= 0) {
		unlinkat(dirfd, "seg-0000000000000001.cdx", 0);
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

/* A section's bounds when they lie inside the file. */
static int section(const uint8_t *f, size_t len, unsigned i, size_t *off, size_t *n)
{
	const uint8_t *e = f + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE;
	uint64_t o = cx_get_u64(e + 8), l = cx_get_u64(e + 16);
	if (o > len || l > len - o)
		return -1;
	*off = (size_t)o;
	*n = (size_t)l;
	return 0;
}

/* Makes every checksum of the file valid for its present bytes. */
static void fix_checksums(uint8_t *f, size_t len)
{
	const size_t start = CX_SEG_HEADER_SIZE + CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE;
	if (len < start)
		return;
	size_t post, post_len, tris, tris_len;
	if (!section(f, len, CX_SEC_POSTINGS, &post, &post_len) &&
	    !section(f, len, CX_SEC_TRIGRAMS, &tris, &tris_len)) {
		size_t n = tris_len / CX_SEG_TRI_ENTRY;
		for (size_t k = 0; k < n; k++) {
			uint8_t *e = f + tris + k * CX_SEG_TRI_ENTRY;
			uint64_t off = cx_get_u32(e + 8);
			uint64_t end = k + 1 < n ? cx_get_u32(e + CX_SEG_TRI_ENTRY + 8) : post_len;
			if (off <= end && end <= post_len)
				cx_put_u32(e + 12, (uint32_t)XXH3_64bits(f + post + off, end - off));
		}
	}
	size_t bl, bl_len;
	if (!section(f, len, CX_SEC_BLOCKS, &bl, &bl_len) && bl_len >= 8) {
		uint64_t n = cx_get_u32(f + bl), table = n * CX_SEG_BLOCKS_ENTRY;
		if (table <= bl_len - 8) {
			for (uint64_t i = 0; i < n; i++) {
				uint8_t *e = f + bl + 8 + i * CX_SEG_BLOCKS_ENTRY;
				uint64_t off = cx_get_u32(e + 4), blen = cx_get_u32(e + 8);
				if (off <= bl_len && blen <= bl_len - off)
					cx_put_u32(e + 12, (uint32_t)XXH3_64bits(f + bl + off, blen));
			}
			cx_put_u32(f + bl + 4, (uint32_t)XXH3_64bits(f + bl + 8, table));
		}
	}
	for (unsigned i = 0; i < CX_SEG_NSECTIONS; i++) {
		size_t off, n;
		if (!section(f, len, i, &off, &n))
			cx_put_u64(f + CX_SEG_HEADER_SIZE + i * CX_SEG_SECTION_SIZE + 24,
				   XXH3_64bits(f + off, n));
	}
	XXH3_state_t *hs = XXH3_createState();
	XXH3_64bits_reset(hs);
	XXH3_64bits_update(hs, f, 56);
	XXH3_64bits_update(hs, f + CX_SEG_HEADER_SIZE, CX_SEG_NSECTIONS * CX_SEG_SECTION_SIZE);
	cx_put_u64(f + 56, XXH3_64bits_digest(hs));
	XXH3_freeState(hs);
}

static void write_file(const uint8_t *data, size_t size)
{
	int fd = openat(private_dir(), "seg-0000000000000001.cdx",
			O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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

/* Reads everything an open segment offers, checking what the reader promises. */
static void read_all(const cx_segment *s)
{
	volatile uint8_t sink = 0;
	for (uint32_t i = 0; i < s->n_docs; i++) {
		size_t len;
		const char *p = cx_segment_path(s, i, &len);
		for (size_t k = 0; k < len; k++)
			sink ^= (uint8_t)p[k];
		cx_docmeta m;
		cx_segment_meta(s, i, &m);
		const uint8_t *blob;
		cx_blocks b;
		if (cx_segment_blocks(s, i, &blob, &len) == 0 && blob &&
		    cx_blocks_parse(blob, len, m.size, &b) == 0)
			for (unsigned k = 0; k < b.n; k++)
				sink ^= (uint8_t)(cx_blocks_newlines(&b, k) +
						  cx_blocks_may_have(&b, k, 0x616263u + k));
	}
	for (uint64_t k = 0; k < s->n_tris; k++) {
		uint32_t tri = cx_segment_tri(s, k);
		int64_t found = cx_segment_find(s, tri);
		if (found >= 0 && cx_segment_tri(s, (uint64_t)found) != tri)
			abort();
		if (cx_segment_lower_bound(s, tri) > s->n_tris)
			abort();
		uint32_t count = cx_segment_count(s, k);
		size_t room = count < s->n_docs ? count : s->n_docs;
		uint32_t *out = malloc((room ? room : 1) * sizeof *out);
		if (!out)
			abort();
		if (cx_segment_list(s, k, out) == 0) {
			if (count == 0 || count > s->n_docs)
				abort(); /* a list of more docs than the segment has decoded */
			for (uint32_t j = 0; j < count; j++)
				if (out[j] >= s->n_docs || (j && out[j] <= out[j - 1]))
					abort();
		}
		free(out);
	}
	(void)sink;
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
	if (mode & 1)
		fix_checksums(f, len);
	write_file(f, len);
	free(f);
	cx_segment *s = NULL;
	if (cx_segment_open(private_dir(), 1, &s) == 0) {
		read_all(s);
		cx_segment_unref(s);
	} else if (s) {
		abort(); /* a failed open leaves no segment */
	}
	return 0;
}
