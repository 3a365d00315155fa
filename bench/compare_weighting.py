"""Sequence class weighting (issue 4): ``temporal_sample_weight`` vs the
constructions users write today, plus the scikit-learn drop-ins.

    python bench/compare_weighting.py                 # N=20,000 x T=200, 7 classes
    python bench/compare_weighting.py --n 2000 --t 100 --k 3   # quick run

Data: N sequences padded to T steps, lengths uniform in [T/4, T], labels of 7
classes with geometric frequencies (1:9 between the rarest and the most
common), padding labelled -100 and marked by an (N, T) bool mask; optional
per-sequence weights.

Rows (best / median of k timed calls after one untimed warm-up call, which
excludes JIT compilation):

* ``python loop``: the double loop of docs/sequence-weights.md (bincount of the
  kept tokens for "balanced", then one Python iteration per token);
* ``numpy vectorised``: the same with ``np.bincount`` + ``np.where`` + fancy
  indexing (the honest peer);
* ``fastmetrics``: ``temporal_sample_weight(y, mask=mask)`` (and variants).

Every implementation's output is checked against the loop's before timing.
A second block times ``compute_sample_weight`` and ``brier_score_loss``
against scikit-learn on flat arrays.
"""

import argparse
import os
import platform
import time

import numpy as np

from fastmetrics.weighting import (
    brier_score_loss,
    compute_sample_weight,
    temporal_sample_weight,
)

C = 7
SEED = 20261122


def make_data(N, T, seed=SEED):
    rng = np.random.default_rng(seed)
    p = 9.0 ** (-np.arange(C) / (C - 1))
    p /= p.sum()
    lengths = rng.integers(T // 4, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    y = np.where(mask, rng.choice(C, size=(N, T), p=p), -100).astype(np.int64)
    sw = rng.uniform(0.5, 2.0, size=N)
    return y, mask, sw


def python_loop(y, mask):
    """The loop of docs/sequence-weights.md."""
    N, T = y.shape
    counts = np.bincount(y[mask], minlength=C)
    class_w = counts.sum() / (C * counts)
    sw = np.zeros((N, T), dtype=np.float32)
    for i in range(N):
        for t in range(T):
            if mask[i, t]:
                sw[i, t] = class_w[y[i, t]]
    return sw


def numpy_vectorised(y, mask):
    counts = np.bincount(y[mask], minlength=C)
    class_w = counts.sum() / (C * counts)
    return np.where(mask, class_w[np.where(mask, y, 0)], 0.0).astype(np.float32)


def numpy_vectorised_seq(y, mask, sw):
    tot = np.bincount(y[mask], weights=np.broadcast_to(sw[:, None], y.shape)[mask],
                      minlength=C)
    class_w = tot.sum() / (C * tot)
    return np.where(mask, sw[:, None] * class_w[np.where(mask, y, 0)], 0.0).astype(np.float32)


def _time(fn, k, k_slow=1, slow_s=3.0):
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    if first > slow_s:
        k = k_slow
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts), float(np.median(ts)), k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--t", type=int, default=200)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--flat", type=int, default=10_000_000,
                    help="samples for the scikit-learn block (0 skips it)")
    args = ap.parse_args()
    import numba

    y, mask, sw = make_data(args.n, args.t)
    n_tok = y.size
    print(f"# temporal_sample_weight: N={args.n:,} x T={args.t} = {n_tok:,} tokens, "
          f"{C} classes, {mask.mean():.1%} kept")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numba threads {numba.get_num_threads()}, numpy {np.__version__}")

    ref = python_loop(y, mask) if n_tok <= 500_000 else None
    fm = temporal_sample_weight(y, mask=mask)
    if ref is not None:
        assert np.array_equal(fm, ref)
    assert np.array_equal(fm, numpy_vectorised(y, mask))
    assert np.array_equal(temporal_sample_weight(y, ignore_index=-100), fm)
    assert np.allclose(temporal_sample_weight(y, mask=mask, sample_weight=sw),
                       numpy_vectorised_seq(y, mask, sw), rtol=1e-6)

    rows = [
        ("python loop (docs)", lambda: python_loop(y, mask)),
        ("numpy vectorised", lambda: numpy_vectorised(y, mask)),
        ("fastmetrics, mask", lambda: temporal_sample_weight(y, mask=mask)),
        ("fastmetrics, mask, num_classes=7",
         lambda: temporal_sample_weight(y, mask=mask, num_classes=C)),
        ("fastmetrics, ignore_index=-100",
         lambda: temporal_sample_weight(y, ignore_index=-100)),
        ("numpy vectorised, (N,) weights", lambda: numpy_vectorised_seq(y, mask, sw)),
        ("fastmetrics, mask, (N,) weights",
         lambda: temporal_sample_weight(y, mask=mask, sample_weight=sw)),
    ]
    res = {}
    print("\n| implementation | best (ms) | median (ms) | k | loop / this | numpy / this |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, fn in rows:
        res[name] = _time(fn, args.k)
    loop = res["python loop (docs)"][0]
    npv = res["numpy vectorised"][0]
    for name, (best, med, k) in res.items():
        print(f"| {name} | {best * 1e3:.1f} | {med * 1e3:.1f} | {k} | "
              f"{loop / best:.0f}x | {npv / best:.1f}x |")

    if args.flat:
        from sklearn.metrics import brier_score_loss as sk_brier
        from sklearn.utils.class_weight import compute_sample_weight as sk_csw

        rng = np.random.default_rng(SEED + 1)
        n = args.flat
        yf = y[mask][:n] if mask.sum() >= n else rng.integers(0, C, size=n)
        P = rng.dirichlet(np.ones(C), size=yf.shape[0]).astype(np.float32)
        pb = P[:, 0].copy()
        yb = (yf == 0).astype(np.int64)
        print(f"\n# scikit-learn drop-ins, n = {yf.shape[0]:,} samples")
        print("| function | fastmetrics (ms) | scikit-learn (ms) | ratio |")
        print("|---|---:|---:|---:|")
        for name, f_fm, f_sk in [
            ("compute_sample_weight('balanced', y)",
             lambda: compute_sample_weight("balanced", yf),
             lambda: sk_csw("balanced", yf)),
            ("brier_score_loss(y, P) 7 classes float32",
             lambda: brier_score_loss(yf, P), lambda: sk_brier(yf, P)),
            ("brier_score_loss(y, p) binary float32",
             lambda: brier_score_loss(yb, pb), lambda: sk_brier(yb, pb)),
        ]:
            a = _time(f_fm, args.k)[0]
            b = _time(f_sk, max(1, args.k // 2))[0]
            print(f"| {name} | {a * 1e3:.1f} | {b * 1e3:.1f} | {b / a:.1f}x |")


if __name__ == "__main__":
    main()
