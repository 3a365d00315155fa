"""Loss family: the Keras-named per-token losses and scikit-learn's
``log_loss`` (functional API), and the streaming :class:`Loss` state."""

from . import functional
from .functional import *  # noqa: F401,F403  (the names in functional.__all__)
from .functional import EPSILON, REDUCTIONS  # noqa: F401  (constants of earlier versions)

__all__ = list(functional.__all__)
