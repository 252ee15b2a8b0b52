/* paths.c - the per-user socket directory and the per-root socket and lock names (FNV-1a of the root). */
#include "daemon/paths.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static char *printf_dup(const char *fmt, const char *a, uint64_t h, const char *ext)
{
	int n = snprintf(NULL, 0, fmt, a, h, ext);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s)
		snprintf(s, (size_t)n + 1, fmt, a, h, ext);
	return s;
}

int dx_paths_get(const char *root, dx_paths *out)
{
	memset(out, 0, sizeof *out);
	if (!root || !*root)
		return dx_error(CODEIDX_EINVAL, "root is empty");
	out->root = realpath(root, NULL);
	if (!out->root)
		return dx_error_errno(errno == ENOMEM ? CODEIDX_ENOMEM : CODEIDX_EINVAL,
				      "cannot resolve root %s", root);
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char base[PATH_MAX];
	int n;
	if (xdg && xdg[0] == '/')
		n = snprintf(base, sizeof base, "%s/codeidx", xdg);
	else
		n = snprintf(base, sizeof base, "/tmp/codeidx-%lu", (unsigned long)geteuid());
	if (n < 0 || (size_t)n >= sizeof base) {
		dx_paths_release(out);
		return dx_error(CODEIDX_ELIMIT, "socket directory path too long");
	}
	uint64_t h = fnv1a64(out->root);
	out->dir = strdup(base);
	out->sock = printf_dup("%s/%016" PRIx64 "%s", base, h, ".sock");
	out->lock = printf_dup("%s/%016" PRIx64 "%s", base, h, ".lock");
	if (!out->dir || !out->sock || !out->lock) {
		dx_paths_release(out);
		return dx_error(CODEIDX_ENOMEM, "out of memory");
	}
	if (strlen(out->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		int rc = dx_error(CODEIDX_ELIMIT,
				  "socket path %s is longer than a Unix socket address allows "
				  "(set XDG_RUNTIME_DIR to a shorter directory)",
				  out->sock);
		dx_paths_release(out);
		return rc;
	}
	return 0;
}

void dx_paths_release(dx_paths *p)
{
	free(p->root);
	free(p->dir);
	free(p->sock);
	free(p->lock);
	memset(p, 0, sizeof *p);
}

int dx_dir_ensure(const char *dir)
{
	if (mkdir(dir, 0700) && errno != EEXIST)
		return dx_error_errno(CODEIDX_EIO, "cannot create socket directory %s", dir);
	struct stat st;
	if (lstat(dir, &st))
		return dx_error_errno(CODEIDX_EIO, "cannot stat socket directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return dx_error(CODEIDX_DAEMON_EPERM,
				"unsafe socket directory %s: not a directory (or a symlink)", dir);
	if (st.st_uid != geteuid())
		return dx_error(CODEIDX_DAEMON_EPERM,
				"unsafe socket directory %s: owned by uid %lu, not %lu", dir,
				(unsigned long)st.st_uid, (unsigned long)geteuid());
	if (st.st_mode & 077)
		return dx_error(CODEIDX_DAEMON_EPERM,
				"unsafe socket directory %s: mode %04o, expected 0700", dir,
				(unsigned)(st.st_mode & 07777));
	return 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_socket_path(const char *root, char **out)
{
	dx_error_clear();
	if (!out)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_socket_path: out is NULL");
	*out = NULL;
	dx_paths p;
	int rc = dx_paths_get(root, &p);
	if (rc)
		return rc;
	*out = p.sock;
	p.sock = NULL;
	dx_paths_release(&p);
	return 0;
}
