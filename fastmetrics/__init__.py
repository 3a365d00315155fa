"""fastmetrics: Numba-JIT metric kernels for millions of sequence tokens.

The functional API keeps scikit-learn's names and signatures (a drop-in) and
adds keyword-only sequence extensions (``task``, ``num_classes``,
``threshold``, ``mask``, ``ignore_index``, ``class_weight``).  Streaming
states live in :mod:`fastmetrics.streaming`.

Importing the package does not import Numba: kernels are compiled (or loaded
from the on-disk cache) on first use.
"""

from .classification import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    matthews_corrcoef,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from .calibration import (
    brier_score_loss,
    calibration_curve,
    expected_calibration_error,
    reliability_diagram,
)
from .exceptions import UndefinedMetricWarning
from .losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    log_loss,
    sparse_categorical_crossentropy,
)
from .ranking import (
    auc,
    average_precision_score,
    det_curve,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
    top_k_accuracy_score,
)

from .weighting import (
    compute_class_weight,
    compute_sample_weight,
    temporal_sample_weight,
)

__version__ = "0.1.0"

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "classification_report",
    "cohen_kappa_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "matthews_corrcoef",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "UndefinedMetricWarning",
    "auc",
    "average_precision_score",
    "det_curve",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
    "top_k_accuracy_score",
    "calibration_curve",
    "expected_calibration_error",
    "reliability_diagram",
    "brier_score_loss",
    "compute_class_weight",
    "compute_sample_weight",
    "temporal_sample_weight",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "log_loss",
    "sparse_categorical_crossentropy",
    "streaming",
]


def __getattr__(name):
    if name == "streaming":
        import importlib

        return importlib.import_module(".streaming", __name__)
    raise AttributeError(f"module 'fastmetrics' has no attribute {name!r}")
