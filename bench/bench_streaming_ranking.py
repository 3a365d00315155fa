"""Throughput of the streaming binned AUC update (fastmetrics.streaming.AUC).

Prints M scores/s for one ``update`` over

* 10M binary float32 scores (int8 labels), unweighted and with float64 weights;
* 10M tokens x 7 classes float32 (multiclass one-vs-rest, int64 labels);

best of ``--repeat`` runs after a warm-up call (the first call compiles or
loads the cached kernels).  For scale it also prints the time NumPy takes to
read the same arrays once (``sum`` of scores and labels): the memory floor.
The box may be shared: report the best of several runs and say so.

Usage: python bench/bench_streaming_ranking.py [--n 10000000] [--repeat 7]
"""

import argparse
import time

import numba
import numpy as np

from fastmetrics.streaming import AUC


def best_of(fn, repeat):
    fn()  # warm-up (compile / cache load, page faults)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--classes", type=int, default=7)
    ap.add_argument("--bins", type=int, default=2**16)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    n, C, B = args.n, args.classes, args.bins
    rng = np.random.default_rng(0)
    s = rng.random(n, dtype=np.float32)
    y = (rng.random(n, dtype=np.float32) < 0.1).astype(np.int8)  # 1:9
    w = rng.uniform(0.0, 2.0, n)
    S = rng.random((n, C), dtype=np.float32)
    S /= S.sum(axis=1, keepdims=True)
    yc = rng.integers(0, C, n)

    print(f"numba threads: {numba.get_num_threads()}, bins: {B}, n: {n:,}")
    rows = [
        ("binary f32, unweighted", n, lambda: AUC(bins=B).update(y, s),
         lambda: (s.sum(), y.sum())),
        ("binary f32, f64 weights", n,
         lambda: AUC(bins=B).update(y, s, sample_weight=w),
         lambda: (s.sum(), y.sum(), w.sum())),
        (f"multiclass {C} f32 OvR", n * C,
         lambda: AUC(task="multiclass", num_classes=C, bins=B).update(yc, S),
         lambda: (S.sum(), yc.sum())),
    ]
    print(f"{'case':28s} {'best ms':>9s} {'median ms':>10s} {'M scores/s':>11s} "
          f"{'numpy read ms':>14s}")
    for name, n_scores, fn, floor in rows:
        best, med = best_of(fn, args.repeat)
        fbest, _ = best_of(floor, args.repeat)
        print(f"{name:28s} {best * 1e3:9.1f} {med * 1e3:10.1f} "
              f"{n_scores / best / 1e6:11.0f} {fbest * 1e3:14.1f}")


if __name__ == "__main__":
    main()
