"""Streaming state of the Keras-named per-token losses (``streaming.Loss``).

The state is the three float64 sums every reduction is computed from — the
weighted loss sum, the weight sum and the number of kept tokens — produced by
the same fused kernels as the functions in :mod:`fastmetrics.losses` (their
internal ``PARTIALS`` reduction), so the epoch value is exactly the function
applied to all the tokens at once, up to the order of float64 additions.
"""

from .._core.state import StreamingState
from . import functional as _losses

_LOSSES = {
    "binary_crossentropy": ("from_logits", "label_smoothing"),
    "binary_focal_crossentropy": ("from_logits", "label_smoothing", "apply_class_balancing",
                                  "alpha", "gamma"),
    "categorical_crossentropy": ("from_logits", "label_smoothing"),
    "categorical_focal_crossentropy": ("from_logits", "label_smoothing", "alpha", "gamma"),
    "sparse_categorical_crossentropy": ("from_logits", "ignore_index"),
}
_REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")


class Loss(StreamingState):
    """Running weighted loss over batches of tokens, reduced at the end.

    Parameters
    ----------
    loss : str
        One of ``binary_crossentropy``, ``binary_focal_crossentropy``,
        ``categorical_crossentropy``, ``categorical_focal_crossentropy``,
        ``sparse_categorical_crossentropy``.
    **options
        The loss's own options (``from_logits``, ``label_smoothing``,
        ``alpha``, ``gamma``, ``apply_class_balancing``, ``ignore_index``), as
        in :mod:`fastmetrics.losses`.

    Notes
    -----
    ``update`` takes the loss function's inputs (``y_true``, ``y_pred`` and
    ``sample_weight`` / ``class_weight`` / ``mask``); ``result(reduction)``
    gives any of Keras 3's reductions over everything seen: ``"sum"``,
    ``"sum_over_batch_size"`` / ``"mean"`` (over the kept tokens, as a Keras
    mask rescales them) or ``"mean_with_sample_weight"``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.streaming import Loss
    >>> from fastmetrics.losses import sparse_categorical_crossentropy
    >>> y = np.array([[1, 2, 0], [0, 1, 1]])
    >>> p = np.full((2, 3, 3), 1 / 3)
    >>> state = Loss("sparse_categorical_crossentropy")
    >>> for i in range(2):
    ...     _ = state.update(y[i:i + 1], p[i:i + 1])
    >>> round(state.result(), 6) == round(sparse_categorical_crossentropy(y, p), 6)
    True
    """

    _KIND = "Loss"
    _CONFIG = ("loss", "options")
    #: the three sums, in ``_sums`` order, as ``state_dict`` names them
    _SUMS = ("loss_sum", "weight_sum", "count")

    def __init__(self, loss="sparse_categorical_crossentropy", **options):
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {sorted(_LOSSES)}; got {loss!r}.")
        bad = sorted(set(options) - set(_LOSSES[loss]))
        if bad:
            raise ValueError(
                f"{loss} takes the options {_LOSSES[loss]}; got unknown option(s) {bad}."
            )
        self.loss = loss
        self.options = dict(options)
        self._fn = getattr(_losses, loss)
        self.reset()

    def reset(self):
        """Forget every update."""
        self._sums = [0.0, 0.0, 0.0]
        return self

    def update(self, y_true, y_pred, *, sample_weight=None, class_weight=None, mask=None):
        """Add a batch of tokens (validated as the loss function validates them).

        Returns
        -------
        self
        """
        s, w, k = self._fn(y_true, y_pred, sample_weight=sample_weight,
                           class_weight=class_weight, mask=mask,
                           reduction=_losses.PARTIALS, **self.options)
        self._sums[0] += s
        self._sums[1] += w
        self._sums[2] += k
        return self

    def _merge_more(self, other):
        for i in range(3):
            self._sums[i] += other._sums[i]

    def result(self, reduction="sum_over_batch_size"):
        """The loss over every token seen, reduced as Keras 3 reduces it.

        Parameters
        ----------
        reduction : {"sum", "sum_over_batch_size", "mean", "mean_with_sample_weight"}

        Returns
        -------
        loss : float (0.0 when the divisor is 0, as Keras' ``divide_no_nan``)
        """
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}; got {reduction!r}.")
        s, w, k = self._sums
        return _losses.reduce_sums(s, w, k, reduction)

    @property
    def weight_sum(self):
        """Sum of the kept tokens' weights (sample_weight x class_weight)."""
        return self._sums[1]

    @property
    def count(self):
        """Number of kept tokens (mask / ignore_index applied)."""
        return int(self._sums[2])

    def _more_state(self):
        return dict(zip(self._SUMS, self._sums))

    @classmethod
    def _from_config(cls, state):
        return cls(state["loss"], **state["options"])

    def _load_more(self, state):
        self._sums = [float(state[key]) for key in self._SUMS]

    def __repr__(self):
        return (f"Loss({self.loss!r}, {self.options}, count={self.count}, "
                f"weight_sum={self.weight_sum:g})")
Loss.__module__ = "fastmetrics.streaming"
