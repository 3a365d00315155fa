"""Ranking kernels (CPU, Numba): exact ordering of scores without a comparison sort.

Scores are mapped to order-preserving unsigned integer keys (float32 ->
uint32, float64 -> uint64; -0.0 is folded onto +0.0 so that the two tie, as
they compare equal), then sorted by an LSD radix sort carrying the token
index.  Digits whose value is the same for every key (the high bits of
scores crowded in [0, 1], say) are skipped.  The binary curve is then one scan
in descending score order that accumulates true and false positives in float64
and emits one point per distinct score, exactly like scikit-learn's
``confusion_matrix_at_thresholds``.
"""

import numpy as np
from numba import njit

_DIGIT_BITS = 11
_RADIX = 1 << _DIGIT_BITS


@njit(cache=True)
def _first_nonfinite(scores):
    for i in range(scores.shape[0]):
        if not (abs(scores[i]) < np.inf):
            return i
    return -1


@njit(cache=True)
def _order_key(b, x, sign):
    """Order-preserving unsigned key of a float with bits ``b`` (``sign`` = its
    sign bit): flip the sign bit of positives, all bits of negatives; -0.0 is
    folded onto +0.0 so that the two tie, as they compare equal."""
    if x == 0:
        b = b & ~sign
    return b ^ sign if (b & sign) == 0 else ~b


@njit(cache=True)
def keys_from_float(scores, bits, sign, keys):
    """Keys of float scores (``bits`` is their unsigned view, uint32 for float32,
    uint64 for float64); returns the index of the first NaN/inf or -1."""
    bad = _first_nonfinite(scores)
    if bad >= 0:
        return bad
    for i in range(scores.shape[0]):
        keys[i] = _order_key(bits[i], scores[i], sign)
    return -1


@njit(cache=True)
def binary_curve(perm, skeys, y, w):
    """False/true positive sums at each distinct score, in descending score order.

    Parameters
    ----------
    perm : int64 (n,)   ascending order of the keys
    skeys : (n,)        the keys in that order
    y : (n,) bool/int   1 for the positive class
    w : float64 (n,) or None

    Returns
    -------
    fps, tps : float64 (n_thresholds,)
    idx : int64 (n_thresholds,)  token index of each threshold's score
    """
    n = perm.shape[0]
    fps = np.empty(n, dtype=np.float64)
    tps = np.empty(n, dtype=np.float64)
    idx = np.empty(n, dtype=np.int64)
    tp = 0.0
    fp = 0.0
    k = 0
    for r in range(n - 1, -1, -1):
        i = perm[r]
        wi = 1.0 if w is None else w[i]
        if y[i]:
            tp += wi
        else:
            fp += wi
        if r == 0 or skeys[r - 1] != skeys[r]:
            fps[k] = fp
            tps[k] = tp
            idx[k] = i
            k += 1
    return fps[:k], tps[:k], idx[:k]


@njit(cache=True)
def _add_point(area, ap, tp, fp, tp_prev, fp_prev):
    """Add the ROC trapezoid and the AP step of one curve point."""
    area += (fp - fp_prev) * (tp + tp_prev) * 0.5
    if tp + fp > 0:
        ap += (tp - tp_prev) * (tp / (tp + fp))
    return area, ap


@njit(cache=True)
def _finish_auc_ap(area, ap, tp, fp):
    """(auc, ap, TP, FP); NaN where the totals leave them undefined."""
    auc = np.nan if (tp <= 0 or fp <= 0) else area / (fp * tp)
    return auc, (ap / tp if tp > 0 else np.nan), tp, fp


@njit(cache=True)
def binary_auc_ap(perm, skeys, y, w):
    """ROC AUC and average precision in one descending scan, without the curve.

    The same trapezoids (ROC) and steps (AP) as scikit-learn's curves, summed
    as the points come: ``auc = sum (fp_k - fp_{k-1}) (tp_k + tp_{k-1}) / 2
    / (FP * TP)`` and ``ap = sum (tp_k - tp_{k-1}) / TP * tp_k / (tp_k + fp_k)``.

    Returns
    -------
    auc, ap, TP, FP : float64
        ``auc`` / ``ap`` are NaN when TP or FP is 0 (the caller warns).
    """
    n = perm.shape[0]
    tp = 0.0
    fp = 0.0
    tp_prev = 0.0
    fp_prev = 0.0
    area = 0.0
    ap = 0.0
    for r in range(n - 1, -1, -1):
        i = perm[r]
        wi = 1.0 if w is None else w[i]
        if y[i]:
            tp += wi
        else:
            fp += wi
        if r == 0 or skeys[r - 1] != skeys[r]:
            area, ap = _add_point(area, ap, tp, fp, tp_prev, fp_prev)
            tp_prev = tp
            fp_prev = fp
    return _finish_auc_ap(area, ap, tp, fp)


@njit(cache=True)
def packed_keys_f32(scores, positive, out):
    """uint64 keys ``(order key of the float32 score) << 1 | is_positive``.

    Sorting them orders by score and carries the label in the key, so the
    unweighted scan needs no permutation and no gather.  Returns the index of
    the first NaN/inf score or -1.
    """
    bad = _first_nonfinite(scores)
    if bad >= 0:
        return bad
    bits = scores.view(np.uint32)
    sign = np.uint32(0x80000000)
    for i in range(scores.shape[0]):
        k = _order_key(bits[i], scores[i], sign)
        out[i] = (np.uint64(k) << np.uint64(1)) | np.uint64(1 if positive[i] else 0)
    return -1


@njit(cache=True)
def first_distinct(y, out):
    """Write up to ``len(out)`` distinct values of ``y`` (in order of first
    appearance) into ``out``; return how many were found (stops early)."""
    k = 0
    cap = out.shape[0]
    for i in range(y.shape[0]):
        v = y[i]
        seen = False
        for j in range(k):
            if out[j] == v:
                seen = True
                break
        if not seen:
            if k == cap:
                return k + 1
            out[k] = v
            k += 1
    return k


@njit(cache=True)
def radix_sort(keys, vals, nbits):
    """Ascending LSD radix sort of unsigned keys, carrying ``vals`` (or None).

    One pass computes the histograms of every digit; digits that are the same
    for all keys are skipped.  Returns sorted copies ``(keys, vals)``.
    """
    n = keys.shape[0]
    ndig = (nbits + _DIGIT_BITS - 1) // _DIGIT_BITS
    hist = np.zeros((ndig, _RADIX), dtype=np.int64)
    mask = np.uint64(_RADIX - 1)
    for i in range(n):
        k = np.uint64(keys[i])
        for d in range(ndig):
            hist[d, (k >> np.uint64(d * _DIGIT_BITS)) & mask] += 1
    cur = keys.copy()
    tmp = np.empty_like(keys)
    if vals is not None:
        vcur = vals.copy()
        vtmp = np.empty_like(vals)
    for d in range(ndig):
        h = hist[d]
        constant = False
        for b in range(_RADIX):
            if h[b] == n:
                constant = True
            if h[b] != 0:
                break
        if constant:
            continue
        total = 0
        for b in range(_RADIX):
            c = h[b]
            h[b] = total
            total += c
        sh = np.uint64(d * _DIGIT_BITS)
        for i in range(n):
            k = cur[i]
            b = (np.uint64(k) >> sh) & mask
            pos = h[b]
            h[b] = pos + 1
            tmp[pos] = k
            if vals is not None:
                vtmp[pos] = vcur[i]
        cur, tmp = tmp, cur
        if vals is not None:
            vcur, vtmp = vtmp, vcur
    if vals is not None:
        return cur, vcur
    return cur, None


@njit(cache=True)
def binary_auc_ap_packed(skeys, sw):
    """``binary_auc_ap`` for sorted packed keys (label in bit 0), with the
    weights sorted alongside (or None): a sequential scan, no gathers."""
    n = skeys.shape[0]
    tp = 0.0
    fp = 0.0
    tp_prev = 0.0
    fp_prev = 0.0
    area = 0.0
    ap = 0.0
    one = np.uint64(1)
    for r in range(n - 1, -1, -1):
        k = skeys[r]
        wi = 1.0 if sw is None else sw[r]
        if k & one:
            tp += wi
        else:
            fp += wi
        if r == 0 or (skeys[r - 1] >> one) != (k >> one):
            area, ap = _add_point(area, ap, tp, fp, tp_prev, fp_prev)
            tp_prev = tp
            fp_prev = fp
    return _finish_auc_ap(area, ap, tp, fp)


@njit(cache=True)
def keys_from_int(scores, keys):
    """uint64 order-preserving keys of integer scores (exact beyond 2**53)."""
    sign = np.uint64(0x8000000000000000)
    for i in range(scores.shape[0]):
        keys[i] = np.uint64(np.int64(scores[i])) ^ sign
    return -1
