"""support.py - shared helpers for the codeidx binding tests: import path and temporary trees."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import codeidx  # noqa: E402,F401  (re-exported for the tests)


def write_tree(root, files):
    """files: {relative path (str or bytes): content (str or bytes)}."""
    for rel, content in files.items():
        path = os.path.join(os.fsencode(root), os.fsencode(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)


class TreeCase(unittest.TestCase):
    """A test case with a fresh temporary directory in self.root."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="codeidx-py-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def tree(self, files):
        write_tree(self.root, files)

    def indexed(self, files, **update_args):
        """Writes files, opens an index, updates it; the index is closed at cleanup."""
        self.tree(files)
        idx = codeidx.Index(self.root)
        self.addCleanup(idx.close)
        idx.update(**update_args)
        return idx
