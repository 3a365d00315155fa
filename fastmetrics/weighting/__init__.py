"""Class-weighting family: ``compute_class_weight`` and ``compute_sample_weight``
(scikit-learn drop-ins) and ``temporal_sample_weight`` (per-token weights for
Keras' ``fit``).  ``brier_score_loss`` lives in the calibration family and is
importable from here too (its earlier home)."""

from ..calibration.brier import brier_score_loss
from .functional import compute_class_weight, compute_sample_weight, temporal_sample_weight

__all__ = [
    "brier_score_loss",
    "compute_class_weight",
    "compute_sample_weight",
    "temporal_sample_weight",
]
