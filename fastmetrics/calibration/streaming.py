"""Streaming calibration error: per-bin sums over equal-width bins."""

import numpy as np

from .._core.checks import check_ignore_index
from .._core.state import StreamingState
from .functional import (
    _check_n_bins,
    _check_norm,
    _check_num_classes,
    _check_task,
    _diagram_from_sums,
    _error_from_sums,
    _prepare,
    _uniform_edges,
    _uniform_sums,
)

__all__ = ["CalibrationError"]


class CalibrationError(StreamingState):
    """Streaming calibration error over equal-width bins.

    The state is, per bin, the token count (int64) and the float64 sums of the
    weights, of weight x confidence and of weight x correct: updates over
    chunks and merges across workers add them, so the result equals one pass
    over all the data (up to float64 summation order).

    Parameters
    ----------
    task : {"binary", "multiclass"}, default="binary"
    num_classes : int, default=None
        Required for ``task="multiclass"`` (checked at every update).
    n_bins : int, default=15
    norm : {"l1", "l2", "max"}, default="l1"
        The norm :meth:`result` reports (:meth:`error` takes any).
    ignore_index : int, default=None
        Tokens whose label equals this value are skipped.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.streaming import CalibrationError
    >>> ce = CalibrationError(n_bins=2)
    >>> ce.update(np.array([0, 0]), np.array([0.25, 0.25]))  # doctest: +ELLIPSIS
    <fastmetrics.streaming.CalibrationError ...>
    >>> round(ce.update(np.array([1, 1, 1]), np.array([0.55, 0.75, 0.75])).result(), 4)
    0.29
    """

    _KIND = "CalibrationError"
    _CONFIG = ("task", "num_classes", "n_bins", "norm", "ignore_index")
    _MERGE_KEYS = ("task", "num_classes", "n_bins", "ignore_index")
    _ARRAYS = ("count", "weight", "conf", "correct")

    def __init__(self, task="binary", num_classes=None, *, n_bins=15, norm="l1",
                 ignore_index=None):
        _check_task(task)
        num_classes = _check_num_classes(num_classes)
        if task == "binary":
            if num_classes not in (None, 2):
                raise ValueError(
                    f"num_classes must be 2 (or None) with task='binary'; got "
                    f"{num_classes}."
                )
            num_classes = 2
        elif num_classes is None:
            raise ValueError(
                "num_classes is required for task='multiclass' (every update must "
                "have the same classes)."
            )
        _check_norm(norm)
        self.task = task
        self.num_classes = num_classes
        self.n_bins = _check_n_bins(n_bins)
        self.norm = norm
        self.ignore_index = check_ignore_index(ignore_index)
        self.reset()

    def reset(self):
        """Forget every update.

        Returns
        -------
        self : CalibrationError
        """
        self._count = np.zeros(self.n_bins, dtype=np.int64)
        self._weight = np.zeros(self.n_bins, dtype=np.float64)
        self._conf = np.zeros(self.n_bins, dtype=np.float64)
        self._correct = np.zeros(self.n_bins, dtype=np.float64)
        return self

    def update(self, y_true, y_prob, *, sample_weight=None, mask=None):
        """Add a batch of tokens.

        Parameters
        ----------
        y_true : array-like of token shape S
            0/1 labels (binary) or class ids in ``[0, num_classes)``.
        y_prob : array-like of shape S (binary) or S + (num_classes,)
            Probabilities in [0, 1].
        sample_weight : array-like of shape (N,) or S, default=None
        mask : bool array of shape S, default=None

        Returns
        -------
        self : CalibrationError
        """
        yt, yp, K, w, rep, m, ignore, shape = _prepare(
            y_true, y_prob, self.task,
            self.num_classes if self.task == "multiclass" else None,
            sample_weight, mask, self.ignore_index,
        )
        count, weight, conf, correct = _uniform_sums(
            yt, yp, K, self.n_bins, w, rep, m, ignore, shape, self.task
        )
        self._count += count
        self._weight += weight
        self._conf += conf
        self._correct += correct
        return self

    def result(self):
        """The calibration error with the state's ``norm``.

        Returns
        -------
        float
        """
        return self.error(self.norm)

    def error(self, norm="l1"):
        """The calibration error with any norm ("l1", "l2" or "max").

        Returns
        -------
        float
        """
        _check_norm(norm)
        return _error_from_sums(self._weight, self._conf, self._correct, norm)

    def reliability_diagram(self):
        """Per-bin data so far (see :func:`reliability_diagram`).

        Returns
        -------
        ReliabilityDiagram
        """
        return _diagram_from_sums(_uniform_edges(self.n_bins), self._count.copy(),
                                  self._weight.copy(), self._conf, self._correct)

    def __repr__(self):
        return (f"<fastmetrics.streaming.CalibrationError task={self.task!r} "
                f"n_bins={self.n_bins} norm={self.norm!r}>")
