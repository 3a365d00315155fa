"""Confusion-count kernels (CPU, Numba).

One pass over the tokens fuses: reading the true class (id or argmax of a
one-hot row), reading the predicted class (id, argmax of scores, or a score cut
at a threshold), the mask, ``ignore_index``, the sample weight (broadcast from a
prefix of the token shape without materialising it) and the class weight, and
accumulates int64 counts and float64 weighted sums.

Determinism: the token range is cut into chunks of a fixed size (never a
function of the thread count); each chunk accumulates into its own table and the
per-chunk tables are reduced in chunk order by the caller.  The result is
therefore bitwise identical for any ``NUMBA_NUM_THREADS``.

Bad values do not raise inside the kernel: each chunk records the first bad
token index and a code, and the Python wrapper builds the error message.
"""

import math

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

# Error codes written to ``bad_code`` (first bad token of a chunk).
OK = 0
TRUE_OUT_OF_RANGE = 1
PRED_OUT_OF_RANGE = 2
TRUE_NOT_INTEGRAL = 3  # NaN/inf or a fractional value where a class id was expected
PRED_NOT_INTEGRAL = 4
PRED_NOT_FINITE = 5  # NaN/inf score
TRUE_NOT_FINITE = 6  # NaN/inf in a one-hot / probabilistic target row
WEIGHT_INVALID = 7  # negative or non-finite sample weight

# Reading modes.
MODE_ID = 0  # column 0 holds a class id
MODE_ARGMAX = 1  # argmax over the row (first maximum wins, like numpy)
MODE_THRESHOLD = 2  # 1 if row[col] > threshold else 0
MODE_NONZERO = 3  # 1 if row[col] != 0 else 0 (scikit-learn's multilabel reading)


@njit(cache=True)
def _read_class(a, i, mode, col, threshold, offset):
    """Return (class id minus offset, error) for token ``i`` of 2-D view ``a``.

    error: 0 ok, 1 not integral / not finite id, 2 non-finite score.
    Used by the multilabel kernel, where the mode is a runtime value.
    """
    if mode == MODE_ID:
        return _id_value(a[i, col], offset)
    elif mode == MODE_ARGMAX:
        return _argmax_row(a, i)
    elif mode == MODE_THRESHOLD:
        return _threshold_value(a[i, col], threshold)
    else:  # MODE_NONZERO
        x = a[i, col]
        if math.isnan(x):
            return np.int64(0), 2
        if x != 0:
            return np.int64(1), 0
        return np.int64(0), 0


@njit(cache=True)
def _id_value(v, offset):
    # For integer dtypes the NaN/inf/integrality checks fold away at compile time.
    if math.isnan(v) or math.isinf(v):
        return np.int64(0), 1
    t = np.int64(v)
    if t != v:
        return np.int64(0), 1
    return t - offset, 0


@njit(cache=True)
def _threshold_value(x, threshold):
    if not (abs(x) < np.inf):
        return np.int64(0), 2
    if x > threshold:
        return np.int64(1), 0
    return np.int64(0), 0


@njit(cache=True)
def _argmax_row(a, i):
    # Branch-free scan: ``chk`` stays 0 unless a value is NaN or infinite
    # (x * 0 is NaN for both), so the finiteness check costs no branch per value.
    best = a[i, 0]
    chk = best * 0
    k = 0
    for j in range(1, a.shape[1]):
        x = a[i, j]
        chk += x * 0
        gt = x > best
        k = j if gt else k
        best = x if gt else best
    if chk != 0:
        return np.int64(0), 2
    return np.int64(k), 0


def _read_token(a, i, threshold, offset):
    """Read token ``i``: ids (1-D), argmax (2-D) or threshold (1-D + float)."""


@overload(_read_token)
def _ov_read_token(a, i, threshold, offset):
    # Resolved at compile time from the argument types: no per-token dispatch.
    if a.ndim == 2:

        def impl(a, i, threshold, offset):
            return _argmax_row(a, i)

    elif isinstance(threshold, types.NoneType):

        def impl(a, i, threshold, offset):
            return _id_value(a[i], offset)

    else:

        def impl(a, i, threshold, offset):
            return _threshold_value(a[i], threshold)

    return impl


@njit(parallel=True, cache=True)
def confusion_chunks(yt, yp, threshold, offset, K, w, rep, cw, mask, ignore, chunk):
    """Per-chunk confusion tables.

    Optional inputs are passed as ``None``; Numba compiles one specialised
    loop per combination, so the common case (ids, no weights, no mask) runs
    without any per-token branching on options.

    Parameters
    ----------
    yt : 1-D array (n,) of class ids, or 2-D (n, C) one-hot rows (argmax).
    yp : 1-D array (n,) of ids (``threshold is None``) or of scores cut at
        ``threshold`` (positive iff ``score > threshold``), or 2-D (n, C)
        scores reduced by argmax (first maximum wins, like ``numpy.argmax``).
    threshold : float or None
    offset : int
        Subtracted from ids before indexing (ids must land in ``[0, K)``).
    K : int
        Table size.
    w : 1-D float array (G,) or None
        Sample weights; token ``i`` uses ``w[i // rep]`` (prefix broadcasting).
    rep : int
    cw : 1-D float64 (K,) or None
        Class weights indexed by the (offset) true class.
    mask : 1-D bool (n,) or None
        Tokens with ``mask[i] == False`` are skipped.
    ignore : int or None
        Tokens whose raw true id equals ``ignore`` are skipped.
    chunk : int
        Fixed chunk size (so the result does not depend on the thread count).

    Returns
    -------
    counts : int64 (n_chunks, K * K)
    wsum : float64 (n_chunks, K * K), or (0, K * K) when unweighted
    bad_index, bad_code : int64 (n_chunks,)
        First bad token of each chunk (-1 if none) and its error code.
    """
    n = yt.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    KK = K * K
    weighted = (w is not None) or (cw is not None)
    counts = np.zeros((n_chunks, KK), dtype=np.int64)
    wsum = np.zeros((n_chunks if weighted else 0, KK), dtype=np.float64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = c * chunk
        end = min(n, start + chunk)
        g = start // rep
        r = start - g * rep
        for i in range(start, end):
            wi = 1.0
            if w is not None:
                wi = w[g]
                r += 1
                if r == rep:
                    r = 0
                    g += 1
            if mask is not None:
                if not mask[i]:
                    continue
            if ignore is not None:
                if yt[i] == ignore:
                    continue
            if w is not None:
                if not (wi >= 0.0 and wi < np.inf):
                    bad_index[c] = i
                    bad_code[c] = WEIGHT_INVALID
                    break
            t, et = _read_token(yt, i, None, offset)
            if et != 0:
                bad_index[c] = i
                bad_code[c] = TRUE_NOT_INTEGRAL if et == 1 else TRUE_NOT_FINITE
                break
            p, ep = _read_token(yp, i, threshold, offset)
            if ep != 0:
                bad_index[c] = i
                bad_code[c] = PRED_NOT_INTEGRAL if ep == 1 else PRED_NOT_FINITE
                break
            if np.uint64(t) >= np.uint64(K):
                bad_index[c] = i
                bad_code[c] = TRUE_OUT_OF_RANGE
                break
            if np.uint64(p) >= np.uint64(K):
                bad_index[c] = i
                bad_code[c] = PRED_OUT_OF_RANGE
                break
            counts[c, t * K + p] += 1
            if weighted:
                if cw is not None:
                    wi = wi * cw[t]
                wsum[c, t * K + p] += wi
    return counts, wsum, bad_index, bad_code


@njit(parallel=True, cache=True)
def multilabel_chunks(
    yt,
    true_mode,
    yp,
    pred_mode,
    threshold,
    w,
    rep,
    has_w,
    mask,
    has_mask,
    ignore,
    has_ignore,
    samplewise,
    chunk,
):
    """Per-chunk multilabel statistics for indicator arrays (n, L).

    ``true_mode`` / ``pred_mode``: MODE_ID (values must be 0 or 1),
    MODE_THRESHOLD (``> threshold``) or MODE_NONZERO (``!= 0``, scikit-learn's
    reading of indicator matrices).

    Returns
    -------
    counts : int64 (n_chunks, L, 4)       tn, fp, fn, tp per label
    wsum : float64 (n_chunks, L, 4)       the same, weighted (size 0 if unweighted)
    totals : float64 (n_chunks, 4)        [n tokens, weight, n exact match, weight exact match]
    s_tp, s_fp, s_fn : int64 (n,) each    per-token counts when ``samplewise`` (else size 0)
    bad_index, bad_code : int64 (n_chunks,)
    """
    n = yt.shape[0]
    L = yt.shape[1]
    n_chunks = (n + chunk - 1) // chunk
    counts = np.zeros((n_chunks, L, 4), dtype=np.int64)
    wsum = np.zeros((n_chunks if has_w else 0, L, 4), dtype=np.float64)
    totals = np.zeros((n_chunks, 4), dtype=np.float64)
    ns = n if samplewise else 0
    s_tp = np.zeros(ns, dtype=np.int64)
    s_fp = np.zeros(ns, dtype=np.int64)
    s_fn = np.zeros(ns, dtype=np.int64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = c * chunk
        end = min(n, start + chunk)
        g = start // rep
        r = start - g * rep
        failed = False
        for i in range(start, end):
            wi = 1.0
            if has_w:
                wi = w[g]
                r += 1
                if r == rep:
                    r = 0
                    g += 1
            if has_mask:
                if not mask[i]:
                    continue
            if has_w:
                if not (wi >= 0.0 and wi < np.inf):
                    bad_index[c] = i
                    bad_code[c] = WEIGHT_INVALID
                    break
            exact = True
            tp_i = 0
            fp_i = 0
            fn_i = 0
            for j in range(L):
                if has_ignore:
                    if yt[i, j] == ignore:
                        continue
                t = np.int64(0)
                et = 0
                if true_mode == MODE_ID:
                    v = yt[i, j]
                    if v == 0 or v == 1:
                        t = np.int64(v)
                    else:
                        et = 1
                else:
                    t, et = _read_class(yt, i, true_mode, j, 0.5, 0)
                if et != 0:
                    bad_index[c] = i
                    bad_code[c] = TRUE_NOT_INTEGRAL
                    failed = True
                    break
                p = np.int64(0)
                ep = 0
                if pred_mode == MODE_ID:
                    v = yp[i, j]
                    if v == 0 or v == 1:
                        p = np.int64(v)
                    else:
                        ep = 1
                else:
                    p, ep = _read_class(yp, i, pred_mode, j, threshold, 0)
                if ep != 0:
                    bad_index[c] = i
                    bad_code[c] = PRED_NOT_INTEGRAL if ep == 1 else PRED_NOT_FINITE
                    failed = True
                    break
                k = 2 * t + p  # 0 tn, 1 fp, 2 fn, 3 tp
                counts[c, j, k] += 1
                if has_w:
                    wsum[c, j, k] += wi
                if t != p:
                    exact = False
                if k == 3:
                    tp_i += 1
                elif k == 1:
                    fp_i += 1
                elif k == 2:
                    fn_i += 1
            if failed:
                break
            totals[c, 0] += 1.0
            totals[c, 1] += wi
            if exact:
                totals[c, 2] += 1.0
                totals[c, 3] += wi
            if samplewise:
                s_tp[i] = tp_i
                s_fp[i] = fp_i
                s_fn[i] = fn_i
    return counts, wsum, totals, s_tp, s_fp, s_fn, bad_index, bad_code


@njit(parallel=True, cache=True)
def minmax_ids(a, chunk):
    """Per-chunk (min, max) of a 1-D integer array, for the label-range fallback."""
    n = a.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    lo = np.empty(n_chunks, dtype=np.int64)
    hi = np.empty(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = c * chunk
        end = min(n, start + chunk)
        mn = np.int64(a[start])
        mx = mn
        for i in range(start + 1, end):
            v = np.int64(a[i])
            if v < mn:
                mn = v
            if v > mx:
                mx = v
        lo[c] = mn
        hi[c] = mx
    return lo, hi
