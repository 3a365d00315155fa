"""Ranking family: ROC / PR / DET curves, ROC AUC, average precision, ``auc``,
``top_k_accuracy_score``.

scikit-learn drop-ins (binary, multilabel averages, multiclass one-vs-rest and
one-vs-one) plus the sequence extensions (``task``, ``mask``, ``ignore_index``,
(N, T) ``sample_weight``, ``class_weight``), computed from an exact ordering of
the scores without a comparison sort: order-preserving integer keys carry the
label in bit 0 and are bucket-sorted in parallel (``_kernels/cpu/bucket_sort``;
inputs under ``config.PARALLEL_MIN`` scores take the serial radix path of
``_kernels/cpu/ranking``, inputs of at most ``config.NUMPY_MAX`` scores its
NumPy twins in ``_kernels/numpy``), then scanned once in float64.  Bounded-memory
streaming states live in ``fastmetrics.streaming``.
"""

from .._core.docs import fill
from . import _binary, _sequence, _sklearn, _tokens

__all__ = [
    "auc",
    "average_precision_score",
    "det_curve",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
    "top_k_accuracy_score",
]


def _curve(core, y_true, y_score, pos_label, sample_weight, drop_intermediate, task,
           num_classes, mask, ignore_index, class_weight):
    """A binary curve: scikit-learn's reading, or the tokens of the extensions."""
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _sequence.curve(
            core, y_true, y_score, pos_label=pos_label, sample_weight=sample_weight,
            drop_intermediate=drop_intermediate, task=task, num_classes=num_classes,
            mask=mask, ignore_index=ignore_index, class_weight=class_weight)
    return core(y_true, y_score, pos_label, sample_weight, drop_intermediate)


_CURVE_PARAMS = """
    y_true : array-like of shape (n_samples,), or token arrays (see ``task``)
        Binary labels ({0, 1}, {-1, 1}, or any two labels with ``pos_label``).
    y_score : array-like of shape (n_samples,), float, or token scores
        Scores; a higher score means the positive class is more likely.
    pos_label : int, float, bool or str, default=None
    sample_weight : array-like of shape (n_samples,), default=None
"""

_curve_doc = fill(curve_params=_CURVE_PARAMS, sequence_params=_tokens.SEQUENCE_PARAMS)


@_curve_doc
def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
              drop_intermediate=True, task=None, num_classes=None, mask=None,
              ignore_index=None, class_weight=None):
    """Receiver operating characteristic curve (binary).

    Parameters
    ----------
    {curve_params}
    drop_intermediate : bool, default=True
        Drop thresholds that are collinear on the curve.
    {sequence_params}

    Returns
    -------
    fpr, tpr : ndarray of shape (n_thresholds + 1,), float64
    thresholds : ndarray of shape (n_thresholds + 1,), float64
        Decreasing; the first is ``np.inf``.
    """
    return _curve(_binary.roc_curve, y_true, y_score, pos_label, sample_weight,
                  drop_intermediate, task, num_classes, mask, ignore_index, class_weight)


@_curve_doc
def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False, task=None, num_classes=None,
                           mask=None, ignore_index=None, class_weight=None):
    """Precision-recall pairs for every distinct score threshold (binary).

    Parameters
    ----------
    {curve_params}
    drop_intermediate : bool, default=False
    {sequence_params}

    Returns
    -------
    precision, recall : ndarray of shape (n_thresholds + 1,), float64
        The last precision is 1 and the last recall 0.
    thresholds : ndarray of shape (n_thresholds,)
        Increasing.
    """
    return _curve(_binary.precision_recall_curve, y_true, y_score, pos_label,
                  sample_weight, drop_intermediate, task, num_classes, mask,
                  ignore_index, class_weight)


@_curve_doc
def det_curve(y_true, y_score, pos_label=None, sample_weight=None,
              drop_intermediate=False, *, task=None, num_classes=None, mask=None,
              ignore_index=None, class_weight=None):
    """Detection error tradeoff: false positive and false negative rates (binary).

    Parameters
    ----------
    {curve_params}
    drop_intermediate : bool, default=False
    {sequence_params}

    Returns
    -------
    fpr, fnr : ndarray of shape (n_thresholds,), float64
    thresholds : ndarray of shape (n_thresholds,)
        Increasing.
    """
    return _curve(_binary.det_curve, y_true, y_score, pos_label, sample_weight,
                  drop_intermediate, task, num_classes, mask, ignore_index, class_weight)


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
    return _binary.auc(x, y)


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
        return _sequence.roc_auc_score(
            y_true, y_score, average=average, sample_weight=sample_weight,
            max_fpr=max_fpr, multi_class=multi_class, labels=labels, task=task,
            num_classes=num_classes, mask=mask, ignore_index=ignore_index,
            class_weight=class_weight)
    return _sklearn.roc_auc_score(
        y_true, y_score, average=average, sample_weight=sample_weight, max_fpr=max_fpr,
        multi_class=multi_class, labels=labels)


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
        return _sequence.average_precision_score(
            y_true, y_score, average=average, pos_label=pos_label,
            sample_weight=sample_weight, task=task, num_classes=num_classes,
            mask=mask, ignore_index=ignore_index, class_weight=class_weight)
    return _sklearn.average_precision_score(
        y_true, y_score, average=average, pos_label=pos_label, sample_weight=sample_weight)


@_tokens.doc
def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None,
                         labels=None, task=None, num_classes=None, mask=None,
                         ignore_index=None, class_weight=None):
    """Top-k accuracy: how often the true class is among the ``k`` best scored.

    scikit-learn's ``top_k_accuracy_score``: when scores tie, the class with
    the higher index ranks first (scikit-learn's stable argsort, reversed).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (binary or multiclass; ints, floats with integer values,
        strings or bools).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes), real
        Binary: the score of the greater class (``k=1`` thresholds it at 0.5
        when all scores lie in [0, 1], else at 0).  Multiclass: one column per
        class, in the order of ``labels`` or of the sorted labels of
        ``y_true``.
    k : int >= 1, default=2
        Number of best-scored classes that count as a hit.
    normalize : bool, default=True
        Return the fraction of hits (weighted by ``sample_weight``); else their
        number (or weight sum).
    sample_weight : array-like of shape (n_samples,), default=None
        Finite, non-negative weights.
    labels : array-like of shape (n_classes,), default=None
        Sorted, unique labels indexing the columns of ``y_score``; needed when
        ``y_true`` does not hold every class.
    {sequence_params}

    Returns
    -------
    score : float
        With ``k >= n_classes`` every row is a hit (an UndefinedMetricWarning
        says so).
    """
    if _tokens.extensions_used(task, num_classes, mask, ignore_index, class_weight):
        return _sequence.top_k_accuracy_score(
            y_true, y_score, k=k, normalize=normalize, sample_weight=sample_weight,
            labels=labels, task=task, num_classes=num_classes, mask=mask,
            ignore_index=ignore_index, class_weight=class_weight)
    return _sklearn.top_k_accuracy_score(y_true, y_score, k=k, normalize=normalize,
                                         sample_weight=sample_weight, labels=labels)
