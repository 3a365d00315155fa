"""Class weighting: scikit-learn drop-ins and a sequence helper.

* :func:`compute_class_weight` and :func:`compute_sample_weight`: scikit-learn
  1.9's ``sklearn.utils.class_weight`` functions (same results, errors and
  warnings);
* :func:`temporal_sample_weight`: the ``(N, T)`` per-token ``sample_weight``
  that Keras' ``fit`` takes for temporal outputs, built from class weights
  (a dict, an array or ``"balanced"``), a mask / ``ignore_index`` and an
  optional per-sequence or per-token weight, in one fused pass.

One deliberate difference from scikit-learn: negative sample weights raise
``ValueError`` (as everywhere in fastmetrics) instead of producing negative
class weights or a division by zero.
"""

import numbers
import warnings

import numpy as np

from .. import config
from .._core.backend import by_size, kernels
from .._core.checks import (
    as_array,
    check_class_weight,
    check_consistent_length,
    check_ignore_index,
    check_mask,
    check_sample_weight,
    check_array_like,
    check_sample_weight_1d,
    column_or_1d,
    is_sparse,
    param_error,
)
from .._core.errors import first_bad, token_position
from .._core.targets import unique

__all__ = [
    "compute_class_weight",
    "compute_sample_weight",
    "temporal_sample_weight",
]


def _kernels():
    return kernels("weighting")


# ---------------------------------------------------------- compute_class_weight

def compute_class_weight(class_weight, *, classes, y, sample_weight=None):
    """Estimate class weights for unbalanced datasets (scikit-learn drop-in).

    Same results, errors and warnings as
    ``sklearn.utils.class_weight.compute_class_weight`` (1.9), except that
    negative ``sample_weight`` values raise ``ValueError``.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        ``"balanced"``: ``n_samples / (n_classes * np.bincount(y))``, or its
        weighted equivalent with ``sample_weight`` (weighted class totals),
        where ``n_classes`` is the number of distinct labels in ``y``.  A dict
        maps class labels to weights; ``None`` gives uniform weights.
    classes : ndarray of shape (n_classes,)
        The classes, as given by ``np.unique(y_org)``.
    y : array-like of shape (n_samples,)
        Original class labels per sample.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples; only used with ``"balanced"``.

    Returns
    -------
    class_weight_vect : ndarray of shape (n_classes,), float64
        ``class_weight_vect[i]`` is the weight of ``classes[i]``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.weighting import compute_class_weight
    >>> y = [1, 1, 1, 1, 0, 0]
    >>> compute_class_weight(class_weight="balanced", classes=np.unique(y), y=y)
    array([1.5 , 0.75])
    """
    func = "compute_class_weight"
    if not (class_weight is None or isinstance(class_weight, dict)
            or (isinstance(class_weight, str) and class_weight == "balanced")):
        param_error(func, "class_weight",
                     "an instance of 'dict', a str among {'balanced'} or None",
                     class_weight)
    if not isinstance(classes, np.ndarray):
        param_error(func, "classes", "an instance of 'numpy.ndarray'", classes)
    check_array_like(func, "y", y)
    check_array_like(func, "sample_weight", sample_weight, allow_none=True)
    return _compute_class_weight(class_weight, classes=classes, y=y,
                                 sample_weight=sample_weight)


def _compute_class_weight(class_weight, *, classes, y, sample_weight=None):
    y_arr = np.asarray(y)
    unique_y = np.unique(y_arr) if y_arr.ndim != 1 else unique(y_arr)
    if set(unique_y.tolist()) - set(np.asarray(classes).tolist()):
        raise ValueError("classes should include all valid labels that can be in y")
    if class_weight is None or len(class_weight) == 0:
        return np.ones(classes.shape[0], dtype=np.float64)
    if isinstance(class_weight, str) and class_weight == "balanced":
        y1 = column_or_1d(y_arr, warn=True)
        le_classes = unique(y1)
        if not np.all(np.isin(classes, le_classes.astype(classes.dtype))):
            raise ValueError("classes should have valid labels that are in y")
        sw = check_sample_weight_1d(sample_weight, y1.shape[0])
        if sw is None:
            sw = np.ones(y1.shape[0], dtype=np.float64)
        y_ind = _encode(y1, le_classes)
        counts = np.bincount(y_ind, weights=sw, minlength=le_classes.shape[0])
        recip_freq = np.sum(counts) / (le_classes.shape[0] * counts)
        return recip_freq[np.searchsorted(le_classes, classes)]
    # a user-defined dictionary
    weight = np.ones(classes.shape[0], dtype=np.float64)
    unweighted = []
    for i, c in enumerate(classes):
        try:
            c = int(c)
        except ValueError:  # classes holds strings
            c = str(c)
        if c in class_weight:
            weight[i] = class_weight[c]
        else:
            unweighted.append(c)
    n_weighted = classes.shape[0] - len(unweighted)
    if unweighted and n_weighted != len(class_weight):
        raise ValueError(
            f"The classes, {np.array(unweighted).tolist()}, are not in class_weight"
        )
    return weight


def _encode(y, classes):
    """Index of each label of ``y`` in the sorted ``classes`` (all present)."""
    if y.dtype.kind in "biu" and classes.size:
        lo = int(classes[0])
        span = int(classes[-1]) - lo + 1
        if span == classes.shape[0]:  # consecutive integers: no search
            return (y.astype(np.int64, copy=False) - lo).astype(np.intp, copy=False)
    return np.searchsorted(classes, y)


# ---------------------------------------------------------- compute_sample_weight

def compute_sample_weight(class_weight, y, *, indices=None):
    """Estimate sample weights by class for unbalanced datasets (scikit-learn drop-in).

    Same results, errors and warnings as
    ``sklearn.utils.class_weight.compute_sample_weight`` (1.9).

    Parameters
    ----------
    class_weight : dict, list of dicts, "balanced" or None
        Weights per class ``{class_label: weight}``; for multi-output ``y`` a
        list of dicts (one per column) or ``"balanced"``; the weights of the
        columns multiply.  ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``.
    y : {array-like, sparse matrix} of shape (n_samples,) or (n_samples, n_outputs)
        Original class labels per sample.
    indices : array-like of shape (n_subsample,), default=None
        Indices of a subsample (possibly with repeats, as in a bootstrap); the
        "balanced" weights are then computed on the subsample and classes
        missing from it get weight 0.  Only ``"balanced"`` is allowed.

    Returns
    -------
    sample_weight_vect : ndarray of shape (n_samples,), float64

    Examples
    --------
    >>> from fastmetrics.weighting import compute_sample_weight
    >>> y = [1, 1, 1, 1, 0, 0]
    >>> compute_sample_weight(class_weight="balanced", y=y)
    array([0.75, 0.75, 0.75, 0.75, 1.5 , 1.5 ])
    """
    func = "compute_sample_weight"
    if not (class_weight is None or isinstance(class_weight, (dict, list))
            or (isinstance(class_weight, str) and class_weight == "balanced")):
        param_error(func, "class_weight",
                     "an instance of 'dict', an instance of 'list', a str among "
                     "{'balanced'} or None", class_weight)
    check_array_like(func, "y", y, allow_sparse=True)
    check_array_like(func, "indices", indices, allow_none=True)

    sparse = is_sparse(y)
    if not sparse:
        y = np.atleast_1d(y)
        if y.ndim == 1:
            y = np.reshape(y, (-1, 1))
    n_outputs = y.shape[1]

    if indices is not None and class_weight != "balanced":
        raise ValueError(
            "The only valid class_weight for subsampling is 'balanced'. "
            f"Given {class_weight}."
        )
    elif n_outputs > 1:
        if class_weight is None or isinstance(class_weight, dict):
            raise ValueError(
                "For multi-output, class_weight should be a list of dicts, or the "
                "string 'balanced'."
            )
        elif isinstance(class_weight, list) and len(class_weight) != n_outputs:
            raise ValueError(
                "For multi-output, number of elements in class_weight should match "
                f"number of outputs. Got {len(class_weight)} element(s) while having "
                f"{n_outputs} outputs."
            )

    expanded = []
    for k in range(n_outputs):
        if sparse:
            y_full = np.asarray(y[:, [k]].toarray()).reshape(-1)
        else:
            y_full = y[:, k]
        classes_full = unique(y_full)
        classes_missing = None
        if class_weight == "balanced" or n_outputs == 1:
            class_weight_k = class_weight
        else:
            class_weight_k = class_weight[k]
        if indices is not None:
            y_subsample = y_full[indices]
            classes_subsample = unique(y_subsample)
            weight_k = np.take(
                _compute_class_weight(class_weight_k, classes=classes_subsample,
                                      y=y_subsample),
                np.searchsorted(classes_subsample, classes_full),
                mode="clip",
            )
            classes_missing = set(classes_full) - set(classes_subsample)
        else:
            weight_k = _compute_class_weight(class_weight_k, classes=classes_full,
                                             y=y_full)
        weight_k = weight_k[_encode(y_full, classes_full)]
        if classes_missing:
            weight_k[np.isin(y_full, list(classes_missing))] = 0.0
        expanded.append(weight_k)
    return np.prod(expanded, axis=0, dtype=np.float64)


# ---------------------------------------------------------- temporal_sample_weight

def temporal_sample_weight(y, class_weight="balanced", *, num_classes=None, mask=None,
                           ignore_index=None, sample_weight=None,
                           return_class_weight=False):
    """Per-token ``sample_weight`` for sequence labels, from class weights.

    Builds the ``(N, T)`` array that Keras' ``Model.fit(sample_weight=...)``
    takes for temporal outputs: token ``(i, t)`` gets
    ``sample_weight[i(, t)] * class_weight[y[i, t]]``, and masked or ignored
    tokens get 0.  One counting pass (only for ``"balanced"``) and one writing
    pass, both parallel over fixed-size chunks of tokens; the result does not
    depend on the thread count.

    Parameters
    ----------
    y : array-like of shape (N, T) int, or (N, T, C) one-hot
        Class ids per token (any integer dtype, or floats holding integers;
        ``(N, T, 1)`` is read as ids), or one-hot / probabilistic rows whose
        argmax is the class (first maximum wins).  A 1-D ``(N,)`` array of ids
        is accepted too (one weight per sample).
    class_weight : "balanced", dict, array-like of shape (C,) or None, default="balanced"
        ``"balanced"``: ``n / (n_classes * count[c])`` computed from the kept
        tokens only (scikit-learn's formula, over the ``n_classes`` classes
        present; with ``sample_weight`` the counts are weighted, as in
        ``compute_class_weight(..., sample_weight=...)``).  Classes absent
        from the kept tokens (or whose kept tokens all weigh 0) get weight 0.
        A dict ``{class_id: weight}`` leaves unnamed classes at 1; an array
        gives one weight per class; None weighs every class 1.
    num_classes : int, optional
        C.  Inferred from the one-hot width, the class-weight array, or the
        largest kept label (an extra pass over ``y``; pass it to save it).
    mask : bool array of shape (N, T), optional
        False marks a token to skip (padding): its weight is 0.
    ignore_index : int, optional
        Tokens whose label equals it are skipped (weight 0); ids only.
    sample_weight : array-like of shape (N,) or (N, T), optional
        Per-sequence or per-token weights (finite, >= 0), multiplied in;
        ``(N,)`` applies to every token of sequence ``i`` (aligned from the
        left, not NumPy's trailing alignment).
    return_class_weight : bool, default=False
        Also return the float64 ``(C,)`` class weights that were applied.

    Returns
    -------
    weights : ndarray of shape (N, T), float32
        Zero for masked / ignored tokens.
    class_weight : ndarray of shape (C,), float64
        Only with ``return_class_weight=True``.

    Raises
    ------
    ValueError
        Labels outside ``[0, C)`` (or not integral) at a kept token, NaN/inf
        in one-hot rows, negative or non-finite weights, shapes that do not
        match, an unknown ``class_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastmetrics.weighting import temporal_sample_weight
    >>> y = np.array([[0, 0, 1, -100],
    ...               [0, 2, -100, -100]])
    >>> temporal_sample_weight(y, ignore_index=-100)
    array([[0.5555556, 0.5555556, 1.6666666, 0.       ],
           [0.5555556, 1.6666666, 0.       , 0.       ]], dtype=float32)
    >>> temporal_sample_weight(y, {1: 3.0}, ignore_index=-100, sample_weight=[1.0, 2.0])
    array([[1., 1., 3., 0.],
           [2., 2., 0., 0.]], dtype=float32)
    """
    k = _kernels()
    ya = as_array(y, "y")
    if ya.dtype.kind not in "biuf":
        raise ValueError(
            f"y must hold integer class ids or one-hot rows of numbers; got dtype "
            f"{ya.dtype}."
        )
    if ya.ndim == 3 and ya.shape[-1] == 1:
        ya = ya[..., 0]
    if ya.ndim == 3:
        one_hot = True
        token_shape = ya.shape[:2]
        width = ya.shape[2]
        if ya.dtype.kind != "f" or ya.dtype.itemsize < 4:  # ints, bools, float16
            ya = ya.astype(np.float64 if ya.dtype.itemsize > 4 else np.float32)
        yk = np.ascontiguousarray(ya).reshape(-1, width)
    elif ya.ndim in (1, 2):
        one_hot = False
        token_shape = ya.shape
        width = None
        yk = np.ascontiguousarray(ya).reshape(-1)
        if yk.dtype.kind == "b":
            yk = yk.view(np.uint8)
    else:
        raise ValueError(
            "y must be class ids of shape (N, T) (or (N,)) or one-hot rows of shape "
            f"(N, T, C); got shape {ya.shape}."
        )
    token_shape = tuple(int(s) for s in token_shape)
    n = yk.shape[0]

    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
                or num_classes < 1:
            raise ValueError(
                f"num_classes must be a positive integer or None; got {num_classes!r}."
            )
        num_classes = int(num_classes)
        if one_hot and num_classes != width:
            raise ValueError(
                f"num_classes is {num_classes} but the one-hot y has {width} columns "
                f"(shape {ya.shape})."
            )
    if one_hot and ignore_index is not None:
        raise ValueError(
            "ignore_index applies to integer labels; with one-hot y of shape "
            f"{ya.shape} pass mask= to skip tokens."
        )
    ignore = check_ignore_index(ignore_index)
    m = check_mask(mask, token_shape)
    w, rep, _ = check_sample_weight(sample_weight, token_shape)
    if w is not None:
        w = np.ascontiguousarray(w, dtype=np.float64)

    balanced = False
    cw_in = None
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                "class_weight must be 'balanced', a dict {class_id: weight}, an array "
                f"of one weight per class, or None; got {class_weight!r}."
            )
        balanced = True
    elif class_weight is not None and not isinstance(class_weight, dict):
        cw_in = np.asarray(class_weight)
        if cw_in.ndim != 1 or cw_in.dtype.kind not in "biuf":
            raise ValueError(
                "class_weight must be 'balanced', a dict {class_id: weight}, or a 1-D "
                f"array of one weight per class; got shape {cw_in.shape}, dtype "
                f"{cw_in.dtype}."
            )

    chunk = config.CHUNK
    parallel = n > chunk
    count_kern = by_size(k, "class_count_chunks", n)
    counted = None

    # the number of classes C
    if one_hot:
        C = width
    elif num_classes is not None:
        C = num_classes
    elif cw_in is not None:
        C = cw_in.shape[0]
    else:
        C = None
        if balanced:
            # count with a guessed table size: no separate pass for the largest
            # label unless a label falls outside it (then the checked path below)
            counted = count_kern(yk, config.GUESS_CLASSES, w, rep, m, ignore, chunk)
            if (counted[2] >= 0).any():
                counted = None
            else:
                seen = np.flatnonzero(counted[0].sum(axis=0))
                C = int(seen[-1]) + 1 if seen.size else 1
                counted = (counted[0][:, :C], counted[1][:, :C]) + counted[2:]
        if C is None:
            C = _infer_classes(k, yk, m, ignore, token_shape)
        if isinstance(class_weight, dict) and class_weight:
            keys = [kk for kk in class_weight if _is_class_id(kk)]
            if keys:
                C = max(C, max(int(kk) for kk in keys) + 1)
    if cw_in is not None and cw_in.shape[0] != C:
        raise ValueError(
            f"class_weight has {cw_in.shape[0]} entries but there are {C} classes "
            "(num_classes or the one-hot width); give one weight per class."
        )

    if balanced:
        if counted is None:
            counted = count_kern(yk, C, w, rep, m, ignore, chunk)
        counts, wsum, bad_index, bad_code = counted
        _raise_bad(k, bad_index, bad_code, yk, one_hot, C, token_shape)
        counts = counts.sum(axis=0)  # chunk order: deterministic
        wc = wsum.sum(axis=0) if w is not None else counts.astype(np.float64)
        present = wc > 0
        n_present = int(present.sum())
        cw = np.zeros(C, dtype=np.float64)
        if n_present:
            cw[present] = wc.sum() / (n_present * wc[present])
    elif class_weight is None:
        cw = np.ones(C, dtype=np.float64)
    else:
        cw = check_class_weight(class_weight if cw_in is None else cw_in, C)

    out = np.empty(n, dtype=np.float32)
    kern = by_size(k, "temporal_weight_chunks", n)
    bad_index, bad_code = kern(yk, C, cw, w, rep, m, ignore, out, chunk)
    _raise_bad(k, bad_index, bad_code, yk, one_hot, C, token_shape)
    out = out.reshape(token_shape)
    return (out, cw) if return_class_weight else out


def _is_class_id(key):
    try:
        return int(key) == key and int(key) >= 0
    except (TypeError, ValueError):
        return False


def _infer_classes(k, yk, m, ignore, token_shape):
    """C = largest kept label + 1 (one parallel pass), checking the labels."""
    chunk = config.CHUNK
    kern = by_size(k, "label_range_chunks", yk.shape[0])
    lo, hi, bad_index, bad_code = kern(yk, m, ignore, chunk)
    _raise_bad(k, bad_index, bad_code, yk, False, None, token_shape)
    if lo.size == 0 or lo.min() > hi.max():  # no kept token
        return 1
    lo, hi = int(lo.min()), int(hi.max())
    if lo < 0:
        i = _first_index(yk, m, ignore, lambda v: v < 0)
        raise ValueError(
            f"y has a negative label {yk[i].item()!r} at token {token_position(i, token_shape)}; class "
            "ids must be >= 0 (mark padding with mask= or ignore_index=)."
        )
    return hi + 1


def _first_index(yk, m, ignore, pred):
    keep = np.ones(yk.shape[0], dtype=bool) if m is None else m.copy()
    if ignore is not None:
        keep &= yk != ignore
    return int(np.flatnonzero(keep & pred(yk))[0])


def _raise_bad(k, bad_index, bad_code, yk, one_hot, C, token_shape):
    bad = first_bad(bad_index, bad_code)
    if bad is None:
        return
    code, i = bad
    pos = token_position(i, token_shape)
    if code == k.WEIGHT_INVALID:
        raise ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at token {pos}."
        )
    if one_hot:
        raise ValueError(f"y contains NaN or infinity; first bad row at token {pos}.")
    v = yk[i].item()
    if code == k.TRUE_NOT_INTEGRAL or not (np.isfinite(v) and float(v).is_integer()):
        raise ValueError(
            f"y has a value that is not an integer class id (NaN, inf or fractional) "
            f"at token {pos}: {v!r}."
        )
    raise ValueError(
        f"y has a label {v!r} outside [0, {C}) at token {pos}; pass num_classes, "
        "a longer class_weight, or skip padding with mask= or ignore_index=."
    )
