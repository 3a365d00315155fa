"""Streaming ranking kernels (CPU, Numba): binned ROC / PR tables with a bound.

Binning
-------
A score ``x`` goes to the bin given by the high bits of a 32-bit
order-preserving key of ``x`` *folded at 1/2*:

1. ``t = x`` if ``x <= 0.5`` else ``t = 1 - x`` (in float32 for float32
   scores, else in float64; exact for ``x`` in [0.5, 2] by Sterbenz' lemma,
   correctly rounded hence monotone elsewhere, and the same float32 ``t`` for
   the same value in either dtype), so probabilities near 1 get the same
   resolution as probabilities near 0;
2. ``t`` is rounded to float32 (rounding is monotone) and its magnitude is
   clamped to [2**-63, 2**64]: magnitudes below 2**-63 (about 1.1e-19) all
   map to one "zero" key and magnitudes above 2**64 saturate;
3. the key of ``t`` is its float32 bit pattern with the unused exponent range
   cut out (negatives reversed below the zero key, positives above it), a
   number in [0, K0] with K0 = key(0.5) < 2**31;
4. ``x <= 0.5`` keeps that key, ``x > 0.5`` takes ``2 * K0 - key`` (the mirror
   image above K0): the folded key lies in [0, 2 * K0] < 2**32 and is a
   non-decreasing function of ``x`` over all reals;
5. the bin is ``folded_key >> (32 - log2(bins))``.

Every step is monotone, so bins preserve the order of the scores: a bin holds
an interval of scores and bins are ordered like the scores.  With ``bins =
2**b`` an octave of ``|t|`` spans ``2**(b - 9)`` bins (128 at 2**16): the
resolution is relative to the distance from 0 (below 1/2) or from 1 (above
1/2), wherever the scores lie.  NaN and infinite scores still land in a valid
bin (no out-of-bounds write); they are reported by the validity flags.

Determinism
-----------
The parallel update cuts the tokens into a number of contiguous parts that
depends only on the number of tokens and the table size (never on the thread
count); each part accumulates into its own table (serial ``nogil`` range
kernels on the thread pool of ``_threads.over_chunks``) and the caller adds
the part tables in part order.  Unweighted parts count in int64 (exact); weighted
parts sum in float64.  Results are bitwise identical for any
``NUMBA_NUM_THREADS``.

Validation
----------
The accumulating loop only keeps a branch-free "all valid" flag; when it is
false, a serial scan finds the first bad token and the caller raises (and
discards the part tables).  The serial update (small inputs, or tables too
large to copy per part) validates first (vectorised passes; the scalar scan
with a mask or ``ignore_index``) and then accumulates straight into the state
table, so a failing update never changes the state.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from .. import keys
# the AP estimate's tie tolerance lives with the NumPy twins, so that a state
# reads it without importing Numba
from ..numpy.ranking_stream import TIE_TOL  # noqa: F401
from .confusion import _fill_weights
from .ranking import _add_point, _finish_auc_ap
from ._threads import over_chunks

# The scans return a code of _kernels/codes.py (first bad element in token order).
from ..codes import (  # noqa: F401  (the codes these kernels report)
    OK,
    PRED_NOT_FINITE,
    TRUE_INVALID,
    WEIGHT_INVALID,
)

# Key layout (see ``_kernels/keys.py``), bound here as compile-time constants.
_LO = keys.LO
_R = keys.R
_K0 = keys.K0
KEY_MAX = keys.KEY_MAX
_TINY = keys.TINY
_HUGE = keys.HUGE


@intrinsic
def _bits32(typingctx, x):
    """Bit pattern of a float32 as uint32 (a register bitcast)."""
    if x != types.float32:
        return None
    sig = types.uint32(types.float32)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return sig, codegen


def _half_fold(x):
    """(x <= 1/2, x if x <= 1/2 else 1 - x): float32 stays float32 (8 lanes per
    vector; 1 - x is exact for x in [1/2, 2]), anything else goes to float64."""


@overload(_half_fold)
def _ov_half_fold(x):
    if x == types.float32:
        half = np.float32(0.5)
        one = np.float32(1.0)

        def impl(x):
            lo = x <= half
            return lo, x if lo else one - x
    else:

        def impl(x):
            xf = np.float64(x)
            lo = xf <= 0.5
            return lo, xf if lo else 1.0 - xf
    return impl


def _clamp_huge(a):
    """min(a, 2**64) in a's precision; NaN -> 2**64."""


@overload(_clamp_huge)
def _ov_clamp_huge(a):
    huge = np.float32(_HUGE) if a == types.float32 else _HUGE

    def impl(a):
        return a if a < huge else huge
    return impl


@njit(cache=True)
def fold_key(x):
    """Folded order-preserving key of score ``x`` in [0, KEY_MAX] (int64)."""
    lo, t = _half_fold(x)
    a = _clamp_huge(abs(t))  # NaN -> 2**64: any value in range will do
    a32 = np.float32(a)
    mb = np.int64(_bits32(a32)) - _LO
    if a32 < _TINY:
        k = np.int64(_R + 1)
    elif t < 0:
        k = _R - mb
    else:
        k = _R + 2 + mb
    return k if lo else 2 * _K0 - k


@njit(cache=True)
def fold_keys(x, out):
    """``fold_key`` of every element of 1-D ``x`` (for tests and docs)."""
    for i in range(x.shape[0]):
        out[i] = fold_key(x[i])


@njit(cache=True, inline="always")
def bin_of(key, binmap):
    """Bin of a folded key: ``((clip(key, lo, hi) - lo) * M) >> 32`` with
    ``binmap = (lo, hi, M)`` — monotone, and below ``bins`` when
    ``M <= bins * 2**32 / (hi - lo + 1)``.  ``(0, KEY_MAX, bins)`` is
    ``key >> (32 - log2(bins))``."""
    lo, hi, M = binmap
    k = min(max(key, lo), hi)
    return ((k - lo) * M) >> 32


@njit(cache=True, inline="always")
def bin_pos(key, binmap):
    """(bin, position in the bin): ``bin_of`` and the low 32 bits of the same
    product over 2**32, a number in [0, 1) that grows with the key inside a
    bin (the within-bin moments of the ROC correction use it)."""
    lo, hi, M = binmap
    k = min(max(key, lo), hi)
    prod = (k - lo) * M
    return prod >> 32, np.float64(prod & 0xFFFFFFFF) * 2.3283064365386963e-10


@njit(cache=True)
def bins_of(x, binmap, out):
    """``bin_of(fold_key(x[i]))`` of every element of 1-D ``x``."""
    for i in range(x.shape[0]):
        out[i] = bin_of(fold_key(x[i]), binmap)


@njit(cache=True)
def _finite(x):
    return abs(np.float64(x)) < np.inf


# Layout.  Token arrays arrive flat, row-major: element ``e = i * C + c`` is
# column c of token i (binary: C = 1).  Tables arrive flat too: row c of the
# (C, bins, 2) table starts at ``c * 2 * bins`` and cell ``(bin << 1) | label``
# holds the negative (0) or positive (1) weight of that bin.
#
# Tokens are processed in blocks of _BLK: a vectorisable loop over the block's
# C * m elements computes every element's flat table cell and a validity flag,
# then a scalar loop adds the weights.  Prefix-broadcast weights (token i has
# ``w[i // rep]``) are filled run by run, without a division per token.
_BLK = 1024


@njit(cache=True)
def _block_weights(w, rep, b0, m, wts, g, r):
    """wts[j] = sample weight of token b0 + j; returns (g, r, all valid)."""
    if rep == 1:  # one weight per token: a vectorised copy and check
        ww = w[b0:b0 + m]
        bad = False
        for j in range(m):
            v = ww[j]
            bad |= not ((v >= 0) & (v < np.inf))
            wts[j] = v
        return b0 + m, 0, not bad
    return _fill_weights(w, rep, b0, m, wts, g, r)


# ----------------------------------------------------------------- indicator
# Binary (C = 1) and multilabel: y and s hold one 0/1 label and one score per
# element; an element of a token of weight w adds w * cw[label] to its cell.

@njit(cache=True)
def _cells_indicator(yy, ss, ignore, binmap, cells, good, us):
    """Cells (within the element's row), positions in the bin and validity of
    one block's elements (labels 0/1, scores finite; an element whose label is
    ``ignore`` is valid and skipped later)."""
    ok = True
    lo = np.int32(2**31 - 1)
    hi = np.int32(0)
    for e in range(ss.shape[0]):
        yc = yy[e]
        lab = np.int64(yc)
        x = ss[e]
        g = (lab == yc) & ((lab == 0) | (lab == 1)) & _finite(x)
        if ignore is not None:
            g |= yc == ignore
        good[e] = g
        ok &= g
        bn, u = bin_pos(fold_key(x), binmap)
        k = np.int32((bn << 1) | (lab & 1))
        cells[e] = k
        us[e] = u
        lo = min(lo, k)
        hi = max(hi, k)
    return ok, lo, hi


@njit(cache=True)
def _acc_indicator(y, s, C, w, rep, mask, ignore, cw, binmap, start, end, tab, mom, mom2,
                   sqw):
    """Add tokens [start, end) into the flat table ``tab`` (weights), ``mom``
    and ``mom2`` (weight times position in the bin, and times its square) and
    ``sqw`` (squared weights), all of the same layout.

    Returns (ok, lo, hi): whether every kept element was valid (the table is
    then complete) and the range of cells (within a row) that may have been
    written, so that adding part tables can skip the untouched rest."""
    TB = tab.shape[0] // C
    cells = np.empty(_BLK * C, dtype=np.int32)
    good = np.empty(_BLK * C, dtype=np.uint8)
    us = np.empty(_BLK * C, dtype=np.float64)
    wts = np.ones(_BLK, dtype=np.float64)
    ok = True
    lo = np.int32(2**31 - 1)
    hi = np.int32(-1)
    g = start // rep
    r = start - g * rep
    for b0 in range(start, end, _BLK):
        m = min(_BLK, end - b0)
        yy = y[b0 * C:(b0 + m) * C]
        okb, lob, hib = _cells_indicator(yy, s[b0 * C:(b0 + m) * C], ignore, binmap,
                                         cells, good, us)
        lo = min(lo, lob)
        hi = max(hi, hib)
        if w is not None:
            g, r, wok = _block_weights(w, rep, b0, m, wts, g, r)
        if mask is None:
            ok &= okb
            if w is not None:
                ok &= wok
        if C == 1 and mask is None and ignore is None and cw is None:
            if w is None:
                for e in range(m):
                    tab[cells[e]] += 1
                    mom[cells[e]] += us[e]
                    mom2[cells[e]] += us[e] * us[e]
                    sqw[cells[e]] += 1.0
            else:
                for e in range(m):
                    wu = wts[e] * us[e]
                    tab[cells[e]] += wts[e]
                    mom[cells[e]] += wu
                    mom2[cells[e]] += wu * us[e]
                    sqw[cells[e]] += wts[e] * wts[e]
            continue
        for j in range(m):
            if mask is not None:
                if not mask[b0 + j]:
                    continue
                if w is not None:
                    wv = wts[j]
                    ok &= (wv >= 0.0) & (wv < np.inf)
            for c in range(C):
                e = j * C + c
                if mask is not None:
                    ok &= good[e] != 0
                if ignore is not None and yy[e] == ignore:
                    continue
                k = cells[e]
                if w is None and cw is None:  # counts (int64 part tables)
                    tab[c * TB + k] += 1
                    mom[c * TB + k] += us[e]
                    mom2[c * TB + k] += us[e] * us[e]
                    sqw[c * TB + k] += 1.0
                    continue
                wt = wts[j] if cw is None else wts[j] * cw[k & 1]
                wu = wt * us[e]
                tab[c * TB + k] += wt
                mom[c * TB + k] += wu
                mom2[c * TB + k] += wu * us[e]
                sqw[c * TB + k] += wt * wt
    return ok, lo, hi


@njit(cache=True)
def _scan_indicator(y, s, C, w, rep, mask, ignore):
    """First bad element: (token, column, code) or (-1, -1, OK)."""
    n = s.shape[0] // C
    for i in range(n):
        if mask is not None and not mask[i]:
            continue
        if w is not None:
            wv = w[i // rep]
            if not ((wv >= 0.0) and (wv < np.inf)):
                return i, -1, WEIGHT_INVALID
        for c in range(C):
            yc = y[i * C + c]
            if ignore is not None and yc == ignore:
                continue
            lab = np.int64(yc)
            if not ((lab == yc) and (lab == 0 or lab == 1)):
                return i, c, TRUE_INVALID
            if not _finite(s[i * C + c]):
                return i, c, PRED_NOT_FINITE
    return -1, -1, OK


# ---------------------------------------------------------------- multiclass
# y (n,) class ids in [0, C), s (n * C) scores; one-vs-rest: token i is a
# positive of row y[i] and a negative of every other row.

@njit(cache=True)
def _cells_multiclass(ss, binmap, cells, good, us):
    ok = True
    lo = np.int32(2**31 - 1)
    hi = np.int32(0)
    for e in range(ss.shape[0]):
        x = ss[e]
        g = _finite(x)
        good[e] = g
        ok &= g
        bn, u = bin_pos(fold_key(x), binmap)
        k = np.int32(bn << 1)
        cells[e] = k
        us[e] = u
        lo = min(lo, k)
        hi = max(hi, k)
    return ok, lo, hi


@njit(cache=True)
def _acc_multiclass(y, s, C, w, rep, mask, ignore, cw, binmap, start, end, tab, mom, mom2,
                    sqw):
    TB = tab.shape[0] // C
    cells = np.empty(_BLK * C, dtype=np.int32)
    good = np.empty(_BLK * C, dtype=np.uint8)
    us = np.empty(_BLK * C, dtype=np.float64)
    wts = np.ones(_BLK, dtype=np.float64)
    ok = True
    lo = np.int32(2**31 - 1)
    hi = np.int32(-1)
    g = start // rep
    r = start - g * rep
    for b0 in range(start, end, _BLK):
        m = min(_BLK, end - b0)
        okb, lob, hib = _cells_multiclass(s[b0 * C:(b0 + m) * C], binmap, cells, good, us)
        lo = min(lo, lob)
        hi = max(hi, hib + 1)
        if w is not None:
            g, r, wok = _block_weights(w, rep, b0, m, wts, g, r)
        checked = mask is None and ignore is None
        if checked:
            ok &= okb
            if w is not None:
                ok &= wok
        for j in range(m):
            yi = y[b0 + j]
            if mask is not None and not mask[b0 + j]:
                continue
            if ignore is not None and yi == ignore:
                continue
            lab = np.int64(yi)
            ok &= (lab == yi) & (lab >= 0) & (lab < C)
            lab = min(max(lab, 0), C - 1)
            wt = 1.0
            if w is not None:
                wt = wts[j]
                if not checked:
                    ok &= (wt >= 0.0) & (wt < np.inf)
            if cw is not None:
                wt = wt * cw[lab]
            e0 = j * C
            for c in range(C):
                if not checked:
                    ok &= good[e0 + c] != 0
                k = c * TB + cells[e0 + c] + (1 if c == lab else 0)
                u = us[e0 + c]
                if w is None and cw is None:  # counts (int64 part tables)
                    tab[k] += 1
                else:
                    tab[k] += wt
                wu = wt * u
                mom[k] += wu
                mom2[k] += wu * u
                sqw[k] += wt * wt
    return ok, lo, hi


@njit(cache=True)
def _scan_multiclass(y, s, C, w, rep, mask, ignore):
    n = y.shape[0]
    for i in range(n):
        if mask is not None and not mask[i]:
            continue
        yi = y[i]
        if ignore is not None and yi == ignore:
            continue
        lab = np.int64(yi)
        if not ((lab == yi) and lab >= 0 and lab < C):
            return i, -1, TRUE_INVALID
        if w is not None:
            wv = w[i // rep]
            if not ((wv >= 0.0) and (wv < np.inf)):
                return i, -1, WEIGHT_INVALID
        for c in range(C):
            if not _finite(s[i * C + c]):
                return i, c, PRED_NOT_FINITE
    return -1, -1, OK


# ------------------------------------------------------------- fast checks
# The serial update validates before it writes into the state.  Without mask
# and ignore_index every element is checked, in vectorisable passes; otherwise
# (or when a check fails) the scalar scans above decide and locate.

@njit(cache=True)
def _finite_all(s):
    ok = True
    for e in range(s.shape[0]):
        ok &= _finite(s[e])
    return ok


@njit(cache=True)
def _weights_valid(w):
    ok = True
    for q in range(w.shape[0]):
        v = w[q]
        ok &= (v >= 0.0) & (v < np.inf)
    return ok


@njit(cache=True)
def _labels01(y):
    ok = True
    for e in range(y.shape[0]):
        yc = y[e]
        lab = np.int64(yc)
        ok &= (lab == yc) & ((lab == 0) | (lab == 1))
    return ok


@njit(cache=True)
def _labels_lt(y, C):
    ok = True
    for e in range(y.shape[0]):
        yi = y[e]
        lab = np.int64(yi)
        ok &= (lab == yi) & (lab >= 0) & (lab < C)
    return ok


@njit(cache=True)
def _all_valid(s, w):
    """Every score and weight valid (the labels are checked by ``_labels01``
    / ``_labels_lt``: a call compiles only the check of its kind)."""
    ok = True
    for b0 in range(0, s.shape[0], _BLK * 64):
        b1 = min(b0 + _BLK * 64, s.shape[0])
        ok &= _finite_all(s[b0:b1])
    if w is not None:
        ok &= _weights_valid(w)
    return ok


# ------------------------------------------------------------------- drivers
# Python drivers over the compiled pieces, so that a call compiles only the
# kernels it runs (an update without mask or ignore_index whose inputs are
# valid never compiles the scalar scans).

def scan_indicator(y, s, C, w, rep, mask, ignore):
    """First bad element of an update: (token, column, code)."""
    return _scan_indicator(y, s, C, w, rep, mask, ignore)


def scan_multiclass(y, s, C, w, rep, mask, ignore):
    return _scan_multiclass(y, s, C, w, rep, mask, ignore)


def indicator_serial(y, s, C, w, rep, mask, ignore, cw, binmap, tab, mom, mom2, sqw):
    """Validate, then add every token into the flat tables ``tab``, ``mom``,
    ``mom2`` and ``sqw`` in place (so a failing update leaves them unchanged)."""
    if mask is None and ignore is None and _all_valid(s, w) and _labels01(y):
        i, c, code = -1, -1, OK
    else:
        i, c, code = _scan_indicator(y, s, C, w, rep, mask, ignore)
    if code == OK:
        _acc_indicator(y, s, C, w, rep, mask, ignore, cw, binmap, 0, s.shape[0] // C,
                       tab, mom, mom2, sqw)
    return i, c, code


def multiclass_serial(y, s, C, w, rep, mask, ignore, cw, binmap, tab, mom, mom2, sqw):
    """:func:`indicator_serial` for multiclass tokens."""
    if mask is None and ignore is None and _all_valid(s, w) and _labels_lt(y, C):
        i, c, code = -1, -1, OK
    else:
        i, c, code = _scan_multiclass(y, s, C, w, rep, mask, ignore)
    if code == OK:
        _acc_multiclass(y, s, C, w, rep, mask, ignore, cw, binmap, 0, y.shape[0], tab,
                        mom, mom2, sqw)
    return i, c, code


def indicator_parts(y, s, C, w, rep, mask, ignore, cw, binmap, parts, mparts, m2parts,
                    sqparts, ranges):
    """Add part p of the tokens into ``parts[p]``, ``mparts[p]``,
    ``m2parts[p]`` and ``sqparts[p]`` (P, table size) and the range of cells it wrote into
    ``ranges[p]``; the caller adds the parts in order with ``add_parts`` (and
    discards them when the code is not OK).  The parts run on the thread pool
    (``_threads.over_chunks``), each into its own rows."""
    oks = np.ones(parts.shape[0], dtype=np.bool_)
    over_chunks(_indicator_parts_range, parts.shape[0], y, s, C, w, rep, mask, ignore, cw,
                binmap, parts, mparts, m2parts, sqparts, ranges, oks)
    if oks.all():
        return -1, -1, OK
    return _scan_indicator(y, s, C, w, rep, mask, ignore)


@njit(cache=True, nogil=True)
def _indicator_parts_range(p_lo, p_hi, y, s, C, w, rep, mask, ignore, cw, binmap, parts,
                           mparts, m2parts, sqparts, ranges, oks):
    """Parts ``p_lo..p_hi`` of :func:`indicator_parts`: their rows of the
    part tables, of ``ranges`` and of ``oks`` (every kept element valid)."""
    n = s.shape[0] // C
    P = parts.shape[0]
    for p in range(p_lo, p_hi):
        okp, lop, hip = _acc_indicator(y, s, C, w, rep, mask, ignore, cw, binmap,
                                       p * n // P, (p + 1) * n // P,
                                       parts[p], mparts[p], m2parts[p], sqparts[p])
        oks[p] = okp
        ranges[p, 0] = lop
        ranges[p, 1] = hip


def multiclass_parts(y, s, C, w, rep, mask, ignore, cw, binmap, parts, mparts, m2parts,
                     sqparts, ranges):
    """:func:`indicator_parts` for multiclass tokens."""
    oks = np.ones(parts.shape[0], dtype=np.bool_)
    over_chunks(_multiclass_parts_range, parts.shape[0], y, s, C, w, rep, mask, ignore, cw,
                binmap, parts, mparts, m2parts, sqparts, ranges, oks)
    if oks.all():
        return -1, -1, OK
    return _scan_multiclass(y, s, C, w, rep, mask, ignore)


@njit(cache=True, nogil=True)
def _multiclass_parts_range(p_lo, p_hi, y, s, C, w, rep, mask, ignore, cw, binmap, parts,
                            mparts, m2parts, sqparts, ranges, oks):
    """Parts ``p_lo..p_hi`` of :func:`multiclass_parts`."""
    n = y.shape[0]
    P = parts.shape[0]
    for p in range(p_lo, p_hi):
        okp, lop, hip = _acc_multiclass(y, s, C, w, rep, mask, ignore, cw, binmap,
                                        p * n // P, (p + 1) * n // P,
                                        parts[p], mparts[p], m2parts[p], sqparts[p])
        oks[p] = okp
        ranges[p, 0] = lop
        ranges[p, 1] = hip


def add_parts(flat, parts, ranges, C):
    """flat += parts[0] + parts[1] + ... in part order, cell by cell (only the
    written ranges: adding +0.0 would change nothing).  NumPy: one slice
    addition per part over every class row (the same additions, in the same
    order, as a loop; no compile)."""
    TB = flat.shape[0] // C
    rows = flat.reshape(C, TB)
    for p in range(parts.shape[0]):
        lo = int(ranges[p, 0])
        hi = int(ranges[p, 1])
        if hi >= lo:
            rows[:, lo:hi + 1] += parts[p].reshape(C, TB)[:, lo:hi + 1]


# -------------------------------------------------------------------- results

@njit(cache=True)
def _ap_lower(pb, A, D, unit):
    """Least possible sum of the precisions of a bin's positives (see
    ``table_auc_ap``): ``sum_i w_i g(a_i)`` with ``g(a) = (A + a) / (A + a + D)``."""
    if D == 0.0:
        return pb  # no negative at or above the bin: every precision is 1
    if unit:
        # unit weights: the i-th positive (descending) has a_i >= i
        if pb <= 64.0:
            low = 0.0
            for i in range(1, int(pb) + 1):
                low += (A + i) / (A + i + D)
            return low
        # g is concave, so g(i) >= its mean over [i - 1/2, i + 1/2]
        return pb - D * np.log1p(pb / (A + 0.5 + D))
    # any weights: a right-endpoint sum of increasing g is >= its integral
    return pb - D * np.log1p(pb / (A + D))


# Gauss-Legendre nodes and weights on [0, 1] for the within-bin AP integral
_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_X = (_GL_X + 1.0) / 2.0
_GL_W = _GL_W / 2.0


@njit(cache=True)
def _linear_slope(mean):
    """Slope ``a`` of the density ``1 + a (u - 1/2)`` on [0, 1] whose mean is
    ``mean`` (``1/2 + a/12``), clipped to [-2, 2] so that it stays >= 0."""
    return min(max(12.0 * (mean - 0.5), -2.0), 2.0)


@njit(cache=True)
def _ap_bin_estimate(A, F, pb, nb, mp, vp, mn, vn, own, tie):
    """Estimated exact AP contribution of one bin (sum over its positives of
    weight x precision; see ``table_auc_ap``)."""
    if vp <= tie and (nb == 0.0 or (vn <= tie and abs(mp - mn) <= tie)):
        return pb * ((A + pb) / (A + pb + F + nb))  # one tied threshold
    sp = _linear_slope(mp)
    sn = _linear_slope(mn) if nb > 0.0 else 0.0
    est = 0.0
    for k in range(_GL_X.shape[0]):
        u = _GL_X[k]
        a = pb * (1.0 - u) * (1.0 + sp * u / 2.0) + own  # positives at or above u
        f = nb * (1.0 - u) * (1.0 + sn * u / 2.0)  # negatives above u
        est += _GL_W[k] * (1.0 + sp * (u - 0.5)) * (A + a) / (A + a + F + f)
    return pb * est


@njit(cache=True)
def table_auc_ap(tab, mom, mom2, sqw, unit, tie):
    """ROC AUC, AP and their certified bounds from one bin table.

    Parameters
    ----------
    tab : float64 (B, 2)
        ``tab[b, 0]`` negative weight, ``tab[b, 1]`` positive weight of bin b.
    mom, mom2, sqw : float64 (B, 2)
        The same cells' sums of weight times position in the bin (``bin_pos``,
        in [0, 1)), of weight times its square, and of squared weights: the
        statistics of the within-bin estimates.  Zero moments give the tie
        treatment (each bin one threshold).
    unit : bool
        Every token had weight 1 (the table holds counts): sharpens the AP
        lower bound.
    tie : float
        A bin whose positions have variance and mean gap at most ``tie`` holds
        tied scores (``TIE_TOL`` for float64 statistics).

    Returns
    -------
    auc, ap, auc_bound, ap_bound, P, N : float64
        Both credit what happens inside a bin from its moments (below),
        within the certified range; NaN where undefined (the caller warns).

    Notes
    -----
    ROC: a (positive, negative) pair in different bins is ordered the same in
    the binned and the exact ranking.  The pairs of bin b count ``q_b`` each,
    ``q_b = clip(1/2 + m_P - m_N, 0, 1)`` with ``m_P``, ``m_N`` the mean
    positions in the bin (``mom / tab``) of its positives and negatives: the
    probability that a positive lies above a negative when both densities are
    linear across the bin (exact then; exact for tied scores too, where both
    means are equal), so smoothly spread scores crowded into few bins keep
    their ranking.  A same-bin pair counts 0, 1/2 or 1 in the exact AUC, so
    ``|binned - exact| <= sum_b P_b N_b max(q_b, 1 - q_b) / (P N)`` for any
    data (1/2 per pair with zero moments: the tie treatment).

    AP: bins are scanned in descending order; let A and F be the positive and
    negative weight above bin b, and P_b, N_b its own.  Bins other than b
    contribute the same to both values (the cumulative counts at bin edges
    are exact), so ``|binned - exact| <= sum_b |E_b - B_b| / P`` with
    ``B_b = P_b g_{F+N_b}(P_b)``, ``g_D(a) = (A + a) / (A + a + D)``, the
    binned contribution (the bin is one threshold), and ``E_b`` the exact one:
    each positive i of the bin has precision ``(A + a_i) / (A + a_i + F +
    f_i)`` with ``0 < a_i <= P_b`` (positives of the bin ranked at or above
    it, ties included) and ``0 <= f_i <= N_b``.  g is increasing in a and
    decreasing in D, hence

    * ``E_b <= U_b = P_b g_F(P_b)`` (every positive first, all of them); and
    * ``E_b >= L_b = integral_0^{P_b} g_{F+N_b}(a) da = P_b - D log1p(P_b /
      (A + D))`` with ``D = F + N_b``: ``a_i`` is at least the running sum of
      the positive weights in descending order, and a right-endpoint sum of
      an increasing function is at least its integral.  With unit weights
      (counts) ``a_i >= i`` for the i-th positive, so ``L_b = sum_{i=1}^{P_b}
      g(i)`` (summed for P_b <= 64; beyond, ``integral_{1/2}^{P_b + 1/2} g``,
      which is smaller as g is concave).

    ``L_b <= B_b <= U_b`` too.  The value takes, instead of ``B_b``, an
    estimate ``G_b`` of ``E_b`` clipped to ``[L_b, U_b]``, so ``|E_b - G_b| <=
    max(U_b - G_b, G_b - L_b)``: when the bin's positions have zero variance
    and equal means (tied scores), ``G_b = B_b``, scikit-learn's tie handling;
    otherwise positives and negatives get the linear densities on [0, 1]
    with their mean positions (slopes clipped to keep them >= 0) and ``G_b =
    P_b int_0^1 d_P(u) g(a(u), f(u)) du`` (16-point Gauss-Legendre) with
    ``a(u)``, ``f(u)`` the positive and negative weight above position u,
    ``a`` plus half the positive's own weight (``sum w**2 / (2 sum w)`` over
    the bin's positives: a positive counts itself, as in scikit-learn).
    The bounds hold for any weights; they bound the mathematical difference
    (the two computed values also differ by float64 rounding, ~1e-15).
    """
    B = tab.shape[0]
    tp = 0.0
    fp = 0.0
    tp_prev = 0.0
    fp_prev = 0.0
    area = 0.0
    ap = 0.0
    pairs = 0.0
    ap_err = 0.0
    for b in range(B - 1, -1, -1):
        nb = tab[b, 0]
        pb = tab[b, 1]
        if nb == 0.0 and pb == 0.0:
            continue
        A = tp
        F = fp
        tp += pb
        fp += nb
        area, ap = _add_point(area, ap, tp, fp, tp_prev, fp_prev)
        tp_prev = tp
        fp_prev = fp
        if pb > 0.0 and nb > 0.0:
            # the trapezoid counted this bin's pairs 1/2 each: credit q - 1/2
            q = min(max(0.5 + mom[b, 1] / pb - mom[b, 0] / nb, 0.0), 1.0)
            area += pb * nb * (q - 0.5)
            pairs += pb * nb * max(q, 1.0 - q)
        if pb > 0.0:
            binned = pb * (tp / (tp + fp))
            upper = pb * (tp / (tp + F))
            lower = _ap_lower(pb, A, F + nb, unit)
            mp = mom[b, 1] / pb
            mn = mom[b, 0] / nb if nb > 0.0 else 0.0
            vn = mom2[b, 0] / nb - mn * mn if nb > 0.0 else 0.0
            est = _ap_bin_estimate(A, F, pb, nb, mp, mom2[b, 1] / pb - mp * mp, mn, vn,
                                   sqw[b, 1] / (2.0 * pb), tie)
            est = min(max(est, lower), upper)
            ap += est - binned
            ap_err += max(upper - est, est - lower)
    auc, apv, P, N = _finish_auc_ap(area, ap, tp, fp)
    auc_bound = np.nan if np.isnan(auc) else min(pairs / (P * N), 1.0)
    ap_bound = min(ap_err / P, 1.0) if P > 0 else 0.0
    return auc, apv, auc_bound, ap_bound, P, N
