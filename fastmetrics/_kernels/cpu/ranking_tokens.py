"""Token compaction for the ranking family (CPU, Numba).

One pass over the tokens of a binary or multiclass ranking input: drop the
masked tokens and those whose label equals ``ignore_index``, validate what is
kept (labels are class ids in ``[0, C)``, scores finite, weights finite and
>= 0), and write the kept labels, scores and combined weights
``sample_weight[i // rep] * class_weight[label]`` contiguously.  Single
threaded: the output order is the token order, so nothing depends on the
thread count.

Each kernel returns ``(n_kept, code, index)``: ``code`` is ``OK`` (0) or a
code of ``_kernels/codes.py``, and ``index`` the flat token index of the first bad
token (tokens are visited in order, so it is the first one).
"""

import numpy as np
from numba import njit

from ..codes import (  # noqa: F401  (the codes these kernels report)
    OK,
    PRED_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)


@njit(cache=True)
def _label_code(v, n_classes):
    """OK if ``v`` is a class id in [0, n_classes), else the error code."""
    f = np.float64(v)
    if not (abs(f) < np.inf) or f != np.floor(f):
        return TRUE_NOT_INTEGRAL
    if f < 0 or f >= n_classes:
        return TRUE_OUT_OF_RANGE
    return OK


@njit(cache=True)
def binary_tokens(y, s2, keep, ignore, has_ignore, sw, rep, cw, copy_s, y_out, s_out,
                  w_out):
    """Binary: labels in {0, 1}; the score is the last column of ``s2`` (n, k),
    and every column must be finite (two-unit outputs).  ``keep``, ``sw``,
    ``cw`` and ``w_out`` are empty when not used; kept scores are written to
    ``s_out`` only when ``copy_s``."""
    n = y.shape[0]
    k = s2.shape[1]
    has_keep = keep.shape[0] > 0
    has_sw = sw.shape[0] > 0
    has_cw = cw.shape[0] > 0
    write_w = w_out.shape[0] > 0
    j = 0
    for i in range(n):
        if has_keep and not keep[i]:
            continue
        v = y[i]
        if has_ignore and v == ignore:
            continue
        code = _label_code(v, 2)
        if code != 0:
            return j, code, i
        for c in range(k):
            if not (abs(np.float64(s2[i, c])) < np.inf):
                return j, PRED_NOT_FINITE, i
        pos = v == 1
        if write_w:
            wi = 1.0
            if has_sw:
                wi = sw[i // rep]
                if not (wi >= 0.0 and wi < np.inf):
                    return j, WEIGHT_INVALID, i
            if has_cw:
                wi *= cw[1] if pos else cw[0]
            w_out[j] = wi
        y_out[j] = pos
        if copy_s:
            s_out[j] = s2[i, k - 1]
        j += 1
    return j, 0, -1


@njit(cache=True)
def multiclass_tokens(y, s2, keep, ignore, has_ignore, sw, rep, cw, copy_s, y_out,
                      s_out, w_out):
    """Multiclass: labels in [0, C) with C = s2.shape[1]; every score finite.
    Kept score rows are copied to ``s_out`` only when ``copy_s``."""
    n = y.shape[0]
    C = s2.shape[1]
    has_keep = keep.shape[0] > 0
    has_sw = sw.shape[0] > 0
    has_cw = cw.shape[0] > 0
    write_w = w_out.shape[0] > 0
    j = 0
    for i in range(n):
        if has_keep and not keep[i]:
            continue
        v = y[i]
        if has_ignore and v == ignore:
            continue
        code = _label_code(v, C)
        if code != 0:
            return j, code, i
        for c in range(C):
            if not (abs(np.float64(s2[i, c])) < np.inf):
                return j, PRED_NOT_FINITE, i
        lab = np.int64(v)
        if write_w:
            wi = 1.0
            if has_sw:
                wi = sw[i // rep]
                if not (wi >= 0.0 and wi < np.inf):
                    return j, WEIGHT_INVALID, i
            if has_cw:
                wi *= cw[lab]
            w_out[j] = wi
        y_out[j] = lab
        if copy_s:
            for c in range(C):
                s_out[j, c] = s2[i, c]
        j += 1
    return j, 0, -1
