/* error.h - internal error raising: set the thread-local detail and return a code. */
#ifndef CX_ERROR_H
#define CX_ERROR_H

#include "codeidx.h"

/* Records a printf-style detail for codeidx_error_detail() and returns `code`. */
int cx_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like cx_error, appending ": strerror(errno)". ENOMEM maps to CODEIDX_ENOMEM,
 * every other errno to `code`. errno is preserved. */
int cx_error_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears the detail of the calling thread (done at the start of each public call). */
void cx_error_clear(void);

#endif
