/* workspace.h - memory a handle keeps between searches: idle file buffers and PCRE2
 * scratch, so a search reuses warm pages instead of faulting in fresh ones for every
 * file it reads. Bounded, and safe to share between concurrent searches. */
#ifndef CX_WORKSPACE_H
#define CX_WORKSPACE_H

#include <stddef.h>

#include "common/buf.h"
#include "search/matcher.h"

/* A verified file waiting for its turn to be reported. */
typedef struct cx_file_slot {
	int ready;
	int rc;
	cx_buf path;    /* NUL-terminated */
	cx_buf content; /* the file's bytes */
	cx_hits hits;
} cx_file_slot;

typedef struct cx_workspace cx_workspace;

cx_workspace *cx_workspace_new(void);
void cx_workspace_free(cx_workspace *ws);

/* Fills slots[0..n) with idle buffers where there are some, empty ones otherwise. */
void cx_workspace_take_slots(cx_workspace *ws, cx_file_slot *slots, size_t n);
/* Takes back the buffers of slots[0..n): keeps what fits the bound, frees the rest. */
void cx_workspace_give_slots(cx_workspace *ws, cx_file_slot *slots, size_t n);

/* An idle matching scratch, or a new one (NULL when out of memory). */
cx_match_scratch *cx_workspace_take_scratch(cx_workspace *ws);
void cx_workspace_give_scratch(cx_workspace *ws, cx_match_scratch *s);

/* Frees the content buffer of a slot if it holds more than `keep` bytes, its line and
 * span lists and path if one holds more than keep / 4. */
void cx_file_slot_trim(cx_file_slot *sl, size_t keep);
/* Frees every buffer of a slot. */
void cx_file_slot_release(cx_file_slot *sl);

#endif
