/* lock.h - the one-writer lock of an index directory (flock on <index>/lock; the
 * kernel drops it if the writer dies, so a killed process never leaves it stuck). */
#ifndef CX_LOCK_H
#define CX_LOCK_H

/* Takes the writer lock without waiting: returns an fd to pass to cx_lock_release,
 * or a negative CODEIDX_ELOCKED / CODEIDX_EIO. `root` names the index in messages. */
int cx_lock_acquire(int dirfd, const char *root);
void cx_lock_release(int fd);

#endif
