/* manifest.h - the manifest names the live segments of one generation, with each
 * segment's deleted docs and metadata overrides. Publishing a new manifest (write,
 * fsync, rename, fsync the directory) is the atomic commit of an update.
 *
 * File "manifest" (little-endian):
 *   "CDXMAN\r\n", u32 version, u32 segment count, u64 generation,
 *   u32 skip-reason count (S), u32 reserved, u64 skipped[S],
 *   per segment: u64 id, u32 doc count, u32 deleted count (D), u32 override count (O),
 *                u32 seal, u32 deleted[D] (ascending),
 *                O x {u32 doc, u32 reserved, u64 size, i64 mtime_ns, u64 inode},
 *   u64 XXH3 of all the bytes before it.
 * The seal is the low half of the segment's header checksum (which covers the checksums
 * of all its sections): it binds the entry to the very file written for it, so that a
 * valid segment of another index (or an older one with the same id) is refused rather
 * than answered from. 0 = not recorded (manifests written before seals existed).
 */
#ifndef CX_MANIFEST_H
#define CX_MANIFEST_H

#include <stdint.h>

#include "codeidx.h"

#define CX_MANIFEST_NAME "manifest"

/* New stat data for a doc whose content is unchanged (the hash matched). */
typedef struct cx_override {
	uint32_t doc;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
} cx_override;

typedef struct cx_manifest_seg {
	uint64_t id;
	uint32_t seal; /* cx_segment_seal() of the file; 0 = not recorded */
	uint32_t n_docs;
	uint32_t *deleted; /* ascending doc ids */
	uint32_t n_deleted;
	cx_override *overrides; /* ascending by doc */
	uint32_t n_overrides;
} cx_manifest_seg;

typedef struct cx_manifest {
	uint64_t generation; /* 0: nothing committed yet */
	uint64_t skipped[CODEIDX_SKIP__COUNT];
	cx_manifest_seg *segs;
	uint32_t n_segs;
} cx_manifest;

/* Reads the manifest of `dirfd` into *m. A missing manifest gives an empty manifest
 * of generation 0. Damage gives CODEIDX_ECORRUPT. */
int cx_manifest_read(int dirfd, cx_manifest *m);

/* Publishes *m atomically as the new manifest of `dirfd`. */
int cx_manifest_write(int dirfd, const cx_manifest *m);

void cx_manifest_release(cx_manifest *m);

#endif
