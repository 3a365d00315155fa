"""NumPy twins of ``_kernels/cpu/weighting.py``.

Same chunks, same per-chunk results, same first bad token and code; a
chunk's results stop at its first bad token, as in the kernels.  Weighted
counts come from ``np.bincount``, which adds in token order like the
kernels, so every result is bit-identical.  Each ``X_serial`` is ``X``
(``by_size`` picks one by token count).
"""

import numpy as np

from ..codes import (
    OK,
    TRUE_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)

_I64_MAX = np.iinfo(np.int64).max
_I64_MIN = np.iinfo(np.int64).min


def _chunk_bounds(n, chunk):
    return [(a, min(n, a + chunk)) for a in range(0, n, chunk)]


def _kept(y, mask, ignore):
    """Tokens not masked and (ids) whose label is not ``ignore``."""
    keep = np.ones(y.shape[0], dtype=np.bool_) if mask is None else mask.copy()
    if ignore is not None:
        keep &= y != np.int64(ignore)  # int64: the kernels' comparison types
    return keep


def _ids(y):
    """(id as int64, integral and finite) of each label; integer dtypes wrap
    through int64 as ``np.int64(v)`` does in the kernels."""
    if y.dtype.kind != "f":
        return y.astype(np.int64), np.ones(y.shape[0], dtype=np.bool_)
    ok = np.isfinite(y) & (y >= -2.0**63) & (y < 2.0**63)
    t = np.where(ok, y, 0).astype(np.int64)
    return t, ok & (t == y)


def _classes(y, C):
    """(class as int64, valid) of each token: ids in [0, C), or the first
    maximum of a one-hot row (valid when the row is finite)."""
    if y.ndim == 2:
        return np.argmax(y, axis=1), np.isfinite(y).all(axis=1)
    t, ok = _ids(y)
    return t, ok & (t >= 0) & (t < C)


def _first(flags, a, b):
    """Index of the first True in ``flags[a:b]``, or -1."""
    hit = np.flatnonzero(flags[a:b])
    return a + int(hit[0]) if hit.size else -1


def _scan(y, C, w, rep, mask, ignore):
    """The kernels' token loop, vectorised: (kept, class, weight, code)
    per token; the code is the label's error before the weight's."""
    n = y.shape[0]
    keep = _kept(y, mask, ignore)
    k, ok = _classes(y, C)
    wi = np.ones(n) if w is None else w[np.arange(n) // rep]
    code = np.zeros(n, dtype=np.int64)
    if w is not None:
        code[~((wi >= 0.0) & (wi < np.inf))] = WEIGHT_INVALID
    code[~ok] = TRUE_NOT_FINITE if y.ndim == 2 else TRUE_OUT_OF_RANGE
    code[~keep] = OK
    return keep, np.where(ok, k, 0), wi, code


def _reports(code, bounds):
    """Per chunk: the first bad token (-1: none) and its code (int64 arrays),
    and the end of the tokens the kernel got through (the bad one, exclusive)."""
    bad_index = np.array([_first(code != OK, a, b) for a, b in bounds], dtype=np.int64)
    bad_code = np.where(bad_index >= 0, code[np.maximum(bad_index, 0)], OK)
    ends = [i if i >= 0 else b for i, (_, b) in zip(bad_index.tolist(), bounds)]
    return bad_index, bad_code.astype(np.int64), ends


def label_range_chunks(y, mask, ignore, chunk):
    """Twin of ``cpu.weighting.label_range_chunks``: per-chunk (min, max)
    int64 class id of the kept tokens (int64 max / min when none) and the
    first token that is not an integral id (``TRUE_NOT_INTEGRAL``)."""
    keep = _kept(y, mask, ignore)
    t, ok = _ids(y)
    bad = keep & ~ok
    bounds = _chunk_bounds(y.shape[0], chunk)
    lo = np.full(len(bounds), _I64_MAX, dtype=np.int64)
    hi = np.full(len(bounds), _I64_MIN, dtype=np.int64)
    bad_index = np.full(len(bounds), -1, dtype=np.int64)
    bad_code = np.zeros(len(bounds), dtype=np.int64)
    for c, (a, b) in enumerate(bounds):
        i = _first(bad, a, b)
        if i >= 0:
            bad_index[c], bad_code[c], b = i, TRUE_NOT_INTEGRAL, i
        ids = t[a:b][keep[a:b]]
        if ids.size:
            lo[c], hi[c] = ids.min(), ids.max()
    return lo, hi, bad_index, bad_code


def class_count_chunks(y, C, w, rep, mask, ignore, chunk):
    """Twin of ``cpu.weighting.class_count_chunks``: per-chunk token counts
    (int64 (n_chunks, C)) and weighted counts (float64 (n_chunks, C), or
    (0, C) without ``w``) per class, first bad token and code."""
    keep, k, wi, code = _scan(y, C, w, rep, mask, ignore)
    bounds = _chunk_bounds(y.shape[0], chunk)
    counts = np.zeros((len(bounds), C), dtype=np.int64)
    wsum = np.zeros((len(bounds) if w is not None else 0, C), dtype=np.float64)
    bad_index, bad_code, ends = _reports(code, bounds)
    for c, ((a, _), end) in enumerate(zip(bounds, ends)):
        kk = k[a:end][keep[a:end]]
        counts[c] = np.bincount(kk, minlength=C)
        if w is not None:
            wsum[c] = np.bincount(kk, wi[a:end][keep[a:end]], minlength=C)
    return counts, wsum, bad_index, bad_code


def temporal_weight_chunks(y, C, cw, w, rep, mask, ignore, out, chunk):
    """Twin of ``cpu.weighting.temporal_weight_chunks``: writes
    ``out[i] = float32(w_i * cw[class_i])`` (0 for a skipped token) and
    returns the per-chunk first bad token and code."""
    keep, k, wi, code = _scan(y, C, w, rep, mask, ignore)
    with np.errstate(invalid="ignore", over="ignore"):  # bad weights: reported below
        out[:] = np.where(keep, (wi * cw[k]).astype(np.float32), np.float32(0.0))
    bad_index, bad_code, _ = _reports(code, _chunk_bounds(y.shape[0], chunk))
    return bad_index, bad_code


label_range_chunks_serial = label_range_chunks
class_count_chunks_serial = class_count_chunks
temporal_weight_chunks_serial = temporal_weight_chunks
