"""Probe fastmetrics on input layouts / dtypes beyond the headline cases.

    python bench/probe_layouts.py [--n 10000000] [--k 5]

Times (best / median of k, one warm-up call excluded) and measures the peak
numpy allocation during the call (tracemalloc; numba's own allocations are
not traced) for: int32 labels, mask, sample_weight, float64 scores, and
score arrays that are not C-contiguous (a transposed (N, C, T) view and a
Fortran-ordered array), next to ``np.ascontiguousarray`` of such a view.  A
peak allocation the size of an input means the call copied it.
"""

import argparse
import os
import sys
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(HERE, "out", "numba_cache"))

import numpy as np  # noqa: E402

import _harness as H  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args(argv)
    fm, why = H.try_import("fastmetrics")
    if fm is None:
        print(f"fastmetrics not usable: {why}")
        return 1
    d = H.make_data(args.n)
    C = H.NUM_CLASSES
    yt, yp, yt2, pr = d.y_true, d.y_pred, d.y_true_2d, d.probs
    yt32, yp32 = yt.astype(np.int32), yp.astype(np.int32)
    pr64 = pr.astype(np.float64)
    view = np.ascontiguousarray(pr.transpose(0, 2, 1)).transpose(0, 2, 1)  # (N,C,T) seen as (N,T,C)
    prF = np.asfortranarray(pr)
    mask = np.ones(yt.shape, bool)
    w = np.ones(yt.shape)
    kw = dict(task="multiclass", num_classes=C)
    cases = [
        ("int64 labels, task=", lambda: fm.confusion_matrix(yt, yp, **kw), yt.nbytes * 2),
        ("int32 labels, default call", lambda: fm.confusion_matrix(yt32, yp32), yt32.nbytes * 2),
        ("int32 labels, task=", lambda: fm.confusion_matrix(yt32, yp32, **kw), yt32.nbytes * 2),
        ("int64 + mask (all True)", lambda: fm.confusion_matrix(yt, yp, mask=mask, **kw), yt.nbytes * 2),
        ("int64 + sample_weight (ones)", lambda: fm.confusion_matrix(yt, yp, sample_weight=w, **kw), yt.nbytes * 2),
        ("probs float32 C-order", lambda: fm.confusion_matrix(yt2, pr, **kw), pr.nbytes),
        ("probs float64 C-order", lambda: fm.confusion_matrix(yt2, pr64, **kw), pr64.nbytes),
        ("probs float32 (N,C,T) transposed view", lambda: fm.confusion_matrix(yt2, view, **kw), view.nbytes),
        ("np.ascontiguousarray(that view) alone", lambda: np.ascontiguousarray(view), view.nbytes),
        ("probs float32 Fortran order", lambda: fm.confusion_matrix(yt2, prF, **kw), prF.nbytes),
    ]
    print("| case | best (ms) | median (ms) | peak numpy alloc during call (MB) | input (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, fn, nbytes in cases:
        try:
            r = fn()
            if isinstance(r, np.ndarray) and r.shape == (C, C) and not np.array_equal(r, d.expected_cm):
                name += " **WRONG RESULT**"
            t = H.time_call(fn, k=args.k)
            tracemalloc.start()
            fn()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"| {name} | {t.best*1e3:.2f} | {t.median*1e3:.2f} | {peak/1e6:.1f} | {nbytes/1e6:.0f} |")
        except Exception as exc:
            print(f"| {name} | error: {type(exc).__name__}: {exc} | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
