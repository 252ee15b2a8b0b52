/* tree.c - real temporary trees on disk for tests (see tree.h). */
#include "helpers/tree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *tree_new(void)
{
	const char *base = getenv("CODEIDX_TEST_TMP");
	if (!base || !*base)
		base = "/tmp";
	char *p = tree_path(base, "codeidx-test-XXXXXX");
	if (p && !mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

char *tree_path(const char *root, const char *rel)
{
	size_t a = strlen(root), b = strlen(rel);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, root, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

/* Creates every directory above the last '/' of `path`. */
static int make_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc && errno != EEXIST)
			return -1;
	}
	return 0;
}

int tree_write(const char *root, const char *rel, const void *data, size_t len)
{
	char *p = tree_path(root, rel);
	if (!p || make_parents(p)) {
		free(p);
		return -1;
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(p);
	if (fd < 0)
		return -1;
	const char *c = data;
	static int64_t clock; /* the test clock of tree.h */
	if (!clock)
		clock = (int64_t)time(NULL) - 86400;
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = clock++}};
	while (len) {
		ssize_t w = write(fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		c += w;
		len -= (size_t)w;
	}
	if (futimens(fd, ts)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int tree_write_str(const char *root, const char *rel, const char *s)
{
	return tree_write(root, rel, s, strlen(s));
}

void tree_fill_text(char *buf, size_t n, uint64_t seed)
{
	static const char *const words[] = {"int",    "return", "static", "struct", "for",
					    "while",  "if",     "else",   "const",  "void",
					    "size_t", "char",   "buf",    "len",    "node",
					    "next",   "count",  "index",  "error",  "value"};
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	size_t i = 0, col = 0;
	while (i < n) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (col > 60) {
			buf[i++] = '\n';
			col = 0;
			continue;
		}
		char tok[24];
		size_t k;
		if (x & 1) { /* a word */
			const char *w = words[(x >> 8) % 20];
			k = strlen(w);
			memcpy(tok, w, k);
		} else { /* a random identifier: many distinct trigrams */
			k = 3 + (x >> 8) % 8;
			for (size_t j = 0; j < k; j++)
				tok[j] = (char)('a' + (x >> (12 + 5 * j % 45)) % 26);
		}
		tok[k++] = ' ';
		for (size_t j = 0; j < k && i < n; j++, col++)
			buf[i++] = tok[j];
	}
}

int tree_write_text(const char *root, const char *rel, size_t n, uint64_t seed)
{
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return -1;
	tree_fill_text(buf, n, seed);
	int rc = tree_write(root, rel, buf, n);
	free(buf);
	return rc;
}

int tree_set_mtime(const char *root, const char *rel, int64_t sec, long nsec)
{
	char *p = tree_path(root, rel);
	if (!p)
		return -1;
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = sec, .tv_nsec = nsec}};
	int rc = utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
	free(p);
	return rc;
}

int tree_shift_mtime(const char *root, const char *rel, int64_t delta)
{
	char *p = tree_path(root, rel);
	struct stat st;
	int rc = p ? lstat(p, &st) : -1;
	free(p);
	if (rc)
		return -1;
	return tree_set_mtime(root, rel, st.st_mtim.tv_sec + delta, st.st_mtim.tv_nsec);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void tree_remove(char *root)
{
	if (!root)
		return;
	nftw(root, rm_one, 32, FTW_DEPTH | FTW_PHYS);
	free(root);
}
