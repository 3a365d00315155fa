"""Ranking family: ROC / PR / DET curves, ROC AUC, average precision, ``auc``,
``top_k_accuracy_score`` (functional API) and the streaming :class:`AUC`."""

from . import functional
from .functional import *  # noqa: F401,F403  (the names in functional.__all__)

__all__ = list(functional.__all__)
