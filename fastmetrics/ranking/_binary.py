"""scikit-learn's binary ranking engine: curves, ROC AUC and average precision
of one binary problem (1-D labels and scores), and the per-column averaging
of multilabel targets.

The scores are ordered exactly without a comparison sort: order-preserving
integer keys carry the label in bit 0 and are bucket-sorted in parallel
(``_kernels/cpu/bucket_sort``; inputs under ``config.PARALLEL_MIN`` scores take
the serial radix path of ``_kernels/cpu/ranking``, and inputs of at most
``config.NUMPY_MAX`` scores its NumPy twins), then scanned once in float64.
"""

import warnings

import numpy as np

from .. import config
from .._core.backend import kernels
from .._core.checks import (
    check_flag, check_not_all_zero, check_pos_label_type, check_weight_values, column_or_1d,
)
from .._core.targets import binary_target_type, check_pos_label
from ..exceptions import UndefinedMetricWarning


def _kernels(n=None):
    return kernels("ranking", n=n)


def _kernels_bucket(n=None):
    return kernels("bucket_sort", n=n)


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
    yt = column_or_1d(y_true, "y_true")
    ys = column_or_1d(y_score, "y_score")
    sw = None if sample_weight is None else column_or_1d(sample_weight, "sample_weight")
    lengths = [yt.shape[0], ys.shape[0]] + ([] if sw is None else [sw.shape[0]])
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r" % lengths
        )
    if yt.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    check_pos_label_type(pos_label)
    if not checked:
        y_type = binary_target_type(yt)
        if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
            raise ValueError("{0} format is not supported".format(y_type))
        pos_label = check_pos_label(pos_label, yt)
    positive = _label_test(yt, pos_label) if raw_labels else yt == pos_label
    if ys.dtype.kind not in "biuf":
        raise ValueError(f"y_score must hold real numbers; got dtype {ys.dtype}.")
    ys_orig = ys
    if ys.dtype.kind == "b":
        ys = ys.astype(np.int64)
    if sw is not None:
        sw = check_weight_values(sw)
        check_not_all_zero(sw)
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
    ``decode(keys)`` turns packed keys back into the scores (a ``_Decoder``).
    """
    if ys.shape[0] < config.PARALLEL_MIN:
        return None
    fv = _float_view(ys)
    if fv is None:
        return None
    f, bits, sign, udt = fv
    k = _kernels_bucket(n=f.shape[0])
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
    dk = np.empty(f.shape[0], dtype=np.uint32 if nbits <= 32 else np.uint64)
    dw = None if sw is None else np.empty(f.shape[0], dtype=np.float64)
    starts, tot, nd, first = k.bucket_sort(bits, sign, udt(kmin), labels, pos, sw, shift,
                                           dk, dw, scan)
    return dk, dw, starts, (tot, nd, first), _Decoder(k, udt(kmin), sign, f.dtype)


class _Decoder:
    """``decode(keys)``: the scores of packed keys; ``kmin`` (the key offset)
    and ``sign`` (the sign bit of the scores' width) for the kernels that
    decode the keys they write (``curve_rates``), ``dtype`` the scores'."""

    def __init__(self, k, kmin, sign, dtype):
        self.k, self.kmin, self.sign, self.dtype = k, kmin, sign, dtype

    def __call__(self, keys):
        b = np.empty(keys.shape[0], dtype=self.sign.dtype)
        self.k.decode_keys(keys, self.kmin, self.sign, b)
        return b.view(self.dtype)


def _packed_at_scale(labels, pos, ys, sw, scan=False):
    """``_packed_sorted`` for inputs past ``config.NUMPY_MAX`` scores, else
    None: the radix path's NumPy twins answer small inputs without Numba."""
    if ys.shape[0] <= config.NUMPY_MAX:
        return None
    return _packed_sorted(labels, pos, ys, sw, scan=scan)


def _sorted(y_true, y_score, pos_label, sample_weight):
    """(positives, scores as given, weights, ascending permutation, sorted keys)."""
    positive, ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label, sample_weight)
    k = _kernels(n=ys.shape[0])
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
    (labels, pos), ys, sw, _ = _curve_inputs(y_true, y_score, pos_label, sample_weight,
                                             drop_zero=False, raw_labels=True,
                                             checked=checked)
    packed = _packed_at_scale(labels, pos, ys, sw)
    if packed is not None:
        sk, sws, starts, (tot, _, _), _ = packed
        return _kernels_bucket(n=sk.shape[0]).auc_ap_sorted(sk, sws, starts, tot)
    positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label, sample_weight)
    return _kernels(n=perm.shape[0]).binary_auc_ap(perm, skeys, positive, sw)


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None, drop=0):
    """fps, tps and thresholds at each distinct score (descending).

    ``drop`` = 1 (ROC) or 2 (PR) removes the points ``drop_intermediate``
    drops, before the thresholds are decoded.
    """
    (labels, pos), ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label,
                                                   sample_weight, raw_labels=True)
    packed = _packed_at_scale(labels, pos, ys, sw, scan=True)
    if packed is not None:
        sk, sws, starts, (tot, nd, first), decode = packed
        kb = _kernels_bucket(n=sk.shape[0])
        fps, tps, kk, _, _ = kb.curve_rates(sk, sws, starts, drop, True, tot, nd, first,
                                            True, decode.kmin, decode.sign)
        return fps[1:], tps[1:], kk.view(decode.dtype).astype(ys_orig.dtype, copy=False)
    positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label, sample_weight)
    n = perm.shape[0]
    fps, tps, idx = _kernels(n=n).binary_curve(perm, skeys, positive, sw)
    if drop:
        fps, tps, idx = _kernels_bucket(n=n).keep_points(fps, tps, idx, drop)
    return fps, tps, ys[idx]


def _curve_rates(y_true, y_score, pos_label, sample_weight, drop_intermediate, roc):
    """ROC ``(fpr, tpr, thresholds)`` or PR ``(precision, recall, thresholds)``
    arrays and the totals (TP, FP).  At scale one fused kernel writes the
    kept points' rates straight from the sorted keys."""
    mode = (1 if roc else 2) if drop_intermediate else 0
    (labels, pos), ys, sw, ys_orig = _curve_inputs(y_true, y_score, pos_label,
                                                   sample_weight, raw_labels=True)
    packed = _packed_at_scale(labels, pos, ys, sw, scan=True)
    if packed is not None:
        sk, sws, starts, (tot, nd, first), decode = packed
        kb = _kernels_bucket(n=sk.shape[0])
        r1, r2, kk, TP, FP = kb.curve_rates(sk, sws, starts, mode, roc, tot, nd, first,
                                            False, decode.kmin, decode.sign)
        thr = kk.view(decode.dtype).astype(ys_orig.dtype, copy=False)
    else:
        positive, ys, sw, perm, skeys = _sorted(y_true, y_score, pos_label,
                                                sample_weight)
        kb = _kernels_bucket(n=perm.shape[0])
        fps, tps, idx = _kernels(n=perm.shape[0]).binary_curve(perm, skeys, positive, sw)
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


def roc_curve(y_true, y_score, pos_label, sample_weight, drop_intermediate):
    """scikit-learn's ``roc_curve`` on 1-D inputs (warnings included)."""
    check_flag(drop_intermediate, "drop_intermediate")
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


def precision_recall_curve(y_true, y_score, pos_label, sample_weight,
                           drop_intermediate):
    """scikit-learn's ``precision_recall_curve`` on 1-D inputs."""
    check_flag(drop_intermediate, "drop_intermediate")
    precision, recall, thresholds, TP, _ = _curve_rates(
        y_true, y_score, pos_label, sample_weight, drop_intermediate, False)
    if TP == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            stacklevel=2,
        )
    return precision, recall, thresholds


def det_curve(y_true, y_score, pos_label, sample_weight, drop_intermediate):
    """scikit-learn's ``det_curve`` on 1-D inputs."""
    check_flag(drop_intermediate, "drop_intermediate")
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if drop_intermediate and len(fps) > 2:
        fps, tps, thresholds = _keep(_tps_change(tps), fps, tps, thresholds)
    if len(np.unique(column_or_1d(y_true, "y_true"))) != 2:
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
    """scikit-learn's ``auc`` (documented in :func:`fastmetrics.auc`)."""
    x = column_or_1d(x, "x")
    y = column_or_1d(y, "y")
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


def _binary_roc_auc_score(y_true, y_score, sample_weight, max_fpr, known=None):
    """scikit-learn's _binary_roc_auc_score (binary y_true, 1-D scores);
    ``known`` = (type, classes) of ``y_true`` when the caller has them."""
    yt = column_or_1d(y_true, "y_true")
    ys = y_score
    if yt.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    y_type, classes = known if known is not None else binary_target_type(
        yt, with_classes=True)
    if y_type != "binary":
        raise ValueError("{0} format is not supported".format(y_type))
    ys = column_or_1d(ys, "y_score")
    # binary y_true: the greater label is the positive class (label_binarize)
    pos_label = classes[-1] if classes.shape[0] == 2 else None
    if classes.shape[0] != 2:
        # validate the scores before answering nan, as scikit-learn does
        column_or_1d(ys, "y_score")
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in "
            "that case.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return np.nan
    if max_fpr is None or max_fpr == 1:
        # one scan, no curve arrays (same trapezoids as auc(roc_curve(...)))
        value = _auc_ap(yt, column_or_1d(ys, "y_score"), pos_label, sample_weight,
                        checked=True)[0]
        if not np.isnan(value):
            return float(value)
        # all positive or all negative weight: the curve path warns as sklearn does
    fpr, tpr, _ = roc_curve(yt, ys, pos_label, sample_weight, True)
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


def _binary_average_precision(y_true, y_score, pos_label, sample_weight, known=None):
    """Average precision of a binary target (scikit-learn's definition);
    ``known`` = (type, classes) of ``y_true`` when the caller has them."""
    yt = column_or_1d(y_true, "y_true")
    y_type, present_labels = known if known is not None else binary_target_type(
        yt, with_classes=True)
    if y_type != "binary":  # multiclass targets are answered in _multiclass
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
    sw = None if sample_weight is None else column_or_1d(sample_weight, "sample_weight")
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
