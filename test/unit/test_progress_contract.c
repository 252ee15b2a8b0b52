/* test_progress_contract.c - proves each clause of the progress contract (DESIGN.md) on events recorded from real codeidx_update runs over real trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codeidx.h"
#include "helpers/tree.h"

/* ------------------------------------------------------------ recording ---- */

/* A deep copy of one concurrent_file entry. */
typedef struct rfile {
	unsigned slot;
	char *path;
	uint64_t size;
	int status;
	double seconds;
} rfile;

/* A deep copy of one event, made inside the callback. */
typedef struct revent {
	codeidx_phase phase;
	uint64_t current, total, bytes_done, bytes_total;
	unsigned active_threads, threads;
	double elapsed;
	int files_null, message_null;
	char *message;
	rfile *files;
	size_t n_files;
} revent;

typedef struct recorder recorder;
/* Decides, from the event just recorded (r->ev[r->n - 1]), whether to cancel. */
typedef int (*stop_fn)(recorder *r, const revent *e);

struct recorder {
	revent *ev;
	size_t n, cap;
	pthread_t caller;
	atomic_int inside; /* set while a callback runs: a second entry is an overlap */
	int overlaps;
	int foreign_thread;
	unsigned sleep_every; /* sleep in every k-th call (0 = never) */
	unsigned sleep_us;
	int sleep_phase; /* sleep only in events of this phase (-1 = any) */
	stop_fn stop;
	long stopped_at; /* index of the event that asked to cancel, or -1 */
	/* Called once inside the callback on some event (test-specific action). */
	void (*action)(recorder *r, const revent *e);
	void *ctx;
};

static void rec_init(recorder *r)
{
	memset(r, 0, sizeof *r);
	r->caller = pthread_self();
	atomic_init(&r->inside, 0);
	r->stopped_at = -1;
	r->sleep_phase = -1;
}

static void rec_release(recorder *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->ev[i].n_files; k++)
			free(r->ev[i].files[k].path);
		free(r->ev[i].files);
		free(r->ev[i].message);
	}
	free(r->ev);
	r->ev = NULL;
	r->n = r->cap = 0;
}

/* Forget the events but keep the settings. */
static void rec_reset(recorder *r)
{
	rec_release(r);
	r->overlaps = r->foreign_thread = 0;
	r->stopped_at = -1;
}

static int record(const codeidx_progress *p, void *user)
{
	recorder *r = user;
	if (atomic_exchange(&r->inside, 1))
		r->overlaps++;
	if (!pthread_equal(pthread_self(), r->caller))
		r->foreign_thread++;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
		assert_non_null(r->ev);
	}
	revent *e = &r->ev[r->n++];
	memset(e, 0, sizeof *e);
	e->phase = p->phase;
	e->current = p->current;
	e->total = p->total;
	e->bytes_done = p->bytes_done;
	e->bytes_total = p->bytes_total;
	e->active_threads = p->active_threads;
	e->threads = p->threads;
	e->elapsed = p->elapsed_seconds;
	e->files_null = p->files == NULL;
	e->message_null = p->message == NULL;
	e->message = strdup(p->message ? p->message : "");
	e->n_files = p->n_files;
	if (p->files && p->n_files) {
		e->files = calloc(p->n_files, sizeof *e->files);
		assert_non_null(e->files);
		for (size_t k = 0; k < p->n_files; k++) {
			const codeidx_concurrent_file *f = &p->files[k];
			e->files[k] = (rfile){.slot = f->slot,
					      .path = strdup(f->path ? f->path : "(null)"),
					      .size = f->size,
					      .status = (int)f->status,
					      .seconds = f->seconds};
		}
	}
	if (r->sleep_every && r->n % r->sleep_every == 0 &&
	    (r->sleep_phase < 0 || r->sleep_phase == (int)p->phase))
		usleep(r->sleep_us);
	if (r->action)
		r->action(r, e);
	int stop = r->stop ? r->stop(r, e) : 0;
	if (stop && r->stopped_at < 0)
		r->stopped_at = (long)r->n - 1;
	atomic_store(&r->inside, 0);
	return stop;
}

/* ------------------------------------------------------------------ trees ---- */

typedef struct fixture {
	char *root;
	char **paths; /* sorted (strcmp), every file written */
	size_t n;
	char **large; /* the large ones, a subset of paths */
	size_t n_large;
} fixture;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A tree of n_small text files (1..6 KiB, in nested directories) and n_large text
 * files of large_size bytes. */
static void fixture_make(fixture *f, size_t n_small, size_t n_large, size_t large_size)
{
	memset(f, 0, sizeof *f);
	f->root = tree_new();
	assert_non_null(f->root);
	f->paths = calloc(n_small + n_large + 1, sizeof *f->paths);
	f->large = calloc(n_large + 1, sizeof *f->large);
	assert_true(f->paths && f->large);
	char name[128];
	for (size_t i = 0; i < n_small; i++) {
		snprintf(name, sizeof name, "src/m%02zu/sub%zu/file%04zu.c", i % 12, i % 3, i);
		assert_int_equal(tree_write_text(f->root, name, 1024 + (i * 337) % 5120, i + 1), 0);
		f->paths[f->n++] = strdup(name);
	}
	for (size_t i = 0; i < n_large; i++) {
		snprintf(name, sizeof name, "big/blob%03zu.txt", i);
		assert_int_equal(tree_write_text(f->root, name, large_size, 1000 + i), 0);
		f->paths[f->n++] = strdup(name);
		f->large[f->n_large++] = f->paths[f->n - 1];
	}
	qsort(f->paths, f->n, sizeof *f->paths, cmp_str);
}

/* Adds n more large files to the tree. */
static void grow_large(fixture *f, size_t n, size_t size)
{
	f->paths = realloc(f->paths, (f->n + n + 1) * sizeof *f->paths);
	f->large = realloc(f->large, (f->n_large + n + 1) * sizeof *f->large);
	assert_true(f->paths && f->large);
	char name[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "big/more%03zu.txt", f->n_large);
		assert_int_equal(tree_write_text(f->root, name, size, 3000 + f->n_large), 0);
		f->paths[f->n++] = strdup(name);
		f->large[f->n_large++] = f->paths[f->n - 1];
	}
	qsort(f->paths, f->n, sizeof *f->paths, cmp_str);
}

static void fixture_free(fixture *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	free(f->large);
	tree_remove(f->root);
	memset(f, 0, sizeof *f);
}

static int in_set(char *const *set, size_t n, const char *p, int sorted)
{
	if (sorted)
		return bsearch(&p, set, n, sizeof *set, cmp_str) != NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i], p))
			return 1;
	return 0;
}

/* --------------------------------------------------------------- running ---- */

static int run_update(const char *root, unsigned threads, unsigned interval_ms,
		      recorder *r, unsigned flags, codeidx_update_result *res)
{
	codeidx *idx = NULL;
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	int rc = codeidx_open(&idx, root, &oo);
	assert_int_equal(rc, 0);
	codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
	o.threads = threads;
	o.flags = flags;
	o.progress_interval_ms = interval_ms;
	if (r) {
		r->caller = pthread_self();
		o.progress = record;
		o.progress_user = r;
	}
	codeidx_update_result local = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(idx, &o, res ? res : &local);
	codeidx_close(idx);
	return rc;
}

static codeidx_stats stats_of(const char *root)
{
	codeidx *idx = NULL;
	assert_int_equal(codeidx_open(&idx, root, NULL), 0);
	codeidx_stats s = CODEIDX_STATS_INIT;
	assert_int_equal(codeidx_stats_get(idx, &s), 0);
	codeidx_close(idx);
	return s;
}

/* The names of the seg-*.cdx files of root/.codeidx, sorted, joined by ' '. */
static char *seg_files(const char *root)
{
	char *dir = tree_path(root, ".codeidx");
	DIR *d = opendir(dir);
	free(dir);
	char *names[256];
	size_t n = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < 256)
			if (!strncmp(e->d_name, "seg-", 4))
				names[n++] = strdup(e->d_name);
		closedir(d);
	}
	qsort(names, n, sizeof *names, cmp_str);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	char *out = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(out, names[i]);
		strcat(out, " ");
		free(names[i]);
	}
	return out;
}

/* The bytes of root/.codeidx/manifest (NULL if absent); *len gets the size. */
static char *manifest_bytes(const char *root, size_t *len)
{
	char *p = tree_path(root, ".codeidx/manifest");
	FILE *fp = fopen(p, "rb");
	free(p);
	*len = 0;
	if (!fp)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

/* ---------------------------------------------------------------- checks ---- */

static int status_in(int s, int a, int b)
{
	return s == a || s == b;
}

/* Every clause that holds for every event of every run. `allowed` (may be NULL)
 * restricts the files INDEX events may show. */
static void check_events(const recorder *r, const fixture *f, unsigned threads,
			 char *const *index_allowed, size_t n_index_allowed)
{
	assert_true(r->n > 0);
	assert_int_equal(r->overlaps, 0);
	assert_int_equal(r->foreign_thread, 0);
	int phase = -1;
	uint64_t cur = 0;
	for (size_t i = 0; i < r->n; i++) {
		const revent *e = &r->ev[i];
		assert_false(e->files_null);
		assert_false(e->message_null);
		assert_int_equal(e->n_files, e->active_threads);
		assert_int_equal(e->threads, threads);
		assert_true(e->n_files <= threads);
		assert_true(e->elapsed >= 0);
		/* Phases come in order; `current` never decreases within one. */
		assert_true((int)e->phase >= phase);
		assert_true(e->phase <= CODEIDX_PHASE_DONE);
		if ((int)e->phase != phase)
			cur = 0;
		phase = (int)e->phase;
		assert_true(e->current >= cur);
		cur = e->current;
		if (e->total)
			assert_true(e->current <= e->total);
		else
			assert_int_equal(e->n_files, 0); /* info message */
		unsigned long long slots = 0;
		for (size_t k = 0; k < e->n_files; k++) {
			const rfile *fl = &e->files[k];
			assert_true(fl->slot < threads);
			assert_false(slots & (1ull << fl->slot)); /* no slot twice */
			slots |= 1ull << fl->slot;
			if (!in_set(f->paths, f->n, fl->path, 1))
				fail_msg("event %zu lists '%s', not a file of the tree", i, fl->path);
			assert_true(fl->status >= CODEIDX_FILE_QUEUED &&
				    fl->status <= CODEIDX_FILE_FAILED);
			assert_true(isfinite(fl->seconds));
			if (!(fl->seconds >= 0))
				fail_msg("event %zu: '%s' has seconds = %g < 0", i, fl->path,
					 fl->seconds);
			if (e->phase == CODEIDX_PHASE_HASH)
				assert_true(status_in(fl->status, CODEIDX_FILE_STATING,
						      CODEIDX_FILE_HASHING));
			if (e->phase == CODEIDX_PHASE_INDEX) {
				assert_true(status_in(fl->status, CODEIDX_FILE_READING,
						      CODEIDX_FILE_INDEXING));
				if (index_allowed &&
				    !in_set(index_allowed, n_index_allowed, fl->path, 0))
					fail_msg("INDEX event %zu shows '%s', not re-indexed in "
						 "this run",
						 i, fl->path);
			}
			assert_true(e->phase == CODEIDX_PHASE_HASH ||
				    e->phase == CODEIDX_PHASE_INDEX);
		}
	}
}

/* The end of a successful run: one DONE event, the last, complete and idle. */
static void check_success(const recorder *r)
{
	const revent *last = &r->ev[r->n - 1];
	assert_int_equal(last->phase, CODEIDX_PHASE_DONE);
	assert_true(last->current == last->total);
	assert_int_equal(last->n_files, 0);
	assert_string_not_equal(last->message, "cancelled");
	for (size_t i = 0; i + 1 < r->n; i++)
		assert_int_not_equal(r->ev[i].phase, CODEIDX_PHASE_DONE);
}

static size_t count_phase(const recorder *r, codeidx_phase ph, int with_files)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].phase == ph && r->ev[i].total > 0 &&
		    (!with_files || r->ev[i].n_files > 0))
			n++;
	return n;
}

static size_t count_status(const recorder *r, codeidx_phase ph, int status)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; r->ev[i].phase == ph && k < r->ev[i].n_files; k++)
			n += r->ev[i].files[k].status == status;
	return n;
}

/* In per-file mode a phase of `total` files shows currents 0..total exactly once. */
static void check_one_event_per_file(const recorder *r, codeidx_phase ph, uint64_t total)
{
	unsigned char *seen = calloc(total + 1, 1);
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const revent *e = &r->ev[i];
		if (e->phase != ph || e->total == 0)
			continue;
		assert_int_equal(e->total, total);
		assert_true(e->current <= total);
		assert_int_equal(seen[e->current], 0);
		seen[e->current] = 1;
		n++;
	}
	assert_int_equal(n, total + 1);
	free(seen);
}

/* ----------------------------------------------------------------- tests ---- */

/* A full run then an incremental one: every general clause, the phase-specific
 * statuses, and INDEX events limited to the files being re-indexed. */
static void test_runs(void **state)
{
	unsigned threads = *(unsigned *)*state;
	fixture f;
	fixture_make(&f, 320, 24, 1u << 20);
	recorder r;
	rec_init(&r);
	r.sleep_every = 5; /* a short sleep now and then: overlaps would show */
	r.sleep_us = 1000;

	codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(run_update(f.root, threads, 10, &r, 0, &res), 0);
	check_events(&r, &f, threads, NULL, 0);
	check_success(&r);
	assert_int_equal(res.files_new, f.n);
	assert_int_equal(r.ev[r.n - 1].total, f.n);
	for (int ph = CODEIDX_PHASE_SETUP; ph <= CODEIDX_PHASE_DONE; ph++) {
		size_t n = 0; /* every phase reported, each with non-NULL files (checked) */
		for (size_t i = 0; i < r.n; i++)
			n += r.ev[i].phase == (codeidx_phase)ph;
		if (!n)
			fail_msg("no event of phase %s", codeidx_phase_name((codeidx_phase)ph));
	}
	/* Big files keep the index workers visibly busy. */
	assert_true(count_phase(&r, CODEIDX_PHASE_INDEX, 1) > 0);
	assert_true(count_status(&r, CODEIDX_PHASE_INDEX, CODEIDX_FILE_INDEXING) > 0);

	/* Incremental: 5 small files change size, every large file is touched (same
	 * bytes, new mtime: hashed, not re-indexed). */
	char *changed[5];
	for (size_t i = 0; i < 5; i++) {
		changed[i] = f.paths[f.n_large + i * 40]; /* "big/" sorts first */
		assert_null(strstr(changed[i], "big/"));
		assert_int_equal(tree_write_text(f.root, changed[i], 7000 + i, 99 + i), 0);
	}
	for (size_t i = 0; i < f.n_large; i++)
		assert_int_equal(tree_shift_mtime(f.root, f.large[i], 10), 0);
	rec_reset(&r);
	res = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(run_update(f.root, threads, 0, &r, 0, &res), 0);
	check_events(&r, &f, threads, changed, 5);
	check_success(&r);
	assert_int_equal(res.files_changed, 5);
	assert_int_equal(res.files_touched, f.n_large);
	assert_int_equal(res.files_new, 0);
	check_one_event_per_file(&r, CODEIDX_PHASE_INDEX, 5);
	check_one_event_per_file(&r, CODEIDX_PHASE_HASH, f.n);

	/* Touch the large files again until an event catches a worker hashing one
	 * (a phase of a few ms: the scheduler decides whether a snapshot lands in it). */
	size_t hashing = count_status(&r, CODEIDX_PHASE_HASH, CODEIDX_FILE_HASHING);
	r.sleep_every = 0;
	for (int attempt = 0; attempt < 30 && !hashing; attempt++) {
		for (size_t i = 0; i < f.n_large; i++)
			assert_int_equal(tree_shift_mtime(f.root, f.large[i], 10), 0);
		rec_reset(&r);
		res = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
		assert_int_equal(run_update(f.root, threads, 0, &r, 0, &res), 0);
		check_events(&r, &f, threads, f.large, 0); /* nothing may be re-indexed */
		check_success(&r);
		assert_int_equal(res.files_touched, f.n_large);
		assert_int_equal(res.files_unchanged, f.n - f.n_large);
		hashing = count_status(&r, CODEIDX_PHASE_HASH, CODEIDX_FILE_HASHING);
	}
	assert_true(hashing > 0);

	rec_release(&r);
	fixture_free(&f);
}

/* progress_interval_ms = 0: one event per finished file in both worker phases. */
static void test_interval_zero(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 200, 0, 0);
	recorder r;
	rec_init(&r);
	assert_int_equal(run_update(f.root, 2, 0, &r, 0, NULL), 0);
	check_events(&r, &f, 2, NULL, 0);
	check_success(&r);
	check_one_event_per_file(&r, CODEIDX_PHASE_INDEX, f.n);
	check_one_event_per_file(&r, CODEIDX_PHASE_HASH, f.n);
	rec_release(&r);
	fixture_free(&f);
}

/* `seconds` is "since the slot started this file": never negative, even for a file a
 * worker starts while the coordinator is taking its snapshot. Many tiny files, four
 * workers and one event per file make that moment frequent. */
static void test_seconds_never_negative(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 0, 0, 0);
	f.paths = realloc(f.paths, 1500 * sizeof *f.paths);
	char name[64];
	for (size_t i = 0; i < 1500; i++) {
		snprintf(name, sizeof name, "t/%02zu/x%04zu", i % 20, i);
		assert_int_equal(tree_write_str(f.root, name, "tiny file\n"), 0);
		f.paths[f.n++] = strdup(name);
	}
	qsort(f.paths, f.n, sizeof *f.paths, cmp_str);
	recorder r;
	rec_init(&r);
	size_t negative = 0, shown = 0;
	/* A race: run until it shows, or 25 runs without it (about 2 s). */
	for (int run = 0; run < 25 && !negative; run++) {
		rec_reset(&r);
		assert_int_equal(run_update(f.root, 4, 0, &r, CODEIDX_UPDATE_FULL, NULL), 0);
		for (size_t i = 0; i < r.n; i++)
			for (size_t k = 0; k < r.ev[i].n_files; k++) {
				shown++;
				negative += !(r.ev[i].files[k].seconds >= 0);
			}
	}
	if (negative)
		fail_msg("%zu of %zu listed files have seconds < 0", negative, shown);
	rec_release(&r);
	fixture_free(&f);
}

static double phase_span(const recorder *r, codeidx_phase ph)
{
	double first = -1, last = -1;
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].phase == ph && r->ev[i].total > 0) {
			if (first < 0)
				first = r->ev[i].elapsed;
			last = r->ev[i].elapsed;
		}
	return first < 0 ? 0 : last - first;
}

/* A 50 ms interval gives far fewer events than files, bounded by the duration. */
static void test_interval_throttles(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 400, 16, 1u << 20);
	recorder r;
	rec_init(&r);
	assert_int_equal(run_update(f.root, 2, 50, &r, 0, NULL), 0);
	check_events(&r, &f, 2, NULL, 0);
	check_success(&r);
	size_t n_index = count_phase(&r, CODEIDX_PHASE_INDEX, 0);
	size_t n_hash = count_phase(&r, CODEIDX_PHASE_HASH, 0);
	assert_true(n_index >= 2); /* start and end at least */
	assert_true(n_index * 4 < f.n);
	assert_true(n_hash * 4 < f.n);
	/* One per interval, plus the start and end events (and slack for timing). */
	assert_true(n_index <= 3 + (size_t)(phase_span(&r, CODEIDX_PHASE_INDEX) / 0.050) + 1);
	rec_release(&r);
	fixture_free(&f);
}

/* Cancel in the INDEX phase at the first snapshot that shows a busy worker, once a
 * file is done. Workers spend milliseconds on each 1 MiB file and microseconds
 * between files, so they are still busy when the cancel is seen right after. */
static int stop_in_index(recorder *r, const revent *e)
{
	(void)r;
	return e->phase == CODEIDX_PHASE_INDEX && e->total > 0 && e->current >= 1 &&
	       e->n_files >= 1;
}

static void test_cancel_in_index_phase(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 100, 40, 1u << 20);
	assert_int_equal(run_update(f.root, 2, 0, NULL, 0, NULL), 0);
	codeidx_stats before;
	char *segs_before = NULL, *man_before = NULL;
	size_t man_len_before;
	recorder r;
	rec_init(&r);
	r.stop = stop_in_index;
	codeidx *idx = NULL;
	int rc = 0;
	/* Should the scheduler let no snapshot catch a busy worker, the run completes
	 * uncancelled: then try again (it takes a heavily loaded machine). */
	for (int attempt = 0; attempt < 5; attempt++) {
		before = stats_of(f.root);
		assert_int_equal(before.files, f.n);
		free(segs_before);
		free(man_before);
		segs_before = seg_files(f.root);
		man_before = manifest_bytes(f.root, &man_len_before);
		assert_non_null(man_before);

		/* Every large file changes: 40 files of 1 MiB to re-index on 2 threads. */
		for (size_t i = 0; i < f.n_large; i++)
			assert_int_equal(tree_write_text(f.root, f.large[i],
							 (1u << 20) + 1 + (size_t)attempt,
							 5000 + i + 100 * (size_t)attempt),
					 0);
		rec_reset(&r);
		assert_int_equal(codeidx_open(&idx, f.root, NULL), 0);
		codeidx_update_options o = CODEIDX_UPDATE_OPTIONS_INIT;
		o.threads = 2;
		o.progress_interval_ms = 5; /* snapshots at timer ticks, not at file ends */
		o.progress = record;
		o.progress_user = &r;
		rc = codeidx_update(idx, &o, NULL);
		if (rc == CODEIDX_ECANCELLED)
			break;
		assert_int_equal(rc, 0);
		codeidx_close(idx);
		idx = NULL;
	}
	assert_int_equal(rc, CODEIDX_ECANCELLED);

	check_events(&r, &f, 2, f.large, f.n_large);
	assert_true(r.stopped_at >= 0);
	/* Exactly one event follows the cancelling one: the "cancelled" event. */
	assert_int_equal((size_t)r.stopped_at + 2, r.n);
	const revent *last = &r.ev[r.n - 1];
	assert_string_equal(last->message, "cancelled");
	assert_int_equal(last->phase, CODEIDX_PHASE_INDEX);
	assert_true(last->n_files > 0);
	for (size_t k = 0; k < last->n_files; k++)
		assert_true(in_set(f.large, f.n_large, last->files[k].path, 0));
	assert_true(last->current < last->total);

	/* The previous generation still answers, unchanged, on this handle... */
	codeidx_stats s = CODEIDX_STATS_INIT;
	assert_int_equal(codeidx_stats_get(idx, &s), 0);
	assert_int_equal(s.generation, before.generation);
	assert_int_equal(s.files, before.files);
	assert_int_equal(s.bytes, before.bytes);
	codeidx_close(idx);
	/* ... on a new one, and on disk. */
	s = stats_of(f.root);
	assert_int_equal(s.generation, before.generation);
	assert_int_equal(s.files, before.files);
	assert_int_equal(s.segments, before.segments);
	char *segs_after = seg_files(f.root);
	assert_string_equal(segs_after, segs_before);
	size_t man_len_after;
	char *man_after = manifest_bytes(f.root, &man_len_after);
	assert_int_equal(man_len_after, man_len_before);
	assert_memory_equal(man_after, man_before, man_len_before);

	/* The lock was released and a later update finishes the job. */
	codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(run_update(f.root, 2, 100, NULL, 0, &res), 0);
	assert_int_equal(res.files_changed, f.n_large);
	assert_int_equal(res.generation, before.generation + 1);

	free(segs_before);
	free(segs_after);
	free(man_before);
	free(man_after);
	rec_release(&r);
	fixture_free(&f);
}

static int stop_first(recorder *r, const revent *e)
{
	(void)e;
	return r->n == 1;
}

/* Cancelling at the very first (SETUP) event changes nothing, index or not. */
static void test_cancel_in_setup_phase(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 30, 0, 0);
	recorder r;
	rec_init(&r);
	r.stop = stop_first;

	/* No index yet: nothing gets committed. */
	assert_int_equal(run_update(f.root, 2, 100, &r, 0, NULL), CODEIDX_ECANCELLED);
	check_events(&r, &f, 2, NULL, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].phase, CODEIDX_PHASE_SETUP);
	assert_int_equal(r.ev[1].phase, CODEIDX_PHASE_SETUP);
	assert_string_equal(r.ev[1].message, "cancelled");
	assert_int_equal(r.ev[1].n_files, 0);
	codeidx_stats s = stats_of(f.root);
	assert_int_equal(s.generation, 0);
	assert_int_equal(s.files, 0);
	size_t ml;
	char *m = manifest_bytes(f.root, &ml);
	assert_null(m);
	char *segs = seg_files(f.root);
	assert_string_equal(segs, "");
	free(segs);

	/* With an index and pending changes: the generation stays as it was. */
	assert_int_equal(run_update(f.root, 2, 100, NULL, 0, NULL), 0);
	codeidx_stats before = stats_of(f.root);
	assert_int_equal(before.files, f.n);
	m = manifest_bytes(f.root, &ml);
	assert_int_equal(tree_write_text(f.root, f.paths[3], 9999, 77), 0);
	assert_int_equal(tree_write_text(f.root, "new/file.c", 500, 78), 0);
	rec_reset(&r);
	assert_int_equal(run_update(f.root, 2, 100, &r, 0, NULL), CODEIDX_ECANCELLED);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.ev[1].message, "cancelled");
	s = stats_of(f.root);
	assert_int_equal(s.generation, before.generation);
	assert_int_equal(s.files, before.files);
	size_t ml2;
	char *m2 = manifest_bytes(f.root, &ml2);
	assert_int_equal(ml2, ml);
	assert_memory_equal(m2, m, ml);
	free(m);
	free(m2);
	rec_release(&r);
	fixture_free(&f);
}

static int stop_in_commit(recorder *r, const revent *e)
{
	(void)r;
	return e->phase == CODEIDX_PHASE_COMMIT;
}

/* Cancelling at the COMMIT info event, before the publish, changes nothing. */
static void test_cancel_in_commit_phase(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 60, 2, 200000);
	assert_int_equal(run_update(f.root, 2, 100, NULL, 0, NULL), 0);
	codeidx_stats before = stats_of(f.root);
	char *segs_before = seg_files(f.root);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(tree_write_text(f.root, f.paths[i], 3333 + i, 400 + i), 0);
	recorder r;
	rec_init(&r);
	r.stop = stop_in_commit;
	assert_int_equal(run_update(f.root, 2, 100, &r, 0, NULL), CODEIDX_ECANCELLED);
	check_events(&r, &f, 2, NULL, 0);
	assert_true(r.stopped_at >= 0);
	assert_int_equal((size_t)r.stopped_at + 2, r.n);
	assert_string_equal(r.ev[r.n - 1].message, "cancelled");
	assert_int_equal(r.ev[r.n - 1].phase, CODEIDX_PHASE_COMMIT);
	codeidx_stats s = stats_of(f.root);
	assert_int_equal(s.generation, before.generation);
	assert_int_equal(s.files, before.files);
	assert_int_equal(s.bytes, before.bytes);
	char *segs_after = seg_files(f.root);
	assert_string_equal(segs_after, segs_before);
	free(segs_before);
	free(segs_after);
	rec_release(&r);
	fixture_free(&f);
}

/* An empty tree: a clean run, a DONE event of 0/0, never a NULL `files`. */
static void test_empty_tree(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 0, 0, 0);
	recorder r;
	rec_init(&r);
	for (int run = 0; run < 2; run++) {
		rec_reset(&r);
		codeidx_update_result res = CODEIDX_UPDATE_RESULT_INIT;
		assert_int_equal(run_update(f.root, 2, run ? 100 : 0, &r, 0, &res), 0);
		check_events(&r, &f, 2, NULL, 0);
		check_success(&r);
		assert_int_equal(r.ev[r.n - 1].total, 0);
		assert_int_equal(r.ev[r.n - 1].current, 0);
		assert_int_equal(res.files_new + res.files_changed + res.files_unchanged, 0);
		assert_int_equal(res.segments_written, 0);
		codeidx_stats s = stats_of(f.root);
		assert_int_equal(s.files, 0);
		assert_int_equal(s.generation, 1); /* the first run commits, the second not */
	}
	rec_release(&r);
	fixture_free(&f);
}

/* A slow callback slows the display, not the indexing: same result, workers run
 * ahead, throttled events stay few. */
static void test_slow_callback(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, 200, 64, 1u << 20);
	recorder fast;
	rec_init(&fast);
	codeidx_update_result res_fast;
	/* The premise: this tree's index phase takes more than 200 ms by itself (the
	 * tree grows by 64 MiB until it does, on fast machines). */
	for (;;) {
		rec_reset(&fast);
		res_fast = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
		assert_int_equal(run_update(f.root, 2, 100, &fast, CODEIDX_UPDATE_FULL, &res_fast),
				 0);
		if (phase_span(&fast, CODEIDX_PHASE_INDEX) > 0.2)
			break;
		if (f.n_large >= 512)
			fail_msg("premise: the index phase of %zu MiB took only %.3f s", f.n_large,
				 phase_span(&fast, CODEIDX_PHASE_INDEX));
		grow_large(&f, 64, 1u << 20);
	}
	codeidx_stats s_fast = stats_of(f.root);

	recorder slow;
	rec_init(&slow);
	slow.sleep_every = 1;
	slow.sleep_us = 20000;
	codeidx_update_result res_slow = CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(run_update(f.root, 2, 100, &slow, CODEIDX_UPDATE_FULL, &res_slow), 0);
	check_events(&slow, &f, 2, NULL, 0);
	check_success(&slow);
	codeidx_stats s_slow = stats_of(f.root);
	assert_int_equal(res_slow.files_new, res_fast.files_new);
	assert_int_equal(res_slow.bytes_indexed, res_fast.bytes_indexed);
	assert_int_equal(s_slow.files, s_fast.files);
	assert_int_equal(s_slow.bytes, s_fast.bytes);
	assert_int_equal(s_slow.trigrams, s_fast.trigrams);
	assert_true(count_phase(&slow, CODEIDX_PHASE_INDEX, 0) < f.n);
	assert_true(count_phase(&slow, CODEIDX_PHASE_INDEX, 0) * 4 < f.n);

	/* Per-file mode with the slow callback: 60 small files re-indexed. The workers
	 * finish long before the display has shown every file, so most INDEX events are
	 * catch-up events with nothing active; each still counts one file. */
	char *changed[60];
	size_t n_changed = 0;
	for (size_t i = 0; i < f.n && n_changed < 60; i++) {
		if (strstr(f.paths[i], "big/"))
			continue;
		changed[n_changed++] = f.paths[i];
		assert_int_equal(tree_write_text(f.root, f.paths[i], 800 + i, 7000 + i), 0);
	}
	rec_reset(&slow);
	slow.sleep_phase = CODEIDX_PHASE_INDEX; /* keeps the hash phase's 260 events quick */
	res_slow = (codeidx_update_result)CODEIDX_UPDATE_RESULT_INIT;
	assert_int_equal(run_update(f.root, 2, 0, &slow, 0, &res_slow), 0);
	check_events(&slow, &f, 2, changed, n_changed);
	check_success(&slow);
	assert_int_equal(res_slow.files_changed, n_changed);
	check_one_event_per_file(&slow, CODEIDX_PHASE_INDEX, n_changed);
	size_t idle_catch_up = 0;
	for (size_t i = 0; i < slow.n; i++) {
		const revent *e = &slow.ev[i];
		if (e->phase == CODEIDX_PHASE_INDEX && e->total && e->current < e->total &&
		    e->n_files == 0)
			idle_catch_up++;
	}
	assert_true(idle_catch_up >= n_changed / 2);

	rec_release(&fast);
	rec_release(&slow);
	fixture_free(&f);
}

int main(void)
{
	static unsigned two = 2, four = 4;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_runs, &two),
		cmocka_unit_test_prestate(test_runs, &four),
		cmocka_unit_test(test_interval_zero),
		cmocka_unit_test(test_seconds_never_negative),
		cmocka_unit_test(test_interval_throttles),
		cmocka_unit_test(test_cancel_in_index_phase),
		cmocka_unit_test(test_cancel_in_setup_phase),
		cmocka_unit_test(test_cancel_in_commit_phase),
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_slow_callback),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
