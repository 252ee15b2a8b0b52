/* walk.c - list the files of a tree to index: .gitignore rules, excludes, file types. */
#include "walk/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "walk/gitignore.h"

/*
 * The walk is a depth-first traversal holding one open directory per level (openat
 * relative to the parent, O_NOFOLLOW, so a directory swapped for a symlink fails
 * instead of being followed). Each directory is read whole, its entries are typed
 * (d_type, or fstatat when the file system says DT_UNKNOWN) and sorted with a
 * directory's name compared as if it ended in '/'. Visiting in that order appends
 * the files already sorted bytewise by full path: two paths first differ inside the
 * component of their deepest common directory, where '/' stands for "end of a
 * directory name". No final sort is needed.
 *
 * Ignore rules, highest precedence first: the `excludes` option (as if a root-level
 * file read after every .gitignore: it has the last word, like git's --exclude), the
 * .gitignore of the directory holding the entry, those of its parents up to the
 * root, then .git/info/exclude. Within one source the last matching pattern wins. An
 * excluded directory is not entered, so nothing below it can be re-included, and
 * its .gitignore is never read: git's rule.
 */

#define INFO_EVERY 5000
#define DBUF_SIZE (64u << 10)
/* Opening a small config file: O_NONBLOCK so that a fifo put in its place cannot
 * hang the walk (read_small_file then refuses anything but a regular file). */
#define SMALL_FILE_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define MAX_IGNORE_FILE (100u << 20) /* git ignores larger .gitignore files too */

enum ent_type { T_REG, T_DIR, T_LNK, T_SPECIAL, T_GONE };

/* One directory entry being processed; its name is names[off .. off+len], NUL-ended. */
struct ent {
	size_t off;
	size_t len;
	enum ent_type type;
};

/* State of one walk. The entry and name arrays are stacks: each level appends the
 * entries of its directory and truncates them back when it is done. */
struct walker {
	const cx_walk_options *opts;
	cx_walk_result *res;
	size_t files_cap;
	cx_buf path;           /* path of the current directory, "" or "a/b/" */
	cx_buf names;          /* NUL-terminated entry names of every open level */
	struct ent *ents;      /* entries of every open level */
	size_t n_ents, cap_ents;
	cx_ignore_list **lists; /* [0] = .git/info/exclude (may be NULL), then one per
				 * open level that has a .gitignore, root first */
	size_t n_lists, cap_lists;
	cx_ignore_list *excludes; /* the excludes option, or NULL */
	uint64_t n_entries;       /* directory entries seen so far */
	uint64_t next_info;       /* n_entries at which to call opts->info next */
	char *dbuf;               /* getdents64 buffer, DBUF_SIZE bytes */
};

static int info(struct walker *w, const char *msg)
{
	if (w->opts && w->opts->info && w->opts->info(msg, w->opts->info_user))
		return cx_error(CODEIDX_ECANCELLED, "walk cancelled by the info callback");
	return 0;
}

/* Reads a whole small file into a fresh buffer (the caller frees *out). Returns 0, or
 * -1 with errno set; a file over MAX_IGNORE_FILE bytes gives EFBIG. */
static int read_small_file(int fd, char **out, size_t *len)
{
	struct stat st;
	*out = NULL;
	*len = 0;
	if (fstat(fd, &st))
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if (st.st_size > (off_t)MAX_IGNORE_FILE) {
		errno = EFBIG;
		return -1;
	}
	cx_buf b = CX_BUF_INIT;
	for (;;) {
		if (cx_buf_reserve(&b, 4096)) {
			cx_buf_release(&b);
			errno = ENOMEM;
			return -1;
		}
		ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			cx_buf_release(&b);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > MAX_IGNORE_FILE) {
			cx_buf_release(&b);
			errno = EFBIG;
			return -1;
		}
	}
	*out = (char *)b.data;
	*len = b.len;
	return 0;
}

/* Compiles the gitignore file `name` in dirfd, for the directory `base`. A missing or
 * unreadable file (or a symlink: git does not follow those either) gives *out NULL and
 * 0; only out-of-memory is an error. */
static int load_ignore_file(int dirfd, const char *name, bool nofollow, const char *base,
			    size_t base_len, cx_ignore_list **out)
{
	*out = NULL;
	int fd = openat(dirfd, name, SMALL_FILE_FLAGS | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return errno == ENOMEM ? CODEIDX_ENOMEM : 0;
	char *text;
	size_t len;
	int r = read_small_file(fd, &text, &len);
	int e = errno;
	close(fd);
	if (r)
		return e == ENOMEM ? CODEIDX_ENOMEM : 0;
	int rc = cx_ignore_list_new(out, text, len, base, base_len);
	free(text);
	if (rc == CODEIDX_ELIMIT)
		rc = 0;
	return rc ? cx_error(rc, "compiling %s", name) : 0;
}

/* The first line of a small file (at `path` from dirfd, without its line end), as a
 * malloc'd string; NULL if unreadable, empty or holding a NUL byte. */
static char *read_first_line(int dirfd, const char *path, int extra_flags)
{
	int fd = openat(dirfd, path, SMALL_FILE_FLAGS | extra_flags);
	if (fd < 0)
		return NULL;
	char *text;
	size_t len;
	int r = read_small_file(fd, &text, &len);
	close(fd);
	if (r)
		return NULL;
	const char *nl = memchr(text, '\n', len);
	size_t n = nl ? (size_t)(nl - text) : len;
	if (n && text[n - 1] == '\r')
		n--;
	char *line = n && !memchr(text, '\0', n) ? cx_strndup(text, n) : NULL;
	free(text);
	return line;
}

/* a + "/" + b, or just b when b is absolute; malloc'd, NULL on ENOMEM. */
static char *path_join(const char *a, const char *b)
{
	if (b[0] == '/')
		return cx_strndup(b, strlen(b));
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + 1 + lb + 1);
	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

/* Finds the info/exclude of the root's git directory: ".git/info/exclude" when .git
 * is a directory; when it is a "gitdir: <dir>" file (a linked worktree or a
 * submodule), <dir>/info/exclude, or <dir>/<commondir>/info/exclude when <dir> has a
 * "commondir" file, as git does. Returns a path to open from the root (relative or
 * absolute, malloc'd), or NULL when there is none. */
static char *info_exclude_path(int root_fd)
{
	struct stat st;
	if (fstatat(root_fd, ".git", &st, AT_SYMLINK_NOFOLLOW))
		return NULL;
	if (S_ISDIR(st.st_mode))
		return cx_strndup(".git/info/exclude", strlen(".git/info/exclude"));
	if (!S_ISREG(st.st_mode))
		return NULL;
	char *line = read_first_line(root_fd, ".git", O_NOFOLLOW);
	if (!line || strncmp(line, "gitdir: ", 8) || !line[8]) {
		free(line);
		return NULL;
	}
	char *gitdir = cx_strndup(line + 8, strlen(line + 8));
	free(line);
	if (!gitdir)
		return NULL;
	char *cpath = path_join(gitdir, "commondir");
	char *common = cpath ? read_first_line(root_fd, cpath, 0) : NULL;
	char *dir = common ? path_join(gitdir, common) : NULL;
	char *result = path_join(dir ? dir : gitdir, "info/exclude");
	free(cpath);
	free(common);
	free(dir);
	free(gitdir);
	return result;
}

static int push_list(struct walker *w, cx_ignore_list *l)
{
	if (w->n_lists == w->cap_lists) {
		size_t cap = w->cap_lists ? w->cap_lists * 2 : 16;
		cx_ignore_list **p = cx_reallocarray(w->lists, cap, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		w->lists = p;
		w->cap_lists = cap;
	}
	w->lists[w->n_lists++] = l;
	return 0;
}

static int add_file(struct walker *w, const char *path, size_t len)
{
	cx_walk_result *r = w->res;
	if (r->n_files == w->files_cap) {
		size_t cap = w->files_cap ? w->files_cap * 2 : 1024;
		cx_walk_file *p = cx_reallocarray(r->files, cap, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		r->files = p;
		w->files_cap = cap;
	}
	char *copy = cx_strndup(path, len);
	if (!copy)
		return CODEIDX_ENOMEM;
	r->files[r->n_files].path = copy;
	r->files[r->n_files].path_len = len;
	r->n_files++;
	return 0;
}

static enum ent_type type_of_mode(mode_t m)
{
	if (S_ISREG(m))
		return T_REG;
	if (S_ISDIR(m))
		return T_DIR;
	if (S_ISLNK(m))
		return T_LNK;
	return T_SPECIAL;
}

/* Orders entries so that a depth-first visit yields memcmp-sorted full paths: by
 * name, a directory's name followed by a '/'. */
static int ent_cmp(const void *a, const void *b, void *arg)
{
	const char *names = arg;
	const struct ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(names + x->off, names + y->off, n);
	if (c)
		return c;
	int cx = x->len > n ? (unsigned char)names[x->off + n] : x->type == T_DIR ? '/' : -1;
	int cy = y->len > n ? (unsigned char)names[y->off + n] : y->type == T_DIR ? '/' : -1;
	return cx - cy;
}

/* Appends the entry `nm` (d_type `dt`) of the directory dfd to the entry stack and
 * calls the info callback now and then. Returns 0 or a fatal error code. */
static int add_entry(struct walker *w, int dfd, const char *nm, unsigned char dt)
{
	if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
		return 0;
	if (!strcmp(nm, ".git") || !strcmp(nm, ".codeidx"))
		return 0;
	size_t len = strlen(nm);
	if (w->n_ents == w->cap_ents) {
		size_t cap = w->cap_ents ? w->cap_ents * 2 : 1024;
		struct ent *p = cx_reallocarray(w->ents, cap, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		w->ents = p;
		w->cap_ents = cap;
	}
	struct ent *e = &w->ents[w->n_ents];
	e->off = w->names.len;
	e->len = len;
	if (cx_buf_append(&w->names, nm, len + 1))
		return CODEIDX_ENOMEM;
	switch (dt) {
	case DT_REG: e->type = T_REG; break;
	case DT_DIR: e->type = T_DIR; break;
	case DT_LNK: e->type = T_LNK; break;
	case DT_UNKNOWN: {
		struct stat st;
		if (fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW))
			e->type = T_GONE;
		else
			e->type = type_of_mode(st.st_mode);
		break;
	}
	default: e->type = T_SPECIAL; break;
	}
	w->n_ents++;
	if (++w->n_entries >= w->next_info) {
		char msg[96];
		snprintf(msg, sizeof msg, "scanned %" PRIu64 " entries, %zu files so far",
			 w->n_entries, w->res->n_files);
		w->next_info += INFO_EVERY;
		return info(w, msg);
	}
	return 0;
}

/* Reads the entries of the directory open as dfd onto the entry stack. Returns 0, a
 * fatal error code, or 1 when the directory could not be read (its entries dropped). */
static int read_entries(struct walker *w, int dfd)
{
	size_t start = w->n_ents;
	int rc = 0;
#ifdef __linux__
	/* getdents64 straight into one reused buffer: fdopendir would add an fstat and
	 * two fcntl calls per directory. */
	if (!w->dbuf && !(w->dbuf = malloc(DBUF_SIZE)))
		return CODEIDX_ENOMEM;
	for (;;) {
		ssize_t n = getdents64(dfd, w->dbuf, DBUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno == ENOMEM ? CODEIDX_ENOMEM : 1;
			break;
		}
		if (n == 0)
			break;
		for (size_t off = 0; off < (size_t)n && !rc;) {
			const struct dirent64 *de = (const struct dirent64 *)(w->dbuf + off);
			rc = add_entry(w, dfd, de->d_name, de->d_type);
			off += de->d_reclen;
		}
		if (rc)
			break;
	}
#else
	int fd2 = dup(dfd);
	DIR *d = fd2 < 0 ? NULL : fdopendir(fd2);
	if (!d) {
		if (fd2 >= 0)
			close(fd2);
		return errno == ENOMEM ? CODEIDX_ENOMEM : 1;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				rc = errno == ENOMEM ? CODEIDX_ENOMEM : 1;
			break;
		}
		if ((rc = add_entry(w, dfd, de->d_name, de->d_type)))
			break;
	}
	closedir(d);
#endif
	if (rc == 1)
		w->n_ents = start;
	return rc;
}

/* What the ignore rules say about the entry at path[0..len): -1 keep, or the skip
 * reason. */
static int classify(struct walker *w, const char *path, size_t len, bool is_dir)
{
	cx_ignore_path ip;
	cx_ignore_path_init(&ip, path, len, is_dir);
	if (w->excludes) {
		cx_ignore_verdict v = cx_ignore_list_match(w->excludes, &ip);
		if (v == CX_IGNORE_EXCLUDE)
			return CODEIDX_SKIP_EXCLUDED;
		if (v == CX_IGNORE_INCLUDE)
			return -1;
	}
	if (cx_ignore_match_lists((const cx_ignore_list *const *)w->lists, w->n_lists, &ip) ==
	    CX_IGNORE_EXCLUDE)
		return CODEIDX_SKIP_IGNORED;
	return -1;
}

/* Walks the directory open as `fd` (taken over and closed), whose path relative to the
 * root is w->path. Returns 0 or a fatal error code. A directory that cannot be read
 * counts as CODEIDX_SKIP_FAILED, except the root: an empty result would look like a
 * tree whose files were all deleted, so that is an error. */
static int walk_dir(struct walker *w, int fd, bool is_root)
{
	size_t ent_start = w->n_ents, names_start = w->names.len, dir_len = w->path.len;
	size_t lists_start = w->n_lists;
	int rc = read_entries(w, fd);
	if (rc == 1) {
		if (is_root) {
			rc = cx_error_errno(CODEIDX_EIO, "walk: cannot read the root directory");
			goto out;
		}
		w->res->skipped[CODEIDX_SKIP_FAILED]++;
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	size_t n = w->n_ents - ent_start;
	if (n > 1)
		qsort_r(w->ents + ent_start, n, sizeof *w->ents, ent_cmp, w->names.data);

	for (size_t i = ent_start; i < w->n_ents; i++) {
		struct ent *e = &w->ents[i];
		if (e->type == T_REG && e->len == 10 && !(w->opts && w->opts->no_ignore_files) &&
		    !memcmp(w->names.data + e->off, ".gitignore", 10)) {
			cx_ignore_list *l;
			/* the directory path without its trailing '/' */
			rc = load_ignore_file(fd, ".gitignore", true, (const char *)w->path.data,
					      dir_len ? dir_len - 1 : 0, &l);
			if (!rc && l && (rc = push_list(w, l)))
				cx_ignore_list_free(l);
			if (rc)
				goto out;
			break;
		}
	}

	for (size_t i = ent_start; i < w->n_ents; i++) {
		struct ent e = w->ents[i];
		const char *name = (const char *)w->names.data + e.off;
		if (e.type == T_GONE) {
			w->res->skipped[CODEIDX_SKIP_FAILED]++;
			continue;
		}
		w->path.len = dir_len;
		if ((rc = cx_buf_append(&w->path, name, e.len)))
			goto out;
		int skip = classify(w, (const char *)w->path.data, w->path.len, e.type == T_DIR);
		if (skip >= 0) {
			w->res->skipped[skip]++;
			continue;
		}
		switch (e.type) {
		case T_REG:
			rc = add_file(w, (const char *)w->path.data, w->path.len);
			break;
		case T_LNK:
			w->res->skipped[CODEIDX_SKIP_SYMLINK]++;
			break;
		case T_SPECIAL:
			w->res->skipped[CODEIDX_SKIP_SPECIAL]++;
			break;
		case T_DIR: {
			int cfd = openat(fd, name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
			if (cfd < 0) {
				if (errno == ENOMEM) {
					rc = CODEIDX_ENOMEM;
					break;
				}
				w->res->skipped[CODEIDX_SKIP_FAILED]++;
				break;
			}
			if ((rc = cx_buf_append(&w->path, "/", 1))) {
				close(cfd);
				break;
			}
			rc = walk_dir(w, cfd, false);
			break;
		}
		case T_GONE:
			break;
		}
		if (rc)
			goto out;
	}
out:
	while (w->n_lists > lists_start)
		cx_ignore_list_free(w->lists[--w->n_lists]);
	w->n_ents = ent_start;
	w->names.len = names_start;
	w->path.len = dir_len;
	close(fd);
	return rc;
}

void cx_walk_result_release(cx_walk_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	free(r->files);
	memset(r, 0, sizeof *r);
}

/* Compiles the excludes option into one list anchored at the root. */
static int compile_excludes(const cx_walk_options *opts, cx_ignore_list **out)
{
	*out = NULL;
	if (!opts || !opts->n_excludes)
		return 0;
	if (!opts->excludes)
		return cx_error(CODEIDX_EINVAL, "walk: n_excludes is %zu but excludes is NULL",
				opts->n_excludes);
	cx_buf b = CX_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < opts->n_excludes && !rc; i++) {
		const char *s = opts->excludes[i];
		if (!s)
			continue;
		rc = cx_buf_append(&b, s, strlen(s));
		if (!rc)
			rc = cx_buf_append(&b, "\n", 1);
	}
	if (!rc)
		rc = cx_ignore_list_new(out, (const char *)b.data, b.len, "", 0);
	cx_buf_release(&b);
	return rc ? cx_error(rc, "walk: compiling the exclude patterns") : 0;
}

int cx_walk(int root_fd, const cx_walk_options *opts, cx_walk_result *out)
{
	memset(out, 0, sizeof *out);
	struct walker w = {.opts = opts, .res = out, .next_info = INFO_EVERY};
	cx_ignore_list *info_list = NULL;
	int rc;

	/* A private open file description: readdir must not move the caller's offset. */
	int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cx_error_errno(errno == ENOTDIR ? CODEIDX_EINVAL : CODEIDX_EIO,
				      "walk: cannot open the root directory");
	if ((rc = compile_excludes(opts, &w.excludes))) {
		close(fd);
		return rc;
	}
	char *ipath = opts && opts->no_ignore_files ? NULL : info_exclude_path(fd);
	if (ipath) {
		rc = load_ignore_file(fd, ipath, false, "", 0, &info_list);
		free(ipath);
	}
	if (!rc)
		rc = push_list(&w, info_list); /* lists[0], possibly NULL */
	if (rc) {
		cx_ignore_list_free(info_list);
		close(fd);
		goto done;
	}
	rc = walk_dir(&w, fd, true);
	if (!rc) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "walked %" PRIu64 " entries: %zu files, %" PRIu64 " ignored, %" PRIu64
			 " excluded",
			 w.n_entries, out->n_files, out->skipped[CODEIDX_SKIP_IGNORED],
			 out->skipped[CODEIDX_SKIP_EXCLUDED]);
		rc = info(&w, msg);
	}
done:
	while (w.n_lists)
		cx_ignore_list_free(w.lists[--w.n_lists]);
	free(w.lists);
	cx_ignore_list_free(w.excludes);
	free(w.ents);
	free(w.dbuf);
	cx_buf_release(&w.names);
	cx_buf_release(&w.path);
	if (rc) {
		if (rc == CODEIDX_ENOMEM)
			cx_error(rc, "walk: out of memory");
		cx_walk_result_release(out);
	}
	return rc;
}
