"""Runs the count kernels and turns their error codes into messages.

Today every kernel runs on the CPU (``_kernels/cpu``); CUDA twins will be
picked here by where the data lives.  Numba (and the kernels) are imported on
first use so that ``import fastmetrics`` stays cheap.
"""

import numpy as np

# Tokens per chunk: fixed, never derived from the thread count (determinism).
CHUNK = 1 << 16
# Score arrays with at most this many classes use the kernel specialised on C.
_MAX_STATIC_CLASSES = 64
# Upper bound on the per-chunk tables held at once (entries of int64/float64).
_MAX_TABLE_ENTRIES = 1 << 22


def _cpu():
    from ._kernels.cpu import confusion

    return confusion


def _chunk_for(n, table_size):
    """Chunk size for ``n`` tokens: fixed unless the per-chunk tables would be huge."""
    max_chunks = max(1, _MAX_TABLE_ENTRIES // max(table_size, 1))
    chunk = CHUNK
    if (n + chunk - 1) // chunk > max_chunks:
        chunk = -(-n // max_chunks)
        chunk = -(-chunk // 1024) * 1024  # a whole number of kernel blocks
    return max(chunk, 1)


class KernelInputError(ValueError):
    """Raised with the first bad token; callers may catch it to fall back."""

    def __init__(self, code, index, message):
        super().__init__(message)
        self.code = code
        self.index = index


def _bad_message(code, index, names, token_shape, K, offset):
    k = _cpu()
    pos = _unravel(index, token_shape)
    t_name, p_name = names
    if code == k.TRUE_OUT_OF_RANGE:
        return f"{t_name} has a label outside [{offset}, {offset + K}) at token {pos}"
    if code == k.PRED_OUT_OF_RANGE:
        return f"{p_name} has a label outside [{offset}, {offset + K}) at token {pos}"
    if code == k.TRUE_NOT_INTEGRAL:
        return f"{t_name} has a value that is not an integer class id (NaN, inf or fractional) at token {pos}"
    if code == k.PRED_NOT_INTEGRAL:
        return f"{p_name} has a value that is not an integer class id (NaN, inf or fractional) at token {pos}"
    if code == k.PRED_NOT_FINITE:
        return f"{p_name} contains NaN or infinity; first bad score at token {pos}"
    if code == k.TRUE_NOT_FINITE:
        return f"{t_name} contains NaN or infinity; first bad value at token {pos}"
    if code == k.WEIGHT_INVALID:
        return f"sample_weight must be finite and >= 0; first bad weight at token {pos}"
    return f"invalid input at token {pos}"


def _unravel(index, token_shape):
    if token_shape is None or len(token_shape) <= 1:
        return int(index)
    return tuple(int(i) for i in np.unravel_index(int(index), token_shape))


def _first_bad(bad_index, bad_code):
    hit = np.flatnonzero(bad_index >= 0)
    if hit.size == 0:
        return None
    c = hit[0]  # chunks are in token order: the first bad chunk has the first bad token
    return int(bad_code[c]), int(bad_index[c])


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
    k = _cpu()
    n = yt.shape[0]
    chunk = _chunk_for(n, K * K)
    static = (
        yp.ndim == 2
        and threshold is None
        and yp.shape[1] == K
        and 2 <= K <= _MAX_STATIC_CLASSES
        and yp.dtype.kind == "f"
        and yp.flags.c_contiguous
    )
    # argmax of scores with the class count as a compile-time constant
    ctup = (0,) * K if static else None
    kern = k.confusion_chunks if n > chunk else k.confusion_chunks_serial
    counts, wsum, bad_index, bad_code = kern(
        yt, yp, threshold, ctup, offset, K, w, rep, mask, ignore, chunk
    )
    bad = _first_bad(bad_index, bad_code)
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
    k = _cpu()
    n, L = yt.shape
    chunk = _chunk_for(n, 4 * L)
    kern = k.multilabel_chunks if n > chunk else k.multilabel_chunks_serial
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
    bad = _first_bad(bad_index, bad_code)
    if bad is not None:
        code, index = bad
        msg = _bad_message(code, index, names, token_shape, 2, 0)
        if code in (k.TRUE_NOT_INTEGRAL, k.PRED_NOT_INTEGRAL):
            msg = msg.replace("is not an integer class id", "is not 0 or 1")
        raise KernelInputError(code, index, msg)
    counts = counts.sum(axis=0)
    totals = totals.sum(axis=0)
    wsum = wsum.sum(axis=0) if w is not None else None
    return counts, wsum, totals, (s_tp, s_fp, s_fn)


def minmax(a):
    """(min, max) of a non-empty 1-D integer array, in parallel."""
    k = _cpu()
    kern = k.minmax_ids if a.shape[0] > CHUNK else k.minmax_ids_serial
    lo, hi = kern(a, CHUNK)
    return int(lo.min()), int(hi.max())
