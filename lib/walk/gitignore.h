/* gitignore.h - compile gitignore pattern files and match paths with git's semantics. */
#ifndef CX_GITIGNORE_H
#define CX_GITIGNORE_H

#include <stddef.h>
#include <stdint.h>

/* What the patterns of one or more lists say about a path. */
typedef enum cx_ignore_verdict {
	CX_IGNORE_NONE = 0,    /* no pattern matched: undecided */
	CX_IGNORE_EXCLUDE = 1, /* the deciding pattern is positive: the path is ignored */
	CX_IGNORE_INCLUDE = 2, /* the deciding pattern is negated ("!"): not ignored */
} cx_ignore_verdict;

/* A path to match, prepared once (cx_ignore_path_init) and matched against any number
 * of lists. The fields are derived from `path`; the string is borrowed, not copied. */
typedef struct cx_ignore_path {
	const char *path;   /* relative to the walk root, '/'-separated, no leading or
			     * trailing '/', raw bytes (no NUL) */
	size_t len;         /* bytes in path */
	size_t base;        /* offset of the basename (the last component) */
	size_t ext;         /* offset of the last '.' of the basename, or len if none */
	uint64_t base_hash; /* hash of the basename */
	uint64_t ext_hash;  /* hash of path[ext..len), 0 when ext == len */
	size_t slashes;     /* number of '/' in path */
	int is_dir;         /* non-zero for a directory (a symlink is never one) */
} cx_ignore_path;

/* Fills *p for the path (len bytes) of a directory (is_dir) or another entry. */
void cx_ignore_path_init(cx_ignore_path *p, const char *path, size_t len, int is_dir);

/* The compiled patterns of one source (a .gitignore file, .git/info/exclude, a list of
 * option patterns), anchored at a directory of the tree. Immutable once built, so it
 * may be shared by threads. Opaque. */
typedef struct cx_ignore_list cx_ignore_list;

/* Compiles `len` bytes of gitignore text (lines of patterns, as in a .gitignore file)
 * whose anchored patterns are relative to the directory `base` (base_len bytes,
 * relative to the walk root, without a trailing '/'; "" for the root). The text and
 * base are copied. Lines that cannot match anything are dropped silently, as git does.
 * Returns 0 and *out (free with cx_ignore_list_free), or CODEIDX_ENOMEM /
 * CODEIDX_ELIMIT (text over 4 GiB) with *out NULL. */
int cx_ignore_list_new(cx_ignore_list **out, const char *text, size_t len, const char *base,
		       size_t base_len);

/* Frees a list; NULL is a no-op. */
void cx_ignore_list_free(cx_ignore_list *l);

/* Number of patterns the list holds (after dropping comments and blank lines). */
size_t cx_ignore_list_size(const cx_ignore_list *l);

/* Returns the verdict of the last pattern of `l` that matches `p` (git: last match
 * wins). A path outside the list's base directory is never matched. */
cx_ignore_verdict cx_ignore_list_match(const cx_ignore_list *l, const cx_ignore_path *p);

/* Evaluates lists[n-1] first, down to lists[0], and returns the first verdict that is
 * not CX_IGNORE_NONE: put the lowest-precedence list (.git/info/exclude) first and
 * deeper .gitignore files after their parents. Entries may be NULL (skipped). This does
 * not apply the rule that a path below an excluded directory stays excluded: the
 * caller does, by not descending into excluded directories. */
cx_ignore_verdict cx_ignore_match_lists(const cx_ignore_list *const *lists, size_t n,
					const cx_ignore_path *p);

/* Glob match with git's wildmatch semantics: '*', '?', '[...]' (with '!' or '^'
 * negation, ranges, [:class:] names, backslash escapes) and '\x'. With
 * CX_WILDMATCH_PATHNAME, '*', '?' and classes never match '/', and '**' between
 * slashes (or at either end) matches any number of directories. Returns 1 on match.
 * A malformed class ("[a" or "[[:nope:]]") never matches. */
#define CX_WILDMATCH_PATHNAME 0x1u
int cx_wildmatch(const char *pat, size_t pat_len, const char *text, size_t text_len,
		 unsigned int flags);

#endif
