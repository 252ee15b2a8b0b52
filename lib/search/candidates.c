/* candidates.c - evaluates a trigram plan against posting lists (AND = intersection,
 * OR = union), per segment, then merges the segments' survivors by path. */
#include "search/candidates.h"

#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"

/* A set of doc ids of one segment: ascending ids, or "every doc". */
typedef struct idset {
	uint32_t *ids;
	size_t n;
	int all;
} idset;

static void set_free(idset *s)
{
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
}

static int eval(const cx_segment *seg, const cx_plan *p, idset *out);

static int eval_tri(const cx_segment *seg, uint32_t tri, idset *out)
{
	int64_t k = cx_segment_find(seg, tri);
	if (k < 0)
		return 0;
	uint32_t n = cx_segment_count(seg, (uint64_t)k);
	out->ids = malloc((size_t)n * sizeof *out->ids);
	if (!out->ids)
		return CODEIDX_ENOMEM;
	out->n = n;
	return cx_segment_list(seg, (uint64_t)k, out->ids);
}

/* The number of docs a plan node can yield at most, for ordering AND kids cheaply. */
static uint64_t estimate(const cx_segment *seg, const cx_plan *p)
{
	switch (p->op) {
	case CX_PLAN_NONE: return 0;
	case CX_PLAN_TRI: {
		int64_t k = cx_segment_find(seg, p->tri);
		return k < 0 ? 0 : cx_segment_count(seg, (uint64_t)k);
	}
	case CX_PLAN_AND: {
		uint64_t m = UINT64_MAX;
		for (size_t i = 0; i < p->n_kids; i++) {
			uint64_t e = estimate(seg, p->kids[i]);
			if (e < m)
				m = e;
		}
		return m;
	}
	case CX_PLAN_OR: {
		uint64_t t = 0;
		for (size_t i = 0; i < p->n_kids; i++)
			t += estimate(seg, p->kids[i]);
		return t;
	}
	default: return UINT64_MAX;
	}
}

typedef struct ranked {
	const cx_plan *p;
	uint64_t est;
} ranked;

static int by_estimate(const void *a, const void *b)
{
	uint64_t x = ((const ranked *)a)->est, y = ((const ranked *)b)->est;
	return (x > y) - (x < y);
}

static int filter(const cx_segment *seg, const cx_plan *p, idset *acc);

/* A bitmap of a segment's docs, all clear; NULL on out of memory. */
static uint64_t *bitmap_new(const cx_segment *seg)
{
	return calloc((size_t)seg->n_docs / 64 + 1, sizeof(uint64_t));
}

/* Sets doc id's bit; returns whether it was clear. */
static int mark_one(uint64_t *bits, uint32_t id)
{
	uint64_t b = 1ull << (id & 63), was = bits[id >> 6];
	bits[id >> 6] = was | b;
	return !(was & b);
}

static void mark(uint64_t *bits, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mark_one(bits, ids[i]);
}

static int marked(const uint64_t *bits, uint32_t id)
{
	return bits[id >> 6] >> (id & 63) & 1;
}

/* Sets in `bits` (a bitmap of the segment's docs) the docs of `rest` that kid p
 * yields, then drops them from `rest`; `tmp` has room for rest->n ids. */
static int mark_kid(const cx_segment *seg, const cx_plan *p, idset *rest, uint64_t *bits,
		    idset *tmp)
{
	if (p->op == CX_PLAN_TRI) {
		int64_t k = cx_segment_find(seg, p->tri);
		if (k < 0)
			return 0;
		uint32_t count = cx_segment_count(seg, (uint64_t)k);
		if ((uint64_t)count * 8 < rest->n) {
			/* A list much shorter than `rest`: decoding it whole costs less than
			 * walking `rest` (ids outside it are marked too, and never asked). */
			uint32_t *ids = malloc((size_t)count * sizeof *ids);
			int rc = ids ? cx_segment_list(seg, (uint64_t)k, ids) : CODEIDX_ENOMEM;
			if (!rc)
				mark(bits, ids, count);
			free(ids);
			return rc;
		}
	}
	size_t o = 0;
	for (size_t j = 0; j < rest->n; j++)
		if (!marked(bits, rest->ids[j]))
			rest->ids[o++] = rest->ids[j];
	rest->n = o;
	memcpy(tmp->ids, rest->ids, rest->n * sizeof *rest->ids);
	tmp->n = rest->n;
	int rc = rest->n ? filter(seg, p, tmp) : 0;
	if (!rc)
		mark(bits, tmp->ids, tmp->n);
	return rc;
}

/* filter() of an OR: keeps the docs of acc that any kid yields, each kid asked only
 * about the docs no earlier kid yielded. An OR of a -i plan holds one trigram's case
 * variants: mostly short lists beside a long one. */
static int filter_or(const cx_segment *seg, const cx_plan *p, idset *acc)
{
	if (!acc->n)
		return 0;
	uint64_t *bits = bitmap_new(seg);
	idset rest = {.ids = malloc(acc->n * sizeof *acc->ids), .n = acc->n};
	idset tmp = {.ids = malloc(acc->n * sizeof *acc->ids)};
	int rc = bits && rest.ids && tmp.ids ? 0 : CODEIDX_ENOMEM;
	if (!rc)
		memcpy(rest.ids, acc->ids, acc->n * sizeof *acc->ids);
	for (size_t i = 0; i < p->n_kids && !rc && rest.n; i++)
		rc = mark_kid(seg, p->kids[i], &rest, bits, &tmp);
	size_t o = 0;
	for (size_t j = 0; !rc && j < acc->n; j++)
		if (marked(bits, acc->ids[j]))
			acc->ids[o++] = acc->ids[j];
	if (!rc)
		acc->n = o;
	free(bits);
	free(rest.ids);
	free(tmp.ids);
	return rc;
}

/* Keeps in `acc` (a list, not "all") the docs plan `p` can yield. Once an AND has a
 * short list, its other kids only filter it: a dense list is probed, not decoded. */
static int filter(const cx_segment *seg, const cx_plan *p, idset *acc)
{
	switch (p->op) {
	case CX_PLAN_ALL: return 0;
	case CX_PLAN_NONE: acc->n = 0; return 0;
	case CX_PLAN_TRI: {
		int64_t k = cx_segment_find(seg, p->tri);
		if (k < 0) {
			acc->n = 0;
			return 0;
		}
		return cx_segment_filter(seg, (uint64_t)k, acc->ids, &acc->n);
	}
	case CX_PLAN_AND:
		for (size_t i = 0; i < p->n_kids && acc->n; i++) {
			int rc = filter(seg, p->kids[i], acc);
			if (rc)
				return rc;
		}
		return 0;
	case CX_PLAN_OR:
		return filter_or(seg, p, acc);
	}
	return CODEIDX_ERROR;
}

static int eval_and(const cx_segment *seg, const cx_plan *p, idset *out)
{
	ranked *r = calloc(p->n_kids, sizeof *r);
	if (!r)
		return CODEIDX_ENOMEM;
	for (size_t i = 0; i < p->n_kids; i++)
		r[i] = (ranked){p->kids[i], estimate(seg, p->kids[i])};
	qsort(r, p->n_kids, sizeof *r, by_estimate);
	int rc = 0;
	out->all = 1;
	for (size_t i = 0; i < p->n_kids && !rc; i++) {
		if (!out->all) {
			if (out->n == 0)
				break; /* nothing can survive: skip the remaining lists */
			rc = filter(seg, r[i].p, out);
			continue;
		}
		rc = eval(seg, r[i].p, out);
	}
	free(r);
	return rc;
}

static int eval_or(const cx_segment *seg, const cx_plan *p, idset *out)
{
	/* Union through a bitmap of the segment's docs. */
	uint64_t *bits = bitmap_new(seg);
	if (!bits)
		return CODEIDX_ENOMEM;
	int rc = 0;
	size_t total = 0;
	for (size_t i = 0; i < p->n_kids && !rc && !out->all; i++) {
		idset k = {0};
		rc = eval(seg, p->kids[i], &k);
		if (!rc && k.all)
			out->all = 1;
		for (size_t j = 0; !rc && j < k.n; j++)
			total += (size_t)mark_one(bits, k.ids[j]);
		set_free(&k);
	}
	if (!rc && !out->all && total) {
		out->ids = malloc(total * sizeof *out->ids);
		if (!out->ids)
			rc = CODEIDX_ENOMEM;
		for (uint32_t w = 0; !rc && w <= seg->n_docs / 64; w++)
			for (uint64_t v = bits[w]; v; v &= v - 1)
				out->ids[out->n++] = w * 64 + (uint32_t)__builtin_ctzll(v);
	}
	free(bits);
	return rc;
}

static int eval(const cx_segment *seg, const cx_plan *p, idset *out)
{
	memset(out, 0, sizeof *out);
	switch (p->op) {
	case CX_PLAN_ALL: out->all = 1; return 0;
	case CX_PLAN_NONE: return 0;
	case CX_PLAN_TRI: return eval_tri(seg, p->tri, out);
	case CX_PLAN_AND: return eval_and(seg, p, out);
	case CX_PLAN_OR: return eval_or(seg, p, out);
	}
	return CODEIDX_ERROR;
}

static int path_cmp(const cx_snapshot *s, const cx_cand_doc *a, const cx_cand_doc *b)
{
	size_t na, nb;
	const char *pa = cx_segment_path(s->segs[a->seg].seg, a->doc, &na);
	const char *pb = cx_segment_path(s->segs[b->seg].seg, b->doc, &nb);
	int c = memcmp(pa, pb, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

int cx_candidates(const cx_snapshot *s, const cx_plan *plan, const cx_filter *filter,
		  cx_cand_doc **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	uint32_t n_segs = s->manifest.n_segs;
	cx_cand_doc **per = calloc(n_segs + 1, sizeof *per);
	size_t *cnt = calloc(n_segs + 1, sizeof *cnt), *pos = calloc(n_segs + 1, sizeof *pos);
	int rc = per && cnt && pos ? 0 : CODEIDX_ENOMEM;
	size_t total = 0;
	for (uint32_t i = 0; i < n_segs && !rc; i++) {
		const cx_snap_seg *ss = &s->segs[i];
		idset set = {0};
		rc = eval(ss->seg, plan, &set);
		size_t n = set.all ? ss->seg->n_docs : set.n;
		if (!rc && n && !(per[i] = malloc(n * sizeof **per)))
			rc = CODEIDX_ENOMEM;
		for (size_t k = 0; !rc && k < n; k++) {
			uint32_t d = set.all ? (uint32_t)k : set.ids[k];
			size_t len;
			if (cx_snap_is_dead(ss, d))
				continue;
			const char *path = cx_segment_path(ss->seg, d, &len);
			if (cx_filter_accepts(filter, path, len))
				per[i][cnt[i]++] = (cx_cand_doc){i, d};
		}
		set_free(&set);
		total += cnt[i];
	}
	cx_cand_doc *all = rc || !total ? NULL : malloc(total * sizeof *all);
	if (!rc && total && !all)
		rc = CODEIDX_ENOMEM;
	/* K-way merge: each segment's docs are already in path order. */
	for (size_t k = 0; !rc && k < total; k++) {
		uint32_t best = n_segs;
		for (uint32_t i = 0; i < n_segs; i++)
			if (pos[i] < cnt[i] &&
			    (best == n_segs || path_cmp(s, &per[i][pos[i]], &per[best][pos[best]]) < 0))
				best = i;
		all[k] = per[best][pos[best]++];
	}
	for (uint32_t i = 0; per && i < n_segs; i++)
		free(per[i]);
	free(per);
	free(cnt);
	free(pos);
	if (rc) {
		free(all);
		return rc;
	}
	*out = all;
	*n_out = total;
	return 0;
}
