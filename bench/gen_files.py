#!/usr/bin/env python3
"""Deterministic file trees for the files benchmarks.

gen_files.py OUT N   writes OUT/base (N files) and OUT/mutated (base with 1% of the files each
modified, renamed, deleted and added). Same N, same bytes, same times, every time.
"""
import os
import random
import shutil
import sys

EPOCH = 1_700_000_000


def size_of(rng):
    r = rng.random()
    if r < 0.80:
        return rng.randint(100, 4096)
    if r < 0.98:
        return rng.randint(4097, 65536)
    return rng.randint(65537, 524288)


def write(path, data, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(n)
    base = os.path.join(out, "base")
    mutated = os.path.join(out, "mutated")
    for d in (base, mutated):
        shutil.rmtree(d, ignore_errors=True)
    # About 100 files per directory, two levels deep, like a source tree or a photo library.
    paths = []
    for i in range(n):
        d = i // 100
        paths.append(f"d{d // 30:03}/sub{d % 30:02}/file-{i:07}.dat")
    files = {}
    for i, p in enumerate(paths):
        data = rng.randbytes(size_of(rng))
        mtime = EPOCH + rng.randint(0, 10_000_000)
        files[p] = (data, mtime)
        write(os.path.join(base, p), data, mtime)

    k = max(1, n // 100)
    order = list(paths)
    rng.shuffle(order)
    modified, renamed, deleted = order[:k], order[k:2 * k], order[2 * k:3 * k]
    changed = dict(files)
    for p in modified:
        data, mtime = files[p]
        changed[p] = (rng.randbytes(len(data)) if rng.random() < 0.5 else rng.randbytes(size_of(rng)), mtime + 86_400)
    for j, p in enumerate(renamed):
        del changed[p]
        d = rng.randrange(max(1, n // 100))
        changed[f"d{d // 30:03}/sub{d % 30:02}/renamed-{j:07}.dat"] = files[p]
    for p in deleted:
        del changed[p]
    for j in range(k):
        d = rng.randrange(max(1, n // 100))
        changed[f"d{d // 30:03}/sub{d % 30:02}/added-{j:07}.dat"] = (rng.randbytes(size_of(rng)), EPOCH + 20_000_000 + j)
    for p, (data, mtime) in changed.items():
        write(os.path.join(mutated, p), data, mtime)
    total = sum(len(d) for d, _ in files.values())
    print(f"{out}: {n} files, {total / 2**20:.0f} MiB; mutated: {k} modified, renamed, deleted, added each")


if __name__ == "__main__":
    main()
