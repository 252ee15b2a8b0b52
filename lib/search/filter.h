/* filter.h - which indexed paths a search looks at: -g globs and language names. */
#ifndef CX_FILTER_H
#define CX_FILTER_H

#include <stddef.h>

#include "walk/gitignore.h"

typedef struct cx_filter {
	cx_ignore_list *include; /* NULL: every path is included */
	cx_ignore_list *exclude; /* NULL: nothing excluded */
	cx_ignore_list *langs;   /* NULL: any language */
} cx_filter;

/* Compiles the globs (a leading '!' excludes) and language names. An unknown
 * language gives CODEIDX_EINVAL naming it. */
int cx_filter_init(cx_filter *f, const char *const *globs, size_t n_globs,
		   const char *const *langs, size_t n_langs);
void cx_filter_release(cx_filter *f);

/* Whether the path (len bytes, relative to the root) passes the filter. */
int cx_filter_accepts(const cx_filter *f, const char *path, size_t len);

#endif
