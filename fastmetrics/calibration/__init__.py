"""Calibration family: expected calibration error, reliability diagrams,
``calibration_curve`` and ``brier_score_loss`` (functional API) and the
streaming :class:`CalibrationError` state."""

from .brier import brier_score_loss
from .functional import (
    ReliabilityDiagram,
    calibration_curve,
    expected_calibration_error,
    reliability_diagram,
)
from .streaming import CalibrationError

__all__ = [
    "CalibrationError",
    "ReliabilityDiagram",
    "brier_score_loss",
    "calibration_curve",
    "expected_calibration_error",
    "reliability_diagram",
]
