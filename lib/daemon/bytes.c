/* bytes.c - strict UTF-8 validation and base64 encoding/decoding for byte strings on the wire. */
#include "daemon/bytes.h"

#include <stdint.h>
#include <string.h>

int dx_utf8_plain(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p;
		if (c >= 0x01 && c < 0x80) {
			p++;
			continue;
		}
		if (c == 0)
			return 0;
		size_t need;
		unsigned lo = 0x80, hi = 0xbf; /* range of the first continuation byte */
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* past U+10FFFF */
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (size_t k = 2; k <= need; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		p += need + 1;
	}
	return 1;
}

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t dx_base64_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);
	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	return groups * 4;
}

void dx_base64_encode(const void *src, size_t n, char *out)
{
	const unsigned char *p = src;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = '=';
	}
	*out = '\0';
}

static int digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long long dx_base64_decode(const char *s, size_t n, unsigned char *out)
{
	if (n % 4)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int last = i + 4 == n;
		int d[4];
		for (int k = 0; k < 4; k++)
			d[k] = digit((unsigned char)s[i + k]);
		if (d[0] < 0 || d[1] < 0)
			return -1;
		size_t bytes = 3;
		if (d[3] < 0) {
			/* Padding only at the very end: "xy==" or "xyz=". */
			if (!last || s[i + 3] != '=')
				return -1;
			if (d[2] < 0) {
				if (s[i + 2] != '=' || (d[1] & 15))
					return -1;
				bytes = 1;
			} else {
				if (d[2] & 3)
					return -1;
				bytes = 2;
			}
		} else if (d[2] < 0) {
			return -1;
		}
		uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 |
			     (uint32_t)(d[2] < 0 ? 0 : d[2]) << 6 | (uint32_t)(d[3] < 0 ? 0 : d[3]);
		if (out) {
			out[o] = (unsigned char)(v >> 16);
			if (bytes > 1)
				out[o + 1] = (unsigned char)(v >> 8);
			if (bytes > 2)
				out[o + 2] = (unsigned char)v;
		}
		o += bytes;
	}
	return (long long)o;
}
