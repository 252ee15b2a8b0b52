/* languages.c - language names for the search's `languages` option and their file
 * name globs (a small, ripgrep-like type table). */
#include <string.h>

#include "codeidx.h"

typedef struct language {
	const char *name;
	const char *globs[10];
} language;

static const language table[] = {
	{"asm", {"*.s", "*.S", "*.asm", NULL}},
	{"c", {"*.c", "*.h", NULL}},
	{"cpp", {"*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.hxx", "*.h", "*.inl", NULL}},
	{"css", {"*.css", "*.scss", NULL}},
	{"dts", {"*.dts", "*.dtsi", NULL}},
	{"go", {"*.go", NULL}},
	{"html", {"*.html", "*.htm", NULL}},
	{"java", {"*.java", NULL}},
	{"js", {"*.js", "*.mjs", "*.cjs", "*.jsx", NULL}},
	{"json", {"*.json", NULL}},
	{"kconfig", {"Kconfig", "Kconfig.*", NULL}},
	{"make", {"Makefile", "makefile", "GNUmakefile", "*.mk", "*.mak", "Kbuild", NULL}},
	{"md", {"*.md", "*.markdown", NULL}},
	{"perl", {"*.pl", "*.pm", NULL}},
	{"py", {"*.py", "*.pyi", NULL}},
	{"rst", {"*.rst", NULL}},
	{"ruby", {"*.rb", NULL}},
	{"rust", {"*.rs", NULL}},
	{"sh", {"*.sh", "*.bash", "*.zsh", NULL}},
	{"toml", {"*.toml", NULL}},
	{"ts", {"*.ts", "*.tsx", NULL}},
	{"txt", {"*.txt", NULL}},
	{"yaml", {"*.yaml", "*.yml", NULL}},
};

#define N_LANG (sizeof table / sizeof *table)

CODEIDX_API const char *const *codeidx_languages(void)
{
	static const char *names[N_LANG + 1];
	/* Filled on every call with the same values: no lazy-init race matters. */
	for (size_t i = 0; i < N_LANG; i++)
		names[i] = table[i].name;
	names[N_LANG] = NULL;
	return names;
}

CODEIDX_API const char *const *codeidx_language_globs(const char *name)
{
	for (size_t i = 0; name && i < N_LANG; i++)
		if (!strcmp(table[i].name, name))
			return table[i].globs;
	return NULL;
}
