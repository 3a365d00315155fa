"""Calibration: expected calibration error, reliability diagrams, ``calibration_curve``.

A model is calibrated when, among the tokens it gives confidence ``c``, a
fraction ``c`` is right.  Tokens are grouped into bins of confidence; per bin
the weighted mean confidence is compared with the weighted accuracy.

* ``task="binary"``: the confidence is the predicted probability of the
  positive class and "accuracy" is the fraction of positive labels (the
  reading of torchmetrics' ``binary_calibration_error`` and of scikit-learn's
  ``calibration_curve``).
* ``task="multiclass"``: the confidence is the largest probability of the row
  (the *top-label* confidence) and a token is correct when that class (the
  first maximum, like ``numpy.argmax``) is the true one (torchmetrics'
  ``multiclass_calibration_error``).

Bins (``n_bins`` of them):

* ``strategy="uniform"`` (equal width): bin ``k`` is ``[k/n, (k+1)/n)``, the
  last bin closed ``[(n-1)/n, 1]``.  These are torchmetrics' bins for every
  confidence below 1; torchmetrics puts a confidence of exactly 1.0 into an
  extra bin of its own, fastmetrics into the last bin (like scikit-learn and
  Guo et al., 2017).
* ``strategy="quantile"`` (equal mass): with ``W`` the total weight and
  ``S(c)`` the weight of the tokens whose confidence is ``<= c``, a token of
  confidence ``c`` goes to bin ``#{k in 1..n-1 : k * W < n * S(c)}``, i.e.
  ``ceil(n * S(c) / W) - 1``.  Tokens of equal confidence share a bin, each
  bin holds about ``W / n`` of the weight (exactly, without ties and with
  equal weights when ``n`` divides the token count) and zero-weight tokens are
  dropped.  Bin ``k`` is ``[q_k, q_{k+1})`` (the last closed) where
  ``q_k = min{c : n * S(c) > k * W}`` (``q_0`` the smallest, ``q_n`` the
  largest confidence); bins between equal edges are empty.

The error over the non-empty bins, with ``p_k`` the bin's share of the weight
and ``acc_k``, ``conf_k`` its weighted accuracy and mean confidence:

* ``norm="l1"`` (ECE): ``sum_k p_k |acc_k - conf_k|``;
* ``norm="l2"`` (RMSCE): ``sqrt(sum_k p_k (acc_k - conf_k)**2)``;
* ``norm="max"`` (MCE): ``max_k |acc_k - conf_k|``.

Equal-width bins are computed in one fused, chunk-parallel kernel pass
(``_kernels/cpu/calibration``) whose float64 bin sums are also the state of the
streaming :class:`CalibrationError`; equal-mass bins need the order of the
confidences (one validating pass, a stable sort, a binning pass).
"""

import numbers
import warnings
from collections import namedtuple

import numpy as np

from .. import config
from .._kernels import codes
from .._core.backend import by_size, kernels
from .._core.checks import (
    as_array,
    check_ignore_index,
    check_pos_label_type,
    column_or_1d,
)
from .._core.docs import fill
from .._core.errors import first_bad, token_position
from .._core.tokens import TokenShapeError, read_tokens
from .._core.targets import check_pos_label
from ..exceptions import UndefinedMetricWarning

__all__ = [
    "ReliabilityDiagram",
    "calibration_curve",
    "expected_calibration_error",
    "reliability_diagram",
]

_NORMS = ("l1", "l2", "max")
_STRATEGIES = ("uniform", "quantile")


def _kernels(yp):
    """The calibration kernels for probabilities ``yp``, (n,) or (n, C): n
    and the size pick the tier (``kernels``)."""
    return kernels("calibration", yp, n=yp.shape[0], elements=yp.size)


ReliabilityDiagram = namedtuple(
    "ReliabilityDiagram", ["edges", "count", "weight", "confidence", "accuracy"]
)
ReliabilityDiagram.__doc__ = """Per-bin data of a reliability diagram.

Attributes
----------
edges : ndarray of shape (n_bins + 1,), float64
    Bin ``k`` is ``[edges[k], edges[k + 1])``; the last bin is closed.
count : ndarray of shape (n_bins,), int64
    Tokens in each bin (zero-weight tokens included for uniform bins).
weight : ndarray of shape (n_bins,), float64
    Sum of the token weights in each bin (the token count when unweighted).
confidence : ndarray of shape (n_bins,), float64
    Weighted mean confidence of each bin; NaN for a bin of zero weight.
accuracy : ndarray of shape (n_bins,), float64
    Weighted fraction of correct tokens (binary: of positive labels) in each
    bin; NaN for a bin of zero weight.
"""


# --------------------------------------------------------------- validation
def _check_task(task):
    if task not in ("binary", "multiclass"):
        raise ValueError(f"task must be 'binary' or 'multiclass'; got {task!r}.")


def _check_n_bins(n_bins):
    if isinstance(n_bins, (bool, np.bool_)) or not isinstance(n_bins, numbers.Integral) \
            or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1; got {n_bins!r}.")
    return int(n_bins)


def _check_norm(norm):
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of 'l1', 'l2', 'max'; got {norm!r}.")


def _check_strategy(strategy):
    if strategy not in _STRATEGIES:
        raise ValueError(
            f"strategy must be 'uniform' (equal width) or 'quantile' (equal mass); "
            f"got {strategy!r}."
        )


def _check_num_classes(num_classes):
    if num_classes is None:
        return None
    if isinstance(num_classes, (bool, np.bool_)) or not isinstance(
            num_classes, numbers.Integral) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2; got {num_classes!r}.")
    return int(num_classes)


#: The input forms of the calibration family (see ``_core.tokens``): ids with
#: probabilities of the token shape, a sigmoid output S + (1,) or a two-unit
#: output S + (2,) read by its positive column; multiclass rows S + (C,).
_FORMS = {
    "binary": ("ids+two_unit", "ids+one_unit", "same"),
    "multiclass": ("ids+scores",),
}


def _prepare(y_true, y_prob, task, num_classes, sample_weight, mask, ignore_index):
    """Flat token arrays and options for the kernels.

    Returns ``(yt, yp, K, w, rep, mask, ignore, token_shape)``.
    """
    _check_task(task)
    num_classes = _check_num_classes(num_classes)
    ignore = check_ignore_index(ignore_index)
    yt, yp = _numbers(y_true, y_prob)
    if task == "binary" and num_classes not in (None, 2):
        raise ValueError(
            f"num_classes must be 2 (or None) with task='binary'; got {num_classes}."
        )
    view = _read_tokens(task, yt, yp, num_classes)
    if view.n == 0:
        raise ValueError(f"y_true has no tokens (shape {view.token_shape}).")
    view.keep(mask).weigh(sample_weight)
    yt, yp = _kernel_arrays(view)
    return yt, yp, view.C, view.w, view.rep, view.mask, ignore, view.token_shape


def _numbers(y_true, y_prob):
    """``y_true`` and ``y_prob`` as NumPy arrays of numbers (labels: not 0-d)."""
    yt = as_array(y_true, "y_true")
    yp = as_array(y_prob, "y_prob")
    if yt.dtype.kind not in "biuf":
        raise ValueError(
            f"y_true must hold integer class labels (numbers); got dtype {yt.dtype}."
        )
    if yp.dtype.kind not in "biuf":
        raise ValueError(f"y_prob must hold probabilities (numbers); got dtype {yp.dtype}.")
    if yt.ndim == 0:
        raise ValueError("y_true must be an array of labels, not a scalar.")
    return yt, yp


def _read_tokens(task, yt, yp, num_classes):
    """The token view (``C``: the classes K), or this family's shape message."""
    try:
        view = read_tokens(task, yt, yp, _FORMS[task])
    except TokenShapeError:
        view = None
    if view is None and task == "binary":
        raise ValueError(
            f"y_prob has shape {yp.shape} but y_true has shape {yt.shape}; with "
            "task='binary' y_prob holds one probability of the positive class per "
            "token (the same shape as y_true)."
        )
    if view is None:
        raise ValueError(
            f"y_prob has shape {yp.shape} but y_true has shape {yt.shape}; with "
            "task='multiclass' y_prob must have the token shape of y_true plus a "
            "class axis: S + (C,)."
        )
    K = view.C
    if K < 2:
        raise ValueError(
            f"y_prob must have at least 2 classes on its last axis; got {K}."
        )
    if task == "multiclass" and num_classes is not None and num_classes != K:
        raise ValueError(
            f"num_classes is {num_classes} but y_prob has {K} classes on its last "
            "axis."
        )
    return view


def _kernel_arrays(view):
    """Contiguous flat labels and probabilities (binary: of the positive class)
    in the dtypes the kernels take."""
    yt, yp = view.true, view.positive()
    if yp.dtype.kind != "f":
        yp = yp.astype(np.float64)
    elif yp.dtype.itemsize < 4:
        yp = yp.astype(np.float32)
    if yt.dtype.kind == "f" and yt.dtype.itemsize < 4:
        yt = yt.astype(np.float32)
    yt = np.ascontiguousarray(yt).reshape(-1)
    yp = np.ascontiguousarray(yp).reshape(-1) if view.task == "binary" else \
        np.ascontiguousarray(yp).reshape(view.n, view.C)
    return yt, yp


def _raise_bad(bad_index, bad_code, yt, yp, K, w, rep, token_shape, task):
    bad = first_bad(bad_index, bad_code)
    if bad is None:
        return
    code, i = bad
    pos = token_position(i, token_shape)
    if code == codes.WEIGHT_INVALID:
        raise ValueError(
            f"sample_weight must be finite and >= 0; got {w[i // rep].item()!r} at token {pos}."
        )
    if code == codes.TRUE_INVALID:
        if task == "binary":
            raise ValueError(
                f"y_true must hold 0 or 1 with task='binary'; got {yt[i].item()!r} at token "
                f"{pos}."
            )
        raise ValueError(
            f"y_true has a label that is not an integer class id in [0, {K}): "
            f"{yt[i].item()!r} at token {pos}."
        )
    bad = yp[i].tolist()  # a number (binary) or the row (multiclass)
    raise ValueError(
        f"y_prob must hold probabilities in [0, 1] (no NaN); got {bad!r} at token {pos}."
    )


def _uniform_edges(n_bins):
    return np.arange(n_bins + 1, dtype=np.float64) / n_bins


def _uniform_sums(yt, yp, K, n_bins, w, rep, mask, ignore, token_shape, task):
    """Equal-width bins: (count int64, weight, conf sum, correct sum float64), each (n_bins,)."""
    k = _kernels(yp)
    n = yt.shape[0]
    kern = by_size(k, "calibration_chunks", n)
    count, weight, conf, correct, bad_index, bad_code = kern(
        yt, yp, K, n_bins, _uniform_edges(n_bins), w, rep, mask, ignore, config.CHUNK
    )
    _raise_bad(bad_index, bad_code, yt, yp, K, w, rep, token_shape, task)
    # reduce the per-chunk rows in chunk order (deterministic)
    return count.sum(axis=0), weight.sum(axis=0), conf.sum(axis=0), correct.sum(axis=0)


def _quantile_sums(yt, yp, K, n_bins, w, rep, mask, ignore, token_shape, task):
    """Equal-mass bins: (edges, count, weight, conf sum, correct sum).

    One validating pass writes a sort key per token (confidence bits and the
    correct bit), the keys are sorted (``np.sort``; an ``argsort`` carries the
    weights when there are any) and one pass in sorted order bins and sums.
    """
    k = _kernels(yp)
    n = yt.shape[0]
    keys = np.empty(n, dtype=np.uint64)
    wts = np.empty(n if w is not None else 0, dtype=np.float64)
    kern = by_size(k, "calibration_keys", n)
    kept, bad_index, bad_code = kern(yt, yp, K, w, rep, mask, ignore, config.CHUNK, keys,
                                     wts)
    _raise_bad(bad_index, bad_code, yt, yp, K, w, rep, token_shape, task)
    m = int(kept.sum())
    if m == 0:
        return (np.full(n_bins + 1, np.nan), np.zeros(n_bins, np.int64),
                np.zeros(n_bins), np.zeros(n_bins), np.zeros(n_bins))
    if w is None:
        keys.sort()  # dropped tokens sort last
        sk = keys[:m]
        sw = None
    else:
        order = np.argsort(keys)[:m]
        sk = keys[order]
        sw = wts[order]
    conf = (sk >> np.uint64(1)).view(np.float64)
    return k.quantile_scan(sk, conf, sw, n_bins)


def _bins(y_true, y_prob, task, num_classes, n_bins, strategy, sample_weight, mask,
          ignore_index):
    n_bins = _check_n_bins(n_bins)
    _check_strategy(strategy)
    yt, yp, K, w, rep, m, ignore, shape = _prepare(
        y_true, y_prob, task, num_classes, sample_weight, mask, ignore_index
    )
    if strategy == "uniform":
        sums = _uniform_sums(yt, yp, K, n_bins, w, rep, m, ignore, shape, task)
        return (_uniform_edges(n_bins),) + sums
    return _quantile_sums(yt, yp, K, n_bins, w, rep, m, ignore, shape, task)


def _error_from_sums(weight, conf, correct, norm):
    total = weight.sum()
    if not total > 0:
        warnings.warn(
            "The calibration error is undefined when no token carries weight (all "
            "masked, ignored or weighted 0); returning nan.",
            UndefinedMetricWarning, stacklevel=3,
        )
        return float("nan")
    nz = weight > 0
    gap = np.abs(correct[nz] - conf[nz])  # weight * |acc_k - conf_k|
    if norm == "l1":
        return float(gap.sum() / total)
    dev = gap / weight[nz]  # |acc_k - conf_k|
    if norm == "max":
        return float(dev.max())
    return float(np.sqrt((weight[nz] * dev * dev).sum() / total))


def _diagram_from_sums(edges, count, weight, conf, correct):
    with np.errstate(invalid="ignore", divide="ignore"):
        nz = weight > 0
        mean_conf = np.where(nz, conf / np.where(nz, weight, 1.0), np.nan)
        acc = np.where(nz, correct / np.where(nz, weight, 1.0), np.nan)
    return ReliabilityDiagram(edges, count, weight, mean_conf, acc)


_COMMON_PARAMS = """
    y_true : array-like of token shape S, e.g. (N,) or (N, T)
        Labels: 0 or 1 (binary), class ids in ``[0, C)`` (multiclass);
        integers, bools or integral floats.
    y_prob : array-like of floats, shape S (binary) or S + (C,) (multiclass)
        Binary: the probability of the positive class (``S + (1,)`` is
        squeezed; a two-unit output ``S + (2,)`` is read by its column 1).
        Multiclass: the class probabilities of each token (the largest is the
        confidence).  Values must lie in [0, 1]; NaN is an error (logits are
        not accepted).
    task : {"binary", "multiclass"}, default="binary"
    num_classes : int, default=None
        Multiclass: ``C``, checked against ``y_prob.shape[-1]`` when given.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width or equal-mass bins (defined in the module docstring).
    sample_weight : array-like of shape (N,) or S, default=None
        Non-negative weights aligned with the leading axes of the tokens
        (one per sequence or one per token).
    mask : bool array of shape S, default=None
        Tokens where ``mask`` is False are left out.
    ignore_index : int, default=None
        Tokens whose label equals this value are left out."""


@fill(common_params=_COMMON_PARAMS)
def expected_calibration_error(y_true, y_prob, *, task="binary", num_classes=None,
                               n_bins=15, norm="l1", strategy="uniform",
                               sample_weight=None, mask=None, ignore_index=None):
    """Expected (l1), root-mean-square (l2) or maximum (max) calibration error.

    With equal-width bins and no weights, mask or ``confidence == 1.0``
    tokens, the value is torchmetrics' ``binary_calibration_error`` /
    ``multiclass_calibration_error`` with the same ``n_bins`` and ``norm``.

    Parameters
    ----------
    {common_params}
    norm : {"l1", "l2", "max"}, default="l1"
        ``sum_k p_k |acc_k - conf_k|``, ``sqrt(sum_k p_k (acc_k - conf_k)**2)``
        or ``max_k |acc_k - conf_k|`` over the bins that carry weight, where
        ``p_k`` is the bin's share of the total weight.

    Returns
    -------
    float
        In [0, 1]; NaN (with an ``UndefinedMetricWarning``) when no token
        carries weight.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.calibration import expected_calibration_error
    >>> y_prob = np.array([0.25, 0.25, 0.55, 0.75, 0.75])
    >>> y_true = np.array([0, 0, 1, 1, 1])
    >>> round(expected_calibration_error(y_true, y_prob, n_bins=2), 4)
    0.29
    >>> round(expected_calibration_error(y_true, y_prob, n_bins=2, norm="max"), 4)
    0.3167
    """
    _check_norm(norm)
    edges, count, weight, conf, correct = _bins(
        y_true, y_prob, task, num_classes, n_bins, strategy, sample_weight, mask,
        ignore_index,
    )
    return _error_from_sums(weight, conf, correct, norm)


@fill(common_params=_COMMON_PARAMS)
def reliability_diagram(y_true, y_prob, *, task="binary", num_classes=None, n_bins=15,
                        strategy="uniform", sample_weight=None, mask=None,
                        ignore_index=None):
    """Per-bin weight, mean confidence and accuracy: the data of a reliability diagram.

    Plot ``accuracy`` against ``confidence`` (or against the bin centres);
    a calibrated model lies on the diagonal.

    Parameters
    ----------
    {common_params}

    Returns
    -------
    ReliabilityDiagram
        Named tuple ``(edges, count, weight, confidence, accuracy)``: edges
        (n_bins + 1,) float64, count (n_bins,) int64, weight, confidence and
        accuracy (n_bins,) float64; confidence and accuracy are NaN for bins
        without weight.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.calibration import reliability_diagram
    >>> d = reliability_diagram(np.array([0, 0, 1, 1, 1]),
    ...                         np.array([0.25, 0.25, 0.55, 0.75, 0.75]), n_bins=2)
    >>> d.edges
    array([0. , 0.5, 1. ])
    >>> d.count, d.weight
    (array([2, 3]), array([2., 3.]))
    >>> d.confidence, d.accuracy
    (array([0.25      , 0.68333333]), array([0., 1.]))
    """
    edges, count, weight, conf, correct = _bins(
        y_true, y_prob, task, num_classes, n_bins, strategy, sample_weight, mask,
        ignore_index,
    )
    return _diagram_from_sums(edges, count, weight, conf, correct)


# ------------------------------------------------------ scikit-learn drop-in

def calibration_curve(y_true, y_prob, *, pos_label=None, n_bins=5, strategy="uniform"):
    """Fraction of positives and mean predicted probability per bin (scikit-learn drop-in).

    Same arguments, results, bins and errors as
    ``sklearn.calibration.calibration_curve`` (1.9): uniform bins
    ``np.linspace(0, 1, n_bins + 1)``, quantile bins from ``np.percentile``,
    each bin ``(edge_k, edge_{k+1}]`` (the first also takes its left edge),
    empty bins dropped.  One difference: NaN in ``y_prob`` raises
    ``ValueError`` (scikit-learn returns NaN for the last bin).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets (two distinct values at most).
    y_prob : array-like of shape (n_samples,)
        Probabilities of the positive class, in [0, 1].
    pos_label : int, float, bool or str, default=None
        The positive class; inferred as 1 for labels in {0, 1} or {-1, 1}.
    n_bins : int, default=5
        Number of bins; bins without samples are not returned.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins, or bins holding the same number of samples.

    Returns
    -------
    prob_true : ndarray of shape (n_nonempty_bins,), float64
        Fraction of positives in each bin.
    prob_pred : ndarray of shape (n_nonempty_bins,), float64
        Mean predicted probability in each bin.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.calibration import calibration_curve
    >>> y_true = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> y_pred = np.array([0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9,  1.])
    >>> prob_true, prob_pred = calibration_curve(y_true, y_pred, n_bins=3)
    >>> prob_true
    array([0. , 0.5, 1. ])
    >>> prob_pred
    array([0.2  , 0.525, 0.85 ])
    """
    if isinstance(n_bins, (bool, np.bool_)) or not isinstance(n_bins, numbers.Integral) \
            or n_bins < 1:
        raise ValueError(
            "The 'n_bins' parameter of calibration_curve must be an int in the range "
            f"[1, inf). Got {n_bins!r} instead."
        )
    if not isinstance(strategy, str) or strategy not in _STRATEGIES:
        raise ValueError(
            "The 'strategy' parameter of calibration_curve must be a str among "
            f"{{'uniform', 'quantile'}}. Got {strategy!r} instead."
        )
    check_pos_label_type(pos_label)
    y_true = column_or_1d(y_true, "y_true")
    y_prob = column_or_1d(y_prob, "y_prob")
    if y_true.shape[0] != y_prob.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{[int(y_true.shape[0]), int(y_prob.shape[0])]!r}"
        )
    if y_true.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
        )
    if y_prob.dtype.kind not in "biuf":
        raise ValueError(f"y_prob must hold real numbers; got dtype {y_prob.dtype}.")
    pos_label = check_pos_label(pos_label, y_true)
    if np.isnan(y_prob).any():
        raise ValueError("y_prob contains NaN.")
    if y_prob.min() < 0 or y_prob.max() > 1:
        raise ValueError("y_prob has values outside [0, 1].")
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(
            f"Only binary classification is supported. Provided labels {labels}."
        )
    y_true = y_true == pos_label
    if strategy == "quantile":
        bins = np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    binids = np.searchsorted(bins[1:-1], y_prob)
    bin_sums = np.bincount(binids, weights=y_prob, minlength=n_bins)
    bin_true = np.bincount(binids, weights=y_true, minlength=n_bins)
    bin_total = np.bincount(binids, minlength=n_bins)
    nonzero = bin_total != 0
    prob_true = bin_true[nonzero] / bin_total[nonzero]
    prob_pred = bin_sums[nonzero] / bin_total[nonzero]
    return prob_true, prob_pred
