/* update.h - state shared by the stages of one update: walk -> classify -> hash phase
 * -> index phase -> commit. One cx_update lives on the caller's stack per run. */
#ifndef CX_UPDATE_H
#define CX_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "api/handle.h"
#include "index/docmeta.h"
#include "index/run.h"
#include "index/snapshot.h"
#include "progress/reporter.h"
#include "walk/walk.h"

typedef enum cx_outcome {
	CX_OUT_PENDING = 0, /* not decided yet */
	CX_OUT_NEW,         /* no old version: index it */
	CX_OUT_CHANGED,     /* content differs: index it, delete the old doc */
	CX_OUT_TOUCHED,     /* same content, new stat data: record an override */
	CX_OUT_UNCHANGED,   /* size, mtime and inode match */
	CX_OUT_SKIPPED,     /* left out (reason in `skip`); an old doc is deleted */
} cx_outcome;

/* One walked file. The hash phase fills `now` and decides `outcome`; the index phase
 * may still turn NEW/CHANGED into SKIPPED (binary, vanished). Each cand is written by
 * one worker at a time (the one that took its index). */
typedef struct cx_cand {
	const char *path; /* borrowed from the walk result */
	size_t path_len;
	int32_t old_seg; /* index into old->segs, or -1 */
	uint32_t old_doc;
	cx_docmeta old; /* old metadata, overrides applied */
	cx_docmeta now;
	uint8_t outcome; /* cx_outcome */
	uint8_t skip;    /* codeidx_skip_reason when SKIPPED */
	uint32_t blocks_len;
	uint8_t *blocks; /* index phase: the block summary of a large file (malloc'd) */
} cx_cand;

typedef struct cx_update {
	codeidx *idx;
	cx_snapshot *old; /* the generation this update starts from */
	int full;         /* rebuild: the old generation is ignored */
	int background;   /* workers at the lowest CPU priority */
	unsigned threads;
	uint64_t max_size;
	/* Files whose mtime is at or after this (wall clock, ns) may still change within
	 * the same timestamp tick: their mtime is recorded as unknown ("racy git"). */
	int64_t racy_after_ns;
	cx_reporter rep;
	cx_walk_result walk;
	cx_cand *cands; /* walk order (bytewise path order) */
	size_t n_cands;
	/* Old docs whose path the walk no longer found: (segment, doc) pairs. */
	uint32_t *gone_seg, *gone_doc;
	size_t n_gone;
	/* Index phase: cands to index (path order; position = id in the new segment)
	 * and the runs spilled, grouped by worker in spill order. */
	size_t *todo;
	size_t n_todo;
	cx_run *runs;
	size_t n_runs;
	codeidx_update_result res;
} cx_update;

/* Joins the walk with the old generation's docs into u->cands and u->gone_*. */
int cx_update_classify(cx_update *u);
/* Hash phase: stat every cand, hash where needed, decide outcomes. */
int cx_update_hash_phase(cx_update *u);
/* Index phase: read new/changed files, extract trigrams, spill runs. */
int cx_update_index_phase(cx_update *u);
/* Commit: write the new segment, publish the manifest, merge, collect garbage. */
int cx_update_commit(cx_update *u);
/* Removes files of the index directory no live generation needs (leftovers of a
 * killed writer); called under the writer lock. */
void cx_update_collect_garbage(cx_update *u);

/* Stat data that cannot prove a file unchanged later gets this mtime. */
#define CX_MTIME_UNKNOWN INT64_MIN

/* Runs `fn` on u->threads new threads (thread k gets args + k * arg_size) while the
 * calling thread reports progress from tracker `t`; returns once all have exited. */
int cx_update_run_workers(cx_update *u, cx_tracker *t, codeidx_phase phase,
			  void *(*fn)(void *), void *args, size_t arg_size);

#endif
