"""Multiclass ranking kernels (CPU, Numba).

* ``topk_chunks``: top-k hits of the true class, in scikit-learn's order
  (descending score; equal scores ranked by descending class index, which is
  what a stable ascending argsort reversed gives).  One pass over the rows, no
  ``(n, C)`` temporaries.
* ``ap_samples_chunks``: per-sample average precision of a multiclass target
  (one positive per row), ``1 / #{j : s_j >= s_true}``, summed.
* ``ovo_column_scan``: the Mann-Whitney pair counts of one score column
  sorted once, against every class at the same time (one-vs-one ROC AUC).

Row kernels run over fixed-size chunks of rows (never derived from the thread
count); each chunk writes its own partial sums (serial range kernels run on
threads by ``_threads.over_chunks``), reduced afterwards in chunk order, so
results do not depend on the number of threads.
"""

import numpy as np
from numba import njit

from ._threads import over_chunks


def topk_chunks(scores, codes, k, w, chunk):
    """Top-k hits per chunk of rows.

    Parameters
    ----------
    scores : (n, C) real array (any layout)
    codes : int64 (n,)      index of the true class of each row, in [0, C)
    k : int64               number of top-ranked classes that count as a hit
    w : float64 (n,) or None
    chunk : int64           rows per chunk (fixed)

    Returns
    -------
    hits : int64 (n_chunks,)      rows whose true class is in the top k
    whits : float64 (n_chunks,)   the same, weighted (0 when ``w`` is None)
    wtot : float64 (n_chunks,)    sum of the weights (0 when ``w`` is None)
    bad : int64 (n_chunks,)       first row with a NaN/inf score, or -1
    """
    n_chunks = (scores.shape[0] + chunk - 1) // chunk
    hits = np.zeros(n_chunks, dtype=np.int64)
    whits = np.zeros(n_chunks, dtype=np.float64)
    wtot = np.zeros(n_chunks, dtype=np.float64)
    bad = np.full(n_chunks, -1, dtype=np.int64)
    over_chunks(_topk_range, n_chunks, scores, codes, k, w, chunk, hits, whits, wtot, bad)
    return hits, whits, wtot, bad


@njit(cache=True, nogil=True)
def _topk_range(c_lo, c_hi, scores, codes, k, w, chunk, hits, whits, wtot, bad):
    """Chunks ``c_lo..c_hi`` of :func:`topk_chunks`: writes their entries of
    ``hits``, ``whits``, ``wtot`` and ``bad``."""
    n = scores.shape[0]
    C = scores.shape[1]
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        h = 0
        wh = 0.0
        wt = 0.0
        first_bad = -1
        for i in range(start, end):
            t = codes[i]
            st = scores[i, t]
            # branch-free: random scores make comparisons unpredictable
            pos = 0
            fin = 0.0  # stays 0 unless a score is NaN/inf (s - s is NaN)
            for j in range(C):
                s = scores[i, j]
                fin += s - s
                pos += (s > st) | ((s == st) & (j > t))
            if fin != 0 and first_bad < 0:
                first_bad = i
            hit = pos < k
            h += hit
            if w is not None:
                wh += w[i] * hit
                wt += w[i]
        hits[c] = h
        whits[c] = wh
        wtot[c] = wt
        bad[c] = first_bad


def ap_samples_chunks(scores, codes, w, chunk):
    """Per-sample average precision of one-positive rows, summed per chunk.

    Row ``i`` has one positive, its true class ``t``; its AP (scikit-learn's
    step sum over the row's precision-recall curve) is the precision at the
    threshold ``s_t``: ``1 / #{j : s_j >= s_t}``.

    Returns
    -------
    ap_sum : float64 (n_chunks,)   sum of ``w_i * AP_i`` (``w_i = 1`` if no ``w``)
    bad : int64 (n_chunks,)        first row with a NaN/inf score, or -1
    """
    n_chunks = (scores.shape[0] + chunk - 1) // chunk
    ap_sum = np.zeros(n_chunks, dtype=np.float64)
    bad = np.full(n_chunks, -1, dtype=np.int64)
    over_chunks(_ap_samples_range, n_chunks, scores, codes, w, chunk, ap_sum, bad)
    return ap_sum, bad


@njit(cache=True, nogil=True)
def _ap_samples_range(c_lo, c_hi, scores, codes, w, chunk, ap_sum, bad):
    """Chunks ``c_lo..c_hi`` of :func:`ap_samples_chunks`: writes their
    entries of ``ap_sum`` and ``bad``."""
    n = scores.shape[0]
    C = scores.shape[1]
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        acc = 0.0
        first_bad = -1
        for i in range(start, end):
            t = codes[i]
            st = scores[i, t]
            ge = 0
            fin = 0.0  # stays 0 unless a score is NaN/inf (s - s is NaN)
            for j in range(C):
                s = scores[i, j]
                fin += s - s
                ge += s >= st
            if fin != 0:
                if first_bad < 0:
                    first_bad = i
                continue
            wi = 1.0 if w is None else w[i]
            acc += wi / ge
        ap_sum[c] = acc
        bad[c] = first_bad


@njit(cache=True)
def ovo_column_scan(skeys, payload, codes, w, i, below, grp, acc):
    """Mann-Whitney counts of class ``i`` against every class, by one column.

    The scores of column ``i`` (of every row) are sorted ascending (``skeys``,
    equal keys = tied scores).  For each class ``b`` this accumulates

        acc[b] += sum over rows x of class i, rows y of class b, of
                  w_x w_y (2 [s_x > s_y] + [s_x == s_y])

    so that ``AUC(i vs b, scored by column i) = acc[b] / (2 W_i W_b)``, the
    trapezoidal ROC AUC of the pair with ties counted one half.  At the end
    ``below[b]`` holds ``W_b`` (count or weight sum of class ``b``).

    Parameters
    ----------
    skeys : (n,) sorted order keys
    payload : int (n,)     class code of each sorted row (``w`` None) or its
                           row index (``w`` given), any integer type
    codes : int64 (n,)     class code of each row (read when ``w`` is given)
    w : float64 (n,) or None
    i : int                the class whose column was sorted
    below, grp, acc : (m,) zeroed; int64 when ``w`` is None, else float64
    """
    n = skeys.shape[0]
    m = below.shape[0]
    r = 0
    while r < n:
        e = r + 1
        while e < n and skeys[e] == skeys[r]:
            e += 1
        for q in range(r, e):
            if w is None:
                grp[payload[q]] += 1
            else:
                grp[codes[payload[q]]] += w[payload[q]]
        ga = grp[i]
        if ga != 0:
            for b in range(m):
                acc[b] += ga * (2 * below[b] + grp[b])
        for q in range(r, e):
            if w is None:
                cq = payload[q]
            else:
                cq = codes[payload[q]]
            below[cq] += grp[cq]
            grp[cq] = 0
        r = e


# one function serves every size (the NumPy tier answers below config.NUMPY_MAX)
topk_chunks_serial = topk_chunks
ap_samples_chunks_serial = ap_samples_chunks
