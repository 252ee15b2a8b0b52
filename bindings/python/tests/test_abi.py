"""test_abi.py - checks the ctypes struct sizes and field offsets against the C header, compiled with cc."""
import os
import shutil
import subprocess
import tempfile
import unittest

from support import codeidx  # noqa: F401  (sets the import path)
from codeidx import _native

STRUCTS = {
    "codeidx_open_options": _native.OpenOptions,
    "codeidx_concurrent_file": _native.ConcurrentFile,
    "codeidx_progress": _native.Progress,
    "codeidx_update_options": _native.UpdateOptions,
    "codeidx_update_result": _native.UpdateResult,
    "codeidx_stats": _native.Stats,
    "codeidx_search_options": _native.SearchOptions,
    "codeidx_span": _native.Span,
    "codeidx_match": _native.Match,
    "codeidx_search_result": _native.SearchResult,
}
INCLUDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "include")


@unittest.skipUnless(shutil.which("cc") and os.path.exists(os.path.join(INCLUDE, "codeidx.h")),
                     "needs cc and include/codeidx.h")
class TestLayout(unittest.TestCase):
    def test_struct_layouts_match_the_header(self):
        body, expected = [], []
        for cname, st in STRUCTS.items():
            body.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
            expected.append("%s %d" % (cname, __import__("ctypes").sizeof(st)))
            for field, _ in st._fields_:
                body.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                            % (cname, field, cname, field))
                expected.append("%s.%s %d" % (cname, field, getattr(st, field).offset))
        consts = {"CODEIDX_SKIP__COUNT": _native.SKIP_COUNT,
                  "CODEIDX_OPEN_CREATE": _native.OPEN_CREATE,
                  "CODEIDX_UPDATE_FULL": _native.UPDATE_FULL,
                  "CODEIDX_UPDATE_NO_IGNORE": _native.UPDATE_NO_IGNORE,
                  "CODEIDX_UPDATE_BACKGROUND": _native.UPDATE_BACKGROUND,
                  "CODEIDX_SEARCH_LITERAL": _native.SEARCH_LITERAL,
                  "CODEIDX_SEARCH_IGNORE_CASE": _native.SEARCH_IGNORE_CASE,
                  "CODEIDX_SEARCH_WORD": _native.SEARCH_WORD,
                  "CODEIDX_PHASE_DONE + 1": _native.N_PHASES,
                  "CODEIDX_FILE_FAILED + 1": _native.N_FILE_STATUSES}
        for expr, value in consts.items():
            body.append('printf("%s %%d\\n", (int)(%s));' % (expr, expr))
            expected.append("%s %d" % (expr, value))
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "layout.c")
            with open(src, "w") as f:
                f.write("#include <stddef.h>\n#include <stdio.h>\n#include \"codeidx.h\"\n"
                        "int main(void)\n{\n\t%s\n\treturn 0;\n}\n" % "\n\t".join(body))
            exe = os.path.join(d, "layout")
            subprocess.run(["cc", "-I", INCLUDE, "-o", exe, src], check=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        self.assertEqual(out.splitlines(), expected)


if __name__ == "__main__":
    unittest.main()
