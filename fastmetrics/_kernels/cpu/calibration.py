"""Calibration kernels (CPU, Numba): confidence, correctness, bin, accumulate.

One fused pass per token reads the confidence (binary: the probability of the
positive class; multiclass: the largest probability of the row, the
"top-label" confidence), whether the token counts as correct (binary: the
label is 1; multiclass: the first maximum of the row is the true class),
applies the mask, ``ignore_index`` and the sample weight (broadcast from a
prefix of the token shape without materialising it), validates everything,
and adds the token into its equal-width bin as int64 count and float64
weight, weighted confidence and weighted correctness.

Determinism: tokens are cut into chunks of a fixed size (never a function of
the thread count); each chunk accumulates, in token order, into its own row of
the per-chunk tables (serial range kernels run on threads by
``_threads.over_chunks``), which the caller reduces in chunk order.  Results
are bitwise identical for any ``NUMBA_NUM_THREADS``.

Equal-mass bins need the order of the confidences: ``calibration_keys``
(the same fused, validating pass) writes one order-preserving sort key per
token, the caller sorts them, and ``quantile_scan`` bins and sums them in one
pass in sorted order.

Bad values do not raise inside the kernel: each chunk records its first bad
token and a code, and the Python wrapper builds the message.
"""

import numpy as np
from numba import njit, prange
from numba.extending import overload

from ._threads import over_chunks, parallel_twins
from .confusion import _token_code

from ..codes import (  # noqa: F401  (the codes these kernels report)
    PRED_NOT_PROBABILITY,
    TRUE_INVALID,
    WEIGHT_INVALID,
)


@njit(cache=True)
def uniform_bin(c, n_bins, edges):
    """Index k of the bin ``[edges[k], edges[k + 1])`` holding ``c`` (last bin closed).

    ``edges[k] = k / n_bins`` (correctly rounded).  ``floor(c * n_bins)`` can be
    one off near an edge because the product is rounded; the comparison with
    the stored edges decides, so the bins are exactly the reported edges.
    """
    k = np.int64(c * n_bins)
    if k >= n_bins:
        k = n_bins - 1
    if k < 0:
        k = 0
    if c < edges[k]:
        k -= 1
    elif k + 1 < n_bins and c >= edges[k + 1]:
        k += 1
    return k


def _read_token(yt, yp, i, K):
    """(confidence, correct, label ok, probability ok) of token ``i``."""


@overload(_read_token)
def _ov_read_token(yt, yp, i, K):
    if yp.ndim == 2:
        # multiclass: top-label confidence, first maximum wins (numpy.argmax)

        def impl(yt, yp, i, K):
            best = yp[i, 0]
            okp = (best >= 0) & (best <= 1)  # False for NaN
            q = 0
            for j in range(1, yp.shape[1]):
                x = yp[i, j]
                okp = okp & (x >= 0) & (x <= 1)
                gt = x > best
                best = x if gt else best
                q = j if gt else q
            t, okt = _token_code(yt, i, None, 0, K)
            corr = 1.0 if q == t else 0.0
            return np.float64(best), corr, okt, okp

    else:
        # binary: the positive-class probability against the 0/1 label

        def impl(yt, yp, i, K):
            x = yp[i]
            okp = (x >= 0) & (x <= 1)
            t, okt = _token_code(yt, i, None, 0, 2)
            return np.float64(x), np.float64(t), okt, okp

    return impl


_SKIP = -1  # _check_token: the token is masked or ignored


@njit(cache=True, inline="always")
def _check_token(yt, yp, i, K, wi, w, mask, ignore):
    """(code, confidence, correct) of token i: code ``_SKIP`` when masked or
    ignored, 0 when valid, else WEIGHT_INVALID / TRUE_INVALID / PRED_NOT_PROBABILITY
    (checked in that order)."""
    if mask is not None:
        if not mask[i]:
            return _SKIP, 0.0, 0.0
    if ignore is not None:
        if yt[i] == ignore:
            return _SKIP, 0.0, 0.0
    if w is not None:
        if not ((wi >= 0.0) & (wi < np.inf)):
            return WEIGHT_INVALID, 0.0, 0.0
    x, corr, okt, okp = _read_token(yt, yp, i, K)
    if not okt:
        return TRUE_INVALID, 0.0, 0.0
    if not okp:
        return PRED_NOT_PROBABILITY, 0.0, 0.0
    return 0, np.float64(x), np.float64(corr)


def calibration_chunks(yt, yp, K, n_bins, edges, w, rep, mask, ignore, chunk):
    """Per-chunk equal-width bin sums.

    Parameters
    ----------
    yt : 1-D array (n,) of labels (binary: 0/1; multiclass: ids in [0, K)).
    yp : 1-D float array (n,) of positive-class probabilities (binary) or
        2-D float array (n, K) of class probabilities (multiclass).
    K : int
        Number of classes (2 for binary).
    n_bins : int
    edges : float64 (n_bins + 1,), ``edges[k] = k / n_bins``.
    w : float64 (G,) or None
        Sample weights; token ``i`` uses ``w[i // rep]`` (prefix broadcasting).
    rep : int
    mask : bool (n,) or None
        Tokens with ``mask[i] == False`` are skipped.
    ignore : int or None
        Tokens whose label equals ``ignore`` are skipped.
    chunk : int
        Fixed chunk size.

    Compiled with ``parallel=True`` (and a serial twin), unlike the other
    kernels: the same loop run as a serial range on the thread pool was 1.6x
    slower per thread (64 against 40 ms on 10M multiclass scores) for a
    reason not found yet.

    Returns
    -------
    count : int64 (n_chunks, n_bins)
    weight, conf, correct : float64 (n_chunks, n_bins)
        Sum of weights, of weight * confidence and of weight * correct.
    bad_index, bad_code : int64 (n_chunks,)
        First bad token of each chunk (-1 if none) and its code.
    """
    n = yt.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    count = np.zeros((n_chunks, n_bins), dtype=np.int64)
    weight = np.zeros((n_chunks, n_bins), dtype=np.float64)
    conf = np.zeros((n_chunks, n_bins), dtype=np.float64)
    correct = np.zeros((n_chunks, n_bins), dtype=np.float64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = c * chunk
        end = min(n, start + chunk)
        g = start // rep
        r = start - g * rep
        cnt_c = count[c]
        w_c = weight[c]
        conf_c = conf[c]
        corr_c = correct[c]
        for i in range(start, end):
            wi = 1.0
            if w is not None:
                wi = w[g]
                r += 1
                if r == rep:
                    r = 0
                    g += 1
            code, x, corr = _check_token(yt, yp, i, K, wi, w, mask, ignore)
            if code == _SKIP:
                continue
            if code != 0:
                bad_index[c] = i
                bad_code[c] = code
                break
            k = uniform_bin(x, n_bins, edges)
            cnt_c[k] += 1
            w_c[k] += wi
            conf_c[k] += wi * x
            corr_c[k] += wi * corr
    return count, weight, conf, correct, bad_index, bad_code


calibration_chunks, calibration_chunks_serial = parallel_twins(calibration_chunks)


# Key of a token that is not counted: sorts after every real key.
DROPPED = np.uint64(0xFFFFFFFFFFFFFFFF)


def calibration_keys(yt, yp, K, w, rep, mask, ignore, chunk, keys, wts):
    """Per-token sort keys (and weights) for equal-mass bins.

    ``keys[i] = (bits of the float64 confidence) << 1 | correct``: for the
    non-negative confidences the IEEE bits order like the values (``-0.0`` is
    folded onto ``0.0``), so sorting the keys sorts the tokens by confidence
    (ties stay adjacent; bit 0 carries the correctness).  Tokens that are not
    counted (masked, ignored, weight 0) get :data:`DROPPED`.  With weights,
    ``wts[i]`` receives the token's weight (pass an empty array without).
    Validation as in :func:`calibration_chunks`.

    Returns
    -------
    kept : int64 (n_chunks,)
        Counted tokens per chunk.
    bad_index, bad_code : int64 (n_chunks,)
    """
    n_chunks = (yt.shape[0] + chunk - 1) // chunk
    kept = np.zeros(n_chunks, dtype=np.int64)
    bad_index = np.full(n_chunks, -1, dtype=np.int64)
    bad_code = np.zeros(n_chunks, dtype=np.int64)
    over_chunks(_keys_range, n_chunks, yt, yp, K, w, rep, mask, ignore, chunk, keys, wts,
                kept, bad_index, bad_code)
    return kept, bad_index, bad_code


@njit(cache=True, nogil=True)
def _keys_range(c_lo, c_hi, yt, yp, K, w, rep, mask, ignore, chunk, keys, wts,
                kept, bad_index, bad_code):
    """Chunks ``c_lo..c_hi`` of :func:`calibration_keys`: writes their tokens
    of ``keys`` (and ``wts``) and their entries of ``kept``, ``bad_index``,
    ``bad_code``."""
    n = yt.shape[0]
    # the float64 confidence's bits, through a one-element array and its view
    box = np.zeros(1, dtype=np.float64)
    bits = box.view(np.uint64)
    for c in range(c_lo, c_hi):
        start = c * chunk
        end = min(n, start + chunk)
        g = start // rep
        r = start - g * rep
        nk = 0
        for i in range(start, end):
            keys[i] = DROPPED
            wi = 1.0
            if w is not None:
                wi = w[g]
                wts[i] = wi
                r += 1
                if r == rep:
                    r = 0
                    g += 1
            code, x, corr = _check_token(yt, yp, i, K, wi, w, mask, ignore)
            if code == _SKIP:
                continue
            if code != 0:
                bad_index[c] = i
                bad_code[c] = code
                break
            if wi > 0.0:
                box[0] = x + 0.0  # folds -0.0 onto 0.0
                keys[i] = (bits[0] << np.uint64(1)) | np.uint64(corr != 0.0)
                nk += 1
        kept[c] = nk


def quantile_scan(sk, conf, sw, n_bins):
    """Equal-mass bins over sorted keys: one pass, in sorted order.

    ``sk`` are the sorted keys of the counted tokens, ``conf`` their
    confidences, ``sw`` their weights in the same order (or None: all 1).
    ``S`` accumulates the weights in sorted order; a tie group (equal
    confidence) with cumulative weight ``S`` at its end goes to bin
    ``#{k in 1..n-1 : k * W < n * S}``.

    Returns
    -------
    edges : float64 (n_bins + 1,)
        ``edges[k]`` = smallest confidence of a bin >= k (``q_k``); the last is
        the largest confidence.
    count : int64 (n_bins,)
    wsum, csum, asum : float64 (n_bins,)
    """
    m = sk.shape[0]
    count = np.zeros(n_bins, dtype=np.int64)
    wsum = np.zeros(n_bins, dtype=np.float64)
    csum = np.zeros(n_bins, dtype=np.float64)
    asum = np.zeros(n_bins, dtype=np.float64)
    edges = np.empty(n_bins + 1, dtype=np.float64)
    total = 0.0
    if sw is None:
        total = float(m)
    else:
        for i in range(m):
            total += sw[i]
    edges[0] = conf[0]
    edges[n_bins] = conf[m - 1]
    nb = float(n_bins)
    prev = 0  # edges[1..prev] are set
    cum = 0.0
    i = 0
    while i < m:
        key = sk[i] >> np.uint64(1)
        j = i
        while j < m and (sk[j] >> np.uint64(1)) == key:
            cum += 1.0 if sw is None else sw[j]
            j += 1
        target = nb * cum
        b = np.int64(target / total)  # estimate, then settle on the exact count
        if b > n_bins - 1:
            b = n_bins - 1
        while b > 0 and b * total >= target:
            b -= 1
        while b < n_bins - 1 and (b + 1) * total < target:
            b += 1
        while prev < b:
            prev += 1
            edges[prev] = conf[i]
        for q in range(i, j):
            wi = 1.0 if sw is None else sw[q]
            count[b] += 1
            wsum[b] += wi
            csum[b] += wi * conf[q]
            asum[b] += wi * np.float64(sk[q] & np.uint64(1))
        i = j
    return edges, count, wsum, csum, asum


quantile_scan = njit(cache=True)(quantile_scan)

# one function serves every size (the NumPy tier answers below config.NUMPY_MAX)
calibration_keys_serial = calibration_keys
