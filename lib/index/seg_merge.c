/* seg_merge.c - folds several segments into one (live docs, path order). */
#include "index/seg_merge.h"

#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"
#include "index/merge.h"
#include "index/segment_writer.h"

/* Bytewise path order, shorter first on a common prefix. */
static int path_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

int cx_seg_merge(int dirfd, const cx_snap_seg *const *segs, size_t n, uint64_t new_id,
		 unsigned threads, int background, atomic_int *cancel, uint32_t *n_docs)
{
	*n_docs = 0;
	uint32_t **remap = cx_calloc(n, sizeof *remap);
	uint32_t *pos = cx_calloc(n, sizeof *pos);
	cx_merge_input *in = cx_calloc(n, sizeof *in);
	cx_segw *w = NULL;
	int rc = remap && pos && in ? 0 : CODEIDX_ENOMEM;
	uint64_t total = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		remap[i] = cx_reallocarray(NULL, segs[i]->seg->n_docs + 1u, sizeof **remap);
		if (!remap[i])
			rc = CODEIDX_ENOMEM;
		total += segs[i]->seg->n_docs - segs[i]->n_dead;
	}
	if (!rc && total == 0)
		goto out;
	char name[64];
	cx_segment_name(new_id, name, sizeof name);
	if (!rc)
		rc = cx_segw_create(&w, dirfd, name);
	/* K-way merge of the segments' live docs by path assigns the new ids. */
	uint32_t next = 0;
	while (!rc) {
		size_t best = n;
		const char *bp = NULL;
		size_t bl = 0;
		for (size_t i = 0; i < n; i++) {
			const cx_snap_seg *s = segs[i];
			while (pos[i] < s->seg->n_docs && cx_snap_is_dead(s, pos[i]))
				remap[i][pos[i]++] = CX_MERGE_DROP;
			if (pos[i] >= s->seg->n_docs)
				continue;
			size_t l;
			const char *p = cx_segment_path(s->seg, pos[i], &l);
			if (best == n || path_cmp(p, l, bp, bl) < 0) {
				best = i;
				bp = p;
				bl = l;
			}
		}
		if (best == n)
			break;
		cx_docmeta m;
		cx_snap_meta(segs[best], pos[best], &m);
		const uint8_t *blob;
		size_t blob_len;
		rc = cx_segment_blocks(segs[best]->seg, pos[best], &blob, &blob_len);
		if (!rc)
			rc = cx_segw_add_doc(w, bp, bl, &m, blob, blob_len);
		remap[best][pos[best]++] = next++;
	}
	for (size_t i = 0; i < n && !rc; i++)
		in[i] = (cx_merge_input){.seg = segs[i]->seg, .remap = remap[i], .group = (unsigned)i};
	if (!rc)
		rc = cx_merge_postings(in, n, next, w, threads, background, cancel);
	if (!rc) {
		rc = cx_segw_commit(w, NULL);
		w = NULL;
		if (!rc)
			*n_docs = next;
	}
out:
	cx_segw_abort(w);
	if (remap)
		for (size_t i = 0; i < n; i++)
			free(remap[i]);
	free(remap);
	free(pos);
	free(in);
	return rc;
}
