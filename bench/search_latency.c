/* search_latency.c - benchmark helper: opens an index once and runs each query of a
 * file (one per line: FLAGS<TAB>PATTERN, flags from "Fiw" or "-") REPS times through
 * the library, printing the median milliseconds, candidates, matching lines, flags,
 * pattern and matching files (candidates - files = false positives of the trigram
 * plan); the last line reports peak RSS. Usage: search_latency ROOT QUERIES [REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "codeidx.h"

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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: search_latency ROOT QUERIES [REPS]\n");
		return 2;
	}
	int reps = argc > 3 ? atoi(argv[3]) : 21;
	if (reps < 1 || reps > 1000)
		reps = 21;
	codeidx *idx;
	int rc = codeidx_open(&idx, argv[1], NULL);
	FILE *q = fopen(argv[2], "r");
	if (rc || !q) {
		fprintf(stderr, "search_latency: cannot open the index or the query file\n");
		return 2;
	}
	char line[4096];
	double *t = calloc((size_t)reps, sizeof *t);
	while (t && fgets(line, sizeof line, q)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		const char *pat = tab + 1;
		codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
		o.flags = (strchr(line, 'F') ? CODEIDX_SEARCH_LITERAL : 0) |
			  (strchr(line, 'i') ? CODEIDX_SEARCH_IGNORE_CASE : 0) |
			  (strchr(line, 'w') ? CODEIDX_SEARCH_WORD : 0);
		codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
		for (int k = 0; k < reps; k++) {
			double a = now_ms();
			rc = codeidx_search(idx, pat, strlen(pat), &o, NULL, NULL, &r);
			t[k] = now_ms() - a;
			if (rc) {
				fprintf(stderr, "%s: %s\n", pat, codeidx_error_detail());
				break;
			}
		}
		qsort(t, (size_t)reps, sizeof *t, cmp_double);
		printf("%.3f\t%llu\t%llu\t%s\t%s\t%llu\n", t[reps / 2],
		       (unsigned long long)r.candidates, (unsigned long long)r.lines_matched, line,
		       pat, (unsigned long long)r.files_matched);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb\t%ld\n", ru.ru_maxrss);
	free(t);
	fclose(q);
	codeidx_close(idx);
	return 0;
}
