#!/usr/bin/env python3
"""blocks_oracle.py - searches of large files, which the index cuts into blocks and a
search reads only in part (lib/search/regions.c), give grep's answers exactly.

The tree: files from 32 KiB - 1 byte to 700 KB whose needles sit on, just before and
just after block boundaries, inside lines longer than the read slack that cross a
boundary, in CRLF lines, at the very end of a file without a final newline, and in
case and word-boundary variants. Every file's mtime is two days old, so the index
trusts it (no "racy" mtime). Then:
  1. (path, line) sets and full "path:line:text" output equal grep's for literal,
     regex (short and long matches), -i, -w, -F and -m queries;
  2. a needle written into a far block after indexing, same size, mtime put back:
     the search reads only the blocks the summary passes, so it reports the old
     needle and not the new one (grep sees both) -- proof that the other blocks are
     not read; with context lines or a pattern of unbounded length it reads the whole
     file and reports both;
  3. a file changed after indexing (new mtime) is read whole: grep's answer again;
  4. after incremental updates that merge segments, a summary travels with its doc
     (the check of 2 holds for a file indexed on its own and then merged), and the
     answers of 1 still equal grep's.

Usage: blocks_oracle.py BUILD_DIR WORK_DIR   (run by search_oracle.sh, which builds
BUILD_DIR/test/search_dump)"""
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from search_oracle import codeidx, grep, indexed_files  # noqa: E402

MIN_SIZE = 32 << 10  # CX_BLOCKS_MIN_SIZE
PER_FILE = 32        # CX_BLOCKS_PER_FILE
MIN_BLOCK = 8 << 10  # CX_BLOCKS_MIN_BLOCK
WORDS = (b"static int void return struct size_t buffer lock unlock count index "
         b"value error state list node next prev alpha beta gamma delta").split()
TWO_DAYS = 2 * 86400


def block_size(n):
    per = -(-n // PER_FILE)
    return max(MIN_BLOCK, (per + 4095) & ~4095)


def filler(rng, n):
    """Source-like lines, about n bytes."""
    out = bytearray()
    while len(out) < n:
        out += b" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
        out += b";\n" if rng.random() < 0.9 else b";\r\n"
    return bytes(out[:n])


def make_file(rng, size, shifts):
    """A file of `size` bytes with "needle_alpha" lines placed `shift` bytes before
    each block boundary (negative: after), a long line across one boundary, case and
    word variants; some of these land inside one another's lines, which is fine."""
    data = bytearray(filler(rng, size))
    b = block_size(size)
    marks = [(b"needle_alpha end", -3), (b"NeEdLe_AlPhA", 5), (b"xneedle_alpha", 40),
             (b"needle_alpha_x", -40), (b"needle_beta" + b"." * 200 + b"end", 100)]
    for k in range(1, -(-size // b)):
        shift = shifts[k % len(shifts)]
        text, extra = marks[k % len(marks)]
        at = k * b - shift + extra
        line = b"\n" + text + b"\n"
        if 0 < at and at + len(line) < size:
            data[at:at + len(line)] = line
    # A line longer than the read slack (1 KiB each side) across the first boundary.
    if size > b + 3000:
        long_line = b"\n" + b"q" * 1500 + b" needle_gamma " + b"r" * 1500 + b"\n"
        at = b - 1500
        data[at:at + len(long_line)] = long_line
    return bytes(data)


def build_tree(root, rng):
    os.makedirs(root)
    sizes = [MIN_SIZE - 1, MIN_SIZE, MIN_SIZE + 1, 40000, 65536, 65537, 100000, 131072,
             200000, 333333, 524288, 700000]
    shifts = [0, 1, 2, 3, 11, 12, 13, 14, 255, 256, 257, 258, 259, 600, 8000]
    for i, size in enumerate(sizes):
        with open(os.path.join(root, "f%02d.c" % i), "wb") as f:
            f.write(make_file(rng, size, shifts[i % 3:] + shifts[:i % 3]))
    # The needle as the last bytes of a file without a final newline.
    with open(os.path.join(root, "tail.txt"), "wb") as f:
        f.write(filler(rng, 50000) + b"\nlast needle_alpha")
    # One needle per file, across a block boundary: only the filter of the block it
    # starts in can pass the whole needle (its overlap holds the needle's end).
    b = block_size(100000)
    for d in (1, 2, 3, 6, 10, 17, 18, 19, 20, 25):
        data = bytearray(filler(rng, 100000))
        line = b"\nneedle_omega_cross\n"
        data[2 * b - d - 1:2 * b - d - 1 + len(line)] = line
        with open(os.path.join(root, "cross%02d.c" % d), "wb") as f:
            f.write(data)
    # All trigrams of "pqrstuvwxy.abcdefghij", far apart: a candidate no block passes.
    write_old(os.path.join(root, "apart.c"), b"pqrstuvwxy\n" + filler(rng, 50000) +
              b"qxy.abq\n" + filler(rng, 50000) + b"abcdefghij\n")
    # One needle, in the first block only (part 2 writes another into the last).
    with open(os.path.join(root, "solo.c"), "wb") as f:
        f.write(b"needle_alpha here\n" + filler(rng, 400000))
    # A block of CRLF lines with needles, in a big file.
    with open(os.path.join(root, "crlf.txt"), "wb") as f:
        f.write(filler(rng, 70000).replace(b";\n", b";\r\n") + b"needle_alpha\r\n" +
                filler(rng, 30000))
    old = time.time() - TWO_DAYS
    for name in os.listdir(root):
        os.utime(os.path.join(root, name), (old, old))


QUERIES = [
    ("needle_alpha", ""), ("needle_alpha", "F"), ("needle_alpha", "w"), ("needle_alpha", "i"),
    ("NEEDLE_ALPHA", "iw"), ("needle_gamma", ""), ("needle_alpha end", ""),
    ("needle_beta\\.{200}end", ""), ("needle_beta.{0,250}end", ""),
    ("needle_beta.*end", ""), ("needle_(alpha|beta)", ""), ("needle_\\w+", ""),
    ("alpha\\r$", ""), ("xneedle|needle_alpha_x", ""), ("needle_alpha\nneedle_gamma", "F"),
    ("(?i)needle_alpha", ""), ("lock unlock count", ""), ("(?<=x)needle", ""),
    ("needle_omega_cross", ""), ("NEEDLE_OMEGA_CROSS", "i"), ("omega_cross", "w"),
]


def index(build, root):
    subprocess.run([os.path.join(build, "codeidx"), "-C", root, "index", "--progress=none"],
                   check=True, stdout=subprocess.DEVNULL)


def segments(root):
    return {n for n in os.listdir(os.path.join(root, ".codeidx")) if n.startswith("seg-")}


def write_old(path, data):
    """Writes a file dated two days back, so the index trusts its stat data."""
    with open(path, "wb") as f:
        f.write(data)
    old = time.time() - TWO_DAYS
    os.utime(path, (old, old))


def plant_late(path, needle):
    """Writes a line with `needle` near the end of `path` in place, mtime put back."""
    st = os.stat(path)
    with open(path, "r+b") as fh:
        fh.seek(st.st_size - 3000)
        fh.write(b"\nlate " + needle + b"\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def cli(build, root, *args):
    r = subprocess.run([os.path.join(build, "codeidx"), "--no-daemon", "-C", root, "search"] +
                       list(args), capture_output=True)
    if r.returncode not in (0, 1):
        raise RuntimeError("codeidx search %r: %r" % (args, r.stderr))
    return sorted(r.stdout.splitlines())


def grep_lines(root, files, *args):
    r = subprocess.run(["grep", "-a", "-n", "-H"] + list(args) + ["--"] + files, cwd=root,
                       capture_output=True, env=dict(os.environ, LC_ALL="C"))
    return sorted(r.stdout.splitlines())


def main():
    build, work = sys.argv[1], sys.argv[2]
    root = os.path.join(work, "blocks")
    rng = random.Random(20261124)
    build_tree(root, rng)
    index(build, root)
    files = indexed_files(root)
    failures = 0

    def check(what, want, got):
        nonlocal failures
        if want != got:
            failures += 1
            print("MISMATCH %s: grep %d, codeidx %d" % (what, len(want), len(got)))
            for x in sorted(set(want) - set(got))[:4]:
                print("  only grep:    %r" % (x,))
            for x in sorted(set(got) - set(want))[:4]:
                print("  only codeidx: %r" % (x,))

    # 1. Answers, then whole output lines (the text of each line too).
    for pattern, flags in QUERIES:
        check("%r -%s" % (pattern, flags), grep(root, files, pattern, flags),
              codeidx(build, root, pattern, flags))
    for args in (["-P", "needle_alpha"], ["-P", "-i", "needle_alpha"], ["-P", "-m", "1", "needle"],
                 ["-P", "-c", "needle_alpha"], ["-P", "-w", "needle_alpha"]):
        # grep -c also lists files without a match (":0"); codeidx -c, like rg, not.
        want = [l for l in grep_lines(root, files, *args) if not l.endswith(b":0")]
        check("output of %r" % args, want, cli(build, root, *[a for a in args if a != "-P"]))

    # 2. A needle written into the last block of solo.c after indexing, in place and
    #    with the mtime put back: the index still describes the file.
    f = os.path.join(root, "solo.c")
    plant_late(f, b"late_needle needle_alpha")
    late = grep_lines(root, ["solo.c"], "-F", "late_needle")
    assert len(late) == 1, late
    got = cli(build, root, "needle_alpha")
    if any(b"late_needle" in l for l in got):
        failures += 1
        print("FAIL: a block the summary does not pass was read (late needle reported)")
    if b"solo.c:1:needle_alpha here" not in got:
        failures += 1
        print("FAIL: the needle of solo.c's first block was not reported")
    for args in (["-C", "1", "needle_alpha"], ["late_needle|needle_alph\\w*"]):
        if not any(b"late_needle" in l for l in cli(build, root, *args)):
            failures += 1
            print("FAIL: %r must read the whole file (context or unbounded match)" % args)

    # 3. The same kind of change with a new mtime: the file is read whole again; so is
    #    a file no block of which passed, once changed.
    os.utime(f, None)
    check("after a change the index has not seen", grep_lines(root, files, "-P", "needle_alpha"),
          cli(build, root, "needle_alpha"))
    a = os.path.join(root, "apart.c")
    if cli(build, root, "pqrstuvwxy.abcdefghij"):
        failures += 1
        print("FAIL: apart.c matched before the change (test setup)")
    with open(a, "r+b") as fh:
        fh.seek(30000)
        fh.write(b"\npqrstuvwxy.abcdefghij\n")
    check("a changed file whose blocks all failed", grep_lines(root, ["apart.c"], "-P", "pqrstuvwxy.abcdefghij"),
          cli(build, root, "pqrstuvwxy.abcdefghij"))

    # 4. solo2.c indexed on its own segment, changed in place as in 2, then merged with
    #    the next small segments.
    index(build, root)  # takes in the change of 3 first
    f2 = os.path.join(root, "solo2.c")
    write_old(f2, b"needle_zeta here\n" + filler(rng, 400000))
    before = segments(root)
    index(build, root)
    own = segments(root) - before
    plant_late(f2, b"needle_zeta")
    for i in range(8):
        write_old(os.path.join(root, "extra%d.c" % i), b"needle_alpha %d\n" % i)
        index(build, root)
    if own & segments(root):
        failures += 1
        print("FAIL: the segment holding solo2.c was not merged (test setup)")
    got = cli(build, root, "needle_zeta")
    if got != [b"solo2.c:1:needle_zeta here"]:
        failures += 1
        print("FAIL: after a merge, solo2.c was not read by its summary: %r" % got)
    files = [p for p in indexed_files(root) if p != "solo2.c"]
    for pattern, flags in QUERIES:
        got = {(p, n) for p, n in codeidx(build, root, pattern, flags) if p != b"solo2.c"}
        check("%r -%s after merges" % (pattern, flags), grep(root, files, pattern, flags), got)

    print("blocks oracle: %d checks failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
