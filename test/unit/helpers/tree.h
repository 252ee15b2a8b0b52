/* tree.h - real temporary trees on disk for tests: create, fill, re-date, remove. */
#ifndef TEST_TREE_H
#define TEST_TREE_H

#include <stddef.h>
#include <stdint.h>

/* Creates a fresh empty directory under $CODEIDX_TEST_TMP (or /tmp) and returns its
 * malloc'd path, or NULL. Remove it with tree_remove(). */
char *tree_new(void);

/* Returns the malloc'd path "root/rel" (NULL on out of memory). */
char *tree_path(const char *root, const char *rel);

/* Writes root/rel (created or truncated in place, so the inode stays), creating the
 * parent directories. Returns 0 or -1.
 * The file's mtime is then set from a test clock that runs a day behind and advances
 * one second per write: every write gets a distinct mtime that is never "racily
 * clean" (in the same file-system tick as an update that records it), so change
 * detection in tests never depends on timing. Set an mtime yourself to test that. */
int tree_write(const char *root, const char *rel, const void *data, size_t len);
int tree_write_str(const char *root, const char *rel, const char *s);

/* Fills buf with n bytes of deterministic, seed-dependent text lines (no NUL). */
void tree_fill_text(char *buf, size_t n, uint64_t seed);

/* Writes n bytes of tree_fill_text(seed) to root/rel. Returns 0 or -1. */
int tree_write_text(const char *root, const char *rel, size_t n, uint64_t seed);

/* Sets the mtime of root/rel (not following a symlink). Returns 0 or -1. */
int tree_set_mtime(const char *root, const char *rel, int64_t sec, long nsec);

/* Moves the mtime of root/rel by `delta` seconds. Returns 0 or -1. */
int tree_shift_mtime(const char *root, const char *rel, int64_t delta);

/* Removes the tree recursively (symlinks are not followed) and frees `root`. */
void tree_remove(char *root);

#endif
