"""Keras 3 metric classes over fastmetrics' streaming states.

Every class is a :class:`~fastmetrics.keras._bridge.StreamingMetric`: its
variables are the additive arrays of a streaming state and its value is that
state's own method (``precision``, ``f1``, ``matthews_corrcoef``, ``result``
...): the functional API, the streaming states and these classes share one
compute.
"""

from __future__ import annotations

import math

import numpy as np

import keras

from .. import streaming
from . import _xla
from ._bridge import StreamingMetric

_PACKAGE = "fastmetrics"
_TASKS = ("binary", "multiclass", "multilabel")


def _register(cls):
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


def _resolve_task(task, num_classes):
    if task is None:
        task = "binary" if num_classes in (None, 2) else "multiclass"
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS} (or None); got {task!r}.")
    if task == "binary":
        if num_classes not in (None, 2):
            raise ValueError(
                f"num_classes must be 2 (or None) with task='binary'; got {num_classes!r}."
            )
        return task, 2
    if num_classes is None:
        raise ValueError(f"num_classes is required for task={task!r}.")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
    return task, int(num_classes)


def _static_last(x):
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) == 0:
        return None, 0
    last = shape[-1]
    return (None if last is None else int(last)), len(shape)


class _ConfusionBase(StreamingMetric):
    """Confusion counts of the epoch (``streaming.ConfusionMatrix``)."""

    _fields = ("counts", "wsum", "totals")

    def __init__(self, task=None, num_classes=None, *, threshold=0.5, ignore_index=None,
                 name=None, dtype=None):
        self.task, self.num_classes = _resolve_task(task, num_classes)
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
        last, ndim = _static_last(y_pred)
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


@_register
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
        if normalize not in (None, "true", "pred", "all"):
            raise ValueError(
                f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}."
            )
        self.normalize = normalize
        super().__init__(task, num_classes, threshold=threshold, ignore_index=ignore_index,
                         name=name, dtype=dtype)
        C = self.num_classes
        self._result_shape = (C, 2, 2) if self.task == "multilabel" else (C, C)

    def _value(self, state):
        cm = state.result().astype(np.float64)
        if self.normalize is None or self.task == "multilabel":
            return cm
        from ..classification import _stats

        return _stats.confusion_matrix(state._stats(), normalize=self.normalize)

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


@_register
class Precision(_AveragedMetric):
    _method = "precision"
    __doc__ = "Precision over the epoch (scikit-learn's ``precision_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="precision", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@_register
class Recall(_AveragedMetric):
    _method = "recall"
    __doc__ = "Recall over the epoch (scikit-learn's ``recall_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="recall", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@_register
class F1Score(_AveragedMetric):
    _method = "f1"
    __doc__ = "F1 over the epoch (scikit-learn's ``f1_score``).\n" + _AVG_DOC

    def __init__(self, task=None, num_classes=None, *, name="f1_score", **kwargs):
        super().__init__(task, num_classes, name=name, **kwargs)


@_register
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


@_register
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
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return state.balanced_accuracy(adjusted=self.adjusted)

    def get_config(self):
        config = super().get_config()
        config["adjusted"] = self.adjusted
        return config


@_register
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
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return state.matthews_corrcoef()


@_register
class AUC(StreamingMetric):
    """ROC AUC or average precision over every score of the epoch.

    Parameters
    ----------
    curve : {"ROC", "PR"}, default="ROC"
        "PR" is average precision (scikit-learn's ``average_precision_score``).
    task : {"binary", "multiclass", "multilabel"}, default=None
        None: "binary" when ``num_classes`` is None or 2, else "multiclass"
        (one-vs-rest).  A two-unit softmax with one-hot targets under
        ``task="binary"`` is scored on unit 1.
    num_classes : int, default=None
    average : {"macro", "weighted", "micro", None}, default="macro"
        How per-class values combine (multiclass / multilabel).
    bins : int, default=None
        Score bins per class row (a power of two, 2**8 to 2**24), spaced
        logarithmically towards both 0 and 1 so that scores crowded near 0 (or
        1) stay resolved.  :meth:`error_bound` certifies the distance to the
        exact value.  None: 2**18, divided by the number of class rows
        rounded up to a power of two, at least 2**16 per row (the state holds
        rows x bins x 8 float64: weights, squared weights and moments; a
        batch updates only the cells it touches).
    scores : {"probability", "any"}, default="probability"
        "probability": outputs in [0, 1] (sigmoid / softmax), the bins cover
        [2**-40, 1 - 2**-40]; "any": logits or any real scores (coarser bins
        for the same size).

    Notes
    -----
    The state is ``streaming.AUC`` in binned mode: a (classes, bins, 2) table
    of negative / positive weight per bin and the same cells' first and
    second moments of the scores' positions in their bins (the value credits
    what happens inside a bin from them), summed over batches and replicas.
    """

    #: the streaming state's tables; ROC needs the weights and first moments
    #: only (the second moments and squared weights serve average precision)
    _tables = {"table": "_table", "moments": "_moments", "moments2": "_moments2",
               "sq_weights": "_sq_weights"}
    _step_result_interval_s = 0.25

    def __init__(self, curve="ROC", task=None, num_classes=None, *, average="macro",
                 bins=None, scores="probability", name="auc", dtype=None):
        self.task, self.num_classes = _resolve_task(task, num_classes)
        self._bins_arg = bins
        if bins is None:
            rows = 1 if self.task == "binary" else self.num_classes
            bins = max(2**18 >> (rows - 1).bit_length(), 2**16)
        self.scores = scores
        self._task_arg = task
        self._num_classes_arg = num_classes
        self.curve = curve
        self.average = average
        self.bins = bins
        # validates the arguments (the state is made again where needed)
        probe = streaming.AUC(curve, task=self.task, num_classes=self.num_classes,
                              mode="binned", bins=bins, average=average, scores=scores)
        self._binmap = probe._binmap
        del probe
        per_class = average is None and self.task != "binary"
        self._result_shape = (self.num_classes,) if per_class else ()
        tables = ("table", "moments") if str(curve).upper() == "ROC" else tuple(self._tables)
        self._sparse_fields = tables
        self._fields = tables + ("unit_weights",)
        super().__init__(name=name, dtype=dtype)

    def _new_state(self):
        return streaming.AUC(self.curve, task=self.task, num_classes=self.num_classes,
                             mode="binned", bins=self.bins, average=self.average,
                             scores=self.scores)

    def _batch_deltas(self, yt, yp, w, m):
        # One persistent host table: update it with the batch (the library's
        # validating kernel), then take out the cells the batch can have
        # touched — the bins of its scores, both labels, every class row —
        # and zero them again: O(batch), whatever the number of bins.
        st = getattr(self, "_scratch", None)
        if st is None:
            st = self._scratch = self._new_state()
        try:
            st.update(yt, yp, sample_weight=w, mask=m)
        except Exception:
            st.reset()
            raise
        from .._core.backend import kernels

        bins_of = kernels("ranking_stream").bins_of

        s = np.asarray(yp)
        # binary: every score element (a superset of the positive scores,
        # whichever form the batch has); else one column per class row
        C = 1 if self.task == "binary" else self.num_classes
        if s.dtype != np.float32:
            s = s.astype(np.float64)
        s = s.reshape(-1, C)
        bins = self.bins
        cells = np.empty(s.shape, dtype=np.int64)
        b = np.empty(s.shape[0], dtype=np.int64)
        for c in range(C):
            bins_of(np.ascontiguousarray(s[:, c]), st._binmap, b)
            cells[:, c] = c * 2 * bins + (b << 1)
        cand = np.unique(cells)
        cand = np.concatenate([cand, cand + 1])
        flat = st._table.reshape(-1)
        nz = st._table.reshape(-1)[cand] != 0
        idx = cand[nz]
        out = {}
        for field, attr in self._tables.items():  # every scratch table back to 0
            flat = getattr(st, attr).reshape(-1)
            out[field] = (idx, flat[cand][nz])
            flat[cand] = 0.0
        # "unit_weights" is held as the number of weighted batches (additive)
        return [out[f] for f in self._sparse_fields] + [0.0 if w is None else 1.0]

    def _max_cells(self, n_scores):
        # a score element touches its bin's two cells (negative, positive)
        return None if n_scores is None else 2 * n_scores

    def _rebuild(self, arrays):
        # trusted: the arrays are this metric's own variables (no validation
        # pass or copy of a table of up to 2**24 bins per step)
        st = getattr(self, "_reader", None)
        if st is None:
            st = self._reader = self._new_state()
        shape = st._table.shape
        for field, a in zip(self._fields, arrays):  # ROC: moments2, sq_weights stay 0
            if field in self._tables:
                setattr(st, self._tables[field], np.asarray(a, dtype=np.float64).reshape(shape))
        st._unit = float(arrays[-1]) == 0.0
        # float32 variables (JAX without x64): positions and their squares
        # carry ~1e-7 relative rounding, so a bin of tied scores shows a
        # variance of that order
        st._tie_tol = 1e-4 if self._state_dtype == "float32" else st._tie_tol
        return st

    def _value(self, state):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return state.result()

    def _check_shapes(self, y_true, y_pred):
        last, ndim = _static_last(y_pred)
        if last is None or ndim < 2:
            return
        if self.task == "binary" and last not in (1, 2):
            raise ValueError(
                f"task='binary' needs y_pred of shape (..., 1) or (..., 2); the model "
                f"output has shape {tuple(y_pred.shape)}."
            )
        if self.task != "binary" and last != self.num_classes:
            raise ValueError(
                f"num_classes={self.num_classes} but the model output has {last} units."
            )

    def _xla_deltas(self, y_true, y_pred, sample_weight, mask):
        cells, vals, pos, invalid = _xla.auc_cells(self.task, self.num_classes, self.bins,
                                                   self._binmap, self.scores == "probability",
                                                   y_true, y_pred, sample_weight, mask)
        weighted = 0.0 if sample_weight is None else 1.0
        deltas = {"table": vals, "moments": vals * pos, "moments2": vals * pos * pos,
                  "sq_weights": vals * vals}
        return [(cells, deltas[f]) for f in self._sparse_fields] + [weighted], invalid

    def error_bound(self):
        """Certified bound on ``|result() - exact value|`` (eager; float or (C,))."""
        return self.state().error_bound()

    def get_config(self):
        config = super().get_config()
        config.update(curve=self.curve, task=self._task_arg,
                      num_classes=self._num_classes_arg, average=self.average,
                      bins=self._bins_arg, scores=self.scores)
        return config


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------
class _LossMetric(StreamingMetric):
    """Mean of a per-token loss over the epoch, weighted as Keras' loss metrics
    weight it: ``sum(w * loss) / sum(w)`` over the tokens Keras' mask keeps."""

    _fields = ("loss_sum", "weight_sum", "count")
    _loss = None
    _options = ()

    def __init__(self, name=None, dtype=None, **options):
        self._opts = options
        super().__init__(name=name, dtype=dtype)

    def _new_state(self):
        return streaming.Loss(self._loss, **self._opts)

    def _value(self, state):
        return state.result("mean_with_sample_weight")

    def _xla_deltas(self, y_true, y_pred, sample_weight, mask):
        return _xla.loss_deltas(self._loss, self._opts, y_true, y_pred, sample_weight, mask)

    def get_config(self):
        config = super().get_config()
        config.update(self._opts)
        return config


@_register
class SparseCategoricalCrossentropy(_LossMetric):
    """Sparse categorical cross-entropy over every token of the epoch.

    Parameters
    ----------
    from_logits : bool, default=False
    ignore_index : int, default=None
        Tokens with this label are skipped (Keras' ``ignore_class``).

    Notes
    -----
    y_true: class ids (N,) or (N, T); y_pred: (N, C) or (N, T, C).  The value
    is ``sum(w * loss) / sum(w)`` over the kept tokens, as Keras'
    ``SparseCategoricalCrossentropy`` metric computes it, but in float64 over
    the whole epoch.
    """

    _loss = "sparse_categorical_crossentropy"

    def __init__(self, *, from_logits=False, ignore_index=None,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(name=name, dtype=dtype, from_logits=bool(from_logits),
                         ignore_index=ignore_index)


@_register
class CategoricalCrossentropy(_LossMetric):
    """Categorical cross-entropy (one-hot or soft targets) over the epoch.

    Parameters
    ----------
    from_logits : bool, default=False
    label_smoothing : float, default=0.0
    """

    _loss = "categorical_crossentropy"

    def __init__(self, *, from_logits=False, label_smoothing=0.0,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing))


@_register
class BinaryCrossentropy(_LossMetric):
    """Binary cross-entropy over every element of the epoch.

    Parameters
    ----------
    from_logits : bool, default=False
    label_smoothing : float, default=0.0
    """

    _loss = "binary_crossentropy"

    def __init__(self, *, from_logits=False, label_smoothing=0.0,
                 name="binary_crossentropy", dtype=None):
        super().__init__(name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing))
