/* snapshot.c - load a committed generation: manifest, segments, dead bitmaps. */
#include "index/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/error.h"

static void stat_manifest(int dirfd, struct stat *st)
{
	if (fstatat(dirfd, CX_MANIFEST_NAME, st, 0))
		memset(st, 0, sizeof *st);
}

int cx_snapshot_is_current(const cx_snapshot *s, int dirfd)
{
	struct stat st;
	stat_manifest(dirfd, &st);
	return st.st_ino == s->ino && st.st_dev == s->dev && st.st_size == s->size &&
	       st.st_mtim.tv_sec == s->mtime.tv_sec && st.st_mtim.tv_nsec == s->mtime.tv_nsec;
}

cx_snapshot *cx_snapshot_ref(cx_snapshot *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void cx_snapshot_unref(cx_snapshot *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (uint32_t i = 0; i < s->manifest.n_segs; i++) {
		if (!s->segs)
			break;
		cx_segment_unref(s->segs[i].seg);
		free(s->segs[i].dead);
	}
	free(s->segs);
	cx_manifest_release(&s->manifest);
	free(s);
}

void cx_snap_meta(const cx_snap_seg *s, uint32_t doc, cx_docmeta *m)
{
	cx_segment_meta(s->seg, doc, m);
	const cx_override *o = s->entry->overrides;
	uint32_t lo = 0, hi = s->entry->n_overrides;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (o[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->entry->n_overrides && o[lo].doc == doc) {
		m->size = o[lo].size;
		m->mtime_ns = o[lo].mtime_ns;
		m->ino = o[lo].ino;
	}
}

/* A segment `prev` already maps for entry `e` (same id, and same seal if recorded). */
static cx_segment *find_prev(const cx_snapshot *prev, const cx_manifest_seg *e)
{
	if (!prev)
		return NULL;
	for (uint32_t i = 0; i < prev->manifest.n_segs; i++) {
		cx_segment *s = prev->segs[i].seg;
		if (s->id == e->id && (!e->seal || e->seal == s->seal))
			return s;
	}
	return NULL;
}

/* Opens the segments the manifest names and derives the per-segment state. */
static int attach(cx_snapshot *s, int dirfd, const cx_snapshot *prev)
{
	s->segs = cx_calloc(s->manifest.n_segs, sizeof *s->segs);
	if (!s->segs)
		return CODEIDX_ENOMEM;
	for (uint32_t i = 0; i < s->manifest.n_segs; i++) {
		const cx_manifest_seg *e = &s->manifest.segs[i];
		cx_snap_seg *ss = &s->segs[i];
		ss->entry = e;
		cx_segment *old = find_prev(prev, e);
		if (old) {
			ss->seg = cx_segment_ref(old);
		} else {
			int rc = cx_segment_open(dirfd, e->id, &ss->seg);
			if (rc)
				return rc;
		}
		if (e->seal && e->seal != ss->seg->seal)
			return cx_error(CODEIDX_ECORRUPT,
					"manifest: segment %s is not the file written for this index "
					"(seal %08x, expected %08x)",
					ss->seg->name, ss->seg->seal, e->seal);
		if (ss->seg->n_docs != e->n_docs)
			return cx_error(CODEIDX_ECORRUPT,
					"manifest: segment %s has %u docs, manifest says %u",
					ss->seg->name, ss->seg->n_docs, e->n_docs);
		ss->dead = cx_calloc((e->n_docs + 63) / 64, sizeof *ss->dead);
		if (!ss->dead)
			return CODEIDX_ENOMEM;
		for (uint32_t k = 0; k < e->n_deleted; k++)
			ss->dead[e->deleted[k] >> 6] |= 1ull << (e->deleted[k] & 63);
		ss->n_dead = e->n_deleted;
		s->index_bytes += ss->seg->map_len;
		s->trigrams += ss->seg->n_tris;
		s->live_docs += e->n_docs - e->n_deleted;
	}
	return 0;
}

uint64_t cx_snapshot_live_bytes(const cx_snapshot *s)
{
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < s->manifest.n_segs; i++) {
		const cx_snap_seg *ss = &s->segs[i];
		for (uint32_t d = 0; d < ss->seg->n_docs; d++) {
			if (cx_snap_is_dead(ss, d))
				continue;
			cx_docmeta m;
			cx_snap_meta(ss, d, &m);
			bytes += m.size;
		}
	}
	return bytes;
}

int cx_snapshot_load(int dirfd, const cx_snapshot *prev, cx_snapshot **out)
{
	*out = NULL;
	int rc = 0;
	for (int attempt = 0; attempt < 20; attempt++) {
		cx_snapshot *s = calloc(1, sizeof *s);
		if (!s)
			return CODEIDX_ENOMEM;
		atomic_init(&s->refs, 1);
		struct stat before, after;
		stat_manifest(dirfd, &before);
		rc = cx_manifest_read(dirfd, &s->manifest);
		if (!rc)
			rc = attach(s, dirfd, prev);
		stat_manifest(dirfd, &after);
		int replaced = before.st_ino != after.st_ino ||
			       before.st_mtim.tv_nsec != after.st_mtim.tv_nsec ||
			       before.st_mtim.tv_sec != after.st_mtim.tv_sec;
		if (!rc && !replaced) {
			s->dev = after.st_dev;
			s->ino = after.st_ino;
			s->mtime = after.st_mtim;
			s->size = after.st_size;
			struct stat ms;
			if (!fstatat(dirfd, CX_MANIFEST_NAME, &ms, 0))
				s->index_bytes += (uint64_t)ms.st_size;
			*out = s;
			return 0;
		}
		cx_snapshot_unref(s);
		/* A writer published (and collected old segments) meanwhile: read again. */
		if (!replaced)
			return rc;
	}
	return rc ? rc : cx_error(CODEIDX_EIO, "the manifest keeps changing; giving up");
}
