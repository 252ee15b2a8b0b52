/* lineio.c - bounded newline-delimited reading and complete writing on stream sockets. */
#include "daemon/lineio.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "codeidx_daemon.h"
#include "daemon/error.h"

#define CHUNK (64u << 10)

void dx_reader_init(dx_reader *r, int fd, size_t max)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->max = max;
}

void dx_reader_release(dx_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->start = r->len = r->cap = r->scanned = 0;
}

/* Makes room for CHUNK more bytes: first by dropping consumed bytes, then by growing. */
static int make_room(dx_reader *r)
{
	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->cap - r->len >= CHUNK)
		return 0;
	size_t cap = r->cap ? r->cap : CHUNK;
	while (cap - r->len < CHUNK) {
		if (cap > SIZE_MAX / 2)
			return dx_error(CODEIDX_ENOMEM, "line buffer too large");
		cap *= 2;
	}
	char *b = realloc(r->buf, cap);
	if (!b)
		return dx_error(CODEIDX_ENOMEM, "line buffer: out of memory");
	r->buf = b;
	r->cap = cap;
	return 0;
}

int dx_reader_fill(dx_reader *r, int timeout_ms)
{
	if (r->eof)
		return 0;
	int rc = make_room(r);
	if (rc)
		return rc;
	for (;;) {
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		int n = poll(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dx_error_errno(CODEIDX_EIO, "poll");
		if (n == 0)
			return DX_TIMEOUT;
		ssize_t got = recv(r->fd, r->buf + r->len, r->cap - r->len, MSG_DONTWAIT);
		if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (timeout_ms == 0)
				return DX_TIMEOUT;
			continue;
		}
		if (got < 0 && (errno == ECONNRESET || errno == EPIPE)) {
			r->eof = 1;
			return 0;
		}
		if (got < 0)
			return dx_error_errno(CODEIDX_EIO, "recv");
		if (got == 0) {
			r->eof = 1;
			return 0;
		}
		r->len += (size_t)got;
		return 1;
	}
}

int dx_reader_peek(dx_reader *r, const char **line, size_t *len)
{
	size_t pending = r->len - r->start;
	char *from = r->buf + r->start;
	char *nl = pending > r->scanned ? memchr(from + r->scanned, '\n', pending - r->scanned)
					 : NULL;
	if (!nl) {
		r->scanned = pending;
		if (pending > r->max)
			return dx_error(CODEIDX_ELIMIT, "line longer than %zu bytes", r->max);
		return 0;
	}
	size_t n = (size_t)(nl - from);
	if (n > r->max)
		return dx_error(CODEIDX_ELIMIT, "line of %zu bytes, longer than %zu", n, r->max);
	*line = from;
	*len = n;
	return 1;
}

void dx_reader_consume(dx_reader *r, size_t len)
{
	r->start += len + 1;
	r->scanned = 0;
	if (r->start == r->len)
		r->start = r->len = 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dx_read_line(dx_reader *r, const char **line, size_t *len, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	for (;;) {
		int rc = dx_reader_peek(r, line, len);
		if (rc == 1) {
			dx_reader_consume(r, *len);
			return 1;
		}
		if (rc)
			return rc;
		int wait = -1;
		if (timeout_ms >= 0) {
			long long left = deadline - now_ms();
			wait = left > 0 ? (int)left : 0;
		}
		rc = dx_reader_fill(r, wait);
		if (rc != 1)
			return rc;
	}
}

int dx_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return dx_error(CODEIDX_DAEMON_EDISCONNECTED,
					"peer did not read within the send timeout");
		if (w < 0)
			return dx_error_errno(CODEIDX_DAEMON_EDISCONNECTED, "send");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
