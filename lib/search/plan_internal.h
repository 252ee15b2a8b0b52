/* plan_internal.h - private types of the trigram plan: arena, pattern syntax tree, plan nodes. */
#ifndef CX_PLAN_INTERNAL_H
#define CX_PLAN_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search/plan.h"

/* Limits. They keep every build linear in the pattern length and the plan small;
 * hitting one only makes the plan less selective, never wrong. */
#define PL_MAX_DEPTH 200        /* group nesting the parser follows; deeper gives ALL */
#define PL_MAX_EXACT 16         /* strings an exact set may hold */
#define PL_MAX_EXACT_LEN 24     /* longest string an exact set may hold */
#define PL_MAX_SET 16           /* strings a prefix or suffix set may hold */
#define PL_MAX_CLASS 16         /* bytes a class may hold and still be expanded */
#define PL_MAX_CROSS 64         /* suffix x prefix pairs turned into trigrams at a join */
#define PL_MAX_REP 8            /* copies a counted repetition is unrolled to */
#define PL_MAX_VISITS 4096      /* tree nodes analysed; the rest reads as "any string" */
#define PL_AND_CAP 128          /* kids an AND keeps during analysis (the rest are dropped) */
#define PL_OR_CAP 256           /* kids an OR may have during analysis (more gives ALL) */
#define PL_BUDGET 200           /* nodes in the final plan */
#define PL_ARENA_MAX (64u << 20) /* bytes one build may allocate before it settles for ALL */

/* ------------------------------------------------------------------ arena ---- */

/* Every allocation of one build comes from this arena and is freed at once at the
 * end. An allocation that fails (or passes PL_ARENA_MAX) does not return: it
 * longjmps to `fail` with PL_FAIL_NOMEM (or PL_FAIL_BUDGET), which cx_plan_build
 * catches. Nothing outside the arena is allocated between the setjmp and the
 * longjmp, so nothing leaks. */
#define PL_FAIL_NOMEM 1
#define PL_FAIL_BUDGET 2

typedef struct pl_chunk pl_chunk;

typedef struct pl_arena {
	pl_chunk *head; /* chunk being carved; older chunks are chained behind it */
	size_t total;   /* bytes obtained from malloc so far */
	jmp_buf fail;   /* set by cx_plan_build before any allocation */
} pl_arena;

/* Returns n zeroed bytes aligned for any type; never returns NULL (see above). */
void *pl_alloc(pl_arena *a, size_t n);
/* Frees every chunk. */
void pl_arena_release(pl_arena *a);

/* ------------------------------------------------------------ syntax tree ---- */

/* What the parser hands the analysis: only what matters for the set of strings a
 * pattern can match inside one line. Assertions become PL_EMPTY (they only
 * restrict), constructs the analysis cannot follow become PL_ANY. */
typedef enum pl_kind {
	PL_EMPTY, /* matches the empty string: anchors, \b, negative lookarounds, verbs */
	PL_ANY,   /* matches any string, maybe empty: backreferences, recursion, \X */
	PL_LIT,   /* the bytes `lit[0..len)`; with `fold`, ASCII letters match both cases */
	PL_CLASS, /* one byte of `set` (case folding and '\n' removal already applied) */
	PL_CAT,   /* kids[0] kids[1] ... kids[len-1] */
	PL_ALT,   /* kids[0] | kids[1] | ... */
	PL_REP,   /* kids[0] repeated min..max times (max < 0: unbounded) */
	PL_LOOK,  /* positive lookaround: matches "", and kids[0] must match in the line */
} pl_kind;

typedef struct pl_node {
	pl_kind kind;
	bool fold;              /* PL_LIT */
	uint32_t len;           /* PL_LIT: bytes; PL_CAT, PL_ALT: kids */
	uint32_t cap;           /* PL_LIT, PL_CAT, PL_ALT: room while the parser grows it */
	int32_t min, max;       /* PL_REP */
	uint8_t *lit;           /* PL_LIT */
	uint8_t set[32];        /* PL_CLASS: bit b of set[b >> 3] for byte b */
	struct pl_node **kids;  /* PL_CAT, PL_ALT, PL_REP (1 kid), PL_LOOK (1 kid) */
} pl_node;

/* Parses `pat` (PCRE2 syntax, byte mode) with CX_PLAN_IGNORE_CASE given as
 * `ignore_case`. Returns NULL when the pattern holds something the parser cannot
 * follow soundly (the caller then uses CX_PLAN_ALL). */
pl_node *pl_parse(pl_arena *a, const uint8_t *pat, size_t len, bool ignore_case);

/* -------------------------------------------------------------- plan nodes ---- */

/* The analysis builds plans in the arena, immutable once made, so one node may be
 * shared by several parents. AND and OR nodes are kept flat (no AND kid in an AND,
 * no OR kid in an OR), without ALL/NONE kids and with at least two kids. */
typedef struct pl_plan {
	cx_plan_op op;
	uint32_t tri;                /* CX_PLAN_TRI */
	uint32_t n;                  /* CX_PLAN_AND, CX_PLAN_OR: number of kids */
	const struct pl_plan **kids;
} pl_plan;

extern const pl_plan pl_plan_all;
extern const pl_plan pl_plan_none;

/* Builds ANDs and ORs, normalised as above. AND keeps at most PL_AND_CAP kids (drops
 * the rest: a weaker AND is still sound); an OR over PL_OR_CAP kids becomes ALL. */
const pl_plan *pl_and(pl_arena *a, const pl_plan *x, const pl_plan *y);
const pl_plan *pl_and_list(pl_arena *a, const pl_plan *const *kids, size_t n);
const pl_plan *pl_or_list(pl_arena *a, const pl_plan *const *kids, size_t n);

/* Plan of a parsed pattern (NULL tree: ALL). */
const pl_plan *pl_analyze(pl_arena *a, const pl_node *root);
/* Plan of a CX_PLAN_LITERAL pattern: '\n'-separated fixed strings. */
const pl_plan *pl_analyze_literal(pl_arena *a, const uint8_t *pat, size_t len, bool fold);

#endif
