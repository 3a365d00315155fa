"""Per-token losses with Keras' names and semantics, and scikit-learn's ``log_loss``.

Every function reduces its input in one fused kernel pass to three float64
numbers over the kept tokens — the weighted loss sum ``S``, the weight sum
``W`` and the token count ``K`` — and derives the requested reduction from
them (see docs/losses-and-reductions.md):

* ``"sum"``: ``S``;
* ``"sum_over_batch_size"`` (default) and ``"mean"``: ``S / K`` — Keras
  divides by the number of tokens and rescales a mask by ``total / valid``,
  which is the same thing;
* ``"mean_with_sample_weight"``: ``S / W``;
* ``"none"``: one weighted loss per token, shaped like the tokens, 0 at
  masked / ignored tokens.

A ratio with a zero denominator is 0 (Keras' ``divide_no_nan``).

A token's weight is ``sample_weight * class_weight[true class]``; dropped
tokens (``mask`` False, or ``y_true == ignore_index``) are what Keras calls
masked: they contribute nothing to ``S``, ``W`` or ``K`` (Keras'
``ignore_class`` of ``SparseCategoricalCrossentropy`` is exactly
``ignore_index``).  Losses are computed in float64 whatever the input dtype;
Keras' probability clipping ``[1e-7, 1 - 1e-7]`` uses bounds rounded to the
input's float dtype, as Keras does (float32: ``1 - 1.19e-7``).
"""

import numbers
import warnings
from collections import namedtuple

import numpy as np

from .. import config
from .._core.backend import by_size, kernels
from .._core.docs import fill
from .._core.errors import first_bad, token_position
from .._kernels import codes
from .._kernels.numpy.losses import CCE, CFOCAL
from .._core.checks import (
    as_array,
    check_class_weight,
    check_ignore_index,
    check_mask,
    check_sample_weight,
)

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "log_loss",
    "sparse_categorical_crossentropy",
]

# Keras' backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7
REDUCTIONS = ("none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")

_COMMON_PARAMS = """
    sample_weight : array of shape (N,) or the token shape, default=None
        Aligned with the *leading* axes of the tokens (prefix broadcasting):
        ``(N,)`` is one weight per sequence, ``(N, T)`` one per token.  Must
        be finite and >= 0.
    class_weight : dict {class: weight} or array of shape (C,), default=None
        Multiplies each token's weight by the weight of its true class (the
        two weights multiply, as Keras' ``fit`` does).
    mask : bool array of the token shape (or a prefix of it), default=None
        ``False`` tokens are dropped (Keras' mask): they count in no
        reduction and are 0 in ``"none"``.
    reduction : str, default="sum_over_batch_size"
        ``"none"``, ``"sum"``, ``"sum_over_batch_size"``, ``"mean"`` or
        ``"mean_with_sample_weight"``, as in Keras 3.
    axis : int, default=-1
        The class axis; only the last axis is supported."""


def _keras_doc(shape):
    """Decorator: the docstring's ``    {common}`` line becomes the parameters
    shared by every Keras-named loss and the Returns section (the
    ``reduction="none"`` output being a float64 array ``shape``)."""
    return fill(common=_COMMON_PARAMS + f"""

    Returns
    -------
    loss : float, or float64 array {shape} when ``reduction="none"``""")


def _clip_bounds(dtype):
    """Keras' clip bounds ``[1e-7, 1 - 1e-7]`` rounded to the compute dtype.

    Keras converts inputs to its float dtype (float32 by default) and clips
    there, so for float32 input the upper bound is ``float32(1 - 1e-7) =
    1 - 1.19e-7``; float64 input keeps the float64 bounds.
    """
    dt = np.float64 if dtype == np.float64 else np.float32
    return float(dt(EPSILON)), float(dt(1.0 - EPSILON))


# internal reduction: the three float64 sums (weighted loss, weight, kept
# tokens) every reduction is computed from; used by streaming.Loss
PARTIALS = "__partials__"


def _check_reduction(reduction):
    if reduction is None:
        return "none"
    if reduction == PARTIALS:
        return reduction
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS} or None; got {reduction!r}.")
    return reduction


def _check_axis(axis, ndim):
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or (
        axis != -1 and axis != ndim - 1
    ):
        raise ValueError(
            f"axis must be -1 (the last axis is the class axis); got axis={axis!r}."
        )


def _check_unit(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (0 <= value <= 1):
        raise ValueError(f"{name} must be a real number in [0, 1]; got {value!r}.")
    return float(value)


def _check_gamma(gamma):
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not (
        np.isfinite(gamma) and gamma >= 0
    ):
        raise ValueError(f"gamma must be a finite real number >= 0; got {gamma!r}.")
    return float(gamma)


def _float_array(x, name):
    a = as_array(x, name)
    if a.dtype.kind == "b":
        a = a.astype(np.float32)
    elif a.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {a.dtype}.")
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    return a


def _kernel_dtype(a, kind):
    """``a`` in the one dtype of its kind the kernels are compiled for: int64
    for class ids of any integer width (``kind`` "ids"; uint64, whose values
    may not fit, stays), float64 for targets and float ids.  Every compiled
    variant of a loss kernel costs seconds on first use; these casts are
    exact and cost a copy of the targets only."""
    if a.dtype.kind in "iub" and a.dtype != np.uint64:
        return a.astype(np.int64 if kind == "ids" else np.float64, copy=False)
    return a.astype(np.float64, copy=False) if a.dtype.kind == "f" else a


def _check_mask_prefix(mask, token_shape):
    """Flat bool mask for the tokens (``check_mask``); a boolean mask of a
    prefix shape such as (N,) is first broadcast to the token shape."""
    token_shape = tuple(token_shape)
    if mask is not None:
        mask = as_array(mask, "mask")
        if mask.dtype == np.bool_ and mask.shape != token_shape:
            if not (mask.ndim <= len(token_shape) and mask.shape == token_shape[: mask.ndim]):
                raise ValueError(
                    f"mask has shape {mask.shape} but the tokens have shape {token_shape}; "
                    "a mask must have the token shape (or a prefix of it)."
                )
            mask = np.broadcast_to(
                mask.reshape(mask.shape + (1,) * (len(token_shape) - mask.ndim)), token_shape)
    m = check_mask(mask, token_shape)
    if m is not None and not m.flags.writeable:
        # the kernels compile for writable masks (one specialisation); a
        # read-only mask (e.g. a JAX callback's argument) is copied
        m = m.copy()
    return m


def _raise_first_bad(bad_index, bad_code, token_shape, what):
    """Raise the message of the first bad token a Keras-loss kernel reported
    (``what``: what a valid target is)."""
    bad = first_bad(bad_index, bad_code)
    if bad is None:
        return
    code, index = bad
    pos = token_position(index, token_shape)
    messages = {
        codes.TRUE_INVALID: f"y_true has an invalid value at token {pos} ({what}).",
        codes.PRED_NOT_FINITE: f"y_pred contains NaN or infinity; first bad value at token "
                               f"{pos}.",
        codes.PRED_NOT_PROBABILITY: f"y_pred has a probability outside [0, 1] at token {pos} "
                                    "(pass from_logits=True for logits).",
        codes.WEIGHT_INVALID: "sample_weight must be finite and >= 0; first bad weight at "
                              f"token {pos}.",
        codes.ROW_SUM_ZERO: f"y_pred has probabilities summing to 0 at token {pos}.",
    }
    raise ValueError(messages[code])


def _run(kernel, yp, *args, **static):
    """Run ``kernel`` on ``args`` (``yp`` among them: the (n,) or (n, C)
    scores it scans): the NumPy twin for small inputs (``kernels``), else
    the compiled kernel;
    ``static`` are optional compile-time arguments after the chunk size
    (e.g. ``ctup``)."""
    kern = kernels("losses", yp, n=yp.shape[0], elements=yp.size)
    return by_size(kern, kernel, yp.shape[0])(*args, config.CHUNK, **static)


def _ctup(C):
    """A tuple of length C (C as a compile-time constant) for small C, else None."""
    return (0,) * C if C <= config.LOSS_MAX_STATIC_CLASSES else None


def _empty(dtype):
    return np.empty(0, dtype=dtype)


def _kernel_options(cw=None, w=None, rep=1, mask=None, out=None):
    """The optional per-token inputs as the kernels take them, ``opts =
    (has_cw, cw, w, rep, has_w, mask, has_mask, out, has_out)``: an input not
    given is an empty array with its flag False."""
    return (cw is not None, _empty(np.float64) if cw is None else cw,
            _empty(np.float64) if w is None else w, rep, w is not None,
            _empty(np.bool_) if mask is None else mask, mask is not None,
            _empty(np.float64) if out is None else out, out is not None)


# the checked per-token inputs of a Keras loss: the token shape, the reduction,
# the kernels' ``opts`` and ``out`` (the per-token losses, for "none")
_Tokens = namedtuple("_Tokens", "shape reduction opts out")


def _tokens(token_shape, reduction, sample_weight, class_weight, mask, n_classes):
    """Check the sample weights, class weights and mask of ``token_shape``
    tokens (in this order) into a ``_Tokens``."""
    w, rep, _ = check_sample_weight(sample_weight, token_shape)
    cw = check_class_weight(class_weight, n_classes)
    m = _check_mask_prefix(mask, token_shape)
    out = None
    if reduction == "none":
        out = np.empty(int(np.prod(token_shape, dtype=np.int64)), dtype=np.float64)
    return _Tokens(token_shape, reduction, _kernel_options(cw, w, rep, m, out), out)


def _loss_pass(kernel, yt, yp, loss, tokens, what, **static):
    """One fused kernel pass over the tokens (the first axis of ``yp``), its
    first bad token raised (``what``: what a valid target is), then the
    reduction of the per-chunk partials (in chunk order)."""
    part, bi, bc = _run(kernel, yp, yt, yp, loss, tokens.opts, **static)
    _raise_first_bad(bi, bc, tokens.shape, what)
    s, wsum, cnt = (float(v) for v in part[:, :3].sum(axis=0))
    if tokens.reduction == PARTIALS:
        return s, wsum, cnt
    if tokens.reduction == "none":
        return tokens.out.reshape(tokens.shape)
    return reduce_sums(s, wsum, cnt, tokens.reduction)


def reduce_sums(s, wsum, cnt, reduction):
    """A Keras 3 reduction ("sum", "sum_over_batch_size", "mean",
    "mean_with_sample_weight") from the weighted loss sum ``s``, the weight
    sum ``wsum`` and the kept-token count ``cnt``; a zero divisor gives 0."""
    if reduction == "sum":
        return s
    if reduction in ("sum_over_batch_size", "mean"):
        return s / cnt if cnt > 0 else 0.0
    return s / wsum if wsum > 0 else 0.0


def _binary(y_true, y_pred, *, from_logits, label_smoothing, focal, balancing, alpha, gamma,
            sample_weight, class_weight, mask, reduction, axis):
    reduction = _check_reduction(reduction)
    ls = _check_unit(label_smoothing, "label_smoothing")
    from_logits = bool(from_logits)
    yp = _float_array(y_pred, "y_pred")
    yt = _float_array(y_true, "y_true")
    _check_axis(axis, max(yp.ndim, 1))
    token_shape = yp.shape[:-1] if (yp.ndim >= 2 and yp.shape[-1] == 1) else yp.shape
    if yt.shape != token_shape and yt.shape != token_shape + (1,):
        raise ValueError(
            f"y_true has shape {yt.shape} but y_pred has shape {yp.shape}; binary losses "
            f"need y_true shaped {token_shape} (or with a trailing axis of size 1)."
        )
    yt = np.ascontiguousarray(_kernel_dtype(yt, "targets")).reshape(-1)
    yp = np.ascontiguousarray(yp).reshape(-1)
    tokens = _tokens(token_shape, reduction, sample_weight, class_weight, mask, 2)
    loss = (from_logits, focal, balancing, float(alpha), float(gamma), ls) + _clip_bounds(yp.dtype)
    return _loss_pass("scalar_chunks", yt, yp, loss, tokens, "targets must lie in [0, 1]")


@_keras_doc("of the token shape")
def binary_crossentropy(y_true, y_pred, *, from_logits=False, label_smoothing=0.0,
                        sample_weight=None, class_weight=None, mask=None,
                        reduction="sum_over_batch_size", axis=-1):
    """Binary cross-entropy per element, reduced as Keras 3's ``BinaryCrossentropy``.

    Every element of ``y_pred`` is one token (a trailing axis of size 1 is
    squeezed), so ``(N, T)`` or ``(N, T, 1)`` predictions give ``(N, T)``
    tokens and a multilabel ``(N, T, L)`` array gives ``N * T * L`` tokens.
    (Keras averages over the last axis before reducing; for predictions with
    a trailing axis of size 1 the two agree.)

    The loss of target ``y`` and prediction ``p`` is, with the smoothed
    target ``z = y (1 - label_smoothing) + label_smoothing / 2``:
    ``-(z log q + (1 - z) log(1 - q))`` with ``q = clip(p, 1e-7, 1 - 1e-7)``
    (Keras' clipping), or from logits the exact
    ``max(x, 0) - x z + log1p(exp(-|x|))``.

    Parameters
    ----------
    y_true : array of shape S (or S + (1,)), targets in [0, 1]
        Hard (0/1) or soft targets, any real dtype.  The class used by
        ``class_weight`` is 1 when ``y_true > 0.5``, else 0.
    y_pred : array of shape S (or S + (1,)), float
        Probabilities in [0, 1] (``from_logits=False``) or logits.
    from_logits : bool, default=False
    label_smoothing : float in [0, 1], default=0.0
    {common}

    Examples
    --------
    >>> from fastmetrics.losses import binary_crossentropy
    >>> round(binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
    0.8149
    """
    return _binary(y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                   focal=False, balancing=False, alpha=0.25, gamma=2.0,
                   sample_weight=sample_weight, class_weight=class_weight, mask=mask,
                   reduction=reduction, axis=axis)


@_keras_doc("of the token shape")
def binary_focal_crossentropy(y_true, y_pred, *, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0,
                              sample_weight=None, class_weight=None, mask=None,
                              reduction="sum_over_batch_size", axis=-1):
    """Binary focal cross-entropy per element, as Keras 3's ``BinaryFocalCrossentropy``.

    Keras' formula exactly: ``p = sigmoid(x)`` from logits (else ``p`` as
    given), ``bce`` the clipped binary cross-entropy of ``p``,
    ``p_t = z p + (1 - z)(1 - p)`` and ``loss = (1 - p_t)^gamma * bce``,
    multiplied by ``z alpha + (1 - z)(1 - alpha)`` when
    ``apply_class_balancing``.  From logits Keras goes through the clipped
    probability, so the loss of a token saturates at ``-log(1e-7)`` times the
    focal factor; this function reproduces that (it is finite for any finite
    logit).

    Parameters
    ----------
    y_true : array of shape S (or S + (1,)), targets in [0, 1]
    y_pred : array of shape S (or S + (1,)), float
    apply_class_balancing : bool, default=False
    alpha : float, default=0.25
    gamma : float >= 0, default=2.0
    from_logits : bool, default=False
    label_smoothing : float in [0, 1], default=0.0
    {common}
    """
    return _binary(y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                   focal=True, balancing=bool(apply_class_balancing),
                   alpha=_check_unit(alpha, "alpha"), gamma=_check_gamma(gamma),
                   sample_weight=sample_weight, class_weight=class_weight, mask=mask,
                   reduction=reduction, axis=axis)


def _check_class_axis(yp, axis):
    if yp.ndim < 1:
        raise ValueError("y_pred must have a class axis; got a scalar.")
    _check_axis(axis, yp.ndim)


def _n_classes(yp):
    """C, the length of the class axis (the last) of ``y_pred``."""
    C = yp.shape[-1]
    if C < 1:
        raise ValueError("y_pred must have at least one class (its last axis is empty).")
    return C


def _check_alpha(alpha, C):
    """The focal loss' ``alpha`` as one float64 per class."""
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(C, float(a))
    if a.shape != (C,) or not np.all(np.isfinite(a)):
        raise ValueError(
            f"alpha must be a finite number or an array of {C} finite numbers (one per "
            f"class); got {alpha!r}."
        )
    return a


def _ce_loss(lo, hi, *, from_logits=False, ls=0.0, xlogy=False, rtol=0.0):
    """The ``loss`` tuple of the kernel ``dense_ce_chunks``: Keras' categorical
    cross-entropy (probabilities clipped to ``[lo, hi]``), or with ``xlogy``
    scikit-learn's log loss of an indicator (rows whose sum is not within
    ``1e-8 + rtol`` of 1 counted)."""
    return (xlogy, from_logits, ls, lo, hi, rtol)


def _dense(y_true, y_pred, *, kind, from_logits, label_smoothing, alpha, gamma, sample_weight,
           class_weight, mask, reduction, axis, name):
    """The categorical losses of one-hot or soft target rows; ``kind`` the
    kernels' ``CCE`` or ``CFOCAL``."""
    reduction = _check_reduction(reduction)
    ls = _check_unit(label_smoothing, "label_smoothing")
    yp = _float_array(y_pred, "y_pred")
    yt = _float_array(y_true, "y_true")
    _check_class_axis(yp, axis)
    if yt.shape != yp.shape:
        raise ValueError(
            f"y_true has shape {yt.shape} but y_pred has shape {yp.shape}; {name} needs "
            "one-hot (or soft) targets of the same shape as y_pred (use "
            "sparse_categorical_crossentropy for class ids)."
        )
    C = _n_classes(yp)
    token_shape = yp.shape[:-1]
    n = int(np.prod(token_shape, dtype=np.int64))
    yt = np.ascontiguousarray(yt).reshape(n, C)
    yp = np.ascontiguousarray(yp).reshape(n, C)
    a = _check_alpha(alpha, C) if kind == CFOCAL else None
    tokens = _tokens(token_shape, reduction, sample_weight, class_weight, mask, C)
    lo, hi = _clip_bounds(yp.dtype)
    what = "targets must lie in [0, 1]"
    if kind == CCE:
        loss = _ce_loss(lo, hi, from_logits=bool(from_logits), ls=ls)
        return _loss_pass("dense_ce_chunks", yt, yp, loss, tokens, what, ctup=_ctup(C))
    loss = (kind, bool(from_logits), ls, a, float(gamma), lo, hi)
    return _loss_pass("scalar_chunks", yt, yp, loss, tokens, what)


@_keras_doc("of shape S")
def categorical_crossentropy(y_true, y_pred, *, from_logits=False, label_smoothing=0.0,
                             sample_weight=None, class_weight=None, mask=None,
                             reduction="sum_over_batch_size", axis=-1):
    """Categorical cross-entropy per token, as Keras 3's ``CategoricalCrossentropy``.

    With the smoothed target ``z = y (1 - label_smoothing) + label_smoothing / C``:
    from logits ``sum_c z_c (logsumexp(x) - x_c)`` (max-shifted, exact for
    any finite logits); from probabilities Keras' formula
    ``-sum_c z_c log(clip(p_c / sum(p), 1e-7, 1 - 1e-7))``.

    Parameters
    ----------
    y_true : array of shape S + (C,)
        One-hot or soft targets in [0, 1].  The class used by
        ``class_weight`` is the argmax of the row (first maximum), as in
        Keras' ``fit``.
    y_pred : array of shape S + (C,), float
        Probabilities (rows are renormalised by their sum, as Keras does) or
        logits.
    from_logits : bool, default=False
    label_smoothing : float in [0, 1], default=0.0
    {common}

    Examples
    --------
    >>> from fastmetrics.losses import categorical_crossentropy
    >>> y_true = [[0, 1, 0], [0, 0, 1]]
    >>> y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> categorical_crossentropy(y_true, y_pred, reduction="none").round(4)
    array([0.0513, 2.3026])
    """
    return _dense(y_true, y_pred, kind=CCE, from_logits=from_logits,
                  label_smoothing=label_smoothing, alpha=0.0, gamma=0.0,
                  sample_weight=sample_weight, class_weight=class_weight, mask=mask,
                  reduction=reduction, axis=axis, name="categorical_crossentropy")


@_keras_doc("of shape S")
def categorical_focal_crossentropy(y_true, y_pred, *, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, sample_weight=None, class_weight=None,
                                   mask=None, reduction="sum_over_batch_size", axis=-1):
    """Categorical focal cross-entropy per token, as Keras 3's ``CategoricalFocalCrossentropy``.

    Keras' formula exactly: ``p = softmax(x)`` from logits, ``q = clip(p /
    sum(p), 1e-7, 1 - 1e-7)`` and
    ``loss = sum_c alpha_c (1 - q_c)^gamma (-z_c log q_c)`` with the smoothed
    target ``z``.  (From logits Keras goes through the clipped probability,
    so a token's loss saturates at about ``-log(1e-7)`` times its factors.)

    Parameters
    ----------
    y_true : array of shape S + (C,), one-hot or soft targets in [0, 1]
    y_pred : array of shape S + (C,), float
    alpha : float or array of shape (C,), default=0.25
    gamma : float >= 0, default=2.0
    from_logits : bool, default=False
    label_smoothing : float in [0, 1], default=0.0
    {common}
    """
    return _dense(y_true, y_pred, kind=CFOCAL, from_logits=from_logits,
                  label_smoothing=label_smoothing, alpha=alpha, gamma=_check_gamma(gamma),
                  sample_weight=sample_weight, class_weight=class_weight, mask=mask,
                  reduction=reduction, axis=axis, name="categorical_focal_crossentropy")


@_keras_doc("of shape S")
def sparse_categorical_crossentropy(y_true, y_pred, *, from_logits=False, ignore_index=None,
                                    sample_weight=None, class_weight=None, mask=None,
                                    reduction="sum_over_batch_size", axis=-1):
    """Cross-entropy of class ids, as Keras 3's ``SparseCategoricalCrossentropy``.

    From logits ``logsumexp(x) - x_t`` (max-shifted, exact for any finite
    logits); from probabilities Keras' formula
    ``log(sum_c clip(p_c)) - log(clip(p_t))`` with the clip to
    ``[1e-7, 1 - 1e-7]``.

    Parameters
    ----------
    y_true : int array of shape S (or S + (1,))
        Class ids in ``[0, C)`` (integral floats accepted).
    y_pred : array of shape S + (C,), float
        Probabilities or logits.
    from_logits : bool, default=False
    ignore_index : int, default=None
        Tokens whose label equals it are dropped — exactly Keras'
        ``ignore_class``: they count as masked (0 in ``"none"``, not counted
        by any reduction).
    {common}

    Examples
    --------
    >>> from fastmetrics.losses import sparse_categorical_crossentropy
    >>> round(sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
    1.1769
    """
    reduction = _check_reduction(reduction)
    ignore = check_ignore_index(ignore_index)
    yp = _float_array(y_pred, "y_pred")
    yt = as_array(y_true, "y_true")
    if yt.dtype.kind not in "biuf":
        raise ValueError(f"y_true must hold integer class ids; got dtype {yt.dtype}.")
    _check_class_axis(yp, axis)
    C = _n_classes(yp)
    token_shape = yp.shape[:-1]
    if yt.shape != token_shape and yt.shape != token_shape + (1,):
        raise ValueError(
            f"y_true has shape {yt.shape} but y_pred has shape {yp.shape}; "
            f"sparse_categorical_crossentropy needs class ids shaped {token_shape}."
        )
    n = int(np.prod(token_shape, dtype=np.int64))
    yt = np.ascontiguousarray(_kernel_dtype(yt, "ids")).reshape(n)
    yp = np.ascontiguousarray(yp).reshape(n, C)
    tokens = _tokens(token_shape, reduction, sample_weight, class_weight, mask, C)
    lo, hi = _clip_bounds(yp.dtype)
    loss = (bool(from_logits), lo, hi, 0 if ignore is None else ignore, ignore is not None)
    return _loss_pass("sparse_chunks", yt, yp, loss, tokens, f"not a class id in [0, {C})",
                      ctup=_ctup(C))


# --------------------------------------------------------------------------
# scikit-learn drop-in
# --------------------------------------------------------------------------
def log_loss(y_true, y_proba=None, *, normalize=True, sample_weight=None, labels=None,
             y_pred="deprecated"):
    """Log loss (cross-entropy) with scikit-learn 1.9's signature and semantics.

    ``y_proba`` is clipped to ``[eps, 1 - eps]`` with ``eps`` the machine
    epsilon of its dtype, rows not summing to 1 warn, and the classes are the
    sorted labels of ``y_true`` (or ``labels``), as in scikit-learn.  The
    logarithms and the sums are taken in float64 (scikit-learn keeps float32
    inputs in float32; results agree to float32 rounding).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or label indicator matrix (n_samples, C)
        True labels (any sortable type) or a 0/1 indicator matrix.
    y_proba : array-like of float, shape (n_samples, C) or (n_samples,)
        Predicted probabilities; a 1-D array is the positive class'
        probability.  Columns follow the sorted labels.
    normalize : bool, default=True
        Mean loss per sample (weighted mean with ``sample_weight``) if True,
        else the sum.
    sample_weight : array-like of shape (n_samples,), default=None
        Finite and >= 0 (scikit-learn also accepts negative weights;
        fastmetrics raises ``ValueError``).
    labels : array-like, default=None
        The classes; inferred from ``y_true`` when None.
    y_pred : array-like, deprecated
        Former name of ``y_proba`` (FutureWarning), as in scikit-learn 1.9.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from fastmetrics.losses import log_loss
    >>> round(log_loss(["spam", "ham", "ham", "spam"],
    ...                [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 5)
    0.21616
    """
    y_proba = _renamed_y_pred(y_proba, y_pred)
    if y_proba is None:
        raise ValueError("y_proba must be an array-like of probabilities; got None.")
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be a bool; got {normalize!r}.")
    yp = _proba_array(y_proba)
    yt = as_array(y_true, "y_true")
    if yt.ndim == 0:
        raise ValueError("y_true must be an array of labels; got a scalar.")
    n = yp.shape[0]
    if n == 0:
        raise ValueError("Found array with 0 sample(s) (shape=%r) while a minimum of 1 is "
                         "required." % (yp.shape,))
    if yt.shape[0] != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"y_true has {yt.shape[0]}, y_proba has {n}."
        )
    w = _log_loss_weights(sample_weight, n)
    yp2 = np.ascontiguousarray(yp.reshape(n, -1))
    if yt.ndim == 2 and yt.shape[1] > 1:
        part = _log_loss_indicator(yt, yp2, labels, w)
    else:
        part = _log_loss_labels(yt, yp2, labels, w)
    s, wsum, cnt, nbad = (float(v) for v in part.sum(axis=0))
    if nbad > 0:
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=2,
        )
    if not normalize:
        return s
    if w is None:
        return s / cnt
    return s / wsum


def _renamed_y_pred(y_proba, y_pred):
    """``y_proba``, or the deprecated ``y_pred`` given for it (FutureWarning)."""
    if isinstance(y_pred, str) and y_pred == "deprecated":
        return y_proba
    if y_proba is not None:
        raise ValueError(
            "Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, "
            "use `y_proba` instead."
        )
    warnings.warn(
        "`y_pred` was renamed to `y_proba` in version 1.9 and will be removed "
        "in 1.11. Use `y_proba` instead.",
        FutureWarning,
        stacklevel=3,
    )
    return y_pred


def _proba_array(y_proba):
    """``y_proba`` as a 1-D or 2-D float array (integers as float64, float16 as float32)."""
    yp = as_array(y_proba, "y_proba")
    if yp.dtype.kind in "biu":
        yp = yp.astype(np.float64)
    elif yp.dtype.kind != "f":
        raise ValueError(f"y_proba must hold probabilities (floats); got dtype {yp.dtype}.")
    if yp.dtype == np.float16:
        yp = yp.astype(np.float32)
    if yp.ndim not in (1, 2):
        raise ValueError(f"y_proba must be 1-D or 2-D; got shape {yp.shape}.")
    return yp


def _log_loss_weights(sample_weight, n):
    """One finite weight >= 0 per sample, not all zero (float64), or None."""
    if sample_weight is None:
        return None
    w = np.asarray(as_array(sample_weight, "sample_weight"), dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(
            f"sample_weight must have shape ({n},) (one weight per sample); got {w.shape}."
        )
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"sample_weight must be finite and >= 0; sample {i} has weight {w[i]!r}."
        )
    if not np.any(w != 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return w


def _eps_rtol(yp2):
    """scikit-learn's clip ``eps`` (the machine epsilon of the dtype) and the
    tolerance of a row sum (``sqrt(eps)``, plus 1e-8 in the kernels)."""
    eps = np.finfo(yp2.dtype).eps
    return eps, float(np.sqrt(eps))


def _log_loss_labels(yt, yp2, labels, w):
    """Per-chunk partials of log_loss with 1-D labels (or a column of them).

    Integer labels without ``labels`` first go through one optimistic pass
    that takes them as the column indices 0 .. C-1, all present; otherwise
    (or when they are not) the labels are encoded as codes of the sorted
    classes and counted again.
    """
    yt = yt.reshape(-1) if yt.ndim == 2 else yt
    if yt.ndim != 1:
        raise ValueError(f"y_true must be 1-D labels or a 2-D indicator; got {yt.shape}.")
    C = yp2.shape[1]
    n_cols = 2 if C == 1 else C
    eps, rtol = _eps_rtol(yp2)
    args = (np.arange(n_cols, dtype=np.int64), yp2, np.array([1, eps, 1 - eps], dtype=yp2.dtype),
            rtol, _empty(np.float64) if w is None else w, w is not None)
    if labels is None and yt.dtype.kind in "iu":
        ids = _kernel_dtype(yt, "ids")
        part, seen, bi, bc = _run("logloss_ids_chunks", yp2, ids, *args, ctup=_ctup(C))
        if not ((bi >= 0).any() or not seen.any(axis=0).all()):
            return part
        _raise_loss_pred(bi, bc, yp2, keep_label_errors=False)
    codes, n_classes = _encode_labels(yt, labels)
    if n_classes != n_cols:
        if labels is None:
            raise ValueError(
                "y_true and y_prob contain different number of classes: "
                f"{max(n_classes, 1) if n_classes > 1 else 2} vs {n_cols}. Please "
                "provide the true labels explicitly through the labels argument. "
                f"Classes found in y_true: {np.unique(yt)}"
            )
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. "
            f"Classes found in labels: {np.unique(np.asarray(labels))}"
        )
    part, seen, bi, bc = _run("logloss_ids_chunks", yp2, codes, *args, ctup=_ctup(C))
    _raise_loss_pred(bi, bc, yp2, keep_label_errors=True)
    return part


def _raise_loss_pred(bi, bc, yp2, keep_label_errors):
    """Raise scikit-learn's errors for bad probabilities found by the kernel."""
    hit = np.flatnonzero(bi >= 0)
    if hit.size == 0:
        return
    code = int(bc[hit[0]])
    if code == codes.TRUE_NOT_IN_LABELS and not keep_label_errors:
        # labels differ from 0 .. C-1: the caller encodes them and reruns, which
        # also reports any bad probability
        return
    if code in (codes.PRED_NOT_FINITE, codes.PRED_NOT_PROBABILITY):
        if not np.all(np.isfinite(yp2)):
            i = int(np.flatnonzero(~np.isfinite(yp2).all(axis=1))[0])
            raise ValueError(f"Input y_proba contains NaN or infinity (first at sample {i}).")
        if yp2.max() > 1:
            raise ValueError(f"y_prob contains values greater than 1: {yp2.max()}")
        raise ValueError(f"y_prob contains values lower than 0: {yp2.min()}")
    if code == codes.WEIGHT_INVALID:  # pragma: no cover - weights are checked before
        raise ValueError("sample_weight must be finite and >= 0.")
    raise ValueError(f"y_true has a label that is not one of the classes at sample {int(bi[hit[0]])}.")


def _encode_labels(yt, labels):
    """Codes 0 .. K-1 of ``yt`` in the sorted classes (of ``labels`` or ``yt``)."""
    if yt.dtype.kind == "f":
        finite = np.isfinite(yt)
        if not finite.all() or np.any(yt != np.round(yt)):
            raise ValueError("Unknown label type: continuous. y_true must hold class labels.")
    if labels is not None:
        lab = np.asarray(labels)
        classes = np.unique(lab)
        if classes.shape != lab.shape or not np.all(classes == lab):
            warnings.warn(
                f"Labels passed were {labels}. But this function assumes labels are ordered "
                f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure "
                "that the columns of y_prob correspond to this ordering.",
                UserWarning,
                stacklevel=4,
            )
        pos = np.searchsorted(classes, yt)
        pos_c = np.minimum(pos, len(classes) - 1)
        ok = classes[pos_c] == yt
        if not ok.all():
            raise ValueError(
                f"y_true contains values {set(np.asarray(yt)[~ok].tolist())} not belonging "
                f"to the passed labels {labels}."
            )
        if len(classes) == 1:
            raise ValueError(
                f"The labels array needs to contain at least two labels, got {classes}."
            )
        return pos_c.astype(np.int64), len(classes)
    classes, codes = np.unique(yt, return_inverse=True)
    if len(classes) == 1:
        raise ValueError(
            f"y_true contains only one label ({classes[0]}). Please provide the list of all "
            "expected class labels explicitly through the labels argument."
        )
    return codes.reshape(-1).astype(np.int64), len(classes)


def _log_loss_indicator(yt, yp2, labels, w):
    """log_loss with a 2-D 0/1 indicator ``y_true`` (scikit-learn's multilabel reading)."""
    if yt.dtype.kind not in "biuf" or not np.isin(yt, (0, 1)).all():
        raise ValueError(
            "y_true as a 2-D array must be a 0/1 label indicator matrix (multioutput "
            "targets are not supported)."
        )
    C = yt.shape[1]
    if labels is not None and len(np.unique(np.asarray(labels))) != C:
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. "
            f"Classes found in labels: {np.unique(np.asarray(labels))}"
        )
    if yp2.shape[1] != C:
        raise ValueError(
            "y_true and y_prob contain different number of classes: "
            f"{C} vs {yp2.shape[1]}. Please provide the true labels explicitly through the "
            f"labels argument. Classes found in y_true: {np.arange(C)}"
        )
    eps, rtol = _eps_rtol(yp2)
    loss = _ce_loss(float(eps), float(1 - np.asarray(eps, dtype=yp2.dtype)), xlogy=True,
                    rtol=rtol)
    ytf = np.ascontiguousarray(yt, dtype=np.float64)
    part, bi, bc = _run("dense_ce_chunks", yp2, ytf, yp2, loss, _kernel_options(w=w),
                        ctup=_ctup(C))
    _raise_loss_pred(bi, bc, yp2, keep_label_errors=True)
    return part
