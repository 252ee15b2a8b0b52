/* test_literal.c - the required literal of a regex: expected answers for chosen
 * patterns, and soundness against PCRE2 (a matching line always holds the literal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "search/literal.h"

static void expect(const char *pat, const char *lit)
{
	char out[256];
	size_t n = cx_required_literal(pat, strlen(pat), out, sizeof out);
	if (n != strlen(lit) || memcmp(out, lit, n) != 0)
		fail_msg("%s: got '%.*s', expected '%s'", pat, (int)n, out, lit);
}

static void test_expected(void **state)
{
	(void)state;
	expect("^\\s*//", "//");
	expect("\\w+_ops\\s*=\\s*\\{", "_ops");
	expect("\\bint\\b", "int");
	expect("(abc)?def", "def");
	expect("(abc|def)", "");
	expect("ab*cd", "cd");
	expect("abc+d", "abc");
	expect("x|y", "");
	expect("(?i)hello", "");
	expect("foo(?=bar)baz", "foo");
	expect("a\\.b\\(c", "a.b(c");
	expect("ab{0,3}cde", "cde");
	expect("ab{2}c", "ab");
	expect("[0-9]{10,}", "");
	expect("[|(]abc", "abc");
	expect("\\x41BC", "");
	expect("ab\\x41", "ab");
	expect("a(b)?c", "a");
	expect("abc{,2}", "ab"); /* {,n}: literal in PCRE2 10.42, {0,n} from 10.43 */
}

/* A small random pattern over a, b, x and the constructs the extractor handles. */
static void random_pattern(char *out, size_t cap, uint64_t *s)
{
	static const char *const tokens[] = {
		"a", "b", "x", "ab", "(", ")", "|", "*", "+", "?", "{2}", "{0,2}", "{1,}",
		"\\w", "\\d", ".", "[ab]", "[^a]", "\\(", "\\.", "(?:", "(?=a)", "\\b", "^", "$",
		"\\s", " "};
	size_t n = 0;
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	unsigned len = 1 + (unsigned)(*s >> 60);
	for (unsigned i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ull + 1442695040888963407ull;
		const char *t = tokens[(*s >> 33) % (sizeof tokens / sizeof *tokens)];
		size_t tl = strlen(t);
		if (n + tl + 1 >= cap)
			break;
		memcpy(out + n, t, tl);
		n += tl;
	}
	out[n] = '\0';
}

static void test_sound_against_pcre2(void **state)
{
	(void)state;
	uint64_t seed = 42;
	unsigned checked = 0, with_literal = 0;
	pcre2_match_data *md = pcre2_match_data_create(8, NULL);
	for (int i = 0; i < 20000; i++) {
		char pat[128];
		random_pattern(pat, sizeof pat, &seed);
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err,
					       &off, NULL);
		if (!re)
			continue;
		char lit[256];
		size_t ln = cx_required_literal(pat, strlen(pat), lit, sizeof lit);
		with_literal += ln > 0;
		for (int k = 0; k < 8; k++) {
			char line[32]; /* n <= 32 */
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t n = (seed >> 59) + 1;
			for (size_t j = 0; j < n; j++)
				line[j] = "abx() .1"[(seed >> (j * 3 % 48)) & 7];
			if (pcre2_match(re, (PCRE2_SPTR)line, n, 0, 0, md, NULL) < 0)
				continue;
			checked++;
			if (ln && !memmem(line, n, lit, ln))
				fail_msg("pattern %s matches \"%.*s\" which lacks its literal '%.*s'",
					 pat, (int)n, line, (int)ln, lit);
		}
		pcre2_code_free(re);
	}
	pcre2_match_data_free(md);
	print_message("literal soundness: %u matching lines checked, %u patterns with a literal\n",
		      checked, with_literal);
	assert_true(checked > 1000);
	assert_true(with_literal > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_sound_against_pcre2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
