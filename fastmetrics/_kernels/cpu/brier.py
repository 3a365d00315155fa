"""Brier-score kernels (CPU, Numba).

``brier_binary_chunks`` and ``brier_multiclass_chunks`` serve
:func:`fastmetrics.calibration.brier_score_loss`: per-chunk weighted loss
sums, weight sums and the min/max/finiteness facts the caller needs to raise
scikit-learn's errors in scikit-learn's order.  Chunks have a fixed size and
each writes its own row of partial results, reduced by the caller in chunk
order (bitwise identical for any ``NUMBA_NUM_THREADS``).
"""

import numpy as np
from numba import njit

from ._threads import over_chunks

__all__ = ["brier_binary_chunks", "brier_multiclass_chunks"]

# Independent partial sums per chunk (breaks the serial add chain; fixed, so
# the summation order never depends on the machine).
_LANES = 8
# Rows per block of the multiclass Brier kernel.
_ROWS = 512


def brier_binary_chunks(y, pos_label, p, w, chunk):
    """Per-chunk sums for the binary Brier score.

    Token ``i`` has target ``t = (y[i] == pos_label)`` and loss
    ``((1 - t) - (1 - p))**2 + (t - p)**2`` (scikit-learn's two-column form).

    Parameters
    ----------
    y : 1-D numeric (n,)
    pos_label : float
    p : 1-D float (n,) probabilities of the positive class
    w : 1-D float64 (n,) or None
    chunk : int

    Returns
    -------
    stats : float64 (n_chunks, 2)
        Columns: sum of w * loss, sum of w (the count when unweighted).

    The caller has already checked that ``p`` is finite and in [0, 1].
    """
    stats = np.zeros(((y.shape[0] + chunk - 1) // chunk, 2), dtype=np.float64)
    over_chunks(_brier_binary_range, stats.shape[0], y, pos_label, p, w, chunk, stats)
    return stats


@njit(cache=True, nogil=True)
def _brier_binary_range(c_lo, c_hi, y, pos_label, p, w, chunk, stats):
    n = y.shape[0]
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        acc = np.zeros(_LANES, dtype=np.float64)
        wacc = np.zeros(_LANES, dtype=np.float64)
        for i0 in range(start, end, _LANES):
            m = min(_LANES, end - i0)
            for j in range(m):
                i = i0 + j
                pi = np.float64(p[i])
                t = 1.0 if y[i] == pos_label else 0.0
                a = (1.0 - t) - (1.0 - pi)
                b = t - pi
                loss = a * a + b * b
                if w is not None:
                    acc[j] += w[i] * loss
                    wacc[j] += w[i]
                else:
                    acc[j] += loss
        s = 0.0
        sw = 0.0
        for j in range(_LANES):
            s += acc[j]
            sw += wacc[j]
        stats[c, 0] = s
        stats[c, 1] = sw if w is not None else np.float64(end - start)


def brier_multiclass_chunks(idx, offset, P, w, tol, chunk):
    """Per-chunk sums for the multiclass Brier score.

    Token ``i`` has loss ``sum_c ([c == idx[i] - offset] - P[i, c])**2``.

    Parameters
    ----------
    idx : 1-D integer (n,) class indices (plus ``offset``), in range
    offset : int
    P : 2-D float (n, C) probabilities
    w : 1-D float64 (n,) or None
    tol : float
        A row counts as "not summing to one" when ``|sum - 1| > tol``.
    chunk : int

    Returns
    -------
    stats : float64 (n_chunks, 3)
        Columns: sum of w * loss, sum of w (the count when unweighted), number
        of rows whose sum is not within ``tol`` of 1.

    The caller has already checked that ``P`` is finite and in [0, 1].
    """
    stats = np.zeros(((P.shape[0] + chunk - 1) // chunk, 3), dtype=np.float64)
    over_chunks(_brier_multiclass_range, stats.shape[0], idx, offset, P, w, tol, chunk, stats)
    return stats


@njit(cache=True, nogil=True)
def _brier_multiclass_range(c_lo, c_hi, idx, offset, P, w, tol, chunk, stats):
    n, C = P.shape
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        # rows in blocks, columns outer: the inner loop runs over rows and
        # vectorises; each row still adds its columns in order 0..C-1
        L = np.empty(_ROWS, dtype=np.float64)
        R = np.empty(_ROWS, dtype=np.float64)
        off_one = 0
        s = 0.0
        sw = 0.0
        for b0 in range(start, end, _ROWS):
            m = min(_ROWS, end - b0)
            for j in range(m):
                L[j] = 0.0
                R[j] = 0.0
            for col in range(C):
                for j in range(m):
                    x = np.float64(P[b0 + j, col])
                    d = (1.0 if np.int64(idx[b0 + j]) - offset == col else 0.0) - x
                    L[j] += d * d
                    R[j] += x
            for j in range(m):
                off_one += not (abs(R[j] - 1.0) <= tol)
                if w is not None:
                    s += w[b0 + j] * L[j]
                    sw += w[b0 + j]
                else:
                    s += L[j]
        stats[c, 0] = s
        stats[c, 1] = sw if w is not None else np.float64(end - start)
        stats[c, 2] = off_one


# one function serves every size (the NumPy tier answers below config.NUMPY_MAX)
brier_binary_chunks_serial = brier_binary_chunks
brier_multiclass_chunks_serial = brier_multiclass_chunks
