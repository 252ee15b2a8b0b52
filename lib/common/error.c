/* error.c - error codes, their names, and the thread-local detail message. */
#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char detail[1024];

CODEIDX_API const char *codeidx_strerror(int code)
{
	switch (code) {
	case CODEIDX_OK: return "success";
	case CODEIDX_ERROR: return "internal error";
	case CODEIDX_EINVAL: return "invalid argument";
	case CODEIDX_ENOMEM: return "out of memory";
	case CODEIDX_EIO: return "input/output error";
	case CODEIDX_ENOINDEX: return "no index at this root";
	case CODEIDX_ECORRUPT: return "index is corrupt";
	case CODEIDX_ELOCKED: return "index is locked by another writer";
	case CODEIDX_ECANCELLED: return "cancelled";
	case CODEIDX_EPATTERN: return "invalid pattern";
	case CODEIDX_EVERSION: return "unsupported index format version";
	case CODEIDX_ELIMIT: return "limit exceeded";
	default: return "unknown error";
	}
}

CODEIDX_API const char *codeidx_error_detail(void)
{
	return detail;
}

void cx_error_clear(void)
{
	detail[0] = '\0';
}

int cx_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return code;
}

int cx_error_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof detail)
		snprintf(detail + n, sizeof detail - (size_t)n, ": %s", strerror(saved));
	errno = saved;
	return saved == ENOMEM ? CODEIDX_ENOMEM : code;
}
