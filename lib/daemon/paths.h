/* paths.h - where a root's daemon lives: socket directory, socket and lock paths, directory safety checks. */
#ifndef DX_PATHS_H
#define DX_PATHS_H

/* The paths of `root`'s daemon, each malloc'd (free all three with dx_paths_release):
 * dir, the socket and the lock file. */
typedef struct dx_paths {
	char *root; /* canonical (realpath) */
	char *dir;
	char *sock;
	char *lock;
} dx_paths;

/* Resolves root and derives the paths (see codeidx_daemon_socket_path()). Errors:
 * CODEIDX_EINVAL, CODEIDX_ELIMIT, CODEIDX_ENOMEM. */
int dx_paths_get(const char *root, dx_paths *out);
void dx_paths_release(dx_paths *p);

/* Creates dir with mode 0700 if missing; refuses one that is a symlink, not a
 * directory, owned by another uid, or open to group or others (CODEIDX_DAEMON_EPERM). */
int dx_dir_ensure(const char *dir);

#endif
