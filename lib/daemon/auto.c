/* auto.c - codeidx_daemon_auto_*: one root reached through its daemon when one serves it, in-process otherwise. */
#include <stdlib.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"

/* Exactly one of the two is set: the connection, or the handle opened in-process. */
struct codeidx_daemon_auto {
	codeidx_daemon_client *client;
	codeidx *idx;
};

CODEIDX_DAEMON_API int codeidx_daemon_auto_open(codeidx_daemon_auto **out, const char *root,
						unsigned int flags)
{
	dx_error_clear();
	if (!out || !root || !*root)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_auto_open: %s",
				out ? "root is empty" : "out is NULL");
	*out = NULL;
	codeidx_daemon_auto *a = calloc(1, sizeof *a);
	if (!a)
		return dx_error(CODEIDX_ENOMEM, "codeidx_daemon_auto_open");
	int rc = CODEIDX_DAEMON_ENOTRUNNING;
	if (!(flags & CODEIDX_DAEMON_AUTO_NO_DAEMON))
		rc = codeidx_daemon_connect(&a->client, root, NULL);
	if (rc == CODEIDX_DAEMON_ENOTRUNNING) {
		codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
		oo.flags = flags & CODEIDX_DAEMON_AUTO_CREATE ? CODEIDX_OPEN_CREATE : 0;
		dx_error_clear();
		rc = codeidx_open(&a->idx, root, &oo);
		if (rc)
			dx_error_core(rc, "open");
	}
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

CODEIDX_DAEMON_API void codeidx_daemon_auto_close(codeidx_daemon_auto *a)
{
	if (!a)
		return;
	codeidx_daemon_disconnect(a->client);
	codeidx_close(a->idx);
	free(a);
}

CODEIDX_DAEMON_API int codeidx_daemon_auto_via_daemon(const codeidx_daemon_auto *a)
{
	return a && a->client;
}

CODEIDX_DAEMON_API const char *codeidx_daemon_auto_root(const codeidx_daemon_auto *a)
{
	return a->client ? codeidx_daemon_client_root(a->client) : codeidx_root(a->idx);
}

CODEIDX_DAEMON_API int codeidx_daemon_auto_search(codeidx_daemon_auto *a, const char *pattern,
						  size_t pattern_len,
						  const codeidx_search_options *opts,
						  codeidx_match_fn fn, void *user,
						  codeidx_search_result *result)
{
	dx_error_clear();
	if (!a)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_auto_search: a is NULL");
	if (a->client)
		return codeidx_daemon_search(a->client, pattern, pattern_len, opts, fn, user,
					     result);
	int rc = codeidx_search(a->idx, pattern, pattern_len, opts, fn, user, result);
	return rc ? dx_error_core(rc, "search") : 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_auto_update(codeidx_daemon_auto *a,
						  const codeidx_update_options *opts,
						  codeidx_update_result *result)
{
	dx_error_clear();
	if (!a)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_auto_update: a is NULL");
	if (a->client)
		return codeidx_daemon_update(a->client, opts, result);
	int rc = codeidx_update(a->idx, opts, result);
	return rc ? dx_error_core(rc, "update") : 0;
}

CODEIDX_DAEMON_API int codeidx_daemon_auto_stats(codeidx_daemon_auto *a, codeidx_stats *stats)
{
	dx_error_clear();
	if (!a || !stats || stats->version != CODEIDX_STATS_VERSION)
		return dx_error(CODEIDX_EINVAL, "codeidx_daemon_auto_stats: bad arguments");
	if (!a->client) {
		int rc = codeidx_stats_get(a->idx, stats);
		return rc ? dx_error_core(rc, "stats") : 0;
	}
	codeidx_daemon_status st = CODEIDX_DAEMON_STATUS_INIT;
	int rc = codeidx_daemon_status_get(a->client, &st);
	if (rc == 0)
		*stats = st.stats;
	return rc;
}
