"""scikit-learn's reading of label arrays: the type of a target
(``type_of_target``), its distinct labels and the positive label.

Label discovery avoids sorting where it can: one early-exit pass finds at most
two distinct values (the common binary case), a parallel min/max pass finds a
small integer range; ``np.unique`` is the fallback.
"""

import numpy as np

from .backend import kernels
from .checks import assert_all_finite
from .. import config

def kind_of_1d(a):
    """'numeric', 'string', or 'unknown' (scikit-learn's 'unknown')."""
    k = a.dtype.kind
    if k in "biuf":
        return "numeric"
    if k in "US":
        if k == "S":
            raise TypeError(
                "Support for labels represented as bytes is not supported. Convert "
                "the labels to a string or integer format."
            )
        return "string"
    if k == "O":
        if a.size and isinstance(a.flat[0], str):
            return "string"
        if a.size and isinstance(a.flat[0], bytes):
            raise TypeError(
                "Support for labels represented as bytes is not supported. Convert "
                "the labels to a string or integer format."
            )
        return "unknown"
    return "unknown"


def is_multilabel(a):
    """scikit-learn's ``is_multilabel`` for a dense 2-D array, without sorting."""
    if a.ndim != 2 or a.shape[1] <= 1:
        return False
    if a.dtype.kind == "b":
        return True
    if a.dtype.kind not in "iuf" or a.size == 0:
        return a.size == 0 and a.dtype.kind in "iuf"
    lo = a.min()
    hi = a.max()
    if a.dtype.kind == "f" and not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if not np.all((a == lo) | (a == hi)):
        return False
    if a.dtype.kind == "f":
        return float(lo).is_integer() and float(hi).is_integer()
    return True


def type_of_target(a, name):
    """scikit-learn's type_of_target (used for messages on the error paths)."""
    if a.ndim == 2 and a.shape[1] > 1 and is_multilabel(a):
        return "multilabel-indicator"
    if a.ndim not in (1, 2):
        return "unknown"
    if not min(a.shape):
        return "binary" if a.ndim == 1 else "unknown"
    if a.dtype == object and not isinstance(a.flat[0], str):
        return "unknown"
    suffix = "-multioutput" if (a.ndim == 2 and a.shape[1] > 1) else ""
    if a.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            integral = np.all(a == np.round(a)) and np.all(np.isfinite(a))
        if not integral:
            assert_all_finite(a, name)
            return "continuous" + suffix
    if suffix:
        return "multiclass" + suffix
    try:
        n_unique = np.unique(a.reshape(-1)).shape[0]
    except TypeError:
        n_unique = len(set(a.reshape(-1).tolist()))
    return "multiclass" if n_unique > 2 else "binary"


def unique(y):
    """Sorted distinct values; one early-exit pass for (at most) binary labels."""
    if y.ndim != 1:
        return np.unique(y)
    if y.dtype.kind in "biuf" and y.size >= config.PARALLEL_MIN and y.ndim == 1:
        # the common binary case at scale: min and max in one parallel pass
        # (and, unless they are consecutive integers, one count of the rest)
        yk = y.view(np.uint8) if y.dtype.kind == "b" else np.ascontiguousarray(y)
        kb = kernels("bucket_sort", n=yk.shape[0])
        lo, hi, nan = kb.min_max(yk)
        if not nan:
            if lo == hi:
                return np.array([lo]).astype(y.dtype)
            if (yk.dtype.kind in "iu" and int(hi) - int(lo) == 1) or kb.count_other(
                    yk, lo, hi) == 0:
                return np.array([lo, hi]).astype(y.dtype)
            if yk.dtype.kind in "iu" and int(hi) - int(lo) < 4096:
                present = np.flatnonzero(kb.small_range_counts(yk, int(lo),
                                                               int(hi) - int(lo) + 1))
                return (present + int(lo)).astype(y.dtype)
    if y.dtype.kind in "biuf" and y.size:
        # the common binary case: one pass, no sort, no temporaries
        yk = y.view(np.uint8) if y.dtype.kind == "b" else y
        out = np.empty(2, dtype=yk.dtype)
        found = kernels("ranking", n=yk.shape[0]).first_distinct(yk, out)
        if found <= 2 and not (y.dtype.kind == "f" and np.isnan(out[:found]).any()):
            return np.sort(out[:found]).astype(y.dtype)
    if y.dtype.kind in "biu" and y.size:
        yi = y.view(np.uint8) if y.dtype.kind == "b" else y
        lo, hi = int(yi.min()), int(yi.max())
        if hi - lo < 4096:
            present = np.flatnonzero(np.bincount((yi - lo).astype(np.intp, copy=False),
                                                 minlength=hi - lo + 1))
            return (present + lo).astype(y.dtype)
    return np.unique(y)


def binary_target_type(y_true, with_classes=False):
    """"binary", "multiclass", "continuous" or "unknown" for 1-D labels; with
    ``with_classes`` also the sorted distinct labels (None when not found)."""
    y_type, classes = "unknown", None
    if y_true.dtype == object and y_true.size and not isinstance(y_true.flat[0], str):
        pass
    elif y_true.dtype.kind == "f" and not np.all(np.isfinite(y_true)):
        raise ValueError("Input y_true contains NaN or infinity.")
    elif y_true.dtype.kind == "f" and not np.all(y_true == np.round(y_true)):
        y_type = "continuous"
    else:
        classes = unique(y_true)
        y_type = "binary" if classes.shape[0] <= 2 else "multiclass"
    return (y_type, classes) if with_classes else y_type


def check_pos_label(pos_label, y_true):
    """scikit-learn's _check_pos_label_consistency."""
    if pos_label is None:
        classes = unique(y_true)
        if classes.dtype.kind in "OUS" or classes.shape[0] > 2 or not (
            np.array_equal(classes, [0, 1]) or np.array_equal(classes, [-1, 1])
            or np.array_equal(classes, [0]) or np.array_equal(classes, [-1])
            or np.array_equal(classes, [1])
        ):
            classes_repr = ", ".join([repr(c) for c in classes.tolist()])
            raise ValueError(
                f"y_true takes value in {{{classes_repr}}} and pos_label is not "
                "specified: either make y_true take value in {0, 1} or "
                "{-1, 1} or pass pos_label explicitly."
            )
        pos_label = 1
    return pos_label
