#!/usr/bin/env python3
"""search_oracle.py - compares codeidx search with grep -P on exactly the files the index
holds: for every query the set of (path, line) pairs must be identical.

Usage: search_oracle.py BUILD_DIR TREE [TREE...]   (each TREE must be indexable;
the trees are indexed here, with .gitignore files not in force outside git repos)."""
import os
import subprocess
import sys

BINARY_PROBE = 8192
MAX_SIZE = 16 << 20

# (pattern, flags) -- flags among F (fixed), i (ignore case), w (word)
QUERIES = [
    ("codeidx_update", ""), ("codeidx_update", "w"), ("CODEIDX_OK", ""),
    ("static int", ""), ("static\\s+int\\s+\\w+\\(", ""), ("^#include <[a-z]+\\.h>$", ""),
    ("return -?1;", ""), ("(?i)struct\\s+cx_", ""), ("TODO|FIXME|XXX", ""),
    ("[0-9]{4,}", ""), ("\\bfor \\(", ""), ("a.c", "F"), ("(", "F"), ("\\d+", "F"),
    ("hello world", "i"), ("HELLO", "i"), ("hello", "iw"), ("x", "w"), ("foo_bar", "w"),
    ("é", ""), ("caf\\xc3\\xa9", ""), ("\\xff\\xfe", ""), ("\\r$", ""), ("line\\r", ""),
    ("^$", ""), ("^", ""), ("$", ""), ("a+", ""), (".{200,}", ""), ("z{3,}y", ""),
    ("(ab|cd)ef", ""), ("[[:upper:]]{3}_[[:digit:]]", ""), ("colon:in:name", "F"),
    ("needle", ""), ("needle", "i"), ("NEEDLE", "iw"), ("tail-no-newline", ""),
    ("after nul", ""), ("\\bint\\b", ""), ("(?:void|int) \\*?\\w+\\(void\\)", ""),
    ("long line marker", ""), ("[^\\x00-\\x7f]", ""), ("q\"uote", "F"), ("back\\\\slash", ""),
    ("if .* else", ""), ("(?<=struct )cx_\\w+", ""), ("foo(?!bar)", ""), ("\\Aa", ""),
    ("x\\z", ""), ("\\s$", ""), ("\\t", ""), ("pcre2_\\w+\\(", "i"),
    # what follows a line's end must look like nothing, never like its '\n'
    (".{0,98}\\s\\K", ""), ("f.o(?!\\s)", ""), ("a\\s*+$", ""), ("(?>a\\s*)$", ""),
    ("o(?=\\s)", ""), ("k\\s++k", ""),
]


# Queries matching nearly every line: on a large tree (the Linux benchmark run) their
# answers would take gigabytes of memory to compare, so they run on small trees only.
BROAD = {"^$", "^", "$", "a+", ".{200,}", "\\s$", "[^\\x00-\\x7f]", "\\t", "\\bint\\b", "x"}
LARGE_TREE = 20000


def indexed_files(tree):
    """The files the index holds: regular files, not under .git/.codeidx, not symlinks,
    no NUL byte in the first 8 KiB, at most 16 MiB."""
    out = []
    for dirpath, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in (".git", ".codeidx")
                   and not os.path.islink(os.path.join(dirpath, d))]
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if os.path.getsize(p) > MAX_SIZE:
                continue
            with open(p, "rb") as fh:
                if b"\0" in fh.read(BINARY_PROBE):
                    continue
            out.append(os.path.relpath(p, tree))
    return sorted(out, key=lambda s: s.encode("utf-8", "surrogateescape"))


def grep(tree, files, pattern, flags):
    args = ["grep", "-a", "-n", "-H", "-Z"]
    args += ["-F"] if "F" in flags else ["-P"]
    if "i" in flags:
        args.append("-i")
    if "w" in flags:
        args.append("-w")
    args += ["-e", pattern, "--"]
    found = set()
    for k in range(0, len(files), 500):
        r = subprocess.run(args + files[k:k + 500], cwd=tree, capture_output=True,
                           env=dict(os.environ, LC_ALL="C"))
        if r.returncode not in (0, 1):
            raise RuntimeError("grep failed: %r" % r.stderr)
        found |= parse(r.stdout, b":")
    return found


def parse(out, after_line):
    """Reads records "path\0line<after_line>...\n" in order (paths may hold '\n')."""
    found, pos = set(), 0
    while pos < len(out):
        nul = out.index(b"\0", pos)
        end_num = out.index(after_line, nul + 1)
        found.add((out[pos:nul], int(out[nul + 1:end_num])))
        pos = out.index(b"\n", end_num) + 1
    return found


def codeidx(build, tree, pattern, flags):
    args = [os.path.join(build, "test", "search_dump"), tree, pattern]
    args += ["-" + f for f in flags]
    r = subprocess.run(args, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("search_dump failed for %r: %r" % (pattern, r.stderr))
    return parse(r.stdout, b"\n")


def main():
    build, trees = sys.argv[1], sys.argv[2:]
    failures = 0
    checked = 0
    for tree in trees:
        subprocess.run([os.path.join(build, "codeidx"), "-C", tree, "index", "--progress=none"],
                       check=True, stdout=subprocess.DEVNULL)
        files = indexed_files(tree)
        for pattern, flags in QUERIES:
            if len(files) > LARGE_TREE and pattern in BROAD:
                continue
            want = grep(tree, files, pattern, flags)
            got = codeidx(build, tree, pattern, flags)
            checked += 1
            if want != got:
                failures += 1
                print("MISMATCH in %s for %r flags=%r: grep %d, codeidx %d" %
                      (tree, pattern, flags, len(want), len(got)))
                for p, l in sorted(want - got)[:5]:
                    print("  only grep:    %r:%d" % (p, l))
                for p, l in sorted(got - want)[:5]:
                    print("  only codeidx: %r:%d" % (p, l))
    print("search oracle: %d queries x trees checked, %d mismatches" % (checked, failures))
    print("%d passed, %d failed" % (checked - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
