/* index_and_search.c - example: index a directory tree, then search it like grep. */
/*
 * Usage: index_and_search [-F] [-i] ROOT PATTERN
 *
 * Opens (creating if needed) the index in ROOT/.codeidx/, brings it up to date with
 * the tree, then prints every matching line as "path:line:column:text", followed by a
 * one-line summary. Exit status: 0 if something matched, 1 if nothing did, 2 on error
 * (grep's convention).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codeidx.h"

/* Prints a library error with its name and the thread-local detail message. */
static int report(const char *what, int rc)
{
	fprintf(stderr, "index_and_search: %s: %s (%s)\n", what, codeidx_strerror(rc),
		codeidx_error_detail());
	return 2;
}

/* Match callback: called once per output line, in path then line order, on the thread
 * that called codeidx_search. Everything in `m` is valid only during the call, so a
 * program that keeps matches must copy them. Returning non-zero would stop the search. */
static int print_match(const codeidx_match *m, void *user)
{
	uint64_t *printed = user;
	printf("%s:%" PRIu64 ":%" PRIu64 ":", m->path, m->line, m->column);
	fwrite(m->text, 1, m->text_len, stdout); /* the line may hold NUL bytes */
	putchar('\n');
	(*printed)++;
	return 0;
}

int main(int argc, char **argv)
{
	/* 1. Options: -F (fixed string) and -i (ignore case) map to search flags. */
	codeidx_search_options so = CODEIDX_SEARCH_OPTIONS_INIT;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-F"))
			so.flags |= CODEIDX_SEARCH_LITERAL;
		else if (!strcmp(argv[i], "-i"))
			so.flags |= CODEIDX_SEARCH_IGNORE_CASE;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: index_and_search [-F] [-i] ROOT PATTERN\n");
		return 2;
	}
	const char *root = argv[i], *pattern = argv[i + 1];

	/* 2. Open the index; CODEIDX_OPEN_CREATE makes ROOT/.codeidx/ on first use. */
	codeidx_open_options oo = CODEIDX_OPEN_OPTIONS_INIT;
	oo.flags = CODEIDX_OPEN_CREATE;
	codeidx *idx;
	int rc = codeidx_open(&idx, root, &oo);
	if (rc)
		return report("open", rc);

	/* 3. Update: only new and changed files are read; the result says what happened. */
	codeidx_update_result ur = CODEIDX_UPDATE_RESULT_INIT;
	rc = codeidx_update(idx, NULL, &ur);
	if (rc) {
		report("update", rc);
		codeidx_close(idx);
		return 2;
	}
	printf("indexed generation %" PRIu64 ": %" PRIu64 " new, %" PRIu64 " changed, %" PRIu64
	       " unchanged, %" PRIu64 " deleted\n",
	       ur.generation, ur.files_new, ur.files_changed, ur.files_unchanged,
	       ur.files_deleted);

	/* 4. Search: the trigram index picks candidate files, the real matcher decides. */
	uint64_t printed = 0;
	codeidx_search_result sr = CODEIDX_SEARCH_RESULT_INIT;
	rc = codeidx_search(idx, pattern, strlen(pattern), &so, print_match, &printed, &sr);
	if (rc) {
		report("search", rc);
		codeidx_close(idx);
		return 2;
	}
	printf("%" PRIu64 " matching lines in %" PRIu64 " files (%" PRIu64 " candidates of %" PRIu64
	       " indexed)\n",
	       sr.lines_matched, sr.files_matched, sr.candidates, sr.files_indexed);

	/* 5. Close frees everything the handle owns. */
	codeidx_close(idx);
	return sr.lines_matched ? 0 : 1;
}
