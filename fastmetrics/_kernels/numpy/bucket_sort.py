"""NumPy twins of ``_kernels/cpu/bucket_sort.py``: the curve post-processing
that the small-input (radix) path of the binary ranking engine calls, and
the label-value passes of ``_core.targets.unique``.

The bucket sort itself and its fused scans serve only inputs past
``config.NUMPY_MAX`` scores (``ranking._binary._packed_at_scale``), and the
row checks of multiclass scores only inputs past ``config.PARALLEL_MIN``
rows: they have no twins.
"""

import numpy as np


def keep_points(fps, tps, kk, mode):
    """Twin of ``cpu.bucket_sort.keep_points``: compacted copies of the curve
    points ``drop_intermediate`` keeps (mode 1: ROC, the ends and the inner
    points where the second difference of ``fps`` or ``tps`` is non-zero;
    mode 2: PR, the ends and the inner points where ``tps`` changes on
    either side)."""
    m = fps.shape[0]
    keep = np.ones(m, dtype=np.bool_)
    if m > 2:
        dt = np.diff(tps)
        if mode == 1:
            df = np.diff(fps)
            inner = ((df[1:] - df[:-1]) != 0) | ((dt[1:] - dt[:-1]) != 0)
        else:
            inner = (dt[:-1] != 0) | (dt[1:] != 0)
        keep[1:-1] = inner
    return fps[keep], tps[keep], kk[keep]


def roc_rates(fps, tps):
    """Twin of ``cpu.bucket_sort.roc_rates``: ``fpr, tpr`` with the leading
    (0, 0) point, the sums over the last sums (NaN when that total is 0)."""
    FP = fps[-1]
    TP = tps[-1]
    fpr = np.concatenate(([0.0], fps)) / FP if FP > 0 else np.full(fps.shape[0] + 1, np.nan)
    tpr = np.concatenate(([0.0], tps)) / TP if TP > 0 else np.full(tps.shape[0] + 1, np.nan)
    return fpr, tpr


def pr_rates(fps, tps):
    """Twin of ``cpu.bucket_sort.pr_rates``: ``precision, recall`` in
    increasing-threshold order with the final (1, 0) point."""
    TP = tps[-1]
    t = tps[::-1]
    ps = t + fps[::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(ps != 0, t / ps, 0.0)
    rec = t / TP if TP != 0 else np.ones(t.shape[0])
    return np.append(prec, 1.0), np.append(rec, 0.0)


def min_max(y):
    """Twin of ``cpu.bucket_sort.min_max``: (min, max, number of NaNs) of a
    non-empty array (min and max meaningless when there are NaNs)."""
    nan = int(np.count_nonzero(y != y)) if y.dtype.kind == "f" else 0
    return y.min(), y.max(), nan


def count_other(y, lo, hi):
    """Twin of ``cpu.bucket_sort.count_other``: how many values are neither
    ``lo`` nor ``hi`` (NaN counts)."""
    return int(np.count_nonzero((y != lo) & (y != hi)))


def small_range_counts(y, lo, size):
    """Twin of ``cpu.bucket_sort.small_range_counts``: ``np.bincount(y - lo,
    minlength=size)`` (int64) for integer labels in ``[lo, lo + size)``."""
    return np.bincount(y.astype(np.int64) - lo, minlength=size).astype(np.int64, copy=False)
