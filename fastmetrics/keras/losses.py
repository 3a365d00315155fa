"""Keras loss metrics over ``streaming.Loss``: the mean of a per-token loss
over every token of the epoch, in float64."""

from __future__ import annotations

from .. import streaming
from . import _xla
from ._bridge import StreamingMetric, register

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]


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


@register
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


@register
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


@register
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
