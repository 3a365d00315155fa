"""Ranking family: ROC / PR / DET curves, ROC AUC, average precision, ``auc``,
``top_k_accuracy_score``.

scikit-learn drop-ins (binary, multilabel averages, multiclass one-vs-rest and
one-vs-one) plus the sequence extensions (``task``, ``mask``, ``ignore_index``,
(N, T) ``sample_weight``, ``class_weight``), computed from an exact ordering of
the scores without a comparison sort: order-preserving integer keys carry the
label in bit 0 and are bucket-sorted in parallel (``_kernels/cpu/bucket_sort``;
inputs under ``config.PARALLEL_MIN`` scores take the serial radix path of
``_kernels/cpu/ranking``), then scanned once in float64.  Bounded-memory
streaming states live in ``fastmetrics.streaming``.
"""

import warnings

import numpy as np

from .. import config
from .._core.backend import kernels
from .._core.checks import as_array
from ..exceptions import UndefinedMetricWarning
from . import _multiclass
from . import _tokens
from ._multiclass import top_k_accuracy_score

__all__ = [
    "auc",
    "average_precision_score",
    "det_curve",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
    "top_k_accuracy_score",
]


def _kernels():
    return kernels("ranking")


def _column_or_1d(a, name):
    a = as_array(a, name)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a.reshape(-1)
    if a.ndim != 1:
        raise ValueError(
            f"{name} should be a 1d array, got an array of shape {a.shape} instead."
        )
    return a


def _check_pos_label(pos_label, y_true):
    """scikit-learn's _check_pos_label_consistency."""
    if pos_label is None:
        classes = _unique(y_true)
        if classes.dtype.kind in "OUS" or classes.shape[0] > 2 or not (
            np.array_equal(classes, [0, 1]) or np.array_equal(classes, [-1, 1])
            or np.array_equal(classes, [0]) or np.array_equal(classes, [-1])
            or np.array_equal(classes, [1])
        ):
            classes_repr = ", ".join([repr(c) for c in classes.tolist()])
            raise ValueError(
                f"y_true takes value in {{{classes_repr}}} and pos_label is not "
                "specified: either make y_true take value in {0, 1} or "
                "{-1, 1} or pass pos_label explicitly."
            )
        pos_label = 1
    return pos_label


def _unique(y):
    """Sorted distinct values; one early-exit pass for (at most) binary labels."""
    if y.dtype.kind in "biuf" and y.size >= config.PARALLEL_MIN and y.ndim == 1:
        # the common binary case at scale: min and max in one parallel pass
        # (and, unless they are consecutive integers, one count of the rest)
        yk = y.view(np.uint8) if y.dtype.kind == "b" else np.ascontiguousarray(y)
        kb = _kernels_bucket()
        lo, hi, nan = kb.min_max(yk)
        if not nan:
            if lo == hi:
                return np.array([lo]).astype(y.dtype)
            if (yk.dtype.kind in "iu" and int(hi) - int(lo) == 1) or kb.count_other(
                    yk, lo, hi) == 0:
                return np.array([lo, hi]).astype(y.dtype)
            if yk.dtype.kind in "iu" and int(hi) - int(lo) < 4096:
                present = np.flatnonzero(kb.small_range_counts(yk, int(lo),
                                                               int(hi) - int(lo) + 1))
                return (present + int(lo)).astype(y.dtype)
    if y.dtype.kind in "biuf" and y.size:
        # the common binary case: one pass, no sort, no temporaries
        yk = y.view(np.uint8) if y.dtype.kind == "b" else y
        out = np.empty(2, dtype=yk.dtype)
        found = _kernels().first_distinct(yk, out)
        if found <= 2 and not (y.dtype.kind == "f" and np.isnan(out[:found]).any()):
            return np.sort(out[:found]).astype(y.dtype)
    if y.dtype.kind in "biu" and y.size:
        yi = y.view(np.uint8) if y.dtype.kind == "b" else y
        lo, hi = int(yi.min()), int(yi.max())
        if hi - lo < 4096:
            present = np.flatnonzero(np.bincount((yi - lo).astype(np.intp, copy=False),
                                                 minlength=hi - lo + 1))
            return (present + lo).astype(y.dtype)
    return np.unique(y)


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a bool; got {value!r}.")


def _check_pos_label_type(pos_label):
    import numbers

    if pos_label is not None and not isinstance(
        pos_label, (numbers.Real, str, bool, np.bool_)
    ):
        raise ValueError(
            "pos_label must be a real number, a string, a bool or None; got "
            f"{pos_label!r}."
        )


def _binary_target_type(y_true, with_classes=False):
    """"binary", "multiclass", "continuous" or "unknown" for 1-D labels; with
    ``with_classes`` also the sorted distinct labels (None when not found)."""
    y_type, classes = "unknown", None
    if y_true.dtype == object and y_true.size and not isinstance(y_true.flat[0], str):
        pass
    elif y_true.dtype.kind == "f" and not np.all(np.isfinite(y_true)):
        raise ValueError("Input y_true contains NaN or infinity.")
    elif y_true.dtype.kind == "f" and not np.all(y_true == np.round(y_true)):
        y_type = "continuous"
    else:
        classes = _unique(y_true)
        y_type = "binary" if classes.shape[0] <= 2 else "multiclass"
    return (y_type, classes) if with_classes else y_type


def _curve_inputs(y_true, y_score, pos_label, sample_weight, drop_zero=True,
                  raw_labels=False, checked=False):
    """Validated 1-D arrays: positives (bool), scores, weights (float64 or None).

    With ``raw_labels`` the first item is ``(labels, pos)`` such that
    ``labels == pos`` marks the positives (no boolean array is made when the
    labels are numbers).  With ``drop_zero=False`` zero-weight samples are
    kept (they change no AUC or AP, only the curves' thresholds).  With
    ``checked`` the caller has already found ``y_true`` binary and
    ``pos_label`` one of its values (the label scans are skipped).
    """
    yt = _column_or_1d(y_true, "y_true")
    ys = _column_or_1d(y_score, "y_score")
    sw = None if sample_weight is None else _column_or_1d(sample_weight, "sample_weight")
    lengths = [yt.shape[0], ys.shape[0]] + ([] if sw is None else [sw.shape[0]])
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r" % lengths
        )
    if yt.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    _check_pos_label_type(pos_label)
    if not checked:
        y_type = _binary_target_type(yt)
        if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
            raise ValueError("{0} format is not supported".format(y_type))
        pos_label = _check_pos_label(pos_label, yt)
    positive = _label_test(yt, pos_label) if raw_labels else yt == pos_label
    if ys.dtype.kind not in "biuf":
        raise ValueError(f"y_score must hold real numbers; got dtype {ys.dtype}.")
    ys_orig = ys
    if ys.dtype.kind == "b":
        ys = ys.astype(np.int64)
    if sw is not None:
        sw = np.asarray(sw, dtype=np.float64)
        bad = ~np.isfinite(sw) | (sw < 0)
        if bad.any():
            raise ValueError(
                "sample_weight must be finite and >= 0; first bad weight at index "
                f"{int(np.flatnonzero(bad)[0])}."
            )
        if sw.shape[0] and not np.any(sw):
            raise ValueError("Sample weights must contain at least one non-zero number.")
        keep = sw != 0
        if drop_zero and not keep.all():
            # scikit-learn drops zero-weight samples (they would add thresholds)
            if raw_labels:
                positive = (positive[0][keep], positive[1])
            else:
                positive = positive[keep]
            ys, sw, ys_orig = ys[keep], sw[keep], ys_orig[keep]
    return positive, np.ascontiguousarray(ys), sw, ys_orig


def _label_test(yt, pos_label):
    """``(labels, pos)`` with ``labels == pos`` the positives: the labels
    themselves when ``pos_label`` is exactly representable in their dtype."""
    if yt.dtype.kind in "biuf" and not isinstance(pos_label, str):
        try:
            pos = np.array(pos_label).astype(yt.dtype)
        except (TypeError, ValueError, OverflowError):
            pos = None
        if pos is not None and pos == pos_label and np.ndim(pos) == 0:
            yk = yt.view(np.uint8) if yt.dtype.kind == "b" else yt
            return np.ascontiguousarray(yk), yk.dtype.type(pos)
    return (yt == pos_label).view(np.uint8), np.uint8(1)


def _float_view(ys):
    """(float scores, their unsigned bit view, sign bit, unsigned dtype) for
    the packed sort; integer scores are converted to float64 when exact."""
    if ys.dtype.kind in "biu":
        if ys.size and ys.dtype.itemsize >= 8 and (
            int(ys.max()) > 2**53 or int(ys.min()) < -(2**53)
        ):
            return None
        ys = ys.astype(np.float64)
    elif ys.dtype not in (np.float32, np.float64):
        ys = ys.astype(np.float64)
    udt = np.uint32 if ys.dtype == np.float32 else np.uint64
    return ys, ys.view(udt), udt(1 << (8 * ys.dtype.itemsize - 1)), udt


def _order_key_scalar(x, udt, sign):
    b = np.array([x]).view(udt)[0]
    if b == sign:
        b = udt(0)
    return int(b ^ sign) if (b & sign) == 0 else int(~b)




def _packed_sorted(labels, pos, ys, sw, minmax=None, scan=False):
    """Sort packed keys ``(order key - kmin) << 1 | is_positive`` in parallel.

    Returns (sorted keys, weights in that order or None, bucket starts,
    (bucket totals, distinct counts, first-point sums: the last two only
    with ``scan``), decode) or None when the scores' key range does not leave a bit
    for the label (float64 scores of both signs spanning a huge range, or
    integers beyond 2**53): the caller then uses the index-permutation path.
    ``decode(keys)`` turns packed keys back into the scores.
    """
    if ys.shape[0] < config.PARALLEL_MIN:
        return None
    fv = _float_view(ys)
    if fv is None:
        return None
    f, bits, sign, udt = fv
    k = _kernels_bucket()
    mn, mx = (f.min(), f.max()) if minmax is None else minmax
    mn, mx = f.dtype.type(mn), f.dtype.type(mx)  # exact: they are scores of f
    if not (np.isfinite(mn) and np.isfinite(mx)):
        bad = int(np.flatnonzero(~np.isfinite(f))[0])
        raise ValueError(
            f"y_score contains NaN or infinity (first bad score at index {bad})"
        )
    kmin = _order_key_scalar(mn, udt, sign)
    kmax = _order_key_scalar(mx, udt, sign)
    nbits = (kmax - kmin).bit_length() + 1
    if nbits > 64:
        return None
    # shift >= 1: tied scores (keys differing only in the label bit) share a bin
    shift = max(nbits - k._FINE_BITS, 1)
    hist = k.packed_hist(bits, sign, udt(kmin), labels, pos, shift)
    dk = np.empty(f.shape[0], dtype=np.uint32 if nbits <= 32 else np.uint64)
    dw = None if sw is None else np.empty(f.shape[0], dtype=np.float64)
    starts, tot, nd, first = k.bucket_sort(bits, sign, udt(kmin), labels, pos, sw, hist,
                                           shift, dk, dw, scan)

    def decode(keys, in_place=False):
        # keys of the scores' width are decoded in place when the caller
        # owns them (elementwise, so reading and writing one array is safe)
        b = keys if in_place and keys.dtype == udt else np.empty(keys.shape[0], dtype=udt)
        k.decode_keys(keys, udt(kmin), sign, b)
        return b.view(f.dtype)

    return dk, dw, starts, (tot, nd, first), decode


def _kernels_bucket():
    return kernels("bucket_sort")


def _sorted(y_true, y_score, pos_label, sample_weight):
    """(positives, scores as given, weights, ascending permutation, sorted keys)."""
    positive, ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label, sample_weight)
    k = _kernels()
    if ys.dtype == np.float32:
        keys = np.empty(ys.shape[0], dtype=np.uint32)
        bad = k.keys_from_float(ys, ys.view(np.uint32), np.uint32(1 << 31), keys)
    elif ys.dtype.kind in "iu":
        # integer scores keep their exact order (no float64 rounding past 2**53)
        if ys.dtype.kind == "u" and ys.dtype.itemsize == 8 and ys.size and ys.max() >= 2**63:
            ys = ys.astype(np.float64)
            keys = np.empty(ys.shape[0], dtype=np.uint64)
            bad = k.keys_from_float(ys, ys.view(np.uint64), np.uint64(1 << 63), keys)
        else:
            keys = np.empty(ys.shape[0], dtype=np.uint64)
            bad = k.keys_from_int(ys, keys)
    else:
        ys64 = np.ascontiguousarray(ys, dtype=np.float64)
        keys = np.empty(ys.shape[0], dtype=np.uint64)
        bad = k.keys_from_float(ys64, ys64.view(np.uint64), np.uint64(1 << 63), keys)
    if bad >= 0:
        raise ValueError(
            f"y_score contains NaN or infinity (first bad score at index {bad})"
        )
    # stable sort carrying the token index as payload
    skeys, perm = k.radix_sort(keys, np.arange(keys.shape[0], dtype=np.int64),
                               keys.dtype.itemsize * 8)
    return positive, ys_orig, sw, perm, skeys


def _auc_ap(y_true, y_score, pos_label, sample_weight, checked=False):
    """(auc, ap, TP, FP) from one sort and one scan, no curve arrays."""
    k = _kernels()
    (labels, pos), ys, sw, _ = _curve_inputs(y_true, y_score, pos_label, sample_weight,
                                             drop_zero=False, raw_labels=True,
                                             checked=checked)
    packed = _packed_sorted(labels, pos, ys, sw)
    if packed is not None:
        sk, sws, starts, (tot, _, _), _ = packed
        return _kernels_bucket().auc_ap_sorted(sk, sws, starts, tot)
    positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label, sample_weight)
    return k.binary_auc_ap(perm, skeys, positive, sw)


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None, drop=0):
    """fps, tps and thresholds at each distinct score (descending).

    ``drop`` = 1 (ROC) or 2 (PR) removes the points ``drop_intermediate``
    drops, before the thresholds are decoded.
    """
    kb = _kernels_bucket()
    (labels, pos), ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label,
                                                   sample_weight, raw_labels=True)
    packed = _packed_sorted(labels, pos, ys, sw, scan=True)
    if packed is not None:
        sk, sws, starts, (tot, nd, first), decode = packed
        fps, tps, kk, _, _ = kb.curve_rates(sk, sws, starts, drop, True, tot, nd, first,
                                            True)
        return fps[1:], tps[1:], decode(kk, in_place=True).astype(ys_orig.dtype,
                                                                  copy=False)
    positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label, sample_weight)
    fps, tps, idx = _kernels().binary_curve(perm, skeys, positive, sw)
    if drop:
        fps, tps, idx = kb.keep_points(fps, tps, idx, drop)
    return fps, tps, ys[idx]


def _curve_rates(y_true, y_score, pos_label, sample_weight, drop_intermediate, roc):
    """ROC ``(fpr, tpr, thresholds)`` or PR ``(precision, recall, thresholds)``
    arrays and the totals (TP, FP).  At scale one fused kernel writes the
    kept points' rates straight from the sorted keys."""
    kb = _kernels_bucket()
    mode = (1 if roc else 2) if drop_intermediate else 0
    (labels, pos), ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label,
                                                   sample_weight, raw_labels=True)
    packed = _packed_sorted(labels, pos, ys, sw, scan=True)
    if packed is not None:
        sk, sws, starts, (tot, nd, first), decode = packed
        r1, r2, kk, TP, FP = kb.curve_rates(sk, sws, starts, mode, roc, tot, nd, first,
                                            False)
        thr = decode(kk, in_place=True).astype(ys_orig.dtype, copy=False)
    else:
        positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label,
                                                sample_weight)
        fps, tps, idx = _kernels().binary_curve(perm, skeys, positive, sw)
        if mode:
            fps, tps, idx = kb.keep_points(fps, tps, idx, mode)
        TP, FP = tps[-1], fps[-1]
        r1, r2 = kb.roc_rates(fps, tps) if roc else kb.pr_rates(fps, tps)
        thr = ys_orig[idx] if roc else ys_orig[idx[::-1]]
    if roc:
        thresholds = np.empty(thr.shape[0] + 1, dtype=np.float64)
        thresholds[0] = np.inf
        thresholds[1:] = thr
        thr = thresholds
    return r1, r2, thr, TP, FP


def _tps_change(tps):
    """Inner points where the true positives change on either side."""
    return np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:]))


def _keep(inner, fps, tps, thresholds):
    """Keep the first and last points and the inner points flagged by ``inner``."""
    idx = np.where(np.r_[True, inner, True])[0]
    return fps[idx], tps[idx], thresholds[idx]


@_tokens.doc
def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
              drop_intermediate=True, task=None, num_classes=None, mask=None,
              ignore_index=None, class_weight=None):
    """Receiver operating characteristic curve (binary).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or token arrays (see ``task``)
        Binary labels ({0, 1}, {-1, 1}, or any two labels with ``pos_label``).
    y_score : array-like of shape (n_samples,), float, or token scores
        Scores; a higher score means the positive class is more likely.
    pos_label : int, float, bool or str, default=None
    sample_weight : array-like of shape (n_samples,), default=None
    drop_intermediate : bool, default=True
        Drop thresholds that are collinear on the curve.
    {sequence_params}

    Returns
    -------
    fpr, tpr : ndarray of shape (n_thresholds + 1,), float64
    thresholds : ndarray of shape (n_thresholds + 1,), float64
        Decreasing; the first is ``np.inf``.
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _tokens.curve(
            roc_curve, y_true, y_score, pos_label=pos_label,
            sample_weight=sample_weight, drop_intermediate=drop_intermediate,
            task=task, num_classes=num_classes, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
    _check_flag(drop_intermediate, "drop_intermediate")
    # drop_intermediate: drop points that are collinear with their neighbours
    fpr, tpr, thresholds, TP, FP = _curve_rates(y_true, y_score, pos_label,
                                                sample_weight, drop_intermediate, True)
    if FP <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if TP <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    return fpr, tpr, thresholds


@_tokens.doc
def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False, task=None, num_classes=None,
                           mask=None, ignore_index=None, class_weight=None):
    """Precision-recall pairs for every distinct score threshold (binary).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or token arrays (see ``task``)
    y_score : array-like of shape (n_samples,), or token scores
    pos_label : int, float, bool or str, default=None
    sample_weight : array-like of shape (n_samples,), default=None
    drop_intermediate : bool, default=False
    {sequence_params}

    Returns
    -------
    precision, recall : ndarray of shape (n_thresholds + 1,), float64
        The last precision is 1 and the last recall 0.
    thresholds : ndarray of shape (n_thresholds,)
        Increasing.
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _tokens.curve(
            precision_recall_curve, y_true, y_score, pos_label=pos_label,
            sample_weight=sample_weight, drop_intermediate=drop_intermediate,
            task=task, num_classes=num_classes, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
    _check_flag(drop_intermediate, "drop_intermediate")
    precision, recall, thresholds, TP, _ = _curve_rates(
        y_true, y_score, pos_label, sample_weight, drop_intermediate, False)
    if TP == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            stacklevel=2,
        )
    return precision, recall, thresholds


@_tokens.doc
def det_curve(y_true, y_score, pos_label=None, sample_weight=None,
              drop_intermediate=False, *, task=None, num_classes=None, mask=None,
              ignore_index=None, class_weight=None):
    """Detection error tradeoff: false positive and false negative rates (binary).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or token arrays (see ``task``)
    y_score : array-like of shape (n_samples,), or token scores
    pos_label : int, float, bool or str, default=None
    sample_weight : array-like of shape (n_samples,), default=None
    drop_intermediate : bool, default=False
    {sequence_params}

    Returns
    -------
    fpr, fnr : ndarray of shape (n_thresholds,), float64
    thresholds : ndarray of shape (n_thresholds,)
        Increasing.
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _tokens.curve(
            det_curve, y_true, y_score, pos_label=pos_label,
            sample_weight=sample_weight, drop_intermediate=drop_intermediate,
            task=task, num_classes=num_classes, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
    _check_flag(drop_intermediate, "drop_intermediate")
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if drop_intermediate and len(fps) > 2:
        fps, tps, thresholds = _keep(_tps_change(tps), fps, tps, thresholds)
    if len(np.unique(_column_or_1d(y_true, "y_true"))) != 2:
        raise ValueError(
            "Only one class is present in y_true. Detection error "
            "tradeoff curve is not defined in that case."
        )
    fns = tps[-1] - tps
    p_count = tps[-1]
    n_count = fps[-1]
    first_ind = (
        fps.searchsorted(fps[0], side="right") - 1
        if fps.searchsorted(fps[0], side="right") > 0
        else None
    )
    last_ind = tps.searchsorted(tps[-1]) + 1
    sl = slice(first_ind, last_ind)
    return (fps[sl][::-1] / n_count, fns[sl][::-1] / p_count, thresholds[sl][::-1])


def auc(x, y):
    """Area under a curve by the trapezoidal rule.

    Parameters
    ----------
    x : array-like of shape (n,)
        Monotonic (increasing or decreasing) x coordinates.
    y : array-like of shape (n,)

    Returns
    -------
    auc : float
    """
    x = _column_or_1d(x, "x")
    y = _column_or_1d(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r"
            % [x.shape[0], y.shape[0]]
        )
    if x.shape[0] < 2:
        raise ValueError(
            "At least 2 points are needed to compute area under curve, but x.shape = %s"
            % x.shape
        )
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError("x is neither increasing nor decreasing : {}.".format(x))
    return float(direction * np.trapezoid(y, x))


@_tokens.doc
def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None,
                  max_fpr=None, multi_class="raise", labels=None, task=None,
                  num_classes=None, mask=None, ignore_index=None, class_weight=None):
    """Area under the ROC curve: binary, multilabel, multiclass one-vs-rest.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        Binary labels, class labels (multiclass), or a 0/1 multilabel indicator.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores of the positive class (binary: the greater label), or one score
        per class / label.  Multiclass scores must be probabilities (rows sum
        to 1).
    average : {"micro", "macro", "samples", "weighted"} or None, default="macro"
        How per-label / per-class AUCs are combined (ignored for binary).
    sample_weight : array-like of shape (n_samples,), default=None
    max_fpr : float in (0, 1], default=None
        Standardised partial AUC up to this false positive rate (McClish).
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Multiclass only: "ovr" (one-vs-rest), or "ovo" (one-vs-one, Hand &
        Till: average "macro" or "weighted" by pair prevalence; no
        ``sample_weight``).
    labels : array-like, default=None
        Multiclass only: the classes indexing the columns of ``y_score``.
    {sequence_params}

    Returns
    -------
    auc : float
        ``nan`` with an UndefinedMetricWarning when y_true holds one class.
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _tokens.roc_auc_score(
            y_true, y_score, average=average, sample_weight=sample_weight,
            max_fpr=max_fpr, multi_class=multi_class, labels=labels, task=task,
            num_classes=num_classes, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
    if average not in (None, "micro", "macro", "samples", "weighted"):
        raise ValueError(
            f"average must be one of None, 'micro', 'macro', 'samples', 'weighted'; "
            f"got {average!r}."
        )
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(
            f"multi_class must be 'raise', 'ovr' or 'ovo'; got {multi_class!r}."
        )
    if max_fpr is not None and not (0 < max_fpr <= 1):
        raise ValueError("Expected max_fpr in range (0, 1], got: %r" % max_fpr)
    yt = as_array(y_true, "y_true")
    ys = as_array(y_score, "y_score")
    if yt.ndim == 2 and yt.shape[1] > 1:
        return _average_binary_score(
            lambda t, sc, w: _binary_roc_auc_score(t, sc, w, max_fpr), yt, ys,
            average, sample_weight,
        )
    yt1 = _column_or_1d(yt, "y_true")
    known = None
    if yt1.shape[0]:
        known = _binary_target_type(yt1, with_classes=True)
        y_type = known[0]
        if y_type == "multiclass" or (
            y_type == "binary" and ys.ndim == 2 and ys.shape[1] > 2
        ):
            if max_fpr is not None and max_fpr != 1.0:
                raise ValueError(
                    "Partial AUC computation not available in multiclass setting, "
                    "'max_fpr' must be set to `None`, received `max_fpr={0}` "
                    "instead".format(max_fpr)
                )
            if multi_class == "raise":
                raise ValueError("multi_class must be in ('ovo', 'ovr')")
            return _multiclass_roc_auc_score(yt1, ys, labels, multi_class, average,
                                             sample_weight)
    return _binary_roc_auc_score(yt, ys, sample_weight, max_fpr, known=known)


def _binary_roc_auc_score(y_true, y_score, sample_weight, max_fpr, known=None):
    """scikit-learn's _binary_roc_auc_score (binary y_true, 1-D scores);
    ``known`` = (type, classes) of ``y_true`` when the caller has them."""
    yt = _column_or_1d(y_true, "y_true")
    ys = y_score
    if yt.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    y_type, classes = known if known is not None else _binary_target_type(
        yt, with_classes=True)
    if y_type != "binary":
        raise ValueError("{0} format is not supported".format(y_type))
    ys = _column_or_1d(ys, "y_score")
    # binary y_true: the greater label is the positive class (label_binarize)
    pos_label = classes[-1] if classes.shape[0] == 2 else None
    if classes.shape[0] != 2:
        # validate the scores before answering nan, as scikit-learn does
        _column_or_1d(ys, "y_score")
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in "
            "that case.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return np.nan
    if max_fpr is None or max_fpr == 1:
        # one scan, no curve arrays (same trapezoids as auc(roc_curve(...)))
        value = _auc_ap(yt, _column_or_1d(ys, "y_score"), pos_label, sample_weight,
                        checked=True)[0]
        if not np.isnan(value):
            return float(value)
        # all positive or all negative weight: the curve path warns as sklearn does
    fpr, tpr, _ = roc_curve(yt, ys, pos_label=pos_label, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    stop = np.searchsorted(fpr, max_fpr, "right")
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    partial_auc = auc(fpr, tpr)
    min_area = 0.5 * max_fpr**2
    max_area = max_fpr
    return 0.5 * (1 + (partial_auc - min_area) / (max_area - min_area))


@_tokens.doc
def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None, task=None, num_classes=None,
                            mask=None, ignore_index=None, class_weight=None):
    """Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        Binary labels, multiclass labels, or a 0/1 multilabel indicator.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Multiclass: one column per class of ``y_true`` (sorted), one binary
        problem per column as in ``label_binarize``.
    average : {"micro", "samples", "weighted", "macro"} or None, default="macro"
        Ignored for binary targets.
    pos_label : int, float, bool or str, default=1
        Fixed to 1 for multilabel and multiclass targets.
    sample_weight : array-like of shape (n_samples,), default=None
    {sequence_params}

    Returns
    -------
    average_precision : float
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _tokens.average_precision_score(
            y_true, y_score, average=average, pos_label=pos_label,
            sample_weight=sample_weight, task=task, num_classes=num_classes,
            mask=mask, ignore_index=ignore_index, class_weight=class_weight)
    if average not in (None, "micro", "macro", "samples", "weighted"):
        raise ValueError(
            f"average must be one of None, 'micro', 'macro', 'samples', 'weighted'; "
            f"got {average!r}."
        )
    _check_pos_label_type(pos_label)
    yt = as_array(y_true, "y_true")
    if yt.ndim == 2 and yt.shape[1] > 1:
        if pos_label != 1:
            raise ValueError(
                "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                "Do not set pos_label or set pos_label to 1."
            )
        return _average_binary_score(
            lambda t, sc, w: _binary_average_precision(t, sc, 1, w),
            yt, as_array(y_score, "y_score"), average, sample_weight,
        )
    yt1 = _column_or_1d(yt, "y_true")
    known = _binary_target_type(yt1, with_classes=True) if yt1.shape[0] else None
    if known is not None and known[0] == "multiclass":
        # label_binarize + the multilabel averages (_ranking_multiclass)
        return _multiclass.multiclass_average_precision(yt1, y_score, average,
                                                        pos_label, sample_weight)
    return _binary_average_precision(yt, y_score, pos_label, sample_weight, known=known)


def _binary_average_precision(y_true, y_score, pos_label, sample_weight, known=None):
    """Average precision of a binary target (scikit-learn's definition);
    ``known`` = (type, classes) of ``y_true`` when the caller has them."""
    yt = _column_or_1d(y_true, "y_true")
    y_type, present_labels = known if known is not None else _binary_target_type(
        yt, with_classes=True)
    if y_type == "multiclass":
        raise NotImplementedError(
            "fastmetrics.average_precision_score supports binary targets so far; "
            "multiclass targets are not implemented yet."
        )
    if y_type != "binary":
        raise ValueError("{0} format is not supported".format(y_type))
    if present_labels.shape[0] == 2 and pos_label not in present_labels:
        raise ValueError(
            f"pos_label={pos_label} is not a valid label. It should be "
            f"one of {present_labels}"
        )
    _, ap, tp, _ = _auc_ap(yt, y_score, pos_label, sample_weight, checked=True)
    if tp == 0:
        # scikit-learn: recall is set to one, so every step is 0
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            stacklevel=2,
        )
        return 0.0
    return float(max(0.0, ap))


def _average_binary_score(binary_metric, y_true, y_score, average, sample_weight):
    """scikit-learn's _average_binary_score for multilabel-indicator targets:
    one binary problem per label column (or per sample for "samples")."""
    average_options = (None, "micro", "macro", "weighted", "samples")
    if average not in average_options:
        raise ValueError("average has to be one of {0}".format(average_options))
    yt = np.asarray(y_true)
    ys = np.asarray(y_score)
    if yt.dtype.kind not in "biuf" or not np.all((yt == 0) | (yt == 1)):
        raise ValueError(
            "y_true of shape (n_samples, n_labels) must be a 0/1 multilabel indicator."
        )
    if ys.shape != yt.shape:
        raise ValueError(
            f"y_score has shape {ys.shape} but y_true has shape {yt.shape}; a "
            "multilabel y_true needs one score per label."
        )
    sw = None if sample_weight is None else _column_or_1d(sample_weight, "sample_weight")
    if sw is not None and sw.shape[0] != yt.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r"
            % [yt.shape[0], ys.shape[0], sw.shape[0]]
        )
    not_average_axis = 1
    score_weight = sw
    average_weight = None
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(score_weight, yt.shape[1])
        yt = yt.ravel()
        ys = ys.ravel()
    elif average == "weighted":
        if score_weight is not None:
            average_weight = np.sum(yt * score_weight.reshape(-1, 1), axis=0)
        else:
            average_weight = np.sum(yt, axis=0)
        if np.isclose(np.sum(average_weight), 0.0):
            return 0
    elif average == "samples":
        average_weight = score_weight
        score_weight = None
        not_average_axis = 0
    if yt.ndim == 1:
        yt = yt.reshape(-1, 1)
    if ys.ndim == 1:
        ys = ys.reshape(-1, 1)
    n_classes = ys.shape[not_average_axis]
    score = np.zeros((n_classes,))
    for c in range(n_classes):
        yt_c = np.ascontiguousarray(yt.take([c], axis=not_average_axis).ravel())
        ys_c = np.ascontiguousarray(ys.take([c], axis=not_average_axis).ravel())
        score[c] = binary_metric(yt_c, ys_c, score_weight)
    if average is not None:
        if average_weight is not None:
            average_weight = np.asarray(average_weight)
            score[average_weight == 0] = 0
        return float(np.average(score, weights=average_weight))
    return score


def _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average,
                              sample_weight):
    """scikit-learn's multiclass ROC AUC; one-vs-rest (one-vs-one: not yet)."""
    if not y_score.ndim == 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
            "`y_true` contains multiple classes. Got "
            f"`y_score.shape={y_score.shape}`."
        )
    if not _rows_sum_to_one(y_score):
        raise ValueError(
            "Target scores need to be probabilities for multiclass "
            "roc_auc, i.e. they should sum up to 1.0 over classes"
        )
    average_options = ("macro", "weighted", None)
    if multi_class == "ovr":
        average_options = ("micro",) + average_options
    if average not in average_options:
        raise ValueError(
            "average must be one of {0} for multiclass problems".format(average_options)
        )
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(
            "multi_class='{0}' is not supported for multiclass ROC AUC, multi_class "
            "must be in {1}".format(multi_class, ("ovo", "ovr"))
        )
    if average is None and multi_class == "ovo":
        raise NotImplementedError(
            "average=None is not implemented for multi_class='ovo'."
        )
    if labels is not None:
        labels = _column_or_1d(labels, "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of given labels, {0}, not equal to the number "
                "of columns in 'y_score', {1}".format(len(classes), y_score.shape[1])
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = _unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of "
                "columns in 'y_score'"
            )
    if multi_class == "ovo":
        # Hand & Till: one sorted pass per class column (_ranking_multiclass)
        return _multiclass.ovo_roc_auc_score(y_true, y_score, classes, average,
                                             sample_weight)
    fast = _ovr_fast(y_true, y_score, classes, average, sample_weight)
    if fast is not None:
        return fast
    # one-vs-rest: one binary problem per class column (label_binarize)
    indicator = (y_true.reshape(-1, 1) == classes.reshape(1, -1)).astype(np.int64)
    return _average_binary_score(
        lambda t, sc, w: _binary_roc_auc_score(t, sc, w, None), indicator, y_score,
        average, sample_weight,
    )


def _rows_sum_to_one(y_score):
    """``np.allclose(1, y_score.sum(axis=1))`` (scikit-learn's probability
    check); at scale one parallel pass without the row-sum array."""
    ys = np.asarray(y_score)
    if (ys.ndim == 2 and ys.shape[0] >= config.PARALLEL_MIN and ys.flags.c_contiguous
            and ys.dtype in (np.float32, np.float64)):
        return bool(_kernels_bucket().rows_close_to_one(ys, 1e-5, 1e-8))
    return bool(np.allclose(1, ys.sum(axis=1)))


def _ovr_fast(y_true, y_score, classes, average, sample_weight):
    """One-vs-rest AUC over large numeric inputs without the (n, C) indicator.

    Each class column is sorted in place of a strided view of ``y_score`` with
    the labels tested against the class on the fly (``y_true == class``);
    the averaging weights are the columns' positive totals.  Returns None (the
    general path answers) for small inputs, micro averaging, non-numeric
    labels, or when a column lacks positives or negatives (the general path
    warns as scikit-learn does).
    """
    yt = np.asarray(y_true)
    ys = np.asarray(y_score)
    if (average == "micro" or yt.ndim != 1 or yt.shape[0] < config.PARALLEL_MIN
            or yt.dtype.kind not in "iuf" or classes.dtype.kind not in "iuf"
            or ys.dtype not in (np.float32, np.float64) or not ys.flags.c_contiguous):
        return None
    sw = None
    if sample_weight is not None:
        sw = np.ascontiguousarray(_column_or_1d(sample_weight, "sample_weight"),
                                  dtype=np.float64)
        if sw.shape[0] != yt.shape[0]:
            return None
        bad = ~np.isfinite(sw) | (sw < 0)
        if bad.any() or not sw.any():
            return None
    labels = np.ascontiguousarray(yt)
    kb = _kernels_bucket()
    C = ys.shape[1]
    scores = np.empty(C)
    pos_tot = np.empty(C)
    lo, hi = kb.column_min_max(ys)  # one pass over all columns (NaN: NaN)
    for c in range(C):
        pos = np.array(classes[c]).astype(labels.dtype)
        if pos != classes[c]:
            return None
        packed = _packed_sorted(labels, labels.dtype.type(pos), ys[:, c], sw,
                                minmax=(lo[c], hi[c]))
        if packed is None:
            return None
        sk, sws, starts, (tot, _, _), _ = packed
        auc_c, _, tp, fp = kb.auc_ap_sorted(sk, sws, starts, tot)
        if not (tp > 0 and fp > 0):
            return None
        scores[c] = auc_c
        pos_tot[c] = tp
    if average is None:
        return scores
    if average == "weighted":
        return float(np.average(scores, weights=pos_tot))
    return float(np.mean(scores))
