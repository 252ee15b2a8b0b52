/* search.c - `codeidx search`: grep's flags in, path:line:text (or counts, paths, JSON) out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_search[] =
	"usage: codeidx search [OPTIONS] PATTERN | -e PATTERN...   (PCRE2, as grep -P)\n"
	"  -F fixed strings  -i ignore case  -w whole words  -e PAT (repeat: any of them)\n"
	"  -g GLOB, -g !GLOB  only (or not) these paths   -t LANG  only this language\n"
	"  -A/-B/-C N  context lines   -l  paths only   -c  counts only   -m N  per file\n"
	"  --json  the daemon's JSON objects   --color=auto|always|never (NO_COLOR honored)\n"
	"Prints path:line:text; exit 0 if a line matched, 1 if none did, 2 on error.\n";

/* --json: each line as the daemon's match object. */
static int print_json(const codeidx_match *m, void *user)
{
	char *line; /* NUL-free: bytes that are not text are base64 */
	if (codeidx_daemon_match_to_json(m, &line, NULL) == 0)
		printf("%s\n", line), codeidx_daemon_free(line);
	return ferror(stdout);
}

/* One pattern from several -e: lines that match any of them. Fixed strings are
 * separated by '\n' (as grep -F reads them), regexes become an alternation. */
static char *join_patterns(char **pats, size_t n, int literal)
{
	if (n == 1) /* as given, so that error offsets point into it */
		return strdup(pats[0]);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(pats[i]) + 6;
	char *p = malloc(len), *at = p;
	for (size_t i = 0; p && i < n; i++)
		at += snprintf(at, len - (size_t)(at - p), literal ? "%s%s" : "%s(?:%s)",
			       i ? (literal ? "\n" : "|") : "", pats[i]);
	return p;
}

int cmd_search(const cli *c, int argc, char **argv)
{
	codeidx_search_options o = CODEIDX_SEARCH_OPTIONS_INIT;
	char **pats = calloc(3 * ((size_t)argc + 1), sizeof *pats); /* patterns, globs, langs */
	if (!pats)
		return 2;
	const char **globs = (const char **)pats + argc + 1, **langs = globs + argc + 1;
	const char *color = "auto";
	size_t n_pats = 0;
	unsigned print = 0;
	int json = 0;
	unsigned long long ctx[3] = {0, ~0ull, ~0ull}, max = ~0ull; /* -C, -A, -B, -m */
	static const struct option longs[] = {
		{"color", required_argument, 0, 'K'}, {"json", no_argument, 0, 'J'},
		{"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
	int opt, rc = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, "e:FiwlcA:B:C:g:t:m:", longs, NULL)) != -1) {
		switch (opt) {
		case 'e': pats[n_pats++] = optarg; break;
		case 'F': o.flags |= CODEIDX_SEARCH_LITERAL; break;
		case 'i': o.flags |= CODEIDX_SEARCH_IGNORE_CASE; break;
		case 'w': o.flags |= CODEIDX_SEARCH_WORD; break;
		case 'l': print |= CODEIDX_PRINT_FILES; break;
		case 'c': print |= CODEIDX_PRINT_COUNT; break;
		case 'J': json = 1; break;
		case 'K': color = optarg; break;
		case 'g': globs[o.n_globs++] = optarg; break;
		case 't': langs[o.n_languages++] = optarg; break;
		case 'm': rc = cli_number("-m", optarg, ~0ull, &max); break;
		case 'A': case 'B': case 'C': /* grep prints "--" even for -A 0 */
			print |= CODEIDX_PRINT_GROUPS;
			rc = cli_number(opt == 'A' ? "-A" : opt == 'B' ? "-B" : "-C", optarg,
					CODEIDX_MAX_CONTEXT, &ctx[strchr("CAB", opt) - "CAB"]);
			break;
		default: free(pats); return cli_help("search", usage_search, opt != 'h');
		}
	}
	if (rc == 0 && n_pats == 0 && optind < argc)
		pats[n_pats++] = argv[optind++];
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	if (!strcmp(color, "always") || (!strcmp(color, "auto") && isatty(STDOUT_FILENO) &&
					  !(no_color && *no_color) && !(term && !strcmp(term, "dumb"))))
		print |= CODEIDX_PRINT_COLOR;
	int lines = !(print & (CODEIDX_PRINT_FILES | CODEIDX_PRINT_COUNT));
	o.max_per_file = print & CODEIDX_PRINT_FILES ? 1 : max == ~0ull ? 0 : max;
	o.after = lines ? (unsigned)(ctx[1] != ~0ull ? ctx[1] : ctx[0]) : 0;
	o.before = lines ? (unsigned)(ctx[2] != ~0ull ? ctx[2] : ctx[0]) : 0;
	o.globs = globs;
	o.languages = langs;
	if (rc == 0 && (n_pats == 0 || optind < argc))
		rc = n_pats ? cli_error("search: unexpected argument '%s'", argv[optind])
			    : cli_error("search: no pattern (see codeidx search --help)");
	if (rc == 0 && strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))
		rc = cli_error("--color wants auto, always or never, not '%s'", color);
	if (rc == 0 && json && !lines)
		rc = cli_error("--json cannot be combined with -l or -c");
	if (rc == 0 && max == 0)
		rc = 1; /* grep -m 0: nothing to look for */
	char *pattern = rc ? NULL : join_patterns(pats, n_pats, o.flags & CODEIDX_SEARCH_LITERAL);
	codeidx_daemon_auto *a = NULL;
	codeidx_printer *p = NULL;
	if (rc == 0 && (rc = pattern ? cli_open(c, &a, 0) : 2) == 0 &&
	    (json || (rc = codeidx_printer_new(&p, STDOUT_FILENO, print) ? 2 : 0) == 0)) {
		codeidx_search_result r = CODEIDX_SEARCH_RESULT_INIT;
		rc = codeidx_daemon_auto_search(a, pattern, strlen(pattern), &o,
						json ? print_json : codeidx_printer_match, p, &r);
		int out = json ? fflush(stdout) : codeidx_printer_finish(p);
		rc = rc ? cli_fail(rc) : out ? cli_error("cannot write the output")
		   : r.generation == 0 ? cli_no_index(c) : !r.lines_matched;
	}
	codeidx_daemon_auto_close(a);
	free(pattern);
	free(pats);
	return rc;
}
