/* root_find.c - codeidx_root_find(): the nearest directory at or above a start that holds an index. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/handle.h"
#include "common/error.h"

/* Does the canonical directory path[0..len) hold a CX_INDEX_DIR directory? `path` has
 * room for len + 1 + sizeof CX_INDEX_DIR bytes; it is restored before returning. */
static int has_index(char *path, size_t len)
{
	size_t at = len;
	if (len > 1) /* "/" needs no second slash */
		path[at++] = '/';
	memcpy(path + at, CX_INDEX_DIR, sizeof CX_INDEX_DIR);
	struct stat st;
	int found = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	path[len] = '\0';
	return found;
}

CODEIDX_API int codeidx_root_find(const char *start, char *buf, size_t cap)
{
	cx_error_clear();
	if (!start || !*start || !buf || cap == 0)
		return cx_error(CODEIDX_EINVAL, "codeidx_root_find: empty argument");
	char *dir = realpath(start, NULL);
	if (!dir)
		return cx_error_errno(errno == ENOENT || errno == ENOTDIR ? CODEIDX_EINVAL
									  : CODEIDX_EIO,
				      "cannot resolve %s", start);
	size_t len = strlen(dir);
	char *path = malloc(len + 1 + sizeof CX_INDEX_DIR);
	if (!path) {
		free(dir);
		return CODEIDX_ENOMEM;
	}
	memcpy(path, dir, len + 1);
	int rc = CODEIDX_ENOINDEX;
	for (;;) {
		if (has_index(path, len)) {
			rc = len < cap ? 0 : cx_error(CODEIDX_ELIMIT, "%s does not fit", path);
			if (rc == 0)
				memcpy(buf, path, len + 1);
			break;
		}
		if (len <= 1)
			break;
		while (len > 1 && path[len - 1] != '/') /* drop the last component */
			len--;
		if (len > 1)
			len--; /* and its slash, unless it is the root's */
		path[len] = '\0';
	}
	if (rc == CODEIDX_ENOINDEX)
		cx_error(rc, "no index in %s or any parent directory", dir);
	free(path);
	free(dir);
	return rc;
}
