"""test_leaks.py - thousands of opens, updates, searches and errors leave RSS, fds and threads flat."""
import gc
import os
import threading
import unittest

from support import TreeCase, codeidx


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def fds():
    return len(os.listdir("/proc/self/fd"))


@unittest.skipUnless(os.path.exists("/proc/self/statm"), "needs /proc")
class TestLeaks(TreeCase):
    def cycle(self, i):
        with codeidx.Index(self.root) as idx:
            if i % 10 == 0:
                idx.update(progress=lambda ev: None, progress_interval=0)
            for m in idx.search(r"needle_\d+", globs=["*.c"], context=1):
                m.text, m.spans, m.path
            it = idx.search("needle")
            next(it)
            it.close()  # abandoned early
            idx.stats()
            for bad, exc in (("x(", codeidx.PatternError), ("x", codeidx.Cancelled)):
                try:
                    if exc is codeidx.Cancelled:
                        idx.update(progress=lambda ev: True)
                    else:
                        idx.search(bad)
                except exc:
                    pass
        try:
            codeidx.Index(os.path.join(self.root, "missing"), create=False)
        except codeidx.Error:
            pass

    def test_flat_rss_fds_threads(self):
        self.tree({"f%d.c" % i: "int needle_%d;\n/* caf\u00e9 */\n" % i for i in range(30)})
        for i in range(300):  # warm up allocator pools and caches
            self.cycle(i)
        gc.collect()
        rss0, fd0, th0 = rss_kib(), fds(), threading.active_count()
        for i in range(2000):
            self.cycle(i)
        gc.collect()
        grown = rss_kib() - rss0
        self.assertEqual(fds(), fd0)
        self.assertEqual(threading.active_count(), th0)
        if "asan" in os.environ.get("LD_PRELOAD", ""):
            return  # AddressSanitizer's quarantine holds freed memory: RSS says nothing
        self.assertLess(grown, 3 * 1024, "RSS grew by %d KiB over 2000 cycles" % grown)


if __name__ == "__main__":
    unittest.main()
