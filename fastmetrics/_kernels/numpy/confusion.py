"""NumPy twins of ``_kernels/cpu/confusion.py``.

Each twin returns the kernel's per-chunk tables for any ``chunk``.  A token is
bad exactly when the kernel's token-by-token rescan (``_first_bad``) says so,
with the same code priority: weight, true value, predicted value, true range,
predicted range.  Weighted sums are bitwise the kernel's: ``np.bincount``
adds weights one by one in input order, which is the order of the kernel's
interleaved sub-tables, and the sub-tables are reduced in the kernel's order.
"""

import numpy as np

from ..codes import (
    PRED_NOT_FINITE,
    PRED_NOT_INTEGRAL,
    PRED_OUT_OF_RANGE,
    TRUE_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)
from ..modes import MODE_ID, MODE_NONZERO, MODE_THRESHOLD

# The kernel's sub-table layout (cpu/confusion.py: _NSUB, _MAX_SUB_CELLS).
_NSUB = 4
_MAX_SUB_CELLS = 4096
# The kernel's integrality test ``int64(v) != v`` on float ids, as compiled:
# for float64 LLVM folds it to ``v != trunc(v)``, so huge integral values pass
# it (and fail the range check); float32 values are widened before the compare,
# so those outside [-2**63, 2**63) fail it (the conversion gives INT64_MIN).
_I64 = 2.0 ** 63


# ------------------------------------------------------------------ token reads

def _ids(a, offset):
    """``_id_value`` over 1-D ids: (id - offset as int64, valid or None if all)."""
    if a.dtype.kind == "f":
        v = a.astype(np.float64)
        integral = np.isfinite(v) & (v == np.floor(v))
        fits = (v >= -_I64) & (v < _I64)
        ok = integral if a.dtype == np.float64 else integral & fits
        # INT64_MIN (what the conversion gives) for the others: out of range
        t = np.where(integral & fits, v, -_I64).astype(np.int64)
    elif a.dtype == np.uint64:
        ok = a < np.uint64(1 << 63)  # the kernel's int64(v) != v for the others
        t = a.astype(np.int64)
    else:
        ok = None
        t = a.astype(np.int64)
    return (t - np.int64(offset) if offset else t), ok


def _finite(a):
    """Per token (value or row): all finite, or None for integers (always)."""
    if a.dtype.kind != "f":
        return None
    return np.isfinite(a) if a.ndim == 1 else np.isfinite(a).all(axis=1)


def _read_true(yt, offset):
    """``_read_token`` of y_true: (ids or argmax of one-hot rows, valid or None,
    the code of an invalid one)."""
    if yt.ndim == 2:
        return np.argmax(yt, axis=1), _finite(yt), TRUE_NOT_FINITE
    return (*_ids(yt, offset), TRUE_NOT_INTEGRAL)


def _read_pred(yp, threshold, offset):
    """``_read_token`` of y_pred: ids, argmax rows, or a score cut at ``threshold``
    (1-D scores, or column 1 of two-unit rows with both columns finite)."""
    if yp.ndim == 2 and threshold is None:
        return np.argmax(yp, axis=1), _finite(yp), PRED_NOT_FINITE
    if threshold is not None:
        x = yp[:, 1] if yp.ndim == 2 else yp
        fin = _finite(yp[:, :2] if yp.ndim == 2 else yp)
        return (x > np.float64(threshold)).astype(np.int64), fin, PRED_NOT_FINITE
    return (*_ids(yp, offset), PRED_NOT_INTEGRAL)


def _not_ignored(yt, ignore):
    """``yt[i] != ignore`` as the kernel compares: in int64 for integer ids and
    an integer ``ignore``, else in float64 (Numba's promotion)."""
    ints = yt.dtype.kind in "iub" and yt.dtype != np.uint64
    if ints and isinstance(ignore, (int, np.integer)):
        return yt.astype(np.int64) != np.int64(ignore)
    return yt.astype(np.float64) != np.float64(ignore)


def _token_weights(w, rep, n):
    """w[i // rep] for tokens 0..n-1 (prefix broadcasting)."""
    return np.repeat(w, rep)[:n] if rep > 1 else w[:n]


def _bad_weights(wt):
    return ~((wt >= 0.0) & (wt < np.inf))


# ------------------------------------------------------------- per-chunk reports

def _first_per_chunk(bad_pos, key, n_chunks, chunk):
    """Per-chunk first bad (position, key), -1 where a chunk is clean; ``bad_pos``
    are sorted token positions (chunk = position // chunk), ``key`` their keys."""
    first_pos = np.full(n_chunks, -1, dtype=np.int64)
    first_key = np.zeros(n_chunks, dtype=np.int64)
    if bad_pos.size:
        c, at = np.unique(bad_pos // chunk, return_index=True)
        first_pos[c] = bad_pos[at]
        first_key[c] = key[at]
    return first_pos, first_key


def _sequential_sums(keys, weights, size):
    """Per-key sums added one by one in input order (``np.bincount`` does;
    with no keys it answers int64 zeros)."""
    return np.bincount(keys, weights=weights, minlength=size).astype(np.float64)


# ---------------------------------------------------------------- confusion table

def _token_checks(t, p, K, wt, true_read, pred_read):
    """The kernel's checks of a token in its order (``_first_bad``): a list of
    (bad per token, code), the first failing one naming the token's problem."""
    checks = [] if wt is None else [(_bad_weights(wt), WEIGHT_INVALID)]
    for ok, code in (true_read, pred_read):
        if ok is not None:
            checks.append((~ok, code))
    checks.append((t.view(np.uint64) >= np.uint64(K), TRUE_OUT_OF_RANGE))
    checks.append((p.view(np.uint64) >= np.uint64(K), PRED_OUT_OF_RANGE))
    return checks


def _codes_at(checks, pos):
    """The code of the first failing check at each of the token positions ``pos``."""
    code = np.zeros(pos.shape[0], dtype=np.int64)
    for bad, c in reversed(checks):
        code[bad[pos]] = c
    return code


def _weighted_table(cells, wt, pos, n, chunk, n_chunks, KK):
    """The kernel's weighted sums: each chunk counts into ``_NSUB`` sub-tables
    (token j of a chunk into j % _NSUB; the last n % _NSUB tokens, past the
    last whole group, into 0: chunks are whole blocks), reduced in order."""
    nsub = _NSUB if KK <= _MAX_SUB_CELLS else 1
    sub = pos % nsub
    sub[pos >= n - n % nsub] = 0
    s = _sequential_sums(((pos // chunk) * nsub + sub) * KK + cells, wt,
                         n_chunks * nsub * KK).reshape(n_chunks, nsub, KK)
    if nsub == 1:
        return s[:, 0]
    return ((s[:, 0] + s[:, 1]) + s[:, 2]) + s[:, 3]


def confusion_chunks(yt, yp, threshold, ctup, offset, K, w, rep, mask, ignore, chunk):
    """Twin of ``cpu.confusion.confusion_chunks``: per-chunk counts (n_chunks,
    K*K) int64, weighted sums float64 ((0, K*K) unweighted), and each chunk's
    first bad token and code (a chunk that reports has zero tables).
    ``ctup`` (a compile-time class count for the kernel) changes nothing here."""
    n = yt.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    KK = K * K
    keep = np.ones(n, dtype=np.bool_) if mask is None else mask.astype(np.bool_)
    if ignore is not None:
        keep &= _not_ignored(yt, ignore)
    wt = None if w is None else _token_weights(w, rep, n)
    t, *true_read = _read_true(yt, offset)
    p, *pred_read = _read_pred(yp, threshold, offset)
    checks = _token_checks(t, p, K, wt, true_read, pred_read)
    bad = np.logical_or.reduce([b for b, _ in checks])
    bad_pos = np.flatnonzero(keep & bad)
    bad_index, bad_code = _first_per_chunk(bad_pos, _codes_at(checks, bad_pos),
                                           n_chunks, chunk)
    pos = np.flatnonzero(keep & ~bad)
    cells = t[pos] * K + p[pos]
    keys = cells if n_chunks == 1 else (pos // chunk) * KK + cells
    counts = np.bincount(keys, minlength=n_chunks * KK).astype(np.int64)
    counts = counts.reshape(n_chunks, KK)
    if w is None:
        wsum = np.zeros((0, KK), dtype=np.float64)
    else:
        wsum = _weighted_table(cells, wt[pos], pos, n, chunk, n_chunks, KK)
        wsum[bad_index >= 0] = 0.0
    counts[bad_index >= 0] = 0
    return counts, wsum, bad_index, bad_code


confusion_chunks_serial = confusion_chunks


# -------------------------------------------------------------------- multilabel

def _ml_read(a, mode, threshold):
    """``_read_class`` of the multilabel kernel over (n, L) values: (positive,
    invalid or None, the kernel's error kind: 1 not 0 or 1, 2 not finite)."""
    if mode == MODE_ID:
        one = a == 1
        return one, ~(one | (a == 0)), 1
    if mode not in (MODE_THRESHOLD, MODE_NONZERO):
        raise NotImplementedError("multilabel_chunks reads MODE_ID, MODE_THRESHOLD or "
                                  "MODE_NONZERO values")
    bad = None
    if a.dtype.kind == "f":
        bad = np.isnan(a) if mode == MODE_NONZERO else ~np.isfinite(a)
    val = (a != 0) if mode == MODE_NONZERO else (a > np.float64(threshold))
    return val, bad, 2


def _ml_bad(t_bad, p_bad, p_kind, w_bad, elem_kept):
    """Sorted bad positions and their codes, in the kernel's order: a row's
    weight at ``i * (L + 1)``, then per label the true value before the
    predicted one at ``i * (L + 1) + 1 + j``."""
    n, L = elem_kept.shape
    bad = [b for b in (t_bad, p_bad) if b is not None]
    pos, code = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if bad:
        f = np.flatnonzero(elem_kept & np.logical_or.reduce(bad))
        pos.append(f + f // L + 1)
        pred_code = PRED_NOT_INTEGRAL if p_kind == 1 else PRED_NOT_FINITE
        true = t_bad.reshape(-1)[f] if t_bad is not None else np.zeros(f.shape, np.bool_)
        code.append(np.where(true, TRUE_NOT_INTEGRAL, pred_code))
    if w_bad is not None:
        rows = np.flatnonzero(w_bad)
        pos.append(rows * (L + 1))
        code.append(np.full(rows.shape[0], WEIGHT_INVALID))
    pos, code = np.concatenate(pos), np.concatenate(code).astype(np.int64)
    order = np.argsort(pos, kind="stable")
    return pos[order], code[order]


def _ml_counted(elem_kept, row_kept, stop, chunk):
    """What the kernel counted: in a chunk that stopped at a bad position, the
    labels before it, and the rows (totals, per-row counts) wholly before it."""
    if not (stop >= 0).any():
        return elem_kept, row_kept
    n, L = elem_kept.shape
    rows = np.arange(n, dtype=np.int64)
    limit = np.where(stop >= 0, stop, np.iinfo(np.int64).max)[rows // chunk]
    at = rows[:, None] * (L + 1) + 1 + np.arange(L)
    return elem_kept & (at < limit[:, None]), row_kept & (rows * (L + 1) + L < limit)


def multilabel_chunks(yt, true_mode, yp, pred_mode, threshold, w, rep, has_w, mask,
                      has_mask, ignore, has_ignore, samplewise, chunk):
    """Twin of ``cpu.confusion.multilabel_chunks``: per-chunk (L, 4) tn/fp/fn/tp
    counts and weighted sums, totals [rows, weight, exact rows, exact weight],
    per-row tp/fp/fn when ``samplewise``, and each chunk's first bad row and code
    (a reporting chunk keeps what the kernel counted before the bad value)."""
    n, L = yt.shape
    n_chunks = (n + chunk - 1) // chunk
    row_kept = mask.astype(np.bool_) if has_mask else np.ones(n, dtype=np.bool_)
    elem_kept = np.repeat(row_kept[:, None], L, axis=1)
    if has_ignore:
        elem_kept &= _not_ignored(yt, ignore)
    wt = _token_weights(w, rep, n) if has_w else None
    t, t_bad, _ = _ml_read(yt, true_mode, 0.5)
    p, p_bad, p_kind = _ml_read(yp, pred_mode, threshold)
    w_bad = None if wt is None else row_kept & _bad_weights(wt)
    pos, code = _ml_bad(t_bad, p_bad, p_kind, w_bad, elem_kept)
    stop, bad_code = _first_per_chunk(pos, code, n_chunks, chunk * (L + 1))
    bad_index = np.where(stop >= 0, stop // (L + 1), -1)
    elem_counted, counted_rows = _ml_counted(elem_kept, row_kept, stop, chunk)
    f = np.flatnonzero(elem_counted)
    i, k = f // L, 2 * t.reshape(-1)[f] + p.reshape(-1)[f]  # 0 tn, 1 fp, 2 fn, 3 tp
    chunk_of = np.arange(n, dtype=np.int64) // chunk
    keys = (chunk_of[i] * L + f % L) * 4 + k
    counts = np.bincount(keys, minlength=n_chunks * L * 4).astype(np.int64)
    counts = counts.reshape(n_chunks, L, 4)
    if has_w:
        wsum = _sequential_sums(keys, wt[i], n_chunks * L * 4).reshape(n_chunks, L, 4)
    else:
        wsum = np.zeros((0, L, 4), dtype=np.float64)
    per_row = np.bincount(i * 4 + k, minlength=4 * n).astype(np.int64).reshape(n, 4)
    per_row[~counted_rows] = 0  # a row that stopped the kernel is not written
    exact = counted_rows & (per_row[:, 1] + per_row[:, 2] == 0)
    wr = np.ones(n) if wt is None else wt
    totals = np.zeros((n_chunks, 4), dtype=np.float64)
    for col, sel in enumerate((counted_rows, counted_rows, exact, exact)):
        vals = wr[sel] if col % 2 else None
        totals[:, col] = np.bincount(chunk_of[sel], weights=vals, minlength=n_chunks)
    s = per_row[:, [3, 1, 2]].T.copy() if samplewise else np.zeros((3, 0), np.int64)
    return counts, wsum, totals, s[0], s[1], s[2], bad_index, bad_code


multilabel_chunks_serial = multilabel_chunks


# ---------------------------------------------------------------------- min / max

def minmax_ids(a, chunk):
    """Twin of ``cpu.confusion.minmax_ids``: per-chunk (min, max) of a 1-D integer
    array as int64 (values read through int64, as the kernel does)."""
    n = a.shape[0]
    starts = np.arange(0, n, chunk)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    v = a.astype(np.int64)
    return np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts)


minmax_ids_serial = minmax_ids
