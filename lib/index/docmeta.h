/* docmeta.h - what the index remembers of a file to detect changes. */
#ifndef CX_DOCMETA_H
#define CX_DOCMETA_H

#include <stdint.h>

typedef struct cx_docmeta {
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
	uint64_t hash; /* XXH3-64 of the content */
} cx_docmeta;

#endif
