"""Confusion-matrix family: a scikit-learn drop-in with sequence extensions.

Every function has scikit-learn's name, positional arguments, keywords,
defaults, warnings and results on every input scikit-learn accepts, plus the
keyword-only sequence extensions described in :data:`SEQUENCE_PARAMS`.

All of them reduce the input to one :class:`~fastmetrics.classification._stats.ConfusionStats`
in a single fused kernel pass, then derive the metric from the counts.
"""

import numpy as np

from .._core.docs import fill
from . import _stats
from ._format import build_stats
from .._core.checks import (
    check_average,
    check_beta,
    check_normalize_cm,
    check_zero_division,
)

__all__ = [
    "confusion_matrix",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "accuracy_score",
    "balanced_accuracy_score",
    "matthews_corrcoef",
    "cohen_kappa_score",
    "classification_report",
]

SEQUENCE_PARAMS = """
    task : {None, "binary", "multiclass", "multilabel"}, default=None
        ``None`` reads the input as scikit-learn does (1-D labels of any type,
        or a 2-D multilabel indicator).  An explicit task reads token arrays of
        any shape ``S`` such as ``(N,)`` or ``(N, T)``:

        * ``"multiclass"``: ``y_true`` holds class ids shaped ``S`` (integers,
          or integral floats) or one-hot rows ``S + (C,)``; ``y_pred`` holds
          integer ids shaped ``S`` or scores / probabilities / logits
          ``S + (C,)`` reduced by argmax (first maximum wins).  A floating
          ``y_pred`` with the same ndim as ``y_true`` means both carry the class
          axis.
        * ``"binary"``: ``y_true`` ids in {0, 1} shaped ``S`` (or one-hot
          ``S + (2,)``); ``y_pred`` floating shaped ``S`` is positive when
          ``> threshold``, integer/bool shaped ``S`` are ids, and a two-unit
          output ``S + (2,)`` is read by its positive column ``[..., 1]`` — never
          as two micro-averaged classes.  A trailing axis of size 1 is squeezed.
        * ``"multilabel"``: indicators ``S + (L,)``; floating ``y_pred`` is cut
          at ``threshold``.

        With an explicit task the classes are ``0 .. C-1``, all of them, present
        in the data or not.
    num_classes : int, default=None
        Number of classes ``C`` (explicit tasks only).  Inferred from the class
        axis of the scores, or as ``max id + 1``.
    threshold : float, default=0.5
        Binary / multilabel scores are positive when ``score > threshold``,
        applied to the values as given (use ``0.0`` for logits).
    mask : bool array of the token shape, default=None
        ``False`` tokens are excluded entirely, as padding is.
    ignore_index : int, default=None
        Tokens whose true label equals this value are excluded (multilabel:
        elementwise).
    class_weight : dict or array of shape (C,), default=None
        Multiplies the weight of each token by ``class_weight[true class]``;
        combined with ``sample_weight`` the two multiply.  Dict keys missing
        from the dict weigh 1.  With ``task=None`` dict keys are label values.

    Notes on ``sample_weight`` with an explicit task: its shape must be a
    prefix of the token shape — ``(N,)`` is one weight per sequence, applied
    to all its timesteps; ``(N, T)`` is one weight per token.  Negative or
    non-finite weights raise ``ValueError`` (scikit-learn accepts negative
    weights; a negative count has no meaning here).
"""


_LABEL_PARAMS = """
    y_true, y_pred : array-like
        Labels of shape (n_samples,), multilabel indicators, or token arrays /
        scores with an explicit ``task``.
    labels : array-like, default=None
        Classes to include, in that order.
    pos_label : int, float, bool or str, default=1
        The positive class when ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None, default="binary"
        ``"binary"`` reports the positive class only; ``None`` returns one value
        per class.
"""

_DIVISION_PARAMS = """
    sample_weight : array-like, default=None
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value for a 0/0 ratio; "warn" gives 0.0 and an UndefinedMetricWarning.
"""

_doc = fill(sequence_params=SEQUENCE_PARAMS)
_score_doc = fill(label_params=_LABEL_PARAMS, division_params=_DIVISION_PARAMS,
                  sequence_params=SEQUENCE_PARAMS)


def _stats_for(y_true, y_pred, sample_weight, ext, samplewise=False, allow_empty=False):
    return build_stats(
        y_true, y_pred, sample_weight=sample_weight, samplewise=samplewise,
        allow_empty=allow_empty, **ext
    )


def _ext(task, num_classes, threshold, mask, ignore_index, class_weight):
    return dict(task=task, num_classes=num_classes, threshold=threshold, mask=mask,
                ignore_index=ignore_index, class_weight=class_weight)


@_doc
def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None,
                     task=None, num_classes=None, threshold=0.5, mask=None,
                     ignore_index=None, class_weight=None):
    """Compute the confusion matrix ``C[i, j]``: true class i predicted as j.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or token arrays (see ``task``)
        Ground-truth labels.
    y_pred : array-like of shape (n_samples,) or token arrays / scores
        Predicted labels (or scores with an explicit ``task``).
    labels : array-like of shape (n_classes,), default=None
        Labels that index the matrix, in that order; tokens whose true or
        predicted label is not listed are dropped.  Default: the labels found in
        ``y_true`` or ``y_pred`` (``task=None``) or ``0 .. C-1``.
    sample_weight : array-like, default=None
        Weights: shape (n_samples,), or a prefix of the token shape.
    normalize : {"true", "pred", "all"}, default=None
        Normalise over rows, columns or the whole matrix.
    {sequence_params}

    Returns
    -------
    C : ndarray of shape (n_classes, n_classes)
        int64 when unweighted (or with integer ``sample_weight``), float64 when
        weighted or normalised.

    Examples
    --------
    >>> import fastmetrics as fm
    >>> fm.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    check_normalize_cm(normalize)
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    if labels is not None and np.asarray(labels).size > 0 and _is_empty(y_true):
        n = np.asarray(labels).size
        return np.zeros((n, n), dtype=int)
    stats = _stats_for(y_true, y_pred, sample_weight, ext)
    return _stats.confusion_matrix(stats, labels=labels, normalize=normalize)


def _is_empty(y):
    try:
        return len(y) == 0
    except TypeError:
        return False


@_doc
def multilabel_confusion_matrix(y_true, y_pred, *, sample_weight=None, labels=None,
                                samplewise=False, task=None, num_classes=None,
                                threshold=0.5, mask=None, ignore_index=None,
                                class_weight=None):
    """One-vs-rest 2x2 confusion matrices ``[[tn, fp], [fn, tp]]`` per class.

    Parameters
    ----------
    y_true, y_pred : array-like
        Labels (n_samples,), multilabel indicators (n_samples, n_labels), or
        token arrays with an explicit ``task``.
    sample_weight : array-like, default=None
        Weights per sample (or a prefix of the token shape).
    labels : array-like, default=None
        Classes (or label columns) to report, in that order.
    samplewise : bool, default=False
        Multilabel only: one matrix per sample instead of per label.
    {sequence_params}

    Returns
    -------
    multi_confusion : ndarray of shape (n_outputs, 2, 2)
        int64 when unweighted, float64 when weighted.
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y_true, y_pred, sample_weight, ext, samplewise=samplewise)
    return _stats.multilabel_confusion_matrix(stats, labels=labels, samplewise=samplewise)


@_doc
def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None,
                                    pos_label=1, average=None,
                                    warn_for=("precision", "recall", "f-score"),
                                    sample_weight=None, zero_division="warn",
                                    task=None, num_classes=None, threshold=0.5,
                                    mask=None, ignore_index=None, class_weight=None):
    """Precision, recall, F-beta and support per class or averaged.

    Parameters
    ----------
    y_true, y_pred : array-like
        Labels, multilabel indicators, or token arrays / scores with ``task``.
    beta : float, default=1.0
        Weight of recall in the F-score (``inf`` gives recall, ``0`` precision).
    labels : array-like, default=None
        Classes to include, in that order.
    pos_label : int, float, bool or str, default=1
        The positive class when ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None, default=None
        ``None`` returns per-class arrays.  ``"micro"`` pools the counts,
        ``"macro"`` averages per class, ``"weighted"`` by support,
        ``"samples"`` per sample (multilabel).
    warn_for : tuple of str
        Which ill-defined metrics warn.
    sample_weight : array-like, default=None
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value for a 0/0 ratio; "warn" gives 0.0 and an UndefinedMetricWarning.
    {sequence_params}

    Returns
    -------
    precision, recall, fbeta_score : float or ndarray of shape (n_labels,)
    support : None or ndarray of shape (n_labels,)
        Support per class when ``average is None`` (int64 unweighted,
        float64 weighted).
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    return _prf(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                average=average, warn_for=warn_for, sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)


def _prf(y_true, y_pred, *, beta, labels, pos_label, average, warn_for, sample_weight,
         zero_division, ext):
    """(precision, recall, fbeta, support) from one pass over the inputs."""
    check_zero_division(zero_division)
    check_average(average)
    check_beta(beta)
    stats = _stats_for(y_true, y_pred, sample_weight, ext,
                       samplewise=(average == "samples"))
    return _stats.precision_recall_fscore_support(
        stats, beta=beta, labels=labels, pos_label=pos_label, average=average,
        warn_for=warn_for, zero_division=zero_division,
    )


def _one(y_true, y_pred, which, warn, *, beta=1.0, labels, pos_label, average,
         sample_weight, zero_division, ext):
    """Item ``which`` of :func:`_prf`, warning only for the metric ``warn``."""
    return _prf(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                average=average, warn_for=(warn,), sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)[which]


@_score_doc
def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn", task=None,
                    num_classes=None, threshold=0.5, mask=None, ignore_index=None,
                    class_weight=None):
    """Precision ``tp / (tp + fp)``.

    Parameters
    ----------
    {label_params}
    {division_params}
    {sequence_params}

    Returns
    -------
    precision : float or ndarray of shape (n_labels,)
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    return _one(y_true, y_pred, 0, "precision", labels=labels, pos_label=pos_label,
                average=average, sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)


@_score_doc
def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division="warn", task=None, num_classes=None,
                 threshold=0.5, mask=None, ignore_index=None, class_weight=None):
    """Recall ``tp / (tp + fn)``.

    Parameters
    ----------
    {label_params}
    {division_params}
    {sequence_params}

    Returns
    -------
    recall : float or ndarray of shape (n_labels,)
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    return _one(y_true, y_pred, 1, "recall", labels=labels, pos_label=pos_label,
                average=average, sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)


@_score_doc
def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division="warn", task=None, num_classes=None,
                threshold=0.5, mask=None, ignore_index=None, class_weight=None):
    """F-beta score ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``.

    Parameters
    ----------
    {label_params}
    beta : float
        Weight of recall (``beta > 1`` favours recall).
    {division_params}
    {sequence_params}

    Returns
    -------
    fbeta_score : float or ndarray of shape (n_labels,)
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    return _one(y_true, y_pred, 2, "f-score", beta=beta, labels=labels,
                pos_label=pos_label, average=average, sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)


@_score_doc
def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
             sample_weight=None, zero_division="warn", task=None, num_classes=None,
             threshold=0.5, mask=None, ignore_index=None, class_weight=None):
    """F1 score, the harmonic mean of precision and recall.

    Parameters
    ----------
    {label_params}
    {division_params}
    {sequence_params}

    Returns
    -------
    f1_score : float or ndarray of shape (n_labels,)

    Notes
    -----
    Micro-averaged F1 over all classes of a single-label problem equals
    accuracy.  For a binary problem read from a two-unit softmax, use
    ``task="binary"``.
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    return _one(y_true, y_pred, 2, "f-score", beta=1.0, labels=labels,
                pos_label=pos_label, average=average, sample_weight=sample_weight,
                zero_division=zero_division, ext=ext)


@_doc
def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None, task=None,
                   num_classes=None, threshold=0.5, mask=None, ignore_index=None,
                   class_weight=None):
    """Fraction (or weighted count) of correct predictions.

    For multilabel input a sample is correct only when all its labels match.

    Parameters
    ----------
    y_true, y_pred : array-like
    normalize : bool, default=True
        ``False`` returns the (weighted) number of correct samples.
    sample_weight : array-like, default=None
    {sequence_params}

    Returns
    -------
    score : float
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y_true, y_pred, sample_weight, ext)
    return _stats.accuracy(stats, normalize=normalize)


@_doc
def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False,
                            task=None, num_classes=None, threshold=0.5, mask=None,
                            ignore_index=None, class_weight=None):
    """Mean per-class recall (classes present in the data).

    Parameters
    ----------
    y_true, y_pred : array-like
    sample_weight : array-like, default=None
    adjusted : bool, default=False
        Rescale so that chance scores 0 and perfect scores 1.
    {sequence_params}

    Returns
    -------
    balanced_accuracy : float
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y_true, y_pred, sample_weight, ext)
    return _stats.balanced_accuracy(stats, adjusted=adjusted)


@_doc
def matthews_corrcoef(y_true, y_pred, *, sample_weight=None, task=None,
                      num_classes=None, threshold=0.5, mask=None, ignore_index=None,
                      class_weight=None):
    """Matthews correlation coefficient (multiclass form), in [-1, 1].

    Parameters
    ----------
    y_true, y_pred : array-like
    sample_weight : array-like, default=None
    {sequence_params}

    Returns
    -------
    mcc : float
    """
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y_true, y_pred, sample_weight, ext)
    return _stats.matthews_corrcoef(stats)


@_doc
def cohen_kappa_score(y1, y2, *, labels=None, weights=None, sample_weight=None,
                      replace_undefined_by=np.nan, task=None, num_classes=None,
                      threshold=0.5, mask=None, ignore_index=None, class_weight=None):
    """Cohen's kappa: agreement between two labelings beyond chance.

    Parameters
    ----------
    y1, y2 : array-like
        Labels assigned by two annotators (with ``task``, ``y2`` may be scores).
    labels : array-like, default=None
    weights : {None, "linear", "quadratic"}, default=None
    sample_weight : array-like, default=None
    replace_undefined_by : float, default=np.nan
        Returned (with an UndefinedMetricWarning) when kappa is 0/0.
    {sequence_params}

    Returns
    -------
    kappa : float
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(
            f"weights must be None, 'linear' or 'quadratic'; got {weights!r}."
        )
    try:
        ok = bool(np.isnan(replace_undefined_by) or -1.0 <= replace_undefined_by <= 1.0)
    except TypeError:
        ok = False
    if isinstance(replace_undefined_by, bool) or not ok:
        raise ValueError(
            "replace_undefined_by must be a float in the range [-1.0, 1.0] or "
            f"numpy.nan; got {replace_undefined_by!r}."
        )
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y1, y2, sample_weight, ext)
    return _stats.cohen_kappa(stats, labels=labels, weights=weights,
                              replace_undefined_by=replace_undefined_by)


@_doc
def classification_report(y_true, y_pred, *, labels=None, target_names=None,
                          sample_weight=None, digits=2, output_dict=False,
                          zero_division="warn", task=None, num_classes=None,
                          threshold=0.5, mask=None, ignore_index=None,
                          class_weight=None):
    """Text (or dict) report of per-class precision, recall, F1 and support.

    Parameters
    ----------
    y_true, y_pred : array-like
    labels : array-like, default=None
    target_names : list of str, default=None
        Display names of ``labels``.
    sample_weight : array-like, default=None
    digits : int, default=2
    output_dict : bool, default=False
        Return a dict instead of text.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
    {sequence_params}

    Returns
    -------
    report : str or dict
        Same layout and keys as scikit-learn's ``classification_report``.
    """
    check_zero_division(zero_division)
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 0:
        raise ValueError(f"digits must be an integer >= 0; got {digits!r}.")
    ext = _ext(task, num_classes, threshold, mask, ignore_index, class_weight)
    stats = _stats_for(y_true, y_pred, sample_weight, ext, samplewise=None)
    return _stats.classification_report(
        stats, labels=labels, target_names=target_names, digits=digits,
        output_dict=output_dict, zero_division=zero_division,
    )
