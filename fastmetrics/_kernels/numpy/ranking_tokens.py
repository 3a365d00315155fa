"""NumPy twins of ``_kernels/cpu/ranking_tokens.py``.

Each kept token is checked as the kernel checks it, in the same order (its
label, then its scores, then its weight); the first kept token with a
problem is reported with that problem's code, so ``(n_kept, code, index)``
equals the kernel's.
"""

import numpy as np

from ..codes import (  # noqa: F401  (the codes these twins report)
    OK,
    PRED_NOT_FINITE,
    TRUE_NOT_INTEGRAL,
    TRUE_OUT_OF_RANGE,
    WEIGHT_INVALID,
)


def _kept(y, keep, ignore, has_ignore):
    """Flat indices of the tokens the mask and ``ignore_index`` keep, or None
    when every token is kept."""
    sel = None
    if keep.shape[0] > 0:
        sel = keep.astype(np.bool_)
    if has_ignore:
        other = y != ignore
        sel = other if sel is None else sel & other
    return None if sel is None or sel.all() else np.flatnonzero(sel)


def _problems(v, s2, n_classes, weights):
    """Per kept token, one boolean array per possible problem, in the
    kernel's order of checks (label, then scores, then weight)."""
    f = v.astype(np.float64)
    with np.errstate(invalid="ignore"):
        checks = [(TRUE_NOT_INTEGRAL, ~np.isfinite(f) | (f != np.floor(f))),
                  (TRUE_OUT_OF_RANGE, (f < 0) | (f >= n_classes))]
        if s2.dtype.kind == "f":
            checks.append((PRED_NOT_FINITE, ~np.isfinite(s2).all(axis=1)))
        if weights is not None:
            checks.append((WEIGHT_INVALID, ~((weights >= 0.0) & (weights < np.inf))))
    return checks


def _first_problem(checks):
    """(position, code) of the first token with a problem, its first
    problem's code; None when all are good."""
    first = None
    for code, bad in checks:
        if bad.any():
            j = int(np.argmax(bad))
            if first is None or j < first[0]:  # an earlier check wins a tie
                first = (j, code)
    return first


def _tokens(y, s2, keep, ignore, has_ignore, sw, rep, n_classes, write_w):
    """(the kept tokens' labels, score rows, sample weights or None) and the
    kernel's ``(n_kept, code, index)`` report; None for the tokens when one
    is bad."""
    idx = _kept(y, keep, ignore, has_ignore)
    v, rows = (y, s2) if idx is None else (y[idx], s2[idx])
    wi = None
    if write_w and sw.shape[0] > 0:
        wi = sw[np.arange(y.shape[0]) // rep if idx is None else idx // rep]
    first = _first_problem(_problems(v, rows, n_classes, wi))
    if first is not None:
        j, code = first
        return None, (j, code, j if idx is None else int(idx[j]))
    return (v, rows, wi), (v.shape[0], 0, -1)


def _weights(wi, cw, classes, n):
    """The kept tokens' weights: sample weight (1 without) times class weight."""
    w = np.ones(n) if wi is None else wi.astype(np.float64)
    return w * cw[classes] if cw.shape[0] > 0 else w


def binary_tokens(y, s2, keep, ignore, has_ignore, sw, rep, cw, copy_s, y_out, s_out,
                  w_out):
    """Twin of ``cpu.ranking_tokens.binary_tokens``: keep the unmasked,
    unignored tokens, check labels in {0, 1}, every score column finite and
    weights finite >= 0; write positives, the last score column (when
    ``copy_s``) and combined weights (when ``w_out`` is not empty)."""
    write_w = w_out.shape[0] > 0
    kept, report = _tokens(y, s2, keep, ignore, has_ignore, sw, rep, 2, write_w)
    if kept is None:
        return report
    v, rows, wi = kept
    m = v.shape[0]
    pos = v == 1
    y_out[:m] = pos
    if write_w:
        w_out[:m] = _weights(wi, cw, pos.astype(np.intp), m)
    if copy_s:
        s_out[:m] = rows[:, -1]
    return report


def multiclass_tokens(y, s2, keep, ignore, has_ignore, sw, rep, cw, copy_s, y_out,
                      s_out, w_out):
    """Twin of ``cpu.ranking_tokens.multiclass_tokens``: the same with class
    ids in [0, C), C = ``s2.shape[1]``; kept score rows copied when ``copy_s``."""
    write_w = w_out.shape[0] > 0
    kept, report = _tokens(y, s2, keep, ignore, has_ignore, sw, rep, s2.shape[1],
                           write_w)
    if kept is None:
        return report
    v, rows, wi = kept
    m = v.shape[0]
    lab = v.astype(np.int64)
    y_out[:m] = lab
    if write_w:
        w_out[:m] = _weights(wi, cw, lab, m)
    if copy_s:
        s_out[:m] = rows
    return report
