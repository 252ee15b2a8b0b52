/* plan.h - turn a search pattern into a trigram plan: a boolean formula over trigrams
 * that every file holding a matching line satisfies. */
#ifndef CX_PLAN_H
#define CX_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* A trigram is three raw bytes b0 b1 b2 packed as (b0 << 16) | (b1 << 8) | b2.
 * The index holds every trigram of a file's bytes except those containing '\n'. */

typedef enum cx_plan_op {
	CX_PLAN_ALL = 0,  /* true for every file (the analysis knows nothing) */
	CX_PLAN_NONE = 1, /* true for no file (the pattern can never match) */
	CX_PLAN_TRI = 2,  /* true when the file holds `tri` */
	CX_PLAN_AND = 3,  /* all kids true */
	CX_PLAN_OR = 4,   /* any kid true */
} cx_plan_op;

typedef struct cx_plan {
	cx_plan_op op;
	uint32_t tri;          /* CX_PLAN_TRI only */
	struct cx_plan **kids; /* CX_PLAN_AND / CX_PLAN_OR: n_kids >= 2 */
	size_t n_kids;
} cx_plan;

/* Pattern flags. */
#define CX_PLAN_LITERAL 0x1u     /* fixed string, as grep -F (a '\n' separates alternatives) */
#define CX_PLAN_IGNORE_CASE 0x2u /* ASCII case folding, as grep -i in the C locale */
#define CX_PLAN_WORD 0x4u        /* whole-word, as grep -w */

/* Builds the plan of `pattern` (len bytes, may hold NUL) under `flags` into *out.
 * The plan is sound for line-oriented matching in PCRE2's byte (non-UTF) mode:
 * if any line of a file (the bytes between '\n's) has a match, the plan is true on
 * the file's trigram set. Constructs the analysis does not understand make the plan
 * less selective (towards CX_PLAN_ALL), never unsound. The plan is simplified
 * (flattened, no ALL inside AND, no NONE inside OR) and bounded in size.
 * Returns 0, or CODEIDX_ENOMEM. The pattern need not be valid: compile errors are
 * PCRE2's to report; an unparsable pattern gives CX_PLAN_ALL. */
int cx_plan_build(const char *pattern, size_t len, unsigned flags, cx_plan **out);

/* The most bytes of a line that one match of `pattern` under `flags`, lookarounds
 * included, can cover; SIZE_MAX when unbounded or unknown (a pattern the analysis does
 * not follow, a backreference, an unbounded repeat). Every trigram the plan requires
 * of a matching line lies within such a stretch. */
size_t cx_plan_span(const char *pattern, size_t len, unsigned flags);

/* Frees a plan (NULL is a no-op). */
void cx_plan_free(cx_plan *plan);

/* Evaluates the plan against a trigram membership test (for tests and fuzzing). */
int cx_plan_eval(const cx_plan *plan, int (*has)(uint32_t tri, void *user), void *user);

/* Renders the plan as text, e.g. AND("abc" OR("xyz" "xyZ")), into a malloc'd string
 * (non-printable bytes as \xNN). NULL on allocation failure. */
char *cx_plan_describe(const cx_plan *plan);

#endif
