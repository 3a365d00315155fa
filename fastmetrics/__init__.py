"""fastmetrics: Numba-JIT metric kernels for millions of sequence tokens.

The functional API keeps scikit-learn's names and signatures (a drop-in) and
adds keyword-only sequence extensions (``task``, ``num_classes``,
``threshold``, ``mask``, ``ignore_index``, ``class_weight``).  Streaming
states live in :mod:`fastmetrics.streaming`.

Importing the package does not import Numba: kernels are compiled (or loaded
from the on-disk cache) on first use.
"""

from . import calibration, classification, losses, ranking, weighting
from .calibration.brier import *  # noqa: F401,F403
from .calibration.functional import *  # noqa: F401,F403
from .classification.functional import *  # noqa: F401,F403
from .exceptions import UndefinedMetricWarning
from .losses.functional import *  # noqa: F401,F403
from .ranking.functional import *  # noqa: F401,F403
from .weighting.functional import *  # noqa: F401,F403

__version__ = "0.1.0"

# the public functions of every family (each family module's __all__)
__all__ = [
    *classification.functional.__all__,
    *ranking.functional.__all__,
    *losses.functional.__all__,
    *calibration.functional.__all__,
    *calibration.brier.__all__,
    *weighting.functional.__all__,
    "UndefinedMetricWarning",
    "streaming",
]


def __getattr__(name):
    if name == "streaming":
        import importlib

        return importlib.import_module(".streaming", __name__)
    raise AttributeError(f"module 'fastmetrics' has no attribute {name!r}")
