/* cli_slow_open.c - test preload for the cli tests: opening a file whose name ends in ".slow" (by openat(), or openat2 through syscall(), as the library opens files beneath the root) first sleeps SLOW_OPEN_MS (default 20) ms, so that an index run lasts long enough to watch and interrupt. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

/* The wrapped functions, resolved once before any thread runs (no lazy-init race). */
static int (*real_openat)(int, const char *, int, ...);
static long (*real_syscall)(long, ...);

__attribute__((constructor)) static void resolve(void)
{
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

static void maybe_sleep(const char *path)
{
	size_t n = strlen(path);
	if (n > 5 && !strcmp(path + n - 5, ".slow")) {
		const char *ms = getenv("SLOW_OPEN_MS");
		long v = ms ? atol(ms) : 20;
		nanosleep(&(struct timespec){.tv_sec = v / 1000, .tv_nsec = v % 1000 * 1000000L}, NULL);
	}
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	if (!real_openat) /* called before the constructor: still single-threaded */
		resolve();
	maybe_sleep(path);
	return real_openat(dirfd, path, flags, mode);
}

/* syscall() takes up to six word-sized arguments; all are forwarded as they came. */
long syscall(long number, ...)
{
	va_list ap;
	va_start(ap, number);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real_syscall)
		resolve();
#ifdef SYS_openat2
	if (number == SYS_openat2)
		maybe_sleep((const char *)a[1]);
#endif
	return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
