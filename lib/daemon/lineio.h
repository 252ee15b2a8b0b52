/* lineio.h - newline-delimited socket I/O: a bounded line reader and a complete, SIGPIPE-free writer. */
#ifndef DX_LINEIO_H
#define DX_LINEIO_H

#include <stddef.h>

#define DX_TIMEOUT 2 /* dx_reader_fill / dx_read_line: nothing arrived in time */

/* Buffered reader of one socket. Pending bytes are buf[start .. len); the first
 * `scanned` of them are known to hold no '\n'. */
typedef struct dx_reader {
	int fd;
	char *buf;
	size_t start, len, cap;
	size_t scanned;
	size_t max; /* longest line accepted, without its '\n' */
	int eof;
} dx_reader;

void dx_reader_init(dx_reader *r, int fd, size_t max);
void dx_reader_release(dx_reader *r);

/* Reads what the socket has, waiting up to timeout_ms (-1 forever, 0 not at all).
 * Returns 1 (bytes read), 0 (end of stream), DX_TIMEOUT, or CODEIDX_EIO /
 * CODEIDX_ENOMEM. Moves pending bytes: lines seen before are no longer valid. */
int dx_reader_fill(dx_reader *r, int timeout_ms);

/* The next complete pending line, without consuming it: 1 and *line / *len (without
 * the '\n'; not NUL-terminated; valid until the next fill), 0 if no complete line is
 * pending, CODEIDX_ELIMIT if the pending line is longer than `max`. */
int dx_reader_peek(dx_reader *r, const char **line, size_t *len);
/* Consumes the line returned by the last successful peek. */
void dx_reader_consume(dx_reader *r, size_t len);

/* Peek + consume, filling as needed within timeout_ms (-1 forever): 1 with a line, 0 at
 * the end of the stream (a last line without '\n' is dropped), DX_TIMEOUT, or an
 * error as above. */
int dx_read_line(dx_reader *r, const char **line, size_t *len, int timeout_ms);

/* Writes all n bytes (MSG_NOSIGNAL). Returns 0, or CODEIDX_DAEMON_EDISCONNECTED when
 * the peer is gone or did not read within the socket's send timeout. */
int dx_write_all(int fd, const char *p, size_t n);

#endif
