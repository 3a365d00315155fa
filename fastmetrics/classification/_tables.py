"""Runs the confusion-count kernels and turns their reports into messages."""

import numpy as np

from .. import config
from .._kernels import codes
from .._core.backend import by_size, chunk_for, kernels
from .._core.errors import KernelInputError, first_bad, token_position


def _kernels(*arrays):
    """The confusion kernels for a call that reads ``arrays`` ((n,) ids or
    (n, C) scores): their NumPy twins for small n (``kernels``)."""
    return kernels("confusion", n=max(a.shape[0] for a in arrays),
                   elements=max(a.size for a in arrays))


_MESSAGES = {
    codes.TRUE_OUT_OF_RANGE: "{true} has a label outside [{lo}, {hi}) at token {pos}",
    codes.PRED_OUT_OF_RANGE: "{pred} has a label outside [{lo}, {hi}) at token {pos}",
    codes.TRUE_NOT_INTEGRAL: "{true} has a value that is not an integer class id (NaN, "
                             "inf or fractional) at token {pos}",
    codes.PRED_NOT_INTEGRAL: "{pred} has a value that is not an integer class id (NaN, "
                             "inf or fractional) at token {pos}",
    codes.PRED_NOT_FINITE: "{pred} contains NaN or infinity; first bad score at token {pos}",
    codes.TRUE_NOT_FINITE: "{true} contains NaN or infinity; first bad value at token {pos}",
    codes.WEIGHT_INVALID: "sample_weight must be finite and >= 0; first bad weight at "
                          "token {pos}",
}


def _bad_message(code, index, names, token_shape, K, offset):
    """The message for kernel report ``code`` at flat token ``index``."""
    template = _MESSAGES.get(code, "invalid input at token {pos}")
    return template.format(true=names[0], pred=names[1], lo=offset, hi=offset + K,
                           pos=token_position(index, token_shape))


def confusion_table(
    yt,
    yp,
    K,
    *,
    threshold=None,
    offset=0,
    w=None,
    rep=1,
    cw=None,
    mask=None,
    ignore=None,
    names=("y_true", "y_pred"),
    token_shape=None,
):
    """Counts (K, K) int64 and weighted sums (K, K) float64 (None if unweighted).

    Raises KernelInputError naming the argument and the first bad token.
    """
    k = _kernels(yt, yp)
    n = yt.shape[0]
    chunk = chunk_for(n, K * K)
    static = (
        yp.ndim == 2
        and threshold is None
        and yp.shape[1] == K
        and 2 <= K <= config.MAX_STATIC_CLASSES
        and yp.dtype.kind == "f"
        and yp.flags.c_contiguous
    )
    # argmax of scores with the class count as a compile-time constant
    ctup = (0,) * K if static else None
    kern = by_size(k, "confusion_chunks", n, chunk)
    counts, wsum, bad_index, bad_code = kern(
        yt, yp, threshold, ctup, offset, K, w, rep, mask, ignore, chunk
    )
    bad = first_bad(bad_index, bad_code)
    if bad is not None:
        code, index = bad
        raise KernelInputError(
            code, index, _bad_message(code, index, names, token_shape, K, offset)
        )
    # Reduce per-chunk tables in chunk order (deterministic for any thread count).
    counts = counts.sum(axis=0).reshape(K, K)
    if w is None and cw is None:
        return counts, None
    wsum = wsum.sum(axis=0).reshape(K, K) if w is not None else counts.astype(np.float64)
    if cw is not None:
        # every token of row t carries the factor class_weight[t]
        wsum = wsum * cw[:, None]
    return counts, wsum


def multilabel_table(
    yt,
    true_mode,
    yp,
    pred_mode,
    *,
    threshold=0.5,
    w=None,
    rep=1,
    mask=None,
    ignore=None,
    samplewise=False,
    names=("y_true", "y_pred"),
    token_shape=None,
):
    """Per-label tn/fp/fn/tp counts and weights, totals and per-token counts."""
    k = _kernels(yt, yp)
    n, L = yt.shape
    chunk = chunk_for(n, 4 * L)
    kern = by_size(k, "multilabel_chunks", n, chunk)
    counts, wsum, totals, s_tp, s_fp, s_fn, bad_index, bad_code = kern(
        yt,
        true_mode,
        yp,
        pred_mode,
        float(threshold),
        w if w is not None else np.empty(0),
        rep,
        w is not None,
        mask if mask is not None else np.empty(0, dtype=np.bool_),
        mask is not None,
        0 if ignore is None else ignore,
        ignore is not None,
        bool(samplewise),
        chunk,
    )
    bad = first_bad(bad_index, bad_code)
    if bad is not None:
        code, index = bad
        msg = _bad_message(code, index, names, token_shape, 2, 0)
        if code in (codes.TRUE_NOT_INTEGRAL, codes.PRED_NOT_INTEGRAL):
            msg = msg.replace("is not an integer class id", "is not 0 or 1")
        raise KernelInputError(code, index, msg)
    counts = counts.sum(axis=0)
    totals = totals.sum(axis=0)
    wsum = wsum.sum(axis=0) if w is not None else None
    return counts, wsum, totals, (s_tp, s_fp, s_fn)


def minmax(a):
    """(min, max) of a non-empty 1-D integer array, in parallel."""
    k = _kernels(a)
    lo, hi = by_size(k, "minmax_ids", a.shape[0])(a, config.CHUNK)
    return int(lo.min()), int(hi.max())
