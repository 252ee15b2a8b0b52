/* test_plan.c - unit tests of the trigram plan: exact plans, selectivity, bounds, and soundness against PCRE2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "helpers/append.h"
#include "helpers/rng.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "codeidx.h"
#include "search/plan.h"

#define BUDGET 200 /* PL_BUDGET: nodes a plan may have */

/* ------------------------------------------------------------- helpers ---- */

static char *describe(const char *pat, size_t len, unsigned flags)
{
	cx_plan *p = NULL;
	assert_int_equal(cx_plan_build(pat, len, flags, &p), 0);
	assert_non_null(p);
	char *d = cx_plan_describe(p);
	assert_non_null(d);
	cx_plan_free(p);
	return d;
}

static int build(const char *pat, unsigned flags, cx_plan **out)
{
	return cx_plan_build(pat, strlen(pat), flags, out);
}

static void expect_plan(const char *pat, unsigned flags, const char *want)
{
	char *got = describe(pat, strlen(pat), flags);
	if (strcmp(got, want) != 0)
		print_error("pattern %s (flags %u)\n  want %s\n  got  %s\n", pat, flags, want, got);
	assert_string_equal(got, want);
	free(got);
}

/* Checks the shape promised by plan.h; returns the node count. */
static size_t check_shape(const cx_plan *p, int top)
{
	if (p->op == CX_PLAN_ALL || p->op == CX_PLAN_NONE) {
		assert_true(top);
		return 1;
	}
	if (p->op == CX_PLAN_TRI) {
		assert_true(((p->tri >> 16) & 0xff) != '\n' && ((p->tri >> 8) & 0xff) != '\n' &&
			    (p->tri & 0xff) != '\n');
		assert_true(p->tri <= 0xffffff);
		return 1;
	}
	assert_true(p->op == CX_PLAN_AND || p->op == CX_PLAN_OR);
	assert_true(p->n_kids >= 2);
	size_t n = 1;
	for (size_t i = 0; i < p->n_kids; i++) {
		assert_true(p->kids[i]->op != p->op); /* flat */
		n += check_shape(p->kids[i], 0);
	}
	return n;
}

/* A trigram set given as text: the trigrams of its bytes, except those with '\n'. */
typedef struct text {
	const uint8_t *p;
	size_t n;
} text;

static int text_has(uint32_t tri, void *user)
{
	const text *t = user;
	for (size_t i = 0; i + 3 <= t->n; i++) {
		uint32_t v = (uint32_t)t->p[i] << 16 | (uint32_t)t->p[i + 1] << 8 | t->p[i + 2];
		if (v == tri && t->p[i] != '\n' && t->p[i + 1] != '\n' && t->p[i + 2] != '\n')
			return 1;
	}
	return 0;
}

static int eval_on(const cx_plan *p, const char *s)
{
	text t = {(const uint8_t *)s, strlen(s)};
	return cx_plan_eval(p, text_has, &t);
}


/* --------------------------------------------------------- PCRE2 oracle ---- */

/* The pattern as the verifier would run it: a list of compiled regexes (one per
 * '\n'-separated alternative for CX_PLAN_LITERAL) that a line must match. */
typedef struct oracle {
	pcre2_code *re[64];
	size_t n;
	int all;      /* an empty -F alternative: every line matches */
	int compiled; /* 0 if PCRE2 rejects the pattern */
	pcre2_match_data *md;
	pcre2_match_context *mc;
} oracle;

static void oracle_init(oracle *o, const char *pat, size_t len, unsigned flags)
{
	memset(o, 0, sizeof *o);
	uint32_t opts = (flags & CX_PLAN_IGNORE_CASE) ? PCRE2_CASELESS : 0;
	if (len & 1)
		opts |= PCRE2_MULTILINE; /* as the search matcher compiles; half the time */
	int err;
	PCRE2_SIZE off;
	o->compiled = 1;
	if (flags & CX_PLAN_LITERAL) {
		size_t start = 0;
		for (size_t i = 0; i <= len; i++) {
			if (i < len && pat[i] != '\n')
				continue;
			if (i == start)
				o->all = 1;
			else if (o->n < 64)
				o->re[o->n++] = pcre2_compile((PCRE2_SPTR)pat + start, i - start,
							      opts | PCRE2_LITERAL, &err, &off, NULL);
			start = i + 1;
		}
	} else {
		o->re[0] = pcre2_compile((PCRE2_SPTR)pat, len, opts, &err, &off, NULL);
		o->n = 1;
	}
	for (size_t i = 0; i < o->n; i++)
		if (!o->re[i])
			o->compiled = 0;
	o->md = pcre2_match_data_create(16, NULL);
	o->mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(o->mc, 100000);
	pcre2_set_depth_limit(o->mc, 1000);
}

static void oracle_release(oracle *o)
{
	for (size_t i = 0; i < o->n; i++)
		pcre2_code_free(o->re[i]);
	pcre2_match_data_free(o->md);
	pcre2_match_context_free(o->mc);
}

/* Does some line of s match? */
static int oracle_matches(oracle *o, const uint8_t *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		if (o->all)
			return 1;
		for (size_t k = 0; k < o->n; k++)
			if (pcre2_match(o->re[k], s + start, i - start, 0, 0, o->md, o->mc) > 0)
				return 1;
		start = i + 1;
	}
	return 0;
}

typedef struct stats {
	size_t patterns, compiled, subjects, matched;
	size_t selective; /* matched subjects whose plan was not ALL */
} stats;

/* Makes a subject: a mutation of `sample` (a string the pattern probably
 * matches) or random bytes, in one to three lines. */
static size_t make_subject(rng *r, const char *pat, size_t len, const char *sample,
			   size_t slen, int fold, uint8_t *s, size_t cap)
{
	static const char alpha[] = "abcABC _-:#]\t\r\x85\xa0\x00";
	size_t n = 0;
	int from_sample = slen && rnd(r, 4) != 0;
	size_t pre = rnd(r, from_sample ? 4 : 40);
	for (size_t i = 0; i < pre && n < cap; i++) {
		uint32_t c = rnd(r, 12);
		if (c < 5 && len)
			s[n++] = (uint8_t)pat[rnd(r, (uint32_t)len)];
		else if (c < 11)
			s[n++] = (uint8_t)alpha[rnd(r, sizeof alpha - 1)];
		else
			s[n++] = '\n';
	}
	if (from_sample) {
		for (size_t i = 0; i < slen && n < cap; i++) {
			uint32_t m = rnd(r, 40);
			if (m == 0)
				continue; /* drop a byte */
			if (m == 1 && n + 1 < cap)
				s[n++] = (uint8_t)alpha[rnd(r, sizeof alpha - 1)];
			s[n++] = (uint8_t)sample[i];
			if (m == 2 && n < cap)
				s[n++] = (uint8_t)sample[i]; /* double it */
		}
		for (size_t i = rnd(r, 4); i > 0 && n < cap; i--)
			s[n++] = (uint8_t)alpha[rnd(r, sizeof alpha - 1)];
	}
	for (size_t i = 0; i < n; i++)
		if (fold && rnd(r, 3) == 0 && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			s[i] ^= 0x20;
	return n;
}

static void print_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		print_error(s[i] >= 32 && s[i] < 127 && s[i] != '"' && s[i] != '\\' ? "%c" : "\\x%02x",
			    s[i]);
}

/* The soundness property for one pattern: on every subject on which PCRE2 finds
 * a matching line, the plan is true. Subjects come from `sample` (may be NULL),
 * the pattern's own bytes and a small alphabet. */
static void check_sound(const char *pat, size_t len, const char *sample, unsigned flags, rng *r,
			int nsub, stats *st)
{
	cx_plan *p = NULL;
	assert_int_equal(cx_plan_build(pat, len, flags, &p), 0);
	assert_true(check_shape(p, 1) <= BUDGET);
	cx_plan *pw = NULL; /* -w gives the same plan */
	assert_int_equal(cx_plan_build(pat, len, flags | CX_PLAN_WORD, &pw), 0);
	char *d1 = cx_plan_describe(p), *d2 = cx_plan_describe(pw);
	assert_string_equal(d1, d2);
	free(d2);
	cx_plan_free(pw);
	oracle o;
	oracle_init(&o, pat, len, flags);
	st->patterns++;
	int fold = (flags & CX_PLAN_IGNORE_CASE) || memmem(pat, len, "(?i", 3);
	if (o.compiled) {
		st->compiled++;
		uint8_t s[160];
		for (int k = 0; k < nsub; k++) {
			size_t n = make_subject(r, pat, len, sample, sample ? strlen(sample) : 0, fold,
						s, sizeof s);
			st->subjects++;
			if (!oracle_matches(&o, s, n))
				continue;
			st->matched++;
			st->selective += p->op != CX_PLAN_ALL;
			text t = {s, n};
			if (!cx_plan_eval(p, text_has, &t)) {
				print_error("UNSOUND: pattern \"");
				print_bytes(pat, len);
				print_error("\" flags %u plan %s subject \"", flags, d1);
				print_bytes(s, n);
				print_error("\"\n");
				fail();
			}
		}
	}
	free(d1);
	oracle_release(&o);
	cx_plan_free(p);
}

/* ------------------------------------------------- random pattern makers ---- */

/* A pattern and a string it probably matches, built side by side. */
typedef struct gen {
	char pat[256], sample[512];
	size_t n, sn;
} gen;

static void put(gen *g, const char *s)
{
	append_bounded(g->pat, sizeof g->pat, &g->n, s, strlen(s));
}

static void sput(gen *g, const char *s, size_t l)
{
	append_bounded(g->sample, sizeof g->sample, &g->sn, s, l);
}

/* Repeats the sample from `from` on to make `k` copies in all (0 removes it). */
static void srepeat(gen *g, size_t from, uint32_t k)
{
	size_t l = g->sn - from;
	if (k == 0)
		g->sn = from;
	for (uint32_t i = 1; i < k; i++)
		sput(g, g->sample + from, l);
	g->sample[g->sn] = '\0';
}

/* Tokens glued at random: mostly invalid patterns, which exercise the parser's
 * corners (escapes, classes, quoting, comments, verbs, options). Each has a
 * sample: "" for syntax, "\x01" to repeat the last sample byte, else bytes. */
static const char *const tokens[][2] = {
	{"a", "a"}, {"b", "b"}, {"c", "c"}, {"A", "A"}, {"B", "B"}, {"ab", "ab"},
	{"abc", "abc"}, {"bca", "bca"}, {"\n", ""}, {" ", " "}, {"-", "-"}, {":", ":"},
	{"#", "#"}, {"]", "]"}, {"[", "["}, {"[^", ""}, {"^", ""}, {"$", ""}, {".", "x"},
	{"*", "\x01"}, {"+", "\x01"}, {"?", ""}, {"*?", ""}, {"++", "\x01"}, {"{2}", "\x01"},
	{"{1,3}", "\x01"}, {"{0,2}", ""}, {"{2,}", "\x01"}, {"{,2}", "{,2}"}, {"{ 2}", "{ 2}"},
	{"{", "{"}, {"}", "}"}, {",", ","}, {"|", ""}, {"(", ""}, {")", ""}, {"(?:", ""},
	{"(?i)", ""}, {"(?-i)", ""}, {"(?i:", ""}, {"(?x)", ""}, {"(?xx)", ""}, {"(?-x)", ""},
	{"(?^)", ""}, {"(?s)", ""}, {"(?m)", ""}, {"(?=", ""}, {"(?!", ""}, {"(?<=", ""},
	{"(?<!", ""}, {"(?>", ""}, {"(?|", ""}, {"(?#c)", ""}, {"(?<n>", ""}, {"(?P<m>", ""},
	{"(?'o'", ""}, {"\\1", ""}, {"\\g{-1}", ""}, {"\\k<n>", ""}, {"(?1)", ""}, {"(?R)", ""},
	{"(?(1)", ""}, {"(?(?=a)", ""}, {"\\b", ""}, {"\\B", ""}, {"\\A", ""}, {"\\z", ""},
	{"\\Z", ""}, {"\\G", ""}, {"\\K", ""}, {"\\w", "w"}, {"\\W", "-"}, {"\\s", " "},
	{"\\S", "S"}, {"\\d", "7"}, {"\\D", "D"}, {"\\h", "\t"}, {"\\H", "H"}, {"\\v", "\r"},
	{"\\V", "V"}, {"\\N", "N"}, {"\\R", "\r"}, {"\\X", "X"}, {"\\C", "C"}, {"\\pL", "L"},
	{"\\p{Lu}", "U"}, {"\\x41", "A"}, {"\\x{62}", "b"}, {"\\x", ""}, {"\\o{143}", "c"},
	{"\\0", ""}, {"\\012", ""}, {"\\141", "a"}, {"\\cA", "\x01"}, {"\\c[", "\x1b"},
	{"\\n", ""}, {"\\t", "\t"}, {"\\r", "\r"}, {"\\e", "\x1b"}, {"\\a", "\x07"},
	{"\\f", "\f"}, {"\\Q", ""}, {"\\E", ""}, {"\\Qa.b\\E", "a.b"}, {"\\.", "."},
	{"\\\\", "\\"}, {"\\[", "["}, {"\\]", "]"}, {"\\(", "("}, {"\\)", ")"}, {"\\|", "|"},
	{"\\-", "-"}, {"\\ ", " "}, {"\\#", "#"}, {"[[:alpha:]]", "q"}, {"[[:^digit:]]", "z"},
	{"[:", ":"}, {":]", ":"}, {"[[:<:]]", ""}, {"[a-c]", "b"}, {"[^a]", "b"},
	{"[]a]", "]"}, {"[^]a]", "b"}, {"[a-]", "-"}, {"[\\d-]", "-"}, {"[\\w.]", "."},
	{"[ab]", "a"}, {"[\\Qa]\\E]", "]"}, {"[\\E]a]", "]"}, {"(*FAIL)", ""},
	{"(*COMMIT)", ""}, {"(*MARK:x)", ""}, {"(*:y)", ""}, {"(*SKIP)", ""},
	{"(*ACCEPT)", ""}, {"(*pla:", ""}, {"(*nla:", ""}, {"(*atomic:", ""}, {"(*CR)", ""},
	{"(*UTF)", ""}, {"(*UCP)", ""}, {"(*LIMIT_MATCH=99)", ""}, {"(?C1)", ""},
	{"\x85", ""}, {"\xa0", "\xa0"}, {"\t", "\t"}, {"\r", "\r"}, {"\\\n", ""}, {"#x\n", ""},
};

static void gen_soup(rng *r, gen *g)
{
	g->n = g->sn = 0;
	g->pat[0] = g->sample[0] = '\0';
	for (size_t k = 1 + rnd(r, 10); k > 0; k--) {
		const char *const *t = tokens[rnd(r, sizeof tokens / sizeof tokens[0])];
		put(g, t[0]);
		if (t[1][0] == '\x01' && g->sn)
			sput(g, g->sample + g->sn - 1, 1);
		else if (t[1][0] != '\x01')
			sput(g, t[1], strlen(t[1]));
	}
}

/* A structured regex from a small grammar, so most are valid. */
static void gen_re(rng *r, gen *g, int depth)
{
	/* pattern, then the bytes a sample picks one of ("=..." : all of them) */
	static const char *const atoms[][2] = {
		{"a", "a"}, {"b", "b"}, {"c", "c"}, {"A", "A"}, {"B", "B"}, {"ab", "=ab"},
		{"abc", "=abc"}, {"cab", "=cab"}, {"aB", "=aB"}, {" ", " "}, {"-", "-"},
		{".", "abc-A "}, {"\\n", "\n"}, {"\\s", " \t"}, {"\\w", "abcAB_1"}, {"\\d", "0123"},
		{"\\W", " -:"}, {"[ab]", "ab"}, {"[a-c]", "abc"}, {"[^a]", "bcA -"},
		{"[[:upper:]]", "ABC"}, {"\\x41", "A"}, {"\\Qa+\\E", "=a+"}, {"\\b", "="},
		{"^", "="}, {"$", "="}, {"\\1", "=a"}, {"\\h", " \t"}, {"[aA]", "aA"},
		{"[^\\w]", " -"}, {"\\t", "\t"}, {"\\.", "."}, {"[ -]", " -"}};
	/* quantifier, min and max copies in the sample */
	static const struct {
		const char *q;
		uint32_t lo, hi;
	} quants[] = {{"*", 0, 3},     {"+", 1, 3},    {"?", 0, 1},   {"{2}", 2, 2},
		      {"{1,2}", 1, 2}, {"{0,3}", 0, 3}, {"{2,}", 2, 4}, {"*?", 0, 3},
		      {"++", 1, 3},    {"{3}", 3, 3},  {"{0}", 0, 0},  {"{1}", 1, 1},
		      {"??", 0, 1},    {"{10}", 10, 10}};
	static const char *const opens[] = {"(", "(?:", "(?i:", "(?-i:", "(?=", "(?!",
					    "(?<=", "(?>", "(?|", "(?<g>", "(?s:", "(?x:"};
	size_t mark = g->sn;
	uint32_t c = depth > 3 ? rnd(r, 3) : rnd(r, 10), q;
	switch (c) {
	case 0: case 1: case 2: {
		const char *const *a = atoms[rnd(r, sizeof atoms / sizeof atoms[0])];
		put(g, a[0]);
		if (a[1][0] == '=')
			sput(g, a[1] + 1, strlen(a[1] + 1));
		else
			sput(g, a[1] + rnd(r, (uint32_t)strlen(a[1])), 1);
		break;
	}
	case 3: case 4: case 5:
		gen_re(r, g, depth + 1);
		gen_re(r, g, depth + 1);
		return;
	case 6: {
		gen_re(r, g, depth + 1);
		put(g, "|");
		size_t mid = g->sn;
		gen_re(r, g, depth + 1);
		if (rnd(r, 2)) { /* the sample takes the first branch */
			g->sn = mid;
			g->sample[mid] = '\0';
		} else {
			memmove(g->sample + mark, g->sample + mid, g->sn - mid + 1);
			g->sn -= mid - mark;
		}
		return;
	}
	case 7: case 8: {
		uint32_t o = rnd(r, sizeof opens / sizeof opens[0]);
		put(g, opens[o]);
		gen_re(r, g, depth + 1);
		if (rnd(r, 3) == 0) {
			put(g, "|");
			size_t mid = g->sn;
			gen_re(r, g, depth + 1);
			g->sn = mid;
			g->sample[mid] = '\0';
		}
		put(g, ")");
		if (o == 5 || ((o == 4 || o == 6) && rnd(r, 2))) { /* assertions take no bytes */
			g->sn = mark;
			g->sample[mark] = '\0';
		}
		break;
	}
	default:
		put(g, rnd(r, 2) ? "(?i)" : "(?-i)");
		gen_re(r, g, depth + 1);
		return;
	}
	if (rnd(r, 4) == 0) {
		q = rnd(r, sizeof quants / sizeof quants[0]);
		put(g, quants[q].q);
		srepeat(g, mark, quants[q].lo + rnd(r, quants[q].hi - quants[q].lo + 1));
	}
}

/* ---------------------------------------------------------------- tests ---- */

/* Exact plans for patterns whose best plan is clear. */
static void test_exact_plans(void **state)
{
	(void)state;
	static const struct {
		const char *pat;
		unsigned flags;
		const char *want;
	} cases[] = {
		{"foo", 0, "\"foo\""},
		{"hello world", 0,
		 "AND(\"hel\" \"ell\" \"llo\" \"lo \" \"o w\" \" wo\" \"wor\" \"orl\" \"rld\")"},
		{"foo.*bar", 0, "AND(\"foo\" \"bar\")"},
		{"(abc|def)ghi", 0,
		 "AND(\"ghi\" OR(AND(\"abc\" \"bcg\" \"cgh\") AND(\"def\" \"efg\" \"fgh\")))"},
		{"abcd|abce|abcf", 0, "AND(\"abc\" OR(\"bcd\" \"bce\" \"bcf\"))"},
		{"a(b|c)d", 0, "OR(\"abd\" \"acd\")"},
		{"(?i)int", 0, "OR(\"int\" \"inT\" \"iNt\" \"iNT\" \"Int\" \"InT\" \"INt\" \"INT\")"},
		{"int", CX_PLAN_IGNORE_CASE,
		 "OR(\"int\" \"inT\" \"iNt\" \"iNT\" \"Int\" \"InT\" \"INt\" \"INT\")"},
		{"(?i)i(?-i)nt", 0, "OR(\"Int\" \"int\")"},
		{"[a-c]xyz", 0, "AND(\"xyz\" OR(\"axy\" \"bxy\" \"cxy\"))"},
		{"x{3}yz", 0, "AND(\"xxx\" \"xxy\" \"xyz\")"},
		{"(foo)+bar", 0, "AND(\"foo\" \"oob\" \"oba\" \"bar\")"},
		{"abc{2,}", 0, "AND(\"abc\" \"bcc\")"},
		{"^abc$", 0, "\"abc\""},
		{"\\x41BC", 0, "\"ABC\""},
		{"\\Qa.b\\E", 0, "\"a.b\""},
		{"(?x) f o o  # comment", 0, "\"foo\""},
		{"foo(?=bar)", 0, "AND(\"bar\" \"foo\")"},
		{"ab(?!cd)ef", 0, "AND(\"abe\" \"bef\")"},
		{"\\bstatic\\s+int\\b", 0,
		 "AND(\"sta\" \"tat\" \"ati\" \"tic\" \"int\" OR(\"ic\\x09\" \"ic\\x0b\" \"ic\\x0c\" "
		 "\"ic\\x0d\" \"ic \") OR(\"\\x09in\" \"\\x0bin\" \"\\x0cin\" \"\\x0din\" \" in\"))"},
		{"(?i)hello", 0,
		 "AND(OR(\"hel\" \"Hel\" \"hEl\" \"HEl\" \"heL\" \"HeL\" \"hEL\" \"HEL\") "
		 "OR(\"ell\" \"Ell\" \"eLl\" \"ELl\" \"elL\" \"ElL\" \"eLL\" \"ELL\") "
		 "OR(\"llo\" \"Llo\" \"lLo\" \"LLo\" \"llO\" \"LlO\" \"lLO\" \"LLO\"))"},
		{"foo\\s*=\\s*bar", 0, "AND(\"foo\" \"bar\")"},
		{"(?<=ab)cde", 0, "\"cde\""},
		{"(abc){12}", 0, "AND(\"abc\" \"bca\" \"cab\")"},
		{"[a-z]{50}", 0, "ALL"},
		{"x(?:ab|cd)*yz", 0, "ALL"},
		{"a\\d\\d", 0, "ALL"},
		{"a.c", 0, "ALL"},
		{"abc|de", 0, "ALL"},
		{"", 0, "ALL"},
		{"a\\nb", 0, "NONE"},
		{"[\\n]x", 0, "NONE"},
		{"x\\n?yz", 0, "\"xyz\""},
		{"abc(*ACCEPT)def", 0, "ALL"},
		{"(*UTF)abc", 0, "ALL"},
		{"(abc", 0, "ALL"},
		{"foo\nbar", CX_PLAN_LITERAL, "OR(\"bar\" \"foo\")"},
		{"a.c", CX_PLAN_LITERAL, "\"a.c\""},
		{"foo\n\nbar", CX_PLAN_LITERAL, "ALL"},
		{"foo\n", CX_PLAN_LITERAL, "ALL"},
		{"Ab", CX_PLAN_LITERAL | CX_PLAN_IGNORE_CASE, "ALL"},
		{"x\"\\", CX_PLAN_LITERAL, "\"x\\x22\\x5c\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_plan(cases[i].pat, cases[i].flags, cases[i].want);
}

/* Selective patterns must give selective plans. */
static void test_selectivity(void **state)
{
	(void)state;
	cx_plan *p;
	/* \bstatic\s+int\b needs trigrams of both words. */
	assert_int_equal(build("\\bstatic\\s+int\\b", 0, &p), 0);
	assert_int_equal(p->op, CX_PLAN_AND);
	assert_true(eval_on(p, "static  int x;"));
	assert_false(eval_on(p, "static x;"));
	assert_false(eval_on(p, "int static"));
	assert_false(eval_on(p, "static_int"));
	cx_plan_free(p);
	/* (?i)hello: an AND of the case variants of its trigrams. */
	assert_int_equal(build("(?i)hello", 0, &p), 0);
	assert_int_equal(p->op, CX_PLAN_AND);
	assert_true(eval_on(p, "say HeLLo"));
	assert_false(eval_on(p, "say hell"));
	assert_false(eval_on(p, "helo"));
	cx_plan_free(p);
	/* A long -i identifier stays selective. */
	assert_int_equal(build("get_user_by_name", CX_PLAN_IGNORE_CASE, &p), 0);
	assert_int_equal(p->op, CX_PLAN_AND);
	assert_true(eval_on(p, "GET_USER_BY_NAME"));
	assert_false(eval_on(p, "get_user_by_id"));
	cx_plan_free(p);
	/* Alternations of identifiers. */
	assert_int_equal(build("\\b(malloc|calloc|realloc)\\(", 0, &p), 0);
	assert_true(eval_on(p, "p = calloc(1, 2)"));
	assert_false(eval_on(p, "free(p)"));
	assert_false(eval_on(p, "malloc"));
	cx_plan_free(p);
	/* A class of a few bytes expands; a lookahead adds its own trigrams. */
	assert_int_equal(build("err[0-3]x(?=.*fatal)", 0, &p), 0);
	assert_true(eval_on(p, "err2x is fatal"));
	assert_false(eval_on(p, "err2x is fine"));
	assert_false(eval_on(p, "err7x is fatal"));
	cx_plan_free(p);
	/* Literal -F lists. */
	assert_int_equal(build("alpha\nbeta\ngamma", CX_PLAN_LITERAL, &p), 0);
	assert_int_equal(p->op, CX_PLAN_OR);
	assert_true(eval_on(p, "x beta y"));
	assert_false(eval_on(p, "alp bet gam"));
	cx_plan_free(p);
}

/* Hand-picked patterns that are easy to get wrong, with subjects that match. */
static void test_tricky(void **state)
{
	(void)state;
	static const struct {
		const char *pat;
		unsigned flags;
		const char *subject;
	} cases[] = {
		{"xa(?#c)+y", 0, "xaaay"},            /* comment between atom and quantifier */
		{"xa\\E+y", 0, "xaay"},
		{"xa\\Q\\E+y", 0, "xaay"},
		{"(?x)xa +y", 0, "xaay"},
		{"(?x)xa#c\n+y", 0, "xaay"},
		{"(?x)ab\x85+c", 0, "abbbc"},          /* NEL is white space under (?x) */
		{"(?x)ab\xa0+c", 0, "ab\xa0\xa0" "c"}, /* but NBSP is not */
		{"(?x)a[ ]b", 0, "a b"},
		{"(?xx)a[ ]b]", 0, "a]b]"},
		{"(?xx)[a - c]xyz", 0, "bxyz"},
		{"(?xx)(?x)[ ]xyz", 0, " xyz"},
		{"xab{,2}yz", 0, "xab{,2}yz"},         /* literal in PCRE2 10.42 */
		{"xab{ 2}yz", 0, "xab{ 2}yz"},
		{"ab{2}{", 0, "abb{"},
		{"[\\E]a]xyz", 0, "]xyz"},
		{"[\\Qa]\\E]xyz", 0, "]xyz"},
		{"[\\Qa\\E-c]xyz", 0, "bxyz"},
		{"(?i)[^a]xyz", 0, "bXYZ"},
		{"(?i:(?-i)a|b)cde", 0, "bcde"},
		{"(a(?i)b|c)de", 0, "Cde"},
		{"\\18abc", 0, "\x01" "8abc"},
		{"[\\18]abc", 0, "8abc"},
		{"(a)|\\1bcd", 0, "a"},
		{"abc\\Kdef", 0, "abcdef"},
		{"(?=abc)a", 0, "abc"},
		{"(?=abc)?xyz", 0, "xyz"},
		{"(?=abc){0}xyz", 0, "xyz"},
		{"(?(?=a)abc|xyz)", 0, "xyz"},
		{"(?(DEFINE)abc)xyz", 0, "xyz"},
		{"(?(R)abc|xyz)", 0, "xyz"},
		{"(*F)|abc", 0, "abc"},
		{"(*pla:abc)a", 0, "abc"},
		{"(*nla:abc)xyz", 0, "xyz"},
		{"(*CR)abc", 0, "abc"},
		{"(*LIMIT_MATCH=100)abc", 0, "abc"},
		{"a\\Rb", 0, "a\rb"},
		{"\\cAbc", 0, "\x01" "bc"},
		{"\\x{41}\\o{102}\\103", 0, "ABC"},
		{"\\0abc", 0, ""},                        /* NUL never in a C string subject */
		{"[[:alpha]xyz", 0, ":xyz"},
		{"[]a]bcd", 0, "]bcd"},
		{"ab\\\ncd", 0, "ab"},                    /* escaped newline: never matches */
		{"foo|", 0, "bar"},
		{"foo\\b|bar", 0, "bar"},
		{"(?i)straße", 0, "STRAßE"},
		{"a{0}bcd", 0, "bcd"},
		{"(abc){0,1}def", 0, "def"},
		{"(abc){2,10}", 0, "abcabc"},
		{"(abc){12}", 0, "abcabcabcabcabcabcabcabcabcabcabcabc"},
		{"x(?1)?(ab)", 0, "xab"},
		{"\\Qab\\Ec+", 0, "abcc"},
		{"a\\Q\\E\\E+b", 0, "aab"},
	};
	stats st = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cx_plan *p;
		size_t len = strlen(cases[i].pat);
		assert_int_equal(cx_plan_build(cases[i].pat, len, cases[i].flags, &p), 0);
		oracle o;
		oracle_init(&o, cases[i].pat, len, cases[i].flags);
		const char *s = cases[i].subject;
		if (o.compiled && oracle_matches(&o, (const uint8_t *)s, strlen(s)) &&
		    !eval_on(p, s)) {
			char *d = cx_plan_describe(p);
			print_error("UNSOUND: %s on \"%s\": %s\n", cases[i].pat, s, d);
			free(d);
			fail();
		}
		oracle_release(&o);
		cx_plan_free(p);
		rng r = {0x9e3779b97f4a7c15ull + i};
		check_sound(cases[i].pat, len, s, cases[i].flags, &r, 200, &st);
	}
}

static void test_random_grammar(void **state)
{
	(void)state;
	rng r = {0x1234567887654321ull};
	stats st = {0};
	gen g;
	for (int i = 0; i < 20000; i++) {
		g.n = g.sn = 0;
		g.pat[0] = g.sample[0] = '\0';
		gen_re(&r, &g, 0);
		unsigned flags = rnd(&r, 3) == 0 ? CX_PLAN_IGNORE_CASE : 0;
		check_sound(g.pat, g.n, g.sample, flags, &r, 30, &st);
	}
	printf("grammar: %zu patterns (%zu compiled), %zu subjects, %zu matched, %zu of them "
	       "with a selective plan\n",
	       st.patterns, st.compiled, st.subjects, st.matched, st.selective);
	assert_true(st.selective > 15000);
}

static void test_random_soup(void **state)
{
	(void)state;
	rng r = {0xfeedfacecafebeefull};
	stats st = {0};
	gen g;
	for (int i = 0; i < 30000; i++) {
		gen_soup(&r, &g);
		unsigned flags = rnd(&r, 3) == 0 ? CX_PLAN_IGNORE_CASE : 0;
		if (rnd(&r, 8) == 0)
			flags |= CX_PLAN_LITERAL;
		check_sound(g.pat, g.n, g.sample, flags, &r, 20, &st);
	}
	printf("soup: %zu patterns (%zu compiled), %zu subjects, %zu matched, %zu of them with "
	       "a selective plan\n",
	       st.patterns, st.compiled, st.subjects, st.matched, st.selective);
	assert_true(st.compiled > 5000 && st.selective > 5000);
}

/* Nasty patterns: every build is bounded in time and plan size. */
static void test_bounds(void **state)
{
	(void)state;
	size_t cap = 65536;
	char *pat = malloc(cap + 1);
	assert_non_null(pat);
	double worst = 0;
	const char *worst_name = "";
	static const char *const units[] = {
		"a",     "(",   "[ab]",          "(a|b)",         "a|",        "(?:a{8}){8}",
		"\\d{1000}", "(?i)x", "(a|b|c|d){20}", "[a-z]{50}", "abc", "(?=a",
		"((a)",  "\\Q", "(?i:abcdefgh)", "(?:ab|cd)+",    "a(?:b|",    "x{65535}"};
	for (size_t kind = 0; kind < sizeof units / sizeof units[0]; kind++) {
		const char *unit = units[kind], *name = unit;
		size_t n = 0, l = strlen(unit);
		while (n + l <= cap) {
			memcpy(pat + n, unit, l);
			n += l;
		}
		if (strcmp(unit, "abc") == 0) /* a long, varied literal */
			for (size_t i = 0; i < n; i++)
				pat[i] = (char)('a' + (i * 7 + i / 26) % 26);
		for (unsigned flags = 0; flags < 4; flags++) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			cx_plan *p;
			assert_int_equal(cx_plan_build(pat, n, flags, &p), 0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
			if (dt > worst) {
				worst = dt;
				worst_name = name;
			}
			assert_true(check_shape(p, 1) <= BUDGET);
			cx_plan_free(p);
		}
	}
	printf("bounds: slowest 64 KiB pattern (%s...) took %.1f ms\n", worst_name, worst * 1e3);
	/* Ordinary patterns take microseconds. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 10000; i++) {
		cx_plan *p;
		assert_int_equal(build("\\bstatic\\s+(int|long)\\s+\\w+\\(", 0, &p), 0);
		cx_plan_free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("bounds: ordinary pattern %.2f us per build\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e4 / 1e3);
	free(pat);
}

static void test_api(void **state)
{
	(void)state;
	cx_plan *p = (cx_plan *)1;
	assert_int_equal(cx_plan_build(NULL, 0, 0, &p), 0);
	assert_int_equal(p->op, CX_PLAN_ALL);
	cx_plan_free(p);
	assert_int_equal(cx_plan_build(NULL, 3, 0, &p), CODEIDX_EINVAL);
	assert_null(p);
	assert_int_equal(cx_plan_build("abc", 3, 0, NULL), CODEIDX_EINVAL);
	cx_plan_free(NULL);
	/* Patterns may hold NUL bytes. */
	assert_int_equal(cx_plan_build("a\0b", 3, 0, &p), 0);
	char *d = cx_plan_describe(p);
	assert_string_equal(d, "\"a\\x00b\"");
	free(d);
	cx_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_plans),
		cmocka_unit_test(test_selectivity),
		cmocka_unit_test(test_tricky),
		cmocka_unit_test(test_random_grammar),
		cmocka_unit_test(test_random_soup),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
