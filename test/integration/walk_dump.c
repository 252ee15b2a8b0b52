/* walk_dump.c - test driver: print the files cx_walk finds under one or more roots.
 *
 *   walk_dump [-n] [-c] [-E] [-x PATTERN]... ROOT...   list the files
 *   walk_dump -t RUNS [-x PATTERN]... ROOT              time the walk
 *
 * Output, per root: the root, then each path, then an empty record; records end in
 * NUL (or '\n' with -n). -c prints the skip counts of each root on stderr. -E reads
 * extra excludes for ROOT from the file ROOT.excludes (NUL-separated), if it exists.
 * -t walks RUNS times and prints the file count and the best and median times. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "walk/walk.h"

static int read_excludes(const char *root, char **buf, const char ***pats, size_t *n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.excludes", root);
	*buf = NULL;
	*pats = NULL;
	*n = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			*buf = realloc(*buf, cap);
			if (!*buf)
				return -1;
		}
		size_t got = fread(*buf + len, 1, cap - len - 1, f);
		if (!got)
			break;
		len += got;
	}
	fclose(f);
	(*buf)[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((*buf)[i] == '\0' || i == 0)
			(*n)++;
	*pats = calloc(*n + 1, sizeof **pats);
	if (!*pats)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < len;) {
		(*pats)[k++] = *buf + i;
		i += strlen(*buf + i) + 1;
	}
	*n = k;
	return 0;
}

static const char *const reason_names[CODEIDX_SKIP__COUNT] = {
	"ignored", "excluded", "binary", "too-large", "symlink", "special", "failed",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int sep = '\0', counts = 0, runs = 0, per_root = 0, opt;
	const char **excl = calloc((size_t)argc, sizeof *excl);
	size_t n_excl = 0;
	while ((opt = getopt(argc, argv, "ncEx:t:")) != -1) {
		switch (opt) {
		case 'n': sep = '\n'; break;
		case 'c': counts = 1; break;
		case 'E': per_root = 1; break;
		case 'x': excl[n_excl++] = optarg; break;
		case 't': runs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: walk_dump [-n] [-c] [-E] [-t RUNS] [-x PAT]... ROOT...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "walk_dump: no root given\n");
		return 2;
	}
	for (int a = optind; a < argc; a++) {
		const char *root = argv[a];
		int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			perror(root);
			return 1;
		}
		cx_walk_options o = {.excludes = excl, .n_excludes = n_excl};
		char *xbuf = NULL;
		const char **xpats = NULL;
		if (per_root) {
			size_t n;
			if (read_excludes(root, &xbuf, &xpats, &n)) {
				fprintf(stderr, "walk_dump: out of memory\n");
				return 1;
			}
			if (xpats) {
				o.excludes = xpats;
				o.n_excludes = n;
			}
		}
		cx_walk_result r;
		if (runs > 0) {
			double *t = calloc((size_t)runs, sizeof *t);
			size_t files = 0;
			for (int i = 0; i < runs; i++) {
				double t0 = cx_now();
				int rc = cx_walk(fd, &o, &r);
				t[i] = cx_now() - t0;
				if (rc) {
					fprintf(stderr, "walk_dump: %s: %s\n", codeidx_strerror(rc),
						codeidx_error_detail());
					return 1;
				}
				files = r.n_files;
				cx_walk_result_release(&r);
			}
			qsort(t, (size_t)runs, sizeof *t, cmp_double);
			printf("%s: %zu files, best %.1f ms, median %.1f ms over %d runs\n", root, files,
			       t[0] * 1e3, t[runs / 2] * 1e3, runs);
			free(t);
			free(xbuf);
			free(xpats);
			close(fd);
			continue;
		}
		int rc = cx_walk(fd, &o, &r);
		close(fd);
		if (rc) {
			fprintf(stderr, "walk_dump: %s: %s: %s\n", root, codeidx_strerror(rc),
				codeidx_error_detail());
			return 1;
		}
		fputs(root, stdout);
		putchar(sep);
		for (size_t i = 0; i < r.n_files; i++) {
			fwrite(r.files[i].path, 1, r.files[i].path_len, stdout);
			putchar(sep);
		}
		putchar(sep);
		if (counts) {
			fprintf(stderr, "%s:", root);
			for (int k = 0; k < CODEIDX_SKIP__COUNT; k++)
				fprintf(stderr, " %s=%llu", reason_names[k],
					(unsigned long long)r.skipped[k]);
			fprintf(stderr, "\n");
		}
		cx_walk_result_release(&r);
		free(xbuf);
		free(xpats);
	}
	free(excl);
	return fflush(stdout) ? 1 : 0;
}
