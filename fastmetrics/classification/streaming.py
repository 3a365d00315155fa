"""Streaming confusion counts: the state behind every confusion-family metric.

The state holds int64 counts and float64 weighted sums, so any chunking of the
data and any order of merging partial states gives exactly the counts of one
pass over all of it.
"""

import numpy as np

from .._core.checks import (
    check_ignore_index,
    check_normalize_cm,
    check_state_task,
    check_threshold,
)
from .._core.state import StreamingState
from . import _stats
from ._format import format_task

__all__ = ["ConfusionMatrix"]


class ConfusionMatrix(StreamingState):
    """Streaming confusion counts for binary, multiclass or multilabel tokens.

    Parameters
    ----------
    task : {"binary", "multiclass", "multilabel"}, default="multiclass"
        How ``update`` reads its inputs (same rules as the functional API with
        an explicit ``task``).
    num_classes : int, default=None
        Number of classes ``C`` (multiclass) or labels ``L`` (multilabel);
        required for those tasks, 2 for binary.
    threshold : float, default=0.5
        Binary / multilabel scores are positive when ``score > threshold``.
    ignore_index : int, default=None
        Tokens whose true label equals this value are skipped.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.streaming import ConfusionMatrix
    >>> cm = ConfusionMatrix("multiclass", num_classes=3)
    >>> cm.update(np.array([[0, 1, 2]]), np.array([[0, 2, 2]]))  # doctest: +ELLIPSIS
    <fastmetrics.streaming.ConfusionMatrix ...>
    >>> cm.update(np.array([[1, 1, 0]]), np.array([[1, 1, 0]])).result()
    array([[2, 0, 0],
           [0, 2, 1],
           [0, 0, 1]])
    """

    _KIND = "ConfusionMatrix"
    _CONFIG = ("task", "num_classes", "threshold", "ignore_index")
    _ARRAYS = ("counts", "wsum", "totals")

    def __init__(self, task="multiclass", num_classes=None, *, threshold=0.5,
                 ignore_index=None):
        self.num_classes = check_state_task(task, num_classes)
        self.task = task
        self.threshold = check_threshold(threshold)
        self.ignore_index = check_ignore_index(ignore_index)
        self.reset()

    # ------------------------------------------------------------------ state
    def _shape(self):
        C = self.num_classes
        return (C, 2, 2) if self.task == "multilabel" else (C, C)

    def reset(self):
        """Forget every update.

        Returns
        -------
        self : ConfusionMatrix
        """
        self._counts = np.zeros(self._shape(), dtype=np.int64)
        self._wsum = np.zeros(self._shape(), dtype=np.float64)
        # multilabel: [tokens, weight, exact-match tokens, exact-match weight]
        self._totals = np.zeros(4, dtype=np.float64)
        self._weighted = False
        self._int_weights = True
        return self

    def update(self, y_true, y_pred, *, sample_weight=None, class_weight=None,
               mask=None):
        """Add a batch of tokens.

        Parameters
        ----------
        y_true : array-like of token shape S (ids) or S + (C,) (one-hot)
        y_pred : array-like of token shape S (ids / binary scores) or S + (C,) (scores)
        sample_weight : array-like, default=None
            Shape a prefix of S: (N,) per sequence or (N, T) per token.
        class_weight : dict or array of shape (C,), default=None
            Multiplied into each token's weight by its true class.
        mask : bool array of shape S, default=None
            False tokens are skipped.

        Returns
        -------
        self : ConfusionMatrix
        """
        stats = format_task(
            y_true, y_pred, self.task, num_classes=self.num_classes,
            threshold=self.threshold, sample_weight=sample_weight, mask=mask,
            ignore_index=self.ignore_index, class_weight=class_weight,
            samplewise=False,
        )
        if self.task == "multilabel":
            self._counts += stats.counts
            self._wsum += stats.mcm if stats.weighted else stats.counts
            t = stats.totals
            if stats.weighted:
                self._totals += t
            else:
                self._totals += np.array([t[0], t[0], t[2], t[2]])
        else:
            self._counts += stats.counts
            self._wsum += stats.cm if stats.weighted else stats.counts
        if stats.weighted:
            self._weighted = True
            self._int_weights = self._int_weights and stats.int_weights
        return self

    def _merge_more(self, other):
        self._weighted = self._weighted or other._weighted
        self._int_weights = self._int_weights and other._int_weights

    def _more_state(self):
        return {"weighted": self._weighted, "int_weights": self._int_weights}

    def _load_more(self, state):
        super()._load_more(state)
        self._weighted = bool(state["weighted"])
        self._int_weights = bool(state["int_weights"])

    # ---------------------------------------------------------------- results
    def _stats(self):
        C = self.num_classes
        vals = self._wsum if self._weighted else self._counts
        if self.task == "multilabel":
            t = self._totals
            stats = _stats.ConfusionStats(
                "multilabel-indicator", np.arange(C), mcm=vals.copy(),
                exact=t[3] if self._weighted else t[2],
                total=t[1] if self._weighted else t[0],
                weighted=self._weighted, int_weights=self._int_weights,
                counts=self._counts.copy(),
            )
            return stats
        return _stats.ConfusionStats(
            self.task, np.arange(C), cm=vals.copy(), counts=self._counts.copy(),
            weighted=self._weighted, int_weights=self._int_weights,
        )

    def result(self):
        """The confusion matrix so far.

        Returns
        -------
        ndarray
            (C, C) for binary/multiclass (rows true, columns predicted) or
            (L, 2, 2) ``[[tn, fp], [fn, tp]]`` for multilabel; int64 if no update
            carried weights, float64 otherwise.
        """
        if self.task == "multilabel":
            return self._stats().mcm.astype(np.float64 if self._weighted else np.int64)
        cm = self._wsum if self._weighted else self._counts
        return cm.copy()

    def confusion_matrix(self, normalize=None):
        """The confusion matrix as ``fastmetrics.confusion_matrix`` gives it
        on every token so far (binary and multiclass).

        Parameters
        ----------
        normalize : {None, "true", "pred", "all"}, default=None
            Divide by the row sums (true classes), the column sums (predicted
            classes) or the total, as in scikit-learn; 0 where a sum is 0.

        Returns
        -------
        ndarray of shape (C, C)
            Rows true, columns predicted: int64 counts (integer weights
            rounded), float64 if an update carried non-integer weights or
            with ``normalize``.
        """
        if self.task == "multilabel":
            raise ValueError(
                "confusion_matrix is not defined for task='multilabel'; use "
                "multilabel_confusion_matrix (or result())."
            )
        check_normalize_cm(normalize)
        return _stats.confusion_matrix(self._stats(), normalize=normalize)

    def _average(self, average):
        if average == "default":
            return "binary" if self.task == "binary" else "macro"
        return average

    def _check_average(self, average):
        if average == "samples":
            raise ValueError(
                "average='samples' needs per-sample counts, which a streaming state "
                "does not keep; use the functional API for it."
            )

    def precision_recall_fscore_support(self, beta=1.0, *, average=None, labels=None,
                                        pos_label=1, zero_division="warn"):
        """Precision, recall, F-beta and support (``average=None``: per class).

        Parameters
        ----------
        beta : float, default=1.0
        average : {None, "binary", "micro", "macro", "weighted"}, default=None
        labels : array-like, default=None
        pos_label : int, default=1
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"

        Returns
        -------
        precision, recall, fbeta, support
        """
        self._check_average(average)
        return _stats.precision_recall_fscore_support(
            self._stats(), beta=beta, labels=labels, pos_label=pos_label,
            average=average, zero_division=zero_division,
        )

    def _one(self, which, warn, beta, average, labels, pos_label, zero_division):
        average = self._average(average)
        self._check_average(average)
        return _stats.precision_recall_fscore_support(
            self._stats(), beta=beta, labels=labels, pos_label=pos_label,
            average=average, warn_for=(warn,), zero_division=zero_division,
        )[which]

    def precision(self, average="default", *, labels=None, pos_label=1,
                  zero_division="warn"):
        """Precision.  Default average: "binary" for binary, else "macro".

        Returns
        -------
        float or ndarray of shape (C,)
        """
        return self._one(0, "precision", 1.0, average, labels, pos_label, zero_division)

    def recall(self, average="default", *, labels=None, pos_label=1,
               zero_division="warn"):
        """Recall.  Default average: "binary" for binary, else "macro".

        Returns
        -------
        float or ndarray of shape (C,)
        """
        return self._one(1, "recall", 1.0, average, labels, pos_label, zero_division)

    def f1(self, average="default", *, labels=None, pos_label=1, zero_division="warn"):
        """F1.  Default average: "binary" for binary, else "macro".

        Returns
        -------
        float or ndarray of shape (C,)
        """
        return self._one(2, "f-score", 1.0, average, labels, pos_label, zero_division)

    def fbeta(self, beta, average="default", *, labels=None, pos_label=1,
              zero_division="warn"):
        """F-beta.  Default average: "binary" for binary, else "macro".

        Returns
        -------
        float or ndarray of shape (C,)
        """
        return self._one(2, "f-score", beta, average, labels, pos_label, zero_division)

    def accuracy(self, normalize=True):
        """Accuracy (multilabel: exact match of all labels of a token).

        Returns
        -------
        float
        """
        return _stats.accuracy(self._stats(), normalize=normalize)

    def balanced_accuracy(self, adjusted=False):
        """Mean recall over the classes that occurred.

        Returns
        -------
        float
        """
        return _stats.balanced_accuracy(self._stats(), adjusted=adjusted)

    def matthews_corrcoef(self):
        """Matthews correlation coefficient.

        Returns
        -------
        float
        """
        return _stats.matthews_corrcoef(self._stats())

    def cohen_kappa(self, weights=None, *, labels=None, replace_undefined_by=np.nan):
        """Cohen's kappa between the true and predicted labels.

        Returns
        -------
        float
        """
        return _stats.cohen_kappa(self._stats(), labels=labels, weights=weights,
                                  replace_undefined_by=replace_undefined_by)

    def multilabel_confusion_matrix(self, labels=None):
        """One-vs-rest ``[[tn, fp], [fn, tp]]`` per class.

        Returns
        -------
        ndarray of shape (C, 2, 2)
        """
        return _stats.multilabel_confusion_matrix(self._stats(), labels=labels)

    def classification_report(self, target_names=None, digits=2, output_dict=False,
                              zero_division="warn", labels=None):
        """Per-class precision / recall / F1 / support report (text or dict).

        Returns
        -------
        str or dict
        """
        # A streaming state keeps no per-sample counts: no "samples avg" row.
        return _stats.classification_report(
            self._stats(), labels=labels, target_names=target_names, digits=digits,
            output_dict=output_dict, zero_division=zero_division,
            include_samples=False,
        )

    def __repr__(self):
        return (f"<fastmetrics.streaming.ConfusionMatrix task={self.task!r} "
                f"num_classes={self.num_classes} weighted={self._weighted}>")

