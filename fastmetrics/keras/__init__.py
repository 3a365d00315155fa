"""Keras 3 metric classes whose value is exact over the epoch.

Each class keeps the sufficient statistics of a :mod:`fastmetrics.streaming`
state in Keras variables (summed across replicas) and computes its value with
that state's own method, so ``model.evaluate`` reports what scikit-learn
reports on all the predictions — never an average of per-batch values.

Importing this module imports Keras.  Pass weighted metrics (temporal
``sample_weight``, ``class_weight``) in ``compile(weighted_metrics=[...])``:
Keras gives ``sample_weight`` only to those.
"""

from . import classification, losses, ranking
from .classification import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403

# the metric classes of every family (each family module's __all__)
__all__ = sorted([*classification.__all__, *ranking.__all__, *losses.__all__])
