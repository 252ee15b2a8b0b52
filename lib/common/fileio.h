/* fileio.h - small wrappers over POSIX I/O: whole writes, fsync of a directory. */
#ifndef CX_FILEIO_H
#define CX_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Writes all n bytes (retrying short writes and EINTR). 0 or -1 with errno. */
int cx_write_all(int fd, const void *p, size_t n);
/* Reads up to n bytes at offset, retrying short reads; returns bytes read or -1. */
ssize_t cx_pread_full(int fd, void *p, size_t n, off_t off);
/* The size of one read() of file content: at most 256 KiB. The kernel here is built
 * without preemption (PREEMPT_NONE is common), so a thread copying a 16 MiB file in
 * one call holds its CPU for milliseconds against everything that wakes meanwhile;
 * between calls it can be preempted at once. */
static inline size_t cx_read_chunk(size_t room)
{
	return room < ((size_t)256 << 10) ? room : (size_t)256 << 10;
}
/* fsyncs the directory `dirfd` refers to. 0 or -1 with errno. */
int cx_fsync_dir(int dirfd);
/* Opens `path` (relative, '/'-separated) beneath `dirfd` without following any
 * symbolic link on the way, in any component: a directory swapped for a link since it
 * was walked fails with ELOOP instead of leading outside (openat2 RESOLVE_NO_SYMLINKS;
 * one component at a time with O_NOFOLLOW where openat2 is missing). An absolute path
 * or a ".." component fails with EXDEV. `flags` as for openat(); O_NOFOLLOW and
 * O_CLOEXEC are added. Returns the fd or -1 with errno. */
int cx_open_beneath(int dirfd, const char *path, int flags);

#endif
