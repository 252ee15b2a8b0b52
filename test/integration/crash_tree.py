# crash_tree.py - helper of crash_consistency.sh: builds and changes the test tree deterministically, and lists stray files in an index directory.
# Usage:
#   crash_tree.py make ROOT FILES        FILES text files of ~8 KiB in 40 directories
#   crash_tree.py round ROOT K           rewrites every 6th file (index % 6 == K, K 1..5)
#   crash_tree.py final ROOT             the change under test: touches a third of the
#                                        files, rewrites a twelfth with NEWMARK lines,
#                                        adds 10% new files, deletes 2%
#   crash_tree.py strays INDEXDIR        prints each file that is not "lock", "manifest"
#                                        or a segment the manifest names; exit 1 if any
# Every file gets an explicit mtime a day in the past, distinct per write, so that change
# detection never depends on timing (no "racily clean" stat data).
import os
import random
import struct
import sys
import time

BASE = int(time.time()) - 86400
WORDS = ["w%03d" % i for i in range(1000)]


def files(root):
    out = []
    for d in sorted(os.listdir(root)):
        p = os.path.join(root, d)
        if d.startswith(".") or not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            out.append(os.path.join(p, f))
    return out


def text(rng, tag, size=8192):
    lines, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(9)) + " " + tag + "\n"
        lines.append(line)
        n += len(line)
    return "".join(lines)


def write(path, data, stamp):
    with open(path, "w") as f:
        f.write(data)
    os.utime(path, (stamp, stamp))


def make(root, n):
    rng = random.Random(1)
    for i in range(n):
        d = os.path.join(root, "d%02d" % (i % 40))
        os.makedirs(d, exist_ok=True)
        write(os.path.join(d, "f%05d.c" % i), text(rng, "id%d" % i), BASE + i % 1000)


def index_of(path):
    return int(os.path.basename(path)[1:6])


def round_(root, k):
    rng = random.Random(100 + k)
    for p in files(root):
        i = index_of(p)
        if i % 6 == k:
            write(p, text(rng, "id%d round%d" % (i, k)), BASE + 2000 * k + i % 1000)


def final(root):
    rng = random.Random(999)
    all_files = files(root)
    for p in all_files:
        i = index_of(p)
        if i % 50 == 7:
            os.unlink(p)
        elif i % 12 == 0:
            write(p, text(rng, "id%d NEWMARK_changed%d" % (i, i % 97)), BASE + 20000 + i % 1000)
        elif i % 3 == 1:
            st = os.stat(p)
            os.utime(p, (st.st_mtime + 30000, st.st_mtime + 30000))  # touched: same content
    new_dir = os.path.join(root, "new")
    os.makedirs(new_dir, exist_ok=True)
    for j in range(len(all_files) // 10):
        write(os.path.join(new_dir, "f%05d.c" % (90000 + j)),
              text(rng, "NEWMARK_added%d Newmark_Mixed" % j), BASE + 40000 + j % 1000)


def strays(indexdir):
    names = set(os.listdir(indexdir))
    keep = {"lock"}
    if "manifest" in names:
        keep.add("manifest")
        data = open(os.path.join(indexdir, "manifest"), "rb").read()
        n_segs = struct.unpack_from("<I", data, 12)[0]
        n_skip = struct.unpack_from("<I", data, 24)[0]
        at = 32 + 8 * n_skip
        for _ in range(n_segs):
            seg_id, _docs, n_del, n_ovr = struct.unpack_from("<QIII", data, at)
            at += 24 + 4 * n_del + 32 * n_ovr
            keep.add("seg-%016x.cdx" % seg_id)
        missing = keep - names
        if missing:
            print("missing: " + " ".join(sorted(missing)))
            return 1
    extra = sorted(names - keep)
    for name in extra:
        print(name)
    return 1 if extra else 0


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], int(sys.argv[3]))
    elif cmd == "round":
        round_(sys.argv[2], int(sys.argv[3]))
    elif cmd == "final":
        final(sys.argv[2])
    elif cmd == "strays":
        sys.exit(strays(sys.argv[2]))
    else:
        sys.exit(2)


if __name__ == "__main__":
    main()
