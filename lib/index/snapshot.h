/* snapshot.h - one committed generation, opened: the manifest plus its mapped
 * segments, with a dead-doc bitmap and metadata overrides per segment. Immutable once
 * loaded and reference-counted, so searches keep a consistent generation while an
 * update publishes the next one. */
#ifndef CX_SNAPSHOT_H
#define CX_SNAPSHOT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "index/docmeta.h"
#include "index/manifest.h"
#include "index/segment.h"

typedef struct cx_snap_seg {
	cx_segment *seg;
	uint64_t *dead; /* bitmap of deleted docs (n_docs bits) */
	uint32_t n_dead;
	const cx_manifest_seg *entry; /* its manifest entry (overrides) */
} cx_snap_seg;

typedef struct cx_snapshot {
	atomic_int refs;
	cx_manifest manifest;
	cx_snap_seg *segs; /* manifest.n_segs entries */
	uint64_t live_docs, index_bytes, trigrams;
	/* Identity of the manifest file it came from, to notice newer generations. */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
} cx_snapshot;

/* Loads the newest generation of `dirfd`, reusing segments `prev` (may be NULL)
 * already maps. Retries if a writer replaces the manifest while it reads. */
int cx_snapshot_load(int dirfd, const cx_snapshot *prev, cx_snapshot **out);

/* Whether the manifest on disk is still the one `s` was loaded from. */
int cx_snapshot_is_current(const cx_snapshot *s, int dirfd);

cx_snapshot *cx_snapshot_ref(cx_snapshot *s);
void cx_snapshot_unref(cx_snapshot *s);

static inline int cx_snap_is_dead(const cx_snap_seg *s, uint32_t doc)
{
	return (s->dead[doc >> 6] >> (doc & 63)) & 1;
}

/* The content bytes of the snapshot's live docs (walks every doc: for stats). */
uint64_t cx_snapshot_live_bytes(const cx_snapshot *s);

/* Doc metadata with the manifest's override applied. */
void cx_snap_meta(const cx_snap_seg *s, uint32_t doc, cx_docmeta *m);

#endif
