/* search_latency.c - benchmark helper: opens an index once and times the queries of a
 * file (one per line: FLAGS<TAB>PATTERN, flags from "Fiw" or "-") through the library.
 * Each round runs every query BATCH times back to back (or, past 5 runs, for 200 ms)
 * and keeps the median; after ROUNDS rounds it prints per query the median of those
 * medians (milliseconds), candidates, matching lines, flags, pattern and matching
 * files (candidates - files = false positives of the trigram plan); the last line
 * reports peak RSS. Rounds spread each query's runs over the whole measurement, so a
 * slow spell of this shared machine falls on every query alike instead of on the few
 * that ran during it.
 * Usage: search_latency ROOT QUERIES [ROUNDS [BATCH]]   (defaults 3 and 21) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "codeidx.h"

#define MAX_QUERIES 256

typedef struct query {
	char flags[8];
	char *pattern;
	codeidx_search_options opts;
	codeidx_search_result result;
	double *ms; /* the median of each round's batch */
} query;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

/* Reads the query file into q[]; returns the count, or -1. */
static int load(const char *file, query *q, int rounds)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return -1;
	char line[4096];
	int n = 0;
	while (n < MAX_QUERIES && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab || tab - line >= (long)sizeof q[n].flags)
			continue;
		*tab = '\0';
		query *e = &q[n];
		memcpy(e->flags, line, (size_t)(tab - line) + 1);
		e->pattern = strdup(tab + 1);
		e->ms = calloc((size_t)rounds, sizeof *e->ms);
		if (!e->pattern || !e->ms)
			break;
		e->opts = (codeidx_search_options)CODEIDX_SEARCH_OPTIONS_INIT;
		e->opts.flags = (strchr(line, 'F') ? CODEIDX_SEARCH_LITERAL : 0) |
				(strchr(line, 'i') ? CODEIDX_SEARCH_IGNORE_CASE : 0) |
				(strchr(line, 'w') ? CODEIDX_SEARCH_WORD : 0);
		e->result = (codeidx_search_result)CODEIDX_SEARCH_RESULT_INIT;
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: search_latency ROOT QUERIES [ROUNDS [BATCH]]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 3, batch = argc > 4 ? atoi(argv[4]) : 21;
	if (rounds < 1 || rounds > 1000)
		rounds = 3;
	if (batch < 1 || batch > 1000)
		batch = 21;
	static query q[MAX_QUERIES];
	double *t = calloc((size_t)batch, sizeof *t);
	codeidx *idx;
	int rc = codeidx_open(&idx, argv[1], NULL);
	int n = rc || !t ? -1 : load(argv[2], q, rounds);
	if (n < 0) {
		fprintf(stderr, "search_latency: cannot open the index or the query file\n");
		return 2;
	}
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++) {
			int k = 0;
			for (double start = now_ms(); k < batch && (k < 5 || now_ms() - start < 200); k++) {
				double a = now_ms();
				rc = codeidx_search(idx, q[i].pattern, strlen(q[i].pattern), &q[i].opts,
						    NULL, NULL, &q[i].result);
				t[k] = now_ms() - a;
				if (rc) {
					fprintf(stderr, "%s: %s\n", q[i].pattern, codeidx_error_detail());
					return 1;
				}
			}
			q[i].ms[r] = median(t, k);
		}
	}
	for (int i = 0; i < n; i++) {
		printf("%.3f\t%llu\t%llu\t%s\t%s\t%llu\n", median(q[i].ms, rounds),
		       (unsigned long long)q[i].result.candidates,
		       (unsigned long long)q[i].result.lines_matched, q[i].flags, q[i].pattern,
		       (unsigned long long)q[i].result.files_matched);
		free(q[i].pattern);
		free(q[i].ms);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb\t%ld\n", ru.ru_maxrss);
	free(t);
	codeidx_close(idx);
	return 0;
}
