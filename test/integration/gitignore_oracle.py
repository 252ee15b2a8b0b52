#!/usr/bin/env python3
"""gitignore_oracle.py - compare the walk's file list with git's on random trees.

Each seed builds a small random tree with random .gitignore files (nested, negated,
directory-only, anchored, '**', classes, escapes, trailing spaces, CRLF, comments),
sometimes a .git/info/exclude and some extra exclude patterns, names with spaces,
newlines, quotes, glob characters and invalid UTF-8, symlinks and fifos. The oracle is
`git ls-files --others --exclude-standard -z` (plus `--exclude=` for the extra
patterns) in a fresh repository: with nothing tracked, that lists exactly the files
git does not ignore. Symlinks are dropped from git's list (the walk never reports
them). Every tree is walked by walk_dump in one batch; any difference fails the test
with a diff of that tree and its ignore files.

usage: gitignore_oracle.py WALK_DUMP WORKDIR [FIRST_SEED] [COUNT]
"""
import os
import random
import subprocess
import sys

# Component names: plain ones, and ones that exercise escaping and odd bytes.
PLAIN = [b"a", b"b", b"c", b"ab", b"abc", b"foo", b"bar", b"baz", b"src", b"lib", b"doc",
         b"build", b"out", b"test", b"main.c", b"util.h", b"x.o", b"y.o", b"lib.a",
         b"README.md", b"Makefile", b"notes.txt", b"data.json", b"a.b.c", b"tmp~",
         b".hidden", b".env", b"foo.c", b"foo.h", b"bar.o", b"node_modules", b"dist",
         b"Cache", b"cache", b"A", b"B1", b"b2", b"z9", b"dot.", b"x.tar.gz"]
ODD = [b"#hash", b"!bang", b"sp ace", b"trail ", b"two  ", b"a*b", b"q?x", b"br[a]ck",
       b"back\\slash", b"new\nline", b"quo\"te", b"it's", b"\xff\xfeinv", b"\xc3\xbcmlaut",
       b"tab\tx", b"cr\r", b"-dash", b"]close", b"^caret", b"a-z", b"\x7fdel", b"\x0bvt"]
SPECIAL = b"*?[\\"


def rand_name(r):
    return r.choice(ODD) if r.random() < 0.15 else r.choice(PLAIN)


def build_tree(r, root, depth=0):
    """Creates a random tree; returns (files, dirs) as lists of relative byte paths."""
    files, dirs = [], []

    def fill(rel, depth):
        n = r.randint(1, 6 if depth < 3 else 3)
        used = set()
        for _ in range(n):
            name = rand_name(r)
            if name in used:
                continue
            used.add(name)
            path = rel + b"/" + name if rel else name
            full = os.path.join(root, path)
            if depth < 4 and r.random() < 0.35:
                os.mkdir(full)
                dirs.append(path)
                fill(path, depth + 1)
            else:
                with open(full, "wb") as f:
                    f.write(b"x\n")
                files.append(path)

    fill(b"", 0)
    return files, dirs


def escape_literal(r, comp, first):
    """Turns a literal name into a pattern that matches it (and maybe others)."""
    out = []
    i = 0
    while i < len(comp):
        c = comp[i:i + 1]
        x = r.random()
        if c in (b"\n",):
            out.append(b"?")
        elif c[0] in SPECIAL:
            out.append(b"\\" + c)
        elif x < 0.06:
            out.append(b"?")
        elif x < 0.10 and c not in (b"]", b"!", b"^", b"-", b"\r"):
            other = bytes([r.choice(b"abcxyz019.")])
            out.append(b"[" + c + other + b"]" if r.random() < 0.5 else b"[" + other + c + b"]")
        elif x < 0.12 and c.isalpha() and c.isascii():
            lo = bytes([max(c[0] - r.randint(0, 3), 0x21)])
            hi = bytes([min(c[0] + r.randint(0, 3), 0x7e)])
            if lo not in b"]\\!^-" and hi not in b"]\\-":
                out.append(b"[" + lo + b"-" + hi + b"]")
            else:
                out.append(c)
        elif x < 0.13 and c.isascii() and c.isalpha():
            out.append(r.choice([b"[[:alpha:]]", b"[[:alnum:]]", b"[![:digit:]]",
                                 b"[[:lower:][:upper:]]", b"[^[:space:]]"]))
        elif x < 0.14 and c.isascii() and c.isdigit():
            out.append(b"[[:digit:]]")
        elif x < 0.15 and c.isascii() and bytes([c[0] ^ 1]) not in b"]\\-^!\n\r/":
            out.append(b"[!" + bytes([c[0] ^ 1]) + b"]")
        elif x < 0.17 and c.isalnum():
            out.append(b"\\" + c)  # escaping a plain character is allowed
        elif x < 0.20:
            # replace the rest of a run by '*'
            j = i + r.randint(0, len(comp) - i)
            out.append(b"*")
            i = j
            continue
        else:
            out.append(c)
        i += 1
    pat = b"".join(out)
    if first and pat[:1] in (b"#", b"!"):
        pat = b"\\" + pat
    # trailing spaces are trimmed unless escaped; "cr\r" needs its CR matched by '?'
    if pat.endswith(b" "):
        pat = pat[:-1] + b"\\ "
    if pat.endswith(b"\r"):
        pat = pat[:-1] + b"?"
    return pat


def mutate(r, pat):
    if not pat:
        return pat
    i = r.randrange(len(pat))
    return pat[:i] + bytes([r.choice(b"abcxyz.")]) + pat[i + 1:]


def gen_pattern(r, targets, is_dir):
    """One pattern line (without newline) for the ignore file of some directory.
    `targets` are paths relative to that directory; is_dir tells which are dirs."""
    x = r.random()
    if x < 0.05:
        return r.choice([b"*", b"**", b"*/", b"?", b"**/", b"/*", b"*.o", b"!*.c", b"*~",
                         b".*", b"!.gitignore", b"[ab]*", b"*[0-9]", b"**/*.h", b"!/*/",
                         b"a/**", b"**/b", b"[abc", b"[[:bogus:]]", b"foo\\", b"!",
                         b"/", b"\\#hash", b"\\!bang", b"*.[ch]", b"[]]close", b"[!]]*",
                         b"[]a]*", b"[a-]*", b"[\\]]*", b"[[:a]*", b"***", b"a/***/b"])
    if not targets:
        return b"*.o"
    t = r.choice(targets)
    comps = t.split(b"/")
    neg = r.random() < 0.25
    dironly = is_dir[t] and r.random() < 0.4 or (not is_dir[t] and r.random() < 0.04)
    y = r.random()
    if y < 0.35:
        # basename only, matches at any depth
        pat = escape_literal(r, comps[-1], True)
        if r.random() < 0.15:
            pat = b"/" + pat
    elif y < 0.55:
        # anchored path
        pat = b"/".join(escape_literal(r, c, i == 0) for i, c in enumerate(comps))
        if len(comps) == 1 or r.random() < 0.5:
            pat = b"/" + pat
    elif y < 0.65:
        pat = b"**/" + escape_literal(r, comps[-1], False)
        if len(comps) > 1 and r.random() < 0.5:
            pat = b"**/" + b"/".join(escape_literal(r, c, False) for c in comps[-2:])
    elif y < 0.75 and len(comps) >= 2:
        # a/**/b (middle) or a/** (trailing)
        if r.random() < 0.5:
            pat = escape_literal(r, comps[0], True) + b"/**/" + escape_literal(r, comps[-1], False)
        else:
            k = r.randint(1, len(comps) - 1)
            pat = b"/".join(escape_literal(r, c, i == 0) for i, c in enumerate(comps[:k])) + b"/**"
    elif y < 0.85:
        # extension / prefix / suffix
        base = comps[-1]
        if b"." in base[1:]:
            pat = b"*" + escape_literal(r, base[base.rindex(b"."):], False)
        elif len(base) > 1:
            pat = escape_literal(r, base[:r.randint(1, len(base) - 1)], True) + b"*"
        else:
            pat = b"*" + escape_literal(r, base, False)
        if r.random() < 0.2 and len(comps) > 1:
            pat = b"/".join(escape_literal(r, c, i == 0) for i, c in enumerate(comps[:-1])) + b"/" + pat
    else:
        # prefix-quirk and odd forms: "foo**", "*x*", "f*/*"
        base = comps[-1]
        pat = r.choice([
            escape_literal(r, base[:1], True) + b"**" + (b"/" + escape_literal(r, comps[-1], False) if len(comps) > 1 else b""),
            b"*" + escape_literal(r, base[len(base) // 2:], False) + b"*",
            (escape_literal(r, comps[0][:1], True) + b"*/*") if len(comps) > 1 else b"*",
            escape_literal(r, comps[0], True) + b"**/" + escape_literal(r, comps[-1], False),
        ])
    if r.random() < 0.15:
        pat = mutate(r, pat)
    if dironly:
        pat += b"/"
    if neg:
        pat = b"!" + pat
    return pat


def gen_ignore_text(r, targets, is_dir, n_lines):
    lines = []
    for _ in range(n_lines):
        z = r.random()
        if z < 0.06:
            lines.append(b"# comment " + r.choice(PLAIN))
        elif z < 0.10:
            lines.append(r.choice([b"", b"   ", b"\t"]))
        else:
            pat = gen_pattern(r, targets, is_dir)
            w = r.random()
            if w < 0.10:
                pat += b" " * r.randint(1, 3)  # trimmed
            elif w < 0.13:
                pat += b"\t"  # not trimmed: makes the pattern need a tab
            lines.append(pat)
    eol = b"\r\n" if r.random() < 0.1 else b"\n"
    text = eol.join(lines)
    if r.random() < 0.8:
        text += eol
    if r.random() < 0.05:
        text = b"\xef\xbb\xbf" + text
    return text


def gen_excludes(r, targets, is_dir):
    """Patterns for the excludes option and git --exclude: no trimming or comment
    rules apply to git's, so keep to lines both read the same."""
    out = []
    for _ in range(r.randint(1, 3)):
        p = gen_pattern(r, targets, is_dir)
        if not p or p.startswith(b"#") or p.endswith(b" ") or b"\r" in p or b"\t" in p:
            continue
        out.append(p)
    return out


def make_case(seed, work):
    r = random.Random(seed)
    root = os.path.join(work, b"t%05d" % seed)
    os.mkdir(root)
    files, dirs = build_tree(r, root)
    all_paths = files + dirs
    is_dir = {p: False for p in files}
    is_dir.update({p: True for p in dirs})

    def below(d):
        pre = d + b"/" if d else b""
        return [p[len(pre):] for p in all_paths if p.startswith(pre) and p != d]

    sub_dir = {}
    for d in [b""] + dirs:
        if d and r.random() > 0.45:
            continue
        targets = below(d)
        tdir = {p: is_dir[(d + b"/" + p) if d else p] for p in targets}
        text = gen_ignore_text(r, targets, tdir, r.randint(1, 7))
        path = os.path.join(root, d, b".gitignore") if d else os.path.join(root, b".gitignore")
        if r.random() < 0.03:
            # a symlinked .gitignore: neither git nor the walk follows it
            real = os.path.join(root, d, b"real-ignore") if d else os.path.join(root, b"real-ignore")
            with open(real, "wb") as f:
                f.write(text)
            os.symlink(b"real-ignore", path)
        else:
            with open(path, "wb") as f:
                f.write(text)
        sub_dir[d] = text

    # a few symlinks and a fifo: never listed
    if r.random() < 0.3 and dirs:
        d = r.choice(dirs)
        os.symlink(os.path.join(b"..", d) if b"/" not in d else b"/tmp", os.path.join(root, d, b"link"))
    if r.random() < 0.2:
        os.symlink(b"does-not-exist", os.path.join(root, b"dangling"))
    if r.random() < 0.1:
        os.mkfifo(os.path.join(root, b"fifo"))

    # no template: no sample hooks to copy, and no default info/exclude
    subprocess.run(["git", "init", "-q", "--template=", root], check=True, env=ENV)
    info = None
    if r.random() < 0.3:
        info = gen_ignore_text(r, all_paths, is_dir, r.randint(1, 4))
        os.mkdir(os.path.join(root, b".git", b"info"))
        with open(os.path.join(root, b".git", b"info", b"exclude"), "wb") as f:
            f.write(info)
    excludes = []
    if r.random() < 0.2:
        excludes = gen_excludes(r, all_paths, is_dir)
        with open(root + b".excludes", "wb") as f:
            f.write(b"".join(p + b"\0" for p in excludes))
    total = sum(1 for d, _, fs in os.walk(root) if b"/.git" not in d[len(root):] + b"/"
                for f in fs if os.path.isfile(os.path.join(d, f))
                and not os.path.islink(os.path.join(d, f)))
    return root, sub_dir, info, excludes, total


def git_list(root, excludes):
    cmd = [b"git", b"-C", root, b"ls-files", b"--others", b"--exclude-standard", b"-z"]
    cmd += [b"--exclude=" + p for p in excludes]
    out = subprocess.run(cmd, check=True, env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    paths = [p for p in out.split(b"\0") if p]
    return sorted(p for p in paths if not os.path.islink(os.path.join(root, p)))


def walk_lists(walk_dump, roots):
    out = subprocess.run([walk_dump, b"-E"] + roots, check=True, stdout=subprocess.PIPE).stdout
    recs = out.split(b"\0")
    res, i = {}, 0
    while i < len(recs) - 1:
        root = recs[i]
        i += 1
        paths = []
        while recs[i] != b"":
            paths.append(recs[i])
            i += 1
        i += 1
        res[root] = paths
    return res


def show(b):
    return repr(b)[2:-1]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    walk_dump = os.fsencode(sys.argv[1])
    work = os.fsencode(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    ENV["HOME"] = os.fsdecode(work)
    ENV["XDG_CONFIG_HOME"] = os.fsdecode(os.path.join(work, b"xdg"))
    cases = [make_case(s, work) for s in range(first, first + count)]
    ours = walk_lists(walk_dump, [c[0] for c in cases])
    failures = 0
    n_files = n_pats = n_total = 0
    for root, ignores, info, excludes, total in cases:
        n_total += total
        want = git_list(root, excludes)
        got = ours.get(root)
        n_files += len(want)
        n_pats += sum(t.count(b"\n") + 1 for t in ignores.values())
        if got == want:
            continue
        failures += 1
        if got is not None and got != sorted(got) and sorted(got) == want:
            print("FAIL %s: same files, but not sorted bytewise" % show(root))
            continue
        print("FAIL %s: walk and git disagree" % show(root))
        g, w = set(got or []), set(want)
        for p in sorted(w - g):
            print("  only git lists: %s" % show(p))
        for p in sorted(g - w):
            print("  only walk lists: %s" % show(p))
        for d, text in sorted(ignores.items()):
            print("  --- %s/.gitignore" % show(d))
            for line in text.split(b"\n"):
                print("      %s" % show(line))
        if info is not None:
            print("  --- .git/info/exclude")
            for line in info.split(b"\n"):
                print("      %s" % show(line))
        if excludes:
            print("  --- excludes: %s" % ", ".join(show(p) for p in excludes))
        if failures >= 10:
            print("... stopping after 10 failures")
            break
    print("gitignore oracle: %d trees, %d files, %d not ignored, ~%d ignore lines: %s"
          % (len(cases), n_total, n_files, n_pats,
             "%d FAILED" % failures if failures else "all match git"))
    return 1 if failures else 0


# git must read nothing but the tree: no user or system configuration.
ENV = dict(os.environ, LC_ALL="C", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")

if __name__ == "__main__":
    sys.exit(main())
