/* corrupt_driver.c - damages every index file (flipped bytes, truncation, zeroed regions) and checks through the public API that open, search and stats report CODEIDX_ECORRUPT naming the file, or answer exactly as before; never a crash or hang. */
/*
 * Usage:
 *   corrupt_driver sweep ROOT QUERIES [--stride N] [--trace FILE]
 *       For each file of ROOT/.codeidx (the manifest and every seg-*.cdx), one trial per
 *         - flipped byte: every N-th byte (default 1: all), XORed with 0x01, 0x80, 0xff;
 *         - truncation: to every N-th length from 0 to the size - 1;
 *         - zeroed region: the header, each section table entry, each section (each
 *           segment entry and the checksum of the manifest), and every 64-byte block;
 *         - appended bytes: one byte, and 4096 zero bytes;
 *       the damaged index is opened with codeidx_open (a new handle per trial), every
 *       query of QUERIES (FLAGS TAB PATTERN per line, FLAGS a mix of F i w or "-") is
 *       run, and the stats are read. A trial passes when each call either succeeds with
 *       exactly the undamaged answer, or fails with CODEIDX_ECORRUPT whose detail names
 *       the damaged file (CODEIDX_EVERSION is accepted for the version field only).
 *       Every trial runs under a 10 s alarm; --trace FILE holds the trial being run, so
 *       a crash or hang names it. Prints per-region tallies. Exit 1 on a failed trial.
 *   corrupt_driver answers ROOT QUERIES
 *       The answers of the index as they are (path:line:text), then its stats; exit 3 and
 *       the code and detail on stderr on an error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codeidx.h"

/* ----------------------------------------------------------------- queries ---- */

typedef struct query {
	char *pattern;
	unsigned flags;
} query;

static query queries[64];
static size_t n_queries;

static int load_queries(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1 << 16];
	while (n_queries < 64 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		if (strchr(line, 'E')) { /* decode \n and \\ */
			char *w = tab + 1;
			for (char *r = tab + 1; *r; r++)
				*w++ = r[0] == '\\' && r[1] ? (*++r == 'n' ? '\n' : *r) : *r;
			*w = 0;
		}
		query *q = &queries[n_queries++];
		q->flags = (strchr(line, 'F') ? CODEIDX_SEARCH_LITERAL : 0) |
			   (strchr(line, 'i') ? CODEIDX_SEARCH_IGNORE_CASE : 0) |
			   (strchr(line, 'w') ? CODEIDX_SEARCH_WORD : 0);
		q->pattern = strdup(tab + 1);
	}
	fclose(f);
	return 0;
}

static void put_escaped(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static int print_line(const codeidx_match *m, void *user)
{
	FILE *f = user;
	put_escaped(f, m->path, strlen(m->path));
	fprintf(f, ":%" PRIu64 ":", m->line);
	put_escaped(f, m->text, m->text_len);
	fputc('\n', f);
	return 0;
}

/* The outcome of opening and querying the index: the first failing call's code and
 * detail, and the answers up to it. */
typedef struct outcome {
	int rc;
	const char *where; /* "open", "search", "stats" */
	char detail[512];
	char *text;
	size_t len;
} outcome;

/* Runs one query; its answer goes to f after a "query NAME" line. */
static int run_query(codeidx *idx, const char *name, const char *pattern, size_t len,
		     unsigned flags, FILE *f)
{
	codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
	so.flags = flags;
	so.threads = 1;
	fprintf(f, "query %s\n", name);
	return codeidx_search(idx, pattern, len, &so, print_line, f, NULL);
}

/* Opens the index, runs the fixed queries, then the 3-byte literal `extra[i]` (which
 * reads exactly that trigram's posting lists), then reads the stats. */
static void run_index(const char *root, outcome *o, const uint8_t (*extra)[3], size_t n_extra)
{
	memset(o, 0, sizeof *o);
	FILE *f = open_memstream(&o->text, &o->len);
	codeidx *idx;
	o->where = "open";
	o->rc = codeidx_open(&idx, root, NULL);
	if (!o->rc) {
		o->where = "search";
		for (size_t i = 0; i < n_queries && !o->rc; i++) {
			char name[32];
			snprintf(name, sizeof name, "%zu", i + 1);
			o->rc = run_query(idx, name, queries[i].pattern, strlen(queries[i].pattern),
					  queries[i].flags, f);
		}
		for (size_t i = 0; i < n_extra && !o->rc; i++) {
			char name[32];
			snprintf(name, sizeof name, "trigram %02x%02x%02x", extra[i][0], extra[i][1],
				 extra[i][2]);
			o->rc = run_query(idx, name, (const char *)extra[i], 3,
					  CODEIDX_SEARCH_LITERAL, f);
		}
		codeidx_stats st = CODEIDX_STATS_INIT;
		if (!o->rc) {
			o->where = "stats";
			o->rc = codeidx_stats_get(idx, &st);
		}
		if (!o->rc)
			fprintf(f, "generation %" PRIu64 " files %" PRIu64 " bytes %" PRIu64
				   " segments %" PRIu64 " deleted %" PRIu64 " trigrams %" PRIu64 "\n",
				st.generation, st.files, st.bytes, st.segments, st.deleted_docs,
				st.trigrams);
		codeidx_close(idx);
	}
	if (o->rc)
		snprintf(o->detail, sizeof o->detail, "%s", codeidx_error_detail());
	fclose(f);
}

static int cmd_answers(const char *root)
{
	outcome o;
	run_index(root, &o, NULL, 0);
	fwrite(o.text, 1, o.len, stdout);
	free(o.text);
	if (o.rc) {
		fprintf(stderr, "corrupt_driver: %s: %s (%d): %s\n", o.where, codeidx_strerror(o.rc),
			o.rc, o.detail);
		return 3;
	}
	return 0;
}

/* ------------------------------------------------------------------- sweep ---- */

static char trace_buf[512];
static int trace_fd = -1;

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "corrupt_driver: HANG (10 s) in trial: ";
	ssize_t w = write(2, msg, sizeof msg - 1);
	w = write(2, trace_buf, strlen(trace_buf));
	w = write(2, "\n", 1);
	(void)w;
	_exit(4);
}

/* Records the trial described in trace_buf (in the --trace file too). */
static void trace(void)
{
	if (trace_fd >= 0) {
		size_t n = strlen(trace_buf);
		if (pwrite(trace_fd, trace_buf, n, 0) != (ssize_t)n || ftruncate(trace_fd, (off_t)n))
			trace_fd = -1;
	}
}

/* A named region of a file, for the tallies and the zeroing trials. */
typedef struct region {
	char name[32];
	size_t off, len;
	unsigned long trials, at_open, at_search, identical, version;
} region;

/* A posting list of a segment: its bytes in the file, its trigram, and the undamaged
 * answer of the query that reads it. */
typedef struct plist {
	size_t off, end;
	uint8_t tri[3];
	char *answer;
	size_t answer_len;
} plist;

typedef struct target {
	char name[300];
	char path[4400];
	uint8_t *bytes;
	size_t len;
	int fd;
	region regions[64];
	size_t n_regions;
	plist *lists;
	size_t n_lists;
} target;

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void add_region(target *t, const char *name, size_t off, size_t len)
{
	if (t->n_regions == 64 || off >= t->len)
		return;
	if (len > t->len - off)
		len = t->len - off;
	region *r = &t->regions[t->n_regions++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%.31s", name);
	r->off = off;
	r->len = len;
}

/* The layout of segment_format.h and manifest.h, read from the undamaged bytes. */
static void find_regions(target *t)
{
	static const char *sec[] = {"POSTINGS", "TRIGRAMS", "DOCS", "PATHS"};
	if (!strcmp(t->name, "manifest")) {
		const uint8_t *m = t->bytes;
		size_t n_segs = (size_t)get_le(m + 12, 4), n_skip = (size_t)get_le(m + 24, 4);
		add_region(t, "magic", 0, 8);
		add_region(t, "version", 8, 4);
		add_region(t, "header", 12, 20 + 8 * n_skip);
		size_t at = 32 + 8 * n_skip;
		for (size_t i = 0; i < n_segs && at + 24 <= t->len - 8; i++) {
			size_t d = (size_t)get_le(m + at + 12, 4), o = (size_t)get_le(m + at + 16, 4);
			char name[48];
			snprintf(name, sizeof name, "segment entry %zu", i);
			add_region(t, name, at, 24 + 4 * d + 32 * o);
			at += 24 + 4 * d + 32 * o;
		}
		add_region(t, "checksum", t->len - 8, 8);
		return;
	}
	add_region(t, "magic", 0, 8);
	add_region(t, "version", 8, 4);
	add_region(t, "header", 12, 44);
	add_region(t, "header checksum", 56, 8);
	for (unsigned i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof name, "table[%s]", sec[i]);
		add_region(t, name, 64 + 32 * i, 32);
	}
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = t->bytes + 64 + 32 * i;
		add_region(t, sec[i], (size_t)get_le(e + 8, 8), (size_t)get_le(e + 16, 8));
	}
	/* The posting lists, from the TRIGRAMS entries. */
	size_t post = (size_t)get_le(t->bytes + 64 + 8, 8);
	size_t post_len = (size_t)get_le(t->bytes + 64 + 16, 8);
	size_t tris = (size_t)get_le(t->bytes + 64 + 32 + 8, 8);
	size_t n = (size_t)get_le(t->bytes + 24, 8);
	t->lists = calloc(n ? n : 1, sizeof *t->lists);
	for (size_t k = 0; k < n; k++) {
		const uint8_t *e = t->bytes + tris + 16 * k;
		uint32_t tri = (uint32_t)get_le(e, 4) & 0xffffff;
		plist *l = &t->lists[t->n_lists++];
		l->off = post + (size_t)get_le(e + 8, 4);
		l->end = post + (k + 1 < n ? (size_t)get_le(e + 16 + 8, 4) : post_len);
		l->tri[0] = (uint8_t)(tri >> 16);
		l->tri[1] = (uint8_t)(tri >> 8);
		l->tri[2] = (uint8_t)tri;
	}
}

static region *region_of(target *t, size_t off)
{
	region *best = NULL;
	for (size_t i = 0; i < t->n_regions; i++) {
		region *r = &t->regions[i];
		if (off >= r->off && off < r->off + r->len && (!best || r->len < best->len))
			best = r;
	}
	return best ? best : &t->regions[0];
}

static int read_file(target *t)
{
	t->fd = open(t->path, O_RDWR | O_CLOEXEC);
	struct stat st;
	if (t->fd < 0 || fstat(t->fd, &st))
		return -1;
	t->len = (size_t)st.st_size;
	t->bytes = malloc(t->len ? t->len : 1);
	return t->bytes && pread(t->fd, t->bytes, t->len, 0) == (ssize_t)t->len ? 0 : -1;
}

static void restore(target *t, size_t off, size_t len)
{
	if (len && pwrite(t->fd, t->bytes + off, len, (off_t)off) != (ssize_t)len)
		abort();
}

static void restore_size(target *t)
{
	if (ftruncate(t->fd, (off_t)t->len))
		abort();
	restore(t, 0, t->len);
}

/* The undamaged answers: the fixed queries, then the stats line. */
static char *base_queries, *base_stats;
static size_t base_queries_len, base_stats_len;
static unsigned long failures, trials_total, without_offset, extra_queries;
static const char *root_dir;

/* The posting lists overlapping [off, off + len) whose query runs with the trial. */
#define MAX_EXTRA 8
static size_t lists_in(const target *t, size_t off, size_t len, size_t *out)
{
	size_t n = 0;
	for (size_t k = 0; k < t->n_lists && n < MAX_EXTRA; k++)
		if (t->lists[k].off < off + len && off < t->lists[k].end)
			out[n++] = k;
	return n;
}

/* Runs one trial on the damaged index and judges it; the queries of the posting lists
 * the damage touches run after the fixed ones. */
static void judge(target *t, region *r, int version_field, size_t off, size_t len)
{
	size_t ks[MAX_EXTRA];
	size_t n_extra = len ? lists_in(t, off, len, ks) : 0;
	uint8_t extra[MAX_EXTRA][3];
	/* The expected answers. */
	char *want;
	size_t want_len;
	FILE *w = open_memstream(&want, &want_len);
	fwrite(base_queries, 1, base_queries_len, w);
	for (size_t i = 0; i < n_extra; i++) {
		memcpy(extra[i], t->lists[ks[i]].tri, 3);
		fwrite(t->lists[ks[i]].answer, 1, t->lists[ks[i]].answer_len, w);
	}
	fwrite(base_stats, 1, base_stats_len, w);
	fclose(w);
	extra_queries += n_extra;

	outcome o;
	alarm(10);
	run_index(root_dir, &o, (const uint8_t(*)[3])extra, n_extra);
	alarm(0);
	r->trials++;
	trials_total++;
	int bad = 0;
	if (o.rc == 0) {
		if (o.len != want_len || memcmp(o.text, want, want_len)) {
			fprintf(stderr, "FAIL %s: answered differently without an error\n", trace_buf);
			bad = 1;
		} else {
			r->identical++;
		}
	} else if (o.rc == CODEIDX_ECORRUPT || (o.rc == CODEIDX_EVERSION && version_field)) {
		/* The damaged file is named; the answers before the failing call are intact. */
		if (!strstr(o.detail, t->name)) {
			fprintf(stderr, "FAIL %s: %s error does not name %s: %s\n", trace_buf, o.where,
				t->name, o.detail);
			bad = 1;
		}
		if (o.len > want_len || memcmp(o.text, want, o.len)) {
			fprintf(stderr, "FAIL %s: wrong answers before the error\n", trace_buf);
			bad = 1;
		}
		if (o.rc == CODEIDX_EVERSION)
			r->version++;
		else if (!strcmp(o.where, "open"))
			r->at_open++;
		else
			r->at_search++;
		if (o.rc == CODEIDX_ECORRUPT && !strstr(o.detail, "offset") &&
		    (without_offset++ < 3 || getenv("CORRUPT_VERBOSE")))
			printf("  (no offset) %s -> %s\n", trace_buf, o.detail);
	} else {
		fprintf(stderr, "FAIL %s: %s returned %s (%d): %s\n", trace_buf, o.where,
			codeidx_strerror(o.rc), o.rc, o.detail);
		bad = 1;
	}
	if (bad && ++failures > 20) {
		fprintf(stderr, "corrupt_driver: too many failures\n");
		exit(1);
	}
	free(o.text);
	free(want);
}

/* The undamaged answer of each posting list's query. */
static int list_answers(target *t)
{
	codeidx *idx;
	int rc = codeidx_open(&idx, root_dir, NULL);
	for (size_t k = 0; !rc && k < t->n_lists; k++) {
		plist *l = &t->lists[k];
		FILE *f = open_memstream(&l->answer, &l->answer_len);
		char name[32];
		snprintf(name, sizeof name, "trigram %02x%02x%02x", l->tri[0], l->tri[1], l->tri[2]);
		rc = run_query(idx, name, (const char *)l->tri, 3, CODEIDX_SEARCH_LITERAL, f);
		fclose(f);
	}
	if (!rc)
		codeidx_close(idx);
	return rc;
}

static void sweep_file(target *t, size_t stride)
{
	find_regions(t);
	if (list_answers(t)) {
		fprintf(stderr, "FAIL %s: the undamaged index fails: %s\n", t->name,
			codeidx_error_detail());
		failures++;
		return;
	}
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	/* Flipped bytes. */
	for (size_t pos = 0; pos < t->len; pos += stride) {
		region *r = region_of(t, pos);
		int version_field = pos >= 8 && pos < 12;
		for (size_t k = 0; k < sizeof masks; k++) {
			uint8_t b = t->bytes[pos] ^ masks[k];
			snprintf(trace_buf, sizeof trace_buf, "%.64s: byte %zu ^ 0x%02x (%.31s)", t->name,
				 pos, masks[k], r->name);
			trace();
			if (pwrite(t->fd, &b, 1, (off_t)pos) != 1)
				abort();
			judge(t, r, version_field, pos, 1);
			restore(t, pos, 1);
		}
	}
	/* Truncations. */
	for (size_t len = 0; len < t->len; len += stride) {
		region *r = region_of(t, len ? len - 1 : 0);
		snprintf(trace_buf, sizeof trace_buf, "%.64s: truncated to %zu bytes (in %.31s)", t->name,
			 len, r->name);
		trace();
		if (ftruncate(t->fd, (off_t)len))
			abort();
		judge(t, r, 0, len, t->len - len);
		restore_size(t);
	}
	/* Zeroed regions, then zeroed 64-byte blocks. */
	uint8_t *zeros = calloc(1, t->len + 4096);
	size_t n_named = t->n_regions;
	for (size_t i = 0; i < n_named + (t->len + 63) / 64; i++) {
		size_t off, len;
		region *r;
		if (i < n_named) {
			r = &t->regions[i];
			off = r->off;
			len = r->len;
		} else {
			off = (i - n_named) * 64;
			len = off + 64 > t->len ? t->len - off : 64;
			r = region_of(t, off);
		}
		if (!len)
			continue;
		snprintf(trace_buf, sizeof trace_buf, "%.64s: zeroed %zu bytes at %zu (%.31s)", t->name,
			 len, off, r->name);
		trace();
		if (pwrite(t->fd, zeros, len, (off_t)off) != (ssize_t)len)
			abort();
		judge(t, r, off < 12 && off + len > 8, off, len);
		restore(t, off, len);
	}
	/* Appended bytes. */
	for (size_t extra = 1; extra <= 4096; extra += 4095) {
		region *r = &t->regions[t->n_regions - 1];
		snprintf(trace_buf, sizeof trace_buf, "%.64s: %zu bytes appended", t->name, extra);
		trace();
		if (pwrite(t->fd, zeros, extra, (off_t)t->len) != (ssize_t)extra)
			abort();
		judge(t, r, 0, 0, 0);
		restore_size(t);
	}
	free(zeros);
	/* The restored file reads clean again. */
	snprintf(trace_buf, sizeof trace_buf, "%.64s: restored", t->name);
	judge(t, &t->regions[0], 0, 0, 0);
	if (t->regions[0].identical == 0) {
		fprintf(stderr, "FAIL %s: the restored index does not answer as before\n", t->name);
		failures++;
	}
	for (size_t k = 0; k < t->n_lists; k++)
		free(t->lists[k].answer);
	free(t->lists);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const target *)a)->name, ((const target *)b)->name);
}

static int cmd_sweep(const char *root, int argc, char **argv)
{
	size_t stride = 1;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
			stride = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
			trace_fd = open(argv[++i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (trace_fd < 0)
				return 2;
		} else {
			return 2;
		}
	}
	if (!stride)
		return 2;
	root_dir = root;
	signal(SIGALRM, on_alarm);
	outcome base;
	run_index(root, &base, NULL, 0);
	if (base.rc) {
		fprintf(stderr, "corrupt_driver: the undamaged index fails: %s\n", base.detail);
		return 1;
	}
	/* Split off the stats line (the last one). */
	base_queries = base.text;
	base_queries_len = base.len - 1;
	while (base_queries_len && base.text[base_queries_len - 1] != '\n')
		base_queries_len--;
	base_stats = base.text + base_queries_len;
	base_stats_len = base.len - base_queries_len;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/.codeidx", root);
	DIR *d = opendir(dir);
	if (!d)
		return 2;
	static target targets[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		if (strcmp(e->d_name, "manifest") && strncmp(e->d_name, "seg-", 4))
			continue;
		target *t = &targets[n++];
		snprintf(t->name, sizeof t->name, "%s", e->d_name);
		snprintf(t->path, sizeof t->path, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(targets, n, sizeof *targets, by_name);
	unsigned long bytes = 0;
	for (size_t i = 0; i < n; i++) {
		target *t = &targets[i];
		if (read_file(t))
			return 2;
		unsigned long before = trials_total;
		sweep_file(t, stride);
		bytes += t->len;
		printf("%s (%zu bytes): %lu trials\n", t->name, t->len, trials_total - before);
		for (size_t k = 0; k < t->n_regions; k++) {
			const region *r = &t->regions[k];
			if (!r->trials)
				continue;
			printf("  %-17s %5zu bytes %5lu trials: %5lu refused at open, %4lu at search, "
			       "%3lu EVERSION, %4lu answered identically\n",
			       r->name, r->len, r->trials, r->at_open, r->at_search, r->version,
			       r->identical);
		}
		close(t->fd);
		free(t->bytes);
	}
	printf("total: %zu files, %lu bytes, %lu trials (%lu posting-list queries added), "
	       "%lu failures; %lu corruption errors without an offset\n",
	       n, bytes, trials_total, extra_queries, failures, without_offset);
	free(base.text);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && load_queries(argv[3]))
		return 2;
	if (argc >= 4 && !strcmp(argv[1], "sweep"))
		return cmd_sweep(argv[2], argc - 4, argv + 4);
	if (argc == 4 && !strcmp(argv[1], "answers"))
		return cmd_answers(argv[2]);
	fprintf(stderr, "usage: corrupt_driver sweep|answers ROOT QUERIES [options]\n");
	return 2;
}
