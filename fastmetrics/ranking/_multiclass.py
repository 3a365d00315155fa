"""Multiclass ranking: one-vs-one ROC AUC, multiclass average precision and
``top_k_accuracy_score`` (scikit-learn drop-ins).

* One-vs-one (Hand & Till 2001): each present class's score column is sorted
  once (radix sort of order-preserving keys, as in :mod:`fastmetrics.ranking`)
  and one scan counts, against every other class at once, the pairs it ranks
  above / ties with (Mann-Whitney).  ``AUC(a | b)`` by column ``a`` is the
  trapezoidal ROC AUC scikit-learn computes on the rows of classes ``a`` and
  ``b``; unweighted counts are int64, so the pair AUCs are exact ratios.
  ``C`` sorts of ``n`` instead of ``C (C - 1)`` sorts of pair subsets.
* Multiclass average precision: one binary problem per class column
  (scikit-learn's ``label_binarize`` then the multilabel averages); the
  ``"samples"`` average is one pass over the rows (each row has one positive,
  its AP is ``1 / #{classes scoring >= the true class}``).
* Top-k accuracy: one pass over the rows counting how many classes outrank the
  true class (ties broken as scikit-learn's stable argsort does), in parallel
  over fixed-size chunks.

The cores take flat arrays: class codes ``(n,)`` int64, scores ``(n, C)``,
weights ``(n,)`` float64 or None.
"""

import numbers
import warnings

import numpy as np

from .. import config
from .._core.backend import by_size, kernels
from .._core.checks import as_array, check_weight_values, column_or_1d
from .._core.targets import unique
from ..exceptions import UndefinedMetricWarning
from . import _binary


def _kernels(n=None):
    return kernels("ranking_multiclass", n=n)


def _sort_kernels(n=None):
    return kernels("ranking", n=n)


# ----------------------------------------------------------------- shared helpers


def _real_scores(ys, name="y_score"):
    """A real-valued view (or conversion) of ``ys`` that the kernels accept."""
    if ys.dtype.kind == "b":
        return ys.view(np.uint8)  # same order, no copy
    if ys.dtype.kind == "O":
        try:
            return ys.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold real numbers; got dtype object.")
    if ys.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {ys.dtype}.")
    if ys.dtype == np.float16:
        return ys.astype(np.float32)
    if ys.dtype.kind == "f" and ys.dtype not in (np.float32, np.float64):
        return ys.astype(np.float64)
    return ys


def _encode(y, classes):
    """int64 codes of ``y`` in the sorted ``classes``, or None if some value of
    ``y`` is not a class."""
    C = classes.shape[0]
    if C == 0:
        return None
    if (y.dtype.kind in "biu" and classes.dtype.kind in "biu"
            and int(classes[0]) == 0 and int(classes[-1]) == C - 1):
        # classes 0..C-1: the labels are their codes
        if y.size and (int(y.min()) < 0 or int(y.max()) > C - 1):
            return None
        return y.astype(np.int64, copy=False)
    try:
        codes = np.searchsorted(classes, y)
        found = classes[np.minimum(codes, C - 1)] == y
    except TypeError:  # labels of incomparable types
        return None
    if not np.all(found):
        return None
    return codes.astype(np.int64, copy=False)


def _check_weights(sample_weight, n):
    """float64 (n,) weights (finite, >= 0) or None."""
    if sample_weight is None:
        return None
    sw = column_or_1d(sample_weight, "sample_weight")
    if sw.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must hold real numbers; got dtype {sw.dtype}.")
    if sw.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r"
            % [n, n, sw.shape[0]]
        )
    return np.ascontiguousarray(check_weight_values(sw))


def _chunked(name, y_score):
    """The row kernel ``name`` for the (n, C) scores: serial for one chunk of
    rows; the NumPy tier's for at most ``config.NUMPY_MAX`` scores."""
    k = _kernels(n=y_score.size)
    return by_size(k, name, y_score.shape[0], config.RANKING_CHUNK)


def _raise_bad_row(bad):
    hit = bad[bad >= 0]
    if hit.size:
        raise ValueError(
            f"y_score contains NaN or infinity (first bad score in row {int(hit[0])})"
        )


# ----------------------------------------------------------------- one-vs-one


def _column_keys(col, k):
    """(order-preserving unsigned keys, key bits, first bad index) of a 1-D
    contiguous score column (the key functions ``k`` of the binary ranking
    path)."""
    if col.dtype == np.float32:
        keys = np.empty(col.shape[0], dtype=np.uint32)
        bad = k.keys_from_float(col, col.view(np.uint32), np.uint32(1 << 31), keys)
        return keys, 32, bad
    if col.dtype.kind in "iu" and not (
        col.dtype == np.uint64 and col.size and col.max() >= 2**63
    ):
        keys = np.empty(col.shape[0], dtype=np.uint64)
        return keys, 64, k.keys_from_int(col, keys)
    col = np.ascontiguousarray(col, dtype=np.float64)
    keys = np.empty(col.shape[0], dtype=np.uint64)
    bad = k.keys_from_float(col, col.view(np.uint64), np.uint64(1 << 63), keys)
    return keys, 64, bad


def ovo_pair_auc(codes, y_score, w=None):
    """One-vs-one pair AUCs of the classes present in ``codes``.

    Parameters
    ----------
    codes : int64 ndarray of shape (n,)
        Class index of each row, in ``[0, C)``.
    y_score : ndarray of shape (n, C), real
        Score of each class; column ``c`` scores class ``c``.
    w : float64 ndarray of shape (n,) or None
        Row weights (an extension: scikit-learn's one-vs-one takes none).

    Returns
    -------
    present : int64 ndarray of shape (m,)
        The classes present, ascending.
    auc : float64 ndarray of shape (m, m)
        ``auc[i, j]``: ROC AUC of class ``present[i]`` against class
        ``present[j]`` on their rows, scored by column ``present[i]`` (ties
        count one half); the diagonal is meaningless.
    total : ndarray of shape (m,)
        Rows (int64) or weight sums (float64) of each present class.
    """
    k = _sort_kernels(n=y_score.size)
    scan = _kernels(n=y_score.size).ovo_column_scan
    C = y_score.shape[1]
    counts = np.bincount(codes, minlength=C)
    present = np.flatnonzero(counts)
    m = present.shape[0]
    if m < C:
        remap = np.full(C, -1, dtype=np.int64)
        remap[present] = np.arange(m)
        codes = remap[codes]
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    acc_dtype = np.int64 if w is None else np.float64
    if w is None:
        # the radix sort carries the class codes: the narrowest type moves
        # the fewest bytes (int8 payload: ~3x faster than int64 at 1M rows)
        small = np.int8 if m <= 127 else np.int16 if m <= 32767 else np.int32
        payload = codes.astype(small)
    else:
        idx_type = np.int32 if codes.shape[0] < 2**31 else np.int64
        payload = np.arange(codes.shape[0], dtype=idx_type)
    auc = np.full((m, m), np.nan)
    total = None
    for i in range(m):
        col = np.ascontiguousarray(y_score[:, present[i]])
        keys, nbits, bad = _column_keys(col, k)
        if bad >= 0:
            raise ValueError(
                "y_score contains NaN or infinity (first bad score in row "
                f"{int(bad)}, column {int(present[i])})"
            )
        skeys, spay = k.radix_sort(keys, payload, nbits)
        below = np.zeros(m, dtype=acc_dtype)
        grp = np.zeros(m, dtype=acc_dtype)
        acc = np.zeros(m, dtype=acc_dtype)
        scan(skeys, spay, codes, w, i, below, grp, acc)
        total = below
        with np.errstate(divide="ignore", invalid="ignore"):
            auc[i] = acc / (2.0 * np.float64(below[i]) * below.astype(np.float64))
    if total is None:
        total = np.zeros(0, dtype=acc_dtype)
    return present, auc, total


def ovo_roc_auc_core(codes, y_score, average, w=None):
    """Hand & Till one-vs-one ROC AUC from flat arrays.

    Parameters
    ----------
    codes : int64 ndarray of shape (n,)
    y_score : ndarray of shape (n, C)
    average : {"macro", "weighted"}
        Unweighted mean over the pairs of present classes, or weighted by the
        pair's prevalence (the fraction of rows, or of weight, in the pair).
    w : float64 ndarray of shape (n,) or None

    Returns
    -------
    auc : float
    """
    present, auc, total = ovo_pair_auc(codes, y_score, w)
    m = present.shape[0]
    iu, ju = np.triu_indices(m, 1)
    pair_scores = (auc[iu, ju] + auc[ju, iu]) / 2
    prevalence = None
    if average == "weighted":
        n_total = codes.shape[0] if w is None else float(np.sum(w))
        prevalence = (total[iu] + total[ju]) / n_total
    # np.average as scikit-learn calls it: no pair (one class present) gives
    # its nan / ZeroDivisionError
    return float(np.average(pair_scores, weights=prevalence))


def ovo_roc_auc_score(y_true, y_score, classes, average, sample_weight):
    """scikit-learn's one-vs-one branch of ``_multiclass_roc_auc_score``, after
    the shape, probability, ``average`` and ``labels`` checks.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,), labels that are all in ``classes``
    y_score : ndarray of shape (n_samples, n_classes)
    classes : ndarray of shape (n_classes,), sorted
    average : {"macro", "weighted"}
    sample_weight : None (scikit-learn does not support weights here)
    """
    if sample_weight is not None:
        raise ValueError(
            "sample_weight is not supported "
            "for multiclass one-vs-one ROC AUC, "
            "'sample_weight' must be None in this case."
        )
    if y_true.shape[0] != y_score.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r"
            % [y_true.shape[0], y_score.shape[0]]
        )
    codes = _encode(y_true, classes)
    if codes is None:
        raise ValueError("'y_true' contains labels not in parameter 'labels'")
    return ovo_roc_auc_core(codes, _real_scores(y_score), average)


# ----------------------------------------------------------------- average precision


def ap_samples_core(codes, y_score, w=None):
    """Mean (weighted by ``w``) over rows of the per-row average precision of a
    multiclass target: ``1 / #{j : y_score[i, j] >= y_score[i, codes[i]]}``.

    Parameters
    ----------
    codes : int64 ndarray of shape (n,)
    y_score : ndarray of shape (n, C), real
    w : float64 ndarray of shape (n,) or None

    Returns
    -------
    ap : float
    """
    n = codes.shape[0]
    ap_sum, bad = _chunked("ap_samples_chunks", y_score)(y_score, codes, w,
                                                         config.RANKING_CHUNK)
    _raise_bad_row(bad)
    total = float(n) if w is None else float(np.sum(w))
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return float(np.sum(ap_sum) / total)


def multiclass_average_precision(y_true, y_score, average, pos_label, sample_weight):
    """scikit-learn's ``average_precision_score`` for a multiclass ``y_true``.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,), more than two classes
    y_score : array-like of shape (n_samples, n_classes)
        Column ``c`` scores the ``c``-th class of ``y_true`` in sorted order.
    average : {"micro", "macro", "weighted", "samples"} or None
    pos_label : must be 1 (fixed for multiclass targets)
    sample_weight : array-like of shape (n_samples,) or None

    Returns
    -------
    average_precision : float, or float64 ndarray of shape (n_classes,) for
        ``average=None``
    """
    if pos_label != 1:
        raise ValueError(
            "Parameter pos_label is fixed to 1 for multiclass y_true. "
            "Do not set pos_label or set pos_label to 1."
        )
    ys = _real_scores(as_array(y_score, "y_score"))
    classes = unique(y_true)
    n, C = y_true.shape[0], classes.shape[0]
    if ys.shape != (n, C):
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
            "`y_true` contains multiple classes. Got "
            f"`y_score.shape={ys.shape}`."
        )
    codes = _encode(y_true, classes)
    if average == "samples":
        w = _check_weights(sample_weight, n)
        return ap_samples_core(codes, ys, w)
    # label_binarize, then one binary problem per column (the multilabel path)
    indicator = (codes.reshape(-1, 1) == np.arange(C)).view(np.uint8)
    return _binary._average_binary_score(
        lambda t, sc, w: _binary._binary_average_precision(t, sc, 1, w),
        indicator, ys, average, sample_weight,
    )


# ----------------------------------------------------------------- top-k accuracy


def topk_core(codes, y_score, k, w=None):
    """Top-k hits of flat arrays.

    Parameters
    ----------
    codes : int64 ndarray of shape (n,)
        Index of the true class of each row, in ``[0, C)``.
    y_score : ndarray of shape (n, C), real
    k : int >= 1
    w : float64 ndarray of shape (n,) or None

    Returns
    -------
    hits : float
        Number of rows (or their weight) whose true class is among the ``k``
        best-scored classes, scikit-learn's tie order (equal scores: the
        higher class index ranks first).
    total : float
        Number of rows, or their weight sum.
    """
    n = codes.shape[0]
    hits, whits, wtot, bad = _chunked("topk_chunks", y_score)(
        y_score, codes, np.int64(min(k, y_score.shape[1] + 1)), w, config.RANKING_CHUNK
    )
    _raise_bad_row(bad)
    if w is None:
        return float(np.sum(hits)), float(n)
    return float(np.sum(whits)), float(np.sum(wtot))


def warn_k_covers_classes(k, n_classes):
    """scikit-learn's warning when every class is among the top k."""
    if k >= n_classes:
        warnings.warn(
            f"'k' ({k}) greater than or equal to 'n_classes' ({n_classes}) "
            "will result in a perfect score and is therefore meaningless.",
            UndefinedMetricWarning,
            stacklevel=4,
        )


def topk_result(hits, total, normalize):
    """The hits, or their fraction of the total (which must not be 0)."""
    if not normalize:
        return hits
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return hits / total


def _check_topk_params(k, normalize):
    # scikit-learn: k an Integral (bools included) >= 1, normalize a bool
    if not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be an int in the range [1, inf); got {k!r}.")
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be a bool; got {normalize!r}.")


