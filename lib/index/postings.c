/* postings.c - encode and decode one posting list: delta varints or a bitmap. */
#include "index/postings.h"

#include "codeidx.h"
#include "common/varint.h"
#include "index/segment_format.h"

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

int cx_postings_encode(const uint32_t *ids, size_t n, cx_buf *out)
{
	size_t vlen = varint_len(ids[0]);
	for (size_t i = 1; i < n; i++)
		vlen += varint_len(ids[i] - ids[i - 1]);
	uint32_t span = ids[n - 1] - ids[0] + 1;
	size_t blen = varint_len(ids[0]) + (span + 7) / 8;
	int kind = blen < vlen ? CX_LIST_BITMAP : CX_LIST_VARINT;
	size_t len = kind == CX_LIST_BITMAP ? blen : vlen;
	if (cx_buf_reserve(out, len + CX_VARINT_MAX))
		return CODEIDX_ENOMEM;
	uint8_t *p = out->data + out->len;
	size_t k = cx_varint_put(p, ids[0]);
	if (kind == CX_LIST_VARINT) {
		for (size_t i = 1; i < n; i++)
			k += cx_varint_put(p + k, ids[i] - ids[i - 1]);
	} else {
		uint8_t *bits = p + k;
		memset(bits, 0, (span + 7) / 8);
		for (size_t i = 0; i < n; i++) {
			uint32_t d = ids[i] - ids[0];
			bits[d >> 3] |= (uint8_t)(1u << (d & 7));
		}
		k += (span + 7) / 8;
	}
	out->len += k;
	return kind;
}

int cx_postings_decode(int kind, const uint8_t *p, size_t len, size_t n, uint32_t limit,
		       uint32_t *out)
{
	const uint8_t *end = p + len;
	uint64_t v;
	if (n == 0 || cx_varint_get(&p, end, &v) || v >= limit)
		return -1;
	out[0] = (uint32_t)v;
	if (kind == CX_LIST_VARINT) {
		uint64_t cur = v;
		for (size_t i = 1; i < n; i++) {
			if (cx_varint_get(&p, end, &v) || v == 0 || v >= limit)
				return -1; /* a delta >= limit could also wrap the sum */
			cur += v;
			if (cur >= limit)
				return -1;
			out[i] = (uint32_t)cur;
		}
		return p == end ? 0 : -1;
	}
	if (kind != CX_LIST_BITMAP)
		return -1;
	size_t k = 1;
	uint64_t base = out[0];
	for (size_t byte = 0; p + byte < end; byte++) {
		unsigned bits = p[byte];
		while (bits) {
			unsigned b = (unsigned)__builtin_ctz(bits);
			bits &= bits - 1;
			uint64_t id = base + byte * 8 + b;
			if (id == base)
				continue;
			if (k >= n || id >= limit)
				return -1;
			out[k++] = (uint32_t)id;
		}
	}
	/* The first bit must be set and the last byte must not be empty padding. */
	return k == n && len > 0 && (p < end && (p[0] & 1)) && end[-1] != 0 ? 0 : -1;
}

int cx_postings_filter(int kind, const uint8_t *p, size_t len, size_t n, uint32_t limit,
		       uint32_t *ids, size_t *n_ids)
{
	const uint8_t *end = p + len;
	uint64_t cur;
	if (n == 0 || cx_varint_get(&p, end, &cur) || cur >= limit)
		return -1;
	size_t keep = 0;
	if (kind == CX_LIST_BITMAP) {
		if (p == end || !(p[0] & 1) || end[-1] == 0)
			return -1;
		for (size_t i = 0; i < *n_ids; i++) {
			uint64_t d = (uint64_t)ids[i] - cur;
			if (ids[i] >= cur && d / 8 < (uint64_t)(end - p) && (p[d / 8] >> (d % 8) & 1))
				ids[keep++] = ids[i];
		}
		*n_ids = keep;
		return 0;
	}
	if (kind != CX_LIST_VARINT)
		return -1;
	size_t i = 0, seen = 1;
	for (;;) {
		while (i < *n_ids && ids[i] < cur)
			i++;
		if (i < *n_ids && ids[i] == cur)
			ids[keep++] = ids[i++];
		if (i == *n_ids || seen == n)
			break;
		/* Skip the list up to the next id asked: this loop is most of a search's
		 * candidate phase, so a one-byte delta (1..127) takes the short path. Every
		 * delta is positive, so cur only grows: checking it against the limit once
		 * the run ends is as strict as after each step. */
		uint32_t target = ids[i];
		while (cur < target && seen < n) {
			if (p < end && (uint8_t)(*p - 1) < 0x7f) {
				cur += *p++;
			} else {
				uint64_t v;
				if (cx_varint_get(&p, end, &v) || v == 0 || v >= limit)
					return -1;
				cur += v;
			}
			seen++;
		}
		if (cur >= limit)
			return -1;
	}
	*n_ids = keep;
	return seen < n || p == end ? 0 : -1;
}
