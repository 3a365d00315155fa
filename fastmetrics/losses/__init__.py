"""Loss family: the Keras-named per-token losses and scikit-learn's
``log_loss`` (functional API), and the streaming :class:`Loss` state."""

from .functional import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    log_loss,
    sparse_categorical_crossentropy,
)

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "log_loss",
    "sparse_categorical_crossentropy",
]
