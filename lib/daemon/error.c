/* error.c - daemon error codes, their names, and the library's thread-local detail message. */
#include "daemon/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char detail[1024];

CODEIDX_DAEMON_API const char *codeidx_daemon_strerror(int code)
{
	switch (code) {
	case CODEIDX_DAEMON_ENOTRUNNING: return "no daemon serves this root";
	case CODEIDX_DAEMON_ERUNNING: return "a daemon already serves this root";
	case CODEIDX_DAEMON_EPROTOCOL: return "protocol error";
	case CODEIDX_DAEMON_EPERM: return "permission denied";
	case CODEIDX_DAEMON_EBUSY: return "daemon busy";
	case CODEIDX_DAEMON_EDISCONNECTED: return "disconnected from the daemon";
	default: return codeidx_strerror(code);
	}
}

CODEIDX_DAEMON_API const char *codeidx_daemon_error_detail(void)
{
	return detail;
}

CODEIDX_DAEMON_API void codeidx_daemon_free(void *p)
{
	free(p);
}

void dx_error_clear(void)
{
	detail[0] = '\0';
}

int dx_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return code;
}

int dx_error_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof detail)
		snprintf(detail + n, sizeof detail - (size_t)n, ": %s", strerror(saved));
	errno = saved;
	return code;
}

int dx_error_core(int code, const char *what)
{
	const char *core = codeidx_error_detail();
	if (core && *core)
		snprintf(detail, sizeof detail, "%s: %s", what, core);
	else
		snprintf(detail, sizeof detail, "%s: %s", what, codeidx_strerror(code));
	return code;
}
