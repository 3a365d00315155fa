"""Parallel exact sort of order-preserving keys, and the AUC / curve scans over it.

The keys are unsigned integers (uint32 or uint64) already shifted so that the
smallest is 0; their top ``_FINE_BITS`` bits index a fine histogram, computed
while the keys are made.  Consecutive fine bins are grouped into buckets of
about ``_TARGET`` keys (a bucket never splits a fine bin, so tied keys always
share a bucket), the keys are scattered into their buckets in one pass
(parallel over fixed-size chunks, each chunk with its own write offsets: the
result does not depend on the thread count), and every bucket is then sorted
in cache by a small LSD radix sort (parallel over buckets).

Because the buckets are ordered ranges of keys, every scan can also run bucket
by bucket in parallel: the true/false positive totals before each bucket are
a prefix sum over the buckets, so each bucket's share of the AUC, the average
precision or the curve points is computed independently and the shares are
added in bucket order (deterministic).

"In parallel" means serial ``nogil`` range kernels, ``kernel(lo, hi, ...)``
over chunks ``lo..hi`` (or buckets), run on threads by
``_threads.over_chunks``; the public functions are Python wrappers that
allocate the per-chunk / per-bucket outputs, run the ranges and reduce.

Packed keys carry the label in bit 0: ``((key - kmin) << 1) | is_positive``.
"""

import numpy as np
from numba import njit

from ._threads import over_chunks

CHUNK = 1 << 20          # tokens per chunk of the parallel passes (fixed)
_FINE_BITS = 16
_TARGET = 1 << 15         # keys per bucket (fits L2 with a float64 payload)
_BLOCK = 1024             # keys computed per block before they are counted


@njit(cache=True, inline="always")
def _order_key(b, sign):
    """Order-preserving unsigned key (as uint64) of a float from its bits
    ``b`` (``sign`` = its sign bit), branch-free: flip the sign bit of
    positives, all bits of negatives; -0.0 is folded onto +0.0 so that the two
    tie.  Computed in uint64 with the width's mask (numba widens uint32)."""
    b64 = np.uint64(b)
    s64 = np.uint64(sign)
    b64 = b64 if b64 != s64 else np.uint64(0)
    m = (s64 | (s64 - np.uint64(1))) if (b64 & s64) != 0 else s64
    return b64 ^ m


@njit(cache=True, inline="always")
def _block_keys(bits, sign, kmin, y, pos, a, b, buf):
    """Packed keys ``((order key - kmin) << 1) | (y == pos)`` of tokens a..b
    into ``buf``, in a loop of its own over local slices so that it
    vectorises (fused with the histogram or scatter loop it stays scalar)."""
    one = np.uint64(1)
    k0 = np.uint64(kmin)
    bb = bits[a:b]
    yy = y[a:b]
    for t in range(b - a):
        buf[t] = ((_order_key(bb[t], sign) - k0) << one) | np.uint64(yy[t] == pos)
    return b - a


@njit(cache=True, nogil=True)
def _keys_range(c_lo, c_hi, bits, sign, kmin, y, pos, w, sh, scatter, hist, bmap, offs,
                dk, dw):
    """Chunks ``c_lo..c_hi`` of the packed keys: without ``scatter`` their
    rows of the fine histogram ``hist`` (of ``key >> sh``); with it, their
    keys (and weights) written into their buckets, chunk ``c`` from its own
    offsets ``offs[c]`` (so the order is stable and the chunks write disjoint
    slots of ``dk``/``dw``).  One kernel for both passes: one compile."""
    n = bits.shape[0]
    # allocated here, not passed in: the compiler then knows that the block
    # and the offsets do not alias dk / dw (the scatter runs 10 % faster)
    kb = np.empty(_BLOCK, dtype=np.uint64)
    for c in range(c_lo, c_hi):
        a = c * CHUNK
        b = min(n, a + CHUNK)
        h = hist[c]
        o = offs[c if scatter else 0].copy()
        for a0 in range(a, b, _BLOCK):
            m = _block_keys(bits, sign, kmin, y, pos, a0, min(b, a0 + _BLOCK), kb)
            if not scatter:
                for t in range(m):
                    h[kb[t] >> sh] += 1
                continue
            for t in range(m):
                k = kb[t]
                j = bmap[k >> sh]
                p = o[j]
                o[j] = p + 1
                dk[p] = k
                if w is not None:
                    dw[p] = w[a0 + t]


def _plan(hist):
    """Group consecutive fine bins into buckets of about ``_TARGET`` keys:
    a bucket starts at a non-empty bin that would take a non-empty bucket
    past ``_TARGET`` keys (so buckets are never empty and a bin larger than
    ``_TARGET`` is a bucket of its own).  NumPy: one ``searchsorted`` per
    bucket on the cumulated bin counts.

    Returns (bucket of each fine bin (int32), bucket starts (nb + 1,),
    first fine bin of each bucket (nb + 1,), the last entry = number of
    fine bins), both int64.
    """
    nf = hist.shape[1]
    cum = hist.sum(axis=0, dtype=np.int64).cumsum()  # keys in bins 0..f
    find = cum.searchsorted
    starts = [0]
    bfirst = [0]
    f1 = int(find(0, "right"))  # first non-empty bin of the bucket
    base = 0  # keys before the bucket
    while f1 < nf:
        # the next bucket starts at the first bin whose keys take the bucket
        # past _TARGET (necessarily non-empty), but never at the bucket's
        # first non-empty bin
        f = int(find(max(base + _TARGET, int(cum[f1])), "right"))
        if f >= nf:
            break
        base = int(cum[f - 1])
        starts.append(base)
        bfirst.append(f)
        f1 = f
    starts.append(int(cum[nf - 1]))
    bfirst.append(nf)
    bfirst = np.array(bfirst, dtype=np.int64)
    bmap = np.repeat(np.arange(len(bfirst) - 1, dtype=np.int32), np.diff(bfirst))
    return bmap, np.array(starts, dtype=np.int64), bfirst


def _chunk_offsets(hist, bfirst, starts):
    """Write offset of each (chunk, bucket) for the scatter: bucket start plus
    the counts of the earlier chunks (int64, C-contiguous)."""
    cnt = np.add.reduceat(hist, bfirst[:-1], axis=1, dtype=np.int64)
    offs = np.cumsum(cnt, axis=0)
    offs -= cnt
    offs += starts[:-1]
    return offs


@njit(cache=True, nogil=True)
def _sort_range(j_lo, j_hi, k, v, starts, bfirst, sh, scan, tot, nd, first):
    """Sort buckets ``j_lo..j_hi`` in place (keys ``k``, weights ``v`` or
    None alongside) and write their rows of ``tot`` (positive, negative
    totals; unit weights when ``v`` is None) and, with ``scan``, of ``nd`` and
    ``first`` (see ``_scan_bucket``)."""
    one = np.uint64(1)
    for j in range(j_lo, j_hi):
        a = starts[j]
        b = starts[j + 1]
        lo = np.uint64(bfirst[j]) << sh
        span = (np.uint64(bfirst[j + 1] - bfirst[j]) << sh) - one
        tp, fp = _sort_bucket(k, v, a, b, lo, span)
        if scan:
            tp, fp = _scan_bucket(k, v, a, b, j, nd, first)
        tot[j, 0] = tp
        tot[j, 1] = fp


@njit(cache=True, inline="always")
def _sort_bucket(k, v, a, b, lo, span):
    """LSD radix sort of k[a:b] (and v alongside) in place; returns the
    bucket's positive and negative weight totals (label in bit 0), summed in
    the histogram pass.

    Every key of the bucket lies in ``[lo, lo + span]`` (known from its fine
    bins), so the digits cover only ``span``'s bits, split evenly into passes
    of at most 11 bits; digits constant over the bucket are skipped.  Passes
    alternate between the bucket and a scratch copy (``src`` / ``dst`` swap).
    """
    one = np.uint64(1)
    m = b - a
    nbits = 0
    while span > 0:
        nbits += 1
        span >>= one
    ndig = (nbits + 10) // 11
    width = (nbits + ndig - 1) // ndig if ndig > 0 else 1
    radix = 1 << width
    dmask = np.uint64(radix - 1)
    hist = np.zeros(max(ndig, 1) * radix, dtype=np.int64)
    src = k[a:b]
    tp = 0.0
    fp = 0.0
    for i in range(m):
        x = np.uint64(src[i])
        lab = np.float64(x & one)
        wi = 1.0 if v is None else v[a + i]
        tp += wi * lab
        fp += wi * (1.0 - lab)
        x = x - lo
        for d in range(ndig):
            hist[d * radix + np.int64((x >> np.uint64(width * d)) & dmask)] += 1
    dst = np.empty(m, dtype=k.dtype)
    if v is not None:
        vsrc = v[a:b]
        vdst = np.empty(m, dtype=v.dtype)
    moved = False
    for d in range(ndig):
        h = hist[d * radix:(d + 1) * radix]
        if _prefix_offsets(h, m):  # False: the digit is constant
            dsh = np.uint64(width * d)
            for i in range(m):
                x = src[i]
                q = ((np.uint64(x) - lo) >> dsh) & dmask
                p = h[q]
                h[q] = p + 1
                dst[p] = x
                if v is not None:
                    vdst[p] = vsrc[i]
            src, dst = dst, src
            if v is not None:
                vsrc, vdst = vdst, vsrc
            moved = not moved
    if moved:  # the sorted keys are in the scratch copy
        for i in range(m):
            k[a + i] = src[i]
            if v is not None:
                v[a + i] = vsrc[i]
    return tp, fp


@njit(cache=True, inline="always")
def _prefix_offsets(h, m):
    """Turn a digit's histogram ``h`` (of ``m`` keys) into start offsets;
    False (``h`` unchanged) when one value holds every key."""
    for q in range(h.shape[0]):
        if h[q] == m:
            return False
        if h[q] != 0:
            break
    t = 0
    for q in range(h.shape[0]):
        c = h[q]
        h[q] = t
        t += c
    return True


@njit(cache=True, inline="always")
def _scan_bucket(k, v, a, b, j, nd, first):
    """A pass over sorted bucket ``j`` (keys ``a..b``) while it is still in
    cache: returns its totals summed from the top down (the curve scans'
    order) and writes its number of distinct scores into ``nd[j]`` and the
    sums at its first point into ``first[j]``."""
    one = np.uint64(1)
    tp = 0.0
    fp = 0.0
    c = 0
    for r in range(b - 1, a - 1, -1):
        x = np.uint64(k[r])
        lab = np.float64(x & one)
        wi = 1.0 if v is None else v[r]
        tp += wi * lab
        fp += wi * (1.0 - lab)
        close = r == a or (np.uint64(k[r - 1]) >> one) != (x >> one)
        if c == 0 and close:  # branch on c == 0: taken once
            first[j, 0] = tp
            first[j, 1] = fp
        c += 1 if close else 0
    nd[j] = c
    return tp, fp


def _prefault(a):
    """Touch every page of a fresh 1-D array from one thread: concurrent first
    touches from several threads are several times slower here."""
    a[::max(1, 4096 // a.itemsize)] = 0


def bucket_sort(bits, sign, kmin, y, pos, w, shift, dk, dw, scan):
    """Sort the packed keys of the scores with bits ``bits`` (label ``y == pos``,
    fine bins of ``key >> shift``) into ``dk`` (uint32 or uint64, length n),
    carrying ``w`` into ``dw`` (or None); returns the bucket starts, the
    per-bucket (positive, negative) weight totals and, with ``scan``, the
    curve scans' per-bucket data (see ``_sort_range``).

    Parameters
    ----------
    bits : uint32 / uint64 (n,)          bit patterns of finite float32 /
                                         float64 scores (a view)
    sign : the sign bit of that width
    kmin : order key of the smallest score (the bits' dtype)
    y : (n,) labels;  pos : the positive label
    """
    nch = (bits.shape[0] + CHUNK - 1) // CHUNK
    hist = np.zeros((nch, 1 << _FINE_BITS), dtype=np.int32)
    sh = np.uint64(shift)
    over_chunks(_keys_range, nch, bits, sign, kmin, y, pos, w, sh, False, hist,
                np.empty(0, dtype=np.int32), np.empty((1, 0), dtype=np.int64), dk, dw)
    bmap, starts, bfirst = _plan(hist)
    offs = _chunk_offsets(hist, bfirst, starts)
    _prefault(dk)
    if w is not None:
        _prefault(dw)
    over_chunks(_keys_range, nch, bits, sign, kmin, y, pos, w, sh, True, hist, bmap, offs,
                dk, dw)
    nb = starts.shape[0] - 1
    tot = np.empty((nb, 2), dtype=np.float64)
    nd = np.zeros(nb if scan else 0, dtype=np.int64)
    first = np.zeros((nb if scan else 0, 2), dtype=np.float64)
    over_chunks(_sort_range, nb, dk, dw, starts, bfirst, sh, bool(scan), tot, nd, first)
    return starts, tot, nd, first


# ---------------------------------------------------------------- scans

def _prefix_from_top(tot):
    """Totals of the buckets above each bucket (descending score order), and
    the grand totals: sums from the top bucket down (``cumsum`` adds in
    order, as a loop would)."""
    nb = tot.shape[0]
    acc = np.cumsum(tot[::-1], axis=0)  # acc[i]: the top i + 1 buckets
    before = np.zeros((nb, 2), dtype=np.float64)
    before[:nb - 1] = acc[:nb - 1][::-1]
    if nb == 0:
        return before, 0.0, 0.0
    return before, float(acc[nb - 1, 0]), float(acc[nb - 1, 1])


@njit(cache=True, inline="always")
def _block_points(sk, sw, r, lo, a, tp, fp, tp0, fp0, bt, bf, bk, q):
    """Reduce keys ``r`` down to ``lo`` (descending) to curve points, branch
    free: each key writes slot ``q`` with the running sums ``(tp0 + tp,
    fp0 + fp)`` and its key, and the last key of a run of tied scores (the
    one that closes the point; ``a`` = the bucket's first key) moves ``q``
    on.  An open run at ``lo`` is carried in ``tp``/``fp``.  Returns
    (q, tp, fp)."""
    one = np.uint64(1)
    for rr in range(r, lo - 1, -1):
        k = np.uint64(sk[rr])
        lab = np.float64(k & one)
        wi = 1.0 if sw is None else sw[rr]
        tp += wi * lab
        fp += wi * (1.0 - lab)
        bt[q] = tp0 + tp
        bf[q] = fp0 + fp
        bk[q] = sk[rr]
        q += 1 if (rr == a or (np.uint64(sk[rr - 1]) >> one) != (k >> one)) else 0
    return q, tp, fp


def auc_ap_sorted(sk, sw, starts, tot):
    """ROC AUC and average precision from sorted packed keys (label in bit 0)
    with the weights sorted alongside (or None) and the bucket totals;
    returns (auc, ap, TP, FP).

    Each bucket's trapezoids and precision steps are summed starting from the
    totals above it; the per-bucket sums are added in bucket order, so the
    result does not depend on the thread count.
    """
    before, TP, FP = _prefix_from_top(tot)
    nb = starts.shape[0] - 1
    parts = np.zeros((nb, 2), dtype=np.float64)
    over_chunks(_auc_ap_range, nb, sk, sw, starts, before, parts)
    area = 0.0
    ap = 0.0
    for pa, pp in parts[::-1].tolist():  # top bucket first, as the scan runs
        area += pa
        ap += pp
    auc = np.nan if (TP <= 0 or FP <= 0) else area / (FP * TP)
    return auc, (ap / TP if TP > 0 else np.nan), TP, FP


@njit(cache=True, nogil=True)
def _auc_ap_range(j_lo, j_hi, sk, sw, starts, before, parts):
    """Buckets ``j_lo..j_hi`` of :func:`auc_ap_sorted`: writes their rows of
    ``parts`` (trapezoid sum, precision-step sum), each bucket scanned from
    its top starting at the totals above it.  Blocks of keys are first
    reduced to their curve points (``_block_points``, slot 0 holding the
    previous point), then the points' terms are summed in a vectorisable
    loop."""
    ptp = np.empty(_BLOCK + 1, dtype=np.float64)
    pfp = np.empty(_BLOCK + 1, dtype=np.float64)
    pk = np.empty(_BLOCK + 1, dtype=sk.dtype)
    for j in range(j_lo, j_hi):
        a = starts[j]
        tp0 = before[j, 0]
        fp0 = before[j, 1]
        area = 0.0
        ap = 0.0
        ptp[0] = tp0
        pfp[0] = fp0
        tp = 0.0
        fp = 0.0
        r = starts[j + 1] - 1
        while r >= a:
            lo = max(a, r - _BLOCK + 1)
            q, tp, fp = _block_points(sk, sw, r, lo, a, tp, fp, tp0, fp0, ptp, pfp, pk, 1)
            for t in range(1, q):
                area += (pfp[t] - pfp[t - 1]) * (ptp[t] + ptp[t - 1])
                ap += (ptp[t] - ptp[t - 1]) * (ptp[t] / max(ptp[t] + pfp[t], 1e-300))
            # the last point of the block starts the next one
            ptp[0] = ptp[q - 1]
            pfp[0] = pfp[q - 1]
            r = lo - 1
        parts[j, 0] = area * 0.5
        parts[j, 1] = ap


# ------------------------------------------------------- curve post-processing

@njit(cache=True, inline="always")
def _keep_point(fps, tps, i, m, mode):
    if i == 0 or i == m - 1:
        return True
    if mode == 1:
        return ((fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0) or (
            (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0)
    return (tps[i] - tps[i - 1] != 0) or (tps[i + 1] - tps[i] != 0)


def keep_points(fps, tps, kk, mode):
    """The curve points kept by ``drop_intermediate`` (compacted copies).

    mode 1 (ROC): keep the ends and the inner points where the second
    difference of ``fps`` or of ``tps`` is non-zero (scikit-learn's
    ``np.diff(x, 2)``, computed as the same difference of differences);
    mode 2 (PR): keep the ends and the inner points where ``tps`` changes on
    either side.  Two parallel passes over fixed chunks: count, then write.
    """
    nch = (fps.shape[0] + CHUNK - 1) // CHUNK
    cnt = np.zeros(nch + 1, dtype=np.int64)
    dummy_f = np.empty(0, dtype=np.float64)
    dummy_k = np.empty(0, dtype=kk.dtype)
    # count pass: cnt[c + 1] = kept points of chunk c (nothing is written)
    over_chunks(_keep_range, nch, fps, tps, kk, mode, False, cnt, dummy_f, dummy_f, dummy_k)
    np.cumsum(cnt, out=cnt)  # cnt[c]: first output slot of chunk c
    q = int(cnt[nch])
    f2 = np.empty(q, dtype=np.float64)
    t2 = np.empty(q, dtype=np.float64)
    k2 = np.empty(q, dtype=kk.dtype)
    _prefault(f2)
    _prefault(t2)
    _prefault(k2)
    over_chunks(_keep_range, nch, fps, tps, kk, mode, True, cnt, f2, t2, k2)
    return f2, t2, k2


@njit(cache=True, nogil=True)
def _keep_range(c_lo, c_hi, fps, tps, kk, mode, write, cnt, f2, t2, k2):
    """Chunks ``c_lo..c_hi`` of :func:`keep_points`: without ``write``, store
    the number of kept points of chunk ``c`` in ``cnt[c + 1]``; with it, write
    the kept points of chunk ``c`` from slot ``cnt[c]`` on."""
    m = fps.shape[0]
    for c in range(c_lo, c_hi):
        q = cnt[c] if write else 0
        for i in range(c * CHUNK, min(m, (c + 1) * CHUNK)):
            if _keep_point(fps, tps, i, m, mode):
                if write:
                    f2[q] = fps[i]
                    t2[q] = tps[i]
                    k2[q] = kk[i]
                q += 1
        if not write:
            cnt[c + 1] = q


def decode_keys(kk, kmin, sign, out):
    """Scores (as their bits, into ``out``) of packed keys: the inverse of
    ``_order_key`` after ``(k >> 1) + kmin``."""
    over_chunks(_decode_range, (kk.shape[0] + CHUNK - 1) // CHUNK, kk, kmin, sign, out)


@njit(cache=True, nogil=True)
def _decode_range(c_lo, c_hi, kk, kmin, sign, out):
    """Chunks ``c_lo..c_hi`` of :func:`decode_keys`: writes their ``out``."""
    one = np.uint64(1)
    s64 = np.uint64(sign)
    full = s64 | (s64 - one)
    # local slices indexed from 0: no negative-index checks, so the loop
    # vectorises (twice as fast as indexing kk and out from c_lo * CHUNK)
    src = kk[c_lo * CHUNK:c_hi * CHUNK]
    dst = out[c_lo * CHUNK:c_hi * CHUNK]
    for t in range(src.shape[0]):
        ok = (np.uint64(src[t]) >> one) + np.uint64(kmin)
        dst[t] = ok ^ s64 if (ok & s64) != 0 else ok ^ full


@njit(cache=True, inline="always")
def _key_bits(key, kmin, sign):
    """The score bits of one packed key (``_decode_range``'s formula)."""
    one = np.uint64(1)
    s64 = np.uint64(sign)
    ok = (np.uint64(key) >> one) + np.uint64(kmin)
    return ok ^ s64 if (ok & s64) != 0 else ok ^ (s64 | (s64 - one))


def roc_rates(fps, tps):
    """``fpr, tpr`` with the leading (0, 0) point: sums over the last sums
    (NaN when that total is 0)."""
    # one NumPy division per array, written in place: memory speed, no kernel
    m = fps.shape[0]
    FP = fps[m - 1]
    TP = tps[m - 1]
    fpr = np.empty(m + 1, dtype=np.float64)
    tpr = np.empty(m + 1, dtype=np.float64)
    for r, x, tot in ((fpr, fps, FP), (tpr, tps, TP)):
        if tot > 0:
            r[0] = 0.0
            np.divide(x, tot, out=r[1:])
        else:
            r.fill(np.nan)
    return fpr, tpr


def pr_rates(fps, tps):
    """``precision, recall`` in increasing-threshold order with the final
    (1, 0) point, as scikit-learn's ``precision_recall_curve``."""
    m = fps.shape[0]
    prec = np.empty(m + 1, dtype=np.float64)
    rec = np.empty(m + 1, dtype=np.float64)
    _prefault(prec)
    _prefault(rec)
    over_chunks(_pr_range, (m + CHUNK - 1) // CHUNK, fps, tps, prec, rec)
    prec[m] = 1.0
    rec[m] = 0.0
    return prec, rec


@njit(cache=True, nogil=True)
def _pr_range(c_lo, c_hi, fps, tps, prec, rec):
    """Output slots ``c_lo * CHUNK`` to ``c_hi * CHUNK`` of :func:`pr_rates`
    (point ``m - 1 - i`` goes to slot ``i``)."""
    m = fps.shape[0]
    TP = tps[m - 1]
    for i in range(c_lo * CHUNK, min(m, c_hi * CHUNK)):
        j = m - 1 - i
        ps = tps[j] + fps[j]
        prec[i] = tps[j] / ps if ps != 0 else 0.0
        rec[i] = tps[j] / TP if TP != 0 else 1.0


# ------------------------------------------------------------- label values

def min_max(y):
    """(min, max, number of NaNs) of a non-empty array, parallel over chunks."""
    # a kernel, not NumPy: one fused pass is twice as fast as NumPy's min and
    # max on integer labels, and keeps the first of equal extremes (-0.0 / 0.0)
    nch = (y.shape[0] + CHUNK - 1) // CHUNK
    lo = np.empty(nch, dtype=y.dtype)
    hi = np.empty(nch, dtype=y.dtype)
    nan = np.zeros(nch, dtype=np.int64)
    over_chunks(_min_max_range, nch, y, lo, hi, nan)
    return _first_extreme(lo.tolist(), False), _first_extreme(hi.tolist(), True), int(
        nan.sum())


@njit(cache=True, nogil=True)
def _min_max_range(c_lo, c_hi, y, lo, hi, nan):
    """Chunks ``c_lo..c_hi`` of :func:`min_max`: writes their ``lo``, ``hi``
    and ``nan`` (NaN count)."""
    n = y.shape[0]
    for c in range(c_lo, c_hi):
        a = c * CHUNK
        b = min(n, a + CHUNK)
        mn = y[a]
        mx = y[a]
        bad = 0
        for i in range(a, b):
            v = y[i]
            mn = min(mn, v)
            mx = max(mx, v)
            bad += 1 if v != v else 0
        lo[c] = mn
        hi[c] = mx
        nan[c] = bad


def _first_extreme(vals, largest):
    """The chunks' reduction as Numba's ``min()`` / ``max()`` of an array:
    the first NaN if any, else the first of equal extremes (-0.0 / 0.0);
    Python scalars.  In Python: a handful of values does not pay a compile."""
    best = vals[0]
    for v in vals:
        if v != v:
            return v
        if (v > best) if largest else (v < best):
            best = v
    return best


def count_other(y, lo, hi):
    """How many values are neither ``lo`` nor ``hi``."""
    if y.dtype.kind in "iu" and 0 <= int(hi) - int(lo) < 4096:
        # integer labels: the counting kernel of small_range_counts (that the
        # caller runs next on multiclass labels: one compile for both)
        cnt = _range_counts(y, int(lo), int(hi) - int(lo) + 1)
        return int(cnt[-1] + cnt[1:-2].sum())  # outside, strictly between
    cnt = np.zeros((y.shape[0] + CHUNK - 1) // CHUNK, dtype=np.int64)
    over_chunks(_count_other_range, cnt.shape[0], y, lo, hi, cnt)
    return int(cnt.sum())


@njit(cache=True, nogil=True)
def _count_other_range(c_lo, c_hi, y, lo, hi, cnt):
    """Chunks ``c_lo..c_hi`` of :func:`count_other`: writes their ``cnt``."""
    n = y.shape[0]
    for c in range(c_lo, c_hi):
        q = 0
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            v = y[i]
            q += 0 if (v == lo or v == hi) else 1
        cnt[c] = q



# ------------------------------------------------ fused curve (points kept)

@njit(cache=True, inline="always")
def _keeps(mode, has_prev, has_next, ppt, ppf, pt, pf, ct, cf):
    """drop_intermediate's rule for the point (pt, pf) between (ppt, ppf) and
    (ct, cf); the first and last points are always kept."""
    # ``|`` not ``or``: no branch to mispredict on a random keep / drop
    end = (mode == 0) | (not has_prev) | (not has_next)
    if mode == 1:
        return end | ((cf - pf) - (pf - ppf) != 0) | ((ct - pt) - (pt - ppt) != 0)
    return end | (pt - ppt != 0) | (ct - pt != 0)


@njit(cache=True, inline="always")
def _write_point(q, tp, fp, key, r1, r2, kk, kmin, sign, TP, FP, roc, n_out):
    """Write kept point q (0 = highest score): its rates and its score's bits."""
    if roc:
        # slot 0 holds the leading (0, 0) point
        r1[q + 1] = fp / FP if FP > 0 else np.nan
        r2[q + 1] = tp / TP if TP > 0 else np.nan
        kk[q] = _key_bits(key, kmin, sign)
    else:
        # increasing-threshold order: point q goes to slot n_out - 1 - q
        i = n_out - 1 - q
        ps = tp + fp
        r1[i] = tp / ps if ps != 0 else 0.0
        r2[i] = tp / TP if TP != 0 else 1.0
        kk[i] = _key_bits(key, kmin, sign)


def curve_rates(sk, sw, starts, mode, roc, tot, nd, first, raw, kmin, sign):
    """ROC (``roc``) or precision-recall arrays straight from the sorted keys.

    ``raw`` (ROC only): the sums themselves instead of the rates.
    ``tot``, ``nd``, ``first``: per-bucket totals (summed from the top down),
    distinct counts and first-point sums, from ``bucket_sort(..., scan=True)``.
    ``mode``: 0 keeps every distinct score, 1 / 2 drop the points
    ``drop_intermediate`` drops for ROC / PR.  The neighbours of a bucket's
    end points are the end points of the adjacent buckets, known from the
    sort's scan, so kept points are counted and written bucket by bucket in
    parallel, without the full curve ever being stored.

    Returns
    -------
    r1, r2 : float64 (K + 1,)
        ROC: fpr, tpr with the leading (0, 0) point; PR: precision, recall in
        increasing-threshold order with the final (1, 0) point.
    kk : (K,) the kept points' scores as bits of ``sign``'s width (the packed
        keys decoded with ``kmin`` as they are written; ROC: descending
        scores, PR: ascending).
    TP, FP : float64 totals.
    """
    nb = starts.shape[0] - 1
    before, TP, FP = _prefix_from_top(tot)
    dT = 1.0 if raw else TP  # the divisors of the rates
    dF = 1.0 if raw else FP
    # end points of each bucket in global terms
    fst = before + first
    lst = before + tot
    dummy = np.empty(0, dtype=np.float64)
    dk = np.empty(0, dtype=sign.dtype)
    if mode == 0:
        kept = nd.copy()
    else:
        # count pass: out0 = -1 makes _walk_range count without writing
        kept = np.empty(nb, dtype=np.int64)
        over_chunks(_walk_range, nb, sk, sw, starts, before, fst, lst, mode,
                    np.full(nb, -1, dtype=np.int64), dummy, dummy, dk, kmin, sign, dT, dF, roc,
                    0, kept)
    # first output slot of each bucket: the points kept by the buckets above
    from_top = np.cumsum(kept[::-1])[::-1]  # from_top[j] = kept[j:].sum()
    K = int(from_top[0]) if nb else 0
    out0 = from_top - kept
    r1 = np.empty(K + 1, dtype=np.float64)
    r2 = np.empty(K + 1, dtype=np.float64)
    kk = np.empty(K, dtype=sign.dtype)
    _prefault(r1)
    _prefault(r2)
    _prefault(kk)
    if roc:
        r1[0] = 0.0 / dF if dF > 0 else np.nan
        r2[0] = 0.0 / dT if dT > 0 else np.nan
    else:
        r1[K] = 1.0
        r2[K] = 0.0
    over_chunks(_walk_range, nb, sk, sw, starts, before, fst, lst, mode, out0, r1, r2, kk,
                kmin, sign, dT, dF, roc, K, kept)
    return r1, r2, kk, TP, FP


@njit(cache=True, nogil=True)
def _walk_range(j_lo, j_hi, sk, sw, starts, before, fst, lst, mode, out0, r1, r2, kk,
                kmin, sign, dT, dF, roc, K, kept):
    """Buckets ``j_lo..j_hi`` of :func:`curve_rates`: writes each bucket's
    number of kept points into ``kept`` and, where ``out0[j] >= 0``, its kept
    points into ``r1``, ``r2``, ``kk`` from output slot ``out0[j]`` on.  The
    neighbours of a bucket's end points are the adjacent buckets' end points
    (``lst`` of the bucket below, ``fst`` of the one above)."""
    nb = starts.shape[0] - 1
    bt = np.empty(_BLOCK, dtype=np.float64)
    bf = np.empty(_BLOCK, dtype=np.float64)
    bk = np.empty(_BLOCK, dtype=sk.dtype)
    for j in range(j_lo, j_hi):
        hp = j < nb - 1
        hn = j > 0
        kept[j] = _walk_bucket(
            sk, sw, starts[j], starts[j + 1], before[j, 0], before[j, 1],
            hp, lst[j + 1, 0] if hp else 0.0, lst[j + 1, 1] if hp else 0.0,
            hn, fst[j - 1, 0] if hn else 0.0, fst[j - 1, 1] if hn else 0.0,
            mode, out0[j], kept[j], r1, r2, kk, kmin, sign, dT, dF, roc, K, bt, bf, bk)


@njit(cache=True)
def _walk_bucket(sk, sw, a, b, tp0, fp0, has_prev, ppt, ppf, has_next, nt, nf,
                 mode, out_pos, n_out, r1, r2, kk, kmin, sign, dT, dF, roc, K, bt, bf, bk):
    """Walk one bucket's points from its top; count the kept ones and, when
    ``out_pos >= 0``, write its ``n_out`` kept points (known from the count
    pass) from output slot ``out_pos`` on.  Returns the number kept.

    Blocks of keys are first reduced to their points (branch-free compaction
    into ``bt``/``bf``/``bk``); each point is then decided once its successor
    is known, the last one against the next bucket's first point
    ``(nt, nf)``.  The writes are branch-free too: every point is written to
    the next free slot and a dropped one is overwritten by the next point (a
    branch on keep / drop, random on real scores, cost 2x)."""
    tp = 0.0
    fp = 0.0
    have_p = False
    pt = 0.0
    pf = 0.0
    pk = sk[a]
    n_kept = 0
    write = out_pos >= 0
    lim = n_out if write else 0
    r = b - 1
    while r >= a:
        lo = max(a, r - _BLOCK + 1)
        q, tp, fp = _block_points(sk, sw, r, lo, a, tp, fp, tp0, fp0, bt, bf, bk, 0)
        for t in range(q):
            if have_p:
                keep = _keeps(mode, has_prev, True, ppt, ppf, pt, pf, bt[t], bf[t])
                if n_kept < lim:  # False only past the bucket's last kept point
                    _write_point(out_pos + n_kept, pt, pf, pk, r1, r2, kk, kmin, sign,
                                 dT, dF, roc, K)
                n_kept += np.int64(keep)
                has_prev = True
                ppt = pt
                ppf = pf
            pt = bt[t]
            pf = bf[t]
            pk = bk[t]
            have_p = True
        r = lo - 1
    if _keeps(mode, has_prev, has_next, ppt, ppf, pt, pf, nt, nf):
        if write:
            _write_point(out_pos + n_kept, pt, pf, pk, r1, r2, kk, kmin, sign, dT, dF, roc, K)
        n_kept += 1
    return n_kept


def rows_close_to_one(p, rtol, atol):
    """Whether every row sum ``s`` of ``p`` (n, C) satisfies numpy's
    ``isclose(1, s)``: ``|1 - s| <= atol + rtol * |s|`` (sums in the input's
    dtype, as ``p.sum(axis=1)``; NaN sums fail)."""
    return column_stats(p, rtol, atol)[0]


def column_min_max(p):
    """Per-column (min, max) of ``p`` (n, C), n > 0, in one parallel pass;
    NaN anywhere in a column makes its min and max NaN."""
    return column_stats(p, 0.0, 0.0)[1:]


def column_stats(p, rtol, atol):
    """``(rows_close_to_one(p, rtol, atol), *column_min_max(p))`` in one
    parallel pass over ``p`` (n, C), n > 0 (one kernel for both)."""
    C = p.shape[1]
    nch = (p.shape[0] + CHUNK - 1) // CHUNK
    lo = np.empty((nch, C), dtype=np.float64)
    hi = np.empty((nch, C), dtype=np.float64)
    nan = np.zeros((nch, C), dtype=np.int64)
    bad = np.zeros(nch, dtype=np.int64)
    over_chunks(_columns_range, nch, p, float(rtol), float(atol), lo, hi, nan, bad)
    mn = lo.min(axis=0)
    mx = hi.max(axis=0)
    has_nan = nan.sum(axis=0) > 0
    mn[has_nan] = np.nan
    mx[has_nan] = np.nan
    return bool(bad.sum() == 0), mn, mx


@njit(cache=True, nogil=True)
def _columns_range(c_lo, c_hi, p, rtol, atol, lo, hi, nan, bad):
    """Chunks ``c_lo..c_hi`` of :func:`column_stats`: writes their rows of
    ``lo``, ``hi`` and ``nan`` (per-column NaN counts) and their number of
    rows whose sum (in the input's dtype) is not close to one into ``bad``."""
    n, C = p.shape
    # a chunk accumulates in arrays of its own, copied to its rows at the end:
    # rows of neighbouring chunks share cache lines, and updating them in the
    # loop made two threads slower than one
    mn = np.empty(C, dtype=np.float64)
    mx = np.empty(C, dtype=np.float64)
    nn = np.empty(C, dtype=np.int64)
    for c in range(c_lo, c_hi):
        a = c * CHUNK
        b = min(n, a + CHUNK)
        for j in range(C):
            mn[j] = p[a, j]
            mx[j] = p[a, j]
            nn[j] = 0
        q = 0
        for i in range(a, b):
            s = p[i, 0] - p[i, 0]  # zero of the input's dtype
            for j in range(C):
                v = p[i, j]
                s += v
                mn[j] = min(mn[j], v)
                mx[j] = max(mx[j], v)
                nn[j] += 1 if v != v else 0
            s64 = np.float64(s)
            q += 0 if abs(1.0 - s64) <= atol + rtol * abs(s64) else 1
        bad[c] = q
        # element by element: a whole-row store compiles a shape check
        # (and its error message) that costs more than this kernel
        for j in range(C):
            lo[c, j] = mn[j]
            hi[c, j] = mx[j]
            nan[c, j] = nn[j]


def small_range_counts(y, lo, size):
    """``np.bincount(y - lo, minlength=size)`` for integer labels known to lie
    in [lo, lo + size), per chunk in parallel, summed over the chunks."""
    return _range_counts(y, lo, size)[:size]


def _range_counts(y, lo, size):
    """Counts of the integer values ``lo .. lo + size - 1`` of ``y`` and, in
    the last entry, of all other values ((size + 1,) int64)."""
    cnt = np.zeros(((y.shape[0] + CHUNK - 1) // CHUNK, size + 1), dtype=np.int64)
    over_chunks(_range_counts_range, cnt.shape[0], y, lo, cnt)
    return cnt.sum(axis=0)


@njit(cache=True, nogil=True)
def _range_counts_range(c_lo, c_hi, y, lo, cnt):
    """Chunks ``c_lo..c_hi`` of :func:`_range_counts`: writes their rows of
    ``cnt``."""
    n = y.shape[0]
    size = cnt.shape[1] - 1
    for c in range(c_lo, c_hi):
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            d = np.int64(y[i]) - lo
            cnt[c, d if (d >= 0 and d < size) else size] += 1
