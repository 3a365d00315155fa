"""The ranking functions with the sequence extensions (``task``, ``mask``,
``ignore_index``, ``(N, T)`` weights, ``class_weight``): the tokens are read
by :func:`._tokens.prepare`, then scikit-learn's engines answer on the kept
tokens with the combined weights."""

import numbers

import numpy as np

from .._core.checks import check_task
from . import _binary, _multiclass, _sklearn, _tokens
from ._tokens import IGNORED


def _check_pos_label_task(pos_label, task):
    if pos_label is not None and not (
        isinstance(pos_label, (numbers.Integral, np.bool_, numbers.Real))
        and not isinstance(pos_label, str) and pos_label == 1
    ):
        raise ValueError(
            f"pos_label must be None or 1 with task={task!r} (the positive class is "
            f"1); got pos_label={pos_label!r}."
        )


def _curve_kind(name, task, kind):
    if kind in ("none", "binary"):
        return
    if task is None:
        raise ValueError("multilabel-indicator format is not supported")
    raise ValueError(
        f"{name} is a binary curve: task must be 'binary' (or None); got "
        f"task={task!r}. Compute one curve per class from the columns of y_score."
    )


def curve(func, y_true, y_score, *, pos_label, sample_weight, drop_intermediate,
          task, num_classes, mask, ignore_index, class_weight):
    """roc_curve / precision_recall_curve / det_curve with the extensions."""
    name = func.__name__
    check_task(task)
    if task not in (None, "binary"):
        _curve_kind(name, task, task)
    if task is not None:
        _check_pos_label_task(pos_label, task)
    kind, y, s, w = _tokens.prepare(y_true, y_score, sample_weight, task=task,
                            num_classes=num_classes, mask=mask,
                            ignore_index=ignore_index, class_weight=class_weight)
    _curve_kind(name, task, kind)
    if kind == "binary":
        pos_label = 1
    return func(y, s, pos_label=pos_label, sample_weight=w,
                drop_intermediate=drop_intermediate)


_AVERAGES = (None, "micro", "macro", "samples", "weighted")


def _check_average(average):
    if average not in _AVERAGES:
        raise ValueError(
            f"average must be one of None, 'micro', 'macro', 'samples', 'weighted'; "
            f"got {average!r}."
        )


def _average_ignored(binary_metric, y, s, w, average):
    """scikit-learn's _average_binary_score for a multilabel ``y`` in which some
    elements are :data:`IGNORED`: each binary problem (a label column, or a
    sample's row for ``average="samples"``) keeps only its valid elements.  A
    problem with no valid element is left out of the average."""
    valid = y != IGNORED
    if average == "micro":
        keep = valid.reshape(-1)
        sw = None if w is None else np.repeat(w, y.shape[1])[keep]
        return float(binary_metric(y.reshape(-1)[keep], s.reshape(-1)[keep], sw))
    by_row = average == "samples"
    n_problems = y.shape[0] if by_row else y.shape[1]
    score = np.zeros(n_problems)
    present = np.zeros(n_problems, dtype=bool)
    for c in range(n_problems):
        if by_row:
            k = valid[c]
            if k.any():
                score[c] = binary_metric(y[c][k], np.ascontiguousarray(s[c][k]), None)
        else:
            k = valid[:, c]
            if k.any():
                score[c] = binary_metric(np.ascontiguousarray(y[k, c]),
                                         np.ascontiguousarray(s[k, c]),
                                         None if w is None else w[k])
        present[c] = k.any()
    if average is None:
        return np.where(present, score, np.nan)
    if average == "weighted":
        pos = (y == 1)
        weight = (pos.sum(axis=0).astype(np.float64) if w is None
                  else (pos * w.reshape(-1, 1)).sum(axis=0))
        if np.isclose(np.sum(weight), 0.0):
            return 0
    elif by_row:
        weight = np.ones(n_problems) if w is None else w.copy()
    else:
        weight = np.ones(n_problems)
    weight = np.where(present, weight, 0.0)
    score[weight == 0] = 0
    return float(np.average(score, weights=weight))


def roc_auc_score(y_true, y_score, *, average, sample_weight, max_fpr, multi_class,
                  labels, task, num_classes, mask, ignore_index, class_weight):
    """roc_auc_score with the extensions."""
    check_task(task)
    if task is not None and labels is not None:
        raise ValueError(
            f"labels is not used with task={task!r}: the classes are 0 .. C-1, the "
            "columns of y_score. Pass labels only with task=None."
        )
    kind, y, s, w = _tokens.prepare(y_true, y_score, sample_weight, task=task,
                            num_classes=num_classes, mask=mask,
                            ignore_index=ignore_index, class_weight=class_weight)
    if kind == "none":
        return _sklearn.roc_auc_score(y, s, average=average, sample_weight=w, max_fpr=max_fpr,
                               multi_class=multi_class, labels=labels)
    if kind != "multiclass" and not (kind == "multilabel" and (y == IGNORED).any()):
        return _sklearn.roc_auc_score(y, s, average=average, sample_weight=w, max_fpr=max_fpr,
                               multi_class=multi_class)
    _check_average(average)
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(
            f"multi_class must be 'raise', 'ovr' or 'ovo'; got {multi_class!r}."
        )
    if max_fpr is not None and not (0 < max_fpr <= 1):
        raise ValueError("Expected max_fpr in range (0, 1], got: %r" % max_fpr)
    if kind == "multilabel":
        return _average_ignored(
            lambda t, sc, ww: _binary._binary_roc_auc_score(t, sc, ww, max_fpr), y, s, w,
            average)
    _sklearn.check_multiclass_options(max_fpr, multi_class)
    return _sklearn._multiclass_roc_auc_score(y, s, np.arange(s.shape[1]), multi_class,
                                              average, w)


def average_precision_score(y_true, y_score, *, average, pos_label, sample_weight,
                            task, num_classes, mask, ignore_index, class_weight):
    """average_precision_score with the extensions."""
    check_task(task)
    if task is not None:
        _check_pos_label_task(pos_label, task)
    kind, y, s, w = _tokens.prepare(y_true, y_score, sample_weight, task=task,
                            num_classes=num_classes, mask=mask,
                            ignore_index=ignore_index, class_weight=class_weight)
    if kind == "none":
        return _sklearn.average_precision_score(y, s, average=average, pos_label=pos_label,
                                         sample_weight=w)
    if kind == "binary":
        return _sklearn.average_precision_score(y, s, average=average, pos_label=1,
                                         sample_weight=w)
    if task is None and pos_label != 1:
        raise ValueError(
            "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
            "Do not set pos_label or set pos_label to 1."
        )
    if kind == "multiclass":
        # one-vs-rest over the classes 0 .. C-1 (scikit-learn's label_binarize)
        onehot = np.zeros(s.shape, dtype=np.uint8)
        onehot[np.arange(y.shape[0]), y] = 1
        y = onehot
    if (y == IGNORED).any():
        _check_average(average)
        return _average_ignored(
            lambda t, sc, ww: _binary._binary_average_precision(t, sc, 1, ww), y, s, w,
            average)
    return _sklearn.average_precision_score(y, s, average=average, pos_label=1,
                                     sample_weight=w)


def top_k_accuracy_score(y_true, y_score, *, k, normalize, sample_weight, labels,
                         task, num_classes, mask, ignore_index, class_weight):
    """top_k_accuracy_score with the extensions."""
    check_task(task)
    if task == "multilabel":
        raise ValueError(
            "top_k_accuracy_score is defined for binary and multiclass targets; got "
            "task='multilabel'."
        )
    if task is not None and labels is not None:
        raise ValueError(
            f"labels is not used with task={task!r}: the classes are 0 .. C-1"
            + (", the columns of y_score" if task == "multiclass" else "")
            + ". Pass labels only with task=None."
        )
    _multiclass._check_topk_params(k, normalize)
    kind, y, s, w = _tokens.prepare(y_true, y_score, sample_weight, task=task,
                            num_classes=num_classes, mask=mask,
                            ignore_index=ignore_index, class_weight=class_weight)
    if kind == "none":
        return _sklearn.top_k_accuracy_score(y, s, k=k, normalize=normalize, sample_weight=w,
                                      labels=labels)
    if kind == "multilabel":  # task=None with a 2-D indicator
        raise ValueError(
            "y type must be 'binary' or 'multiclass', got 'multilabel-indicator' "
            "instead."
        )
    if kind == "binary":
        return _sklearn.top_k_accuracy_score(y.astype(np.int64), s, k=k, normalize=normalize,
                                      sample_weight=w, labels=np.arange(2))
    # multiclass: classes 0 .. C-1 are the columns of the scores (any C >= 2)
    C = s.shape[1]
    if y.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    _multiclass.warn_k_covers_classes(k, C)
    hits, total = _multiclass.topk_core(y, _multiclass._real_scores(s), int(k), w)
    return _multiclass.topk_result(hits, total, normalize)
