#!/usr/bin/env python3
"""Deterministic stock data: gen_stock.py OUT [BATCHES] [ALLOCATIONS]

OUT/state/{batches,allocations}.csv: BATCHES batches over BATCHES/5 skus, ALLOCATIONS order lines
that fit their batches. OUT/feed.csv: the same batches with 1% changed (0.5% new quantity, some below
what is allocated; 0.25% removed; 0.25% new batches; a few new etas).
"""
import datetime
import os
import random
import sys


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 500_000
    rng = random.Random(42)
    os.makedirs(os.path.join(out, "state"), exist_ok=True)
    day0 = datetime.date(2026, 1, 1)
    batches = []
    for i in range(n):
        eta = "" if rng.random() < 0.5 else (day0 + datetime.timedelta(days=rng.randint(0, 365))).isoformat()
        batches.append([f"b{i:08}", f"SKU-{i // 5:07}", rng.randint(20, 100), eta])
    allocated = [0] * n
    with open(os.path.join(out, "state", "allocations.csv"), "w", newline="") as f:
        f.write("orderid,sku,qty,batchref\n")
        for j in range(m):
            b = (j * 2) % n
            qty = rng.randint(1, 5)
            allocated[b] += qty
            f.write(f"o{j:08},{batches[b][1]},{qty},{batches[b][0]}\n")
    with open(os.path.join(out, "state", "batches.csv"), "w", newline="") as f:
        f.write("ref,sku,qty,eta\n")
        for r, s, q, e in batches:
            f.write(f"{r},{s},{q},{e}\n")
    feed = [list(b) for b in batches]
    k = n // 400
    idx = rng.sample(range(n), 3 * k)
    for i in idx[:2 * k]:
        feed[i][2] = max(0, allocated[i] - 1) if rng.random() < 0.3 else rng.randint(20, 100)
        if rng.random() < 0.1:
            feed[i][3] = (day0 + datetime.timedelta(days=rng.randint(0, 365))).isoformat()
    removed = set(idx[2 * k:])
    with open(os.path.join(out, "feed.csv"), "w", newline="") as f:
        f.write("ref,sku,qty,eta\n")
        for i, (r, s, q, e) in enumerate(feed):
            if i not in removed:
                f.write(f"{r},{s},{q},{e}\n")
        for j in range(k):
            f.write(f"n{j:08},SKU-{rng.randrange(n // 5):07},{rng.randint(20, 100)},\n")
    print(f"{out}: {n} batches, {m} allocations, feed with {2 * k} changed, {k} removed, {k} new")


if __name__ == "__main__":
    main()
