#!/usr/bin/env python3
"""block_positions.py - what positions in the index would buy a selective search, and
cost: for two literals, the bytes of the candidate files (files holding all of the
literal's trigrams, as codeidx's plan selects them) against the bytes of the blocks of
BLOCK bytes that hold all of them (a match may cross into the next block); then, on a
sample of 3,000 files, how many more postings (trigram, file, block) there would be
than (trigram, file). An estimate for design, not a benchmark of codeidx; it reads the
tree with Python, so it takes a few minutes.

Usage: bench/block_positions.py [TREE] [BLOCK]   (default: the Linux corpus, 4096)"""
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def trigrams(b):
    """The trigrams codeidx indexes: every 3 bytes without a newline."""
    return {b[i:i + 3] for i in range(len(b) - 2) if b"\n" not in b[i:i + 3]}


def files_with(tree, prefilter):
    out = subprocess.run(["grep", "-rlF", "--exclude-dir=.codeidx", prefilter, "."],
                         cwd=tree, capture_output=True).stdout
    return [f for f in out.split(b"\n") if f]


def estimate(tree, literal, block):
    need = trigrams(literal)
    cands = whole = in_blocks = 0
    for f in files_with(tree, literal[:7].decode()):
        data = open(os.path.join(tree.encode(), f), "rb").read()
        if not need <= trigrams(data):
            continue
        cands += 1
        whole += len(data)
        for at in range(0, len(data), block):
            if need <= trigrams(data[at:at + block + len(literal) - 1]):
                in_blocks += min(block, len(data) - at)
    print("%-20s %5d candidate files %7.1f MB; blocks of %d B holding all trigrams "
          "%6.1f MB (%.0f %%)" % (literal.decode(), cands, whole / 1e6, block,
                                  in_blocks / 1e6, 100 * in_blocks / max(whole, 1)))


def posting_factor(tree, block):
    listing = subprocess.run(["find", ".", "-type", "f", "-not", "-path", "./.codeidx/*"],
                             cwd=tree, capture_output=True).stdout
    random.seed(1)
    sample = random.sample([f for f in listing.split(b"\n") if f], 3000)
    pairs = triples = 0
    for f in sample:
        data = open(os.path.join(tree.encode(), f), "rb").read()
        if b"\0" in data[:8192]:
            continue  # binary: not indexed
        pairs += len(trigrams(data))
        for at in range(0, len(data), block):
            triples += len(trigrams(data[at:at + block + 2]))
    print("postings with %d B blocks: x%.2f (sample of 3000 files)" % (block, triples / pairs))


def main():
    tree = sys.argv[1] if len(sys.argv) > 1 else subprocess.run(
        ["bash", os.path.join(HERE, "../../shared/bench/linux-corpus.sh")],
        capture_output=True, text=True, check=True).stdout.strip()
    block = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    for literal in (b"jiffies_to_msecs", b"_register_driver"):
        estimate(tree, literal, block)
    posting_factor(tree, block)


if __name__ == "__main__":
    main()
