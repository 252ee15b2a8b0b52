/* literal.c - the longest literal run a regex match must contain (see literal.h). */
#include "search/literal.h"

#include <string.h>

/* Whether the quantifier at p (if any) lets the preceding atom repeat zero times,
 * and its length in bytes (0 if no quantifier). */
static size_t quantifier(const char *p, const char *end, int *optional)
{
	*optional = 0;
	if (p >= end)
		return 0;
	size_t n = 0;
	if (*p == '*' || *p == '?') {
		*optional = 1;
		n = 1;
	} else if (*p == '+') {
		n = 1;
	} else if (*p == '{') {
		const char *q = p + 1;
		/* "{,n}" is literal text in PCRE2 10.42 but {0,n} from 10.43: take the
		 * reading that makes the byte optional, sound under both. */
		if (q >= end || ((*q < '0' || *q > '9') && *q != ','))
			return 0; /* not a quantifier: a literal '{' */
		*optional = *q == ',' || (*q == '0' && (q + 1 >= end || q[1] < '0' || q[1] > '9'));
		while (q < end && *q != '}')
			q++;
		if (q >= end)
			return 0;
		n = (size_t)(q - p) + 1;
	} else {
		return 0;
	}
	if (p + n < end && (p[n] == '?' || p[n] == '+'))
		n++; /* lazy or possessive */
	return n;
}

/* The ']' closing the class that opens at p ('['), or a position >= end. A ']' right
 * after '[' or '[^' is a member, and escapes are skipped. */
static const char *class_end(const char *p, const char *end)
{
	const char *q = p + 1;
	if (q < end && *q == '^')
		q++;
	if (q < end && *q == ']')
		q++;
	while (q < end && *q != ']')
		q += *q == '\\' ? 2 : 1;
	return q;
}

size_t cx_required_literal(const char *pattern, size_t len, char *out, size_t cap)
{
	const char *p = pattern, *end = pattern + len;
	/* Any top-level alternation or inline flag makes the analysis unsafe here. */
	int depth = 0;
	for (const char *q = p; q < end; q++) {
		if (*q == '\\') {
			q++;
			continue;
		}
		if (*q == '[') { /* skip a class: its '|' and '(' are literal */
			q = class_end(q, end);
			continue;
		}
		if (*q == '(')
			depth++;
		else if (*q == ')')
			depth--;
		else if (*q == '|' && depth == 0)
			return 0;
		if (*q == '(' && q + 1 < end && q[1] == '?' && q + 2 < end &&
		    q[2] != ':' && q[2] != '<' && q[2] != '=' && q[2] != '!' && q[2] != '>')
			return 0; /* (?i) and friends change how literals match */
	}
	size_t best = 0, cur = 0;
	char run[256];
	depth = 0;
	while (p < end) {
		char c = 0;
		size_t atom = 1;
		int literal = depth == 0; /* only bytes outside groups are surely required */
		if (*p == '\\' && p + 1 < end) {
			char e = p[1];
			atom = 2;
			if (e == 't')
				c = '\t';
			else if (e == 'r')
				c = '\r';
			else if ((e >= 0x21 && e <= 0x2f) || (e >= 0x3a && e <= 0x40) ||
				 (e >= 0x5b && e <= 0x60 && e != '_') || (e >= 0x7b && e <= 0x7e))
				c = e; /* escaped punctuation */
			else if (strchr("wWdDsShHvVbBAzZGKR", e))
				literal = 0; /* a class or an assertion: no argument */
			else
				break; /* \x.. \p{..} \Q... \1: may take arguments; stop here */
		} else if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : -1;
			literal = 0;
		} else if (*p == '[') { /* skip the class */
			atom = (size_t)(class_end(p, end) - p) + 1;
			literal = 0;
		} else if (strchr(".^$|*+?{", *p)) {
			literal = 0;
		} else {
			c = *p;
		}
		if (p + atom > end)
			break;
		p += atom;
		int optional;
		size_t qn = quantifier(p, end, &optional);
		if (!literal || qn) {
			/* The run ends here; a repeated (not optional) byte still counts once. */
			if (literal && !optional && cur < sizeof run)
				run[cur++] = c;
			if (cur > best && cur <= cap) {
				memcpy(out, run, cur);
				best = cur;
			}
			cur = 0;
			p += qn;
			continue;
		}
		if (cur < sizeof run)
			run[cur++] = c;
	}
	if (cur > best && cur <= cap) {
		memcpy(out, run, cur);
		best = cur;
	}
	return best;
}
