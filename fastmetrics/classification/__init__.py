"""Confusion-matrix family: functional API (scikit-learn drop-in with sequence
extensions), the streaming :class:`ConfusionMatrix` state, and the formulas
from counts (``_stats``).  Input forms are read by ``_format``, the count
kernels run through ``_tables``."""

from . import functional
from .functional import *  # noqa: F401,F403  (the names in functional.__all__)

__all__ = list(functional.__all__)
