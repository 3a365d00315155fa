"""Calibration family: expected calibration error, reliability diagrams,
``calibration_curve`` and ``brier_score_loss`` (functional API) and the
streaming :class:`CalibrationError` state."""

from . import brier, functional
from .brier import *  # noqa: F401,F403
from .functional import *  # noqa: F401,F403
from .streaming import CalibrationError

__all__ = [*functional.__all__, *brier.__all__, "CalibrationError"]
