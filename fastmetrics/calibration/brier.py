"""The Brier score: scikit-learn 1.9's ``brier_score_loss``, summed by a Numba
kernel in float64 (binary labels with ``pos_label``, or multiclass
probabilities with ``labels``).

One deliberate difference from scikit-learn: negative sample weights raise
``ValueError`` (as everywhere in fastmetrics).
"""

import numbers
import warnings

import numpy as np

from .. import config
from .._core.backend import as_kernel_weights, by_size, kernels
from .._core.checks import (
    as_array,
    assert_all_finite,
    check_array_like,
    check_consistent_length,
    check_sample_weight_1d,
    column_or_1d,
    param_error,
)
from .._core.targets import binary_target_type, check_pos_label, type_of_target, unique

__all__ = ["brier_score_loss"]


def brier_score_loss(y_true, y_proba, *, sample_weight=None, pos_label=None,
                     labels=None, scale_by_half="auto"):
    r"""Compute the Brier score loss (scikit-learn drop-in).

    Same results (to float64 rounding), errors and warnings as
    ``sklearn.metrics.brier_score_loss`` (1.9), except that negative
    ``sample_weight`` values raise ``ValueError``.  The squared errors are
    summed by a Numba kernel in float64 (scikit-learn sums float32 inputs in
    float32).

    The Brier score is :math:`\frac{1}{\sum_i w_i}\sum_i w_i \sum_c (y_{ic} -
    p_{ic})^2`, with :math:`y_{ic}` the one-hot target; it lies in [0, 2],
    and is halved (to [0, 1]) for binary problems by default.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes), float
        Predicted probabilities: of the positive class for a 1-D array, else
        one column per class in sorted label order.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (finite, >= 0, not all zero).
    pos_label : int, float, bool or str, default=None
        Positive class for 1-D ``y_proba``; inferred as scikit-learn does
        (1 for labels in {0, 1} or {-1, 1}, else the greater label; required
        for string labels).
    labels : array-like of shape (n_classes,), default=None
        Class labels for 2-D ``y_proba``; inferred from ``y_true`` if None.
    scale_by_half : bool or "auto", default="auto"
        Halve the score; ``"auto"`` halves it when there are at most two
        columns (binary).

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.weighting import brier_score_loss
    >>> y_true = np.array([0, 1, 1, 0])
    >>> y_prob = np.array([0.1, 0.9, 0.8, 0.3])
    >>> round(brier_score_loss(y_true, y_prob), 6)
    0.0375
    >>> round(brier_score_loss(y_true, y_prob, scale_by_half=False), 6)
    0.075
    >>> round(brier_score_loss(["eggs", "ham", "spam"],
    ...                        [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]],
    ...                        labels=["eggs", "ham", "spam"]), 6)
    0.146667
    """
    func = "brier_score_loss"
    check_array_like(func, "y_true", y_true)
    check_array_like(func, "y_proba", y_proba)
    check_array_like(func, "sample_weight", sample_weight, allow_none=True)
    if pos_label is not None and not isinstance(
            pos_label, (numbers.Real, str, bool, np.bool_)):
        param_error(func, "pos_label",
                     "an instance of 'float', an instance of 'str', an instance of "
                     "'bool' or an instance of 'numpy.bool' or None", pos_label)
    check_array_like(func, "labels", labels, allow_none=True)
    if not (isinstance(scale_by_half, (bool, np.bool_))
            or (isinstance(scale_by_half, str) and scale_by_half == "auto")):
        param_error(func, "scale_by_half",
                     "an instance of 'bool' or an instance of 'numpy.bool' or a str "
                     "among {'auto'}", scale_by_half)

    p = _check_proba(y_proba)
    if p.ndim == 1 or p.shape[1] == 1:
        total, wsum = _brier_binary(y_true, p.reshape(-1), sample_weight, pos_label)
        n_cols = 1
    else:
        total, wsum = _brier_multiclass(y_true, p, sample_weight, labels)
        n_cols = p.shape[1]
    if wsum == 0.0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    score = total / wsum
    if scale_by_half == "auto":
        scale_by_half = n_cols < 3
    if scale_by_half:
        score *= 0.5
    return float(score)


def _check_proba(y_proba):
    """scikit-learn's ``check_array(y_proba, ensure_2d=False, dtype=float)``."""
    p = as_array(y_proba, "y_proba")
    if p.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{p}\n")
    if p.dtype not in (np.float64, np.float32):
        try:
            p = p.astype(np.float32 if p.dtype == np.float16 else np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"y_proba must hold probabilities (real numbers); got dtype {p.dtype}."
            ) from exc
    if p.ndim == 0:
        raise ValueError(
            f"Expected 2D array, got scalar array instead:\narray={p}.\n"
            "Reshape your data either using array.reshape(-1, 1) if your data has a "
            "single feature or array.reshape(1, -1) if it contains a single sample."
        )
    if p.ndim > 2:
        raise ValueError(f"Found array with dim {p.ndim}, while dim <= 2 is required.")
    if p.shape[0] < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={p.shape}) while a minimum of 1 "
            "is required."
        )
    if p.ndim == 2 and p.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={p.shape}) while a minimum of 1 "
            "is required."
        )
    assert_all_finite(p)
    return p


def _check_sw_for(sample_weight, n):
    sw = check_sample_weight_1d(sample_weight, n, force_float=False)
    return as_kernel_weights(sw)


def _run_chunks(kern_name, n, *args):
    """Run a Brier kernel on ``args`` (``args[0]``: one entry per row) that
    reads ``n`` values."""
    k = kernels("brier", *args, n=args[0].shape[0], elements=n)
    return by_size(k, kern_name, args[0].shape[0])(*args, config.CHUNK)


def _brier_binary(y_true, p, sample_weight, pos_label):
    y_true = column_or_1d(y_true)
    assert_all_finite(y_true)
    check_consistent_length(p, y_true, sample_weight)
    sw = _check_sw_for(sample_weight, p.shape[0])
    y_type = binary_target_type(y_true)  # scikit-learn's type_of_target for 1-D
    if y_type != "binary":
        raise ValueError(
            f"The type of the target inferred from y_true is {y_type} but should be "
            "binary according to the shape of y_prob."
        )
    hi, lo = p.max(), p.min()
    if hi > 1:
        raise ValueError(f"y_prob contains values greater than 1: {hi}")
    if lo < 0:
        raise ValueError(f"y_prob contains values less than 0: {lo}")
    try:
        pos_label = check_pos_label(pos_label, y_true)
    except ValueError:
        classes = unique(y_true)
        if classes.dtype.kind in "OUS":
            raise
        pos_label = classes[-1]
    p = np.ascontiguousarray(p)
    if (y_true.dtype.kind in "biuf" and isinstance(pos_label, (numbers.Real, np.bool_))
            and not isinstance(pos_label, str)):
        yk = y_true.view(np.uint8) if y_true.dtype.kind == "b" else y_true
        pl = float(pos_label)
    else:  # strings / objects: compare in NumPy, then read a 0/1 array
        yk = np.asarray(y_true == pos_label, dtype=np.uint8)
        if yk.shape != y_true.shape:  # a scalar False from an impossible comparison
            yk = np.zeros(y_true.shape[0], dtype=np.uint8)
        pl = 1.0
    stats = _run_chunks("brier_binary_chunks", p.shape[0], np.ascontiguousarray(yk),
                        pl, p, sw)
    return float(stats[:, 0].sum()), float(stats[:, 1].sum())


def _brier_multiclass(y_true, p, sample_weight, labels):

    hi, lo = p.max(), p.min()
    if hi > 1:
        raise ValueError(f"y_prob contains values greater than 1: {hi}")
    if lo < 0:
        raise ValueError(f"y_prob contains values lower than 0: {lo}")
    check_consistent_length(p, y_true, sample_weight)
    sw = _check_sw_for(sample_weight, p.shape[0])

    y_raw = y_true
    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        if type_of_target(y, "y_true").endswith("multioutput"):
            raise ValueError(
                "Multioutput target data is not supported with label binarization"
            )
        raise ValueError(
            "fastmetrics.brier_score_loss reads y_true as class labels of shape "
            f"(n_samples,); got shape {y.shape} (a label indicator matrix is not "
            "supported: pass the class labels)."
        )
    if labels is not None:
        classes = np.unique(np.asarray(labels))
        try:
            same_order = bool(np.all(classes == np.asarray(labels)))
        except (ValueError, TypeError):
            same_order = False
        if not same_order:
            warnings.warn(
                f"Labels passed were {labels}. But this function assumes labels are "
                "ordered lexicographically. Pass the ordered "
                f"labels={classes.tolist()} and ensure that the columns of y_prob "
                "correspond to this ordering.",
                UserWarning,
                stacklevel=3,
            )
        present = unique(y) if y.dtype.kind in "biuf" else np.unique(y)
        if not np.all(np.isin(present, classes)):
            undeclared = set(y_raw) - set(labels)
            raise ValueError(
                f"y_true contains values {undeclared} not belonging to the passed "
                f"labels {labels}."
            )
    else:
        y_type, classes = binary_target_type(y, with_classes=True)
        if y_type not in ("binary", "multiclass"):
            raise ValueError("Unknown label type: %s" % repr((y_raw,)))
    if classes.shape[0] == 1:
        if labels is None:
            raise ValueError(
                f"y_true contains only one label ({classes[0]}). Please provide the list of all "
                "expected class labels explicitly through the labels "
                "argument."
            )
        raise ValueError(
            "The labels array needs to contain at least two labels, got "
            f"{classes}."
        )
    n_classes = classes.shape[0]
    # scikit-learn's sum-to-one check: isclose(row_sum, 1, rtol=sqrt(eps))
    tol = 1e-8 + float(np.sqrt(np.finfo(p.dtype).eps))
    if n_classes != p.shape[1]:
        # scikit-learn warns about the row sums before this error
        _warn_row_sums(p, tol)
        if labels is None:
            raise ValueError(
                f"y_true and y_prob contain different number of classes: {n_classes} vs {p.shape[1]}. "
                "Please provide the true labels explicitly through the labels "
                f"argument. Classes found in y_true: {classes}"
            )
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. "
            f"Classes found in labels: {classes}"
        )
    offset = 0
    if y.dtype.kind in "biu" and classes.dtype.kind in "biu" and (
            int(classes[-1]) - int(classes[0]) + 1 == n_classes):
        idx = y.view(np.uint8) if y.dtype.kind == "b" else y
        offset = int(classes[0])
    else:
        idx = np.searchsorted(classes, y)
    stats = _run_chunks("brier_multiclass_chunks", p.size, np.ascontiguousarray(idx),
                        offset, np.ascontiguousarray(p), sw, tol)
    if stats[:, 2].sum() > 0:
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=3,
        )
    return float(stats[:, 0].sum()), float(stats[:, 1].sum())


def _warn_row_sums(p, tol):
    if np.any(np.abs(p.sum(axis=1, dtype=np.float64) - 1.0) > tol):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=4,
        )
