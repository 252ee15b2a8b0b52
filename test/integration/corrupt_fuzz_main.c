/* corrupt_fuzz_main.c - replays a libFuzzer target's inputs without libFuzzer: calls LLVMFuzzerTestOneInput once per file, so make check runs fuzz/corpus with any compiler and sanitizer. */
/*
 * Usage: fuzz_replay_<target> FILE|DIR...   (a directory: each regular file in it, in
 * name order). Prints the number of inputs run; a failing input aborts (the target's
 * own checks) or is reported by the sanitizer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	unsigned long n = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st))
			return 2;
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]))
				return 2;
			n++;
			continue;
		}
		struct dirent **list;
		int m = scandir(argv[i], &list, NULL, by_name);
		if (m < 0)
			return 2;
		for (int k = 0; k < m; k++) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
			if (!stat(path, &st) && S_ISREG(st.st_mode)) {
				if (run_file(path))
					return 2;
				n++;
			}
			free(list[k]);
		}
		free(list);
	}
	printf("%lu inputs\n", n);
	return 0;
}
