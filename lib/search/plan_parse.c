/* plan_parse.c - parses a PCRE2 pattern (byte mode) into the syntax tree the trigram analysis reads. */
#include "search/plan_internal.h"

#include <string.h>

/*
 * The parser follows PCRE2's syntax closely enough that every construct it turns
 * into a tree node means, as a set of matchable strings, at least what PCRE2 makes
 * of it. Where PCRE2 would report a compile error the tree does not matter (the
 * search fails on the compile). Where the parser is unsure how PCRE2 reads the rest
 * of the pattern (callouts, (*ACCEPT), (*UTF), odd newline conventions with (?x)
 * comments, nesting deeper than PL_MAX_DEPTH) it gives up and the plan is ALL.
 */

/* Options that change how the rest of a group is read; scoped to the group. */
typedef struct pflags {
	bool fold;     /* (?i) */
	bool ext;      /* (?x): white space and #-comments are ignored */
	bool ext_more; /* (?xx): also space and tab inside classes */
} pflags;

typedef struct parser {
	pl_arena *a;
	const uint8_t *p;   /* cursor */
	const uint8_t *end; /* end of the pattern */
	bool quote;         /* inside \Q...\E */
	bool giveup;        /* the whole plan must be ALL */
	bool odd_newline;   /* (*CR), (*CRLF) or (*NUL) seen: (?x) comments end elsewhere */
	int depth;          /* groups open */
} parser;

typedef enum quant_kind { Q_NONE, Q_OK, Q_AMBIGUOUS } quant_kind;

static pl_node *parse_alt(parser *ps, pflags *f);
static pl_node *parse_paren(parser *ps, pflags *f);

/* ------------------------------------------------------------ byte sets ---- */

static void set_add(uint8_t *s, unsigned c)
{
	s[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const uint8_t *s, unsigned c)
{
	return (s[c >> 3] >> (c & 7)) & 1;
}

static void set_range(uint8_t *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		set_add(s, c);
}

static void set_union(uint8_t *s, const uint8_t *t)
{
	for (int i = 0; i < 32; i++)
		s[i] |= t[i];
}

static void set_invert(uint8_t *s)
{
	for (int i = 0; i < 32; i++)
		s[i] = (uint8_t)~s[i];
}

/* Adds the other ASCII case of every letter in s. */
static void set_fold(uint8_t *s)
{
	for (unsigned c = 'a'; c <= 'z'; c++) {
		if (set_has(s, c) || set_has(s, c - 32)) {
			set_add(s, c);
			set_add(s, c - 32);
		}
	}
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Sets of the backslash classes in byte mode with PCRE2's default (C locale)
 * tables; returns false if `c` is not one of d D w W s S h H v V. */
static bool escape_set(int c, uint8_t *s)
{
	memset(s, 0, 32);
	switch (c | 0x20) {
	case 'd':
		set_range(s, '0', '9');
		break;
	case 'w':
		set_range(s, '0', '9');
		set_range(s, 'a', 'z');
		set_range(s, 'A', 'Z');
		set_add(s, '_');
		break;
	case 's':
		set_range(s, '\t', '\r');
		set_add(s, ' ');
		break;
	case 'h':
		set_add(s, '\t');
		set_add(s, ' ');
		set_add(s, 0xa0);
		break;
	case 'v':
		set_range(s, '\n', '\r');
		set_add(s, 0x85);
		break;
	default:
		return false;
	}
	if (c >= 'A' && c <= 'Z')
		set_invert(s);
	return true;
}

/* Set of a POSIX class name ("alpha", ...); false if unknown. */
static bool posix_set(const uint8_t *name, size_t n, uint8_t *s)
{
	static const char *const names[] = {"alpha", "lower", "upper", "alnum", "ascii",
					    "blank", "cntrl", "digit", "graph", "print",
					    "punct", "space", "word",  "xdigit"};
	int which = -1;
	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			which = i;
	memset(s, 0, 32);
	switch (which) {
	case 0: set_range(s, 'a', 'z'); set_range(s, 'A', 'Z'); break;
	case 1: set_range(s, 'a', 'z'); break;
	case 2: set_range(s, 'A', 'Z'); break;
	case 3: set_range(s, 'a', 'z'); set_range(s, 'A', 'Z'); set_range(s, '0', '9'); break;
	case 4: set_range(s, 0, 127); break;
	case 5: set_add(s, ' '); set_add(s, '\t'); break;
	case 6: set_range(s, 0, 31); set_add(s, 127); break;
	case 7: set_range(s, '0', '9'); break;
	case 8: set_range(s, 33, 126); break;
	case 9: set_range(s, 32, 126); break;
	case 10:
		for (unsigned c = 33; c <= 126; c++)
			if (!is_alpha((int)c) && !is_digit((int)c))
				set_add(s, c);
		break;
	case 11: set_range(s, '\t', '\r'); set_add(s, ' '); break;
	case 12: escape_set('w', s); break;
	case 13: set_range(s, '0', '9'); set_range(s, 'a', 'f'); set_range(s, 'A', 'F'); break;
	default: return false;
	}
	return true;
}

/* ------------------------------------------------------------ tree nodes ---- */

static pl_node *new_node(parser *ps, pl_kind kind)
{
	pl_node *n = pl_alloc(ps->a, sizeof *n);
	n->kind = kind;
	return n;
}

static pl_node *new_class(parser *ps, const uint8_t *set, bool fold)
{
	pl_node *n = new_node(ps, PL_CLASS);
	memcpy(n->set, set, 32);
	if (fold)
		set_fold(n->set);
	n->set['\n' >> 3] &= (uint8_t)~(1u << ('\n' & 7)); /* a line never holds '\n' */
	return n;
}

static pl_node *new_lit(parser *ps, uint8_t c, bool fold)
{
	pl_node *n = new_node(ps, PL_LIT);
	n->fold = fold;
	n->cap = 8;
	n->lit = pl_alloc(ps->a, n->cap);
	n->lit[0] = c;
	n->len = 1;
	return n;
}

/* Appends a byte to a PL_LIT node, growing it geometrically. */
static void lit_push(parser *ps, pl_node *n, uint8_t c)
{
	if (n->len == n->cap) {
		uint8_t *p = pl_alloc(ps->a, (size_t)n->cap * 2);
		memcpy(p, n->lit, n->len);
		n->lit = p;
		n->cap *= 2;
	}
	n->lit[n->len++] = c;
}

/* Appends a kid to a PL_CAT or PL_ALT node. */
static void kid_push(parser *ps, pl_node *n, pl_node *kid)
{
	if (n->len == n->cap) {
		uint32_t cap = n->cap ? n->cap * 2 : 4;
		pl_node **k = pl_alloc(ps->a, (size_t)cap * sizeof *k);
		if (n->len)
			memcpy(k, n->kids, n->len * sizeof *k);
		n->kids = k;
		n->cap = cap;
	}
	n->kids[n->len++] = kid;
}

static pl_node *new_unary(parser *ps, pl_kind kind, pl_node *kid)
{
	pl_node *n = new_node(ps, kind);
	n->kids = pl_alloc(ps->a, sizeof *n->kids);
	n->kids[0] = kid;
	n->len = 1;
	return n;
}

/* --------------------------------------------------------------- helpers ---- */

static bool at(const parser *ps, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, s, n) == 0;
}

static int peek(const parser *ps, size_t off)
{
	return (size_t)(ps->end - ps->p) > off ? ps->p[off] : -1;
}

static void give_up(parser *ps)
{
	ps->giveup = true;
	ps->p = ps->end;
}

/* Moves past the next `c`; gives up if there is none. */
static void skip_past(parser *ps, uint8_t c)
{
	const uint8_t *q = memchr(ps->p, c, (size_t)(ps->end - ps->p));
	if (!q)
		give_up(ps);
	else
		ps->p = q + 1;
}

/* White space that (?x) ignores: PCRE2 10.42 in byte mode skips these, NEL included. */
static bool is_ext_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85;
}

/* Skips what PCRE2 ignores between items (and between an item and its quantifier):
 * \E, \Q (entering quote mode), \Q\E, (?#...) comments, and under (?x) white space
 * and #-comments. In quote mode only a closing \E is skipped. */
static void skip_ignorable(parser *ps, const pflags *f)
{
	for (;;) {
		if (ps->quote) {
			if (!at(ps, "\\E"))
				return;
			ps->quote = false;
			ps->p += 2;
			continue;
		}
		if (at(ps, "\\E")) {
			ps->p += 2;
		} else if (at(ps, "\\Q")) {
			ps->p += 2;
			ps->quote = true;
		} else if (at(ps, "(?#")) {
			skip_past(ps, ')');
		} else if (f->ext && ps->p < ps->end && is_ext_space(*ps->p)) {
			ps->p++;
		} else if (f->ext && ps->p < ps->end && *ps->p == '#') {
			/* A comment runs to the next newline, whose meaning depends on the
			 * newline convention: accept only the case every convention PCRE2
			 * may use by default (LF, ANYCRLF, ANY) reads the same way. */
			if (ps->odd_newline) {
				give_up(ps);
				return;
			}
			const uint8_t *q = ps->p;
			while (q < ps->end && *q != '\n' && *q != '\r' && *q != 0x0b &&
			       *q != 0x0c && *q != 0x85)
				q++;
			if (q < ps->end && *q != '\n') {
				give_up(ps);
				return;
			}
			ps->p = q < ps->end ? q + 1 : q;
		} else {
			return;
		}
	}
}

/* Reads up to `max` digits of `base` (8, 10 or 16); returns the value, or -1 if
 * there are none or the value passes `limit`. */
static long read_number(parser *ps, int base, int max, long limit)
{
	long v = 0;
	int n = 0;
	while (n < max && ps->p < ps->end) {
		int d = base == 16 ? hex_value(*ps->p) : (is_digit(*ps->p) ? *ps->p - '0' : -1);
		if (d < 0 || d >= base)
			break;
		v = v * base + d;
		if (v > limit)
			return -1;
		ps->p++;
		n++;
	}
	return n ? v : -1;
}

/* Escapes that stand for one byte the same way inside and outside classes:
 * \a \e \f \n \r \t \cX \xHH \x{H..} \o{O..}. `c` is the letter after the
 * backslash, already consumed. Returns the byte, -1 if `c` is not one of these,
 * -2 on a malformed escape (the parser then gives up). */
static int escape_byte(parser *ps, int c)
{
	long v;
	switch (c) {
	case 'a': return 0x07;
	case 'e': return 0x1b;
	case 'f': return 0x0c;
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'c':
		if (ps->p >= ps->end || *ps->p < 32 || *ps->p > 126)
			return -2;
		c = *ps->p++;
		if (c >= 'a' && c <= 'z')
			c -= 32;
		return c ^ 0x40;
	case 'x':
		if (ps->p < ps->end && *ps->p == '{') {
			ps->p++;
			v = read_number(ps, 16, 64, 255);
			if (v < 0 || ps->p >= ps->end || *ps->p != '}')
				return -2;
			ps->p++;
			return (int)v;
		}
		v = read_number(ps, 16, 2, 255);
		return v < 0 ? 0 : (int)v; /* "\x" alone is NUL */
	case 'o':
		if (ps->p >= ps->end || *ps->p != '{')
			return -2;
		ps->p++;
		v = read_number(ps, 8, 64, 255);
		if (v < 0 || ps->p >= ps->end || *ps->p != '}')
			return -2;
		ps->p++;
		return (int)v;
	default:
		return -1;
	}
}

/* ------------------------------------------------------------ quantifiers ---- */

/* Reads a quantifier at the cursor, with its lazy/possessive suffix, into
 * min/max (max -1: unbounded). Q_AMBIGUOUS is a brace form that PCRE2 10.43+
 * reads as a quantifier but older versions as literal text ("{,3}", "{ 2 }"). */
static quant_kind parse_quant(parser *ps, int32_t *min, int32_t *max)
{
	if (ps->quote || ps->p >= ps->end)
		return Q_NONE;
	int c = *ps->p;
	if (c == '*' || c == '+' || c == '?') {
		*min = c == '+';
		*max = c == '?' ? 1 : -1;
		ps->p++;
	} else if (c == '{') {
		const uint8_t *save = ps->p;
		ps->p++;
		long lo = read_number(ps, 10, 16, 1L << 20), hi = lo;
		if (lo >= 0 && ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			if (ps->p < ps->end && *ps->p == '}') {
				hi = -1; /* {n,} */
			} else {
				hi = read_number(ps, 10, 16, 1L << 20);
				if (hi < 0)
					lo = -1; /* not a quantifier */
			}
		}
		if (lo >= 0 && ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			if (lo > 65535 || hi > 65535 || (hi >= 0 && hi < lo)) {
				give_up(ps); /* a compile error */
				return Q_NONE;
			}
			*min = (int32_t)lo;
			*max = (int32_t)hi;
		} else {
			/* Not a quantifier in PCRE2 10.42: literal '{'. Is it one in later
			 * versions, which allow "{,n}" and spaces inside the braces? */
			const uint8_t *q = save + 1;
			int digits = 0;
			while (q < ps->end && (*q == ' ' || *q == '\t' || *q == ',' || is_digit(*q)))
				digits += is_digit(*q++);
			ps->p = save;
			if (digits && q < ps->end && *q == '}') {
				ps->p = q + 1;
				return Q_AMBIGUOUS;
			}
			return Q_NONE;
		}
	} else {
		return Q_NONE;
	}
	if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
		ps->p++; /* lazy or possessive: the same strings can match */
	return Q_OK;
}

/* ---------------------------------------------------------------- classes ---- */

/* Mirrors PCRE2's test for "[:name:]" syntax starting at `p` (the ':' '.' or '='
 * after '['): sets *close to the terminator before the ']'. */
static bool posix_syntax(const uint8_t *p, const uint8_t *end, const uint8_t **close)
{
	uint8_t term = *p++;
	for (; end - p >= 2; p++) {
		if (*p == '\\' && (p[1] == ']' || p[1] == '\\'))
			p++;
		else if ((*p == '[' && p[1] == term) || *p == ']')
			return false;
		else if (*p == term && p[1] == ']') {
			*close = p;
			return true;
		}
	}
	return false;
}

/* Skips what a class ignores: \E, \Q...\E (a non-empty quote makes the class
 * `full`: its bytes are literal and may start a range, which we do not model),
 * and under (?xx) spaces and tabs. A `full` class is any byte, negated or not,
 * since a superset of an item is a subset of its complement. */
static void class_skip(parser *ps, const pflags *f, bool *full, bool *first)
{
	for (;;) {
		if (at(ps, "\\E")) {
			ps->p += 2;
		} else if (at(ps, "\\Q")) {
			ps->p += 2;
			const uint8_t *q = ps->p;
			while (q < ps->end && !(q + 1 < ps->end && q[0] == '\\' && q[1] == 'E'))
				q++;
			if (q > ps->p) {
				*full = true;
				*first = false;
			}
			ps->p = q < ps->end ? q + 2 : q;
		} else if (f->ext_more && ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t')) {
			ps->p++;
		} else {
			return;
		}
	}
}

/* Reads one class item: a byte (returns it) or a set (returns 256, fills `s`).
 * Sets *full for an item we only over-approximate (\p). Returns -1 after giving
 * up. */
static int class_item(parser *ps, uint8_t *s, bool *full)
{
	int c = *ps->p++;
	if (c == '[' && ps->p < ps->end && (*ps->p == ':' || *ps->p == '.' || *ps->p == '=')) {
		const uint8_t *close;
		if (posix_syntax(ps->p, ps->end, &close)) {
			if (*ps->p != ':')
				return give_up(ps), -1; /* collating elements: an error */
			const uint8_t *name = ps->p + 1;
			bool neg = name < close && *name == '^';
			name += neg;
			if (!posix_set(name, (size_t)(close - name), s))
				return give_up(ps), -1;
			if (neg)
				set_invert(s);
			ps->p = close + 2;
			return 256;
		}
		return '[';
	}
	if (c != '\\')
		return c;
	if (ps->p >= ps->end)
		return give_up(ps), -1;
	c = *ps->p++;
	int b = escape_byte(ps, c);
	if (b >= 0)
		return b;
	if (b == -2)
		return give_up(ps), -1;
	if (escape_set(c, s))
		return 256;
	if (c == 'b')
		return 0x08;
	if (c >= '0' && c <= '7') {
		ps->p--;
		long v = read_number(ps, 8, 3, 255);
		return v < 0 ? (give_up(ps), -1) : (int)v;
	}
	if (c == '8' || c == '9')
		return c;
	if (c == 'p' || c == 'P') {
		if (ps->p < ps->end && *ps->p == '{')
			skip_past(ps, '}');
		else if (ps->p < ps->end)
			ps->p++;
		memset(s, 0xff, 32);
		*full = true;
		return 256;
	}
	if (is_alpha(c) || is_digit(c))
		return give_up(ps), -1; /* \N \R \X \B ... are errors in a class */
	return c;
}

/* Parses a class at '['. */
static pl_node *parse_class(parser *ps, const pflags *f)
{
	if (at(ps, "[[:<:]]") || at(ps, "[[:>:]]")) { /* word boundaries */
		ps->p += 7;
		return new_node(ps, PL_EMPTY);
	}
	ps->p++;
	uint8_t s[32] = {0}, item[32];
	bool neg = false, full = false, first = true;
	class_skip(ps, f, &full, &first);
	if (ps->p < ps->end && *ps->p == '^') {
		neg = true;
		ps->p++;
	}
	for (;;) {
		class_skip(ps, f, &full, &first);
		if (ps->p >= ps->end) {
			give_up(ps);
			return NULL;
		}
		if (*ps->p == ']' && !first) {
			ps->p++;
			break;
		}
		first = false;
		int lo = class_item(ps, item, &full);
		if (lo < 0)
			return NULL;
		if (lo == 256) {
			set_union(s, item);
			continue;
		}
		/* A range "lo-hi"? Not when the '-' is last ("[a-]"). */
		const uint8_t *save = ps->p;
		class_skip(ps, f, &full, &first);
		if (ps->p < ps->end && *ps->p == '-') {
			ps->p++;
			class_skip(ps, f, &full, &first);
			if (ps->p < ps->end && *ps->p != ']') {
				int hi = class_item(ps, item, &full);
				if (hi < 0)
					return NULL;
				if (hi == 256 || hi < lo) {
					give_up(ps); /* PCRE2: invalid range */
					return NULL;
				}
				set_range(s, (unsigned)lo, (unsigned)hi);
				continue;
			}
		}
		ps->p = save;
		set_add(s, (unsigned)lo);
	}
	if (neg)
		set_invert(s);
	if (full)
		memset(s, 0xff, 32);
	/* Folding after the complement gives a superset of both ways of reading a
	 * negated caseless class. */
	return new_class(ps, s, f->fold);
}

/* ----------------------------------------------------------------- groups ---- */

/* Parses an alternation up to the ')' that closes the group being opened, with
 * its own copy of the options; the cursor is just after the opening syntax. */
static pl_node *parse_group_body(parser *ps, const pflags *f)
{
	if (++ps->depth > PL_MAX_DEPTH) {
		give_up(ps);
		return NULL;
	}
	pflags g = *f;
	pl_node *n = parse_alt(ps, &g);
	ps->depth--;
	if (ps->giveup)
		return NULL;
	if (ps->p >= ps->end || *ps->p != ')') {
		give_up(ps);
		return NULL;
	}
	ps->p++;
	return n;
}

/* Parses an option setting "(?imnsxUJ-imnsx)" or "(?...:" body; the cursor is on
 * the first option letter. Returns the group for the ':' form; for the ')' form
 * applies the options to *f and returns NULL (check ps->giveup). */
static pl_node *parse_options(parser *ps, pflags *f)
{
	pflags g = *f;
	bool on = true;
	if (ps->p < ps->end && *ps->p == '^') {
		g.fold = g.ext = g.ext_more = false;
		ps->p++;
	}
	for (;;) {
		if (ps->p >= ps->end) {
			give_up(ps);
			return NULL;
		}
		int c = *ps->p++;
		switch (c) {
		case ')':
			*f = g;
			return NULL;
		case ':':
			return parse_group_body(ps, &g);
		case '-':
			on = false;
			break;
		case 'i':
			g.fold = on;
			break;
		case 'x':
			g.ext = on;
			g.ext_more = on && ps->p < ps->end && *ps->p == 'x';
			if (g.ext_more)
				ps->p++;
			break;
		case 'm': case 'n': case 's': case 'U': case 'J':
			break;
		default:
			give_up(ps); /* an option we do not know may change the syntax */
			return NULL;
		}
	}
}

/* Parses "(?(condition)yes|no)"; the cursor is on the condition's '('. Either
 * branch can match, or, for the one-branch and DEFINE forms, nothing. */
static pl_node *parse_conditional(parser *ps, pflags *f)
{
	int c1 = peek(ps, 1), c2 = peek(ps, 2), c3 = peek(ps, 3);
	if (c1 == '?' && c2 == 'C') {
		give_up(ps); /* callout */
		return NULL;
	}
	if ((c1 == '?' && (c2 == '=' || c2 == '!' || (c2 == '<' && (c3 == '=' || c3 == '!')))) ||
	    c1 == '*') {
		/* An assertion only picks the branch: parse it to find its end. */
		pflags g = *f;
		(void)parse_paren(ps, &g);
	} else {
		skip_past(ps, ')'); /* a group number or name, R..., DEFINE, VERSION... */
	}
	if (ps->giveup)
		return NULL;
	pl_node *body = parse_group_body(ps, f);
	if (!body)
		return NULL;
	pl_node *alt = new_node(ps, PL_ALT);
	if (body->kind == PL_ALT)
		for (uint32_t i = 0; i < body->len; i++)
			kid_push(ps, alt, body->kids[i]);
	else
		kid_push(ps, alt, body);
	kid_push(ps, alt, new_node(ps, PL_EMPTY));
	return alt;
}

static bool name_is(const uint8_t *name, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(name, s, n) == 0;
}

/* Parses "(*NAME...)" (the byte after "(*" is a letter or ':'): a backtracking
 * verb, a start-of-pattern option, or an alphabetic assertion "(*pla:...)". */
static pl_node *parse_verb(parser *ps, pflags *f)
{
	static const char *const look[] = {"pla", "positive_lookahead", "plb",
					   "positive_lookbehind", "napla",
					   "non_atomic_positive_lookahead", "naplb",
					   "non_atomic_positive_lookbehind"};
	static const char *const neg[] = {"nla", "negative_lookahead", "nlb",
					  "negative_lookbehind"};
	static const char *const group[] = {"atomic", "sr", "script_run", "asr",
					    "atomic_script_run"};
	/* Verbs that can only make a match fail, and options that do not change
	 * which strings match. */
	static const char *const harmless[] = {
		"",        "MARK",     "FAIL",        "F",           "COMMIT",
		"PRUNE",   "SKIP",     "THEN",        "LF",          "ANYCRLF",
		"ANY",     "BSR_ANYCRLF", "BSR_UNICODE", "NO_AUTO_POSSESS",
		"NO_DOTSTAR_ANCHOR", "NO_JIT", "NO_START_OPT", "NOTEMPTY", "NOTEMPTY_ATSTART"};
	const uint8_t *name = ps->p + 2, *q = name;
	while (q < ps->end && *q != ')' && *q != ':')
		q++;
	if (q >= ps->end) {
		give_up(ps);
		return NULL;
	}
	size_t n = (size_t)(q - name);
	if (*q == ':') {
		int kind = 0;
		for (size_t i = 0; i < sizeof look / sizeof look[0]; i++)
			kind = name_is(name, n, look[i]) ? 1 : kind;
		for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++)
			kind = name_is(name, n, neg[i]) ? 2 : kind;
		for (size_t i = 0; i < sizeof group / sizeof group[0]; i++)
			kind = name_is(name, n, group[i]) ? 3 : kind;
		if (kind) {
			ps->p = q + 1;
			pl_node *body = parse_group_body(ps, f);
			if (!body)
				return NULL;
			if (kind == 1)
				return new_unary(ps, PL_LOOK, body);
			return kind == 2 ? new_node(ps, PL_EMPTY) : body;
		}
	}
	ps->p = q;
	skip_past(ps, ')');
	if (ps->giveup)
		return NULL;
	if (name_is(name, n, "CR") || name_is(name, n, "CRLF") || name_is(name, n, "NUL")) {
		ps->odd_newline = true;
		return new_node(ps, PL_EMPTY);
	}
	if (n >= 6 && memcmp(name, "LIMIT_", 6) == 0)
		return new_node(ps, PL_EMPTY);
	for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++)
		if (name_is(name, n, harmless[i]))
			return new_node(ps, PL_EMPTY);
	/* (*ACCEPT) ends the match early, (*UTF) and (*UCP) change what bytes and
	 * classes mean; anything else is unknown. */
	give_up(ps);
	return NULL;
}

/* Parses a construct starting with '('. Returns NULL with ps->giveup clear for an
 * option setting "(?i)", which produces no item. */
static pl_node *parse_paren(parser *ps, pflags *f)
{
	int c1 = peek(ps, 1), c2 = peek(ps, 2);
	if (c1 == '*' && (c2 == ':' || is_alpha(c2)))
		return parse_verb(ps, f);
	if (c1 != '?') {
		ps->p++;
		return parse_group_body(ps, f); /* capturing group */
	}
	ps->p += 2;
	int c = peek(ps, 0), n1 = peek(ps, 1);
	pl_node *body;
	switch (c) {
	case '#':
		skip_past(ps, ')');
		return ps->giveup ? NULL : new_node(ps, PL_EMPTY);
	case ':': case '|': case '>':
		ps->p++;
		return parse_group_body(ps, f);
	case '=': case '!':
		ps->p++;
		body = parse_group_body(ps, f);
		if (!body)
			return NULL;
		return c == '=' ? new_unary(ps, PL_LOOK, body) : new_node(ps, PL_EMPTY);
	case '<':
		if (n1 == '=' || n1 == '!') {
			ps->p += 2;
			body = parse_group_body(ps, f);
			if (!body)
				return NULL;
			return n1 == '=' ? new_unary(ps, PL_LOOK, body) : new_node(ps, PL_EMPTY);
		}
		skip_past(ps, '>'); /* named group */
		return ps->giveup ? NULL : parse_group_body(ps, f);
	case '\'':
		ps->p++;
		skip_past(ps, '\'');
		return ps->giveup ? NULL : parse_group_body(ps, f);
	case 'P':
		if (n1 == '<') {
			ps->p += 2;
			skip_past(ps, '>');
			return ps->giveup ? NULL : parse_group_body(ps, f);
		}
		if (n1 != '=' && n1 != '>') {
			give_up(ps);
			return NULL;
		}
		/* (?P=name) backreference, (?P>name) subroutine call */
		skip_past(ps, ')');
		return ps->giveup ? NULL : new_node(ps, PL_ANY);
	case '(':
		return parse_conditional(ps, f);
	case 'C':
		give_up(ps); /* callout */
		return NULL;
	case '&': case 'R': case '+':
		skip_past(ps, ')'); /* recursion or subroutine call */
		return ps->giveup ? NULL : new_node(ps, PL_ANY);
	case '-':
		if (is_digit(n1)) {
			skip_past(ps, ')');
			return ps->giveup ? NULL : new_node(ps, PL_ANY);
		}
		return parse_options(ps, f);
	default:
		if (is_digit(c)) {
			skip_past(ps, ')');
			return ps->giveup ? NULL : new_node(ps, PL_ANY);
		}
		return parse_options(ps, f);
	}
}

/* Skips the name or number of \g or \k: {...} <...> '...' or [+-]digits. */
static void skip_reference(parser *ps, bool digits_ok)
{
	int c = peek(ps, 0);
	if (c == '{' || c == '<' || c == '\'') {
		ps->p++;
		skip_past(ps, c == '{' ? '}' : c == '<' ? '>' : '\'');
		return;
	}
	if (!digits_ok) {
		give_up(ps);
		return;
	}
	if (c == '+' || c == '-')
		ps->p++;
	if (read_number(ps, 10, 16, 1L << 30) < 0)
		give_up(ps);
}

/* Parses an escape outside a class; the cursor is after the backslash. */
static pl_node *parse_escape(parser *ps, const pflags *f)
{
	if (ps->p >= ps->end) {
		give_up(ps);
		return NULL;
	}
	int c = *ps->p++;
	uint8_t s[32];
	int b = escape_byte(ps, c);
	if (b >= 0)
		return new_lit(ps, (uint8_t)b, f->fold);
	if (b == -2) {
		give_up(ps);
		return NULL;
	}
	if (escape_set(c, s))
		return new_class(ps, s, f->fold);
	switch (c) {
	case '0': {
		ps->p--;
		long v = read_number(ps, 8, 3, 255);
		return new_lit(ps, (uint8_t)v, f->fold);
	}
	case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
		/* A backreference, or an octal escape followed by digits. */
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
		return new_node(ps, PL_ANY);
	case 'N': case 'C':
		memset(s, 0xff, 32);
		return new_class(ps, s, false);
	case 'R':
		memset(s, 0, 32);
		set_range(s, '\n', '\r');
		set_add(s, 0x85);
		return new_class(ps, s, false);
	case 'p': case 'P':
		if (ps->p < ps->end && *ps->p == '{')
			skip_past(ps, '}');
		else if (ps->p < ps->end)
			ps->p++;
		else
			give_up(ps);
		memset(s, 0xff, 32);
		return ps->giveup ? NULL : new_class(ps, s, false);
	case 'X':
		return new_node(ps, PL_ANY);
	case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
		return new_node(ps, PL_EMPTY);
	case 'g': case 'k':
		skip_reference(ps, c == 'g');
		return ps->giveup ? NULL : new_node(ps, PL_ANY);
	case 'Q':
		ps->quote = true;
		return NULL;
	case 'E':
		return NULL;
	default:
		if (is_alpha(c) || is_digit(c)) {
			give_up(ps); /* PCRE2 rejects unknown letter escapes */
			return NULL;
		}
		return new_lit(ps, (uint8_t)c, f->fold);
	}
}

/* Parses one item (without its quantifier). NULL with ps->giveup clear: nothing. */
static pl_node *parse_atom(parser *ps, pflags *f)
{
	uint8_t s[32];
	if (ps->quote)
		return new_lit(ps, *ps->p++, f->fold);
	int c = *ps->p;
	switch (c) {
	case '(':
		return parse_paren(ps, f);
	case '[':
		return parse_class(ps, f);
	case '.':
		ps->p++;
		memset(s, 0xff, 32);
		return new_class(ps, s, false);
	case '^': case '$':
		ps->p++;
		return new_node(ps, PL_EMPTY);
	case '\\':
		ps->p++;
		return parse_escape(ps, f);
	case '*': case '+': case '?':
		give_up(ps); /* nothing to repeat: a compile error */
		return NULL;
	case '{': {
		int32_t min, max;
		const uint8_t *save = ps->p;
		if (parse_quant(ps, &min, &max) == Q_OK)
			give_up(ps);
		if (ps->giveup)
			return NULL;
		ps->p = save + 1;
		return new_lit(ps, '{', f->fold);
	}
	default:
		ps->p++;
		return new_lit(ps, (uint8_t)c, f->fold);
	}
}

/* Parses a sequence of items up to '|', ')' or the end. Consecutive literal bytes
 * without quantifiers are merged into one PL_LIT. */
static pl_node *parse_seq(parser *ps, pflags *f)
{
	pl_node *seq = new_node(ps, PL_CAT);
	for (;;) {
		skip_ignorable(ps, f);
		if (ps->giveup)
			return NULL;
		if (ps->p >= ps->end || (!ps->quote && (*ps->p == '|' || *ps->p == ')')))
			break;
		pl_node *atom = parse_atom(ps, f);
		if (ps->giveup)
			return NULL;
		if (!atom)
			continue;
		skip_ignorable(ps, f);
		int32_t min = 1, max = 1;
		quant_kind q = ps->giveup ? Q_NONE : parse_quant(ps, &min, &max);
		if (ps->giveup)
			return NULL;
		if (q == Q_AMBIGUOUS) {
			atom = new_node(ps, PL_ANY);
		} else if (q == Q_OK) {
			atom = new_unary(ps, PL_REP, atom);
			atom->min = min;
			atom->max = max;
		} else if (atom->kind == PL_LIT && seq->len) {
			pl_node *last = seq->kids[seq->len - 1];
			if (last->kind == PL_LIT && last->fold == atom->fold) {
				for (uint32_t i = 0; i < atom->len; i++) /* a group's run may be long */
					lit_push(ps, last, atom->lit[i]);
				continue;
			}
		}
		kid_push(ps, seq, atom);
	}
	if (seq->len == 0)
		return new_node(ps, PL_EMPTY);
	return seq->len == 1 ? seq->kids[0] : seq;
}

/* Parses alternatives separated by '|' up to ')' or the end. An option set in one
 * alternative stays set in the following ones (PCRE2 semantics). */
static pl_node *parse_alt(parser *ps, pflags *f)
{
	pl_node *n = parse_seq(ps, f);
	if (!n)
		return NULL;
	if (ps->p >= ps->end || ps->quote || *ps->p != '|')
		return n;
	pl_node *alt = new_node(ps, PL_ALT);
	kid_push(ps, alt, n);
	while (ps->p < ps->end && !ps->quote && *ps->p == '|') {
		ps->p++;
		n = parse_seq(ps, f);
		if (!n)
			return NULL;
		kid_push(ps, alt, n);
	}
	return alt;
}

pl_node *pl_parse(pl_arena *a, const uint8_t *pat, size_t len, bool ignore_case)
{
	static const uint8_t empty[1];
	parser ps = {.a = a, .p = len ? pat : empty, .end = (len ? pat : empty) + len};
	pflags f = {.fold = ignore_case};
	pl_node *n = parse_alt(&ps, &f);
	if (ps.giveup || !n || ps.p < ps.end)
		return NULL; /* a stray ')' is a compile error anyway */
	return n;
}
