"""Ranking family: ROC / PR / DET curves, ROC AUC, average precision, ``auc``,
``top_k_accuracy_score`` (functional API) and the streaming :class:`AUC`."""

from .functional import (
    auc,
    average_precision_score,
    det_curve,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
    top_k_accuracy_score,
)

__all__ = [
    "auc",
    "average_precision_score",
    "det_curve",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
    "top_k_accuracy_score",
]
