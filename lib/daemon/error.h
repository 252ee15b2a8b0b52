/* error.h - the daemon library's error raising: set its thread-local detail, return a code. */
#ifndef DX_ERROR_H
#define DX_ERROR_H

#include "codeidx_daemon.h"

/* Records a printf-style detail for codeidx_daemon_error_detail() and returns `code`. */
int dx_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like dx_error, appending ": strerror(errno)"; errno is preserved. */
int dx_error_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A core call failed with `code`: records "<what>: <core detail>" and returns `code`. */
int dx_error_core(int code, const char *what);

/* Clears the detail of the calling thread (done at the start of each public call). */
void dx_error_clear(void);

#endif
