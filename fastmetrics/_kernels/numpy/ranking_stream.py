"""NumPy twins of ``_kernels/cpu/ranking_stream.py`` (the streaming AUC).

The serial updates validate first, then add every kept element into the
state's flat tables in token order with ``np.add.at`` (unbuffered, in index
order): the same additions in the same order as the kernels, so the tables
are bit-identical.  ``table_auc_ap`` runs its descending scan over the
non-empty bins as running sums (``np.cumsum`` adds in order); only its
``log1p`` may differ from the kernel's in the last bit.

The key layout is ``_kernels/keys.py``; ``TIE_TOL`` is defined here (the
compiled module imports it), so a state reads its constants without Numba.
"""

import numpy as np

from .. import keys
from ..codes import OK, PRED_NOT_FINITE, TRUE_INVALID, WEIGHT_INVALID

KEY_MAX = keys.KEY_MAX
_K0 = keys.K0
# a bin whose positions have variance and mean gap below this is tied (the
# default for float64 statistics; float32 ones, e.g. a Keras metric on JAX
# without x64, pass a larger tolerance)
TIE_TOL = 1e-8
# Gauss-Legendre nodes and weights on [0, 1] for the within-bin AP integral
_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_X = (_GL_X + 1.0) / 2.0
_GL_W = _GL_W / 2.0


# ------------------------------------------------------------------- keys

def fold_keys_array(x):
    """``cpu.ranking_stream.fold_key`` of every element of ``x`` (int64):
    float32 scores fold in float32, any other dtype in float64."""
    if x.dtype == np.float32:
        half, one, huge = np.float32(0.5), np.float32(1.0), np.float32(keys.HUGE)
    else:
        x = x.astype(np.float64)
        half, one, huge = 0.5, 1.0, keys.HUGE
    lo = x <= half
    t = np.where(lo, x, one - x)
    a = np.abs(t)
    a = np.where(a < huge, a, huge)  # NaN -> 2**64, as in the kernel
    with np.errstate(over="ignore"):
        a32 = a.astype(np.float32)
    mb = a32.view(np.uint32).astype(np.int64) - keys.LO
    k = np.where(t < 0, keys.R - mb, keys.R + 2 + mb)
    k = np.where(a32 < keys.TINY, keys.R + 1, k)
    return np.where(lo, k, 2 * keys.K0 - k)


def fold_key(x):
    """Twin of ``cpu.ranking_stream.fold_key``: the folded key of one score."""
    return int(fold_keys_array(np.asarray(x).reshape(1))[0])


def fold_keys(x, out):
    """Twin of ``cpu.ranking_stream.fold_keys``: ``out[:] = fold_key(x)``."""
    out[:] = fold_keys_array(x)


def bin_pos_array(key, binmap):
    """Twin of ``cpu.ranking_stream.bin_pos`` over an array: (bin int64,
    position in the bin float64 in [0, 1))."""
    lo, hi, M = binmap
    prod = (np.clip(key, lo, hi) - lo) * np.int64(M)
    return prod >> 32, (prod & 0xFFFFFFFF).astype(np.float64) * 2.3283064365386963e-10


def bins_of(x, binmap, out):
    """Twin of ``cpu.ranking_stream.bins_of``: the bin of every score."""
    out[:] = bin_pos_array(fold_keys_array(x), binmap)[0]


# ------------------------------------------------------------- validation

def _token_weights(w, rep, n):
    return None if w is None else w[np.arange(n) // rep]


def _weight_bad(wt):
    return ~((wt >= 0.0) & (wt < np.inf))


def _first_report(token_bad, elem_code):
    """(token, column, code) of the first bad element in token order: a
    token-level error (``token_bad``: its code, column -1) comes before its
    elements' (``elem_code`` (n, C): 0 or a code per element)."""
    bad_rows = (token_bad != OK) | (elem_code != OK).any(axis=1)
    if not bad_rows.any():
        return -1, -1, OK
    i = int(np.argmax(bad_rows))
    if token_bad[i] != OK:
        return i, -1, int(token_bad[i])
    c = int(np.argmax(elem_code[i] != OK))
    return i, c, int(elem_code[i, c])


def _label01(y):
    """Labels that are exactly 0 or 1 (the kernels' ``int64(y) == y`` test)."""
    return (y == 0) | (y == 1)


def _scan_indicator(y, s, C, w, rep, mask, ignore):
    """Twin of ``cpu.ranking_stream._scan_indicator``: per token the weight
    (masked tokens skipped), then per column the label and the score
    (elements whose label is ``ignore`` skipped)."""
    n = s.shape[0] // C
    y2, s2 = y.reshape(n, C), s.reshape(n, C)
    kept = np.ones(n, dtype=np.bool_) if mask is None else mask
    token_bad = np.zeros(n, dtype=np.int64)
    if w is not None:
        token_bad[_weight_bad(_token_weights(w, rep, n)) & kept] = WEIGHT_INVALID
    code = np.where(np.isfinite(s2), OK, PRED_NOT_FINITE)
    code[~_label01(y2)] = TRUE_INVALID
    if ignore is not None:
        code[y2 == np.int64(ignore)] = OK
    code[~kept] = OK
    return _first_report(token_bad, code)


def _scan_multiclass(y, s, C, w, rep, mask, ignore):
    """Twin of ``cpu.ranking_stream._scan_multiclass``: per token (masked or
    ignored ones skipped) the label, the weight, then the scores."""
    n = y.shape[0]
    s2 = s.reshape(n, C)
    kept = np.ones(n, dtype=np.bool_) if mask is None else mask.copy()
    if ignore is not None:
        kept &= y != np.int64(ignore)
    token_bad = np.zeros(n, dtype=np.int64)
    if w is not None:
        token_bad[_weight_bad(_token_weights(w, rep, n))] = WEIGHT_INVALID
    token_bad[~_class_ok(y, C)] = TRUE_INVALID
    token_bad[~kept] = OK
    code = np.where(np.isfinite(s2), OK, PRED_NOT_FINITE)
    code[~kept] = OK
    return _first_report(token_bad, code)


def _class_ok(y, C):
    """Class ids in [0, C), integral for float labels."""
    ok = (y >= 0) & (y < C)
    if y.dtype.kind == "f":
        ok &= np.floor(np.where(ok, y, 0)) == y
    return ok


def scan_indicator(y, s, C, w, rep, mask, ignore):
    """Twin of ``cpu.ranking_stream.scan_indicator``: (token, column, code)."""
    return _scan_indicator(y, s, C, w, rep, mask, ignore)


def scan_multiclass(y, s, C, w, rep, mask, ignore):
    """Twin of ``cpu.ranking_stream.scan_multiclass``: (token, column, code)."""
    return _scan_multiclass(y, s, C, w, rep, mask, ignore)


# ----------------------------------------------------------------- updates

def _add(tables, cells, wt, u, counts):
    """Add elements at flat ``cells`` in order: weight (1 when ``counts``),
    weight x position, (weight x position) x position, weight**2."""
    tab, mom, mom2, sqw = tables
    if counts:
        np.add.at(tab, cells, 1.0)
        np.add.at(mom, cells, u)
        np.add.at(mom2, cells, u * u)
        np.add.at(sqw, cells, 1.0)
        return
    wu = wt * u
    np.add.at(tab, cells, wt)
    np.add.at(mom, cells, wu)
    np.add.at(mom2, cells, wu * u)
    np.add.at(sqw, cells, wt * wt)


def indicator_serial(y, s, C, w, rep, mask, ignore, cw, binmap, tab, mom, mom2, sqw):
    """Twin of ``cpu.ranking_stream.indicator_serial``: validate, then add
    every kept element (0/1 label, one score) of a token of weight ``w_i``
    into cell ``(c, bin, label)`` with weight ``w_i * cw[label]``; returns
    (token, column, code) of the first bad element (tables unchanged then)."""
    report = _scan_indicator(y, s, C, w, rep, mask, ignore)
    if report[2] != OK:
        return report
    n = s.shape[0] // C
    keep = np.ones((n, C), dtype=np.bool_)
    if mask is not None:
        keep &= mask[:, None]
    if ignore is not None:
        keep &= y.reshape(n, C) != np.int64(ignore)
    e = np.flatnonzero(keep.reshape(-1))  # kept elements, in token order
    lab = y[e].astype(np.int64)
    bn, u = bin_pos_array(fold_keys_array(s[e]), binmap)
    cells = (e % C) * (tab.shape[0] // C) + ((bn << 1) | lab)
    wt = np.ones(e.shape[0]) if w is None else _token_weights(w, rep, n)[e // C]
    if cw is not None:
        wt = wt * cw[lab]
    _add((tab, mom, mom2, sqw), cells, wt, u, w is None and cw is None)
    return report


def multiclass_serial(y, s, C, w, rep, mask, ignore, cw, binmap, tab, mom, mom2, sqw):
    """Twin of ``cpu.ranking_stream.multiclass_serial``: validate, then add
    each kept token (class id, C scores) one-vs-rest: column c into cell
    ``(c, bin, c == label)`` with weight ``w_i * cw[label]``; returns
    (token, column, code) of the first bad element (tables unchanged then)."""
    report = _scan_multiclass(y, s, C, w, rep, mask, ignore)
    if report[2] != OK:
        return report
    n = y.shape[0]
    keep = np.ones(n, dtype=np.bool_) if mask is None else mask.copy()
    if ignore is not None:
        keep &= y != np.int64(ignore)
    i = np.flatnonzero(keep)
    lab = y[i].astype(np.int64)
    bn, u = bin_pos_array(fold_keys_array(s.reshape(n, C)[i].reshape(-1)), binmap)
    col = np.tile(np.arange(C), i.shape[0])
    pos = (col == np.repeat(lab, C)).astype(np.int64)
    cells = col * (tab.shape[0] // C) + (bn << 1) + pos
    wt = np.ones(i.shape[0]) if w is None else _token_weights(w, rep, n)[i]
    if cw is not None:
        wt = wt * cw[lab]
    _add((tab, mom, mom2, sqw), cells, np.repeat(wt, C), u, w is None and cw is None)
    return report


# ----------------------------------------------------------------- results

def _ap_lower(pb, A, D, unit):
    """Twin of ``cpu.ranking_stream._ap_lower`` over arrays of bins."""
    if not unit:
        low = pb - D * np.log1p(pb / (A + D))
    else:
        low = pb - D * np.log1p(pb / (A + 0.5 + D))
        small = pb <= 64.0
        As, Ds, top = A[small], D[small], np.floor(pb[small])
        acc = np.zeros(As.shape[0])
        for i in range(1, 65):  # the kernel's sum over i = 1 .. int(pb), in order
            acc += np.where(i <= top, (As + i) / (As + i + Ds), 0.0)
        low[small] = acc
    return np.where(D == 0.0, pb, low)


def _linear_slope(mean):
    return np.minimum(np.maximum(12.0 * (mean - 0.5), -2.0), 2.0)


def _ap_bin_estimate(A, F, pb, nb, mp, vp, mn, vn, own, tie):
    """Twin of ``cpu.ranking_stream._ap_bin_estimate`` over arrays of bins."""
    tied = (vp <= tie) & ((nb == 0.0) | ((vn <= tie) & (np.abs(mp - mn) <= tie)))
    sp = _linear_slope(mp)
    sn = np.where(nb > 0.0, _linear_slope(mn), 0.0)
    est = np.zeros(pb.shape[0])
    for u, gw in zip(_GL_X, _GL_W):  # the kernel's node order
        a = pb * (1.0 - u) * (1.0 + sp * u / 2.0) + own
        f = nb * (1.0 - u) * (1.0 + sn * u / 2.0)
        est += gw * (1.0 + sp * (u - 0.5)) * (A + a) / (A + a + F + f)
    est = pb * est
    return np.where(tied, pb * ((A + pb) / (A + pb + F + nb)), est)


def _running(*terms):
    """``0.0 + t0[0] + t1[0] + ... + t0[1] + t1[1] + ...``: several per-bin
    terms interleaved, added in that order (the kernel's running sum)."""
    inter = np.column_stack(terms).reshape(-1)
    return float(np.cumsum(np.append(0.0, inter))[-1])


def table_auc_ap(tab, mom, mom2, sqw, unit, tie):
    """Twin of ``cpu.ranking_stream.table_auc_ap``: ROC AUC, AP, their bounds,
    P and N from one (B, 2) table, scanning the non-empty bins from the top."""
    nz = np.flatnonzero((tab[:, 0] != 0.0) | (tab[:, 1] != 0.0))[::-1]
    nb, pb = tab[nz, 0], tab[nz, 1]
    tp = np.cumsum(pb)
    fp = np.cumsum(nb)
    A = np.append(0.0, tp[:-1])  # positive weight above the bin
    F = np.append(0.0, fp[:-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return _scan_results(tab, mom, mom2, sqw, nz, nb, pb, tp, fp, A, F, unit, tie)


def _scan_results(tab, mom, mom2, sqw, nz, nb, pb, tp, fp, A, F, unit, tie):
    """The descending scan of ``table_auc_ap`` as running sums."""
    step = (fp - F) * (tp + A) * 0.5  # the ROC trapezoid of each curve point
    ap_step = np.where(tp + fp > 0, (tp - A) * (tp / (tp + fp)), 0.0)
    both = (pb > 0.0) & (nb > 0.0)
    q = np.minimum(np.maximum(0.5 + mom[nz, 1] / pb - mom[nz, 0] / nb, 0.0), 1.0)
    credit = np.where(both, pb * nb * (q - 0.5), 0.0)
    pairs = np.where(both, pb * nb * np.maximum(q, 1.0 - q), 0.0)
    pos = pb > 0.0
    binned = pb * (tp / (tp + fp))
    upper = pb * (tp / (tp + F))
    lower = _ap_lower(pb, A, F + nb, unit)
    mp = mom[nz, 1] / pb
    has_n = nb > 0.0
    mn = np.where(has_n, mom[nz, 0] / nb, 0.0)
    vn = np.where(has_n, mom2[nz, 0] / nb - mn * mn, 0.0)
    est = _ap_bin_estimate(A, F, pb, nb, mp, mom2[nz, 1] / pb - mp * mp, mn, vn,
                           sqw[nz, 1] / (2.0 * pb), tie)
    est = np.minimum(np.maximum(est, lower), upper)
    ap_fix = np.where(pos, est - binned, 0.0)
    ap_err = np.where(pos, np.maximum(upper - est, est - lower), 0.0)
    area = _running(step, credit)
    ap = _running(ap_step, ap_fix)
    P = float(tp[-1]) if nz.size else 0.0
    N = float(fp[-1]) if nz.size else 0.0
    auc = np.nan if (P <= 0 or N <= 0) else area / (N * P)
    apv = ap / P if P > 0 else np.nan
    auc_bound = np.nan if np.isnan(auc) else min(_running(pairs) / (P * N), 1.0)
    ap_bound = min(_running(ap_err) / P, 1.0) if P > 0 else 0.0
    return auc, apv, auc_bound, ap_bound, P, N
