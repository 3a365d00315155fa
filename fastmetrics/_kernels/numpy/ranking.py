"""NumPy twins of ``_kernels/cpu/ranking.py``.

The kernels scan the sorted scores one token at a time, adding in float64;
``np.cumsum`` adds in the same order (it is sequential, unlike ``np.sum``),
so the running true / false positive sums, the AUC trapezoids and the AP
steps here are bit-identical to the kernels'.
"""

import numpy as np


def first_distinct(y, out):
    """Twin of ``cpu.ranking.first_distinct``: up to ``len(out)`` distinct
    values of ``y`` in order of first appearance written to ``out``; returns
    how many were found, or ``len(out) + 1`` when there are more.  Each NaN
    counts as a new value, as in the kernel (NaN != NaN)."""
    cap = out.shape[0]
    if y.shape[0] == 0:
        return 0
    rest = np.ones(y.shape[0], dtype=np.bool_)
    k = 0
    while True:
        i = int(np.argmax(rest))
        if not rest[i]:
            return k
        if k == cap:
            return k + 1
        v = y[i]
        out[k] = v
        k += 1
        rest &= y != v
        rest[i] = False


def _first_nonfinite(scores):
    fin = np.isfinite(scores)
    return -1 if fin.all() else int(np.argmin(fin))


def keys_from_float(scores, bits, sign, keys):
    """Twin of ``cpu.ranking.keys_from_float``: order-preserving unsigned keys
    of float scores (``bits`` their unsigned view, ``sign`` its sign bit)
    written to ``keys``, -0.0 folded onto +0.0; returns the index of the
    first NaN/inf score (``keys`` then unwritten) or -1."""
    bad = _first_nonfinite(scores)
    if bad >= 0:
        return bad
    b = bits.copy()
    b[scores == 0] = 0
    # flip the sign bit of positives, every bit of negatives: the arithmetic
    # shift of the sign bit gives all ones for negatives, zero for positives
    signed = b.view(np.int32 if b.dtype.itemsize == 4 else np.int64)
    flip = (signed >> (8 * b.dtype.itemsize - 1)).view(b.dtype) | sign
    np.bitwise_xor(b, flip, out=keys)
    return -1


def keys_from_int(scores, keys):
    """Twin of ``cpu.ranking.keys_from_int``: uint64 order-preserving keys of
    integer scores (the int64 value with its sign bit flipped); returns -1."""
    keys[:] = scores.astype(np.int64).view(np.uint64) ^ np.uint64(1 << 63)
    return -1


def stable_argsort(keys):
    """The permutation of a stable ascending sort of ``keys`` (``np.argsort``'s
    stable sort of 64-bit keys is several times slower than its default):
    an unstable sort, then the ties ordered by index through unique
    ``rank * n + index`` keys."""
    n = keys.shape[0]
    o = np.argsort(keys)
    sk = keys[o]
    new = np.empty(n, dtype=np.bool_)
    new[:1] = True
    np.not_equal(sk[1:], sk[:-1], out=new[1:])
    if new.all():
        return o  # no ties: every ascending order is the stable one
    rank = np.empty(n, dtype=np.int64)
    rank[o] = np.cumsum(new) - 1
    unique = rank * n + np.arange(n)
    unique.sort()
    return unique % n


def radix_sort(keys, vals, nbits):
    """Twin of ``cpu.ranking.radix_sort``: ascending stable sort of the keys
    carrying ``vals`` (or None); returns sorted copies ``(keys, vals)``.
    The callers pass the keys' full width as ``nbits``."""
    perm = stable_argsort(keys)
    return keys[perm], (None if vals is None else vals[perm])


def _points(perm, skeys, y, w):
    """The curve points of a descending scan: (fps, tps) float64 at each
    distinct key and the token index of each point's last token.  Unit
    weights are counted in int64 (exact, as the kernel's float64 counts)."""
    order = perm[::-1]
    pos = y[order].astype(np.bool_)
    sk = skeys[::-1]
    n = sk.shape[0]
    ends = np.flatnonzero(np.append(sk[1:] != sk[:-1], True)) if n else \
        np.zeros(0, dtype=np.int64)
    if w is None:
        tp = np.cumsum(pos, dtype=np.int64)[ends]
        fp = (ends + 1) - tp
        return fp.astype(np.float64), tp.astype(np.float64), order[ends]
    wi = w[order]
    tp = np.cumsum(np.where(pos, wi, 0.0))
    fp = np.cumsum(np.where(pos, 0.0, wi))
    return fp[ends], tp[ends], order[ends]


def binary_curve(perm, skeys, y, w):
    """Twin of ``cpu.ranking.binary_curve``: false / true positive sums at each
    distinct score in descending score order (float64) and the token index
    of each threshold's score (int64)."""
    fps, tps, idx = _points(perm, skeys, y, w)
    return fps, tps, idx.astype(np.int64, copy=False)


def _sequential_sum(terms):
    return float(np.cumsum(terms)[-1]) if terms.shape[0] else 0.0


def binary_auc_ap(perm, skeys, y, w):
    """Twin of ``cpu.ranking.binary_auc_ap``: ``(auc, ap, TP, FP)`` from the
    curve points' trapezoids and precision steps summed in the kernel's
    order; ``auc`` / ``ap`` are NaN where TP or FP is 0."""
    fps, tps, _ = _points(perm, skeys, y, w)
    fprev = np.concatenate(([0.0], fps[:-1]))
    tprev = np.concatenate(([0.0], tps[:-1]))
    area = _sequential_sum((fps - fprev) * (tps + tprev) * 0.5)
    ps = tps + fps
    with np.errstate(invalid="ignore", divide="ignore"):
        steps = np.where(ps > 0, (tps - tprev) * (tps / ps), 0.0)
    ap = _sequential_sum(steps)
    TP = float(tps[-1]) if tps.shape[0] else 0.0
    FP = float(fps[-1]) if fps.shape[0] else 0.0
    auc = np.nan if (TP <= 0 or FP <= 0) else area / (FP * TP)
    return auc, (ap / TP if TP > 0 else np.nan), TP, FP
