"""test_progress.py - Index.update progress events: value copies, cancellation, exceptions."""
import os
import unittest

from support import TreeCase, codeidx


def big_tree(n=40, size=256 * 1024):
    line = b"".join(b"line %d with some words %d\n" % (j, j * 7 % 1000) for j in range(12000))
    return {"big/b%02d.txt" % i: line[:size] for i in range(n)}


class Boom(Exception):
    pass


class TestProgress(TreeCase):
    def test_events_are_plain_copies(self):
        files = big_tree()
        files["small.c"] = "int x;\n"
        self.tree(files)
        events = []
        with codeidx.Index(self.root) as idx:
            r = idx.update(threads=2, progress=events.append, progress_interval=0)
        # Events were kept past their callbacks: all fields must still be plain values.
        self.assertGreater(len(events), 40)
        for ev in events:
            self.assertIsInstance(ev, codeidx.Progress)
            self.assertIn(ev.phase, ("setup", "hash", "index", "commit", "done"))
            self.assertIsInstance(ev.message, str)
            self.assertIsInstance(ev.concurrent_files, list)
            self.assertEqual(ev.threads, 2)
            self.assertTrue(ev.eta is None or ev.eta >= 0)
            if ev.total:
                self.assertLessEqual(ev.current, ev.total)
                self.assertEqual(ev.active_threads, len(ev.concurrent_files))
        self.assertEqual(events[0].phase, "setup")
        last = events[-1]
        self.assertEqual(last.phase, "done")
        self.assertEqual(last.current, last.total)
        self.assertEqual(last.total, 41)
        self.assertEqual(last.concurrent_files, [])
        self.assertTrue(any(ev.total == 0 and ev.message for ev in events))
        busy = [f for ev in events for f in ev.concurrent_files]
        for f in busy:
            self.assertIsInstance(f, codeidx.ConcurrentFile)
            self.assertIsInstance(f.path, str)
            self.assertIn(f.slot, (0, 1))
            self.assertIn(f.status, ("queued", "stating", "hashing", "reading", "indexing",
                                     "done", "failed"))
            self.assertGreaterEqual(f.elapsed, 0.0)
            self.assertEqual(os.path.getsize(os.path.join(self.root, f.path)), f.size)
        self.assertEqual(r.files_new, 41)

    def test_concurrent_files_seen(self):
        # Timing-dependent: with 2 workers and 40 x 256 KiB files some event nearly
        # always catches a busy slot; retry a few full rebuilds before failing.
        self.tree(big_tree())
        with codeidx.Index(self.root) as idx:
            for _ in range(5):
                seen = []
                idx.update(threads=2, full=True, progress_interval=0,
                           progress=lambda ev: seen.extend(ev.concurrent_files))
                if seen:
                    break
        self.assertTrue(seen, "no event listed a concurrent file")
        self.assertTrue(all(f.path.startswith("big/b") for f in seen))

    def test_cancel_keeps_previous_generation(self):
        self.tree({"a.c": "alpha\n"})
        with codeidx.Index(self.root) as idx:
            idx.update()
            self.tree({"b.c": "beta\n"})
            seen = []

            def cancel_at_hash(ev):
                seen.append(ev)
                return ev.phase == "hash"
            with self.assertRaises(codeidx.Cancelled) as cm:
                idx.update(progress=cancel_at_hash)
            self.assertEqual(cm.exception.code, -8)
            self.assertIsInstance(cm.exception, codeidx.Error)
            self.assertEqual(idx.stats().generation, 1)
            self.assertEqual(list(idx.search("beta")), [])
            r = idx.update(progress=lambda ev: None)  # None goes on
            self.assertEqual((r.generation, r.files_new), (2, 1))
            self.assertEqual([m.path for m in idx.search("beta")], ["b.c"])

    def test_exception_in_callback_propagates(self):
        self.tree({"a.c": "alpha\n"})
        with codeidx.Index(self.root) as idx:
            calls = []

            def bad(ev):
                calls.append(ev)
                raise Boom("from the callback")
            with self.assertRaises(Boom):
                idx.update(progress=bad)
            self.assertEqual(len(calls), 1)  # the C side stopped at once
            self.assertEqual(idx.stats().generation, 0)
            with self.assertRaises(KeyboardInterrupt):
                idx.update(progress=lambda ev: (_ for _ in ()).throw(KeyboardInterrupt()))
            self.assertEqual(idx.update().generation, 1)  # the handle is still usable

    def test_no_callback(self):
        self.tree({"a.c": "alpha\n"})
        with codeidx.Index(self.root) as idx:
            self.assertEqual(idx.update(progress=None).files_new, 1)
            with self.assertRaises(codeidx.InvalidArgument):
                idx.update(progress_interval=-1)


if __name__ == "__main__":
    unittest.main()
