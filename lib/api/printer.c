/* printer.c - codeidx_printer: the lines of a search as grep -Hn prints them, with ripgrep's colors. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"

#define COLOR_PATH "\033[35m"
#define COLOR_LINE "\033[32m"
#define COLOR_MATCH "\033[1;31m"
#define COLOR_END "\033[0m"

struct codeidx_printer {
	int fd;
	unsigned flags;      /* CODEIDX_PRINT_* */
	int write_errno;     /* of the first failed write; 0 if none */
	int printed;         /* a line was printed: the next group gets "--" before it */
	uint64_t last_line;  /* last line printed of the current file; 0 before its first */
	uint64_t count;      /* matching lines of the current file */
	char *path;          /* the current file's path (for its count); malloc'd */
	size_t len;          /* bytes in buf */
	char buf[1 << 16];
};

static void flush(codeidx_printer *p)
{
	for (size_t at = 0; at < p->len && !p->write_errno;) {
		ssize_t w = write(p->fd, p->buf + at, p->len - at);
		if (w < 0 && errno != EINTR)
			p->write_errno = errno;
		at += w > 0 ? (size_t)w : 0;
	}
	p->len = 0;
}

static void put(codeidx_printer *p, const char *s, size_t n)
{
	while (n && !p->write_errno) {
		size_t room = sizeof p->buf - p->len, k = n < room ? n : room;
		memcpy(p->buf + p->len, s, k);
		p->len += k;
		s += k;
		n -= k;
		if (p->len == sizeof p->buf)
			flush(p);
	}
}

static void put_str(codeidx_printer *p, const char *s)
{
	put(p, s, strlen(s));
}

/* "path<end>", the path colored. */
static void put_path(codeidx_printer *p, const char *path, const char *end)
{
	int color = p->flags & CODEIDX_PRINT_COLOR;
	put_str(p, color ? COLOR_PATH : "");
	put_str(p, path);
	put_str(p, color ? COLOR_END : "");
	put_str(p, end);
}

/* The -c line of the file that just ended. */
static void end_file(codeidx_printer *p)
{
	if ((p->flags & CODEIDX_PRINT_COUNT) && p->path && p->count) {
		char n[32];
		snprintf(n, sizeof n, "%" PRIu64 "\n", p->count);
		put_path(p, p->path, ":");
		put_str(p, n);
	}
	free(p->path);
	p->path = NULL;
}

CODEIDX_API int codeidx_printer_new(codeidx_printer **out, int fd, unsigned flags)
{
	cx_error_clear();
	if (!out || fd < 0)
		return cx_error(CODEIDX_EINVAL, "codeidx_printer_new: %s", out ? "bad fd" : "out is NULL");
	*out = calloc(1, sizeof **out);
	if (!*out)
		return CODEIDX_ENOMEM;
	(*out)->fd = fd;
	(*out)->flags = flags;
	return 0;
}

CODEIDX_API int codeidx_printer_match(const codeidx_match *m, void *printer)
{
	codeidx_printer *p = printer;
	int counting = p->flags & (CODEIDX_PRINT_COUNT | CODEIDX_PRINT_FILES);
	if (m->file_start) {
		end_file(p);
		p->count = p->last_line = 0;
		if (counting && !(p->path = strdup(m->path)))
			p->write_errno = ENOMEM;
	}
	if (!m->is_context && p->count++ == 0 && (p->flags & CODEIDX_PRINT_FILES))
		put_path(p, m->path, "\n");
	if (counting)
		return p->write_errno != 0;
	if ((p->flags & CODEIDX_PRINT_GROUPS) && p->printed &&
	    (!p->last_line || m->line > p->last_line + 1))
		put_str(p, "--\n");
	p->printed = 1;
	p->last_line = m->line;
	const char *sep = m->is_context ? "-" : ":";
	int color = p->flags & CODEIDX_PRINT_COLOR;
	char num[48];
	snprintf(num, sizeof num, "%s%" PRIu64 "%s%s", color ? COLOR_LINE : "", m->line,
		 color ? COLOR_END : "", sep);
	put_path(p, m->path, sep);
	put_str(p, num);
	size_t at = 0;
	for (size_t i = 0; color && i < m->n_spans; i++) {
		put(p, m->text + at, m->spans[i].start - at);
		put_str(p, COLOR_MATCH);
		put(p, m->text + m->spans[i].start, m->spans[i].end - m->spans[i].start);
		put_str(p, COLOR_END);
		at = m->spans[i].end;
	}
	put(p, m->text + at, m->text_len - at);
	put(p, "\n", 1);
	return p->write_errno != 0;
}

CODEIDX_API int codeidx_printer_finish(codeidx_printer *p)
{
	cx_error_clear();
	if (!p)
		return 0;
	end_file(p);
	flush(p);
	int e = p->write_errno;
	free(p);
	errno = e;
	return e ? cx_error_errno(CODEIDX_EIO, "cannot write the output") : 0;
}
