/* jsonwrite.c - direct JSON writing of byte strings, exact counters and doubles into a reused buffer. */
#include "daemon/jsonwrite.h"
#include "daemon/error.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bytes.h"

void dx_jw_release(dx_jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

void dx_jw_reset(dx_jw *w)
{
	w->len = 0;
	w->oom = 0;
}

/* Makes room for n more bytes plus a NUL; returns the write position or NULL. */
static char *room(dx_jw *w, size_t n)
{
	if (w->oom)
		return NULL;
	if (n + 1 > w->cap - w->len || !w->buf) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap - w->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				w->oom = 1;
				return NULL;
			}
			cap *= 2;
		}
		char *b = realloc(w->buf, cap);
		if (!b) {
			w->oom = 1;
			return NULL;
		}
		w->buf = b;
		w->cap = cap;
	}
	return w->buf + w->len;
}

void dx_jw_raw(dx_jw *w, const char *s, size_t n)
{
	char *p = room(w, n);
	if (!p)
		return;
	memcpy(p, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void dx_jw_bool(dx_jw *w, int b)
{
	if (b)
		dx_jw_lit(w, "true");
	else
		dx_jw_lit(w, "false");
}

void dx_jw_u64(dx_jw *w, uint64_t v)
{
	char digits[20];
	size_t n = 0;
	uint64_t x = v;
	do {
		digits[n++] = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	int quoted = v > (1ull << 53); /* beyond exact doubles: a decimal string */
	char *p = room(w, n + 2);
	if (!p)
		return;
	if (quoted)
		*p++ = '"';
	while (n)
		*p++ = digits[--n];
	if (quoted)
		*p++ = '"';
	*p = '\0';
	w->len = (size_t)(p - w->buf);
}

/* The "C" locale, made once: %g must print '.' whatever locale the host program set. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

void dx_jw_double(dx_jw *w, double d)
{
	if (isnan(d)) {
		dx_jw_lit(w, "\"NaN\"");
		return;
	}
	if (isinf(d)) {
		if (d > 0)
			dx_jw_lit(w, "\"Infinity\"");
		else
			dx_jw_lit(w, "\"-Infinity\"");
		return;
	}
	char text[40];
	size_t n = dx_format_double(d, text);
	dx_jw_raw(w, text, n);
}

size_t dx_format_double(double d, char out[40])
{
	pthread_once(&c_locale_once, make_c_locale);
	locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
	int n = snprintf(out, 40, "%.17g", d); /* at most 24 characters */
	if (old)
		uselocale(old);
	return n > 0 && n < 40 ? (size_t)n : 0;
}

/* Appends p[0..n) as the inside of a JSON string (the bytes are plain UTF-8). */
static void escape(dx_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			dx_jw_raw(w, s + i, run - i);
			i = run;
			if (i == n)
				break;
		}
		unsigned char c = p[i++];
		char esc[6] = {'\\', 0};
		size_t len = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		dx_jw_raw(w, esc, len);
	}
}

void dx_jw_bytes(dx_jw *w, const char *p, size_t n)
{
	if (dx_utf8_plain(p, n)) {
		dx_jw_lit(w, "\"");
		escape(w, p, n);
		dx_jw_lit(w, "\"");
		return;
	}
	size_t blen = dx_base64_len(n);
	if (!blen && n) {
		w->oom = 1;
		return;
	}
	dx_jw_lit(w, "{\"bytes\":\"");
	char *at = room(w, blen);
	if (!at)
		return;
	dx_base64_encode(p, n, at); /* writes blen bytes and a NUL */
	w->len += blen;
	dx_jw_lit(w, "\"}");
}

int dx_jw_finish(dx_jw *w, int rc, const char *what, char **out, size_t *len)
{
	if (!rc && w->oom)
		rc = dx_error(CODEIDX_ENOMEM, "%s: out of memory", what);
	if (rc) {
		dx_jw_release(w);
		return rc;
	}
	*out = w->buf;
	if (len)
		*len = w->len;
	return 0;
}
