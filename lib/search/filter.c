/* filter.c - which indexed paths a search looks at: -g globs and language names. */
#include "search/filter.h"

#include <string.h>

#include "codeidx.h"
#include "common/buf.h"
#include "common/error.h"

static int compile(cx_buf *text, cx_ignore_list **out)
{
	if (!text->len)
		return 0;
	return cx_ignore_list_new(out, (const char *)text->data, text->len, "", 0);
}

static int add_line(cx_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (memchr(s, '\n', n))
		return cx_error(CODEIDX_EINVAL, "a glob may not contain a newline");
	return cx_buf_append(b, s, n) || cx_buf_append(b, "\n", 1) ? CODEIDX_ENOMEM : 0;
}

int cx_filter_init(cx_filter *f, const char *const *globs, size_t n_globs,
		   const char *const *langs, size_t n_langs)
{
	memset(f, 0, sizeof *f);
	cx_buf inc = CX_BUF_INIT, exc = CX_BUF_INIT, lang = CX_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n_globs && !rc; i++) {
		if (!globs[i] || !*globs[i])
			rc = cx_error(CODEIDX_EINVAL, "empty glob");
		else if (globs[i][0] == '!')
			rc = add_line(&exc, globs[i] + 1);
		else
			rc = add_line(&inc, globs[i]);
	}
	for (size_t i = 0; i < n_langs && !rc; i++) {
		const char *const *g = codeidx_language_globs(langs[i]);
		if (!g)
			rc = cx_error(CODEIDX_EINVAL, "unknown language '%s'", langs[i] ? langs[i] : "");
		for (; !rc && g && *g; g++)
			rc = add_line(&lang, *g);
	}
	if (!rc)
		rc = compile(&inc, &f->include);
	if (!rc)
		rc = compile(&exc, &f->exclude);
	if (!rc)
		rc = compile(&lang, &f->langs);
	cx_buf_release(&inc);
	cx_buf_release(&exc);
	cx_buf_release(&lang);
	if (rc)
		cx_filter_release(f);
	return rc;
}

void cx_filter_release(cx_filter *f)
{
	cx_ignore_list_free(f->include);
	cx_ignore_list_free(f->exclude);
	cx_ignore_list_free(f->langs);
	memset(f, 0, sizeof *f);
}

/* Whether a positive pattern of `l` matches the path or one of its directories. */
static int hits(const cx_ignore_list *l, const char *path, size_t len)
{
	cx_ignore_path p;
	cx_ignore_path_init(&p, path, len, 0);
	if (cx_ignore_list_match(l, &p) == CX_IGNORE_EXCLUDE)
		return 1;
	for (size_t i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		cx_ignore_path_init(&p, path, i, 1);
		if (cx_ignore_list_match(l, &p) == CX_IGNORE_EXCLUDE)
			return 1;
	}
	return 0;
}

int cx_filter_accepts(const cx_filter *f, const char *path, size_t len)
{
	if (f->include && !hits(f->include, path, len))
		return 0;
	if (f->exclude && hits(f->exclude, path, len))
		return 0;
	if (f->langs && !hits(f->langs, path, len))
		return 0;
	return 1;
}
