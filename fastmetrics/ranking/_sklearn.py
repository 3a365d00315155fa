"""scikit-learn's reading of the ranking inputs (``task=None`` without the
sequence extensions): which problem the labels pose — binary, multilabel
indicator or multiclass — and the engine that answers it."""


import numpy as np

from .. import config
from .._core.backend import kernels
from .._core.checks import as_array, check_pos_label_type, column_or_1d, first_bad_weight
from .._core.targets import binary_target_type, unique
from . import _binary, _multiclass


def check_multiclass_options(max_fpr, multi_class):
    """ROC AUC of a multiclass target: no partial AUC, and "ovr" or "ovo"."""
    if max_fpr is not None and max_fpr != 1.0:
        raise ValueError(
            "Partial AUC computation not available in multiclass setting, "
            "'max_fpr' must be set to `None`, received `max_fpr={0}` "
            "instead".format(max_fpr)
        )
    if multi_class == "raise":
        raise ValueError("multi_class must be in ('ovo', 'ovr')")


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None,
                  multi_class="raise", labels=None):
    """scikit-learn's ``roc_auc_score``: binary, multilabel indicator, multiclass."""
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
        return _binary._average_binary_score(
            lambda t, sc, w: _binary._binary_roc_auc_score(t, sc, w, max_fpr), yt, ys,
            average, sample_weight,
        )
    yt1 = column_or_1d(yt, "y_true")
    known = None
    if yt1.shape[0]:
        known = binary_target_type(yt1, with_classes=True)
        y_type = known[0]
        if y_type == "multiclass" or (
            y_type == "binary" and ys.ndim == 2 and ys.shape[1] > 2
        ):
            check_multiclass_options(max_fpr, multi_class)
            return _multiclass_roc_auc_score(yt1, ys, labels, multi_class, average,
                                             sample_weight)
    return _binary._binary_roc_auc_score(yt, ys, sample_weight, max_fpr, known=known)


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None):
    """scikit-learn's ``average_precision_score``: binary, multilabel, multiclass."""
    if average not in (None, "micro", "macro", "samples", "weighted"):
        raise ValueError(
            f"average must be one of None, 'micro', 'macro', 'samples', 'weighted'; "
            f"got {average!r}."
        )
    check_pos_label_type(pos_label)
    yt = as_array(y_true, "y_true")
    if yt.ndim == 2 and yt.shape[1] > 1:
        if pos_label != 1:
            raise ValueError(
                "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                "Do not set pos_label or set pos_label to 1."
            )
        return _binary._average_binary_score(
            lambda t, sc, w: _binary._binary_average_precision(t, sc, 1, w),
            yt, as_array(y_score, "y_score"), average, sample_weight,
        )
    yt1 = column_or_1d(yt, "y_true")
    known = binary_target_type(yt1, with_classes=True) if yt1.shape[0] else None
    if known is not None and known[0] == "multiclass":
        # label_binarize + the multilabel averages (_ranking_multiclass)
        return _multiclass.multiclass_average_precision(yt1, y_score, average,
                                                        pos_label, sample_weight)
    return _binary._binary_average_precision(yt, y_score, pos_label, sample_weight, known=known)


def _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average,
                              sample_weight):
    """scikit-learn's multiclass ROC AUC: one-vs-rest or one-vs-one (Hand & Till)."""
    if not y_score.ndim == 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
            "`y_true` contains multiple classes. Got "
            f"`y_score.shape={y_score.shape}`."
        )
    rows_ok, minmax = _rows_sum_to_one(y_score)
    if not rows_ok:
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
        labels = column_or_1d(labels, "labels")
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
        classes = unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of "
                "columns in 'y_score'"
            )
    if multi_class == "ovo":
        # Hand & Till: one sorted pass per class column (_ranking_multiclass)
        return _multiclass.ovo_roc_auc_score(y_true, y_score, classes, average,
                                             sample_weight)
    fast = _ovr_fast(y_true, y_score, classes, average, sample_weight, minmax)
    if fast is not None:
        return fast
    # one-vs-rest: one binary problem per class column (label_binarize)
    indicator = (y_true.reshape(-1, 1) == classes.reshape(1, -1)).astype(np.int64)
    return _binary._average_binary_score(
        lambda t, sc, w: _binary._binary_roc_auc_score(t, sc, w, None), indicator, y_score,
        average, sample_weight,
    )


def _rows_sum_to_one(y_score):
    """``np.allclose(1, y_score.sum(axis=1))`` (scikit-learn's probability
    check), and the per-column (min, max) or None; at scale one parallel pass
    computes both, without the row-sum array."""
    ys = np.asarray(y_score)
    if (ys.ndim == 2 and ys.shape[0] >= config.PARALLEL_MIN and ys.flags.c_contiguous
            and ys.dtype in (np.float32, np.float64)):
        ok, lo, hi = kernels("bucket_sort", n=ys.size).column_stats(ys, 1e-5, 1e-8)
        return ok, (lo, hi)
    return bool(np.allclose(1, ys.sum(axis=1))), None


def _ovr_fast(y_true, y_score, classes, average, sample_weight, minmax=None):
    """One-vs-rest AUC over large numeric inputs without the (n, C) indicator.

    Each class column is sorted in place of a strided view of ``y_score`` with
    the labels tested against the class on the fly (``y_true == class``);
    the averaging weights are the columns' positive totals.  Returns None (the
    general path answers) for small inputs, micro averaging, non-numeric
    labels, or when a column lacks positives or negatives (the general path
    warns as scikit-learn does).  ``minmax``: the columns' (min, max) when
    known.
    """
    yt = np.asarray(y_true)
    ys = np.asarray(y_score)
    if (average == "micro" or yt.ndim != 1 or yt.shape[0] < config.PARALLEL_MIN
            or yt.dtype.kind not in "iuf" or classes.dtype.kind not in "iuf"
            or ys.dtype not in (np.float32, np.float64) or not ys.flags.c_contiguous):
        return None
    sw = None
    if sample_weight is not None:
        sw = np.ascontiguousarray(column_or_1d(sample_weight, "sample_weight"),
                                  dtype=np.float64)
        if sw.shape[0] != yt.shape[0]:
            return None
        if first_bad_weight(sw) >= 0 or not sw.any():
            return None
    labels = np.ascontiguousarray(yt)
    kb = kernels("bucket_sort", n=ys.size)
    C = ys.shape[1]
    scores = np.empty(C)
    pos_tot = np.empty(C)
    # one pass over all columns (NaN: NaN)
    lo, hi = kb.column_min_max(ys) if minmax is None else minmax
    for c in range(C):
        pos = np.array(classes[c]).astype(labels.dtype)
        if pos != classes[c]:
            return None
        packed = _binary._packed_sorted(labels, labels.dtype.type(pos), ys[:, c], sw,
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


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None,
                         labels=None):
    """scikit-learn's ``top_k_accuracy_score`` (binary or multiclass labels)."""
    _multiclass._check_topk_params(k, normalize)
    k = int(k)
    yt, y_type, labels = _topk_targets(y_true, labels)
    ys = _topk_scores(y_score, y_type)
    n = yt.shape[0]
    _check_topk_lengths(n, ys, sample_weight)
    classes, codes = _topk_classes(yt, labels, ys.shape[1] if ys.ndim == 2 else 2)
    w = _multiclass._check_weights(sample_weight, n)
    _multiclass.warn_k_covers_classes(k, classes.shape[0])
    if y_type == "binary":
        hits, total = _binary_topk_hits(ys, codes, k, w)
    else:
        hits, total = _multiclass.topk_core(codes, ys, k, w)
    return _multiclass.topk_result(hits, total, normalize)


def _topk_targets(y_true, labels):
    """(1-D labels, "binary" or "multiclass", labels as given or None)."""
    yt = column_or_1d(as_array(y_true, "y_true"), "y_true")
    if yt.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    y_type = binary_target_type(yt)
    if labels is not None:
        labels = column_or_1d(as_array(labels, "labels"), "labels")
    if y_type == "binary" and labels is not None and labels.shape[0] > 2:
        y_type = "multiclass"
    if y_type not in ("binary", "multiclass"):
        raise ValueError(
            f"y type must be 'binary' or 'multiclass', got '{y_type}' instead."
        )
    return yt, y_type, labels


def _topk_scores(y_score, y_type):
    """Binary: 1-D scores of the greater class; multiclass: (n, C) scores."""
    ys = _multiclass._real_scores(as_array(y_score, "y_score"))
    if y_type == "binary":
        if ys.ndim == 2 and ys.shape[1] != 1:
            raise ValueError(
                "`y_true` is binary while y_score is 2d with"
                f" {ys.shape[1]} classes. If `y_true` does not contain all the"
                " labels, `labels` must be provided."
            )
        return column_or_1d(ys, "y_score")
    if ys.ndim != 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
            "`y_true` contains multiple classes. Got "
            f"`y_score.shape={ys.shape}`."
        )
    return ys


def _check_topk_lengths(n, ys, sample_weight):
    lengths = [n, ys.shape[0]]
    if sample_weight is not None:
        lengths.append(column_or_1d(as_array(sample_weight, "sample_weight"),
                                    "sample_weight").shape[0])
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r" % lengths
        )


def _topk_classes(yt, labels, n_score_classes):
    """(the classes, one per score column; int64 codes of ``yt`` in them)."""
    if labels is None:
        classes = unique(yt)
        if classes.shape[0] != n_score_classes:
            raise ValueError(
                f"Number of classes in 'y_true' ({classes.shape[0]}) not equal "
                f"to the number of classes in 'y_score' ({n_score_classes})."
                "You can provide a list of all known classes by assigning it "
                "to the `labels` parameter."
            )
        return classes, _multiclass._encode(yt, classes)
    classes = np.unique(labels)
    if classes.shape[0] != labels.shape[0]:
        raise ValueError("Parameter 'labels' must be unique.")
    if not np.array_equal(classes, labels):
        raise ValueError("Parameter 'labels' must be ordered.")
    if classes.shape[0] != n_score_classes:
        raise ValueError(
            f"Number of given labels ({classes.shape[0]}) not equal to the "
            f"number of classes in 'y_score' ({n_score_classes})."
        )
    codes = _multiclass._encode(yt, classes)
    if codes is None:
        raise ValueError("'y_true' contains labels not in parameter 'labels'.")
    return classes, codes


def _binary_topk_hits(ys, codes, k, w):
    """Binary top-k: k = 1 thresholds the scores (0.5 for probabilities, else 0);
    k >= 2 covers both classes.  Returns (hits, total), weighted by ``w``."""
    n = codes.shape[0]
    if ys.dtype.kind == "f" and not np.all(np.isfinite(ys)):
        bad = int(np.flatnonzero(~np.isfinite(ys))[0])
        raise ValueError(f"y_score contains NaN or infinity (first bad score in row {bad})")
    if k == 1:
        threshold = 0.5 if ys.min() >= 0 and ys.max() <= 1 else 0
        hit = (ys > threshold) == (codes == 1)
    else:
        hit = np.ones(n, dtype=bool)
    hits = float(np.sum(hit)) if w is None else float(np.dot(hit, w))
    total = float(n) if w is None else float(np.sum(w))
    return hits, total
