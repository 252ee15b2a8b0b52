/* commit.c - turns an update's decisions into a new generation: writes the new
 * segment from the runs, publishes a manifest (old segments with their new deletions
 * and overrides, plus the new one), folds small segments together when they pile up,
 * and removes files no generation needs any more. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "index/merge.h"
#include "index/seg_merge.h"
#include "index/segment_writer.h"
#include "update/update.h"

/* Merge policy: at most this many segments stay after a commit. */
#define MAX_SEGMENTS 6
#define KEEP_AFTER_MERGE 3

/* The mtime to record for a file: unknown when it may still change within its
 * timestamp tick, so that the next update hashes it instead of trusting it. */
static int64_t recorded_mtime(const cx_update *u, int64_t mtime_ns)
{
	return mtime_ns >= u->racy_after_ns ? CX_MTIME_UNKNOWN : mtime_ns;
}

/* Writes the docs of the index phase and their postings as segment `id`. Sets *n to
 * the docs written (0: nothing to write). */
static int write_new_segment(cx_update *u, uint64_t id, uint32_t *n)
{
	*n = 0;
	uint32_t *remap = cx_calloc(u->n_todo + 1, sizeof *remap);
	if (!remap)
		return CODEIDX_ENOMEM;
	uint32_t next = 0;
	for (size_t i = 0; i < u->n_todo; i++) {
		cx_cand *c = &u->cands[u->todo[i]];
		remap[i] = c->outcome == CX_OUT_SKIPPED ? CX_MERGE_DROP : next++;
	}
	if (next == 0) {
		free(remap);
		return 0;
	}
	char name[64];
	cx_segment_name(id, name, sizeof name);
	cx_segw *w = NULL;
	cx_merge_input *in = cx_calloc(u->n_runs, sizeof *in);
	int rc = in ? cx_segw_create(&w, u->idx->dir_fd, name) : CODEIDX_ENOMEM;
	for (size_t i = 0; !rc && i < u->n_todo; i++) {
		cx_cand *c = &u->cands[u->todo[i]];
		cx_docmeta m = c->now;
		m.mtime_ns = recorded_mtime(u, m.mtime_ns);
		if (remap[i] != CX_MERGE_DROP)
			rc = cx_segw_add_doc(w, c->path, c->path_len, &m, c->blocks,
					     c->blocks_len);
		free(c->blocks); /* the writer holds its own copy */
		c->blocks = NULL;
	}
	for (size_t r = 0; !rc && r < u->n_runs; r++)
		in[r] = (cx_merge_input){.run = &u->runs[r], .remap = remap,
					 .group = u->runs[r].group};
	atomic_int never;
	atomic_init(&never, 0);
	if (!rc)
		rc = cx_merge_postings(in, u->n_runs, next, w, u->threads, u->background, &never);
	if (!rc) {
		rc = cx_segw_commit(w, NULL);
		w = NULL;
	}
	cx_segw_abort(w);
	free(in);
	free(remap);
	if (!rc)
		*n = next;
	return rc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_override(const void *a, const void *b)
{
	return cmp_u32(&((const cx_override *)a)->doc, &((const cx_override *)b)->doc);
}

/* Per old segment: the doc ids to delete and the overrides to record. */
typedef struct seg_changes {
	uint32_t *del;
	size_t n_del;
	cx_override *ovr;
	size_t n_ovr;
} seg_changes;

static int collect_changes(cx_update *u, seg_changes *ch)
{
	uint32_t n_segs = u->old->manifest.n_segs;
	size_t *n_del = cx_calloc(n_segs, sizeof *n_del), *n_ovr = cx_calloc(n_segs, sizeof *n_ovr);
	int rc = n_del && n_ovr ? 0 : CODEIDX_ENOMEM;
	/* Count, allocate, fill. */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = 0; i < u->n_cands; i++) {
			cx_cand *c = &u->cands[i];
			if (c->old_seg < 0)
				continue;
			seg_changes *s = &ch[c->old_seg];
			if (c->outcome == CX_OUT_CHANGED || c->outcome == CX_OUT_SKIPPED) {
				if (pass)
					s->del[s->n_del++] = c->old_doc;
				else
					n_del[c->old_seg]++;
			} else if (c->outcome == CX_OUT_TOUCHED) {
				if (pass)
					s->ovr[s->n_ovr++] = (cx_override){
						c->old_doc, c->now.size,
						recorded_mtime(u, c->now.mtime_ns), c->now.ino};
				else
					n_ovr[c->old_seg]++;
			}
		}
		for (size_t g = 0; g < u->n_gone; g++) {
			seg_changes *s = &ch[u->gone_seg[g]];
			if (pass)
				s->del[s->n_del++] = u->gone_doc[g];
			else
				n_del[u->gone_seg[g]]++;
		}
		for (uint32_t k = 0; !pass && k < n_segs; k++) {
			const cx_manifest_seg *e = &u->old->manifest.segs[k];
			ch[k].del = cx_calloc(n_del[k] + e->n_deleted, sizeof *ch[k].del);
			ch[k].ovr = cx_calloc(n_ovr[k] + e->n_overrides, sizeof *ch[k].ovr);
			if (!ch[k].del || !ch[k].ovr)
				rc = CODEIDX_ENOMEM;
		}
	}
	free(n_del);
	free(n_ovr);
	return rc;
}

/* Builds the next manifest: old segments (minus fully dead ones) + the new one. */
static int next_manifest(cx_update *u, seg_changes *ch, uint64_t new_id, uint32_t new_docs,
			 cx_manifest *m)
{
	const cx_manifest *om = &u->old->manifest;
	m->generation = om->generation + 1;
	memcpy(m->skipped, u->res.skipped, sizeof m->skipped);
	m->segs = cx_calloc(om->n_segs + 1, sizeof *m->segs);
	if (!m->segs)
		return CODEIDX_ENOMEM;
	for (uint32_t k = 0; k < om->n_segs && !u->full; k++) {
		const cx_manifest_seg *e = &om->segs[k];
		seg_changes *s = &ch[k];
		/* Old deletions stay; a doc now deleted can't have been deleted before. */
		memcpy(s->del + s->n_del, e->deleted, e->n_deleted * sizeof *s->del);
		s->n_del += e->n_deleted;
		if (s->n_del == e->n_docs)
			continue; /* every doc dead: the segment leaves the generation */
		qsort(s->del, s->n_del, sizeof *s->del, cmp_u32);
		/* Old overrides of docs not overridden again or deleted now stay. */
		size_t fresh = s->n_ovr;
		for (uint32_t j = 0; j < e->n_overrides; j++) {
			const cx_override *o = &e->overrides[j];
			int replaced = bsearch(&o->doc, s->del, s->n_del, sizeof *s->del, cmp_u32) != NULL;
			for (size_t q = 0; q < fresh && !replaced; q++)
				replaced = s->ovr[q].doc == o->doc;
			if (!replaced)
				s->ovr[s->n_ovr++] = *o;
		}
		qsort(s->ovr, s->n_ovr, sizeof *s->ovr, cmp_override);
		m->segs[m->n_segs++] = (cx_manifest_seg){
			.id = e->id, .seal = u->old->segs[k].seg->seal, .n_docs = e->n_docs,
			.deleted = s->del, .n_deleted = (uint32_t)s->n_del,
			.overrides = s->ovr, .n_overrides = (uint32_t)s->n_ovr};
		s->del = NULL; /* ownership moved to the manifest */
		s->ovr = NULL;
	}
	uint32_t seal = 0;
	int rc = new_docs ? cx_segment_read_seal(u->idx->dir_fd, new_id, &seal) : 0;
	if (rc)
		return rc;
	if (new_docs)
		m->segs[m->n_segs++] = (cx_manifest_seg){
			.id = new_id, .seal = seal, .n_docs = new_docs,
			.deleted = cx_calloc(1, sizeof(uint32_t)),
			.overrides = cx_calloc(1, sizeof(cx_override))};
	return 0;
}

/* Whether the update changes anything a manifest records. */
static int has_changes(const cx_update *u)
{
	if (u->full || u->n_gone || u->res.files_new || u->res.files_changed ||
	    u->res.files_touched || u->old->manifest.generation == 0)
		return 1;
	for (size_t i = 0; i < u->n_cands; i++)
		if (u->cands[i].outcome == CX_OUT_SKIPPED && u->cands[i].old_seg >= 0)
			return 1;
	return memcmp(u->res.skipped, u->old->manifest.skipped, sizeof u->res.skipped) != 0;
}

void cx_update_collect_garbage(cx_update *u)
{
	const cx_manifest *m = &u->old->manifest;
	int fd = dup(u->idx->dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		uint64_t id;
		char tail[8];
		int live = 0;
		size_t len = strlen(e->d_name);
		if (strcmp(e->d_name, CX_MANIFEST_NAME ".tmp") == 0 ||
		    (strncmp(e->d_name, "run-", 4) == 0 && len > 8 &&
		     strcmp(e->d_name + len - 4, ".tmp") == 0)) {
			unlinkat(u->idx->dir_fd, e->d_name, 0); /* a killed writer's leftovers */
			continue;
		}
		if (sscanf(e->d_name, "seg-%16" SCNx64 ".%3s", &id, tail) != 2 ||
		    strcmp(tail, "cdx") != 0)
			continue;
		for (uint32_t k = 0; k < m->n_segs && !live; k++)
			live = m->segs[k].id == id;
		if (!live)
			unlinkat(u->idx->dir_fd, e->d_name, 0);
	}
	closedir(d);
}

/* Publishes `m`, loads it, and makes it the handle's generation. */
static int publish(cx_update *u, const cx_manifest *m)
{
	int rc = cx_manifest_write(u->idx->dir_fd, m);
	if (rc)
		return rc;
	cx_snapshot *s;
	rc = cx_snapshot_load(u->idx->dir_fd, u->old, &s);
	if (rc)
		return rc;
	cx_snapshot_unref(u->old);
	u->old = cx_snapshot_ref(s);
	cx_handle_publish(u->idx, s);
	u->res.generation = m->generation;
	return 0;
}

static int by_live_docs(const void *a, const void *b)
{
	const cx_snap_seg *x = *(const cx_snap_seg *const *)a, *y = *(const cx_snap_seg *const *)b;
	uint64_t lx = x->seg->n_docs - x->n_dead, ly = y->seg->n_docs - y->n_dead;
	return (lx > ly) - (lx < ly);
}

/* When segments pile up, folds the smallest into one and publishes again. */
static int maybe_merge(cx_update *u)
{
	cx_snapshot *s = u->old;
	uint32_t n = s->manifest.n_segs;
	if (n <= MAX_SEGMENTS)
		return 0;
	const cx_snap_seg **order = cx_calloc(n, sizeof *order);
	if (!order)
		return CODEIDX_ENOMEM;
	for (uint32_t k = 0; k < n; k++)
		order[k] = &s->segs[k];
	qsort(order, n, sizeof *order, by_live_docs);
	size_t pick = n - KEEP_AFTER_MERGE + 1;
	/* The update is already published: this message can no longer cancel it. */
	(void)cx_reporter_info(&u->rep, CODEIDX_PHASE_COMMIT, "merging %zu small segments", pick);
	int rc = 0;
	uint64_t new_id = s->manifest.generation + 1;
	uint32_t docs = 0;
	atomic_int never;
	atomic_init(&never, 0);
	if (!rc)
		rc = cx_seg_merge(u->idx->dir_fd, order, pick, new_id, u->threads, u->background,
				  &never, &docs);
	cx_manifest m = {.generation = new_id};
	memcpy(m.skipped, s->manifest.skipped, sizeof m.skipped);
	m.segs = rc ? NULL : cx_calloc(n, sizeof *m.segs);
	if (!rc && !m.segs)
		rc = CODEIDX_ENOMEM;
	/* The unpicked segments keep their entries (copied), the merged one is added. */
	for (size_t k = pick; !rc && k < n; k++) {
		const cx_manifest_seg *e = order[k]->entry;
		cx_manifest_seg *d = &m.segs[m.n_segs++];
		*d = *e;
		d->seal = order[k]->seg->seal; /* recorded even if the entry had none */
		d->deleted = cx_calloc(e->n_deleted, sizeof *d->deleted);
		d->overrides = cx_calloc(e->n_overrides, sizeof *d->overrides);
		if (!d->deleted || !d->overrides) {
			rc = CODEIDX_ENOMEM;
			break;
		}
		memcpy(d->deleted, e->deleted, e->n_deleted * sizeof *d->deleted);
		memcpy(d->overrides, e->overrides, e->n_overrides * sizeof *d->overrides);
	}
	uint32_t seal = 0;
	if (!rc && docs)
		rc = cx_segment_read_seal(u->idx->dir_fd, new_id, &seal);
	if (!rc && docs)
		m.segs[m.n_segs++] = (cx_manifest_seg){
			.id = new_id, .seal = seal, .n_docs = docs,
			.deleted = cx_calloc(1, sizeof(uint32_t)),
			.overrides = cx_calloc(1, sizeof(cx_override))};
	if (!rc)
		rc = publish(u, &m);
	if (!rc)
		u->res.segments_merged = pick;
	cx_manifest_release(&m);
	free(order);
	return rc;
}

int cx_update_commit(cx_update *u)
{
	if (!has_changes(u)) {
		u->res.generation = u->old->manifest.generation;
		return 0;
	}
	uint64_t new_id = u->old->manifest.generation + 1;
	uint32_t new_docs = 0;
	int rc = cx_reporter_info(&u->rep, CODEIDX_PHASE_COMMIT, "writing segment");
	if (!rc && u->n_todo)
		rc = write_new_segment(u, new_id, &new_docs);
	uint32_t n_old = u->old->manifest.n_segs;
	seg_changes *ch = cx_calloc(n_old, sizeof *ch);
	cx_manifest m = {0};
	if (!rc && !ch)
		rc = CODEIDX_ENOMEM;
	if (!rc)
		rc = collect_changes(u, ch);
	if (!rc)
		rc = next_manifest(u, ch, new_id, new_docs, &m);
	if (!rc && !u->rep.cancelled)
		rc = publish(u, &m);
	if (!rc)
		u->res.segments_written = new_docs ? 1 : 0;
	if (!rc)
		rc = maybe_merge(u);
	if (!rc)
		cx_update_collect_garbage(u);
	for (uint32_t k = 0; ch && k < n_old; k++) {
		free(ch[k].del);
		free(ch[k].ovr);
	}
	free(ch);
	cx_manifest_release(&m);
	return rc;
}
