"""XLA-compatible batch updates (TensorFlow, ``jit_compile=True``).

XLA cannot call the host, so inside an XLA-compiled step the batch's additive
state is computed with TensorFlow ops instead of the library's kernels.  The
token rules are the library's (``classification._format`` / ``ranking.streaming``):

* binary: a score is positive when ``score > threshold`` compared in the
  score's dtype; a two-unit output (``(..., 2)``) is scored on unit 1 and
  one-hot targets ``(..., 2)`` read as their column 1; a trailing axis of 1
  is squeezed;
* multiclass: the prediction is the first argmax; targets are ids (``S`` or
  ``S + (1,)``) or one-hot rows (argmax);
* multilabel: per label, ``score > threshold``;
* weights are prefix-broadcast to the token shape; Keras' mask and
  ``ignore_index`` drop tokens; binned AUC cells use the same folded
  order-preserving key as ``fastmetrics._kernels.cpu.ranking_stream``.

The state (counts, weight sums, AUC table cells) is the same as the host
path's, so the epoch value — which Keras computes eagerly after the epoch —
is the library's own compute on the same state.  Tokens the library would
reject (labels out of range, non-finite scores, negative weights) cannot
raise inside XLA: they are counted and the eager result raises.
"""

from __future__ import annotations

import numpy as np

from .._kernels import keys as _keys


def in_xla():
    """Whether the current TensorFlow graph is being compiled by XLA."""
    import tensorflow as tf
    from tensorflow.python.ops import control_flow_util

    if tf.executing_eagerly():
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def _f64(x):
    import tensorflow as tf

    return tf.cast(x, tf.float64)


def _token_weights(sample_weight, mask, token_shape_tensor, token_rank):
    """float64 weights of shape S (prefix broadcast) and the keep mask."""
    import tensorflow as tf

    if sample_weight is None:
        w = tf.ones(token_shape_tensor, tf.float64)
    else:
        w = _f64(sample_weight)
        extra = token_rank - len(w.shape)
        if extra > 0:
            w = tf.reshape(w, tf.concat([tf.shape(w), tf.ones([extra], tf.int32)], 0))
        elif extra < 0:  # (N, T, 1) weights for (N, T) tokens
            w = tf.reshape(w, token_shape_tensor)
        w = tf.broadcast_to(w, token_shape_tensor)
    keep = tf.ones(token_shape_tensor, tf.bool)
    if mask is not None:
        keep = tf.logical_and(keep, tf.broadcast_to(tf.cast(mask, tf.bool),
                                                    token_shape_tensor))
    bad_w = tf.logical_not(tf.logical_and(w >= 0, w < np.inf))
    return w, keep, bad_w


def _kept(bad, sample_weight, mask, tokens, truef, ignore_index):
    """(weights, keep, bad) over the token shape of ``tokens``: Keras' mask
    and ``ignore_index`` drop tokens; a dropped token is never counted bad
    and a bad one (label, score or weight) is never kept."""
    import tensorflow as tf

    w, keep, bad_w = _token_weights(sample_weight, mask, tf.shape(tokens), tokens.shape.rank)
    if ignore_index is not None:
        keep &= tf.logical_not(truef == ignore_index)
    bad = (bad | bad_w) & keep
    keep &= tf.logical_not(bad)
    return w, keep, bad


def _squeeze_last(x):
    import tensorflow as tf

    return tf.squeeze(x, -1)


def _binary_tokens(yt, yp):
    """Binary targets and positive scores of token shape: a two-unit output
    (..., 2) is scored on unit 1 (one-hot targets read as their column 1); a
    trailing axis of 1 is squeezed."""
    if yp.shape.rank >= 1 and yp.shape[-1] in (1, 2) and (
            yt.shape.rank == yp.shape.rank or yt.shape.rank == yp.shape.rank - 1):
        two = yp.shape[-1] == 2
        if yt.shape.rank == yp.shape.rank:
            yt = yt[..., 1] if (two and yt.shape[-1] == 2) else _squeeze_last(yt)
        yp = yp[..., 1] if two else _squeeze_last(yp)
    return yt, yp


# -------------------------------------------------------------- confusion
def confusion_deltas(task, C, threshold, ignore_index, y_true, y_pred, sample_weight, mask):
    """(counts, wsum, totals, invalid) of one batch, float64 tensors shaped as
    the streaming ConfusionMatrix state."""
    import tensorflow as tf

    yp = tf.convert_to_tensor(y_pred)
    yt = tf.convert_to_tensor(y_true)
    thr = tf.cast(threshold, yp.dtype) if yp.dtype.is_floating else None
    if task == "multilabel":
        return _multilabel_deltas(C, thr, ignore_index, yt, yp, sample_weight, mask)
    if task == "binary":
        yt, yp = _binary_tokens(yt, yp)
        pred = tf.cast(yp > thr, tf.int64) if thr is not None else tf.cast(yp, tf.int64)
        truef = _f64(yt)
        true = tf.cast(truef, tf.int64)
        bad = tf.logical_not((truef == 0) | (truef == 1))
        if yp.dtype.is_floating:
            bad |= tf.logical_not(tf.math.is_finite(yp))
    else:
        if yt.shape.rank == yp.shape.rank:
            if yt.shape[-1] == 1:
                yt = _squeeze_last(yt)
            else:  # one-hot rows
                yt = tf.argmax(yt, axis=-1)
        pred = tf.argmax(yp, axis=-1, output_type=tf.int64)
        truef = _f64(yt)
        true = tf.cast(truef, tf.int64)
        bad = tf.logical_not((truef >= 0) & (truef < C) & (tf.floor(truef) == truef))
        if yp.dtype.is_floating:
            bad |= tf.logical_not(tf.reduce_all(tf.math.is_finite(yp), axis=-1))
    w, keep, bad = _kept(bad, sample_weight, mask, pred, truef, ignore_index)
    cell = tf.reshape(tf.clip_by_value(true, 0, C - 1) * C + pred, [-1])
    kf = tf.reshape(_f64(keep), [-1])
    wf = tf.reshape(w, [-1]) * kf
    counts = tf.reshape(tf.math.unsorted_segment_sum(kf, cell, C * C), (C, C))
    wsum = tf.reshape(tf.math.unsorted_segment_sum(wf, cell, C * C), (C, C))
    invalid = tf.reduce_sum(_f64(bad))
    return [counts, wsum, tf.zeros([4], tf.float64)], invalid


def _multilabel_deltas(L, thr, ignore_index, yt, yp, sample_weight, mask):
    import tensorflow as tf

    pred = tf.cast(yp > thr, tf.int64) if thr is not None else tf.cast(yp, tf.int64)
    truef = _f64(yt)
    true = tf.cast(truef, tf.int64)
    shape = tf.shape(pred)[:-1]
    w, keep, bad_w = _token_weights(sample_weight, mask, shape, pred.shape.rank - 1)
    bad_el = tf.logical_not((truef == 0) | (truef == 1))
    if yp.dtype.is_floating:
        bad_el |= tf.logical_not(tf.math.is_finite(yp))
    keep_el = tf.broadcast_to(keep[..., None], tf.shape(pred))
    if ignore_index is not None:
        keep_el &= tf.logical_not(truef == ignore_index)
    bad = tf.reduce_sum(_f64(bad_el & keep_el)) + tf.reduce_sum(_f64(bad_w & keep))
    keep_el &= tf.logical_not(bad_el)
    cell = tf.clip_by_value(true, 0, 1) * 2 + pred  # (..., L)
    cell = cell + 4 * tf.range(L, dtype=tf.int64)
    kf = _f64(keep_el)
    wf = w[..., None] * kf
    counts = tf.reshape(tf.math.unsorted_segment_sum(tf.reshape(kf, [-1]),
                                                     tf.reshape(cell, [-1]), 4 * L), (L, 2, 2))
    wsum = tf.reshape(tf.math.unsorted_segment_sum(tf.reshape(wf, [-1]),
                                                   tf.reshape(cell, [-1]), 4 * L), (L, 2, 2))
    exact = tf.reduce_all(tf.equal(tf.clip_by_value(true, 0, 1), pred) | tf.logical_not(keep_el),
                          axis=-1)
    tok = keep & tf.reduce_any(keep_el, axis=-1)
    totals = tf.stack([
        tf.reduce_sum(_f64(tok)), tf.reduce_sum(w * _f64(tok)),
        tf.reduce_sum(_f64(tok & exact)), tf.reduce_sum(w * _f64(tok & exact)),
    ])
    return [counts, wsum, totals], bad


# ------------------------------------------------------------------ losses
def loss_deltas(loss, options, y_true, y_pred, sample_weight, mask):
    """[weighted loss sum, weight sum, count] of one batch (float64), the
    per-token loss from ``keras.losses`` (Keras' own formula, float32)."""
    import keras
    import tensorflow as tf

    yp = tf.convert_to_tensor(y_pred)
    yt = tf.convert_to_tensor(y_true)
    from_logits = options.get("from_logits", False)
    if loss == "sparse_categorical_crossentropy":
        if yt.shape.rank == yp.shape.rank:
            yt = _squeeze_last(yt)
        per = keras.losses.sparse_categorical_crossentropy(yt, yp, from_logits=from_logits)
        truef = _f64(yt)
        C = yp.shape[-1]
        bad = tf.logical_not((truef >= 0) & (truef < C) & (tf.floor(truef) == truef))
        ignore = options.get("ignore_index")
    elif loss == "categorical_crossentropy":
        per = keras.losses.categorical_crossentropy(
            yt, yp, from_logits=from_logits, label_smoothing=options.get("label_smoothing", 0.0))
        bad = tf.logical_not(tf.reduce_all((yt >= 0) & (yt <= 1), axis=-1))
        truef, ignore = None, None
    else:  # binary_crossentropy, elementwise
        ls = options.get("label_smoothing", 0.0)
        if yp.shape.rank >= 1 and yp.shape[-1] == 1:
            yp = _squeeze_last(yp)
            if yt.shape.rank > yp.shape.rank:
                yt = _squeeze_last(yt)
        z = tf.cast(yt, yp.dtype) * (1.0 - ls) + 0.5 * ls
        per = keras.ops.binary_crossentropy(z, yp, from_logits=from_logits)
        bad = tf.logical_not((yt >= 0) & (yt <= 1))
        truef, ignore = None, None
    bad |= tf.logical_not(tf.math.is_finite(per))
    w, keep, bad = _kept(bad, sample_weight, mask, per, truef, ignore)
    kf = _f64(keep)
    lf = tf.where(keep, _f64(per), tf.zeros_like(kf))
    return [tf.reduce_sum(w * kf * lf), tf.reduce_sum(w * kf), tf.reduce_sum(kf)], \
        tf.reduce_sum(_f64(bad))


# --------------------------------------------------------------------- AUC
def _fold_keys(x):
    """``ranking_stream.fold_key`` in TensorFlow ops (int64)."""
    import tensorflow as tf

    if x.dtype == tf.float32:
        lo = x <= 0.5
        t = tf.where(lo, x, 1.0 - x)
        a = tf.abs(t)
        a = tf.where(a < np.float32(_keys.HUGE), a, np.float32(_keys.HUGE))  # NaN -> huge
        a32 = a
    else:
        xf = _f64(x)
        lo = xf <= 0.5
        t = tf.where(lo, xf, 1.0 - xf)
        a = tf.abs(t)
        a = tf.where(a < _keys.HUGE, a, _keys.HUGE)
        a32 = tf.cast(a, tf.float32)
    mb = tf.cast(tf.bitcast(a32, tf.int32), tf.int64) - _keys.LO
    R = np.int64(_keys.R)
    k = tf.where(a32 < _keys.TINY, R + 1, tf.where(t < 0, R - mb, R + 2 + mb))
    return tf.where(lo, k, 2 * np.int64(_keys.K0) - k)


def _bins(key, binmap):
    """``ranking_stream.bin_pos`` in TensorFlow ops: (bin, position in the bin)."""
    import tensorflow as tf

    lo, hi, M = (np.int64(v) for v in binmap)
    k = tf.clip_by_value(key, lo, hi)
    prod = (k - lo) * M
    pos = tf.cast(tf.bitwise.bitwise_and(prod, np.int64(0xFFFFFFFF)), tf.float64) * 2.0**-32
    return tf.bitwise.right_shift(prod, np.int64(32)), pos


def auc_cells(task, C, bins, binmap, probability, y_true, y_pred, sample_weight, mask):
    """(flat table cells, weights, positions in the bin, invalid count) of one
    batch: one cell per (token, class row) with its label bit, as the binned
    streaming AUC."""
    import tensorflow as tf

    yp = tf.convert_to_tensor(y_pred)
    yt = tf.convert_to_tensor(y_true)
    if task == "binary":
        yt, yp = _binary_tokens(yt, yp)
        s = yp[..., None]
        lab = _f64(yt)[..., None]
        bad_lab = tf.logical_not((lab == 0) | (lab == 1))
    elif task == "multiclass":
        if yt.shape.rank == yp.shape.rank:
            yt = _squeeze_last(yt) if yt.shape[-1] == 1 else tf.argmax(yt, axis=-1)
        truef = _f64(yt)
        s = yp
        lab = _f64(tf.equal(tf.cast(truef, tf.int64)[..., None],
                            tf.range(C, dtype=tf.int64)))
        bad_lab = tf.logical_not((truef >= 0) & (truef < C) & (tf.floor(truef) == truef))
        bad_lab = tf.broadcast_to(bad_lab[..., None], tf.shape(s))
    else:
        s = yp
        lab = _f64(yt)
        bad_lab = tf.logical_not((lab == 0) | (lab == 1))
    shape = tf.shape(s)[:-1]
    w, keep, bad_w = _token_weights(sample_weight, mask, shape, s.shape.rank - 1)
    bad = bad_lab | tf.logical_not(tf.math.is_finite(s)) | bad_w[..., None]
    if probability:
        bad |= tf.logical_not((s >= 0) & (s <= 1))
    keep_el = tf.broadcast_to(keep[..., None], tf.shape(s))
    bad = bad & keep_el
    keep_el &= tf.logical_not(bad)
    rows = s.shape[-1]
    key = _fold_keys(s)
    b, pos = _bins(key, binmap)
    cell = (tf.range(rows, dtype=tf.int64) * bins + b) * 2 + \
        tf.cast(tf.clip_by_value(lab, 0, 1), tf.int64)
    wf = tf.where(keep_el, tf.broadcast_to(w[..., None], tf.shape(s)), tf.zeros_like(lab))
    return (tf.reshape(cell, [-1]), tf.reshape(wf, [-1]), tf.reshape(pos, [-1]),
            tf.reduce_sum(_f64(bad)))
