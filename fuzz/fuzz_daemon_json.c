/* fuzz_daemon_json.c - libFuzzer target: any line the daemon or its client may read is refused cleanly or round-trips exactly. */
/*
 * Input: one line of bytes. It goes through every reader of the wire: progress
 * events, matches, search and update requests. Whatever parses must print back and
 * parse again to the same value (exact doubles included); nothing may crash, leak or
 * read out of bounds.
 *
 * Build (from the top directory, after make), then run with fuzz/corpus/daemon_json:
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ilib \
 *         fuzz/fuzz_daemon_json.c lib/daemon/[a-z]*.c build/libcodeidx.a \
 *         -lcjson -lpcre2-8 -lxxhash -lbsd -pthread -o build/fuzz_daemon_json
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx_daemon.h"
#include "daemon/jsonval.h"
#include "daemon/wire.h"

static void check_progress(const uint8_t *data, size_t size)
{
	codeidx_progress *a, *b;
	if (codeidx_daemon_progress_from_json((const char *)data, size, &a))
		return;
	char *json;
	size_t len;
	if (codeidx_daemon_progress_to_json(a, &json, &len))
		abort();
	if (codeidx_daemon_progress_from_json(json, len, &b))
		abort();
	if (a->phase != b->phase || a->current != b->current || a->n_files != b->n_files ||
	    memcmp(&a->eta_seconds, &b->eta_seconds, sizeof(double)) ||
	    strcmp(a->message, b->message))
		abort();
	for (size_t i = 0; i < a->n_files; i++)
		if (strcmp(a->files[i].path, b->files[i].path) ||
		    memcmp(&a->files[i].seconds, &b->files[i].seconds, sizeof(double)))
			abort();
	codeidx_daemon_free(json);
	codeidx_daemon_progress_free(a);
	codeidx_daemon_progress_free(b);
}

static void check_match(const uint8_t *data, size_t size)
{
	codeidx_match *a, *b;
	if (codeidx_daemon_match_from_json((const char *)data, size, &a))
		return;
	char *json;
	size_t len;
	if (codeidx_daemon_match_to_json(a, &json, &len))
		abort();
	if (codeidx_daemon_match_from_json(json, len, &b))
		abort();
	if (a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len) ||
	    strcmp(a->path, b->path) || a->n_spans != b->n_spans || a->line != b->line)
		abort();
	codeidx_daemon_free(json);
	codeidx_daemon_match_free(a);
	codeidx_daemon_match_free(b);
}

static void check_requests(const uint8_t *data, size_t size)
{
	cJSON *v;
	if (dx_json_parse_line((const char *)data, size, &v))
		return;
	dx_search_req s;
	if (!dx_search_req_decode(v, &s))
		dx_search_req_release(&s);
	dx_update_req u;
	if (!dx_update_req_decode(v, &u))
		dx_update_req_release(&u);
	cJSON_Delete(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_progress(data, size);
	check_match(data, size);
	check_requests(data, size);
	return 0;
}
