"""Warnings and errors raised by fastmetrics (scikit-learn's names and meanings)."""


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined (e.g. precision with no predicted samples).

    Same meaning and message text as scikit-learn's
    ``sklearn.exceptions.UndefinedMetricWarning``; a ``UserWarning`` subclass,
    so ``warnings.filterwarnings("ignore", category=UserWarning)`` covers both.
    """


class InvalidParameterError(ValueError, TypeError):
    """A parameter has the wrong type or value (scikit-learn's class of the same name)."""


class DataConversionWarning(UserWarning):
    """The input was converted (scikit-learn's warning of the same name)."""
