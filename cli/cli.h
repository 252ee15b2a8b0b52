/* cli.h - what the command line's files share: the chosen root, error printing, option helpers. */
#ifndef CODEIDX_CLI_H
#define CODEIDX_CLI_H

#include "codeidx.h"
#include "codeidx_daemon.h"

typedef struct cli {
	const char *root;        /* canonical: -C DIR, else the nearest parent with .codeidx/, else . */
	unsigned int auto_flags; /* CODEIDX_DAEMON_AUTO_NO_DAEMON with --no-daemon */
} cli;

/* Each prints one line on stderr and returns 2: a message, the daemon library's last
 * error, "no index here, create one so". */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(int code);
int cli_no_index(const cli *c);
/* Opens the root (through its daemon if one serves it); 0, or 2 after a message. */
int cli_open(const cli *c, codeidx_daemon_auto **a, unsigned int flags);
/* A decimal option value up to max into *out; 0, or 2 after a message. */
int cli_number(const char *opt, const char *s, unsigned long long max, unsigned long long *out);
/* Prints a command's help and returns 0; after a rejected option, points to it and returns 2. */
int cli_help(const char *cmd, const char *text, int rejected);

int cmd_index(const cli *c, int argc, char **argv);
int cmd_search(const cli *c, int argc, char **argv);

#endif
