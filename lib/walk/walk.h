/* walk.h - list the files of a tree to index: .gitignore rules, excludes, file types. */
#ifndef CX_WALK_H
#define CX_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "codeidx.h"

/* One candidate file. `path` is relative to the root, '/'-separated, NUL-terminated
 * raw bytes (may contain newlines, quotes, invalid UTF-8). */
typedef struct cx_walk_file {
	char *path;
	size_t path_len;
} cx_walk_file;

typedef struct cx_walk_options {
	const char *const *excludes; /* extra gitignore-style patterns, rooted at the root */
	size_t n_excludes;
	/* Non-zero: read no .gitignore or .git/info/exclude (only `excludes` apply). */
	int no_ignore_files;
	/* Called now and then with a short info message (for example "scanned 12000
	 * entries"); may be NULL. Return non-zero to cancel the walk (CODEIDX_ECANCELLED). */
	int (*info)(const char *message, void *user);
	void *info_user;
} cx_walk_options;

typedef struct cx_walk_result {
	cx_walk_file *files; /* regular files, sorted bytewise (memcmp) by path */
	size_t n_files;
	/* Counted by reason: CODEIDX_SKIP_IGNORED (a .gitignore or .git/info/exclude
	 * rule matched the file or a directory above it; an ignored directory counts
	 * once), CODEIDX_SKIP_EXCLUDED (an `excludes` pattern), CODEIDX_SKIP_SYMLINK,
	 * CODEIDX_SKIP_SPECIAL (fifo, socket, device), CODEIDX_SKIP_FAILED (a directory
	 * that could not be opened or read). Other reasons stay 0 here. */
	uint64_t skipped[CODEIDX_SKIP__COUNT];
} cx_walk_result;

/* Walks the tree under the directory `root_fd` (an open O_DIRECTORY fd; the walk
 * uses openat and never leaves the tree: symlinks are reported, never followed).
 * Always skips the directories ".git" and ".codeidx" at any depth. Honors .gitignore
 * files at every level with git's semantics, and .git/info/exclude at the root.
 * On success fills *out (release with cx_walk_result_release) and returns 0; on
 * failure returns a CODEIDX_E* code with the detail set, *out left empty. */
int cx_walk(int root_fd, const cx_walk_options *opts, cx_walk_result *out);

void cx_walk_result_release(cx_walk_result *r);

#endif
