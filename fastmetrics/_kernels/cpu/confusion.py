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
from numba import njit, types
from numba.extending import overload

# ``bad_code`` holds a code of _kernels/codes.py (first bad token of a chunk).
from ..codes import (  # noqa: F401  (re-exported: the kernels' reports)
    OK,
    PRED_NOT_FINITE,
    PRED_NOT_INTEGRAL,
    PRED_OUT_OF_RANGE,
    TRUE_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)

from ._threads import over_chunks
from ..modes import MODE_ARGMAX, MODE_ID, MODE_NONZERO, MODE_THRESHOLD  # noqa: F401


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
    if a.ndim == 2 and not isinstance(threshold, types.NoneType):

        def impl(a, i, threshold, offset):
            if not ((a[i, 0] * 0 + a[i, 1] * 0) == 0):
                return np.int64(0), 2
            return _threshold_value(a[i, 1], threshold)

    elif a.ndim == 2:

        def impl(a, i, threshold, offset):
            return _argmax_row(a, i)

    elif isinstance(threshold, types.NoneType):

        def impl(a, i, threshold, offset):
            return _id_value(a[i], offset)

    else:

        def impl(a, i, threshold, offset):
            return _threshold_value(a[i], threshold)

    return impl


def _token_code(a, i, threshold, offset, K):
    """(class index, ok) of token ``i`` with the range check fused, branch-light."""


@overload(_token_code)
def _ov_token_code(a, i, threshold, offset, K):
    if a.ndim == 2 and not isinstance(threshold, types.NoneType):
        # two-unit output: positive column cut at the threshold, every column finite

        def impl(a, i, threshold, offset, K):
            x = a[i, 1]
            fin = (a[i, 0] * 0 + x * 0) == 0
            return np.int64(x > threshold), fin

    elif a.ndim == 2:

        def impl(a, i, threshold, offset, K):
            k, err = _argmax_row(a, i)
            return k, err == 0

    elif not isinstance(threshold, types.NoneType):

        def impl(a, i, threshold, offset, K):
            x = a[i]
            return np.int64(x > threshold), abs(x) < np.inf

    elif isinstance(a.dtype, (types.Integer, types.Boolean)):

        def impl(a, i, threshold, offset, K):
            t = np.int64(a[i]) - offset
            return t, np.uint64(t) < np.uint64(K)

    else:  # floating class ids: range-check the float, then convert

        def impl(a, i, threshold, offset, K):
            x = a[i] - offset
            inr = (x >= 0) & (x < K)  # False for NaN
            t = np.int64(x) if inr else np.int64(0)
            return t, inr & (t == x)

    return impl


def _value_code(x, threshold, offset, K):
    """(class index, ok) of a 1-D token's value ``x``: ``_token_code`` for a
    value read in the kernel's loop (an array handed to a function called
    per token costs a reference count update per token)."""


@overload(_value_code)
def _ov_value_code(x, threshold, offset, K):
    if not isinstance(threshold, types.NoneType):

        def impl(x, threshold, offset, K):
            return np.int64(x > threshold), abs(x) < np.inf

    elif isinstance(x, (types.Integer, types.Boolean)):

        def impl(x, threshold, offset, K):
            t = np.int64(x) - offset
            return t, np.uint64(t) < np.uint64(K)

    else:

        def impl(x, threshold, offset, K):
            v = x - offset
            inr = (v >= 0) & (v < K)
            t = np.int64(v) if inr else np.int64(0)
            return t, inr & (t == v)

    return impl


@njit(cache=True)
def _first_bad(yt, yp, threshold, offset, K, w, rep, mask, ignore, start, end):
    """Scalar rescan of a block that failed validation: (index, code) of the first bad token."""
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
                return i, WEIGHT_INVALID
        t, et = _read_token(yt, i, None, offset)
        if et != 0:
            return i, TRUE_NOT_INTEGRAL if et == 1 else TRUE_NOT_FINITE
        p, ep = _read_token(yp, i, threshold, offset)
        if ep != 0:
            return i, PRED_NOT_INTEGRAL if ep == 1 else PRED_NOT_FINITE
        if np.uint64(t) >= np.uint64(K):
            return i, TRUE_OUT_OF_RANGE
        if np.uint64(p) >= np.uint64(K):
            return i, PRED_OUT_OF_RANGE
    return -1, OK


@njit(cache=True)
def _codes_static(blk, ytb, maskb, ignore, offset, m, codes, ctup):
    """Cell codes ``t * C + argmax(scores)`` for a block of m tokens.

    ``blk`` holds the block's m rows of C scores (flat), ``ytb`` its true ids
    and ``maskb`` its mask (or None); skipped tokens get the dummy code
    ``C * C``.  ``C = len(ctup)`` is a compile-time constant, and the loop runs
    from 0 over slices with one output per row: in this form LLVM vectorises
    it across rows with interleaved loads (several times faster than the
    scalar loop it emits otherwise).  The argmax keeps the first maximum, like
    ``numpy.argmax``; NaN/inf make the row sum non-finite.  Returns whether
    every kept token was valid.
    """
    C = len(ctup)
    KK = C * C
    ok = True
    for j in range(m):
        base = j * C
        best = blk[base]
        q = 0
        tot = best
        for col in range(1, C):
            x = blk[base + col]
            tot += x
            gt = x > best
            best = x if gt else best
            q = col if gt else q
        # the row sum is finite iff every score is (an overflow of huge finite
        # scores is a false alarm that the token-by-token rescan clears)
        chk = tot - tot
        keep = True
        if maskb is not None:
            keep = maskb[j]
        if ignore is not None:
            keep = keep & (ytb[j] != ignore)
        t, okt = _token_code(ytb, j, None, offset, C)
        ok = ok & ((okt & (chk == 0)) | (not keep))
        codes[j] = t * C + q if keep else KK
    return ok


# Tokens per block (codes computed first, then histogrammed) and the number of
# interleaved sub-tables that break store-to-load dependencies between
# consecutive increments of the same cell.
_BLOCK = 1024
_NSUB = 4


@njit(cache=True)
def _weights_ok(wblk):
    """All weights finite and >= 0 (a branch-free reduction)."""
    bad = 0
    for j in range(wblk.shape[0]):
        v = wblk[j]
        bad |= not ((v >= 0) & (v < np.inf))
    return bad == 0


@njit(cache=True)
def _fill_weights(w, rep, b0, m, wts, g, r):
    """wts[j] = weight of token b0 + j (prefix broadcasting: w[i // rep]).

    ``(g, r)`` is the weight index and the position within its run of ``rep``
    tokens at ``b0``; runs are filled as constant segments.  Also returns
    whether every weight of the block is finite and >= 0 (masked tokens
    included: a block that fails is rescanned token by token, which excuses
    masked ones).
    """
    bad = 0
    j = 0
    while j < m:
        seg = min(rep - r, m - j)
        v = w[g]
        bad |= not ((v >= 0) & (v < np.inf))
        for q in range(j, j + seg):
            wts[q] = v
        j += seg
        r += seg
        if r == rep:
            r = 0
            g += 1
    return g, r, bad == 0


@njit(cache=True)
def _count_block(codes, wts, m, loc, wloc, T, weighted):
    """Histogram a block of cell codes into _NSUB interleaved sub-tables.

    ``T`` is the distance between sub-tables; ``T = 0`` folds them into one
    table (for large tables, where memory matters more than the stalls).
    """
    j = 0
    while j + _NSUB <= m:
        c0 = codes[j]
        c1 = T + codes[j + 1]
        c2 = 2 * T + codes[j + 2]
        c3 = 3 * T + codes[j + 3]
        loc[c0] += 1
        loc[c1] += 1
        loc[c2] += 1
        loc[c3] += 1
        if weighted:
            wloc[c0] += wts[j]
            wloc[c1] += wts[j + 1]
            wloc[c2] += wts[j + 2]
            wloc[c3] += wts[j + 3]
        j += _NSUB
    while j < m:
        loc[codes[j]] += 1
        if weighted:
            wloc[codes[j]] += wts[j]
        j += 1


@njit(cache=True)
def _reduce_subtables(loc, wloc, T, KK, counts_row, wsum_row, weighted):
    """Sum the sub-tables in a fixed order into this chunk's row."""
    if T == 0:
        for q in range(KK):
            counts_row[q] = loc[q]
            if weighted:
                wsum_row[q] = wloc[q]
        return
    for q in range(KK):
        counts_row[q] = loc[q] + loc[T + q] + loc[2 * T + q] + loc[3 * T + q]
        if weighted:
            wsum_row[q] = ((wloc[q] + wloc[T + q]) + wloc[2 * T + q]) + wloc[3 * T + q]


# Tables larger than this (cells) are counted in one table, not _NSUB copies.
_MAX_SUB_CELLS = 4096


def confusion_chunks(yt, yp, threshold, ctup, offset, K, w, rep, mask, ignore, chunk):
    """Per-chunk confusion tables.

    Runs :func:`_confusion_range` over the chunks on threads.  Optional
    inputs are passed as ``None``; Numba compiles one specialised
    loop per combination, so the common case (ids, no weights, no mask) runs
    without any per-token branching on options.

    Each chunk works in blocks of ``_BLOCK`` tokens: first the cell code
    ``true * K + pred`` of every token is computed with validation fused as
    flags (a loop the compiler can vectorise for integer ids), then the codes
    are counted into ``_NSUB`` interleaved sub-tables.  Skipped tokens (mask,
    ignore_index) go to a dummy cell ``K * K``.  A block that fails validation
    is rescanned to report its first bad token.

    Parameters
    ----------
    yt : 1-D array (n,) of class ids, or 2-D (n, C) one-hot rows (argmax).
    yp : 1-D array (n,) of ids (``threshold is None``) or of scores cut at
        ``threshold`` (positive iff ``score > threshold``), or 2-D (n, C)
        scores reduced by argmax (first maximum wins, like ``numpy.argmax``),
        or 2-D (n, 2) two-unit outputs with a threshold (column 1 is cut).
    threshold : float or None
    ctup : tuple of C zeros, or None
        With 2-D scores: ``C = len(ctup)`` is a compile-time constant (the
        length of a tuple is part of its type), so the argmax of each row
        unrolls and the block of rows vectorises (``_codes_static``); the
        scores must then be C-contiguous.  ``None`` reads rows one by one.
    offset : int
        Subtracted from ids before indexing (ids must land in ``[0, K)``).
    K : int
        Table size.
    w : 1-D float64 array (G,) or None
        Sample weights; token ``i`` uses ``w[i // rep]`` (prefix broadcasting).
    rep : int
    mask : 1-D bool (n,) or None
        Tokens with ``mask[i] == False`` are skipped.
    ignore : int or None
        Tokens whose raw true id equals ``ignore`` are skipped.
    chunk : int
        Fixed chunk size, a multiple of ``_BLOCK`` (so results do not depend on
        the thread count).

    Returns
    -------
    counts : int64 (n_chunks, K * K)
    wsum : float64 (n_chunks, K * K), or (0, K * K) when unweighted
    bad_index, bad_code : int64 (n_chunks,)
        First bad token of each chunk (-1 if none) and its error code.

    Class weights are not applied here: a cell's weight is
    ``class_weight[t] * sum(sample weights of its tokens)``, so the caller
    scales row ``t`` of the reduced table once.
    """
    n = yt.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    KK = K * K
    counts = np.zeros((n_chunks, KK), dtype=np.int64)
    wsum = np.zeros((n_chunks if w is not None else 0, KK), dtype=np.float64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    over_chunks(_confusion_range, n_chunks, yt, yp, threshold, ctup, offset, K, w, rep, mask,
                ignore, chunk, counts, wsum, bad_index, bad_code)
    return counts, wsum, bad_index, bad_code


@njit(cache=True, nogil=True)
def _confusion_range(c_lo, c_hi, yt, yp, threshold, ctup, offset, K, w, rep, mask, ignore,
                     chunk, counts, wsum, bad_index, bad_code):
    """Chunks ``[c_lo, c_hi)`` of :func:`confusion_chunks`, into their rows."""
    n = yt.shape[0]
    KK = K * K
    S = KK + 1  # sub-table stride, with the dummy cell for skipped tokens
    weighted = w is not None
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        T = S if KK <= _MAX_SUB_CELLS else 0
        loc = np.zeros(_NSUB * T + (S if T == 0 else 0), dtype=np.int64)
        wloc = np.zeros(loc.shape[0] if weighted else 0, dtype=np.float64)
        codes = np.empty(_BLOCK, dtype=np.int64)
        wts = np.empty(_BLOCK if weighted else 0, dtype=np.float64)
        g = start // rep
        r = start - g * rep
        failed = False
        for b0 in range(start, end, _BLOCK):
            m = min(_BLOCK, end - b0)
            ok = True
            wblk = wts
            if w is not None:
                if rep == 1:
                    wblk = w[b0:b0 + m]
                    ok = _weights_ok(wblk)
                else:
                    g, r, ok = _fill_weights(w, rep, b0, m, wts, g, r)
            if ctup is not None:
                # scores with a static class count: one vectorised loop per block
                C = len(ctup)
                blk = yp.reshape(-1)[b0 * C:(b0 + m) * C]
                if mask is not None:
                    okc = _codes_static(blk, yt[b0:b0 + m], mask[b0:b0 + m], ignore,
                                        offset, m, codes, ctup)
                else:
                    okc = _codes_static(blk, yt[b0:b0 + m], None, ignore, offset, m,
                                        codes, ctup)
                ok = ok & okc
            else:
                for j in range(m):
                    i = b0 + j
                    keep = True
                    if mask is not None:
                        keep = mask[i]
                    if ignore is not None:
                        keep = keep & (yt[i] != ignore)
                    if yt.ndim == 1:  # compile-time: a value, not a row
                        t, okt = _value_code(yt[i], None, offset, K)
                    else:
                        t, okt = _token_code(yt, i, None, offset, K)
                    if yp.ndim == 1:
                        p, okp = _value_code(yp[i], threshold, offset, K)
                    else:
                        p, okp = _token_code(yp, i, threshold, offset, K)
                    ok = ok & ((okt & okp) | (not keep))
                    codes[j] = t * K + p if keep else KK
            if not ok:
                # rescan token by token; it may find nothing (a bad weight on a
                # masked token), then the block counts normally
                bi, bc = _first_bad(yt, yp, threshold, offset, K, w, rep, mask, ignore,
                                    b0, b0 + m)
                if bi >= 0:
                    bad_index[c] = bi
                    bad_code[c] = bc
                    failed = True
                    break
            _count_block(codes, wblk, m, loc, wloc, T, weighted)
        if not failed:
            _reduce_subtables(loc, wloc, T, KK, counts[c], wsum[c] if weighted else wloc,
                              weighted)


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
    samples = np.zeros((3, ns), dtype=np.int64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    over_chunks(_multilabel_range, n_chunks, yt, true_mode, yp, pred_mode, threshold, w, rep,
                has_w, mask, has_mask, ignore, has_ignore, samplewise, chunk,
                counts, wsum, totals, samples, bad_index, bad_code)
    return counts, wsum, totals, samples[0], samples[1], samples[2], bad_index, bad_code


@njit(cache=True, nogil=True)
def _multilabel_range(c_lo, c_hi, yt, true_mode, yp, pred_mode, threshold, w, rep, has_w,
                      mask, has_mask, ignore, has_ignore, samplewise, chunk,
                      counts, wsum, totals, samples, bad_index, bad_code):
    """Chunks ``[c_lo, c_hi)`` of :func:`multilabel_chunks`, into their rows
    (``samples`` holds the per-token tp, fp, fn)."""
    n = yt.shape[0]
    L = yt.shape[1]
    for c in range(c_lo, c_hi):
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
                samples[0, i] = tp_i
                samples[1, i] = fp_i
                samples[2, i] = fn_i


def minmax_ids(a, chunk):
    """Per-chunk (min, max) of a 1-D integer array, for the label-range fallback."""
    n = a.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    lo = np.empty(n_chunks, dtype=np.int64)
    hi = np.empty(n_chunks, dtype=np.int64)
    over_chunks(_minmax_range, n_chunks, a, chunk, lo, hi)
    return lo, hi


@njit(cache=True, nogil=True)
def _minmax_range(c_lo, c_hi, a, chunk, lo, hi):
    n = a.shape[0]
    for c in range(c_lo, c_hi):
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


# one function serves every size (the NumPy tier answers below config.NUMPY_MAX)
confusion_chunks_serial = confusion_chunks
multilabel_chunks_serial = multilabel_chunks
minmax_ids_serial = minmax_ids
