/* cli_slow_open.c - test preload for the cli tests: openat() of a file whose name ends in ".slow" first sleeps SLOW_OPEN_MS (default 20) ms, so that an index run lasts long enough to watch and interrupt. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	size_t n = strlen(path);
	if (n > 5 && !strcmp(path + n - 5, ".slow")) {
		const char *ms = getenv("SLOW_OPEN_MS");
		long v = ms ? atol(ms) : 20;
		nanosleep(&(struct timespec){.tv_sec = v / 1000, .tv_nsec = v % 1000 * 1000000L}, NULL);
	}
	return real(dirfd, path, flags, mode);
}
