/* literal.h - finds a byte string every match of a regex must contain, so that the
 * matcher can look for it with memmem and run the regex only on lines holding it. */
#ifndef CX_LITERAL_H
#define CX_LITERAL_H

#include <stddef.h>

/* Copies into out (at most cap bytes) the longest run of plain literal bytes that
 * every match of `pattern` contains, and returns its length (0 when none is known).
 * Conservative: any construct it does not understand (alternation, groups, inline
 * flags, escapes other than escaped punctuation and \t \n \r) ends a run, and a
 * byte followed by a quantifier that allows zero repetitions is not required. */
size_t cx_required_literal(const char *pattern, size_t len, char *out, size_t cap);

#endif
