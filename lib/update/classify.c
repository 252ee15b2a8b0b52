/* classify.c - joins the walked files with the old generation's live docs (both in
 * bytewise path order) to find each file's old version and the docs now gone. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "update/update.h"

static int path_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* Cursor over the live docs of all old segments in path order (K-way merge). */
typedef struct old_docs {
	const cx_snapshot *s;
	uint32_t *pos; /* next doc per segment */
	int32_t seg;   /* current: segment index, -1 at the end */
	uint32_t doc;
	const char *path;
	size_t len;
} old_docs;

static void old_next(old_docs *o)
{
	o->seg = -1;
	for (uint32_t i = 0; i < o->s->manifest.n_segs; i++) {
		const cx_snap_seg *ss = &o->s->segs[i];
		while (o->pos[i] < ss->seg->n_docs && cx_snap_is_dead(ss, o->pos[i]))
			o->pos[i]++;
		if (o->pos[i] >= ss->seg->n_docs)
			continue;
		size_t l;
		const char *p = cx_segment_path(ss->seg, o->pos[i], &l);
		if (o->seg < 0 || path_cmp(p, l, o->path, o->len) < 0) {
			o->seg = (int32_t)i;
			o->path = p;
			o->len = l;
		}
	}
	if (o->seg >= 0)
		o->doc = o->pos[o->seg]++;
}

static int add_gone(cx_update *u, uint32_t seg, uint32_t doc, size_t *cap)
{
	if (u->n_gone == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		uint32_t *a = cx_reallocarray(u->gone_seg, c, sizeof *a);
		if (!a)
			return CODEIDX_ENOMEM;
		u->gone_seg = a;
		uint32_t *b = cx_reallocarray(u->gone_doc, c, sizeof *b);
		if (!b)
			return CODEIDX_ENOMEM;
		u->gone_doc = b;
		*cap = c;
	}
	u->gone_seg[u->n_gone] = seg;
	u->gone_doc[u->n_gone] = doc;
	u->n_gone++;
	return 0;
}

int cx_update_classify(cx_update *u)
{
	u->n_cands = u->walk.n_files;
	u->cands = cx_calloc(u->n_cands, sizeof *u->cands);
	old_docs o = {.s = u->old, .seg = -1};
	o.pos = cx_calloc(u->old->manifest.n_segs, sizeof *o.pos);
	if (!u->cands || !o.pos) {
		free(o.pos);
		return CODEIDX_ENOMEM;
	}
	if (!u->full)
		old_next(&o);
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; i < u->n_cands && !rc; i++) {
		cx_cand *c = &u->cands[i];
		c->path = u->walk.files[i].path;
		c->path_len = u->walk.files[i].path_len;
		c->old_seg = -1;
		int cmp = -1;
		while (o.seg >= 0 && (cmp = path_cmp(o.path, o.len, c->path, c->path_len)) < 0) {
			rc = add_gone(u, (uint32_t)o.seg, o.doc, &cap);
			old_next(&o);
			if (rc)
				break;
		}
		if (o.seg >= 0 && cmp == 0) {
			c->old_seg = o.seg;
			c->old_doc = o.doc;
			cx_snap_meta(&u->old->segs[o.seg], o.doc, &c->old);
			old_next(&o);
		}
	}
	while (!rc && o.seg >= 0) {
		rc = add_gone(u, (uint32_t)o.seg, o.doc, &cap);
		old_next(&o);
	}
	free(o.pos);
	return rc;
}
