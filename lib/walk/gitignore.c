/* gitignore.c - compile gitignore pattern files and match paths with git's semantics. */
#include "walk/gitignore.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codeidx.h"
#include "common/buf.h"

/*
 * How a line becomes a pattern follows git (dir.c: add_patterns_from_buffer,
 * parse_path_pattern, match_basename, match_pathname; wildmatch.c):
 *   - a UTF-8 BOM at the start of the text is skipped; lines end at '\n', one '\r'
 *     before it is dropped; an empty line or one starting with '#' is skipped;
 *   - the line stops at a NUL byte; trailing unescaped spaces are trimmed (not tabs);
 *     a line ending in a lone backslash is not trimmed at all (and never matches);
 *   - a leading '!' negates; one trailing '/' makes the pattern match directories only;
 *   - a pattern without any other '/' ("NODIR") matches the basename at any depth;
 *     otherwise it is anchored: matched against the path relative to the directory of
 *     the list, after dropping one leading '/';
 *   - anchored patterns compare their literal head (up to the first of `*?[\`) first
 *     and glob only the rest, which is why git matches "foo**" + "/bar" like "foo" +
 *     "**" + "/bar"; we keep that quirk by doing the same.
 *
 * For speed each pattern is filed under a kind, so that matching a path costs a few
 * hash lookups plus a short scan of the patterns that need real work:
 *   BASE_EXACT  "Makefile"        hash of the basename
 *   BASE_EXT    "*.o"             hash of the basename's extension (from its last '.')
 *   PATH_EXACT  "/vmlinux", "a/b" hash of the path relative to the list's directory
 *   BASE_SUFFIX "*~", "*.mod.c"   memcmp of the basename's tail
 *   BASE_PREFIX ".*", "cscope.*"  memcmp of the basename's head
 *   BASE_GLOB   "*.[ch]"          wildmatch on the basename
 *   PATH_GLOB   "doc/?.txt"       literal head, then wildmatch with PATHNAME
 * "**" + "/x" (and "/" + "**" + "/x") where x has no '/' is filed as the basename
 * pattern x: both match exactly the paths whose last component matches x.
 * Hash slots keep the highest pattern index for files and for directories; the other
 * patterns are scanned from the highest index down and the scan stops at the best
 * index found so far, so "last match wins" is kept exactly.
 */

enum pat_kind {
	K_BASE_EXACT,
	K_BASE_EXT,
	K_PATH_EXACT,
	K_BASE_SUFFIX,
	K_BASE_PREFIX,
	K_BASE_GLOB,
	K_PATH_GLOB,
};

#define PF_NEGATIVE 0x1u  /* "!pattern" */
#define PF_MUSTBEDIR 0x2u /* "pattern/" */

/* One compiled pattern; its bytes are text[off .. off+len) of the list. */
struct pat {
	uint32_t off;    /* after '!', after the leading '/' of an anchored pattern */
	uint32_t len;    /* without the trailing '/' of a directory pattern */
	uint32_t prefix; /* leading bytes that hold no glob special (`*?[\`) */
	uint32_t lit;    /* K_BASE_GLOB: offset in the pattern of a literal run that any
			  * match contains (a quick memmem filter), lit_len 0 if none */
	uint16_t lit_len;
	int16_t slashes; /* K_PATH_GLOB: '/' count of every path it can match, -1 if any */
	uint8_t kind;    /* enum pat_kind */
	uint8_t flags;   /* PF_* */
};

/* An open-addressing hash slot: a key (bytes in the list text) and the highest index
 * of the patterns with that key that match any entry / directories only. */
struct slot {
	uint64_t hash;
	uint32_t off, len; /* len == 0: empty slot (keys are never empty) */
	int32_t best_any, best_dir;
};

struct table {
	struct slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two, 0 slots when unused */
	size_t n;
};

struct cx_ignore_list {
	char *base; /* directory of the list, relative to the root, no trailing '/' */
	size_t base_len;
	size_t base_slashes;  /* '/' in a path up to and including the one after base */
	uint64_t path_depths; /* bit k: some K_PATH_EXACT key holds k slashes (63: >= 63) */
	char *text; /* pattern bytes (a private copy of the source) */
	struct pat *pats;
	size_t n_pats;
	struct table exact, ext, path; /* K_BASE_EXACT, K_BASE_EXT, K_PATH_EXACT */
	uint32_t *others;              /* indices of the other kinds, highest first */
	size_t n_others;
};

/* ------------------------------------------------------------------ hashing ---- */

/* Short compares and searches: names and patterns are a few bytes long, where a
 * plain loop beats a call into libc (glibc's memmem sets up a two-way search). */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool bytes_contain(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl > hl)
		return false;
	for (size_t i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && bytes_eq(h + i + 1, n + 1, nl - 1))
			return true;
	return false;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static int table_init(struct table *t, size_t n)
{
	if (!n)
		return 0;
	size_t cap = 8;
	while (cap < 2 * n)
		cap *= 2;
	t->slots = cx_calloc(cap, sizeof *t->slots);
	if (!t->slots)
		return CODEIDX_ENOMEM;
	t->mask = cap - 1;
	return 0;
}

/* Records pattern `id` (directory-only or not) under the key text[off..off+len). */
static void table_add(struct table *t, const char *text, uint32_t off, uint32_t len, int32_t id,
		      bool dir_only)
{
	uint64_t h = hash_bytes(text + off, len);
	size_t i = (size_t)h & t->mask;
	for (;; i = (i + 1) & t->mask) {
		struct slot *s = &t->slots[i];
		if (!s->len) {
			s->hash = h;
			s->off = off;
			s->len = len;
			s->best_any = s->best_dir = -1;
			t->n++;
		} else if (s->hash != h || s->len != len || memcmp(text + s->off, text + off, len)) {
			continue;
		}
		if (dir_only)
			s->best_dir = id; /* ids arrive in increasing order */
		else
			s->best_any = id;
		return;
	}
}

/* Returns max(best, highest matching id under the key). */
static int32_t table_best(const struct table *t, const char *text, uint64_t h, const char *key,
			  size_t len, int is_dir, int32_t best)
{
	if (!t->n)
		return best;
	for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
		const struct slot *s = &t->slots[i];
		if (!s->len)
			return best;
		if (s->hash == h && s->len == len && bytes_eq(text + s->off, key, len)) {
			if (s->best_any > best)
				best = s->best_any;
			if (is_dir && s->best_dir > best)
				best = s->best_dir;
			return best;
		}
	}
}

/* ---------------------------------------------------------------- wildmatch ---- */

/* Results of the recursive matcher. The two aborts prune the search: after a failure
 * that no other split of the text can fix, stop trying (as git's wildmatch does). */
enum { WM_MATCH, WM_NOMATCH, WM_ABORT_ALL, WM_ABORT_TO_STARSTAR };

struct wm {
	const unsigned char *p0, *pe; /* pattern start and end */
	const unsigned char *te;      /* text end */
	bool pathname;
};

static bool glob_special(unsigned char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

/* Is `c` in the class named name[0..n)? -1 for an unknown name. ASCII only, with
 * git's own ctype: space is " \t\n\r", cntrl is 0..31 and 127. */
static int wm_cclass(const unsigned char *name, size_t n, unsigned char c)
{
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	bool digit = c >= '0' && c <= '9';
	if (IS("alnum"))
		return upper || lower || digit;
	if (IS("alpha"))
		return upper || lower;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < 32 || c == 127;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return c > 32 && c < 127;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return c >= 32 && c < 127;
	if (IS("punct"))
		return c > 32 && c < 127 && !upper && !lower && !digit;
	if (IS("space"))
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	return -1;
#undef IS
}

/* Matches the bracket expression at *pp (its '[') against the text byte c. On
 * WM_MATCH, *pp is left on the closing ']'. An unterminated or malformed bracket is
 * WM_ABORT_ALL: it can never match. */
static int wm_bracket(const struct wm *w, const unsigned char **pp, unsigned char c)
{
	const unsigned char *p = *pp + 1, *pe = w->pe;
	bool negated = false, matched = false;
	unsigned char prev = 0; /* previous literal member, 0 after a range or a class */

	if (p < pe && (*p == '!' || *p == '^')) {
		negated = true;
		p++;
	}
	if (p == pe)
		return WM_ABORT_ALL;
	/* The first member is taken even when it is ']'. */
	for (;;) {
		unsigned char pc = *p;
		if (pc == '\\') {
			if (++p == pe)
				return WM_ABORT_ALL;
			pc = *p;
			if (c == pc)
				matched = true;
		} else if (pc == '-' && prev && p + 1 < pe && p[1] != ']') {
			pc = *++p;
			if (pc == '\\' && ++p == pe)
				return WM_ABORT_ALL;
			pc = *p;
			if (c >= prev && c <= pc)
				matched = true;
			pc = 0;
		} else if (pc == '[' && p + 1 < pe && p[1] == ':') {
			const unsigned char *s = p + 2, *q = s;
			while (q < pe && *q != ']')
				q++;
			if (q == pe)
				return WM_ABORT_ALL;
			if (q - s >= 1 && q[-1] == ':') {
				int r = wm_cclass(s, (size_t)(q - s - 1), c);
				if (r < 0)
					return WM_ABORT_ALL;
				if (r)
					matched = true;
				p = q;
				pc = 0;
			} else if (c == '[') { /* no ":]": a plain '[' member */
				matched = true;
			}
		} else if (c == pc) {
			matched = true;
		}
		prev = pc;
		if (++p == pe)
			return WM_ABORT_ALL;
		if (*p == ']')
			break;
	}
	*pp = p;
	if (matched == negated || (w->pathname && c == '/'))
		return WM_NOMATCH;
	return WM_MATCH;
}

static int wm_rec(const struct wm *w, const unsigned char *p, const unsigned char *t);

/* Matches a run of '*' starting at p against the text from t. */
static int wm_star(const struct wm *w, const unsigned char *p, const unsigned char *t)
{
	const unsigned char *first = p, *pe = w->pe, *te = w->te;
	bool match_slash;

	while (p < pe && *p == '*')
		p++;
	if (!w->pathname) {
		match_slash = true;
	} else if (p - first == 1) {
		match_slash = false;
	} else if ((first == w->p0 || first[-1] == '/') &&
		   (p == pe || *p == '/' || (*p == '\\' && p + 1 < pe && p[1] == '/'))) {
		/* "**" as a whole component: first try it as zero directories. */
		if (p < pe && *p == '/' && wm_rec(w, p + 1, t) == WM_MATCH)
			return WM_MATCH;
		match_slash = true;
	} else {
		match_slash = false; /* "a**b": a plain '*' */
	}

	if (p == pe) {
		if (!match_slash && memchr(t, '/', (size_t)(te - t)))
			return WM_NOMATCH;
		return WM_MATCH;
	}
	if (!match_slash && *p == '/') {
		/* "*" + "/": the star takes the rest of this component. */
		const unsigned char *slash = memchr(t, '/', (size_t)(te - t));
		if (!slash)
			return WM_NOMATCH;
		return wm_rec(w, p + 1, slash + 1);
	}
	for (;; t++) {
		if (t == te)
			return WM_ABORT_ALL;
		if (!glob_special(*p)) {
			/* The star must end right before the next literal. */
			while (t < te && *t != *p && (match_slash || *t != '/'))
				t++;
			if (t == te || *t != *p)
				return WM_NOMATCH;
		}
		int r = wm_rec(w, p, t);
		if (r != WM_NOMATCH) {
			if (!match_slash || r != WM_ABORT_TO_STARSTAR)
				return r;
		} else if (!match_slash && *t == '/') {
			return WM_ABORT_TO_STARSTAR;
		}
	}
}

static int wm_rec(const struct wm *w, const unsigned char *p, const unsigned char *t)
{
	for (; p < w->pe; p++, t++) {
		unsigned char pc = *p;
		if (t == w->te && pc != '*')
			return WM_ABORT_ALL;
		switch (pc) {
		case '\\':
			/* A trailing backslash matches nothing. */
			if (++p == w->pe || *p != *t)
				return WM_NOMATCH;
			break;
		case '?':
			if (w->pathname && *t == '/')
				return WM_NOMATCH;
			break;
		case '[': {
			int r = wm_bracket(w, &p, *t);
			if (r != WM_MATCH)
				return r;
			break;
		}
		case '*':
			return wm_star(w, p, t);
		default:
			if (pc != *t)
				return WM_NOMATCH;
		}
	}
	return t == w->te ? WM_MATCH : WM_NOMATCH;
}

int cx_wildmatch(const char *pat, size_t pat_len, const char *text, size_t text_len,
		 unsigned int flags)
{
	struct wm w = {
		.p0 = (const unsigned char *)pat,
		.pe = (const unsigned char *)pat + pat_len,
		.te = (const unsigned char *)text + text_len,
		.pathname = (flags & CX_WILDMATCH_PATHNAME) != 0,
	};
	return wm_rec(&w, w.p0, (const unsigned char *)text) == WM_MATCH;
}

/* ------------------------------------------------------------------ compile ---- */

static size_t count_slashes(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '/';
	return k;
}

/* Bytes before the first glob special. */
static size_t simple_length(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && !glob_special((unsigned char)p[i]))
		i++;
	return i;
}

/* git's trim_trailing_spaces: returns the new end of [s, e). */
static const char *trim_trailing_spaces(const char *s, const char *e)
{
	const char *last_space = NULL;
	for (const char *p = s; p < e; p++) {
		if (*p == ' ') {
			if (!last_space)
				last_space = p;
		} else if (*p == '\\') {
			if (++p == e)
				return e; /* a trailing backslash: nothing is trimmed */
			last_space = NULL;
		} else {
			last_space = NULL;
		}
	}
	return last_space ? last_space : e;
}

/* Parses one raw line [s, e) (without its '\n') into *pat whose bytes are at
 * `text`. Returns false when the line holds no pattern that can match. */
static bool parse_line(const char *text, const char *s, const char *e, struct pat *pat)
{
	if (s == e || *s == '#')
		return false;
	if (e[-1] == '\r')
		e--;
	const char *nul = memchr(s, '\0', (size_t)(e - s));
	if (nul)
		e = nul;
	e = trim_trailing_spaces(s, e);

	unsigned int flags = 0;
	if (s < e && *s == '!') {
		flags |= PF_NEGATIVE;
		s++;
	}
	if (s < e && e[-1] == '/') {
		flags |= PF_MUSTBEDIR;
		e--;
	}
	if (s == e)
		return false;
	bool nodir = memchr(s, '/', (size_t)(e - s)) == NULL;
	if (!nodir) {
		if (*s == '/')
			s++;
		/* "**" + "/x" with x free of '/': the basename pattern x. */
		if (e - s > 3 && s[0] == '*' && s[1] == '*' && s[2] == '/' &&
		    !memchr(s + 3, '/', (size_t)(e - s - 3))) {
			s += 3;
			nodir = true;
		}
		if (s == e)
			return false; /* "//": matches nothing */
	}
	size_t len = (size_t)(e - s);
	size_t prefix = simple_length(s, len);

	pat->off = (uint32_t)(s - text);
	pat->len = (uint32_t)len;
	pat->prefix = (uint32_t)prefix;
	pat->flags = (uint8_t)flags;
	pat->lit = 0;
	pat->lit_len = 0;
	pat->slashes = -1;
	/* The longest run of literal bytes before any '[' or '\\': matched byte for byte. */
	for (size_t i = 0, run = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '*';
		if (!glob_special(c)) {
			run++;
			continue;
		}
		if (run > pat->lit_len && run <= UINT16_MAX) {
			pat->lit = (uint32_t)(i - run);
			pat->lit_len = (uint16_t)run;
		}
		run = 0;
		if (c == '[' || c == '\\')
			break;
	}
	/* Without "**", '[' or '\\', every '/' of a match is a '/' of the pattern. */
	if (!memchr(s, '[', len) && !memchr(s, '\\', len) && !memmem(s, len, "**", 2)) {
		size_t n = 0;
		for (size_t i = 0; i < len; i++)
			n += s[i] == '/';
		if (n < INT16_MAX)
			pat->slashes = (int16_t)n;
	}
	if (!nodir) {
		pat->kind = prefix == len ? K_PATH_EXACT : K_PATH_GLOB;
	} else if (prefix == len) {
		pat->kind = K_BASE_EXACT;
	} else if (s[0] == '*' && simple_length(s + 1, len - 1) == len - 1) {
		/* "*literal": an extension when the literal is '.' and no other '.' */
		bool ext = len >= 2 && s[1] == '.' && !memchr(s + 2, '.', len - 2);
		pat->kind = ext ? K_BASE_EXT : K_BASE_SUFFIX;
	} else if (prefix == len - 1 && s[len - 1] == '*') {
		pat->kind = K_BASE_PREFIX;
	} else {
		pat->kind = K_BASE_GLOB;
	}
	return true;
}

void cx_ignore_list_free(cx_ignore_list *l)
{
	if (!l)
		return;
	free(l->base);
	free(l->text);
	free(l->pats);
	free(l->exact.slots);
	free(l->ext.slots);
	free(l->path.slots);
	free(l->others);
	free(l);
}

int cx_ignore_list_new(cx_ignore_list **out, const char *text, size_t len, const char *base,
		       size_t base_len)
{
	*out = NULL;
	if (len >= UINT32_MAX)
		return CODEIDX_ELIMIT;
	cx_ignore_list *l = cx_calloc(1, sizeof *l);
	if (!l)
		return CODEIDX_ENOMEM;
	l->base = cx_strndup(base ? base : "", base_len);
	l->base_len = base_len;
	l->base_slashes = base_len ? count_slashes(base, base_len) + 1 : 0;
	l->text = cx_strndup(text ? text : "", len);
	if (!l->base || !l->text)
		goto nomem;

	const char *s = l->text, *end = l->text + len;
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	size_t lines = 1;
	for (const char *q = s; (q = memchr(q, '\n', (size_t)(end - q))); q++)
		lines++;
	l->pats = cx_calloc(lines, sizeof *l->pats);
	if (!l->pats)
		goto nomem;

	size_t counts[K_PATH_GLOB + 1] = {0};
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		struct pat *pat = &l->pats[l->n_pats];
		if (parse_line(l->text, s, e, pat)) {
			counts[pat->kind]++;
			l->n_pats++;
		}
		s = nl ? nl + 1 : end;
	}
	if (l->n_pats > INT32_MAX)
		goto limit;

	if (table_init(&l->exact, counts[K_BASE_EXACT]) || table_init(&l->ext, counts[K_BASE_EXT]) ||
	    table_init(&l->path, counts[K_PATH_EXACT]))
		goto nomem;
	size_t n_others = l->n_pats - counts[K_BASE_EXACT] - counts[K_BASE_EXT] -
			  counts[K_PATH_EXACT];
	l->others = cx_calloc(n_others, sizeof *l->others);
	if (!l->others)
		goto nomem;
	for (size_t i = l->n_pats; i-- > 0;) {
		uint8_t kind = l->pats[i].kind;
		if (kind != K_BASE_EXACT && kind != K_BASE_EXT && kind != K_PATH_EXACT)
			l->others[l->n_others++] = (uint32_t)i;
	}
	for (size_t i = 0; i < l->n_pats; i++) {
		const struct pat *pat = &l->pats[i];
		bool dir_only = pat->flags & PF_MUSTBEDIR;
		if (pat->kind == K_BASE_EXACT)
			table_add(&l->exact, l->text, pat->off, pat->len, (int32_t)i, dir_only);
		else if (pat->kind == K_PATH_EXACT) {
			table_add(&l->path, l->text, pat->off, pat->len, (int32_t)i, dir_only);
			size_t k = count_slashes(l->text + pat->off, pat->len);
			l->path_depths |= 1ull << (k < 63 ? k : 63);
		}
		else if (pat->kind == K_BASE_EXT) /* key: ".ext", without the '*' */
			table_add(&l->ext, l->text, pat->off + 1, pat->len - 1, (int32_t)i, dir_only);
	}
	*out = l;
	return 0;
nomem:
	cx_ignore_list_free(l);
	return CODEIDX_ENOMEM;
limit:
	cx_ignore_list_free(l);
	return CODEIDX_ELIMIT;
}

size_t cx_ignore_list_size(const cx_ignore_list *l)
{
	return l ? l->n_pats : 0;
}

/* ------------------------------------------------------------------- match ---- */

void cx_ignore_path_init(cx_ignore_path *p, const char *path, size_t len, int is_dir)
{
	const char *slash = len ? memrchr(path, '/', len) : NULL;
	p->path = path;
	p->len = len;
	p->base = slash ? (size_t)(slash - path) + 1 : 0;
	p->base_hash = hash_bytes(path + p->base, len - p->base);
	const char *dot = memrchr(path + p->base, '.', len - p->base);
	p->ext = dot ? (size_t)(dot - path) : len;
	p->ext_hash = dot ? hash_bytes(dot, len - p->ext) : 0;
	p->slashes = count_slashes(path, p->base);
	p->is_dir = is_dir != 0;
}

/* Does the non-hashed pattern `pat` match? `rel` is the path below the list's base. */
static bool pat_match(const cx_ignore_list *l, const struct pat *pat, const cx_ignore_path *p,
		      const char *rel, size_t rel_len, size_t rel_slashes)
{
	const char *s = l->text + pat->off;
	const char *name = p->path + p->base;
	size_t name_len = p->len - p->base;

	switch (pat->kind) {
	case K_BASE_SUFFIX:
		return name_len >= pat->len - 1u &&
		       bytes_eq(name + name_len - (pat->len - 1u), s + 1, pat->len - 1u);
	case K_BASE_PREFIX:
		return name_len >= pat->prefix && bytes_eq(name, s, pat->prefix);
	case K_BASE_GLOB:
		/* git globs the whole basename without PATHNAME (it holds no '/'); the literal
		 * head must match in any case, so check it first. */
		if (name_len < pat->prefix || !bytes_eq(name, s, pat->prefix))
			return false;
		if (pat->lit_len && !bytes_contain(name, name_len, s + pat->lit, pat->lit_len))
			return false;
		return cx_wildmatch(s, pat->len, name, name_len, 0);
	case K_PATH_GLOB:
		if (pat->slashes >= 0 && (size_t)pat->slashes != rel_slashes)
			return false;
		if (rel_len < pat->prefix || !bytes_eq(rel, s, pat->prefix))
			return false;
		return cx_wildmatch(s + pat->prefix, pat->len - pat->prefix, rel + pat->prefix,
				    rel_len - pat->prefix, CX_WILDMATCH_PATHNAME);
	default:
		return false; /* hashed kinds never get here */
	}
}

cx_ignore_verdict cx_ignore_list_match(const cx_ignore_list *l, const cx_ignore_path *p)
{
	const char *rel = p->path;
	size_t rel_len = p->len;
	if (l->base_len) {
		if (p->len <= l->base_len + 1 || p->path[l->base_len] != '/' ||
		    !bytes_eq(p->path, l->base, l->base_len))
			return CX_IGNORE_NONE;
		rel += l->base_len + 1;
		rel_len -= l->base_len + 1;
	}

	int32_t best = -1;
	best = table_best(&l->exact, l->text, p->base_hash, p->path + p->base, p->len - p->base,
			  p->is_dir, best);
	if (p->ext < p->len)
		best = table_best(&l->ext, l->text, p->ext_hash, p->path + p->ext, p->len - p->ext,
				  p->is_dir, best);
	size_t rel_slashes = p->slashes - l->base_slashes;
	if (l->path_depths & (1ull << (rel_slashes < 63 ? rel_slashes : 63)))
		best = table_best(&l->path, l->text, hash_bytes(rel, rel_len), rel, rel_len,
				  p->is_dir, best);
	for (size_t i = 0; i < l->n_others; i++) {
		uint32_t id = l->others[i];
		if ((int32_t)id <= best)
			break;
		const struct pat *pat = &l->pats[id];
		if ((pat->flags & PF_MUSTBEDIR) && !p->is_dir)
			continue;
		if (pat_match(l, pat, p, rel, rel_len, rel_slashes)) {
			best = (int32_t)id;
			break;
		}
	}
	if (best < 0)
		return CX_IGNORE_NONE;
	return (l->pats[best].flags & PF_NEGATIVE) ? CX_IGNORE_INCLUDE : CX_IGNORE_EXCLUDE;
}

cx_ignore_verdict cx_ignore_match_lists(const cx_ignore_list *const *lists, size_t n,
					const cx_ignore_path *p)
{
	while (n-- > 0) {
		if (!lists[n])
			continue;
		cx_ignore_verdict v = cx_ignore_list_match(lists[n], p);
		if (v != CX_IGNORE_NONE)
			return v;
	}
	return CX_IGNORE_NONE;
}
