"""Warnings and errors raised by fastmetrics."""


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined (e.g. precision with no predicted samples).

    Same meaning and message text as scikit-learn's
    ``sklearn.exceptions.UndefinedMetricWarning``; a ``UserWarning`` subclass,
    so ``warnings.filterwarnings("ignore", category=UserWarning)`` covers both.
    """
