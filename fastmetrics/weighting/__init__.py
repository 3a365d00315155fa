"""Class-weighting family: ``compute_class_weight`` and ``compute_sample_weight``
(scikit-learn drop-ins) and ``temporal_sample_weight`` (per-token weights for
Keras' ``fit``).  ``brier_score_loss`` lives in the calibration family and is
importable from here too."""

from ..calibration.brier import brier_score_loss
from ..exceptions import DataConversionWarning, InvalidParameterError  # noqa: F401  (importable here too)
from . import functional
from .functional import *  # noqa: F401,F403

__all__ = [*functional.__all__, "brier_score_loss"]
