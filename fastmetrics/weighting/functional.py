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
from collections import namedtuple

import numpy as np

from .. import config
from .._core.backend import as_kernel_ints, as_kernel_weights, by_size, kernels
from .._core.checks import (
    as_array,
    check_class_weight,
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
from .._kernels import codes

__all__ = [
    "compute_class_weight",
    "compute_sample_weight",
    "temporal_sample_weight",
]


def _kernels(y):
    """The weighting kernels for the flat labels ``y`` (their size picks the tier)."""
    return kernels("weighting", y, n=y.size)


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
    _check_output_weights(class_weight, n_outputs, indices)
    expanded = []
    for k in range(n_outputs):
        if sparse:
            y_full = np.asarray(y[:, [k]].toarray()).reshape(-1)
        else:
            y_full = y[:, k]
        if class_weight == "balanced" or n_outputs == 1:
            class_weight_k = class_weight
        else:
            class_weight_k = class_weight[k]
        expanded.append(_output_sample_weight(class_weight_k, y_full, indices))
    return np.prod(expanded, axis=0, dtype=np.float64)


def _check_output_weights(class_weight, n_outputs, indices):
    """scikit-learn's checks of ``class_weight`` against the outputs and ``indices``."""
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


def _output_sample_weight(class_weight_k, y_full, indices):
    """The weight of each sample by its class in one output ``y_full`` (the
    classes' weights computed on the subsample ``indices`` when given; a class
    missing from it weighs 0)."""
    classes_full = unique(y_full)
    classes_missing = None
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
        weight_k = _compute_class_weight(class_weight_k, classes=classes_full, y=y_full)
    weight_k = weight_k[_encode(y_full, classes_full)]
    if classes_missing:
        weight_k[np.isin(y_full, list(classes_missing))] = 0.0
    return weight_k


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
    ya, yk, one_hot = _label_array(y)
    num_classes = _check_num_classes(num_classes, one_hot, ya)
    lab = _read_options(ya, yk, one_hot, mask, ignore_index, sample_weight)
    balanced, cw_in = _class_weight_form(class_weight)
    C, counted = _n_classes(lab, num_classes, class_weight, balanced, cw_in)
    if cw_in is not None and cw_in.shape[0] != C:
        raise ValueError(
            f"class_weight has {cw_in.shape[0]} entries but there are {C} classes "
            "(num_classes or the one-hot width); give one weight per class."
        )
    if balanced:
        cw = _balanced_weights(lab, C, counted)
    elif class_weight is None:
        cw = np.ones(C, dtype=np.float64)
    else:
        cw = check_class_weight(class_weight if cw_in is None else cw_in, C)
    out = _weight_pass(lab, C, cw)
    return (out, cw) if return_class_weight else out


# The checked inputs of temporal_sample_weight as the kernels take them: the
# flat labels ``y`` ((n,) ids, or (n, C) one-hot rows), the token shape, the
# prefix weights (token ``i`` weighs ``w[i // rep]``), the flat mask and
# ignore_index.
_Labels = namedtuple("_Labels", "y one_hot shape w rep mask ignore")


def _label_array(y):
    """``y`` as an array (a trailing axis of length 1 squeezed), its flat form
    for the kernels (ids (n,), bool as uint8; or one-hot rows (n, C) of
    float32 / float64) and whether it is one-hot."""
    ya = as_array(y, "y")
    if ya.dtype.kind not in "biuf":
        raise ValueError(
            f"y must hold integer class ids or one-hot rows of numbers; got dtype "
            f"{ya.dtype}."
        )
    if ya.ndim == 3 and ya.shape[-1] == 1:
        ya = ya[..., 0]
    if ya.ndim == 3:
        if ya.dtype.kind != "f" or ya.dtype.itemsize < 4:  # ints, bools, float16
            ya = ya.astype(np.float64 if ya.dtype.itemsize > 4 else np.float32)
        return ya, np.ascontiguousarray(ya).reshape(-1, ya.shape[2]), True
    if ya.ndim in (1, 2):
        return ya, as_kernel_ints(np.ascontiguousarray(ya).reshape(-1)), False
    raise ValueError(
        "y must be class ids of shape (N, T) (or (N,)) or one-hot rows of shape "
        f"(N, T, C); got shape {ya.shape}."
    )


def _check_num_classes(num_classes, one_hot, ya):
    if num_classes is None:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
            or num_classes < 1:
        raise ValueError(
            f"num_classes must be a positive integer or None; got {num_classes!r}."
        )
    num_classes = int(num_classes)
    if one_hot and num_classes != ya.shape[2]:
        raise ValueError(
            f"num_classes is {num_classes} but the one-hot y has {ya.shape[2]} columns "
            f"(shape {ya.shape})."
        )
    return num_classes


def _read_options(ya, yk, one_hot, mask, ignore_index, sample_weight):
    """Check ``ignore_index``, the mask and the sample weights into a ``_Labels``."""
    token_shape = tuple(int(s) for s in (ya.shape[:2] if one_hot else ya.shape))
    if one_hot and ignore_index is not None:
        raise ValueError(
            "ignore_index applies to integer labels; with one-hot y of shape "
            f"{ya.shape} pass mask= to skip tokens."
        )
    ignore = check_ignore_index(ignore_index)
    m = check_mask(mask, token_shape)
    w, rep, _ = check_sample_weight(sample_weight, token_shape)
    return _Labels(yk, one_hot, token_shape, as_kernel_weights(w), rep, m, ignore)


def _class_weight_form(class_weight):
    """(whether ``class_weight`` is "balanced", the class weights given as an
    array, else None); raises for anything else than a dict or None."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                "class_weight must be 'balanced', a dict {class_id: weight}, an array "
                f"of one weight per class, or None; got {class_weight!r}."
            )
        return True, None
    if class_weight is None or isinstance(class_weight, dict):
        return False, None
    cw_in = np.asarray(class_weight)
    if cw_in.ndim != 1 or cw_in.dtype.kind not in "biuf":
        raise ValueError(
            "class_weight must be 'balanced', a dict {class_id: weight}, or a 1-D "
            f"array of one weight per class; got shape {cw_in.shape}, dtype "
            f"{cw_in.dtype}."
        )
    return False, cw_in


def _count_classes(lab, C):
    """Per-chunk (counts, weighted counts, bad index, bad code) of the kept
    tokens' classes in a table of C classes (one parallel pass)."""
    kern = by_size(_kernels(lab.y), "class_count_chunks", lab.y.shape[0])
    return kern(lab.y, C, lab.w, lab.rep, lab.mask, lab.ignore, config.CHUNK)


def _n_classes(lab, num_classes, class_weight, balanced, cw_in):
    """The number of classes C: the one-hot width, ``num_classes``, the length
    of the class-weight array, or the largest kept label + 1 (and the largest
    class-weight dict key + 1).  Also the class counts of "balanced" when the
    counting pass found C (else None)."""
    if lab.one_hot:
        return lab.y.shape[1], None
    if num_classes is not None:
        return num_classes, None
    if cw_in is not None:
        return cw_in.shape[0], None
    C = None
    counted = None
    if balanced:
        # count with a guessed table size: no separate pass for the largest
        # label unless a label falls outside it (then the checked path below)
        counted = _count_classes(lab, config.GUESS_CLASSES)
        if (counted[2] >= 0).any():
            counted = None
        else:
            seen = np.flatnonzero(counted[0].sum(axis=0))
            C = int(seen[-1]) + 1 if seen.size else 1
            counted = (counted[0][:, :C], counted[1][:, :C]) + counted[2:]
    if C is None:
        C = _infer_classes(lab)
    if isinstance(class_weight, dict) and class_weight:
        keys = [kk for kk in class_weight if _is_class_id(kk)]
        if keys:
            C = max(C, max(int(kk) for kk in keys) + 1)
    return C, counted


def _balanced_weights(lab, C, counted):
    """"balanced" class weights from the kept tokens' (weighted) counts, 0 for
    a class absent from them; ``counted``: the counts when already taken."""
    if counted is None:
        counted = _count_classes(lab, C)
    counts, wsum, bad_index, bad_code = counted
    _raise_bad(bad_index, bad_code, lab, C)
    counts = counts.sum(axis=0)  # chunk order: deterministic
    wc = wsum.sum(axis=0) if lab.w is not None else counts.astype(np.float64)
    present = wc > 0
    n_present = int(present.sum())
    cw = np.zeros(C, dtype=np.float64)
    if n_present:
        cw[present] = wc.sum() / (n_present * wc[present])
    return cw


def _weight_pass(lab, C, cw):
    """The per-token weights, float32 of the token shape (one parallel pass)."""
    n = lab.y.shape[0]
    out = np.empty(n, dtype=np.float32)
    kern = by_size(_kernels(lab.y), "temporal_weight_chunks", n)
    bad_index, bad_code = kern(lab.y, C, cw, lab.w, lab.rep, lab.mask, lab.ignore, out,
                               config.CHUNK)
    _raise_bad(bad_index, bad_code, lab, C)
    return out.reshape(lab.shape)


def _is_class_id(key):
    try:
        return int(key) == key and int(key) >= 0
    except (TypeError, ValueError):
        return False


def _infer_classes(lab):
    """C = largest kept label + 1 (one parallel pass), checking the labels."""
    kern = by_size(_kernels(lab.y), "label_range_chunks", lab.y.shape[0])
    lo, hi, bad_index, bad_code = kern(lab.y, lab.mask, lab.ignore, config.CHUNK)
    _raise_bad(bad_index, bad_code, lab, None)
    if lo.size == 0 or lo.min() > hi.max():  # no kept token
        return 1
    lo, hi = int(lo.min()), int(hi.max())
    if lo < 0:
        i = _first_kept(lab, lambda v: v < 0)
        raise ValueError(
            f"y has a negative label {lab.y[i].item()!r} at token "
            f"{token_position(i, lab.shape)}; class ids must be >= 0 (mark padding with "
            "mask= or ignore_index=)."
        )
    return hi + 1


def _first_kept(lab, pred):
    """The first kept token whose label satisfies ``pred``."""
    keep = np.ones(lab.y.shape[0], dtype=bool) if lab.mask is None else lab.mask.copy()
    if lab.ignore is not None:
        keep &= lab.y != lab.ignore
    return int(np.flatnonzero(keep & pred(lab.y))[0])


def _raise_bad(bad_index, bad_code, lab, C):
    """Raise the message of the first bad token a weighting kernel reported."""
    bad = first_bad(bad_index, bad_code)
    if bad is None:
        return
    code, i = bad
    pos = token_position(i, lab.shape)
    if code == codes.WEIGHT_INVALID:
        raise ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at token {pos}."
        )
    if lab.one_hot:
        raise ValueError(f"y contains NaN or infinity; first bad row at token {pos}.")
    v = lab.y[i].item()
    if code == codes.TRUE_NOT_INTEGRAL or not (np.isfinite(v) and float(v).is_integer()):
        raise ValueError(
            f"y has a value that is not an integer class id (NaN, inf or fractional) "
            f"at token {pos}: {v!r}."
        )
    raise ValueError(
        f"y has a label {v!r} outside [0, {C}) at token {pos}; pass num_classes, "
        "a longer class_weight, or skip padding with mask= or ignore_index=."
    )
