"""test_search.py - Index.search: options, match objects, bytes vs str, streaming and errors."""
import os
import threading
import time
import unittest

from support import TreeCase, codeidx

FILES = {
    "src/main.c": "#include <stdio.h>\nint main(void)\n{\n\tfoo_bar();\n\treturn 0;\n}\n",
    "src/util.h": "void foo_bar(void);\nint foobar;\n/* FOO_BAR */\n",
    "docs/notes.txt": "foo bar\nthe foo_bar function\nfoo.bar\n",
    "py/x.py": "def foo_bar():\n    pass\n",
}


class TestSearchOptions(TreeCase):
    def setUp(self):
        super().setUp()
        self.idx = self.indexed(FILES)

    def lines(self, *args, **kw):
        return [(m.path, m.line) for m in self.idx.search(*args, **kw)]

    def test_regex_order_and_fields(self):
        ms = list(self.idx.search(r"foo_\w+\("))
        self.assertEqual([(m.path, m.line) for m in ms],
                         [("py/x.py", 1), ("src/main.c", 4), ("src/util.h", 1)])
        m = ms[1]
        self.assertIsInstance(m, codeidx.Match)
        self.assertEqual(m.text, "\tfoo_bar();")
        self.assertEqual(m.column, 2)
        self.assertEqual(m.spans, [(1, 9)])
        self.assertEqual(m.text[m.spans[0][0]:m.spans[0][1]], "foo_bar(")
        self.assertEqual(m.byte_spans, ((1, 9),))
        self.assertEqual((m.raw_path, m.raw_text), (b"src/main.c", b"\tfoo_bar();"))
        self.assertFalse(m.is_context)
        self.assertTrue(m.file_start)
        self.assertIn("src/main.c", repr(m))

    def test_literal_ignore_case_word(self):
        self.assertEqual(self.lines("foo.bar"),  # '.' matches any character
                         [("docs/notes.txt", 1), ("docs/notes.txt", 2), ("docs/notes.txt", 3),
                          ("py/x.py", 1), ("src/main.c", 4), ("src/util.h", 1)])
        self.assertEqual(self.lines("foo.bar", literal=True), [("docs/notes.txt", 3)])
        self.assertEqual(self.lines("FOO_BAR", literal=True), [("src/util.h", 3)])
        self.assertEqual(len(self.lines("FOO_BAR", literal=True, ignore_case=True)), 5)
        self.assertEqual(self.lines("foo", word=True),
                         [("docs/notes.txt", 1), ("docs/notes.txt", 3)])
        # grep -F: a newline separates alternatives.
        self.assertEqual(self.lines("foobar\nfoo.bar", literal=True),
                         [("docs/notes.txt", 3), ("src/util.h", 2)])

    def test_globs_languages_max_count(self):
        self.assertEqual(self.lines("foo_bar", globs=["*.c"]), [("src/main.c", 4)])
        self.assertEqual(self.lines("foo_bar", globs="src/**"),
                         [("src/main.c", 4), ("src/util.h", 1)])
        self.assertEqual(self.lines("foo_bar", globs=["!src/"]),
                         [("docs/notes.txt", 2), ("py/x.py", 1)])
        self.assertEqual(self.lines("foo_bar", languages=["py"]), [("py/x.py", 1)])
        self.assertEqual(self.lines("foo", max_count=1),
                         [("docs/notes.txt", 1), ("py/x.py", 1), ("src/main.c", 4),
                          ("src/util.h", 1)])
        it = self.idx.search("foo", max_total=2)
        self.assertEqual(len(list(it)), 2)
        self.assertTrue(it.summary.stopped)

    def test_context(self):
        ms = list(self.idx.search("return", context=1))
        self.assertEqual([(m.line, m.is_context) for m in ms],
                         [(4, True), (5, False), (6, True)])
        self.assertEqual(ms[0].spans, [])
        self.assertEqual(ms[0].column, 0)
        ms = list(self.idx.search("return", before=2, after=0))
        self.assertEqual([m.line for m in ms], [3, 4, 5])
        with self.assertRaises(codeidx.LimitError) as cm:
            self.idx.search("x", context=10 ** 6)
        self.assertEqual(cm.exception.code, -11)
        with self.assertRaises(codeidx.InvalidArgument):
            self.idx.search("x", context=-1)

    def test_summary(self):
        it = self.idx.search("foo_bar")
        self.assertIsNone(it.summary)
        n = len(list(it))
        s = it.summary
        self.assertEqual((s.lines_matched, s.files_matched, s.files_indexed), (n, 4, 4))
        self.assertLessEqual(s.candidates, 4)
        self.assertFalse(s.stopped)
        self.assertEqual(s.generation, 1)
        self.assertEqual(list(self.idx.search("zzz_not_there")), [])

    def test_pattern_errors_raise_at_call(self):
        with self.assertRaises(codeidx.PatternError) as cm:
            self.idx.search("foo(")  # raised by search() itself, before iteration
        e = cm.exception
        self.assertEqual(e.code, -9)
        self.assertIsInstance(e, ValueError)
        self.assertIn("offset", e.detail)
        with self.assertRaises(TypeError):
            self.idx.search(42)
        with self.assertRaises(codeidx.LimitError):
            self.idx.search("x" * (65 * 1024))


class TestBytes(TreeCase):
    def test_invalid_utf8_paths_and_text(self):
        idx = self.indexed({b"bad\xff name.txt": b"caf\xe9 needle \xff\n",
                            "utf8/\u00e9t\u00e9.txt": "d\u00e9j\u00e0 needle \u65e5\n"})
        ms = list(idx.search("needle"))
        self.assertEqual(len(ms), 2)
        bad, good = ms
        self.assertEqual(bad.raw_path, b"bad\xff name.txt")
        self.assertEqual(bad.path, "bad\udcff name.txt")
        self.assertEqual(os.fsencode(bad.path), bad.raw_path)
        with open(os.path.join(self.root, bad.path), "rb") as f:  # str path round-trips
            self.assertIn(bad.raw_text, f.read())
        self.assertEqual(bad.text, "caf\udce9 needle \udcff")
        self.assertEqual(bad.text.encode("utf-8", "surrogateescape"), bad.raw_text)
        self.assertEqual(bad.text[slice(*bad.spans[0])], "needle")
        self.assertEqual(good.path, "utf8/\u00e9t\u00e9.txt")
        self.assertEqual(good.text, "d\u00e9j\u00e0 needle \u65e5")
        self.assertEqual(good.byte_spans, ((7, 13),))
        self.assertEqual(good.spans, [(5, 11)])  # str indices, not bytes
        self.assertEqual(good.column, 8)         # bytes, like grep --column
        self.assertEqual(good.text[slice(*good.spans[0])], "needle")

    def test_bytes_patterns_and_partial_characters(self):
        idx = self.indexed({"a.txt": "x\u00e9y\n", "b.txt": b"raw \xff byte\n"})
        ms = list(idx.search(b"\xff"))
        self.assertEqual([m.path for m in ms], ["b.txt"])
        self.assertEqual(ms[0].spans, [(4, 5)])
        # A match on the second byte of 'é' (c3 a9): the str span widens to the character.
        ms = list(idx.search(b"\xa9"))
        self.assertEqual(ms[0].byte_spans, ((2, 3),))
        self.assertEqual(ms[0].spans, [(1, 2)])
        self.assertEqual(list(idx.search(bytearray(b"raw")))[0].path, "b.txt")

    def test_nul_in_line(self):
        idx = self.indexed({"n.txt": b"x" * 9000 + b"\nbefore\0after needle\n"})
        (m,) = list(idx.search("needle"))
        self.assertEqual(m.raw_text, b"before\0after needle")
        self.assertEqual(m.line, 2)


class TestStreaming(TreeCase):
    def setUp(self):
        super().setUp()
        self.files = {"f%02d.txt" % i: "".join("hit %d %d\n" % (i, j) for j in range(2000))
                      for i in range(20)}
        self.idx = self.indexed(self.files)

    def test_many_matches_in_order(self):
        ms = list(self.idx.search("hit"))
        self.assertEqual(len(ms), 40000)
        keys = [(m.raw_path, m.line) for m in ms]
        self.assertEqual(keys, sorted(keys))

    def test_break_early_stops_the_search(self):
        before = threading.active_count()
        for _ in range(20):
            for i, m in enumerate(self.idx.search("hit")):
                if i == 5:
                    break
        it = self.idx.search("hit")
        next(it)
        it.close()
        self.assertEqual(list(it), [])
        with self.idx.search("hit") as it2:
            next(it2)
        deadline = time.time() + 5
        while threading.active_count() > before and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(threading.active_count(), before)

    def test_close_index_with_running_search(self):
        it = self.idx.search("hit")
        next(it)
        t0 = time.time()
        self.idx.close()
        self.assertLess(time.time() - t0, 5)
        self.assertTrue(self.idx.closed)
        with self.assertRaisesRegex(ValueError, "closed during the search"):
            list(it)  # what was buffered, then an error: never a silently short result

    def test_concurrent_searches_from_threads(self):
        results = {}

        def run(n):
            results[n] = sum(1 for _ in self.idx.search("hit %d " % n, literal=True))
        ts = [threading.Thread(target=run, args=(n,)) for n in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(results, {n: 2000 for n in range(8)})


if __name__ == "__main__":
    unittest.main()
