"""test_index.py - Index lifetime, update results, stats, errors and module functions."""
import os
import threading
import unittest

from support import TreeCase, codeidx


class TestModule(unittest.TestCase):
    def test_version_and_names(self):
        self.assertRegex(codeidx.version(), r"^\d+\.\d+\.\d+$")
        self.assertIn("c", codeidx.languages())
        self.assertIn("*.c", codeidx.language_globs("c"))
        self.assertIsNone(codeidx.language_globs("no-such-language"))
        self.assertTrue(codeidx.strerror(-7))
        self.assertTrue(os.path.exists(codeidx.library_path()))


class TestLifetime(TreeCase):
    def test_open_without_create_raises_noindex(self):
        with self.assertRaises(codeidx.NoIndex) as cm:
            codeidx.Index(self.root, create=False)
        e = cm.exception
        self.assertEqual(e.code, -5)
        self.assertIsInstance(e, codeidx.Error)
        self.assertEqual(e.name, codeidx.strerror(-5))
        self.assertIn(os.path.realpath(self.root), e.detail)
        self.assertIn(e.detail, str(e))

    def test_open_missing_root(self):
        with self.assertRaises(codeidx.InvalidArgument) as cm:
            codeidx.Index(os.path.join(self.root, "nope"))
        self.assertEqual(cm.exception.code, -2)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertIn("nope", cm.exception.detail)

    def test_context_manager_and_close(self):
        with codeidx.Index(self.root) as idx:
            self.assertEqual(idx.root, os.path.realpath(self.root))
            self.assertFalse(idx.closed)
        self.assertTrue(idx.closed)
        idx.close()  # idempotent
        for call in (idx.stats, idx.update, lambda: idx.search("x"), lambda: idx.root):
            with self.assertRaises(ValueError):
                call()
        self.assertIn("closed", repr(idx))
        # The index directory exists now: open without create works.
        codeidx.Index(self.root, create=False).close()

    def test_pathlike_and_bytes_root(self):
        import pathlib
        with codeidx.Index(pathlib.Path(self.root)) as a, codeidx.Index(os.fsencode(self.root)) as b:
            self.assertEqual(a.root, b.root)


class TestUpdate(TreeCase):
    def test_incremental_results(self):
        self.tree({"a.c": "int a;\n", "sub/b.py": "b = 1\n", "c.txt": "c\n"})
        with codeidx.Index(self.root) as idx:
            self.assertEqual(idx.stats().generation, 0)
            r = idx.update(threads=2)
            self.assertIsInstance(r, codeidx.UpdateResult)
            self.assertEqual((r.files_new, r.files_changed, r.files_deleted), (3, 0, 0))
            self.assertEqual(r.generation, 1)
            self.assertEqual(r.segments_written, 1)
            self.assertGreater(r.bytes_indexed, 0)
            r = idx.update()
            # Files written within the timestamp granularity are re-hashed ("touched").
            self.assertEqual((r.files_new, r.files_changed, r.segments_written), (0, 0, 0))
            self.assertEqual(r.files_unchanged + r.files_touched, 3)
            self.tree({"a.c": "int a_changed_size;\n"})
            os.unlink(os.path.join(self.root, "c.txt"))
            r = idx.update()
            self.assertEqual((r.files_changed, r.files_deleted), (1, 1))
            s = idx.stats()
            self.assertEqual(s.files, 2)
            self.assertEqual(s.generation, r.generation)
            r = idx.update(full=True)
            self.assertEqual(r.files_new + r.files_changed + r.files_unchanged
                             + r.files_touched, 2)
            r = idx.update(full=True, background=True)
            self.assertEqual(r.files_new + r.files_changed + r.files_unchanged
                             + r.files_touched, 2)
            text = idx.status_text()
            self.assertTrue(text.startswith(b"root        " + os.fsencode(idx.root) + b"\n"))
            self.assertIn(b"\nfiles       2\n", text)
            self.assertTrue(text.endswith(b"\nskipped failed     0\n"))

    def test_skips_and_excludes(self):
        self.tree({"bin.dat": b"x\0y", "big.txt": "z" * 5000, "keep.c": "k\n",
                   "gen/out.c": "g\n"})
        with codeidx.Index(self.root) as idx:
            r = idx.update(max_file_size=1000, excludes=["gen/"])
            self.assertEqual(r.skipped["binary"], 1)
            self.assertEqual(r.skipped["too-large"], 1)
            self.assertEqual(r.skipped["excluded"], 1)
            self.assertEqual(r.files_new, 1)
            s = idx.stats()
            self.assertEqual(s.files, 1)
            self.assertEqual(s.skipped, r.skipped)
            self.assertEqual(set(s.skipped), {"ignored", "excluded", "binary", "too-large",
                                              "symlink", "special", "failed"})

    def test_bad_arguments(self):
        with codeidx.Index(self.root) as idx:
            with self.assertRaises(codeidx.InvalidArgument):
                idx.update(threads=-1)
            with self.assertRaises(TypeError):
                idx.update(progress=42)
            with self.assertRaises(TypeError):
                idx.update(excludes=[1])
            with self.assertRaises(codeidx.InvalidArgument):
                idx.update(excludes=["a\0b"])

    def test_two_handles_share_generations(self):
        self.tree({"a.c": "alpha\n"})
        with codeidx.Index(self.root) as writer, codeidx.Index(self.root) as reader:
            writer.update()
            self.assertEqual(reader.stats().generation, 1)
            self.assertEqual([m.path for m in reader.search("alpha")], ["a.c"])

    def test_corrupt_index_is_an_error_not_a_crash(self):
        self.tree({"a.c": "alpha\n"})
        with codeidx.Index(self.root) as idx:
            idx.update()
        d = os.path.join(self.root, ".codeidx")
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.path.getsize(p) > 0:
                with open(p, "r+b") as f:
                    f.write(b"\xde\xad\xbe\xef" * 8)
        with self.assertRaises(codeidx.Error) as cm:
            with codeidx.Index(self.root) as idx:
                idx.stats()
                list(idx.search("alpha"))
        self.assertIn(cm.exception.code, (-6, -10))  # corrupt, or foreign version

    def test_update_from_threads_is_serialised_or_locked(self):
        self.tree({"f%d.c" % i: "x%d\n" % i for i in range(50)})
        errors = []
        with codeidx.Index(self.root) as idx:
            def run():
                try:
                    idx.update()
                except codeidx.Locked as e:
                    errors.append(e)
            ts = [threading.Thread(target=run) for _ in range(3)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(idx.stats().files, 50)
        for e in errors:
            self.assertEqual(e.code, -7)


if __name__ == "__main__":
    unittest.main()
