"""NumPy twins of ``_kernels/cpu/brier.py``.

Same chunks and the kernels' summation order (``np.cumsum`` adds in order:
the binary kernel's 8 interleaved lanes, the multiclass kernel's columns of a
row and rows of a chunk), so the results are bit-identical.  Each
``X_serial`` is ``X`` (``by_size`` picks one by token count).
"""

import numpy as np

_LANES = 8  # the binary kernel's independent partial sums


def _chunk_bounds(n, chunk):
    return [(a, min(n, a + chunk)) for a in range(0, n, chunk)]


def _seq_sum(v):
    """``0.0 + v[0] + v[1] + ...`` in that order (the kernels' running sum)."""
    return float(np.cumsum(v + 0.0)[-1]) if v.shape[0] else 0.0


def _lane_sum(v):
    """The binary kernel's sum: element ``j`` adds into lane ``j % 8`` in
    order, then the lanes are added in order."""
    pad = np.zeros(-v.shape[0] % _LANES)
    lanes = np.cumsum(np.concatenate([v + 0.0, pad]).reshape(-1, _LANES), axis=0)
    return _seq_sum(lanes[-1]) if lanes.shape[0] else 0.0


def brier_binary_chunks(y, pos_label, p, w, chunk):
    """Twin of ``cpu.brier.brier_binary_chunks``: per chunk (sum of w * loss,
    sum of w or the count), loss ``((1 - t) - (1 - p))**2 + (t - p)**2`` with
    ``t = (y == pos_label)``; float64 (n_chunks, 2)."""
    t = (y == np.float64(pos_label)).astype(np.float64)  # float64: as in the kernel
    pf = p.astype(np.float64)
    a = (1.0 - t) - (1.0 - pf)
    b = t - pf
    loss = a * a + b * b
    bounds = _chunk_bounds(y.shape[0], chunk)
    stats = np.zeros((len(bounds), 2), dtype=np.float64)
    for c, (lo, hi) in enumerate(bounds):
        if w is None:
            stats[c] = _lane_sum(loss[lo:hi]), float(hi - lo)
        else:
            stats[c] = _lane_sum(w[lo:hi] * loss[lo:hi]), _lane_sum(w[lo:hi])
    return stats


def brier_multiclass_chunks(idx, offset, P, w, tol, chunk):
    """Twin of ``cpu.brier.brier_multiclass_chunks``: per chunk (sum of w *
    loss, sum of w or the count, rows whose sum is not within ``tol`` of 1),
    loss ``sum_c ([c == idx - offset] - P[:, c])**2``; float64 (n_chunks, 3)."""
    n, C = P.shape
    Pf = P.astype(np.float64)
    hot = (idx.astype(np.int64) - offset)[:, None] == np.arange(C)
    d = hot - Pf
    zero = np.zeros((n, 1))
    L = np.cumsum(np.hstack([zero, d * d]), axis=1)[:, -1]
    R = np.cumsum(np.hstack([zero, Pf]), axis=1)[:, -1]
    off_one = ~(np.abs(R - 1.0) <= tol)
    bounds = _chunk_bounds(n, chunk)
    stats = np.zeros((len(bounds), 3), dtype=np.float64)
    for c, (lo, hi) in enumerate(bounds):
        if w is None:
            stats[c, :2] = _seq_sum(L[lo:hi]), float(hi - lo)
        else:
            stats[c, :2] = _seq_sum(w[lo:hi] * L[lo:hi]), _seq_sum(w[lo:hi])
        stats[c, 2] = np.count_nonzero(off_one[lo:hi])
    return stats


brier_binary_chunks_serial = brier_binary_chunks
brier_multiclass_chunks_serial = brier_multiclass_chunks
