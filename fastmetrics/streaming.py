"""Streaming states: update over chunks, merge across workers, compute at the end.

Each state holds the sufficient statistics of its metric family, so any
chunking of the data — and any order of merging partial states — gives the
statistics of one pass over all of it.  They share one base
(:class:`fastmetrics._core.state.StreamingState`: ``merge``, ``state_dict`` /
``from_state_dict`` with a version, ``reset``) and one argument convention:
settings such as ``ignore_index`` in the constructor; ``update(y_true, y_pred,
*, sample_weight=None, mask=None, ...)`` with the functional API's token rules.
"""

from .calibration.streaming import CalibrationError
from .classification.streaming import ConfusionMatrix
from .losses.streaming import Loss
from .ranking.streaming import AUC

__all__ = ["AUC", "CalibrationError", "ConfusionMatrix", "Loss"]

for _cls in (AUC, CalibrationError, ConfusionMatrix, Loss):
    # pickles and reprs name the public path, wherever the class is defined
    _cls.__module__ = __name__
del _cls
