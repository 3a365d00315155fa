"""Input forms -> flat token arrays -> :class:`~._stats.ConfusionStats`.

Two readings:

* ``task=None``: scikit-learn's reading (``type_of_target`` /
  ``_check_targets``), done without sorting the data: integer labels in
  ``[0, config.GUESS_LABELS)`` are counted directly in one fused pass and the label set is read
  off the counts; other labels fall back to a min/max pass or to ``np.unique``.
* an explicit task: token arrays of any shape, see ``format_task``.

No input-sized temporaries are made on the fast paths: arrays are reshaped
(views) and the kernels read them in place.
"""

import numpy as np

from .. import config
from .._kernels import codes, modes
from .._core.checks import (
    as_array,
    check_consistent_length,
    check_ignore_index,
    check_mask,
    check_not_all_zero,
    check_num_classes,
    check_sample_weight,
    check_task,
    check_threshold,
    num_samples,
)
from .._core.backend import as_kernel_ints
from .._core.errors import KernelInputError
from .._core.targets import kind_of_1d, type_of_target
from .._core.tokens import (
    TokenShapeError,
    check_task_classes,
    is_one_hot,
    label_class_weights,
    read_tokens,
)
from . import _tables
from ._stats import ConfusionStats

# ======================================================================== task=None

_HINT = (
    ". To read (N, T) token arrays or (N, T, C) scores, pass task='binary', "
    "'multiclass' or 'multilabel' explicitly."
)


def sklearn_stats(y_true, y_pred, *, sample_weight=None, mask=None,
                  ignore_index=None, class_weight=None, samplewise=False,
                  allow_empty=False):
    """Statistics for ``task=None``: scikit-learn's reading of the input."""
    yt = as_array(y_true, "y_true")
    yp = as_array(y_pred, "y_pred")
    sw = None if sample_weight is None else as_array(sample_weight, "sample_weight")
    check_consistent_length(yt, yp, sw)
    if yt.ndim == 0 or yp.ndim == 0:
        raise ValueError(
            "Expected array-like (array or non-string sequence) for y_true and y_pred, "
            "got a scalar."
        )
    for a in (yt, yp):
        if num_samples(a) < 1 and not allow_empty:
            raise ValueError(
                "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum "
                "of 1 sample is required."
            )
    ml_t = yt.ndim == 2 and yt.shape[1] > 1
    ml_p = yp.ndim == 2 and yp.shape[1] > 1
    if ml_t or ml_p or yt.ndim > 2 or yp.ndim > 2:
        t_type = type_of_target(yt, "y_true")
        p_type = type_of_target(yp, "y_pred")
        y_type = {t_type, p_type}
        if y_type == {"binary", "multiclass"}:
            y_type = {"multiclass"}
        if len(y_type) > 1:
            raise ValueError(
                "Classification metrics can't handle a mix of {0} and {1} targets".format(
                    t_type, p_type
                ) + _HINT
            )
        y_type = y_type.pop()
        if y_type != "multilabel-indicator":
            raise ValueError(
                "{0} is not supported".format(y_type)
                + (_HINT if y_type in ("unknown",) or "multioutput" in y_type else "")
            )
        if yt.shape[1] != yp.shape[1]:
            raise ValueError(
                "Multi-label binary indicator input with different numbers of labels"
            )
        if class_weight is not None:
            raise ValueError(
                "class_weight is not defined for multilabel targets (a token has "
                "several true labels); use sample_weight."
            )
        if sw is not None:
            check_not_all_zero(np.asarray(sw).reshape(-1))
        return _multilabel_stats(
            yt, yp, modes.MODE_NONZERO, modes.MODE_NONZERO, 0.5, sample_weight, (yt.shape[0],), mask, ignore_index,
            samplewise is not False,
        )
    yt = yt.reshape(-1) if yt.ndim == 2 else yt
    yp = yp.reshape(-1) if yp.ndim == 2 else yp
    n = yt.shape[0]
    if sw is not None and sw.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-D with one weight per sample for task=None; got "
            f"shape {sw.shape}" + _HINT
        )
    w, rep, int_w = check_sample_weight(sw, (n,))
    check_not_all_zero(w)
    m = check_mask(mask, (n,))
    kt, kp = kind_of_1d(yt), kind_of_1d(yp)
    if "unknown" in (kt, kp):
        t_type = "unknown" if kt == "unknown" else type_of_target(yt, "y_true")
        p_type = "unknown" if kp == "unknown" else type_of_target(yp, "y_pred")
        if t_type != p_type:
            raise ValueError(
                "Classification metrics can't handle a mix of {0} and {1} targets".format(
                    t_type, p_type
                )
            )
        raise ValueError("unknown is not supported")
    if kt != kp:
        raise ValueError("Mix of label input types (string and number)")
    int_w = int_w and class_weight is None
    if kt == "numeric":
        stats = _numeric_1d_stats(yt, yp, w, int_w, m, ignore_index, class_weight, n)
    else:
        stats = _string_1d_stats(yt, yp, w, int_w, m, ignore_index, class_weight, n)
    return stats


def _finish_1d(counts, wsum, classes, int_w, y_type=None, dtypes=None):
    present = (counts.sum(axis=0) > 0) | (counts.sum(axis=1) > 0)
    if not present.all():
        idx = np.flatnonzero(present)
        counts = counts[np.ix_(idx, idx)]
        if wsum is not None:
            wsum = wsum[np.ix_(idx, idx)]
        classes = classes[idx]
    if dtypes is not None:
        # scikit-learn collects the labels in a Python set, y_true's first: a label
        # seen in y_true keeps y_true's type, so int y_true with integral float
        # y_pred gives int labels unless some label occurs only in y_pred.
        t_dtype, p_dtype = dtypes
        only_pred = counts.sum(axis=1) == 0
        dtype = np.result_type(t_dtype, p_dtype) if only_pred.any() else t_dtype
        classes = classes.astype(dtype)
    if y_type is None:
        y_type = "binary" if classes.shape[0] <= 2 else "multiclass"
    return ConfusionStats(
        y_type, classes, cm=counts if wsum is None else wsum, counts=counts,
        weighted=wsum is not None, int_weights=int_w,
    )


def _class_weight_table(class_weight, values):
    """Class weights for table rows whose label values are ``values`` (task=None)."""
    if class_weight is None:
        return None
    cw = label_class_weights(class_weight, values.tolist(), _array_entry)
    bad = ~np.isfinite(cw) | (cw < 0)
    if bad.any():
        raise ValueError("class_weight must be finite and >= 0.")
    return cw


def _array_entry(arr, value):
    """The weight of label ``value`` in a class_weight array (1 past its end:
    ``_check_cw_covers`` names a label that occurs there)."""
    try:
        iv = int(value)
    except (TypeError, ValueError):
        raise ValueError(
            "class_weight as an array needs integer labels (indexed by label "
            "value); use a dict {label: weight}."
        ) from None
    return arr[iv] if 0 <= iv < arr.shape[0] else 1.0


def _check_cw_covers(class_weight, classes):
    if class_weight is None or isinstance(class_weight, dict):
        return
    arr = np.asarray(class_weight)
    big = [c for c in classes.tolist() if not (0 <= int(c) < arr.shape[0])]
    if big:
        raise ValueError(
            f"class_weight has {arr.shape[0]} entries but label {big[0]!r} occurs; "
            "pass a weight for every label."
        )


def _numeric_1d_stats(yt, yp, w, int_w, m, ignore_index, class_weight, n):
    out_dtype = np.result_type(yt.dtype, yp.dtype)
    if ignore_index is not None and not isinstance(ignore_index, (int, float, np.number)):
        raise ValueError(
            f"ignore_index must be a number for numeric labels; got {ignore_index!r}."
        )
    if n == 0:
        counts = np.zeros((0, 0), dtype=np.int64)
        return _finish_1d(counts, None if w is None and class_weight is None else
                          counts.astype(np.float64), np.zeros(0, out_dtype), int_w)
    # Fast path: labels in [0, 32), one fused pass, label set read off the counts.
    cw = _class_weight_table(class_weight, np.arange(config.GUESS_LABELS))
    try:
        counts, wsum = _tables.confusion_table(
            yt, yp, config.GUESS_LABELS, w=w, cw=cw, mask=m, ignore=ignore_index
        )
        classes = np.arange(config.GUESS_LABELS)
        stats = _finish_1d(counts, wsum, classes, int_w, dtypes=(yt.dtype, yp.dtype))
        _check_cw_covers(class_weight, stats.classes)
        return stats
    except KernelInputError as e:
        if e.code == codes.WEIGHT_INVALID:
            raise ValueError(str(e)) from None
    # Fallback: validate like scikit-learn, then count over the label range.
    for a, name in ((yt, "y_true"), (yp, "y_pred")):
        if a.dtype.kind == "f":
            t = type_of_target(a, name)
            if t == "continuous":
                other = yp if name == "y_true" else yt
                other_t = type_of_target(other, "y_pred" if name == "y_true" else "y_true")
                types = (t, other_t) if name == "y_true" else (other_t, t)
                if types[0] != types[1]:
                    raise ValueError(
                        "Classification metrics can't handle a mix of {0} and {1} "
                        "targets".format(*types)
                    )
                raise ValueError("continuous is not supported")
    yt_i = yt if yt.dtype.kind in "iub" else yt.astype(np.int64)
    yp_i = yp if yp.dtype.kind in "iub" else yp.astype(np.int64)
    if yt_i.dtype.kind == "b":
        yt_i = yt_i.view(np.uint8)
    if yp_i.dtype.kind == "b":
        yp_i = yp_i.view(np.uint8)
    lo_t, hi_t = _tables.minmax(yt_i)
    lo_p, hi_p = _tables.minmax(yp_i)
    lo, hi = min(lo_t, lo_p), max(hi_t, hi_p)
    if hi - lo < config.MAX_LABEL_RANGE:
        K = hi - lo + 1
        values = np.arange(lo, hi + 1)
        cw = _class_weight_table(class_weight, values)
        counts, wsum = _tables.confusion_table(
            yt_i, yp_i, K, offset=lo, w=w, cw=cw, mask=m, ignore=ignore_index
        )
        stats = _finish_1d(counts, wsum, values, int_w, dtypes=(yt.dtype, yp.dtype))
        _check_cw_covers(class_weight, stats.classes)
        return stats
    classes, inv = np.unique(np.concatenate([yt_i, yp_i]), return_inverse=True)
    ids_t, ids_p = inv[:n], inv[n:]
    m2 = m
    if ignore_index is not None:
        keep = yt_i != ignore_index
        m2 = keep if m is None else (m & keep)
    cw = _class_weight_table(class_weight, classes)
    counts, wsum = _tables.confusion_table(
        ids_t, ids_p, classes.shape[0], w=w, cw=cw, mask=m2
    )
    stats = _finish_1d(counts, wsum, classes, int_w, dtypes=(yt.dtype, yp.dtype))
    _check_cw_covers(class_weight, stats.classes)
    return stats


def _string_1d_stats(yt, yp, w, int_w, m, ignore_index, class_weight, n):
    both = np.concatenate([yt.astype(object), yp.astype(object)])
    kinds = {isinstance(v, str) for v in both.tolist()} if both.dtype == object else {True}
    if len(kinds) > 1:
        raise ValueError("Mix of label input types (string and number)")
    try:
        classes, inv = np.unique(both, return_inverse=True)
    except TypeError:
        raise ValueError("Mix of label input types (string and number)") from None
    if yt.dtype.kind == "U" and yp.dtype.kind == "U":
        classes = classes.astype(np.result_type(yt.dtype, yp.dtype))
    inv = inv.reshape(-1)
    ids_t, ids_p = inv[:n], inv[n:]
    if ignore_index is not None:
        keep = yt != ignore_index
        m = keep if m is None else (m & keep)
    cw = _class_weight_table(class_weight, classes) if isinstance(class_weight, dict) or class_weight is None else None
    if class_weight is not None and not isinstance(class_weight, dict):
        raise ValueError("class_weight for string labels must be a dict {label: weight}.")
    counts, wsum = _tables.confusion_table(
        ids_t, ids_p, classes.shape[0], w=w, cw=cw, mask=m
    )
    return _finish_1d(counts, wsum, classes, int_w)


def _multilabel_stats(yt2, yp2, true_mode, pred_mode, threshold, sample_weight,
                      token_shape, mask, ignore_index, samplewise):
    n, L = yt2.shape
    w, rep, int_w = check_sample_weight(sample_weight, token_shape)
    m = check_mask(mask, token_shape)
    if ignore_index is not None:
        ignore_index = check_ignore_index(ignore_index)
    if yt2.dtype.kind == "b":
        yt2 = yt2.view(np.uint8)
    if yp2.dtype.kind == "b":
        yp2 = yp2.view(np.uint8)
    counts, wsum, totals, (s_tp, s_fp, s_fn) = _tables.multilabel_table(
        yt2, true_mode, yp2, pred_mode, threshold=threshold, w=w, rep=rep, mask=m,
        ignore=ignore_index, samplewise=samplewise, token_shape=token_shape,
    )
    vals = counts if wsum is None else wsum
    mcm = vals[:, [0, 1, 2, 3]].reshape(L, 2, 2)
    weighted = wsum is not None
    samples = None
    if samplewise:
        keep = m if m is not None else None
        sw_tok = None
        if w is not None:
            sw_tok = np.repeat(np.asarray(w, dtype=np.float64), rep)
        if keep is not None:
            s_tp, s_fp, s_fn = s_tp[keep], s_fp[keep], s_fn[keep]
            sw_tok = sw_tok[keep] if sw_tok is not None else None
        samples = (s_tp, s_fp, s_fn, sw_tok)
    total = totals[1] if weighted else np.int64(totals[0])
    exact = totals[3] if weighted else np.int64(totals[2])
    if samplewise:
        samples_for = _samples_for(yt2, yp2, true_mode, pred_mode, threshold, m,
                                   ignore_index, samples[3])
    else:
        samples_for = None
    stats = ConfusionStats(
        "multilabel-indicator", np.arange(L), mcm=mcm, exact=exact, total=total,
        samples=samples, weighted=weighted, int_weights=int_w,
        counts=counts.reshape(L, 2, 2),
    )
    stats.totals = totals
    stats.samples_for = samples_for
    return stats


def _positive(a, mode, threshold):
    if mode == modes.MODE_THRESHOLD:
        return a > threshold
    if mode == modes.MODE_NONZERO:
        return a != 0
    return a == 1


def _samples_for(yt2, yp2, true_mode, pred_mode, threshold, m, ignore, sw_tok):
    """Per-sample tp/fp/fn over a subset of label columns (numpy; rare path)."""

    def compute(cols):
        t = _positive(yt2[:, cols], true_mode, threshold)
        p = _positive(yp2[:, cols], pred_mode, threshold)
        valid = np.ones(t.shape, dtype=bool) if ignore is None else yt2[:, cols] != ignore
        tp = (t & p & valid).sum(axis=1)
        fp = (~t & p & valid).sum(axis=1)
        fn = (t & ~p & valid).sum(axis=1)
        if m is not None:
            tp, fp, fn = tp[m], fp[m], fn[m]
        return tp, fp, fn, sw_tok

    return compute


# ===================================================================== explicit task

#: The input forms this family reads (see ``_core.tokens``), in the order tried.
_FORMS = {
    "binary": ("one_hot+two_unit", "ids+two_unit", "one_hot+scores", "squeezed"),
    "multiclass": ("ids+scores", "one_hot+scores", "ids+ids", "one_hot+ids"),
    "multilabel": ("indicator",),
}


def _shapes_error(task, yt, yp):
    if task == "multilabel":
        return ValueError(
            f"task='multilabel' needs y_true and y_pred of the same shape (..., L); got "
            f"y_true {yt.shape} and y_pred {yp.shape}."
        )
    extra = " For binary, y_pred may also be (..., 2) two-unit outputs." \
        if task == "binary" else ""
    return ValueError(
        f"y_true has shape {yt.shape} and y_pred has shape {yp.shape}, which do not "
        f"fit task={task!r}: expected y_pred shaped like y_true (ids or binary scores) "
        f"or like y_true plus a trailing class axis (scores).{extra}"
    )


def _read(task, yt, yp, class_weight):
    """The token view of an explicit task (shapes read, nothing else yet)."""
    if task == "multiclass" and yt.ndim == 0 and yp.ndim == 1:
        # scores S + (C,) are read with ids of one axis or more
        raise _shapes_error(task, yt, yp)
    try:
        return read_tokens(task, yt, yp, _FORMS[task], class_weight=class_weight)
    except TokenShapeError:
        pass
    raise _shapes_error(task, yt, yp)


def _infer_num_classes(arrays, m, ignore):
    hi = -1
    for a in arrays:
        if a.size == 0:
            continue
        valid = None
        if m is not None:
            valid = m
        if ignore is not None:
            keep = a != ignore
            valid = keep if valid is None else (valid & keep)
        if a.dtype.kind == "f":
            if not np.isfinite(a if valid is None else a[valid]).all():
                continue  # the kernel reports the bad token with its index
        if valid is None:
            v = a.max()
        else:
            v = a.max(where=valid, initial=-1)
        hi = max(hi, int(v))
    return max(hi + 1, 1)


def _check_one_hot(yt2, name="y_true"):
    """One-hot / probabilistic targets: values in [0, 1]."""
    if yt2.size == 0:
        return
    lo, hi = yt2.min(), yt2.max()
    if not (lo >= 0 and hi <= 1):
        raise ValueError(
            f"{name} is read as one-hot rows (..., C) but holds values outside [0, 1] "
            f"(min {lo}, max {hi}). Pass class ids shaped like the tokens, or integer "
            "class ids in y_pred if both are ids."
        )


def format_task(y_true, y_pred, task, *, num_classes=None, threshold=0.5,
                sample_weight=None, mask=None, ignore_index=None, class_weight=None,
                samplewise=False):
    """Statistics for an explicit task over token arrays of any shape.

    Returns
    -------
    stats : ConfusionStats
        ``classes`` is ``arange(C)`` (every class, present or not).
    """
    check_task(task)
    num_classes = check_num_classes(num_classes, task)
    threshold = check_threshold(threshold)
    ignore_index = check_ignore_index(ignore_index)
    yt = as_array(y_true, "y_true")
    yp = as_array(y_pred, "y_pred")
    for a, name in ((yt, "y_true"), (yp, "y_pred")):
        if a.dtype.kind not in "biuf":
            raise ValueError(
                f"{name} must hold numbers (class ids, one-hot rows or scores) for "
                f"task={task!r}; got dtype {a.dtype}. String labels need task=None."
            )
    if yp.dtype.kind == "f" and yp.dtype.itemsize < 8:
        # compare in the scores' precision, as Keras and torchmetrics do: a
        # float32 score equal to float32(threshold) is not above it
        with np.errstate(over="ignore"):
            threshold = float(yp.dtype.type(threshold))
    if _needs_slabs(yt, yp, task, samplewise):
        return _slabbed_task(yt, yp, task, num_classes, threshold, sample_weight, mask,
                             ignore_index, class_weight)
    if task == "multilabel":
        return _format_multilabel(yt, yp, num_classes, threshold, sample_weight, mask,
                                  ignore_index, class_weight, samplewise)
    if samplewise:
        raise ValueError(
            "Samplewise metrics are not available outside of multilabel classification."
        )
    if task == "binary":
        return _format_binary(yt, yp, threshold, sample_weight, mask, ignore_index,
                              class_weight)
    return _format_multiclass(yt, yp, num_classes, sample_weight, mask, ignore_index,
                              class_weight)


def _needs_slabs(yt, yp, task, samplewise):
    """Large non-contiguous inputs (e.g. a transposed or Fortran-ordered scores
    array) would be copied whole by the flattening reshape; read them in slabs
    along the leading axis instead, so the temporary stays bounded."""
    if samplewise is not False and task == "multilabel":
        return False
    if yt.ndim == 0 or yp.ndim == 0 or yt.shape[0] != yp.shape[0] or yt.shape[0] < 2:
        return False
    big = max(yt.size, yp.size) > 2 * config.SLAB_ELEMENTS
    return big and not (yt.flags.c_contiguous and yp.flags.c_contiguous)


def _slabbed_task(yt, yp, task, num_classes, threshold, sample_weight, mask,
                  ignore_index, class_weight):
    n0 = yt.shape[0]
    given_num_classes = num_classes
    ids_only = yp.ndim == yt.ndim and not (yp.dtype.kind == "f" and yp.ndim >= 2)
    if task == "multiclass" and num_classes is None and ids_only:
        # class ids on both sides: C must come from the whole input, not a slab
        m = None if mask is None else as_array(mask, "mask")
        if m is not None and m.shape != yt.shape:
            m = None  # the slab call reports the bad mask
        num_classes = _infer_num_classes([yt, yp], m, ignore_index)
    sw = None if sample_weight is None else as_array(sample_weight, "sample_weight")
    m = None if mask is None else as_array(mask, "mask")
    rows = max(1, config.SLAB_ELEMENTS // max(1, max(yt.size, yp.size) // n0))
    total = None
    try:
        for i in range(0, n0, rows):
            sl = slice(i, min(n0, i + rows))
            part = format_task(
                np.ascontiguousarray(yt[sl]), np.ascontiguousarray(yp[sl]), task,
                num_classes=num_classes, threshold=threshold,
                sample_weight=sw[sl] if sw is not None and sw.ndim >= 1 else sw,
                mask=m[sl] if m is not None and m.ndim >= 1 else m,
                ignore_index=ignore_index, class_weight=class_weight,
                samplewise=False,
            )
            total = part if total is None else _add_stats(total, part)
    except ValueError:
        # Report the error with whole-input token positions: redo it unslabbed.
        return format_task(np.ascontiguousarray(yt), np.ascontiguousarray(yp), task,
                           num_classes=given_num_classes, threshold=threshold,
                           sample_weight=sample_weight, mask=mask,
                           ignore_index=ignore_index, class_weight=class_weight)
    return total


def _add_stats(a, b):
    """Sum of two ConfusionStats of the same task and classes (in place on a)."""
    if a.weighted != b.weighted:  # one slab weighted, the other not: cannot happen
        raise AssertionError("inconsistent slabs")
    a.counts = a.counts + b.counts
    if a.multilabel:
        a.mcm = a.mcm + b.mcm
        a.totals = a.totals + b.totals
        a.total = a.total + b.total
        a.exact = a.exact + b.exact
    else:
        a.cm = a.cm + b.cm
    return a


def _format_multiclass(yt, yp, num_classes, sample_weight, mask, ignore_index,
                       class_weight):
    view = _read("multiclass", yt, yp, class_weight)
    if view.one_hot:
        _check_one_hot(view.y)
    view.keep(mask, ignore_index)
    if view.C is not None and num_classes is not None and view.C != num_classes:
        what = "one-hot y_true" if view.form == "one_hot+ids" else "scores y_pred"
        raise ValueError(
            f"num_classes={num_classes} but the class axis of the {what} has size "
            f"{view.C}."
        )
    if view.C is None:  # ids with predicted ids
        view.C = num_classes if num_classes is not None else _infer_num_classes(
            [view.y, view.p], view.mask, ignore_index)
    return _table_stats("multiclass", view, None, sample_weight, class_weight)


def _format_binary(yt, yp, threshold, sample_weight, mask, ignore_index, class_weight):
    # A two-unit output (..., 2) with one-hot targets (..., 2) is read by the
    # positive column (the kernel cuts column 1 and checks both finite); the
    # form is decided on the shapes as given (before squeezing), so (..., 2, 1)
    # token arrays stay elementwise.
    thr = threshold if yp.dtype.kind == "f" else None
    view = _read("binary", yt, yp, class_weight)
    if view.one_hot:
        _check_one_hot_rows(view.y)
    view.keep(mask, ignore_index)
    return _table_stats("binary", view, thr, sample_weight, class_weight)


def _check_one_hot_rows(yt2):
    if not is_one_hot(yt2):
        raise ValueError(
            "y_true of shape (..., 2) with y_pred of the same shape is read as one-hot "
            "targets for a two-unit output, but its rows are not one-hot ([1, 0] or "
            "[0, 1]). For token arrays whose last axis has length 2, add a trailing "
            "axis: (..., 2, 1)."
        )


def _table_stats(task, view, thr, sample_weight, class_weight):
    """Count the tokens of ``view`` (mask read) into a ConfusionStats."""
    view.weigh(sample_weight, class_weight)
    C = view.C
    yt_f, yp_f = as_kernel_ints(view.y), as_kernel_ints(view.p)
    try:
        counts, wsum = _tables.confusion_table(
            yt_f, yp_f, C, threshold=thr, w=view.w, rep=view.rep, cw=view.cw,
            mask=view.mask, ignore=view.ignore_index, token_shape=view.token_shape,
        )
    except KernelInputError as e:
        raise ValueError(_kernel_message(e, task, view, yt_f, yp_f)) from None
    return ConfusionStats(
        task, np.arange(C), cm=counts if wsum is None else wsum, counts=counts,
        weighted=wsum is not None, int_weights=view.int_weights and view.cw is None,
    )


def _kernel_message(e, task, view, yt_f, yp_f):
    """The kernel's report, with the value and a count of the tokens out of range."""
    msg = str(e)
    if e.code not in (codes.TRUE_OUT_OF_RANGE, codes.PRED_OUT_OF_RANGE):
        return msg
    C, ignore_index = view.C, view.ignore_index
    arr = yt_f if e.code == codes.TRUE_OUT_OF_RANGE else yp_f
    bad = (arr < 0) | (arr >= C)
    if ignore_index is not None and arr is yt_f:
        bad &= arr != ignore_index
    if view.mask is not None:
        bad &= view.mask
    value = arr[e.index].item()
    if value < 0:
        hint = "; exclude such tokens with mask= or ignore_index="
    elif task == "multiclass":
        hint = "; set num_classes to the number of classes"
    else:
        hint = ""
    return msg + (
        f" (value {value!r}; {int(bad.sum())} such tokens); "
        f"task={task!r} needs class ids in [0, {C}){hint}."
    )


def _format_multilabel(yt, yp, num_classes, threshold, sample_weight, mask,
                       ignore_index, class_weight, samplewise):
    view = _read("multilabel", yt, yp, class_weight)
    L = view.C
    if num_classes is not None and num_classes != L:
        raise ValueError(
            f"num_classes={num_classes} but the label axis of y_true/y_pred has size {L}."
        )
    pred_mode = modes.MODE_THRESHOLD if yp.dtype.kind == "f" else modes.MODE_ID
    return _multilabel_stats(view.y, view.p, modes.MODE_ID, pred_mode, threshold, sample_weight,
                             view.token_shape, mask, ignore_index,
                             samplewise is not False)


def build_stats(y_true, y_pred, *, task=None, num_classes=None, threshold=0.5,
                sample_weight=None, mask=None, ignore_index=None, class_weight=None,
                samplewise=False, allow_empty=False):
    """The one entry point: inputs in any accepted form -> ConfusionStats."""
    check_task_classes(task, num_classes)
    if task is None:
        return sklearn_stats(
            y_true, y_pred, sample_weight=sample_weight, mask=mask,
            ignore_index=ignore_index, class_weight=class_weight,
            samplewise=samplewise, allow_empty=allow_empty,
        )
    return format_task(
        y_true, y_pred, task, num_classes=num_classes, threshold=threshold,
        sample_weight=sample_weight, mask=mask, ignore_index=ignore_index,
        class_weight=class_weight, samplewise=samplewise,
    )


__all__ = ["build_stats", "sklearn_stats", "format_task"]
