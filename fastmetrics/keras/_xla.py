"""XLA-compatible batch updates (TensorFlow, ``jit_compile=True``).

XLA cannot call the host, so inside an XLA-compiled step the batch's additive
state is computed with TensorFlow ops instead of the library's kernels.  The
reading of the inputs is the library's own, in two halves:

* at trace time, in Python, on the static shapes and dtypes: the input form
  (:func:`fastmetrics._core.tokens.token_form`, the rule the NumPy token layer
  reads arrays with, over the form list of the family the update stands in
  for: ``classification._format`` for the confusion counts, ``ranking._tokens``
  for the binned AUC), and every check the host makes on shapes alone —
  shapes that fit no form, ``num_classes`` against the class axis,
  ``ignore_index`` with one-hot ``y_true``, the mask (exactly the token
  shape), ``sample_weight`` (a prefix of the token shape), ``class_weight``.
  These raise the host's ValueError, with its message, when the step is
  traced;
* in the graph, per token, what the kernels read: the label (an id, column 1
  of a binary one-hot row, the first argmax of a multiclass one);
  the prediction (``score > threshold`` in the score's dtype, the first argmax
  of scores, integer ids as given, the first argmax of an integer two-unit
  output); the token mask, ``ignore_index``, the prefix-broadcast weight and
  the class weight; binned AUC cells with the same folded order-preserving
  key as ``fastmetrics._kernels.cpu.ranking_stream``.

The state (counts, weight sums, AUC table cells) is the same as the host
path's, so the epoch value — which Keras computes eagerly after the epoch —
is the library's own compute on the same state.  What the host rejects on
*values* (labels out of range, rows read as one-hot that are not, non-finite
scores, probabilities outside [0, 1], negative weights) cannot raise inside
XLA (a compiled program has no exceptions and cannot call the host): such a
token is skipped and counted, and the eager result raises.  The host checks
one-hot rows and the probability range before it applies the mask, so those
count on every token, masked or not, as the host would raise on them.

Static shapes may hold unknown sizes (the batch axis; a padded time axis).
The form is then decided with unknown sizes equal to each other and to no
known size; where the actual size of an unknown axis makes the host read the
batch in another form (say binary ``(B, T)`` scores with a time axis of
unknown length that turns out to be 2: one-hot rows and a two-unit output to
the host), every token of that batch is counted as invalid instead, so the
eager result raises rather than differs.

The loss metrics (:func:`loss_deltas`) read their inputs as the loss family
does (Keras' per-token losses), not through the token layer.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._core import tokens as _tokens
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


# ====================================================== the reading (trace time)

#: forms whose token is one element of y_true and one of the predictions
_ELEMENTWISE = ("squeezed", "same", "ids+one_unit")


class _Shape:
    """Stands in for an array in the families' shape messages (``.shape``:
    the static shape, None for an unknown size)."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.ndim = len(self.shape)


def _static_shape(x, name):
    if x.shape.rank is None:
        raise ValueError(
            f"{name} has no static rank in the compiled graph, so its input form cannot "
            "be read; give it a static rank or compile with jit_compile=False."
        )
    return tuple(x.shape.as_list())


def _agree(a, b):
    """Static shapes that may be equal (an unknown size matches any)."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _family(family):
    """(forms by task, shape error) of the NumPy family the update stands in
    for; the shape error words the host's message for the static shapes."""
    if family == "classification":
        from ..classification._format import _FORMS, _shapes_error

        return _FORMS, lambda task, ts, ps: _shapes_error(task, _Shape(ts), _Shape(ps))
    from ..ranking._tokens import _EXPECTED, FORMS, _shape_error

    return FORMS, lambda task, ts, ps: _shape_error(task, _Shape(ts), _Shape(ps),
                                                     _EXPECTED[task])


def _decide(family, task, floating, ts, ps):
    """The TokenForm the host reads for these static shapes, or None where
    it raises a shape error."""
    forms = _family(family)[0][task]
    if family == "classification" and task == "multiclass" and len(ts) == 0 \
            and len(ps) == 1:
        return None  # (classification._format._read: scores need ids of one axis)
    return _tokens.token_form(task, ts, ps, floating, forms)


def _reading(found, with_rank):
    """What a form reads, up to squeezing axes of length 1 (which leaves the
    tokens as they are; not the token rank a mask must match, though)."""
    if found is None:
        return None
    kind = "elementwise" if found.form in _ELEMENTWISE else found.form
    return kind, found.unit if kind != "elementwise" else None, \
        len(found.token_shape) if with_rank else None


def _shape_guard(family, task, floating, ts, ps, found, yt, yp, with_rank):
    """A bool scalar tensor, True when the actual sizes of the unknown axes
    make the host read the batch in another form (or reject it); None when
    the static shapes decide alone.

    An unknown axis is one position (from the left) of y_true and y_pred, as
    the form rules align them (None equals None).  The sizes that can turn a
    decision are the rules' literals (1, 2) and the known sizes an axis is
    compared with; every other size reads as the unknown one."""
    import tensorflow as tf

    axes = sorted({i for i, d in enumerate(ts) if d is None}
                  | {i for i, d in enumerate(ps) if d is None})
    if not axes:
        return None
    sizes = sorted({1, 2} | {d for d in ts + ps if d is not None})
    want = _reading(found, with_rank)

    def size(i):
        x = yt if i < len(ts) and ts[i] is None else yp
        return tf.shape(x, out_type=tf.int64)[i]

    def put(shape, values):
        return tuple(values.get(i, d) if d is None else d for i, d in enumerate(shape))

    flag = None
    for combo in itertools.product([None] + sizes, repeat=len(axes)):
        values = {i: v for i, v in zip(axes, combo) if v is not None}
        if not values:
            continue
        found2 = _decide(family, task, floating, put(ts, values), put(ps, values))
        if _reading(found2, with_rank) == want:
            continue
        cond = tf.constant(True)
        for i, v in zip(axes, combo):
            if v is None:
                for u in sizes:
                    cond = cond & tf.not_equal(size(i), u)
            else:
                cond = cond & tf.equal(size(i), v)
        flag = cond if flag is None else flag | cond
    return flag


def _check_mask(mask, token_shape):
    """``_core.checks.check_mask`` on the static shapes (the host's message)."""
    ms = _static_shape(mask, "mask")
    if not _agree(ms, token_shape):
        raise ValueError(
            f"mask has shape {ms} but the tokens have shape {tuple(token_shape)}; "
            "a mask must have exactly the token shape."
        )


def _weight_layout(ws, token_shape):
    """``_core.checks.check_sample_weight`` on the static shapes: the number
    of leading token axes the weights give (a prefix, broadcast over the
    rest), or None for weights of the token rank broadcast as NumPy does;
    raises the host's message."""
    ts = tuple(token_shape)
    if len(ws) == 0:
        raise ValueError(
            "sample_weight must be an array shaped like a prefix of the token shape "
            f"{ts} (e.g. (N,) or (N, T)); got a scalar."
        )
    shape = ws
    # drop trailing axes of 1 that stand for broadcast axes: (N, 1) -> (N,)
    # (an unknown token size is taken as not 1: the weights are then the same)
    while len(shape) > 1 and shape[-1] == 1 and (
            len(shape) > len(ts) or ts[len(shape) - 1] != 1):
        shape = shape[:-1]
    if len(shape) <= len(ts) and _agree(shape, ts[:len(shape)]):
        return len(shape)
    if len(ws) == len(ts) and all(a is None or b is None or a == b or a == 1
                                  for a, b in zip(ws, ts)):
        return None
    raise ValueError(
        f"sample_weight has shape {ws}, which does not broadcast to the token "
        f"shape {ts}: pass one weight per sequence {ts[:1]} or one per token {ts}."
    )


class _Read:
    """One batch read as the host reads it.

    ``form``: the TokenForm; ``yt``, ``yp``: the inputs with the squeezed axes
    taken off (token shape, or token shape + (k,)); ``shape``: the token shape
    as a tensor; ``keep``: the token mask (bool, token shape); ``w``: float64
    weights of the token shape (sample weight only) and ``w_bad`` where they
    are negative or not finite; ``cw``: the class weights (a float64
    constant) or None; ``guard``: see :func:`_shape_guard`.
    """

    __slots__ = ("form", "yt", "yp", "shape", "keep", "w", "w_bad", "cw", "guard",
                 "floating")


def _read(family, task, C, yt, yp, sample_weight, mask, ignore_index, class_weight):
    """Decide the form and make the host's shape checks (trace time, in the
    host's order), then cut the tensors to tokens."""
    import tensorflow as tf

    pred_name = "y_pred" if family == "classification" else "y_score"
    ts, ps = _static_shape(yt, "y_true"), _static_shape(yp, pred_name)
    floating = yp.dtype.is_floating
    found = _decide(family, task, floating, ts, ps)
    if found is None:
        raise _family(family)[1](task, ts, ps)
    tshape = found.token_shape
    if mask is not None:
        mask = tf.convert_to_tensor(mask)
    if sample_weight is not None:
        sample_weight = tf.convert_to_tensor(sample_weight)
    ws = None if sample_weight is None else _static_shape(sample_weight, "sample_weight")
    cw = None
    if family == "classification":
        # classification._format: format_task's readers
        if task == "multilabel":
            _tokens.read_class_weight(task, class_weight, found.C)
            if C is not None and found.C is not None and found.C != C:
                raise ValueError(
                    f"num_classes={C} but the label axis of y_true/y_pred has size "
                    f"{found.C}."
                )
            layout = None if ws is None else _weight_layout(ws, tshape)
            if mask is not None:
                _check_mask(mask, tshape)
        else:
            _tokens.refuse_ignore_index(ignore_index, found.one_hot)
            if mask is not None:
                _check_mask(mask, tshape)
            if task == "multiclass" and found.C is not None and C is not None \
                    and found.C != C:
                what = "one-hot y_true" if found.form == "one_hot+ids" else "scores y_pred"
                raise ValueError(
                    f"num_classes={C} but the class axis of the {what} has size "
                    f"{found.C}."
                )
            layout = None if ws is None else _weight_layout(ws, tshape)
            cw = _tokens.read_class_weight(task, class_weight, 2 if task == "binary" else C)
    else:
        # ranking._tokens.ranking_tokens (the streaming AUC raises its errors)
        if task == "multilabel":
            _tokens.read_class_weight(task, class_weight, found.C)
        if task != "binary" and found.C is not None and C is not None and found.C != C:
            axis = "label axis of y_true/y_score" if task == "multilabel" else \
                "class axis of y_score"
            raise ValueError(f"num_classes={C} but the {axis} has size {found.C}.")
        _tokens.refuse_ignore_index(ignore_index, found.one_hot)
        if mask is not None:
            _check_mask(mask, tshape)
        layout = None if ws is None else _weight_layout(ws, tshape)
        if task != "multilabel":
            cw = _tokens.read_class_weight(task, class_weight, 2 if task == "binary" else C)
        if found.form == "squeezed" and not tshape:
            # ranking.streaming: a binned update reads no 0-d token arrays
            from ..ranking._tokens import _shape_error
            from ..ranking.streaming import _expected

            raise _shape_error(task, _Shape(ts), _Shape(ps),
                               _expected(task, 1 if task == "binary" else C))

    r = _Read()
    r.form, r.floating = found, floating
    r.yt = yt[..., 0] if found.squeeze_true else yt
    r.yp = yp[..., 0] if found.squeeze_pred else yp
    r.shape = tf.shape(r.yt)[:len(tshape)]
    r.keep = tf.ones(r.shape, tf.bool) if mask is None else \
        tf.reshape(tf.cast(mask, tf.bool), r.shape)
    if sample_weight is None:
        r.w = tf.ones(r.shape, tf.float64)
        r.w_bad = tf.zeros(r.shape, tf.bool)
    else:
        w = _f64(sample_weight)
        if layout is not None:
            w = tf.reshape(w, tf.concat([tf.shape(w)[:layout],
                                         tf.ones([len(tshape) - layout], tf.int32)], 0))
        r.w = tf.broadcast_to(w, r.shape)
        r.w_bad = tf.logical_not((r.w >= 0) & (r.w < np.inf))
    r.cw = None if cw is None else tf.constant(cw, tf.float64)
    r.guard = _shape_guard(family, task, floating, ts, ps, found, yt, yp, mask is not None)
    return r


# ============================================================ per-token values

def _first_argmax(x):
    """The index of the first maximum along the last axis (int64), as the
    kernels and ``numpy.argmax`` (TensorFlow leaves ties unspecified)."""
    import tensorflow as tf

    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    k = x.shape[-1] if x.shape[-1] is not None else tf.shape(x, out_type=tf.int64)[-1]
    top = tf.reduce_max(x, axis=-1, keepdims=True)
    idx = tf.range(k, dtype=tf.int64)
    first = tf.reduce_min(tf.where(tf.equal(x, top), idx, tf.cast(k, tf.int64)), axis=-1)
    return tf.minimum(first, tf.cast(k, tf.int64) - 1)


def _not_one_hot(rows):
    """``tokens.is_one_hot`` per row: 0/1 values with a single 1."""
    import tensorflow as tf

    f = _f64(rows)
    ok = tf.reduce_all((f == 0) | (f == 1), axis=-1) & (tf.reduce_sum(f, axis=-1) == 1)
    return tf.logical_not(ok)


def _not_id(v, C):
    """Not an integer class id in [0, C) (v: float64)."""
    import tensorflow as tf

    return tf.logical_not((v >= 0) & (v < C) & (tf.floor(v) == v))


def _not_finite(x, axis=None):
    import tensorflow as tf

    if not x.dtype.is_floating:
        shape = tf.shape(x) if axis is None else tf.shape(x)[:-1]
        return tf.zeros(shape, tf.bool)
    fin = tf.math.is_finite(x)
    return tf.logical_not(fin if axis is None else tf.reduce_all(fin, axis=axis))


def _ids(v, C):
    """int64 ids in [0, C) (an invalid one, never kept, is clipped)."""
    import tensorflow as tf

    v = tf.where(tf.math.is_finite(v), v, tf.zeros_like(v))
    return tf.clip_by_value(tf.cast(v, tf.int64), 0, C - 1)


def _dropped(r, bad, keep):
    """(keep, invalid count): the bad tokens (the caller's: on every token
    for the host's checks before the mask, else on kept ones) are counted and
    never kept."""
    import tensorflow as tf

    if r.guard is not None:
        bad = bad | tf.broadcast_to(r.guard, tf.shape(bad))
    return keep & tf.logical_not(bad), tf.reduce_sum(_f64(bad))


def _class_weighted(r, w, label):
    import tensorflow as tf

    return w if r.cw is None else w * tf.gather(r.cw, label)


# -------------------------------------------------------------- confusion
def confusion_deltas(task, C, threshold, ignore_index, y_true, y_pred, sample_weight, mask,
                     class_weight=None):
    """(counts, wsum, totals, invalid) of one batch, float64 tensors shaped as
    the streaming ConfusionMatrix state (``streaming.ConfusionMatrix(task, C,
    threshold=threshold, ignore_index=ignore_index).update(y_true, y_pred,
    sample_weight=..., mask=..., class_weight=...)``)."""
    import tensorflow as tf

    yp = tf.convert_to_tensor(y_pred)
    yt = tf.convert_to_tensor(y_true)
    r = _read("classification", task, C, yt, yp, sample_weight, mask, ignore_index,
              class_weight)
    thr = tf.cast(threshold, yp.dtype) if r.floating else None
    if task == "multilabel":
        return _multilabel_deltas(r, C, thr, ignore_index)
    f = r.form
    row_bad = None
    if task == "binary":
        if f.one_hot:  # rows [0, 1] / [1, 0] (checked on every token), label column 1
            row_bad = _not_one_hot(r.yt)
            truef = _f64(r.yt[..., 1])
        else:
            truef = _f64(r.yt)
        lab_bad = tf.logical_not((truef == 0) | (truef == 1))
        if f.unit is not None:  # a unit output S + (k,)
            if r.floating:  # the unit cut at the threshold, every unit finite
                pred = tf.cast(r.yp[..., f.unit] > thr, tf.int64)
                pred_bad = _not_finite(r.yp, axis=-1)
            else:  # integers: the first argmax
                pred = _first_argmax(r.yp)
                pred_bad = tf.zeros(r.shape, tf.bool)
        elif r.floating:
            pred = tf.cast(r.yp > thr, tf.int64)
            pred_bad = _not_finite(r.yp)
        else:  # predicted ids
            pv = _f64(r.yp)
            pred_bad = _not_id(pv, 2)
            pred = _ids(pv, 2)
    else:
        if f.one_hot:  # rows in [0, 1] (checked on every token), the first argmax
            v = _f64(r.yt)
            row_bad = tf.logical_not(tf.reduce_all((v >= 0) & (v <= 1), axis=-1))
            truef = _f64(_first_argmax(r.yt))
            lab_bad = tf.zeros(r.shape, tf.bool)
        else:
            truef = _f64(r.yt)
            lab_bad = _not_id(truef, C)
        if f.form in ("ids+scores", "one_hot+scores"):
            pred = _first_argmax(r.yp)
            pred_bad = _not_finite(r.yp, axis=-1)
        else:  # predicted ids
            pv = _f64(r.yp)
            pred_bad = _not_id(pv, C)
            pred = _ids(pv, C)
    keep = r.keep
    if ignore_index is not None:
        keep = keep & tf.logical_not(truef == ignore_index)
    bad = (lab_bad | pred_bad | r.w_bad) & keep
    keep, invalid = _dropped(r, bad if row_bad is None else bad | row_bad, keep)
    true = _ids(truef, C)
    cell = tf.reshape(true * C + tf.clip_by_value(pred, 0, C - 1), [-1])
    kf = tf.reshape(_f64(keep), [-1])
    wf = tf.reshape(tf.where(keep, _class_weighted(r, r.w, true), tf.zeros_like(r.w)), [-1])
    counts = tf.reshape(tf.math.unsorted_segment_sum(kf, cell, C * C), (C, C))
    wsum = tf.reshape(tf.math.unsorted_segment_sum(wf, cell, C * C), (C, C))
    return [counts, wsum, tf.zeros([4], tf.float64)], invalid


def _multilabel_deltas(r, L, thr, ignore_index):
    """Multilabel counts: per (token, label) element, ``ignore_index`` drops
    an element, the mask a token; every kept token counts in the totals."""
    import tensorflow as tf

    truef = _f64(r.yt)
    if thr is not None:
        pred = tf.cast(r.yp > thr, tf.int64)
        pred_bad = _not_finite(r.yp)
    else:  # integer predictions: 0 or 1
        pv = _f64(r.yp)
        pred_bad = tf.logical_not((pv == 0) | (pv == 1))
        pred = tf.clip_by_value(tf.cast(tf.where(pred_bad, tf.zeros_like(pv), pv), tf.int64),
                                0, 1)
    ign = tf.zeros_like(pred_bad) if ignore_index is None else (truef == ignore_index)
    el_bad = (tf.logical_not((truef == 0) | (truef == 1)) | pred_bad) & \
        tf.logical_not(ign) & r.keep[..., None]
    keep, invalid = _dropped(r, (r.w_bad & r.keep) | tf.reduce_any(el_bad, axis=-1), r.keep)
    keep_el = keep[..., None] & tf.logical_not(ign)
    true = tf.cast(truef == 1, tf.int64)
    cell = true * 2 + pred + 4 * tf.range(L, dtype=tf.int64)  # (..., L)
    kf = _f64(keep_el)
    w = tf.where(keep, r.w, tf.zeros_like(r.w))
    wf = w[..., None] * kf
    flat = tf.reshape(cell, [-1])
    counts = tf.reshape(tf.math.unsorted_segment_sum(tf.reshape(kf, [-1]), flat, 4 * L),
                        (L, 2, 2))
    wsum = tf.reshape(tf.math.unsorted_segment_sum(tf.reshape(wf, [-1]), flat, 4 * L),
                      (L, 2, 2))
    exact = keep & tf.reduce_all(tf.equal(true, pred) | tf.logical_not(keep_el), axis=-1)
    totals = tf.stack([
        tf.reduce_sum(_f64(keep)), tf.reduce_sum(w),
        tf.reduce_sum(_f64(exact)), tf.reduce_sum(tf.where(exact, w, tf.zeros_like(w))),
    ])
    return [counts, wsum, totals], invalid


# ------------------------------------------------------------------ losses
# (the loss family's own reading, not the token layer's: a mask broadcast over
# the per-token losses)
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


def auc_cells(task, C, bins, binmap, probability, y_true, y_pred, sample_weight, mask,
              ignore_index=None, class_weight=None):
    """(flat table cells, weights, positions in the bin, invalid count) of one
    batch: one cell per (token, class row) with its label bit, as the binned
    streaming AUC (``streaming.AUC(task=task, num_classes=C, mode="binned",
    bins=bins, scores=...).batch_deltas(y_true, y_pred, sample_weight=...,
    mask=..., ignore_index=..., class_weight=...)``)."""
    import tensorflow as tf

    yp = tf.convert_to_tensor(y_pred)
    yt = tf.convert_to_tensor(y_true)
    r = _read("ranking", task, C, yt, yp, sample_weight, mask, ignore_index, class_weight)
    f = r.form
    row_bad = None
    if task == "multilabel":
        s = r.yp
        lab = _f64(r.yt)
        ign = tf.zeros(tf.shape(lab), tf.bool) if ignore_index is None else \
            (lab == ignore_index)
        el_bad = (tf.logical_not((lab == 0) | (lab == 1)) | _not_finite(s)) & \
            tf.logical_not(ign) & r.keep[..., None]
        bad = (r.w_bad & r.keep) | tf.reduce_any(el_bad, axis=-1)
        keep = r.keep
        w = r.w
    else:
        if task == "binary":
            # ranking.streaming._binary_views: one-hot rows (checked on every
            # token) read by column 1, a unit output by its unit
            if f.one_hot:
                row_bad = _not_one_hot(r.yt)
                truef = _f64(r.yt[..., 1])
            else:
                truef = _f64(r.yt)
            lab_bad = tf.logical_not((truef == 0) | (truef == 1))
            s = (r.yp if f.unit is None else r.yp[..., f.unit])[..., None]
            true = _ids(truef, 2)
            lab = _f64(true)[..., None]
        else:
            if f.one_hot:  # strictly one-hot rows (checked on every token), their argmax
                row_bad = _not_one_hot(r.yt)
                true = _first_argmax(r.yt)
                truef = _f64(true)
                lab_bad = tf.zeros(r.shape, tf.bool)
            else:
                truef = _f64(r.yt)
                lab_bad = _not_id(truef, C)
                true = _ids(truef, C)
            s = r.yp
            lab = _f64(tf.equal(true[..., None], tf.range(C, dtype=tf.int64)))
        keep = r.keep
        if ignore_index is not None:
            keep = keep & tf.logical_not(truef == ignore_index)
        # the kernels' scans: an indicator (binary) token's weight is checked
        # when the mask keeps it, a multiclass one's when it is not ignored
        w_bad = r.w_bad & (r.keep if task == "binary" else keep)
        bad = ((lab_bad | _not_finite(s, axis=-1)) & keep) | w_bad
        w = _class_weighted(r, r.w, true)
        ign = tf.zeros(tf.shape(s), tf.bool)
    if row_bad is not None:
        bad = bad | row_bad
    if probability:
        # ranking.streaming._check_probabilities: every score read, masked or
        # not; a NaN anywhere leaves the whole check to the kernels'
        # finiteness check of the kept scores (as the host does)
        out = tf.reduce_any((s < 0) | (s > 1), axis=-1)
        bad = bad | (out & tf.logical_not(tf.reduce_any(tf.math.is_nan(_f64(s)))))
    keep, invalid = _dropped(r, bad, keep)
    keep_el = keep[..., None] & tf.logical_not(ign)
    rows = s.shape[-1] if s.shape[-1] is not None else \
        tf.cast(tf.shape(s)[-1], tf.int64)
    key = _fold_keys(s)
    b, pos = _bins(key, binmap)
    cell = (tf.range(rows, dtype=tf.int64) * bins + b) * 2 + tf.cast(lab == 1, tf.int64)
    wf = tf.where(keep_el, tf.broadcast_to(w[..., None], tf.shape(s)),
                  tf.zeros(tf.shape(s), tf.float64))
    return (tf.reshape(cell, [-1]), tf.reshape(wf, [-1]), tf.reshape(pos, [-1]), invalid)
