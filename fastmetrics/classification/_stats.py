"""Sufficient statistics of the confusion family, and every metric derived from them.

The functional API, the streaming state and the Keras classes all
build a :class:`ConfusionStats` and call the functions here: no formula is
written twice.  The formulas and warnings follow scikit-learn 1.9
(``sklearn/metrics/_classification.py``), computed from the counts instead
of from the samples.
"""

import warnings

import numpy as np

from ..exceptions import UndefinedMetricWarning


class ConfusionStats:
    """Counts (or weighted sums) from which every confusion metric follows.

    Attributes
    ----------
    y_type : {"binary", "multiclass", "multilabel-indicator"}
    classes : ndarray of shape (K,)
        Label value of each row/column (sorted).  For multilabel: ``arange(L)``.
    cm : ndarray of shape (K, K) or None
        Binary/multiclass: ``cm[i, j]`` = weight (or count) of tokens with true
        class ``classes[i]`` predicted as ``classes[j]``.  int64 when
        unweighted, float64 when weighted.
    mcm : ndarray of shape (L, 2, 2) or None
        Multilabel: per label ``[[tn, fp], [fn, tp]]``.
    exact, total : float
        Multilabel: weight of exactly-matching tokens, and of all tokens.
    samples : tuple (tp, fp, fn, weight) of ndarrays of shape (n_samples,) or None
        Multilabel per-sample counts (only for ``average="samples"``).
    counts : ndarray of shape (K, K), int64, or None
        Unweighted token counts (presence of a label does not depend on weights).
    weighted : bool
    int_weights : bool
        The weights were integers: confusion matrices keep an integer dtype
        (scikit-learn's rule).
    """

    __slots__ = ("y_type", "classes", "cm", "counts", "mcm", "exact", "total",
                 "samples", "weighted", "int_weights", "totals", "samples_for")

    def __init__(self, y_type, classes, cm=None, mcm=None, exact=None, total=None,
                 samples=None, weighted=False, int_weights=True, counts=None):
        self.y_type = y_type
        self.counts = cm if counts is None else counts
        self.totals = None
        self.samples_for = None
        self.classes = classes
        self.cm = cm
        self.mcm = mcm
        self.exact = exact
        self.total = total
        self.samples = samples
        self.weighted = weighted
        self.int_weights = int_weights

    @property
    def multilabel(self):
        return self.y_type == "multilabel-indicator"


# --------------------------------------------------------------------------- labels

def _lookup(classes, labels):
    """Index of each label in ``classes`` (sorted), -1 when absent."""
    labels = np.asarray(labels)
    if classes.size == 0:
        return np.full(labels.shape[0], -1, dtype=np.int64)
    try:
        idx = np.searchsorted(classes, labels)
    except TypeError:
        # e.g. string labels asked of numeric classes: nothing matches
        return np.full(labels.shape[0], -1, dtype=np.int64)
    idx = np.clip(idx, 0, classes.size - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = classes[idx] == labels
    found = np.asarray(found, dtype=bool)
    if found.shape != idx.shape:
        found = np.zeros(idx.shape, dtype=bool)
    return np.where(found, idx, -1).astype(np.int64)


def _take(vec, idx):
    """vec[idx] with 0 where idx == -1."""
    out = np.zeros(idx.shape[0], dtype=vec.dtype)
    ok = idx >= 0
    out[ok] = vec[idx[ok]]
    return out


def _present_labels(stats):
    return stats.classes


def _multilabel_label_indices(stats, labels):
    labels = np.asarray(labels)
    present = stats.classes
    if labels.shape != present.shape or np.any(labels != present):
        if labels.size and np.max(labels) > np.max(present):
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets. "
                "Got %d > %d" % (np.max(labels), np.max(present))
            )
        if labels.size and np.min(labels) < 0:
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets. "
                "Got %d < 0" % np.min(labels)
            )
    return labels.astype(np.int64) if labels.size else np.zeros(0, dtype=np.int64)


# --------------------------------------------------------------- confusion matrices

def confusion_matrix(stats, labels=None, normalize=None):
    if stats.multilabel:
        raise ValueError("multilabel-indicator is not supported")
    cm_full = stats.cm
    if labels is None:
        cm = cm_full
    else:
        labels = np.asarray(labels)
        n_labels = labels.size
        if n_labels == 0:
            raise ValueError("'labels' should contain at least one label.")
        idx = _lookup(stats.classes, labels)
        true_present = stats.counts.sum(axis=1) > 0
        row_counts = _take(true_present.astype(np.int64), idx)
        if not np.any(row_counts):
            raise ValueError("At least one label specified must be in y_true")
        cm = np.zeros((n_labels, n_labels), dtype=cm_full.dtype)
        ok = idx >= 0
        cm[np.ix_(ok, ok)] = cm_full[np.ix_(idx[ok], idx[ok])]
    if stats.weighted and not stats.int_weights:
        cm = cm.astype(np.float64, copy=False)
    elif stats.weighted:
        cm = np.rint(cm).astype(np.int64)
    else:
        cm = cm.astype(np.int64, copy=False)
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
        if normalize is not None:
            cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            (
                "A single label was found in 'y_true' and 'y_pred'. For the confusion "
                "matrix to have the correct shape, use the 'labels' parameter to pass "
                "all known labels."
            ),
            UserWarning,
            stacklevel=3,
        )
    return cm


def _sums(stats, labels=None, samplewise=False):
    """tp_sum, pred_sum, true_sum, total for the labels (sklearn's MCM pieces)."""
    if not stats.multilabel:
        if samplewise:
            raise ValueError(
                "Samplewise metrics are not available outside of "
                "multilabel classification."
            )
        cm = stats.cm
        if not stats.weighted and np.trace(stats.counts) == 0:
            # scikit-learn's pathological case: with no true positive at all its
            # sums come out as float64 (supports print as "2.0"); keep that.
            cm = cm.astype(np.float64)
        tp = np.diagonal(cm)
        pred = cm.sum(axis=0)
        true = cm.sum(axis=1)
        total = cm.sum()
        if labels is None:
            return tp, pred, true, total
        idx = _lookup(stats.classes, labels)
        return _take(tp, idx), _take(pred, idx), _take(true, idx), total
    if samplewise:
        s_tp, s_fp, s_fn, s_w = stats.samples
        n_labels = stats.classes.shape[0]
        if labels is not None:
            raise NotImplementedError  # handled by the caller (needs per-sample label subset)
        return s_tp, s_tp + s_fp, s_tp + s_fn, (s_w, n_labels)
    mcm = stats.mcm
    tp = mcm[:, 1, 1]
    pred = tp + mcm[:, 0, 1]
    true = tp + mcm[:, 1, 0]
    if labels is not None:
        idx = _multilabel_label_indices(stats, labels)
        tp, pred, true = tp[idx], pred[idx], true[idx]
    return tp, pred, true, stats.total


def _samples(stats, labels):
    """Per-sample (tp, fp, fn, weight) over all labels or a subset of them."""
    if stats.samples is None:
        raise ValueError(
            "per-sample counts are not available here (a streaming state does not "
            "keep them); use the functional API for samplewise / average='samples'."
        )
    if labels is None:
        return stats.samples
    idx = _multilabel_label_indices(stats, labels)
    if np.array_equal(idx, np.arange(stats.classes.shape[0])):
        return stats.samples
    return stats.samples_for(idx)


def multilabel_confusion_matrix(stats, labels=None, samplewise=False):
    if samplewise and stats.multilabel:
        s_tp, s_fp, s_fn, s_w = _samples(stats, labels)
        L = stats.classes.shape[0] if labels is None else len(labels)
        if s_w is None:
            tp, fp, fn = s_tp, s_fp, s_fn
            tn = L - tp - fp - fn
        else:
            tp, fp, fn = s_tp * s_w, s_fp * s_w, s_fn * s_w
            tn = s_w * L - tp - fp - fn
        return np.stack([tn, fp, fn, tp]).T.reshape(-1, 2, 2)
    if stats.multilabel and labels is None:
        mcm = stats.mcm
        return mcm.astype(np.int64) if not stats.weighted else mcm.astype(np.float64)
    tp, pred, true, total = _sums(stats, labels, samplewise)
    fp = pred - tp
    fn = true - tp
    tn = total - tp - fp - fn
    out = np.stack([tn, fp, fn, tp]).T.reshape(-1, 2, 2)
    if stats.weighted:
        out = out.astype(np.float64)
    return out


# ----------------------------------------------------------- precision / recall / F

def _check_zero_division(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return np.float64(0.0)
    elif isinstance(zero_division, (int, float)) and zero_division in [0, 1]:
        return np.float64(zero_division)
    else:
        return np.nan


def _warn_prf(average, modifier, msg_start, result_size):
    axis0, axis1 = "sample", "label"
    if average == "samples":
        axis0, axis1 = axis1, axis0
    msg = (
        "{0} ill-defined and being set to 0.0 {{0}} "
        "no {1} {2}s. Use `zero_division` parameter to control"
        " this behavior.".format(msg_start, modifier, axis0)
    )
    if result_size == 1:
        msg = msg.format("due to")
    else:
        msg = msg.format("in {0}s with".format(axis1))
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=4)


def _prf_divide(numerator, denominator, metric, modifier, average, warn_for,
                zero_division="warn"):
    mask = denominator == 0
    denominator = np.asarray(denominator, dtype=np.float64).copy()
    denominator[mask] = 1
    result = np.asarray(numerator, dtype=np.float64) / denominator
    if not np.any(mask):
        return result
    result[mask] = _check_zero_division(zero_division)
    if zero_division != "warn" or metric not in warn_for:
        return result
    _warn_prf(average, modifier, f"{metric.capitalize()} is", result.shape[0])
    return result


def _nanaverage(a, weights=None):
    if a.shape[0] == 0:
        return np.nan
    mask = np.isnan(a)
    if np.all(mask):
        return np.nan
    if weights is None:
        return np.nanmean(a)
    weights = np.asarray(weights, dtype=np.float64)
    a, weights = a[~mask], weights[~mask]
    try:
        return np.average(a, weights=weights)
    except ZeroDivisionError:
        return np.average(a)


def set_wise_labels(stats, average, labels, pos_label):
    """scikit-learn's ``_check_set_wise_labels`` on the statistics."""
    average_options = (None, "micro", "macro", "weighted", "samples")
    if average not in average_options and average != "binary":
        raise ValueError("average has to be one of " + str(average_options))
    y_type = stats.y_type
    present_labels = _present_labels(stats)
    if average == "binary":
        if y_type == "binary":
            if pos_label not in present_labels:
                if len(present_labels) >= 2:
                    raise ValueError(
                        f"pos_label={pos_label} is not a valid label. It "
                        f"should be one of {present_labels}"
                    )
            labels = [pos_label]
        else:
            average_options = list(average_options)
            if y_type == "multiclass":
                average_options.remove("samples")
            raise ValueError(
                "Target is %s but average='binary'. Please "
                "choose another average setting, one of %r." % (y_type, average_options)
            )
    elif pos_label not in (None, 1):
        warnings.warn(
            "Note that pos_label (set to %r) is ignored when "
            "average != 'binary' (got %r). You may use "
            "labels=[pos_label] to specify a single positive class."
            % (pos_label, average),
            UserWarning,
            stacklevel=4,
        )
    return labels


def precision_recall_fscore_support(stats, *, beta=1.0, labels=None, pos_label=1,
                                    average=None,
                                    warn_for=("precision", "recall", "f-score"),
                                    zero_division="warn"):
    labels = set_wise_labels(stats, average, labels, pos_label)
    samplewise = average == "samples"
    sample_weight = None
    if samplewise:
        if not stats.multilabel:
            raise ValueError(
                "Samplewise metrics are not available outside of "
                "multilabel classification."
            )
        s_tp, s_fp, s_fn, s_w = _samples(stats, labels)
        tp_sum, pred_sum, true_sum = s_tp, s_tp + s_fp, s_tp + s_fn
        if s_w is not None:
            tp_sum, pred_sum, true_sum = tp_sum * s_w, pred_sum * s_w, true_sum * s_w
            sample_weight = s_w
    else:
        tp_sum, pred_sum, true_sum, _ = _sums(stats, labels)

    if average == "micro":
        tp_sum = np.reshape(np.sum(tp_sum), (1,))
        pred_sum = np.reshape(np.sum(pred_sum), (1,))
        true_sum = np.reshape(np.sum(true_sum), (1,))

    beta2 = beta**2
    precision = _prf_divide(tp_sum, pred_sum, "precision", "predicted", average,
                            warn_for, zero_division)
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", average, warn_for,
                         zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        denom = beta2 * np.asarray(true_sum, dtype=np.float64) + np.asarray(
            pred_sum, dtype=np.float64)
        f_score = _prf_divide((1 + beta2) * np.asarray(tp_sum, dtype=np.float64),
                              denom, "f-score", "true nor predicted", average,
                              warn_for, zero_division)
    if average == "weighted":
        weights = true_sum
    elif average == "samples":
        weights = sample_weight
    else:
        weights = None
    if average is not None:
        precision = float(_nanaverage(precision, weights=weights))
        recall = float(_nanaverage(recall, weights=weights))
        f_score = float(_nanaverage(f_score, weights=weights))
        true_sum = None
    return precision, recall, f_score, true_sum


# ------------------------------------------------------------------ single numbers

def accuracy(stats, normalize=True):
    if stats.multilabel:
        num, den = stats.exact, stats.total
    else:
        num, den = np.trace(stats.cm), stats.cm.sum()
    if normalize:
        if den == 0:
            if stats.weighted:
                raise ZeroDivisionError(
                    "Weights sum to zero, can't be normalized"
                )
            return float("nan")
        return float(num / den)
    return float(num)


def balanced_accuracy(stats, adjusted=False):
    if stats.multilabel:
        raise ValueError("multilabel-indicator is not supported")
    _warn_single_label(stats)
    C = stats.cm.astype(np.float64)
    row = C.sum(axis=1)
    # classes absent from both y_true and y_pred do not exist for scikit-learn
    keep = _counts_present(stats)
    C, row = C[np.ix_(keep, keep)], row[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diagonal(C) / row
    if np.any(np.isnan(per_class)):
        warnings.warn("y_pred contains classes not in y_true", stacklevel=3)
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        n_classes = per_class.shape[0]
        chance = 1 / n_classes
        score -= chance
        score /= 1 - chance
    return float(score)


def _counts_present(stats):
    """Classes that occur in y_true or y_pred (by count: zero weight still occurs)."""
    c = stats.counts
    return (c.sum(axis=0) > 0) | (c.sum(axis=1) > 0)


def _warn_single_label(stats):
    """scikit-learn warns through its internal confusion_matrix call."""
    if stats.cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion "
            "matrix to have the correct shape, use the 'labels' parameter to pass "
            "all known labels.",
            UserWarning,
            stacklevel=4,
        )


def matthews_corrcoef(stats):
    if stats.multilabel:
        raise ValueError("multilabel-indicator is not supported")
    _warn_single_label(stats)
    C = stats.cm
    t_sum = C.sum(axis=1, dtype=np.float64)
    p_sum = C.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(C, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples**2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples**2 - np.dot(t_sum, t_sum)
    cov_ypyp_ytyt = cov_ypyp * cov_ytyt
    # The variances are exactly zero when all (weighted) mass sits in one class;
    # test that structurally, as rounding can leave a tiny non-zero difference.
    if cov_ypyp_ytyt == 0 or np.count_nonzero(t_sum) <= 1 or np.count_nonzero(p_sum) <= 1:
        return 0.0
    return float(cov_ytyp / np.sqrt(cov_ypyp_ytyt))


def cohen_kappa(stats, labels=None, weights=None, replace_undefined_by=np.nan):
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(
            f"weights must be None, 'linear' or 'quadratic'; got {weights!r}."
        )
    try:
        confusion = confusion_matrix(stats, labels=labels)
    except ValueError as e:
        if "At least one label specified must be in y_true" in str(e):
            raise ValueError(
                "At least one label in `labels` must be present in `y1` (even though "
                "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and "
                "`y2`)."
            ) from e
        raise
    n_classes = confusion.shape[0]
    confusion = confusion.astype(np.float64)
    sum0 = np.sum(confusion, axis=0)
    sum1 = np.sum(confusion, axis=1)
    numerator = np.outer(sum0, sum1)
    denominator = np.sum(sum0)
    if denominator == 0:
        warnings.warn(
            "`y2` contains no labels that are present in both `y1` and `labels`."
            "`cohen_kappa_score` is undefined and set to the value defined by "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return replace_undefined_by
    expected = numerator / denominator
    if weights is None:
        w_mat = np.ones([n_classes, n_classes], dtype=np.float64)
        np.fill_diagonal(w_mat, 0)
    else:
        w_mat = np.zeros([n_classes, n_classes], dtype=np.float64)
        w_mat += np.arange(n_classes)
        if weights == "linear":
            w_mat = np.abs(w_mat - w_mat.T)
        else:
            w_mat = (w_mat - w_mat.T) ** 2
    numerator = np.sum(w_mat * confusion)
    denominator = np.sum(w_mat * expected)
    if denominator == 0:
        warnings.warn(
            "`y1`, `y2` and `labels` have only one label in common. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return replace_undefined_by
    k = numerator / denominator
    return float(1 - k)


# ------------------------------------------------------------------------- report

def classification_report(stats, labels=None, target_names=None, digits=2,
                          output_dict=False, zero_division="warn",
                          include_samples=True):
    y_type = stats.y_type
    if labels is None:
        labels = stats.classes
        labels_given = False
    else:
        labels = np.asarray(labels)
        labels_given = True
    micro_is_accuracy = (y_type == "multiclass" or y_type == "binary") and (
        not labels_given or (set(labels.tolist()) >= set(_present_for_report(stats)))
    )
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(
                "labels size, {0}, does not match size of target_names, {1}".format(
                    len(labels), len(target_names)
                ),
                stacklevel=3,
            )
        else:
            raise ValueError(
                "Number of classes, {0}, does not match size of "
                "target_names, {1}. Try specifying the labels "
                "parameter".format(len(labels), len(target_names))
            )
    if target_names is None:
        target_names = ["%s" % l for l in labels]

    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, s = precision_recall_fscore_support(
        stats, labels=labels, average=None, zero_division=zero_division
    )
    rows = zip(target_names, p, r, f1, s)
    if y_type.startswith("multilabel") and include_samples:
        average_options = ("micro", "macro", "weighted", "samples")
    else:
        average_options = ("micro", "macro", "weighted")
    if output_dict:
        report_dict = {label[0]: label[1:] for label in rows}
        for label, scores in report_dict.items():
            report_dict[label] = dict(zip(headers, [float(i) for i in scores]))
    else:
        longest_last_line_heading = "weighted avg"
        name_width = max(len(cn) for cn in target_names)
        width = max(name_width, len(longest_last_line_heading), digits)
        head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
        report = head_fmt.format("", *headers, width=width)
        report += "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            report += row_fmt.format(*row, width=width, digits=digits)
        report += "\n"
    for average in average_options:
        if average.startswith("micro") and micro_is_accuracy:
            line_heading = "accuracy"
        else:
            line_heading = average + " avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            stats, labels=labels, average=average, zero_division=zero_division
        )
        avg = [avg_p, avg_r, avg_f1, np.sum(s)]
        if output_dict:
            report_dict[line_heading] = dict(zip(headers, [float(i) for i in avg]))
        else:
            if line_heading == "accuracy":
                row_fmt_accuracy = (
                    "{:>{width}s} "
                    + " {:>9.{digits}}" * 2
                    + " {:>9.{digits}f}"
                    + " {:>9}\n"
                )
                report += row_fmt_accuracy.format(
                    line_heading, "", "", *avg[2:], width=width, digits=digits
                )
            else:
                report += row_fmt.format(line_heading, *avg, width=width, digits=digits)
    if output_dict:
        if "accuracy" in report_dict.keys():
            report_dict["accuracy"] = report_dict["accuracy"]["precision"]
        return report_dict
    return report


def _present_for_report(stats):
    """Labels scikit-learn would find in y_true or y_pred."""
    if stats.multilabel:
        return stats.classes.tolist()
    return stats.classes[_counts_present(stats)].tolist()
