"""NumPy twins of ``_kernels/cpu/calibration.py``.

Same chunks, same per-chunk tables, same first bad token and code.  Bin sums
come from ``np.bincount``, which adds in token order like the kernels, so
every result is bit-identical.  Each ``X_serial`` is ``X`` (``by_size``
picks one by token count).
"""

import numpy as np

from ..codes import PRED_NOT_PROBABILITY, TRUE_INVALID, WEIGHT_INVALID

# Key of a token that is not counted: sorts after every real key.
DROPPED = np.uint64(0xFFFFFFFFFFFFFFFF)

_SKIP = -1  # a masked or ignored token (the kernels' _check_token)


def _chunk_bounds(n, chunk):
    return [(a, min(n, a + chunk)) for a in range(0, n, chunk)]


def _class_ids(yt, K):
    """(id as int64, valid) of each label: an integer in [0, K) (float labels:
    integral and in range; ints wrap through int64 as in the kernels)."""
    if yt.dtype.kind == "f":
        ok = (yt >= 0) & (yt < K)  # False for NaN
        t = np.where(ok, yt, 0).astype(np.int64)
        return t, ok & (t == yt)
    t = yt.astype(np.int64)
    return t, (t >= 0) & (t < K)


def _tokens(yt, yp, K, w, rep, mask, ignore):
    """Per token: code (``_SKIP``, 0 or the kernels' error code, checked in
    their order), float64 confidence, float64 correct and float64 weight."""
    n = yt.shape[0]
    if yp.ndim == 2:  # top-label confidence, first maximum (numpy.argmax)
        q = np.argmax(yp, axis=1)
        x = yp[np.arange(n), q].astype(np.float64)
        okp = ((yp >= 0) & (yp <= 1)).all(axis=1)
        t, okt = _class_ids(yt, K)
        corr = (q == t).astype(np.float64)
    else:
        x = yp.astype(np.float64)
        okp = (yp >= 0) & (yp <= 1)
        t, okt = _class_ids(yt, 2)
        corr = t.astype(np.float64)
    code = np.where(okp, 0, PRED_NOT_PROBABILITY)
    code[~okt] = TRUE_INVALID
    wi = np.ones(n) if w is None else w[np.arange(n) // rep]
    if w is not None:
        code[~((wi >= 0.0) & (wi < np.inf))] = WEIGHT_INVALID
    skip = np.zeros(n, dtype=np.bool_) if mask is None else ~mask
    if ignore is not None:
        skip |= yt == np.int64(ignore)  # int64: the kernels' comparison types
    code[skip] = _SKIP
    return code, x, corr, wi


def _first_bad(code, a, b):
    """Index of the first bad token in [a, b), or -1."""
    bad = np.flatnonzero(code[a:b] > 0)
    return a + int(bad[0]) if bad.size else -1


def uniform_bins(x, n_bins, edges):
    """Twin of ``cpu.calibration.uniform_bin`` over an array: the bin of each
    confidence, ``floor(c * n_bins)`` settled against the stored edges."""
    k = np.clip((x * n_bins).astype(np.int64), 0, n_bins - 1)
    down = x < edges[k]
    up = ~down & (k + 1 < n_bins) & (x >= edges[np.minimum(k + 1, n_bins)])
    return k - down + up


def calibration_chunks(yt, yp, K, n_bins, edges, w, rep, mask, ignore, chunk):
    """Twin of ``cpu.calibration.calibration_chunks``: per-chunk equal-width
    bin count (int64), weight, weight x confidence and weight x correct
    (float64), each (n_chunks, n_bins), and per-chunk first bad token / code.
    A chunk's sums stop at its first bad token, as in the kernel."""
    code, x, corr, wi = _tokens(yt, yp, K, w, rep, mask, ignore)
    bounds = _chunk_bounds(yt.shape[0], chunk)
    shape = (len(bounds), n_bins)
    count = np.zeros(shape, dtype=np.int64)
    weight, conf, correct = (np.zeros(shape) for _ in range(3))
    bad_index = np.full(len(bounds), -1, dtype=np.int64)
    bad_code = np.zeros(len(bounds), dtype=np.int64)
    for c, (a, b) in enumerate(bounds):
        i = _first_bad(code, a, b)
        if i >= 0:
            bad_index[c], bad_code[c], b = i, code[i], i
        keep = a + np.flatnonzero(code[a:b] == 0)
        k = uniform_bins(x[keep], n_bins, edges)
        count[c] = np.bincount(k, minlength=n_bins)
        weight[c] = np.bincount(k, wi[keep], minlength=n_bins)
        conf[c] = np.bincount(k, wi[keep] * x[keep], minlength=n_bins)
        correct[c] = np.bincount(k, wi[keep] * corr[keep], minlength=n_bins)
    return count, weight, conf, correct, bad_index, bad_code


def calibration_keys(yt, yp, K, w, rep, mask, ignore, chunk, keys, wts):
    """Twin of ``cpu.calibration.calibration_keys``: writes each token's sort
    key ``(bits of its float64 confidence) << 1 | correct`` (``DROPPED`` when
    not counted: skipped, weight 0, or after a bad token of its chunk) and,
    with weights, ``wts``; returns per-chunk kept count, first bad token and
    code."""
    code, x, corr, wi = _tokens(yt, yp, K, w, rep, mask, ignore)
    bounds = _chunk_bounds(yt.shape[0], chunk)
    kept = np.zeros(len(bounds), dtype=np.int64)
    bad_index = np.full(len(bounds), -1, dtype=np.int64)
    bad_code = np.zeros(len(bounds), dtype=np.int64)
    counted = (code == 0) & (wi > 0.0)
    for c, (a, b) in enumerate(bounds):
        i = _first_bad(code, a, b)
        if i >= 0:
            bad_index[c], bad_code[c] = i, code[i]
            counted[i:b] = False
        kept[c] = np.count_nonzero(counted[a:b])
    bits = (x + 0.0).view(np.uint64)  # + 0.0 folds -0.0 onto 0.0
    keys[:] = np.where(counted, (bits << np.uint64(1)) | (corr != 0.0), DROPPED)
    if w is not None:
        wts[:] = wi
    return kept, bad_index, bad_code


def quantile_scan(sk, conf, sw, n_bins):
    """Twin of ``cpu.calibration.quantile_scan``: equal-mass bins over sorted
    keys.  A tie group whose cumulative weight (summed in sorted order) is
    ``S`` goes to bin ``min(#{k >= 1 : k * W < n * S}, n - 1)``; returns
    (edges, count, weight, confidence sum, correct sum)."""
    m = sk.shape[0]
    w = np.ones(m) if sw is None else sw
    cum = np.cumsum(w)  # sequential, as the kernel's running sum
    total = float(m) if sw is None else cum[-1]
    val = sk >> np.uint64(1)
    last = np.flatnonzero(np.append(val[1:] != val[:-1], True))  # group ends
    first = np.append(0, last[:-1] + 1)
    steps = np.arange(1, n_bins, dtype=np.int64) * total
    gbin = np.searchsorted(steps, float(n_bins) * cum[last], side="left")
    edges = np.empty(n_bins + 1, dtype=np.float64)
    edges[0] = conf[0]
    edges[n_bins] = conf[m - 1]
    # edges[k]: the first confidence of the first group in a bin >= k
    g = np.searchsorted(gbin, np.arange(1, n_bins), side="left")
    edges[1:n_bins] = np.where(g < gbin.shape[0],
                               conf[first[np.minimum(g, gbin.shape[0] - 1)]], np.nan)
    b = np.repeat(gbin, last - first + 1)
    count = np.bincount(b, minlength=n_bins)
    wsum = np.bincount(b, w, minlength=n_bins)
    csum = np.bincount(b, w * conf, minlength=n_bins)
    asum = np.bincount(b, w * (sk & np.uint64(1)).astype(np.float64), minlength=n_bins)
    return edges, count, wsum, csum, asum


calibration_chunks_serial = calibration_chunks
calibration_keys_serial = calibration_keys
