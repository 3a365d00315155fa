"""NumPy twins of ``_kernels/cpu/ranking_multiclass.py``.

The row kernels' per-chunk partials are kept (same chunking, same sums):
within a chunk the kernels add row by row, which ``np.cumsum`` reproduces
exactly, so the results are bit-identical.  Each ``X_serial`` is ``X``
(``by_size`` picks one by row count).
"""

import numpy as np


def _chunk_bounds(n, chunk):
    return [(a, min(n, a + chunk)) for a in range(0, n, chunk)]


def _chunk_sums(values, bounds):
    """Row-by-row float64 sums of ``values`` over each chunk (kernel order)."""
    return np.array([np.cumsum(values[a:b])[-1] for a, b in bounds], dtype=np.float64)


def _first_bad_rows(scores, bounds):
    """First row of each chunk holding a NaN/inf score, or -1."""
    if scores.dtype.kind != "f":
        return np.full(len(bounds), -1, dtype=np.int64)
    bad = ~np.isfinite(scores).all(axis=1)
    return np.array([a + int(np.argmax(bad[a:b])) if bad[a:b].any() else -1
                     for a, b in bounds], dtype=np.int64)


def _true_scores(scores, codes):
    return scores[np.arange(scores.shape[0]), codes][:, None]


def topk_chunks(scores, codes, k, w, chunk):
    """Twin of ``cpu.ranking_multiclass.topk_chunks``: per chunk of rows the
    top-k hits (int64), weighted hits and weight totals (float64, 0 without
    ``w``) and the first row with a NaN/inf score (or -1).  A class outranks
    the true class ``t`` when it scores higher, or equal with a higher index."""
    n = scores.shape[0]
    bounds = _chunk_bounds(n, chunk)
    st = _true_scores(scores, codes)
    j = np.arange(scores.shape[1])
    above = (scores > st) | ((scores == st) & (j > codes[:, None]))
    hit = above.sum(axis=1) < k
    hits = np.array([np.count_nonzero(hit[a:b]) for a, b in bounds], dtype=np.int64)
    if w is None:
        zeros = np.zeros(len(bounds), dtype=np.float64)
        whits, wtot = zeros, zeros.copy()
    else:
        whits = _chunk_sums(w * hit, bounds)
        wtot = _chunk_sums(w, bounds)
    return hits, whits, wtot, _first_bad_rows(scores, bounds)


def ap_samples_chunks(scores, codes, w, chunk):
    """Twin of ``cpu.ranking_multiclass.ap_samples_chunks``: per chunk of rows
    the sum of ``w_i / #{j : s_ij >= s_i,true}`` over the rows with finite
    scores, and the first row with a NaN/inf score (or -1)."""
    n = scores.shape[0]
    bounds = _chunk_bounds(n, chunk)
    ge = (scores >= _true_scores(scores, codes)).sum(axis=1)
    bad = _first_bad_rows(scores, bounds)
    ok = np.isfinite(scores).all(axis=1) if scores.dtype.kind == "f" else \
        np.ones(n, dtype=np.bool_)
    wi = np.ones(n) if w is None else w
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(ok, wi / np.maximum(ge, 1), 0.0)
    return _chunk_sums(terms, bounds), bad


def ovo_column_scan(skeys, payload, codes, w, i, below, grp, acc):
    """Twin of ``cpu.ranking_multiclass.ovo_column_scan``: Mann-Whitney sums
    ``acc[b] += sum over tie groups of W_i(group) (2 W_b(below) + W_b(group))``
    of class ``i``'s sorted column against every class ``b``; ``below``
    ends holding each class's total, ``grp`` zeroed."""
    n = skeys.shape[0]
    if n == 0:
        return
    start = np.empty(n, dtype=np.bool_)
    start[0] = True
    np.not_equal(skeys[1:], skeys[:-1], out=start[1:])
    gid = np.cumsum(start) - 1
    if w is None:
        _ovo_counts(payload, gid, i, below, acc)
    else:
        _ovo_weighted(codes[payload], w[payload], gid, i, below, acc)


def _ovo_counts(cls, gid, i, below, acc):
    """Unweighted: each row of class b in group g adds ``2 * (class-i rows in
    higher groups) + (class-i rows in g)`` to ``acc[b]`` (int64, exact in
    any order)."""
    G = int(gid[-1]) + 1
    in_g = np.bincount(gid[cls == i], minlength=G)
    upto = np.cumsum(in_g)
    np.add.at(acc, cls, 2 * (upto[-1] - upto)[gid] + in_g[gid])
    below += np.bincount(cls, minlength=below.shape[0])


def _ovo_weighted(cls, ws, gid, i, below, acc):
    """Weighted: a (groups x classes) table of weight sums, then the kernel's
    sums in its order (group sums, running totals below each group, terms
    added group by group), bit-identical."""
    G, m = int(gid[-1]) + 1, below.shape[0]
    table = np.bincount(gid * m + cls, weights=ws, minlength=G * m).reshape(G, m)
    run = np.cumsum(table, axis=0)  # totals up to and including each group
    before = np.zeros_like(table)  # totals of the lower groups (not run - table:
    before[1:] = run[:-1]          # the kernel's sums, without a rounding step)
    ga = table[:, i]
    hit = ga != 0
    if hit.any():
        terms = ga[hit, None] * (2 * before[hit] + table[hit])
        acc += np.cumsum(terms, axis=0)[-1]
    below += run[-1]


topk_chunks_serial = topk_chunks
ap_samples_chunks_serial = ap_samples_chunks
