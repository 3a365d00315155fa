"""Keras metrics of the confusion family over ``streaming.ConfusionMatrix``.

Every class keeps the confusion counts of the epoch in Keras variables and
computes its value with the state's own method (``precision``, ``f1``,
``matthews_corrcoef``, ``confusion_matrix`` ...): the functional API, the
streaming state and these classes share one compute.
"""

from __future__ import annotations

import math

import numpy as np

from .. import streaming
from . import _xla
from ._bridge import StreamingMetric, quietly, register, resolve_task, static_last

__all__ = [
    "BalancedAccuracy",
    "ConfusionMatrix",
    "F1Score",
    "FBetaScore",
    "MatthewsCorrelation",
    "Precision",
    "Recall",
]

#: ``normalize`` values of :class:`ConfusionMatrix`
_NORMALIZE = (None, "true", "pred", "all")


class _ConfusionBase(StreamingMetric):
    """Confusion counts of the epoch (``streaming.ConfusionMatrix``)."""

    _fields = ("counts", "wsum", "totals")

    def __init__(self, task=None, num_classes=None, *, threshold=0.5, ignore_index=None,
                 name=None, dtype=None):
        self.task, self.num_classes = resolve_task(task, num_classes)
        self._task_arg = task
        self._num_classes_arg = num_classes
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
                or not math.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number; got {threshold!r}.")
        self.threshold = float(threshold)
        self.ignore_index = ignore_index
        super().__init__(name=name, dtype=dtype)

    def _new_state(self):
        return streaming.ConfusionMatrix(self.task, self.num_classes,
                                         threshold=self.threshold,
                                         ignore_index=self.ignore_index)

    def _fixup(self, d):
        # sums of weights (ints when unweighted): float results, as weighted
        d["weighted"] = True
        d["int_weights"] = False
        return d

    def _check_shapes(self, y_true, y_pred):
        last, ndim = static_last(y_pred)
        if last is None:
            return
        C = self.num_classes
        if self.task == "binary":
            if ndim >= 2 and last not in (1, 2):
                raise ValueError(
                    f"task='binary' needs y_pred of shape (..., 1), (..., 2) (a two-unit "
                    f"softmax, scored on its positive unit) or (...,); the model output "
                    f"has shape {tuple(y_pred.shape)}. Use task='multiclass' (with "
                    f"num_classes={last}) or task='multilabel'."
                )
        elif ndim >= 2 and last != C:
            raise ValueError(
                f"num_classes={C} but the model output has {last} units (shape "
                f"{tuple(y_pred.shape)})."
            )

    def _xla_deltas(self, y_true, y_pred, sample_weight, mask):
        return _xla.confusion_deltas(self.task, self.num_classes, self.threshold,
                                     self.ignore_index, y_true, y_pred, sample_weight, mask)

    def get_config(self):
        config = super().get_config()
        config.update(task=self._task_arg, num_classes=self._num_classes_arg,
                      threshold=self.threshold, ignore_index=self.ignore_index)
        return config


@register
class ConfusionMatrix(_ConfusionBase):
    """Confusion matrix of every token of the epoch (not a batch average).

    Parameters
    ----------
    num_classes : int, default=None
        Classes (multiclass) or labels (multilabel); 2 or None for binary.
    task : {"binary", "multiclass", "multilabel"}, default=None
        None: "binary" when ``num_classes`` is None or 2, else "multiclass".
    threshold : float, default=0.5
        Binary / multilabel: a score is positive when ``score > threshold``.
        A two-unit softmax under ``task="binary"`` is scored on unit 1.
    ignore_index : int, default=None
        Tokens with this true label are skipped.
    normalize : {None, "true", "pred", "all"}, default=None
        As in scikit-learn's ``confusion_matrix``.

    Notes
    -----
    ``result()`` is float32 of shape (C, C) (rows: true class, columns:
    predicted) or (L, 2, 2) ``[[tn, fp], [fn, tp]]`` per label (multilabel),
    holding weighted counts: ``sample_weight`` (including temporal (N, T)
    weights and ``class_weight`` from ``fit``) and Keras masks apply.
    """

    def __init__(self, num_classes=None, task=None, *, threshold=0.5, ignore_index=None,
                 normalize=None, name="confusion_matrix", dtype=None):
        if normalize not in _NORMALIZE:
            raise ValueError(
                f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}."
            )
        self.normalize = normalize
        super().__init__(task, num_classes, threshold=threshold, ignore_index=ignore_index,
                         name=name, dtype=dtype)
        C = self.num_classes
        self._result_shape = (C, 2, 2) if self.task == "multilabel" else (C, C)

    def _value(self, state):
        if self.normalize is None or self.task == "multilabel":
            return state.result().astype(np.float64)
        return state.confusion_matrix(normalize=self.normalize)

    def get_config(self):
        config = super().get_config()
        config["normalize"] = self.normalize
        return config


class _AveragedMetric(_ConfusionBase):
    """Precision / recall / F-beta: ``average`` and ``class_id``."""

    _method = None  # name of the streaming.ConfusionMatrix method
    _averages = (None, "binary", "micro", "macro", "weighted")

    def __init__(self, task=None, num_classes=None, *, average="auto", threshold=0.5,
                 class_id=None, zero_division=0.0, ignore_index=None, name=None,
                 dtype=None):
        super().__init__(task, num_classes, threshold=threshold, ignore_index=ignore_index,
                         name=name, dtype=dtype)
        if average == "auto":
            average = "binary" if self.task == "binary" else "macro"
        if average not in self._averages:
            raise ValueError(
                f"average must be one of {self._averages} (or 'auto'); got {average!r}."
            )
        if average == "binary" and self.task != "binary":
            raise ValueError(
                f"average='binary' needs task='binary'; this metric has task={self.task!r} "
                "(use 'macro', 'micro', 'weighted' or None)."
            )
        if class_id is not None:
            if isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer)) \
                    or not 0 <= class_id < self.num_classes:
                raise ValueError(
                    f"class_id must be an integer in [0, {self.num_classes}); got "
                    f"{class_id!r}."
                )
            class_id = int(class_id)
        if zero_division not in (0.0, 1.0) and not (
                isinstance(zero_division, float) and math.isnan(zero_division)):
            raise ValueError(
                f"zero_division must be 0.0, 1.0 or nan; got {zero_division!r}."
            )
        self.average = average
        self.class_id = class_id
        self.zero_division = zero_division
        per_class = average is None and class_id is None
        self._result_shape = (self.num_classes,) if per_class else ()

    def _call(self, state, average):
        return getattr(state, self._method)(average, zero_division=self.zero_division)

    def _value(self, state):
        if self.class_id is not None:
            return self._call(state, None)[self.class_id]
        return self._call(state, self.average)

    def get_config(self):
        config = super().get_config()
        config.update(average=self.average, class_id=self.class_id,
                      zero_division=self.zero_division)
        return config


_AVG_DOC = """
    Parameters
    ----------
    task : {"binary", "multiclass", "multilabel"}, default=None
        None: "binary" when ``num_classes`` is None or 2, else "multiclass".
    num_classes : int, default=None
    average : {"auto", "binary", "micro", "macro", "weighted", None}, default="auto"
        "auto": "binary" for the binary task, else "macro" — always a scalar;
        None gives one value per class (shape (C,)).  As in scikit-learn.
    threshold : float, default=0.5
        Binary / multilabel: positive when ``score > threshold``; a two-unit
        softmax with one-hot targets under ``task="binary"`` is scored on unit 1.
    class_id : int, default=None
        Only this class's value (a scalar).
    zero_division : {0.0, 1.0, nan}, default=0.0
        Value where a denominator is 0 (no warning during training).
    ignore_index : int, default=None
        Tokens with this true label are skipped.

    Notes
    -----
    The value is computed from the confusion counts of every token seen in the
    epoch (weighted by ``sample_weight`` — temporal (N, T) weights and
    ``class_weight`` included — and skipping tokens masked by Keras), so after
    ``model.evaluate`` it equals scikit-learn's function on all predictions:
    it is not an average of per-batch values.
"""


@register
class Precision(_AveragedMetric):
    _method = "precision"
    __doc__ = "Precision over the epoch (scikit-learn's ``precision_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="precision", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@register
class Recall(_AveragedMetric):
    _method = "recall"
    __doc__ = "Recall over the epoch (scikit-learn's ``recall_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="recall", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@register
class F1Score(_AveragedMetric):
    _method = "f1"
    __doc__ = "F1 over the epoch (scikit-learn's ``f1_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="f1_score", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@register
class FBetaScore(_AveragedMetric):
    __doc__ = ("F-beta over the epoch (scikit-learn's ``fbeta_score``); ``beta`` > 0 "
               "weighs recall beta times as much as precision.\n" + _AVG_DOC)

    def __init__(self, task=None, num_classes=None, *, beta=1.0, name="fbeta_score",
                 **kwargs):
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not beta > 0 \
                or not math.isfinite(beta):
            raise ValueError(f"beta must be a finite number > 0; got {beta!r}.")
        self.beta = float(beta)
        super().__init__(task, num_classes, name=name, **kwargs)

    def _call(self, state, average):
        return state.fbeta(self.beta, average, zero_division=self.zero_division)

    def get_config(self):
        config = super().get_config()
        config["beta"] = self.beta
        return config


class _ScalarConfusion(_ConfusionBase):
    """A scalar of the whole confusion matrix (binary / multiclass only)."""

    def __init__(self, task=None, num_classes=None, *, threshold=0.5, ignore_index=None,
                 name=None, dtype=None):
        super().__init__(task, num_classes, threshold=threshold, ignore_index=ignore_index,
                         name=name, dtype=dtype)
        if self.task == "multilabel":
            raise ValueError(
                f"{type(self).__name__} is defined for task='binary' or 'multiclass' "
                "(scikit-learn does not define it for multilabel targets)."
            )


@register
class BalancedAccuracy(_ScalarConfusion):
    """Balanced accuracy over the epoch: mean recall over the classes present
    (scikit-learn's ``balanced_accuracy_score``).

    Parameters
    ----------
    task, num_classes, threshold, ignore_index
        As for :class:`Precision`.
    adjusted : bool, default=False
        Rescale so that chance level is 0.
    """

    def __init__(self, task=None, num_classes=None, *, adjusted=False,
                 name="balanced_accuracy", **kwargs):
        self.adjusted = bool(adjusted)
        super().__init__(task, num_classes, name=name, **kwargs)

    def _value(self, state):
        return quietly(state.balanced_accuracy, adjusted=self.adjusted)

    def get_config(self):
        config = super().get_config()
        config["adjusted"] = self.adjusted
        return config


@register
class MatthewsCorrelation(_ScalarConfusion):
    """Matthews correlation coefficient over the epoch (scikit-learn's
    ``matthews_corrcoef``; 0 where it is undefined).

    Parameters
    ----------
    task, num_classes, threshold, ignore_index
        As for :class:`Precision`.
    """

    def __init__(self, task=None, num_classes=None, *, name="matthews_correlation",
                 **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)

    def _value(self, state):
        return quietly(state.matthews_corrcoef)
