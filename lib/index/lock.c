/* lock.c - the one-writer lock of an index directory. */
#include "index/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/error.h"

int cx_lock_acquire(int dirfd, const char *root)
{
	int fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return cx_error_errno(CODEIDX_EIO, "cannot open the lock file of %s", root);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EINTR)
			continue;
		int rc = errno == EWOULDBLOCK
				 ? cx_error(CODEIDX_ELOCKED, "another writer is updating the index of %s",
					    root)
				 : cx_error_errno(CODEIDX_EIO, "cannot lock the index of %s", root);
		close(fd);
		return rc;
	}
	return fd;
}

void cx_lock_release(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}
