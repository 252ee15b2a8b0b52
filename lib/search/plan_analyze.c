/* plan_analyze.c - derives a trigram plan from a pattern's syntax tree via exact/prefix/suffix string sets. */
#include "search/plan_internal.h"

#include <stdlib.h>
#include <string.h>

/*
 * For each subexpression r the analysis keeps an `info` (the approach of Russ
 * Cox's codesearch, re-derived here):
 *
 *   can_empty  r may match "".
 *   exact      if exact_ok: every string r matches is in this set.
 *   pre, suf   otherwise: every string r matches starts with one of `pre` and
 *              ends with one of `suf` ({""} says nothing).
 *   match      a plan that is true on the trigrams of every line in which r
 *              matches (somewhere).
 *
 * Strings are what r matches inside one line, so they never hold '\n'. Every
 * field may over-approximate (bigger sets, weaker plan), which keeps the result
 * sound; limits (PL_MAX_*) trade precision for bounded time and size: sets that
 * grow too big are folded into `match` and cut to their first or last two bytes,
 * which is all a later join needs to see trigrams that straddle it.
 */

const pl_plan pl_plan_all = {CX_PLAN_ALL, 0, 0, NULL};
const pl_plan pl_plan_none = {CX_PLAN_NONE, 0, 0, NULL};
#define P_ALL (&pl_plan_all)
#define P_NONE (&pl_plan_none)

/* ---------------------------------------------------------- plan building ---- */

/* A kid list being built for an AND or OR node. `absorbed` means the node is
 * already decided: NONE for an AND, ALL for an OR. */
typedef struct kids {
	const pl_plan **v;
	size_t n, cap;
	bool absorbed;
} kids;

/* Equal plans: the same node, the same trigram, or the same op over the same
 * kids in the same order (compared one level deep, which catches the repeats
 * that literal runs and repetitions make). */
static bool same_plan(const pl_plan *x, const pl_plan *y)
{
	if (x == y)
		return true;
	if (x->op != y->op || x->n != y->n)
		return false;
	if (x->op == CX_PLAN_TRI)
		return x->tri == y->tri;
	if (x->op != CX_PLAN_AND && x->op != CX_PLAN_OR)
		return true;
	for (uint32_t i = 0; i < x->n; i++) {
		const pl_plan *s = x->kids[i], *t = y->kids[i];
		if (s != t && (s->op != CX_PLAN_TRI || t->op != CX_PLAN_TRI || s->tri != t->tri))
			return false;
	}
	return true;
}

static void kids_grow(pl_arena *a, kids *k)
{
	size_t cap = k->cap ? k->cap * 2 : 4;
	const pl_plan **v = pl_alloc(a, cap * sizeof *v);
	if (k->n)
		memcpy(v, k->v, k->n * sizeof *v);
	k->v = v;
	k->cap = cap;
}

/* Adds x to a kid list of an `op` node: flattens, drops identities and
 * duplicates, and applies the size caps. */
static void kids_push(pl_arena *a, kids *k, cx_plan_op op, const pl_plan *x)
{
	bool and = op == CX_PLAN_AND;
	if (k->absorbed || x->op == (and ? CX_PLAN_ALL : CX_PLAN_NONE))
		return;
	if (x->op == (and ? CX_PLAN_NONE : CX_PLAN_ALL)) {
		k->absorbed = true;
		return;
	}
	if (x->op == op) {
		for (uint32_t i = 0; i < x->n; i++)
			kids_push(a, k, op, x->kids[i]);
		return;
	}
	if (and && k->n >= PL_AND_CAP)
		return; /* a weaker AND is still sound */
	for (size_t i = 0; i < k->n; i++)
		if (same_plan(k->v[i], x))
			return;
	if (!and && k->n >= PL_OR_CAP) {
		k->absorbed = true; /* an OR this wide selects little anyway */
		return;
	}
	if (k->n == k->cap)
		kids_grow(a, k);
	k->v[k->n++] = x;
}

static const pl_plan *kids_finish(pl_arena *a, kids *k, cx_plan_op op)
{
	bool and = op == CX_PLAN_AND;
	if (k->absorbed)
		return and ? P_NONE : P_ALL;
	if (k->n == 0)
		return and ? P_ALL : P_NONE;
	if (k->n == 1)
		return k->v[0];
	pl_plan *p = pl_alloc(a, sizeof *p);
	p->op = op;
	p->n = (uint32_t)k->n;
	p->kids = k->v;
	return p;
}

/* Starts a kid list with the kids of x (already flat and unique) or x itself. */
static void kids_seed(pl_arena *a, kids *k, cx_plan_op op, const pl_plan *x)
{
	if (x->op != op) {
		kids_push(a, k, op, x);
		return;
	}
	k->cap = x->n + 4;
	k->v = pl_alloc(a, k->cap * sizeof *k->v);
	memcpy(k->v, x->kids, x->n * sizeof *k->v);
	k->n = x->n;
}

static const pl_plan *plan_tri(pl_arena *a, const uint8_t *s)
{
	pl_plan *p = pl_alloc(a, sizeof *p);
	p->op = CX_PLAN_TRI;
	p->tri = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
	return p;
}

static bool and_full(const pl_plan *q)
{
	return q->op == CX_PLAN_AND && q->n >= PL_AND_CAP;
}

const pl_plan *pl_and(pl_arena *a, const pl_plan *x, const pl_plan *y)
{
	if (x->op == CX_PLAN_NONE || y->op == CX_PLAN_ALL || same_plan(x, y))
		return x;
	if (y->op == CX_PLAN_NONE || x->op == CX_PLAN_ALL)
		return y;
	if (and_full(x))
		return x;
	kids k = {0};
	kids_seed(a, &k, CX_PLAN_AND, x);
	kids_push(a, &k, CX_PLAN_AND, y);
	return kids_finish(a, &k, CX_PLAN_AND);
}

static const pl_plan *plan_or(pl_arena *a, const pl_plan *x, const pl_plan *y)
{
	if (x->op == CX_PLAN_ALL || y->op == CX_PLAN_NONE || same_plan(x, y))
		return x;
	if (y->op == CX_PLAN_ALL || x->op == CX_PLAN_NONE)
		return y;
	kids k = {0};
	kids_seed(a, &k, CX_PLAN_OR, x);
	kids_push(a, &k, CX_PLAN_OR, y);
	return kids_finish(a, &k, CX_PLAN_OR);
}

const pl_plan *pl_and_list(pl_arena *a, const pl_plan *const *v, size_t n)
{
	kids k = {0};
	for (size_t i = 0; i < n; i++)
		kids_push(a, &k, CX_PLAN_AND, v[i]);
	return kids_finish(a, &k, CX_PLAN_AND);
}

/* Does x (a TRI or an AND) require trigram t directly? */
static bool requires_tri(const pl_plan *x, uint32_t t)
{
	if (x->op == CX_PLAN_TRI)
		return x->tri == t;
	if (x->op == CX_PLAN_AND)
		for (uint32_t i = 0; i < x->n; i++)
			if (x->kids[i]->op == CX_PLAN_TRI && x->kids[i]->tri == t)
				return true;
	return false;
}

/* Rewrites OR(AND(c, r1), AND(c, r2), ...) as AND(c, OR(r1, r2, ...)) for the
 * trigrams c that every kid requires (an equivalence, so always sound). */
static const pl_plan *or_factor(pl_arena *a, const pl_plan *q)
{
	if (q->op != CX_PLAN_OR)
		return q;
	const pl_plan *first = q->kids[0];
	if (first->op != CX_PLAN_TRI && first->op != CX_PLAN_AND)
		return q;
	size_t n_first = first->op == CX_PLAN_TRI ? 1 : first->n, n_common = 0;
	const pl_plan **common = pl_alloc(a, n_first * sizeof *common);
	for (size_t i = 0; i < n_first; i++) {
		const pl_plan *t = first->op == CX_PLAN_TRI ? first : first->kids[i];
		if (t->op == CX_PLAN_TRI)
			common[n_common++] = t;
	}
	size_t work = 0;
	for (uint32_t k = 1; k < q->n && n_common; k++) {
		size_t w = 0;
		for (size_t i = 0; i < n_common; i++)
			if (requires_tri(q->kids[k], common[i]->tri))
				common[w++] = common[i];
		n_common = w;
		work += n_common * (q->kids[k]->n + 1);
		if (work > 200000)
			return q;
	}
	if (!n_common)
		return q;
	kids rest = {0};
	for (uint32_t k = 0; k < q->n && !rest.absorbed; k++) {
		const pl_plan *x = q->kids[k];
		kids r = {0};
		for (uint32_t i = 0; x->op == CX_PLAN_AND && i < x->n; i++) {
			bool in_common = false;
			for (size_t j = 0; j < n_common && !in_common; j++)
				in_common = same_plan(x->kids[i], common[j]);
			if (!in_common)
				kids_push(a, &r, CX_PLAN_AND, x->kids[i]);
		}
		kids_push(a, &rest, CX_PLAN_OR, kids_finish(a, &r, CX_PLAN_AND));
	}
	return pl_and(a, pl_and_list(a, common, n_common), kids_finish(a, &rest, CX_PLAN_OR));
}

const pl_plan *pl_or_list(pl_arena *a, const pl_plan *const *v, size_t n)
{
	kids k = {0};
	for (size_t i = 0; i < n && !k.absorbed; i++)
		kids_push(a, &k, CX_PLAN_OR, v[i]);
	return or_factor(a, kids_finish(a, &k, CX_PLAN_OR));
}

/* ------------------------------------------------------------ string sets ---- */

/* A byte string viewed in the arena (or in the pattern); sets share them. */
typedef struct str {
	const uint8_t *p;
	uint32_t n;
} str;

/* A set of strings; the array is never modified once the set is made. */
typedef struct sset {
	const str *v;
	uint32_t n;
} sset;

typedef enum set_kind { SET_EXACT, SET_PREFIX, SET_SUFFIX } set_kind;

static const str empty_str = {(const uint8_t *)"", 0};
static const sset set_of_empty = {&empty_str, 1};

static uint32_t set_minlen(sset s)
{
	uint32_t m = UINT32_MAX;
	for (uint32_t i = 0; i < s.n; i++)
		m = s.v[i].n < m ? s.v[i].n : m;
	return m;
}

static uint32_t set_maxlen(sset s)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < s.n; i++)
		m = s.v[i].n > m ? s.v[i].n : m;
	return m;
}

static int cmp_fwd(const void *x, const void *y)
{
	const str *s = x, *t = y;
	uint32_t n = s->n < t->n ? s->n : t->n;
	int c = n ? memcmp(s->p, t->p, n) : 0;
	return c ? c : (s->n > t->n) - (s->n < t->n);
}

static int cmp_rev(const void *x, const void *y)
{
	const str *s = x, *t = y;
	uint32_t n = s->n < t->n ? s->n : t->n;
	for (uint32_t i = 1; i <= n; i++)
		if (s->p[s->n - i] != t->p[t->n - i])
			return s->p[s->n - i] < t->p[t->n - i] ? -1 : 1;
	return (s->n > t->n) - (s->n < t->n);
}

/* Is t an extension of s on the side a set of `kind` cares about? */
static bool extends(str s, str t, set_kind kind)
{
	if (s.n > t.n)
		return false;
	if (kind == SET_PREFIX)
		return s.n == 0 || memcmp(s.p, t.p, s.n) == 0;
	return s.n == 0 || memcmp(s.p, t.p + t.n - s.n, s.n) == 0;
}

/* Sorts and dedupes; a prefix (suffix) set also drops strings that extend another
 * member, since the shorter one already covers them. Returns a new set. */
static sset set_clean(pl_arena *a, sset s, set_kind kind)
{
	if (s.n == 0)
		return s;
	str *v = pl_alloc(a, s.n * sizeof *v);
	memcpy(v, s.v, s.n * sizeof *v);
	qsort(v, s.n, sizeof *v, kind == SET_SUFFIX ? cmp_rev : cmp_fwd);
	uint32_t w = 1;
	for (uint32_t i = 1; i < s.n; i++) {
		if (kind == SET_EXACT ? cmp_fwd(&v[w - 1], &v[i]) == 0 : extends(v[w - 1], v[i], kind))
			continue;
		v[w++] = v[i];
	}
	/* In reverse order a suffix's extensions sort right after it too: the
	 * comparison starts from the last byte. */
	return (sset){v, w};
}

static sset set_union(pl_arena *a, sset x, sset y)
{
	str *v = pl_alloc(a, ((size_t)x.n + y.n) * sizeof *v);
	if (x.n)
		memcpy(v, x.v, x.n * sizeof *v);
	if (y.n)
		memcpy(v + x.n, y.v, y.n * sizeof *v);
	return (sset){v, x.n + y.n};
}

/* Every concatenation of a string of x with one of y. */
static sset set_cross(pl_arena *a, sset x, sset y)
{
	size_t n = (size_t)x.n * y.n;
	str *v = pl_alloc(a, (n ? n : 1) * sizeof *v);
	size_t k = 0;
	for (uint32_t i = 0; i < x.n; i++) {
		for (uint32_t j = 0; j < y.n; j++) {
			uint32_t len = x.v[i].n + y.v[j].n;
			uint8_t *p = pl_alloc(a, len ? len : 1);
			if (x.v[i].n)
				memcpy(p, x.v[i].p, x.v[i].n);
			if (y.v[j].n)
				memcpy(p + x.v[i].n, y.v[j].p, y.v[j].n);
			v[k++] = (str){p, len};
		}
	}
	return (sset){v, (uint32_t)n};
}

/* Cuts every string to its first (or last) `len` bytes. */
static sset set_trim(pl_arena *a, sset s, uint32_t len, set_kind kind)
{
	str *v = pl_alloc(a, (s.n ? s.n : 1) * sizeof *v);
	for (uint32_t i = 0; i < s.n; i++) {
		v[i] = s.v[i];
		if (v[i].n > len) {
			if (kind == SET_SUFFIX)
				v[i].p += v[i].n - len;
			v[i].n = len;
		}
	}
	return (sset){v, s.n};
}

/* The set of the case variants of s (all of them: the caller bounds the count). */
static sset set_variants(pl_arena *a, const uint8_t *s, size_t n, bool fold)
{
	sset r = set_of_empty;
	for (size_t i = 0; i < n; i++) {
		str *c = pl_alloc(a, 2 * sizeof *c);
		uint8_t *b = pl_alloc(a, 2);
		b[0] = s[i];
		c[0] = (str){b, 1};
		uint32_t k = 1;
		if (fold && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) {
			b[1] = s[i] ^ 0x20;
			c[1] = (str){b + 1, 1};
			k = 2;
		}
		r = set_cross(a, r, (sset){c, k});
	}
	return r;
}

/* --------------------------------------------------------------- analysis ---- */

typedef struct info {
	bool can_empty;
	bool exact_ok;
	sset exact;
	sset pre, suf;
	const pl_plan *match;
} info;

static info info_empty(void)
{
	return (info){.can_empty = true, .exact_ok = true, .exact = set_of_empty, .match = P_ALL};
}

static info info_any(bool can_empty)
{
	return (info){.can_empty = can_empty, .pre = set_of_empty, .suf = set_of_empty,
		      .match = P_ALL};
}

static info info_none(void)
{
	return (info){.exact_ok = true, .match = P_NONE};
}

static bool is_none(const info *x)
{
	return x->match->op == CX_PLAN_NONE;
}

/* q AND (for some s in the set: all trigrams of s). Adds nothing when a string is
 * shorter than 3 bytes; an empty set means nothing can match. */
static const pl_plan *and_trigrams(pl_arena *a, const pl_plan *q, sset s)
{
	if (s.n == 0)
		return P_NONE;
	if (q->op == CX_PLAN_NONE || and_full(q))
		return q;
	if (set_minlen(s) < 3)
		return q;
	kids any = {0};
	for (uint32_t i = 0; i < s.n && !any.absorbed; i++) {
		kids all = {0};
		for (uint32_t j = 0; j + 3 <= s.v[i].n && all.n < PL_AND_CAP; j++)
			kids_push(a, &all, CX_PLAN_AND, plan_tri(a, s.v[i].p + j));
		kids_push(a, &any, CX_PLAN_OR, kids_finish(a, &all, CX_PLAN_AND));
	}
	return pl_and(a, q, or_factor(a, kids_finish(a, &any, CX_PLAN_OR)));
}

/* Cleans a prefix or suffix set, moves its trigrams into x->match, cuts it to two
 * bytes, and shortens it further while it has too many strings. */
static sset simplify_set(pl_arena *a, info *x, sset s, set_kind kind)
{
	s = set_clean(a, s, kind);
	if (set_maxlen(s) > 2) {
		x->match = and_trigrams(a, x->match, s);
		s = set_clean(a, set_trim(a, s, 2, kind), kind);
	}
	while (s.n > PL_MAX_SET)
		s = set_clean(a, set_trim(a, s, set_maxlen(s) - 1, kind), kind);
	return s;
}

/* Turns an exact set into trigrams, prefixes and suffixes. */
static void drop_exact(pl_arena *a, info *x)
{
	if (!x->exact_ok)
		return;
	x->match = and_trigrams(a, x->match, x->exact);
	x->exact_ok = false;
	x->pre = simplify_set(a, x, set_trim(a, x->exact, 2, SET_PREFIX), SET_PREFIX);
	x->suf = simplify_set(a, x, set_trim(a, x->exact, 2, SET_SUFFIX), SET_SUFFIX);
	x->exact = (sset){0};
}

/* Enforces the set limits. */
static void simplify(pl_arena *a, info *x)
{
	if (is_none(x)) {
		*x = info_none();
		return;
	}
	if (x->exact_ok) {
		x->exact = set_clean(a, x->exact, SET_EXACT);
		if (x->exact.n > PL_MAX_EXACT || set_maxlen(x->exact) > PL_MAX_EXACT_LEN)
			drop_exact(a, x);
		return;
	}
	x->pre = simplify_set(a, x, x->pre, SET_PREFIX);
	x->suf = simplify_set(a, x, x->suf, SET_SUFFIX);
}

static sset prefixes(const info *x)
{
	return x->exact_ok ? x->exact : x->pre;
}

static sset suffixes(const info *x)
{
	return x->exact_ok ? x->exact : x->suf;
}

/* xy */
static info concat(pl_arena *a, info x, info y)
{
	if (is_none(&x) || is_none(&y))
		return info_none();
	info r = {.can_empty = x.can_empty && y.can_empty};
	if (x.exact_ok && y.exact_ok) {
		if ((size_t)x.exact.n * y.exact.n <= PL_MAX_EXACT &&
		    set_maxlen(x.exact) + set_maxlen(y.exact) <= PL_MAX_EXACT_LEN) {
			r.exact_ok = true;
			r.exact = set_cross(a, x.exact, y.exact);
			r.match = pl_and(a, x.match, y.match);
			simplify(a, &r);
			return r;
		}
		drop_exact(a, &x);
		drop_exact(a, &y);
	}
	/* Now at most one side is exact. */
	if (x.exact_ok && (size_t)x.exact.n * y.pre.n > PL_MAX_CROSS)
		drop_exact(a, &x);
	if (y.exact_ok && (size_t)x.suf.n * y.exact.n > PL_MAX_CROSS)
		drop_exact(a, &y);
	r.match = pl_and(a, x.match, y.match);
	if (x.exact_ok)
		r.pre = set_cross(a, x.exact, y.pre);
	else
		r.pre = x.can_empty ? set_union(a, x.pre, prefixes(&y)) : x.pre;
	if (y.exact_ok)
		r.suf = set_cross(a, x.suf, y.exact);
	else
		r.suf = y.can_empty ? set_union(a, y.suf, suffixes(&x)) : y.suf;
	/* Trigrams across the join (when one side is exact they are in pre/suf). */
	if (!x.exact_ok && !y.exact_ok && (size_t)x.suf.n * y.pre.n <= PL_MAX_CROSS)
		r.match = and_trigrams(a, r.match, set_cross(a, x.suf, y.pre));
	simplify(a, &r);
	return r;
}

/* x|y (the caller factors the final OR) */
static info alternate(pl_arena *a, info x, info y)
{
	if (is_none(&x))
		return y;
	if (is_none(&y))
		return x;
	info r = {.can_empty = x.can_empty || y.can_empty};
	if (x.exact_ok && y.exact_ok) {
		sset u = set_clean(a, set_union(a, x.exact, y.exact), SET_EXACT);
		if (u.n <= PL_MAX_EXACT) {
			r.exact_ok = true;
			r.exact = u;
			r.match = plan_or(a, x.match, y.match);
			simplify(a, &r);
			return r;
		}
	}
	drop_exact(a, &x);
	drop_exact(a, &y);
	r.pre = set_union(a, x.pre, y.pre);
	r.suf = set_union(a, x.suf, y.suf);
	r.match = plan_or(a, x.match, y.match);
	simplify(a, &r);
	return r;
}

/* x+ : at least one x, so x's prefixes and suffixes still hold. */
static info plus(pl_arena *a, info x)
{
	if (x.exact_ok && !is_none(&x)) {
		x.pre = x.exact;
		x.suf = x.exact;
		x.exact_ok = false;
		x.exact = (sset){0};
		simplify(a, &x);
	}
	return x;
}

/* x{n}; past PL_MAX_REP copies, x{k} .* x{k} (which matches a superset). */
static info repeat_fixed(pl_arena *a, info x, int32_t n)
{
	if (n > PL_MAX_REP) {
		info half = repeat_fixed(a, x, PL_MAX_REP / 2);
		return concat(a, concat(a, half, info_any(true)), half);
	}
	info r = info_empty();
	for (int32_t i = 0; i < n; i++)
		r = i ? concat(a, r, x) : x;
	return r;
}

/* x{min,max} (max < 0: unbounded) */
static info repeat(pl_arena *a, info x, int32_t min, int32_t max)
{
	if (max == 0)
		return info_empty();
	if (max < 0) {
		if (min == 0)
			return info_any(true);
		return concat(a, repeat_fixed(a, x, min - 1), plus(a, x));
	}
	info r = repeat_fixed(a, x, min);
	if (max - min > PL_MAX_REP)
		return concat(a, r, info_any(true));
	info opt = alternate(a, x, info_empty());
	for (int32_t i = min; i < max; i++)
		r = concat(a, r, opt);
	return r;
}

/* A run of literal bytes: an exact set of its case variants if small, otherwise
 * the trigrams at each position (OR of their case variants). */
static info literal(pl_arena *a, const uint8_t *s, size_t n, bool fold)
{
	if (memchr(s, '\n', n))
		return info_none(); /* a line never holds '\n' */
	size_t variants = 1;
	for (size_t i = 0; i < n && variants <= PL_MAX_EXACT; i++)
		if (fold && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			variants *= 2;
	if (n <= PL_MAX_EXACT_LEN && variants <= PL_MAX_EXACT)
		return (info){.exact_ok = true, .exact = set_variants(a, s, n, fold), .match = P_ALL,
			      .can_empty = n == 0};
	/* Positions past 4 * PL_AND_CAP add nothing the AND could keep (repeated
	 * trigrams aside); dropping them only weakens the AND. */
	kids all = {0};
	for (size_t i = 0; i + 3 <= n && i < 4 * PL_AND_CAP && all.n < PL_AND_CAP; i++) {
		kids any = {0};
		for (unsigned v = 0; v < 8; v++) {
			uint8_t t[3];
			bool dup = false;
			for (int j = 0; j < 3; j++) {
				t[j] = s[i + j];
				bool letter = fold && (t[j] | 0x20) >= 'a' && (t[j] | 0x20) <= 'z';
				if ((v >> j) & 1)
					dup |= !letter;
				if (((v >> j) & 1) && letter)
					t[j] ^= 0x20;
			}
			if (!dup)
				kids_push(a, &any, CX_PLAN_OR, plan_tri(a, t));
		}
		kids_push(a, &all, CX_PLAN_AND, kids_finish(a, &any, CX_PLAN_OR));
	}
	size_t k = n < 2 ? n : 2;
	return (info){.match = kids_finish(a, &all, CX_PLAN_AND),
		      .pre = set_variants(a, s, k, fold),
		      .suf = set_variants(a, s + n - k, k, fold)};
}

/* One byte of a set. */
static info byte_class(pl_arena *a, const uint8_t *set)
{
	uint32_t n = 0;
	for (int c = 0; c < 256; c++)
		n += (set[c >> 3] >> (c & 7)) & 1;
	if (n == 0)
		return info_none();
	if (n > PL_MAX_CLASS)
		return info_any(false);
	str *v = pl_alloc(a, n * sizeof *v);
	uint8_t *b = pl_alloc(a, n);
	n = 0;
	for (int c = 0; c < 256; c++) {
		if ((set[c >> 3] >> (c & 7)) & 1) {
			b[n] = (uint8_t)c;
			v[n] = (str){b + n, 1};
			n++;
		}
	}
	return (info){.exact_ok = true, .exact = {v, n}, .match = P_ALL};
}

/* The plan an info guarantees on its own. */
static const pl_plan *final_plan(pl_arena *a, info x)
{
	if (is_none(&x))
		return P_NONE;
	if (x.exact_ok)
		return and_trigrams(a, x.match, x.exact);
	return and_trigrams(a, and_trigrams(a, x.match, x.pre), x.suf);
}

/* State of one analysis: `visits` counts tree nodes analysed so far; past
 * PL_MAX_VISITS every node not yet analysed reads as "any string" (a superset),
 * which bounds the work for any tree shape. */
typedef struct actx {
	pl_arena *a;
	uint32_t visits;
} actx;

static info analyze(actx *c, const pl_node *n)
{
	pl_arena *a = c->a;
	info r;
	if (++c->visits > PL_MAX_VISITS)
		return info_any(true);
	switch (n->kind) {
	case PL_EMPTY:
		return info_empty();
	case PL_ANY:
		return info_any(true);
	case PL_LIT:
		return literal(a, n->lit, n->len, n->fold);
	case PL_CLASS:
		return byte_class(a, n->set);
	case PL_CAT:
		r = info_empty();
		for (uint32_t i = 0; i < n->len && !is_none(&r); i++) {
			if (and_full(r.match) || c->visits >= PL_MAX_VISITS) {
				/* Nothing more fits in the plan, or the budget is
				 * spent: read the rest as "any string". */
				return concat(a, r, info_any(true));
			}
			r = i ? concat(a, r, analyze(c, n->kids[i])) : analyze(c, n->kids[i]);
		}
		return r;
	case PL_ALT:
		r = info_none();
		for (uint32_t i = 0; i < n->len; i++)
			r = alternate(a, r, analyze(c, n->kids[i]));
		r.match = or_factor(a, r.match);
		return r;
	case PL_REP:
		return repeat(a, analyze(c, n->kids[0]), n->min, n->max);
	case PL_LOOK:
		r = info_empty();
		r.match = final_plan(a, analyze(c, n->kids[0]));
		return r;
	}
	return info_any(true);
}

const pl_plan *pl_analyze(pl_arena *a, const pl_node *root)
{
	if (!root)
		return P_ALL;
	actx c = {a, 0};
	return final_plan(a, analyze(&c, root));
}

const pl_plan *pl_analyze_literal(pl_arena *a, const uint8_t *pat, size_t len, bool fold)
{
	info r = info_none();
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && pat[i] != '\n')
			continue;
		if (i == start)
			return P_ALL; /* an empty alternative matches every line */
		r = alternate(a, r, literal(a, pat + start, i - start, fold));
		start = i + 1;
	}
	r.match = or_factor(a, r.match);
	return final_plan(a, r);
}
