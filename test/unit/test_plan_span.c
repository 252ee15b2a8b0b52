/* test_plan_span.c - unit tests of cx_plan_span: exact spans of patterns whose longest match is clear, saturation instead of overflow, and soundness against PCRE2: no match of a random regex (found by the backtracking and the longest-match DFA engine) is longer than its span, and every match is found again when only a window of span bytes around it is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/append.h"
#include "helpers/rng.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "search/plan.h"

#define MAX SIZE_MAX
#define LIT CX_PLAN_LITERAL
#define ICASE CX_PLAN_IGNORE_CASE
#define WORD CX_PLAN_WORD

/* ------------------------------------------------------------- helpers ---- */


static void print_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		print_error(s[i] >= 32 && s[i] < 127 && s[i] != '"' && s[i] != '\\' ? "%c" : "\\x%02x",
			    s[i]);
}

static size_t span(const char *pat, unsigned flags)
{
	return cx_plan_span(pat, strlen(pat), flags);
}

/* ----------------------------------------------------------- the table ---- */

/* Spans of patterns whose answer is clear: `lo` = `hi` where the value is exact;
 * a range where the pattern's true window is `lo` and a sound answer may be
 * larger (lookarounds add their span to the sequence's, so "(?=abc)ab" may say 5);
 * MAX where no finite bound exists or the pattern is not understood. */
static void test_table(void **state)
{
	(void)state;
	static const struct {
		const char *pat;
		unsigned flags;
		size_t lo, hi;
	} cases[] = {
		{"abc", 0, 3, 3},
		{"a|bcd", 0, 3, 3},
		{"ab(cd|e)f", 0, 5, 5},
		{"x{3}", 0, 3, 3},
		{"x{2,5}y", 0, 6, 6},
		{"a{2}{3}", 0, 6, MAX},         /* a repeated repeat: not followed */
		{"(?:a|bc){2}", 0, 4, 4},
		{"[ab]{2,3}+c", 0, 4, 4},
		{"a{0}bcd", 0, 3, 3},
		{"(?:ab){0,1}cd", 0, 4, 4},
		{"(?:)*x", 0, 1, 1},
		{"a+", 0, MAX, MAX},
		{"a*b", 0, MAX, MAX},
		{".*", 0, MAX, MAX},
		{"\\w+", 0, MAX, MAX},
		{"x{2,}", 0, MAX, MAX},
		{"(a)\\1", 0, MAX, MAX},       /* backreference */
		{"(a)\\g{-1}", 0, MAX, MAX},
		{"x(?1)?(ab)", 0, 5, MAX},     /* subroutine call */
		{"\\X", 0, 1, MAX},
		{"a{,3}", 0, 5, MAX},          /* literal in PCRE2 10.42, a quantifier later */
		{"^abc$", 0, 3, 3},
		{"\\bfoo\\b", 0, 3, 3},
		{"\\Afoo\\z", 0, 3, 3},
		{"[a-z]{4}", 0, 4, 4},
		{"[[:alpha:]]{2}[^a]", 0, 3, 3},
		{"a(?:b|c){0,3}d", 0, 5, 5},
		{"(?i)Hello", 0, 5, 5},
		{"Hello", ICASE, 5, 5},
		{"(?i:he)LLo", ICASE, 5, 5},
		{"\\Qa.b\\E", 0, 3, 3},
		{"(?x) a b  c # comment", 0, 3, 3},
		{"(?#note)ab", 0, 2, 2},
		{"a\\Kbc", 0, 3, 3},
		{"a\\Rb", 0, 3, 3},
		{"\\x41\\o{102}\\x{43}", 0, 3, 3},
		{"\\102", 0, 1, MAX},          /* octal or a backreference */
		{"(*CR)abc", 0, 3, 3},
		{"a(*ACCEPT)bc", 0, 1, MAX},
		/* lookarounds: at least the window they look at */
		{"(?=abc)ab", 0, 3, 5},
		{"(?<=xy)z", 0, 3, 3},
		{"(?<=ab)c(?=de)", 0, 5, 5},
		{"(?=abcdef)", 0, 6, 6},
		{"(*pla:abcd)ab", 0, 4, 6},
		{"(?<=a(?=bcd))b", 0, 4, 5},
		{"(?!abc)ab", 0, 2, 5},
		{"(?=a)*b", 0, 1, MAX},
		/* conditionals: either branch */
		{"(a)?(?(1)bcd|e)", 0, 4, 4},
		{"(?(?=ab)abc|de)", 0, 3, 4},
		/* the condition's lookahead only picks a branch (the plan takes no trigram
		 * from it), so the branches' span is enough */
		{"(?(?=abcd)ab|xy)", 0, 2, 4},
		/* -F: the longest of the '\n'-separated strings, metacharacters as bytes */
		{"foo\nquux", LIT, 4, 4},
		{"a.b*", LIT, 4, 4},
		{"ab\n\nc", LIT, 2, 2},
		{"foo\nquux", LIT | ICASE, 4, 4},
		{"a+", LIT, 2, 2},
		/* -w looks at one byte on each side */
		{"foo", WORD, 5, 5},
		{"foo", WORD | ICASE, 5, 5},
		{"foo\nquux", LIT | WORD, 6, 6},
		{"a|bcd", WORD, 5, 5},
		{".*", WORD, MAX, MAX},
		/* nothing */
		{"", 0, 0, 0},
		{"", LIT, 0, 0},
		{"", WORD, 2, 2},
		{"^$", 0, 0, 0},
		/* not understood: unbounded */
		{"(?C1)x", 0, MAX, MAX},
		{"(*UTF)abc", 0, MAX, MAX},
		{"(*UCP)abc", 0, MAX, MAX},
		{"(", 0, MAX, MAX},
		{"a{1000000}", 0, 1000000, MAX}, /* too big for PCRE2; must not overflow */
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t s = span(cases[i].pat, cases[i].flags);
		if (s < cases[i].lo || s > cases[i].hi) {
			print_error("pattern \"");
			print_bytes(cases[i].pat, strlen(cases[i].pat));
			print_error("\" flags %u: span %zu, want %zu..%zu\n", cases[i].flags, s,
				    cases[i].lo, cases[i].hi);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* The length counts, not a NUL: "a\0b" is three bytes, "abcdef" cut to 3 too. */
	assert_int_equal(cx_plan_span("a\0b", 3, 0), 3);
	assert_int_equal(cx_plan_span("a\0b\nxy", 6, LIT), 3);
	assert_int_equal(cx_plan_span("abcdef", 3, 0), 3);
	assert_int_equal(cx_plan_span("abc\nd", 3, LIT), 3);
}

/* Big counted repeats multiply exactly up to the limit of size_t and saturate
 * at SIZE_MAX beyond it, in products, sums and the 2 bytes of -w. */
static void test_saturation(void **state)
{
	(void)state;
	assert_int_equal(span("a{65535}", 0), 65535);
	assert_int_equal(span("(?:a{65535}){65535}", 0), 65535ull * 65535);
	assert_int_equal(span("(?:(?:ab){1000}c){3}", 0), 6003);
#if SIZE_MAX >= 0xffffffffffffffffull
	/* 65535^4 = 18445618199572250625 fits in 64 bits, 65535^5 does not */
	const char *p4 = "(?:(?:(?:a{65535}){65535}){65535}){65535}";
	size_t want = (size_t)65535 * 65535 * 65535 * 65535;
	assert_true(span(p4, 0) == want);
	assert_true(span(p4, WORD) == want + 2);
	assert_true(span("(?:(?:(?:(?:a{65535}){65535}){65535}){65535}){65535}", 0) == MAX);
	assert_true(span("(?:(?:(?:(?:a{65535}){65535}){65535}){65535}){65535}", WORD) == MAX);
	char two[128];
	snprintf(two, sizeof two, "%s%s", p4, p4); /* 2 * 65535^4 > SIZE_MAX */
	assert_true(span(two, 0) == MAX);
	snprintf(two, sizeof two, "x|%s", p4);
	assert_true(span(two, 0) == want);
	snprintf(two, sizeof two, "(?:%s)?", p4);
	assert_true(span(two, 0) == want);
	snprintf(two, sizeof two, "(?:%s){2}", p4);
	assert_true(span(two, 0) == MAX);
#endif
	assert_true(span("(?:a+){0}b", 0) == 1);
	assert_true(span("(?:a+)?", 0) == MAX);
	assert_true(span("a*(?:){65535}", 0) == MAX);
}

/* ------------------------------------------------- random regex grammar ---- */

/* A pattern and a string it may match, built side by side. `window` restricts the
 * grammar to items whose outcome depends only on the bytes a match and its positive
 * lookarounds cover, and that never match '\n' (so bytes outside a window can be
 * replaced by '\n' without changing a match): no anchors, \b, negative
 * lookarounds, negated classes or conditionals. */
typedef struct gen {
	char pat[256], sample[256];
	size_t n, sn;
	int window;
	int depth;
	int look; /* lookarounds open (\K is not allowed inside) */
} gen;

static void put(gen *g, const char *s)
{
	append_bounded(g->pat, sizeof g->pat, &g->n, s, strlen(s));
}

static void sput(gen *g, const char *s, size_t l)
{
	append_bounded(g->sample, sizeof g->sample, &g->sn, s, l);
}

static void scut(gen *g, size_t to)
{
	g->sn = to;
	g->sample[to] = '\0';
}

/* Items of one byte or a fixed string: pattern, then the bytes a sample picks one
 * of ("=...": all of them). The first ones are fine in a window and in lookbehinds. */
static const char *const fixed[][2] = {
	{"a", "a"}, {"b", "b"}, {"c", "c"}, {"A", "A"}, {"ab", "=ab"}, {"abc", "=abc"},
	{"bA", "=bA"}, {"-", "-"}, {".", "abc-A."}, {"\\w", "abAB_1"}, {"\\d", "01"},
	{"[ab]", "ab"}, {"[a-c]", "abc"}, {"[[:upper:]]", "AB"}, {"\\x41", "A"},
	{"\\Qa.\\E", "=a."}, {"\\.", "."}, {"[aA]", "aA"}, {"[-.]", "-."}, {"x", "x"},
	/* the rest not in a window: they match '\n' or look outside the match */
	{"\\C", "a-"}, {"[^a]", "bc-"}, {"\\W", "-."}, {"\\s", " "}, {"\\S", "aS"}, {"\\D", "aD"},
	{"[^\\w]", "-."}, {"\\b", "="}, {"\\B", "="}, {"^", "="}, {"$", "="}, {"\\A", "="},
};
#define N_FIXED (sizeof fixed / sizeof fixed[0])
#define N_WINDOW_FIXED 20u

/* Returns whether the item may take a quantifier (assertions may not). */
static int gen_fixed(rng *r, gen *g, uint32_t limit)
{
	const char *const *a = fixed[rnd(r, limit)];
	put(g, a[0]);
	if (a[1][0] == '=')
		sput(g, a[1] + 1, strlen(a[1] + 1));
	else
		sput(g, a[1] + rnd(r, (uint32_t)strlen(a[1])), 1);
	return a[1][0] != '=' || a[1][1];
}

/* A lookbehind body: alternatives of fixed length (PCRE2 10.42 wants that). */
static void gen_behind(rng *r, gen *g)
{
	size_t mark = g->sn;
	for (uint32_t alts = 1 + rnd(r, 2), i = 0; i < alts; i++) {
		if (i)
			put(g, "|");
		for (uint32_t k = 1 + rnd(r, 3); k > 0; k--) {
			gen_fixed(r, g, N_WINDOW_FIXED);
			if (rnd(r, 5) == 0)
				put(g, "{2}");
		}
	}
	scut(g, mark); /* a lookbehind looks at bytes before: the sample gets none */
}

static void gen_re(rng *r, gen *g);

/* One item and maybe a quantifier: mostly bounded ({m,n} with small n, ?), and
 * sometimes unbounded (the span is then SIZE_MAX and the pattern is skipped). */
static void gen_item(rng *r, gen *g)
{
	static const struct {
		const char *q;
		uint32_t lo, hi; /* copies the sample may hold */
	} quants[] = {{"?", 0, 1},     {"{2}", 2, 2},   {"{1,2}", 1, 2}, {"{0,3}", 0, 3},
		      {"{3}", 3, 3},   {"{0}", 0, 0},   {"{1}", 1, 1},   {"??", 0, 1},
		      {"{2,3}+", 2, 3}, {"{1,3}?", 1, 3}, {"?+", 0, 1},    {"*", 0, 3},
		      {"+", 1, 3},     {"{2,}", 2, 4}};
	size_t mark = g->sn;
	int quantifiable = 1;
	uint32_t c = g->depth > 3 || g->n > 100 ? rnd(r, 4) : rnd(r, 12);
	if (c < 4) {
		quantifiable = gen_fixed(r, g, g->window ? N_WINDOW_FIXED : N_FIXED);
	} else if (c < 7) {
		static const char *const opens[] = {"(", "(?:", "(?i:", "(?>", "(?|", "(?-i:"};
		put(g, opens[rnd(r, 6)]);
		gen_re(r, g);
		put(g, ")");
	} else if (c < 8) { /* positive lookahead: its sample is dropped */
		put(g, rnd(r, 4) ? "(?=" : "(*pla:");
		g->look++;
		gen_re(r, g);
		g->look--;
		put(g, ")");
		scut(g, mark);
		quantifiable = rnd(r, 4) == 0;
	} else if (c < 9) {
		put(g, "(?<=");
		gen_behind(r, g);
		put(g, ")");
		quantifiable = 0;
	} else if (c < 10 && !g->window) {
		put(g, rnd(r, 2) ? "(?!" : "(?<!");
		g->look++;
		if (g->pat[g->n - 1] == '!' && g->pat[g->n - 2] == '<')
			gen_behind(r, g);
		else
			gen_re(r, g);
		g->look--;
		put(g, ")");
		scut(g, mark);
		quantifiable = 0;
	} else if (c < 11 && !g->window) { /* a conditional on a group or an assertion */
		put(g, rnd(r, 2) ? "(a)?(?(1)(?:" : "(?(?=a)(?:");
		gen_re(r, g);
		put(g, ")|(?:");
		gen_re(r, g);
		put(g, "))");
		scut(g, mark);
		quantifiable = 0;
	} else if (c < 12 && !g->look && rnd(r, 3) == 0) {
		put(g, rnd(r, 8) ? "\\K" : "(b)\\1");
		quantifiable = 0;
	} else {
		quantifiable = gen_fixed(r, g, N_WINDOW_FIXED);
	}
	if (quantifiable && rnd(r, 3) == 0) {
		uint32_t q = rnd(r, rnd(r, 6) ? 11 : sizeof quants / sizeof quants[0]);
		put(g, quants[q].q);
		size_t l = g->sn - mark;
		uint32_t k = quants[q].lo + rnd(r, quants[q].hi - quants[q].lo + 1);
		char piece[256];
		memcpy(piece, g->sample + mark, l);
		scut(g, mark);
		for (uint32_t i = 0; i < k; i++)
			sput(g, piece, l);
	}
}

/* Alternatives of sequences; the sample follows one alternative. */
static void gen_re(rng *r, gen *g)
{
	g->depth++;
	size_t mark = g->sn;
	uint32_t alts = rnd(r, 4) ? 1 : 2 + rnd(r, 2), pick = rnd(r, alts);
	for (uint32_t i = 0; i < alts; i++) {
		if (i)
			put(g, "|");
		size_t at = g->sn;
		for (uint32_t k = 1 + rnd(r, g->depth > 1 ? 2 : 4); k > 0; k--)
			gen_item(r, g);
		if (i != pick) {
			scut(g, at);
		} else if (at != mark) { /* keep this one in place of the earlier ones */
			memmove(g->sample + mark, g->sample + at, g->sn - at);
			scut(g, mark + (g->sn - at));
		}
	}
	g->depth--;
}

/* -------------------------------------------------- the PCRE2 oracle ---- */

typedef struct oracle {
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int dfa_ws[2000];
} oracle;

/* The first-priority match starting at `at` (backtracking engine): 1 with its
 * ovector in o2[0..2), or 0. */
static int match_at(oracle *o, const uint8_t *s, size_t n, size_t at, size_t o2[2])
{
	int rc = pcre2_match(o->re, s, n, at, PCRE2_ANCHORED, o->md, o->mc);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_MATCHLIMIT &&
	    rc != PCRE2_ERROR_DEPTHLIMIT) {
		print_error("pcre2_match: %d\n", rc);
		fail();
	}
	if (rc < 0)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(o->md);
	o2[0] = ov[0];
	o2[1] = ov[1];
	return 1;
}

/* The longest match starting at `at` (DFA engine), or -1 (none, or the DFA engine
 * does not support the pattern). */
static long longest_at(oracle *o, const uint8_t *s, size_t n, size_t at)
{
	int rc = pcre2_dfa_match(o->re, s, n, at, PCRE2_ANCHORED, o->md, o->mc, o->dfa_ws,
				 sizeof o->dfa_ws / sizeof o->dfa_ws[0]);
	if (rc < 0)
		return -1;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(o->md);
	return (long)(ov[1] - ov[0]);
}

typedef struct stats {
	size_t patterns, compiled, finite, matched, matches, longest, tight, windows;
} stats;

static void report(const gen *g, unsigned flags, size_t s, const uint8_t *subj, size_t n,
		   const char *what, size_t at, size_t len)
{
	print_error("pattern \"");
	print_bytes(g->pat, g->n);
	print_error("\" flags %u: span %zu, but subject \"", flags, s);
	print_bytes(subj, n);
	print_error("\" %s at %zu (%zu bytes)\n", what, at, len);
	fail();
}

/* With only bytes [w, w + s) of subj kept (the rest '\n'), is the match at `at`
 * still found, the same? For some window holding `at`, it must be. */
static int found_in_window(oracle *o, const uint8_t *subj, size_t n, size_t s, size_t at,
			   const size_t want[2])
{
	uint8_t cut[128];
	size_t w0 = at > s ? at - s : 0;
	for (size_t w = w0; w <= at; w++) {
		for (size_t i = 0; i < n; i++)
			cut[i] = i >= w && i - w < s ? subj[i] : '\n';
		size_t got[2];
		if (match_at(o, cut, n, at, got) && got[0] == want[0] && got[1] == want[1])
			return 1;
	}
	return 0;
}

/* Checks one pattern on subjects made from its sample and a small alphabet. */
static void check_pattern(rng *r, const gen *g, unsigned flags, stats *st)
{
	st->patterns++;
	size_t s = cx_plan_span(g->pat, g->n, flags);
	oracle o;
	int err;
	PCRE2_SIZE eoff;
	uint32_t opts = (flags & ICASE ? PCRE2_CASELESS : 0) | (rnd(r, 2) ? PCRE2_MULTILINE : 0);
	o.re = pcre2_compile((PCRE2_SPTR)g->pat, g->n, opts, &err, &eoff, NULL);
	if (!o.re)
		return;
	st->compiled++;
	if (s == MAX) {
		pcre2_code_free(o.re);
		return;
	}
	st->finite++;
	o.md = pcre2_match_data_create(32, NULL);
	o.mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(o.mc, 20000);
	pcre2_set_depth_limit(o.mc, 500);
	static const char alpha[] = "abcAB-._ 1";
	int any = 0;
	for (int k = 0; k < 10; k++) {
		uint8_t subj[100];
		size_t n = 0;
		for (uint32_t i = rnd(r, 6); i > 0; i--)
			subj[n++] = (uint8_t)alpha[rnd(r, sizeof alpha - 1)];
		if (k < 7) { /* the sample, a little damaged sometimes */
			for (size_t i = 0; i < g->sn && n < 80; i++) {
				uint32_t m = rnd(r, 30);
				if (m == 0)
					continue;
				subj[n++] = m == 1 ? (uint8_t)alpha[rnd(r, sizeof alpha - 1)]
						   : (uint8_t)g->sample[i];
			}
		} else {
			for (uint32_t i = rnd(r, 30); i > 0; i--)
				subj[n++] = (uint8_t)alpha[rnd(r, 6)];
		}
		for (uint32_t i = rnd(r, 6); i > 0; i--)
			subj[n++] = (uint8_t)alpha[rnd(r, sizeof alpha - 1)];
		for (size_t at = 0; at <= n; at++) {
			size_t ov[2];
			if (match_at(&o, subj, n, at, ov)) {
				any = 1;
				st->matches++;
				size_t len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
				st->tight += len == s;
				if (len > s)
					report(g, flags, s, subj, n, "has a match", ov[0], len);
				if (g->window && s < n) {
					st->windows++;
					if (!found_in_window(&o, subj, n, s, at, ov))
						report(g, flags, s, subj, n,
						       "loses its match when cut to a window, match", ov[0],
						       len);
				}
			}
			long l = longest_at(&o, subj, n, at);
			if (l >= 0) {
				st->longest++;
				if ((size_t)l > s)
					report(g, flags, s, subj, n, "has a longest match", at, (size_t)l);
			}
		}
	}
	st->matched += any;
	pcre2_match_data_free(o.md);
	pcre2_match_context_free(o.mc);
	pcre2_code_free(o.re);
}

/* The soundness property on random regexes from a grammar (literals, classes,
 * alternation, small bounded repeats, groups, anchors, lookarounds, conditionals):
 * when the span is finite, no match PCRE2 finds is longer, neither the first one
 * at a position nor the longest one; and for patterns whose matches depend only on
 * the bytes they and their lookarounds cover, each match is found again in a
 * subject where everything outside some window of span bytes is '\n'. */
static void test_random_sound(void **state)
{
	(void)state;
	rng r = {0x6a09e667f3bcc908ull};
	stats st = {0};
	for (int i = 0; i < 6000; i++) {
		gen g = {.window = i % 2};
		gen_re(&r, &g);
		unsigned flags = rnd(&r, 4) == 0 ? ICASE : 0;
		check_pattern(&r, &g, flags, &st);
	}
	printf("random regexes: %zu, %zu compiled, %zu with a finite span, %zu of them matched "
	       "(%zu matches, %zu as long as the span, %zu window checks, %zu longest)\n",
	       st.patterns, st.compiled, st.finite, st.matched, st.matches, st.tight, st.windows,
	       st.longest);
	/* Not vacuous: most patterns are bounded, match, and reach their span. */
	assert_true(st.finite > st.compiled / 2 && st.matched > st.finite / 2);
	assert_true(st.tight > st.matches / 10 && st.windows > 10000);
}

/* -F: random '\n'-separated strings (with metacharacters, which are bytes there):
 * no occurrence of any of them is longer than the span, and one is as long. */
static void test_random_literal(void **state)
{
	(void)state;
	rng r = {0xbb67ae8584caa73bull};
	static const char alpha[] = "ab.*+?()[]{}|\\^$\nA";
	for (int i = 0; i < 2000; i++) {
		char pat[40];
		size_t n = rnd(&r, 30), longest = 0, run = 0;
		for (size_t k = 0; k < n; k++) {
			pat[k] = alpha[rnd(&r, sizeof alpha - 1)];
			run = pat[k] == '\n' ? 0 : run + 1;
			longest = run > longest ? run : longest;
		}
		unsigned flags = LIT | (rnd(&r, 2) ? ICASE : 0);
		size_t s = cx_plan_span(pat, n, flags);
		if (s != longest) {
			print_error("-F pattern \"");
			print_bytes(pat, n);
			print_error("\": span %zu, its longest string %zu\n", s, longest);
			fail();
		}
		assert_true(cx_plan_span(pat, n, flags | WORD) == longest + 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_random_literal),
		cmocka_unit_test(test_random_sound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
