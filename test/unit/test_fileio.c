/* test_fileio.c - unit tests of lib/common/fileio's cx_open_beneath on a real tree: nested files open; a link in any component fails with ELOOP (to inside or outside the root); absolute paths and ".." components fail with EXDEV while names that merely hold ".." open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "helpers/tree.h"

/* Opens rel beneath root's fd; returns the fd (closed) >= 0, or -errno. */
static int try_open(int root_fd, const char *rel)
{
	int fd = cx_open_beneath(root_fd, rel, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	close(fd);
	return fd;
}

static void link_at(const char *root, const char *target, const char *rel)
{
	char *p = tree_path(root, rel);
	assert_non_null(p);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void test_open_beneath(void **state)
{
	(void)state;
	char *root = tree_new();
	assert_non_null(root);
	assert_int_equal(tree_write_str(root, "a/b/c.txt", "x\n"), 0);
	assert_int_equal(tree_write_str(root, "a..b", "x\n"), 0);
	assert_int_equal(tree_write_str(root, "..hidden", "x\n"), 0);
	assert_int_equal(tree_write_str(root, "a/b/..c", "x\n"), 0);
	assert_int_equal(tree_write_str(root, "a/b/c..", "x\n"), 0);
	link_at(root, "a", "dirlink");       /* a link to a directory inside */
	link_at(root, "/etc", "out");        /* a link to outside */
	link_at(root, "b/c.txt", "a/flink"); /* a link to a file inside */
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rfd >= 0);

	static const char *const ok[] = {"a/b/c.txt", "a..b", "..hidden", "a/b/..c", "a/b/c..",
					 "./a/b/c.txt"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (try_open(rfd, ok[i]) < 0)
			fail_msg("%s: %s", ok[i], strerror(-try_open(rfd, ok[i])));

	static const struct {
		const char *rel;
		int err;
	} bad[] = {
		{"/etc/passwd", EXDEV},   {"..", EXDEV},           {"../x", EXDEV},
		{"a/../a/b/c.txt", EXDEV}, {"a/b/..", EXDEV},      {"dirlink/b/c.txt", ELOOP},
		{"out/passwd", ELOOP},    {"a/flink", ELOOP},      {"dirlink", ELOOP},
		{"a/missing", ENOENT},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int got = try_open(rfd, bad[i].rel);
		if (got != -bad[i].err)
			fail_msg("%s: got %s, want %s", bad[i].rel,
				 got >= 0 ? "an fd" : strerror(-got), strerror(bad[i].err));
	}
	close(rfd);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_beneath),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
