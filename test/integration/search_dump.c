/* search_dump.c - test driver: prints "path\0line\n" for every matching line of a
 * search, so file names with newlines or colons survive. Exit 0, or 2 on error.
 *   search_dump ROOT PATTERN [-F] [-i] [-w] [-m N] [-g GLOB]... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"

static int print(const codeidx_match *m, void *user)
{
	(void)user;
	if (!m->is_context) {
		fwrite(m->path, 1, strlen(m->path) + 1, stdout);
		printf("%llu\n", (unsigned long long)m->line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	const char *globs[16];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-F"))
			o.flags |= CODEIDX_SEARCH_LITERAL;
		else if (!strcmp(argv[i], "-i"))
			o.flags |= CODEIDX_SEARCH_IGNORE_CASE;
		else if (!strcmp(argv[i], "-w"))
			o.flags |= CODEIDX_SEARCH_WORD;
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			o.max_per_file = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-g") && i + 1 < argc && o.n_globs < 16)
			globs[o.n_globs++] = argv[++i];
	}
	o.globs = globs;
	codeidx *idx;
	int rc = codeidx_open(&idx, argv[1], NULL);
	if (!rc)
		rc = codeidx_search(idx, argv[2], strlen(argv[2]), &o, print, NULL, NULL);
	if (rc)
		fprintf(stderr, "search_dump: %s: %s\n", codeidx_strerror(rc), codeidx_error_detail());
	codeidx_close(idx);
	return rc ? 2 : 0;
}
