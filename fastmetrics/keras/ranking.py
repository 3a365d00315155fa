"""The Keras AUC metric over ``streaming.AUC`` in binned mode.

The variables are the state's tables, held flat and updated sparsely: a
batch adds to the cells of its scores' bins only (``streaming.AUC.batch_deltas``),
so a step costs O(batch) whatever the number of bins.  The value is the
state's own ``result`` on the tables (``load_tables``).
"""

from __future__ import annotations

import threading

from .. import streaming
from . import _xla
from ._bridge import StreamingMetric, quietly, register, resolve_task, static_last

__all__ = ["AUC"]

#: default bins: this many over all class rows (rows rounded up to a power of
#: two), and at least _MIN_DEFAULT_BINS per row
_DEFAULT_TOTAL_BINS = 2**18
_MIN_DEFAULT_BINS = 2**16
#: the state's tables; ROC needs the weights and first moments only (the
#: second moments and squared weights serve average precision)
_ROC_TABLES = ("table", "moments")
_PR_TABLES = ("table", "moments", "moments2", "sq_weights")
#: one host update at a time on a metric's scratch state (replicas of a
#: distribution strategy call the host concurrently; the kernels hold the GIL)
_SCRATCH_LOCK = threading.Lock()


def _default_bins(rows):
    return max(_DEFAULT_TOTAL_BINS >> (rows - 1).bit_length(), _MIN_DEFAULT_BINS)


@register
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

    _step_result_interval_s = 0.25

    def __init__(self, curve="ROC", task=None, num_classes=None, *, average="macro",
                 bins=None, scores="probability", name="auc", dtype=None):
        self.task, self.num_classes = resolve_task(task, num_classes)
        self._bins_arg = bins
        if bins is None:
            bins = _default_bins(1 if self.task == "binary" else self.num_classes)
        self.scores = scores
        self._task_arg = task
        self._num_classes_arg = num_classes
        self.curve = curve
        self.average = average
        self.bins = bins
        # validates the arguments (the state is made again where needed)
        self._bin_map = self._new_state().bin_map
        per_class = average is None and self.task != "binary"
        self._result_shape = (self.num_classes,) if per_class else ()
        tables = _ROC_TABLES if str(curve).upper() == "ROC" else _PR_TABLES
        self._sparse_fields = tables
        # "unit_weights" is held as the number of weighted batches (additive)
        self._fields = tables + ("unit_weights",)
        super().__init__(name=name, dtype=dtype)

    def _new_state(self):
        return streaming.AUC(self.curve, task=self.task, num_classes=self.num_classes,
                             mode="binned", bins=self.bins, average=self.average,
                             scores=self.scores)

    def _held_state(self, attr):
        """A state kept on the metric across steps (its tables are reused)."""
        st = getattr(self, attr, None)
        if st is None:
            st = self._new_state()
            setattr(self, attr, st)
        return st

    def _batch_deltas(self, yt, yp, w, m):
        # a state kept for this: batch_deltas leaves it as it was
        with _SCRATCH_LOCK:
            cells, deltas = self._held_state("_scratch").batch_deltas(
                yt, yp, sample_weight=w, mask=m)
        return [(cells, deltas[f]) for f in self._sparse_fields] + [0.0 if w is None else 1.0]

    def _max_cells(self, n_scores):
        # a score element touches its bin's two cells (negative, positive)
        return None if n_scores is None else 2 * n_scores

    def _rebuild(self, arrays):
        # trusted: the arrays are this metric's own variables (no validation
        # pass or copy of a table of up to 2**24 bins per step)
        tie_tol = streaming.AUC.FLOAT32_TIE_TOL if self._state_dtype == "float32" else None
        return self._held_state("_reader").load_tables(
            unit_weights=float(arrays[-1]) == 0.0, tie_tol=tie_tol,
            **dict(zip(self._sparse_fields, arrays)))

    def _value(self, state):
        return quietly(state.result)

    def _check_shapes(self, y_true, y_pred):
        last, ndim = static_last(y_pred)
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
                                                   self._bin_map, self.scores == "probability",
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
