/* test_daemon_json.c - exact JSON round trips of progress events (recorded from real updates and built by hand with nasty paths and extreme numbers) and of matches, and the refusal of malformed lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "codeidx_daemon.h"
#include "helpers/tree.h"

/* ---------------------------------------------------------------- checks ---- */

/* A JSON text must be UTF-8: an independent, table-free check. */
static int valid_utf8(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		unsigned cp, len;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f, len = 2;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f, len = 3;
		} else if ((c & 0xf8) == 0xf0) {
			cp = c & 0x07, len = 4;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static int same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Field by field, bit for bit. */
static void assert_same_event(const codeidx_progress *a, const codeidx_progress *b)
{
	assert_int_equal(a->phase, b->phase);
	assert_true(a->current == b->current);
	assert_true(a->total == b->total);
	assert_true(a->bytes_done == b->bytes_done);
	assert_true(a->bytes_total == b->bytes_total);
	assert_true(same_double(a->files_per_second, b->files_per_second));
	assert_true(same_double(a->bytes_per_second, b->bytes_per_second));
	assert_int_equal(a->active_threads, b->active_threads);
	assert_int_equal(a->threads, b->threads);
	assert_true(same_double(a->elapsed_seconds, b->elapsed_seconds));
	assert_true(same_double(a->eta_seconds, b->eta_seconds));
	assert_non_null(b->message);
	assert_string_equal(a->message ? a->message : "", b->message);
	assert_non_null(b->files);
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++) {
		assert_int_equal(a->files[i].slot, b->files[i].slot);
		assert_string_equal(a->files[i].path, b->files[i].path);
		assert_true(a->files[i].size == b->files[i].size);
		assert_int_equal(a->files[i].status, b->files[i].status);
		assert_true(same_double(a->files[i].seconds, b->files[i].seconds));
	}
}

/* to_json, from_json, compare; then to_json again must give the same text. Returns
 * the number of concurrent files with a path that is not plain UTF-8 (for coverage). */
static void round_trip_event(const codeidx_progress *ev)
{
	char *json = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	assert_int_equal(codeidx_daemon_progress_to_json(ev, &json, &len), 0);
	assert_int_equal(strlen(json), len);
	assert_null(memchr(json, '\n', len));
	assert_true(valid_utf8((const unsigned char *)json, len));
	assert_non_null(strstr(json, "\"concurrent_files\":["));
	codeidx_progress *back = NULL;
	int rc = codeidx_daemon_progress_from_json(json, len, &back);
	if (rc)
		fail_msg("parse failed: %s\n%s", codeidx_daemon_error_detail(), json);
	assert_same_event(ev, back);
	assert_int_equal(codeidx_daemon_progress_to_json(back, &again, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(json, again, len);
	codeidx_daemon_progress_free(back);
	codeidx_daemon_free(again);
	/* With a trailing newline, as on the wire. */
	json = realloc(json, len + 2);
	assert_non_null(json);
	memcpy(json + len, "\n", 2);
	assert_int_equal(codeidx_daemon_progress_from_json(json, len + 1, &back), 0);
	assert_same_event(ev, back);
	codeidx_daemon_progress_free(back);
	codeidx_daemon_free(json);
}

/* ------------------------------------------------------------ nasty paths ---- */

static const char *const nasty[] = {
	"plain.c",
	"q\"uote's.txt",
	"back\\slash\\\\x.c",
	"new\nline.txt",
	"ctl\x01\x02\x1f\x7f.c",
	"tab\there\rcr.c",
	"caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.c",  /* café/日本語.c */
	"emoji-\xf0\x9f\x98\x80.c",                            /* 😀 */
	"latin1-caf\xe9.c",                                    /* not UTF-8 */
	"bad-\xff\xfe-bytes.c",                                /* not UTF-8 */
	"overlong-\xc0\xaf.c",                                 /* not UTF-8 */
	"surrogate-\xed\xa0\x80.c",                            /* not UTF-8 */
	"truncated-\xe6\x97.c",                                /* not UTF-8 */
	"json-ish {\"a\":[1,2]}.c",
	"esc-\\u0000-literal.c",
};
#define N_NASTY (sizeof nasty / sizeof *nasty)

static void test_synthetic_events(void **state)
{
	(void)state;
	codeidx_concurrent_file files[N_NASTY];
	for (size_t i = 0; i < N_NASTY; i++)
		files[i] = (codeidx_concurrent_file){.slot = (unsigned)i,
						     .path = nasty[i],
						     .size = (uint64_t)1 << (i * 4 % 64),
						     .status = (codeidx_file_status)(i % 7),
						     .seconds = (double)i / 3.0};
	const double doubles[] = {0.0,	-0.0,	 0.1,	    1.0 / 3.0,	 -1.0, 1e-300,
				  4.9e-324, DBL_MAX, -DBL_MAX, 123456.789, NAN,  INFINITY,
				  -INFINITY, 2.5e15};
	const uint64_t ints[] = {0,
				 1,
				 2147483647,
				 4294967296ull,
				 (1ull << 53) - 1,
				 1ull << 53,
				 (1ull << 53) + 1,
				 UINT64_MAX - 1,
				 UINT64_MAX};
	size_t nd = sizeof doubles / sizeof *doubles, ni = sizeof ints / sizeof *ints;
	for (size_t k = 0; k < nd * 2; k++) {
		codeidx_progress ev = {
			.phase = (codeidx_phase)(k % 5),
			.current = ints[k % ni],
			.total = ints[(k + 1) % ni],
			.bytes_done = ints[(k + 2) % ni],
			.bytes_total = ints[(k + 3) % ni],
			.files_per_second = doubles[k % nd],
			.bytes_per_second = doubles[(k + 1) % nd],
			.active_threads = (unsigned)(k % 3 ? k : UINT32_MAX),
			.threads = (unsigned)k,
			.elapsed_seconds = doubles[(k + 2) % nd],
			.eta_seconds = doubles[(k + 3) % nd],
			.message = nasty[k % N_NASTY],
			.files = files,
			.n_files = k % 2 ? N_NASTY : k % N_NASTY,
		};
		if (k % 4 == 0)
			files[0].seconds = doubles[k % nd];
		round_trip_event(&ev);
	}
	/* n_files == 0: still an array, and `files` comes back non-NULL. */
	static const codeidx_concurrent_file none[1];
	codeidx_progress empty = {.message = "", .files = none, .eta_seconds = -1};
	round_trip_event(&empty);
	char *json;
	assert_int_equal(codeidx_daemon_progress_to_json(&empty, &json, NULL), 0);
	assert_non_null(strstr(json, "\"concurrent_files\":[]"));
	codeidx_daemon_free(json);
	/* A NULL message is sent as "". */
	codeidx_progress nomsg = {.files = none};
	assert_int_equal(codeidx_daemon_progress_to_json(&nomsg, &json, NULL), 0);
	codeidx_progress *back;
	assert_int_equal(codeidx_daemon_progress_from_json(json, strlen(json), &back), 0);
	assert_string_equal(back->message, "");
	codeidx_daemon_progress_free(back);
	codeidx_daemon_free(json);
}

static void test_thousand_files(void **state)
{
	(void)state;
	enum { N = 1000 };
	codeidx_concurrent_file *files = calloc(N, sizeof *files);
	char (*paths)[64] = calloc(N, sizeof *paths);
	assert_true(files && paths);
	for (unsigned i = 0; i < N; i++) {
		snprintf(paths[i], sizeof paths[i], "drivers/net/eth%u/\xff%s-%u.c", i % 37,
			 i % 2 ? "q\"" : "\xc3\xa9", i);
		files[i] = (codeidx_concurrent_file){
			.slot = i, .path = paths[i], .size = i * 4099ull, .status = CODEIDX_FILE_READING,
			.seconds = i * 1e-4};
	}
	codeidx_progress ev = {.phase = CODEIDX_PHASE_INDEX, .current = 500, .total = 80000,
			       .threads = N, .active_threads = N, .message = "",
			       .files = files, .n_files = N, .eta_seconds = 12.5};
	round_trip_event(&ev);
	free(files);
	free(paths);
}

/* ----------------------------------------------------- events of real runs ---- */

typedef struct run_rec {
	size_t events, with_files, nasty_seen, finals;
} run_rec;

static int on_event(const codeidx_progress *ev, void *user)
{
	run_rec *r = user;
	r->events++;
	r->with_files += ev->n_files > 0;
	for (size_t i = 0; i < ev->n_files; i++)
		for (size_t k = 1; k < N_NASTY; k++)
			r->nasty_seen += strstr(ev->files[i].path, nasty[k]) != NULL;
	r->finals += ev->phase == CODEIDX_PHASE_DONE;
	round_trip_event(ev);
	return 0;
}

static void test_real_update_events(void **state)
{
	(void)state;
	char *root = tree_new();
	assert_non_null(root);
	char rel[256];
	/* Many files so that workers overlap, the nasty names among them. */
	for (unsigned i = 0; i < 400; i++) {
		snprintf(rel, sizeof rel, "d%u/f%03u.c", i % 9, i);
		assert_int_equal(tree_write_text(root, rel, 2000 + i * 97 % 40000, i + 7), 0);
	}
	for (size_t k = 0; k < N_NASTY; k++) {
		/* Large enough to be seen mid-read by the snapshot. */
		snprintf(rel, sizeof rel, "nasty/%s", nasty[k]);
		assert_int_equal(tree_write_text(root, rel, 300000, k + 1), 0);
	}
	codeidx *idx = NULL;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	run_rec r = {0};
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = 4;
	o.progress_interval_ms = 0; /* one event per finished file */
	o.progress = on_event;
	o.progress_user = &r;
	assert_int_equal(codeidx_update(idx, &o, NULL), 0);
	/* Again with the default throttle, as a full rebuild. */
	o.flags = CODEIDX_UPDATE_FULL;
	o.progress_interval_ms = 100;
	assert_int_equal(codeidx_update(idx, &o, NULL), 0);
	codeidx_close(idx);
	tree_remove(root);
	print_message("real runs: %zu events, %zu with concurrent files, %zu nasty paths seen "
		      "mid-flight\n",
		      r.events, r.with_files, r.nasty_seen);
	assert_true(r.events > 400);
	assert_true(r.with_files > 0);
	assert_int_equal(r.finals, 2);
}

/* ----------------------------------------------------------------- matches ---- */

static void assert_same_match(const codeidx_match *a, const codeidx_match *b)
{
	assert_string_equal(a->path, b->path);
	assert_true(a->line == b->line);
	assert_true(a->column == b->column);
	assert_int_equal(a->text_len, b->text_len);
	assert_memory_equal(a->text ? a->text : "", b->text, a->text_len);
	assert_int_equal(b->text[b->text_len], '\0');
	assert_int_equal(a->n_spans, b->n_spans);
	for (size_t i = 0; i < a->n_spans; i++) {
		assert_int_equal(a->spans[i].start, b->spans[i].start);
		assert_int_equal(a->spans[i].end, b->spans[i].end);
	}
	assert_int_equal(!!a->is_context, b->is_context);
	assert_int_equal(!!a->file_start, b->file_start);
}

static void round_trip_match(const codeidx_match *m)
{
	char *json;
	size_t len;
	assert_int_equal(codeidx_daemon_match_to_json(m, &json, &len), 0);
	assert_null(memchr(json, '\n', len));
	assert_true(valid_utf8((const unsigned char *)json, len));
	codeidx_match *back;
	if (codeidx_daemon_match_from_json(json, len, &back))
		fail_msg("parse failed: %s\n%s", codeidx_daemon_error_detail(), json);
	assert_same_match(m, back);
	codeidx_daemon_match_free(back);
	codeidx_daemon_free(json);
}

static void test_match_round_trip(void **state)
{
	(void)state;
	/* Every byte value, alone and in runs (base64 padding lengths 0, 1 and 2). */
	unsigned char all[256];
	for (unsigned i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	codeidx_span span = {0, 1};
	for (size_t n = 0; n <= 256; n++) {
		for (size_t off = 0; off + n <= 256; off += n ? 61 : 256) {
			codeidx_match m = {.path = nasty[(n + off) % N_NASTY], .line = n + 1,
					   .column = n ? 1 : 0, .text = (const char *)all + off,
					   .text_len = n, .spans = &span, .n_spans = n ? 1 : 0,
					   .file_start = (int)(n % 2), .is_context = n == 0};
			round_trip_match(&m);
		}
	}
	for (size_t k = 0; k < N_NASTY; k++) {
		codeidx_span spans[2] = {{0, 3}, {4, strlen(nasty[k])}};
		codeidx_match m = {.path = nasty[k], .line = UINT64_MAX, .column = 1ull << 53,
				   .text = nasty[k], .text_len = strlen(nasty[k]),
				   .spans = spans, .n_spans = 2};
		round_trip_match(&m);
	}
	/* A NUL-holding line is sent in the bytes form. */
	codeidx_match z = {.path = "a", .line = 1, .text = "a\0b", .text_len = 3};
	char *json;
	assert_int_equal(codeidx_daemon_match_to_json(&z, &json, NULL), 0);
	assert_non_null(strstr(json, "{\"bytes\":\"YQBi\"}"));
	codeidx_daemon_free(json);
}

typedef struct search_rec {
	size_t n;
} search_rec;

static int on_match(const codeidx_match *m, void *user)
{
	((search_rec *)user)->n++;
	round_trip_match(m);
	return 0;
}

static void test_real_search_matches(void **state)
{
	(void)state;
	char *root = tree_new();
	assert_non_null(root);
	for (size_t k = 0; k < N_NASTY; k++) {
		char body[512];
		int n = snprintf(body, sizeof body,
				 "needle in %s\nctx\tline\r\nnee\xff\xfe" "dle bytes\nneedle\x01\x1b[0m\n",
				 nasty[k]);
		assert_true(n > 0);
		assert_int_equal(tree_write(root, nasty[k], body, (size_t)n), 0);
	}
	codeidx *idx = NULL;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	assert_int_equal(codeidx_open(&idx, root, &oo), 0);
	assert_int_equal(codeidx_update(idx, NULL, NULL), 0);
	codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
	so.before = so.after = 1;
	search_rec r = {0};
	assert_int_equal(codeidx_search(idx, "nee.?.?dle", 10, &so, on_match, &r, NULL), 0);
	codeidx_close(idx);
	tree_remove(root);
	assert_true(r.n >= N_NASTY * 3);
}

/* --------------------------------------------------------------- malformed ---- */

static const char good[] =
	"{\"progress\":{\"phase\":\"hash\",\"current\":1,\"total\":2,\"bytes_done\":3,"
	"\"bytes_total\":4,\"files_per_second\":0.5,\"bytes_per_second\":1,"
	"\"active_threads\":1,\"threads\":2,\"elapsed_seconds\":0.25,\"eta_seconds\":-1,"
	"\"message\":\"m\",\"concurrent_files\":[{\"slot\":0,\"path\":\"a.c\",\"size\":9,"
	"\"status\":\"hashing\",\"seconds\":0.125}]}}";

/* `good` with the first occurrence of `from` replaced by `to`. */
static char *mutate(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	assert_non_null(at);
	size_t a = (size_t)(at - good), n = strlen(good) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, good, a);
	strcpy(s + a, to);
	strcat(s, at + strlen(from));
	return s;
}

static void expect_refused(const char *line, size_t len, const char *detail_has)
{
	codeidx_progress *ev = (codeidx_progress *)1;
	int rc = codeidx_daemon_progress_from_json(line, len, &ev);
	if (rc != CODEIDX_DAEMON_EPROTOCOL)
		fail_msg("accepted or wrong code %d for: %.*s", rc, (int)len, line);
	assert_null(ev);
	const char *d = codeidx_daemon_error_detail();
	if (detail_has && !strstr(d, detail_has))
		fail_msg("detail \"%s\" lacks \"%s\"", d, detail_has);
}

static void test_malformed(void **state)
{
	(void)state;
	codeidx_progress *ev;
	assert_int_equal(codeidx_daemon_progress_from_json(good, strlen(good), &ev), 0);
	assert_int_equal(ev->n_files, 1);
	codeidx_daemon_progress_free(ev);

	static const char *const lines[] = {"", "{", "[]", "null", "42", "{\"progress\":1}",
					    "{\"other\":{}}", "{\"progress\":{}}"};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		expect_refused(lines[i], strlen(lines[i]), NULL);

	/* Garbage after the value, two values, an escaped NUL. */
	char *s = malloc(strlen(good) + 8);
	assert_non_null(s);
	strcpy(s, good);
	strcat(s, " x");
	expect_refused(s, strlen(s), "trailing");
	strcpy(s, good);
	strcat(s, "{}");
	expect_refused(s, strlen(s), "trailing");
	free(s);

	struct {
		const char *from, *to, *detail;
	} muts[] = {
		{"\"current\":1", "\"current\":\"abc\"", "current"},
		{"\"current\":1", "\"current\":-1", "current"},
		{"\"current\":1", "\"current\":1.5", "current"},
		{"\"current\":1", "\"current\":1e300", "current"},
		{"\"current\":1", "\"current\":\"18446744073709551616\"", "current"},
		{"\"current\":1,", "", "current"},
		{"\"phase\":\"hash\"", "\"phase\":\"hashing\"", "phase"},
		{"\"phase\":\"hash\"", "\"phase\":1", "phase"},
		{"\"threads\":2", "\"threads\":4294967296", "threads"},
		{"\"threads\":2", "\"threads\":true", "threads"},
		{"\"eta_seconds\":-1", "\"eta_seconds\":\"soon\"", "eta_seconds"},
		{"\"message\":\"m\"", "\"message\":7", "message"},
		{"\"message\":\"m\"", "\"message\":{\"bytes\":\"***\"}", "message"},
		{"\"message\":\"m\"", "\"message\":{\"bytes\":\"YQ=\"}", "message"},
		{"\"message\":\"m\"", "\"message\":\"a\\u0000b\"", "u0000"},
		{"\"concurrent_files\":[", "\"concurrent_files\":{\"x\":[", NULL},
		{"\"concurrent_files\":[{", "\"concurrent_files\":[7,{", "concurrent_files[0]"},
		{"\"path\":\"a.c\"", "\"path\":[\"a.c\"]", "path"},
		{"\"path\":\"a.c\"", "\"path\":{\"bytes\":\"YQBi\"}", "NUL"},
		{"\"status\":\"hashing\"", "\"status\":\"sleeping\"", "status"},
		{"\"seconds\":0.125", "\"seconds\":null", "seconds"},
		{"\"slot\":0", "\"slot\":-3", "slot"},
	};
	for (size_t i = 0; i < sizeof muts / sizeof *muts; i++) {
		char *m = mutate(muts[i].from, muts[i].to);
		expect_refused(m, strlen(m), muts[i].detail);
		free(m);
	}
	/* Large counters as decimal strings, NaN spelled as a string: accepted. */
	char *big = mutate("\"current\":1", "\"current\":\"18446744073709551615\"");
	assert_int_equal(codeidx_daemon_progress_from_json(big, strlen(big), &ev), 0);
	assert_true(ev->current == UINT64_MAX);
	codeidx_daemon_progress_free(ev);
	free(big);
	char *nan_s = mutate("\"eta_seconds\":-1", "\"eta_seconds\":\"NaN\"");
	assert_int_equal(codeidx_daemon_progress_from_json(nan_s, strlen(nan_s), &ev), 0);
	assert_true(isnan(ev->eta_seconds));
	codeidx_daemon_progress_free(ev);
	free(nan_s);

	/* Bad arguments to the encoders. */
	codeidx_progress bad = {.n_files = 2, .files = NULL};
	char *json = (char *)1;
	assert_int_equal(codeidx_daemon_progress_to_json(&bad, &json, NULL), CODEIDX_EINVAL);
	assert_null(json);
	bad = (codeidx_progress){.phase = (codeidx_phase)9};
	static const codeidx_concurrent_file none[1];
	bad.files = none;
	assert_int_equal(codeidx_daemon_progress_to_json(&bad, &json, NULL), CODEIDX_EINVAL);

	/* Match lines. */
	codeidx_match *m;
	const char *mbad[] = {
		"{\"match\":{\"path\":\"a\",\"line\":1,\"column\":1,\"text\":\"abc\","
		"\"spans\":[[2,9]],\"context\":false,\"file_start\":true}}",
		"{\"match\":{\"path\":\"a\",\"line\":1,\"column\":1,\"text\":\"abc\","
		"\"spans\":[[2]],\"context\":false,\"file_start\":true}}",
		"{\"match\":{\"path\":\"a\",\"line\":1,\"column\":1,\"text\":\"abc\","
		"\"spans\":[],\"context\":0,\"file_start\":true}}",
		"{\"match\":{\"path\":\"a\",\"line\":1,\"column\":1,"
		"\"spans\":[],\"context\":false,\"file_start\":true}}",
	};
	for (size_t i = 0; i < sizeof mbad / sizeof *mbad; i++)
		assert_int_equal(codeidx_daemon_match_from_json(mbad[i], strlen(mbad[i]), &m),
				 CODEIDX_DAEMON_EPROTOCOL);
}

static void test_strerror_and_socket_path(void **state)
{
	(void)state;
	assert_string_equal(codeidx_daemon_strerror(CODEIDX_DAEMON_ERUNNING),
			    "a daemon already serves this root");
	assert_string_equal(codeidx_daemon_strerror(CODEIDX_ECANCELLED),
			    codeidx_strerror(CODEIDX_ECANCELLED));
	char *root = tree_new();
	assert_non_null(root);
	char *a, *b;
	assert_int_equal(codeidx_daemon_socket_path(root, &a), 0);
	/* Another spelling of the same directory gives the same socket. */
	char *alias = tree_path(root, "./.");
	assert_int_equal(codeidx_daemon_socket_path(alias, &b), 0);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, ".sock"));
	codeidx_daemon_free(a);
	codeidx_daemon_free(b);
	free(alias);
	char *missing = tree_path(root, "missing");
	assert_int_equal(codeidx_daemon_socket_path(missing, &a), CODEIDX_EINVAL);
	free(missing);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_events),
		cmocka_unit_test(test_thousand_files),
		cmocka_unit_test(test_real_update_events),
		cmocka_unit_test(test_match_round_trip),
		cmocka_unit_test(test_real_search_matches),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_strerror_and_socket_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
