/* matcher.c - grep-style line matching with PCRE2 (JIT) or, for plain fixed strings,
 * memmem. Patterns are matched on raw bytes (PCRE2 without UTF), per line. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "search/matcher.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/newlines.h"
#include "search/find.h"
#include "search/find_fold.h"
#include "search/literal.h"

struct cx_matcher {
	pcre2_code *code;    /* NULL in fixed-string mode */
	int per_line;        /* the pattern needs each line as its own subject */
	char *needle;        /* fixed-string mode: the string */
	size_t needle_len;
	/* Bytes every match contains (0 = none known): lines without them are skipped
	 * with memmem before the regex runs. */
	char lit[256];
	size_t lit_len;
	int lit_fold;          /* lit is matched ignoring ASCII case (-i) */
	cx_finder find_lit;    /* over lit, when lit_len and not lit_fold */
	cx_fold_finder find_lit_fold; /* over lit, when lit_len and lit_fold */
	cx_finder find_needle; /* over needle, in fixed-string mode */
};

struct cx_match_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
};

/* Appends `lit` to `b` as a regex that matches exactly those bytes. */
static int escape_literal(cx_buf *b, const char *lit, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)lit[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_') {
			if (cx_buf_append(b, &lit[i], 1))
				return CODEIDX_ENOMEM;
		} else {
			char e[6] = {'\\', 'x', '{', hex[c >> 4], hex[c & 15], '}'};
			if (cx_buf_append(b, e, sizeof e))
				return CODEIDX_ENOMEM;
		}
	}
	return 0;
}

/* Builds the regex source: fixed strings become escaped alternatives (a '\n'
 * separates them, as in grep -F); -w wraps the pattern as grep -P -w does. */
static int build_source(cx_buf *src, const char *pat, size_t len, unsigned flags)
{
	int rc = 0;
	if (flags & CODEIDX_SEARCH_WORD)
		rc |= cx_buf_append(src, "(?<!\\w)(?:", 10);
	if (flags & CODEIDX_SEARCH_LITERAL) {
		size_t start = 0;
		for (size_t i = 0; i <= len && !rc; i++) {
			if (i < len && pat[i] != '\n')
				continue;
			if (start && cx_buf_append(src, "|", 1))
				return CODEIDX_ENOMEM;
			rc = escape_literal(src, pat + start, i - start);
			start = i + 1;
		}
	} else {
		rc |= cx_buf_append(src, pat, len);
	}
	if (flags & CODEIDX_SEARCH_WORD)
		rc |= cx_buf_append(src, ")(?!\\w)", 7);
	return rc ? CODEIDX_ENOMEM : 0;
}

/* Whether whole-buffer matching could miss a line that per-line matching finds for this
 * pattern: subject anchors, lookarounds (they see the '\n' around a line), verbs,
 * inline flag changes, and atomic groups and possessive quantifiers (they can swallow a
 * '\n' and not give it back). Conservative: a false alarm only costs speed. */
static int needs_per_line(const char *p, size_t n)
{
	static const char *const risky[] = {"\\A", "\\z", "\\Z", "\\G", "(?<", "(*", "(?-", "(?^",
					    "(?=", "(?!", "(?>", "*+", "++", "?+", "}+"};
	for (size_t r = 0; r < sizeof risky / sizeof *risky; r++)
		if (memmem(p, n, risky[r], strlen(risky[r])))
			return 1;
	/* (?i-m) style groups: a '-' among inline flags. */
	for (size_t i = 0; i + 2 < n; i++)
		if (p[i] == '(' && p[i + 1] == '?')
			for (size_t j = i + 2; j < n && p[j] != ')' && p[j] != ':'; j++)
				if (p[j] == '-')
					return 1;
	return 0;
}

int cx_matcher_new(cx_matcher **out, const char *pattern, size_t len, unsigned flags)
{
	*out = NULL;
	if (len > CODEIDX_MAX_PATTERN)
		return cx_error(CODEIDX_ELIMIT, "pattern of %zu bytes exceeds the limit of %u", len,
				CODEIDX_MAX_PATTERN);
	cx_matcher *m = calloc(1, sizeof *m);
	if (!m)
		return CODEIDX_ENOMEM;
	if (flags == CODEIDX_SEARCH_LITERAL && len > 0 && !memchr(pattern, '\n', len)) {
		m->needle = malloc(len);
		if (!m->needle) {
			free(m);
			return CODEIDX_ENOMEM;
		}
		memcpy(m->needle, pattern, len);
		m->needle_len = len;
		cx_finder_init(&m->find_needle, m->needle, len);
		*out = m;
		return 0;
	}
	cx_buf src = CX_BUF_INIT;
	int rc = build_source(&src, pattern, len, flags);
	if (rc) {
		free(m);
		cx_buf_release(&src);
		return rc;
	}
	uint32_t opts = PCRE2_MULTILINE;
	if (flags & CODEIDX_SEARCH_IGNORE_CASE)
		opts |= PCRE2_CASELESS;
	int err;
	PCRE2_SIZE off;
	m->code = pcre2_compile(src.data ? src.data : (const uint8_t *)"", src.len, opts, &err,
				&off, NULL);
	if (!m->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		/* Offsets refer to the user's pattern unless it was rewritten. */
		rc = cx_error(CODEIDX_EPATTERN, "%s at offset %zu%s", (char *)msg, (size_t)off,
			      flags & (CODEIDX_SEARCH_WORD | CODEIDX_SEARCH_LITERAL)
				      ? " of the rewritten pattern"
				      : "");
		cx_buf_release(&src);
		free(m);
		return rc;
	}
	/* Judged on the user's pattern: the -w wrapper's lookbehind sees '\n' before a
	 * line, which is no word byte, exactly like the start of a line. */
	m->per_line = !(flags & CODEIDX_SEARCH_LITERAL) && needs_per_line(pattern, len);
	if (!(flags & CODEIDX_SEARCH_LITERAL))
		m->lit_len = cx_required_literal(pattern, len, m->lit, sizeof m->lit);
	else if (!memchr(pattern, '\n', len))
		memcpy(m->lit, pattern, m->lit_len = len < sizeof m->lit ? len : sizeof m->lit);
	m->lit_fold = (flags & CODEIDX_SEARCH_IGNORE_CASE) != 0;
	if (m->lit_len < 2)
		m->lit_len = 0;
	else if (m->lit_fold)
		cx_fold_finder_init(&m->find_lit_fold, m->lit, m->lit_len);
	else
		cx_finder_init(&m->find_lit, m->lit, m->lit_len);
	cx_buf_release(&src);
	pcre2_jit_compile(m->code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	*out = m;
	return 0;
}

void cx_matcher_free(cx_matcher *m)
{
	if (!m)
		return;
	pcre2_code_free(m->code);
	free(m->needle);
	free(m);
}

cx_match_scratch *cx_match_scratch_new(void)
{
	cx_match_scratch *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	/* One pair: only the whole match is read (PCRE2 then returns 0, not a count). */
	s->md = pcre2_match_data_create(1, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	s->stack = pcre2_jit_stack_create(32 << 10, 4 << 20, NULL);
	if (!s->md || !s->mctx || !s->stack) {
		cx_match_scratch_free(s);
		return NULL;
	}
	pcre2_jit_stack_assign(s->mctx, NULL, s->stack);
	return s;
}

void cx_match_scratch_free(cx_match_scratch *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->stack);
	free(s);
}

void cx_hits_clear(cx_hits *h)
{
	h->n = h->n_spans = 0;
	h->matched = 0;
}

void cx_hits_release(cx_hits *h)
{
	free(h->lines);
	free(h->spans);
	memset(h, 0, sizeof *h);
}

static int push_line(cx_hits *h, uint64_t line, size_t start, size_t len, int ctx)
{
	if (h->n == h->cap) {
		size_t c = h->cap ? h->cap * 2 : 16;
		cx_hit *p = cx_reallocarray(h->lines, c, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		h->lines = p;
		h->cap = c;
	}
	h->lines[h->n++] = (cx_hit){line, start, len, h->n_spans, 0, ctx};
	return 0;
}

static int push_span(cx_hits *h, size_t s, size_t e)
{
	if (h->n_spans == h->cap_spans) {
		size_t c = h->cap_spans ? h->cap_spans * 2 : 16;
		codeidx_span *p = cx_reallocarray(h->spans, c, sizeof *p);
		if (!p)
			return CODEIDX_ENOMEM;
		h->spans = p;
		h->cap_spans = c;
	}
	h->spans[h->n_spans++] = (codeidx_span){s, e};
	h->lines[h->n - 1].n_spans++;
	return 0;
}

/* All matches within one line (the line is the whole subject). Returns the number
 * found (pushing spans after a provisional hit line), or a negative error. */
static int line_spans(const cx_matcher *m, cx_match_scratch *s, const uint8_t *line,
		      size_t len, cx_hits *h)
{
	int found = 0;
	if (m->needle) {
		const uint8_t *p = line, *end = line + len;
		while ((size_t)(end - p) >= m->needle_len) {
			const uint8_t *q = cx_finder_find(&m->find_needle, p, (size_t)(end - p));
			if (!q)
				break;
			if (push_span(h, (size_t)(q - line), (size_t)(q - line) + m->needle_len))
				return CODEIDX_ENOMEM;
			found++;
			p = q + m->needle_len;
		}
		return found;
	}
	size_t off = 0;
	uint32_t opts = 0;
	while (off <= len) {
		int rc = pcre2_match(m->code, line, len, off, opts, s->md, s->mctx);
		if (rc == PCRE2_ERROR_NOMATCH) {
			if (!opts)
				break;
			off++; /* an empty match here already: move one byte on */
			opts = 0;
			continue;
		}
		if (rc < 0)
			return cx_error(CODEIDX_ELIMIT, "pattern matching failed (PCRE2 error %d)", rc);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
		if (ov[0] > ov[1]) /* \K in a lookahead: report no span, but the line matched */
			return found + 1;
		if (ov[1] > ov[0] && push_span(h, ov[0], ov[1]))
			return CODEIDX_ENOMEM;
		found++;
		off = ov[1];
		opts = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
	}
	return found;
}

/* Line bookkeeping: the line number and start of offset `at`, counted forward. */
typedef struct line_cursor {
	const uint8_t *buf;
	size_t counted; /* offset up to which newlines are counted */
	uint64_t line;  /* line number at `counted` */
	size_t start;   /* start of that line */
} line_cursor;

static void advance_to(line_cursor *c, size_t at)
{
	if (at <= c->counted)
		return;
	uint64_t n = cx_count_newlines(c->buf + c->counted, at - c->counted);
	if (n) {
		const uint8_t *q = memrchr(c->buf + c->counted, '\n', at - c->counted);
		c->line += n;
		c->start = (size_t)(q - c->buf) + 1;
	}
	c->counted = at;
}

/* Adds context lines before the match line at `start` (line number `line`), not going
 * back past `floor` (the end of what was already output). */
static int add_before(cx_hits *h, const uint8_t *buf, size_t start, uint64_t line,
		      unsigned before, size_t floor)
{
	size_t starts[64];
	unsigned k = 0;
	size_t s = start;
	while (k < before && s > floor && k < 64) {
		size_t e = s - 1; /* the '\n' ending the previous line */
		const uint8_t *q = e ? memrchr(buf, '\n', e) : NULL;
		s = q ? (size_t)(q - buf) + 1 : 0;
		if (s < floor)
			break;
		starts[k++] = s;
	}
	for (unsigned i = k; i > 0; i--) {
		size_t ls = starts[i - 1];
		const uint8_t *q = memchr(buf + ls, '\n', start - ls);
		size_t le = q ? (size_t)(q - buf) : start;
		if (push_line(h, line - i, ls, le - ls, 1))
			return CODEIDX_ENOMEM;
	}
	return 0;
}

/* Scans the lines of buf[from..n) (`from` starts line number `first_line`), appending
 * to h; max_lines bounds h->matched. */
static int scan(const cx_matcher *m, cx_match_scratch *s, const uint8_t *buf, size_t from,
		size_t n, uint64_t first_line, uint64_t max_lines, unsigned before, unsigned after,
		cx_hits *h)
{
	if (before > 64)
		before = 64; /* context is bounded per match; callers cap the option */
	line_cursor cur = {buf, from, first_line, from};
	size_t pos = from, out_end = from; /* out_end: end of the last line output (+1) */
	uint64_t out_line = 0;       /* the number of that line */
	unsigned pending_after = 0;
	while (pos < n) {
		/* Find the next line with a possible match. */
		size_t at;
		if (m->lit_len) {
			const uint8_t *q = m->lit_fold
						   ? cx_fold_finder_find(&m->find_lit_fold, buf + pos, n - pos)
						   : cx_finder_find(&m->find_lit, buf + pos, n - pos);
			if (!q)
				break;
			at = (size_t)(q - buf);
		} else if (m->per_line) {
			at = pos;
		} else if (m->needle) {
			const uint8_t *q = cx_finder_find(&m->find_needle, buf + pos, n - pos);
			if (!q)
				break;
			at = (size_t)(q - buf);
		} else {
			int rc = pcre2_match(m->code, buf, n, pos, 0, s->md, s->mctx);
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (rc < 0)
				return cx_error(CODEIDX_ELIMIT,
						"pattern matching failed (PCRE2 error %d)", rc);
			/* Where the match began, before any \K moved its start on. */
			at = pcre2_get_startchar(s->md);
			if (at >= n && buf[n - 1] == '\n')
				break; /* an empty match after the final newline: no line there */
		}
		advance_to(&cur, at);
		size_t ls = cur.start;
		const uint8_t *q = memchr(buf + ls, '\n', n - ls);
		size_t le = q ? (size_t)(q - buf) : n;
		/* After-context of the previous match, up to this line. */
		while (pending_after && out_end < ls) {
			const uint8_t *e = memchr(buf + out_end, '\n', ls - out_end);
			size_t ce = e ? (size_t)(e - buf) : ls;
			if (push_line(h, ++out_line, out_end, ce - out_end, 1))
				return CODEIDX_ENOMEM;
			out_end = ce + 1;
			pending_after--;
		}
		uint64_t line = cur.line;
		size_t mark_lines = h->n, mark_spans = h->n_spans;
		if (before && add_before(h, buf, ls, line, before, out_end))
			return CODEIDX_ENOMEM;
		if (push_line(h, line, ls, le - ls, 0))
			return CODEIDX_ENOMEM;
		int found = line_spans(m, s, buf + ls, le - ls, h);
		if (found < 0)
			return found;
		if (found == 0) { /* the buffer-level match did not hold on the line alone */
			h->n = mark_lines;
			h->n_spans = mark_spans;
		} else {
			h->matched++;
			out_end = le + 1;
			out_line = line;
			pending_after = after;
			if (max_lines && h->matched >= max_lines) {
				pos = le + 1;
				break;
			}
		}
		pos = le + 1;
	}
	/* Trailing after-context. */
	while (pending_after && out_end < n) {
		const uint8_t *e = memchr(buf + out_end, '\n', n - out_end);
		size_t ce = e ? (size_t)(e - buf) : n;
		if (push_line(h, ++out_line, out_end, ce - out_end, 1))
			return CODEIDX_ENOMEM;
		out_end = ce + 1;
		pending_after--;
	}
	return 0;
}

int cx_matcher_scan(const cx_matcher *m, cx_match_scratch *s, const uint8_t *buf, size_t n,
		    uint64_t max_lines, unsigned before, unsigned after, cx_hits *h)
{
	cx_hits_clear(h);
	return scan(m, s, buf, 0, n, 1, max_lines, before, after, h);
}

int cx_matcher_scan_part(const cx_matcher *m, cx_match_scratch *s, const uint8_t *buf,
			 size_t from, size_t n, uint64_t first_line, uint64_t max_lines, cx_hits *h)
{
	if (max_lines && h->matched >= max_lines)
		return 0;
	return scan(m, s, buf, from, n, first_line, max_lines, 0, 0, h);
}
