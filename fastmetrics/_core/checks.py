"""Argument and array checks shared by every family and front end.

Every error names the argument, the shapes involved and what is wrong; where
scikit-learn rejects the same input, its sentence is kept (matchable).
"""

import numbers
import warnings

import numpy as np

from ..exceptions import DataConversionWarning, InvalidParameterError

TASKS = ("binary", "multiclass", "multilabel")
AVERAGES = (None, "micro", "macro", "weighted", "samples", "binary")


def check_task(task):
    if task is not None and task not in TASKS:
        raise ValueError(
            f"task must be None, 'binary', 'multiclass' or 'multilabel'; got {task!r}."
        )


def check_average(average, allowed=AVERAGES):
    if average not in allowed:
        raise ValueError(
            f"average must be one of {allowed}; got {average!r}."
        )


def check_zero_division(zero_division):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if zero_division in (0, 1) or np.isnan(zero_division):
            return
    elif isinstance(zero_division, bool):  # sklearn accepts 0/1 via Real
        return
    raise ValueError(
        f"zero_division must be 'warn', 0.0, 1.0 or np.nan; got {zero_division!r}."
    )


def check_normalize_cm(normalize):
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize must be one of 'true', 'pred', 'all' or None; got {normalize!r}."
        )


def check_beta(beta):
    if (
        isinstance(beta, bool)
        or not isinstance(beta, numbers.Real)
        or np.isnan(beta)
        or beta < 0
    ):
        raise ValueError(f"beta must be a real number >= 0; got {beta!r}.")


def check_threshold(threshold):
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not np.isfinite(threshold)
    ):
        raise ValueError(f"threshold must be a finite real number; got {threshold!r}.")
    return float(threshold)


def check_num_classes(num_classes, task):
    if num_classes is None:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
    num_classes = int(num_classes)
    if num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes}.")
    if task == "binary" and num_classes != 2:
        raise ValueError(
            f"num_classes must be 2 (or None) with task='binary'; got {num_classes}."
        )
    return num_classes


def check_state_task(task, num_classes):
    """The task and class count of a streaming state (its size is fixed when
    it is made): returns ``num_classes`` (2 for binary)."""
    if task not in TASKS:
        raise ValueError(
            "task must be 'binary', 'multiclass' or 'multilabel' for a streaming state "
            f"(the class count must be fixed in advance); got {task!r}."
        )
    num_classes = check_num_classes(num_classes, task)
    if task == "binary":
        return 2
    if num_classes is None:
        raise ValueError(
            f"num_classes is required for task={task!r} (the state has a fixed size)."
        )
    return num_classes


def as_array(x, name):
    """Turn lists, tuples, pandas objects and array-likes into a NumPy array.

    Sparse matrices are densified (only multilabel indicators are sparse).
    """
    if x is None:
        raise ValueError(f"{name} must be an array-like, got None.")
    if isinstance(x, str):
        raise ValueError(f"{name} must be an array-like (not a string); got {x!r}.")
    if hasattr(x, "toarray") and hasattr(x, "format") and hasattr(x, "nnz"):
        return np.asarray(x.toarray())
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "to_numpy"):
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def check_mask(mask, token_shape):
    """Return a flat bool mask for tokens of ``token_shape`` (or None)."""
    if mask is None:
        return None
    m = as_array(mask, "mask")
    if m.dtype != np.bool_:
        raise ValueError(
            f"mask must be a boolean array (True = keep the token); got dtype {m.dtype}."
        )
    if m.shape != tuple(token_shape):
        raise ValueError(
            f"mask has shape {m.shape} but the tokens have shape {tuple(token_shape)}; "
            "a mask must have exactly the token shape."
        )
    return np.ascontiguousarray(m).reshape(-1)


def check_sample_weight(sample_weight, token_shape):
    """Prefix-broadcast ``sample_weight`` to the tokens without materialising it.

    Returns ``(w, rep, is_integer)`` where token ``i`` (in C order) has weight
    ``w[i // rep]``, or ``(None, 1, True)`` when there are no weights.

    A weight shaped like a prefix of the token shape — ``(N,)`` for tokens
    ``(N, T)`` — applies to every token of that prefix (one weight per
    sequence).  NumPy's trailing-axis broadcasting would silently pair an
    ``(N,)`` weight with the timestep axis when ``N == T``; it is not used.
    """
    if sample_weight is None:
        return None, 1, True
    sw = as_array(sample_weight, "sample_weight")
    token_shape = tuple(token_shape)
    if sw.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must hold real numbers; got dtype {sw.dtype}."
        )
    is_int = sw.dtype.kind in "biu"
    if sw.dtype != np.float64:
        # the kernels take float64 weights (one compiled variant, exact sums)
        sw = sw.astype(np.float64)
    n_tokens = int(np.prod(token_shape, dtype=np.int64))
    if sw.ndim == 0:
        raise ValueError(
            "sample_weight must be an array shaped like a prefix of the token shape "
            f"{token_shape} (e.g. (N,) or (N, T)); got a scalar."
        )
    shape = sw.shape
    # Drop trailing size-1 axes that stand for broadcast axes: (N, 1) -> (N,).
    while len(shape) > 1 and shape[-1] == 1 and (
        len(shape) > len(token_shape) or token_shape[len(shape) - 1] != 1
    ):
        shape = shape[:-1]
    if len(shape) <= len(token_shape) and shape == token_shape[: len(shape)]:
        w = np.ascontiguousarray(sw).reshape(-1)
        rep = int(np.prod(token_shape[len(shape):], dtype=np.int64)) if n_tokens else 1
        return w, max(rep, 1), is_int
    if sw.ndim == len(token_shape):
        try:
            b = np.broadcast_to(sw, token_shape)
        except ValueError:
            b = None
        if b is not None:
            return np.ascontiguousarray(b).reshape(-1), 1, is_int
    raise ValueError(
        f"sample_weight has shape {sw.shape}, which does not broadcast to the token "
        f"shape {token_shape}: pass one weight per sequence {token_shape[:1]} or one "
        f"per token {token_shape}."
    )


def check_class_weight(class_weight, n_classes, name="class_weight"):
    """Return a float64 array of length ``n_classes`` (missing dict keys = 1)."""
    if class_weight is None:
        return None
    cw = np.ones(n_classes, dtype=np.float64)
    if isinstance(class_weight, dict):
        for k, v in class_weight.items():
            try:
                idx = int(k)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{name} keys must be class ids in [0, {n_classes}); got {k!r}."
                ) from None
            if idx != k or not 0 <= idx < n_classes:
                raise ValueError(
                    f"{name} keys must be class ids in [0, {n_classes}); got {k!r}."
                )
            cw[idx] = float(v)
    else:
        arr = np.asarray(class_weight, dtype=np.float64)
        if arr.ndim != 1 or arr.shape[0] != n_classes:
            raise ValueError(
                f"{name} must be a dict or an array of length {n_classes} (one weight "
                f"per class); got shape {arr.shape}."
            )
        cw[:] = arr
    bad = ~np.isfinite(cw) | (cw < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be finite and >= 0; class {i} has weight {cw[i]!r}."
        )
    return cw


def check_ignore_index(ignore_index):
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise ValueError(f"ignore_index must be an integer or None; got {ignore_index!r}.")
    return int(ignore_index)


# ------------------------------------------- scikit-learn's input checks (drop-in)

def num_samples(a):
    """Length of the first axis (1 for a 0-d array), as scikit-learn counts."""
    if hasattr(a, "shape"):
        return a.shape[0] if len(a.shape) else 1
    return len(a)


def check_consistent_length(*arrays):
    """scikit-learn's check: every array given has the same number of samples."""
    lengths = [num_samples(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: %r"
            % [int(x) for x in lengths]
        )


def assert_all_finite(a, input_name=""):
    """scikit-learn's finiteness check (message without or with the input name)."""
    if a.dtype.kind != "f" or a.size == 0:
        return
    lo = a.min()
    hi = a.max()
    if np.isfinite(lo) and np.isfinite(hi):
        return
    prefix = f"Input {input_name} contains" if input_name else "Input contains"
    if np.isnan(lo) or np.isnan(hi):
        raise ValueError(f"{prefix} NaN.")
    raise ValueError(f"{prefix} infinity or a value too large for {a.dtype!r}.")


def column_or_1d(a, name="y", *, warn=False):
    """``(n,)`` or ``(n, 1)`` -> ``(n,)``; anything else raises scikit-learn's
    message.  ``warn``: a column vector gives scikit-learn's
    DataConversionWarning."""
    a = as_array(a, name)
    if a.ndim == 2 and a.shape[1] == 1:
        if warn:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please "
                "change the shape of y to (n_samples, ), for example using ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
        a = a.reshape(-1)
    if a.ndim != 1:
        raise ValueError(
            f"{name} should be a 1d array, got an array of shape {a.shape} instead."
        )
    return a


def check_sample_weight_1d(sample_weight, n_samples, *, force_float=True):
    """scikit-learn's ``_check_sample_weight`` for one weight per sample
    (a scalar is repeated), plus fastmetrics' rule: no negative weights.

    Returns None, or an array of shape ``(n_samples,)`` (float64 when
    ``force_float``; else integer weights keep their dtype).
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, sample_weight, dtype=np.float64)
    sw = np.asarray(sample_weight)
    if sw.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must hold real numbers; got dtype {sw.dtype}.")
    if force_float and sw.dtype.kind != "f":
        sw = sw.astype(np.float64)
    if sw.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got {sw.ndim}D array. "
            f"Expected either a scalar value or a 1D array of length {n_samples}."
        )
    assert_all_finite(sw, "sample_weight")
    if sw.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected {(n_samples,)}!"
        )
    check_not_all_zero(sw)
    if sw.size and sw.min() < 0:
        i = int(np.argmax(sw < 0))
        raise ValueError(
            f"sample_weight must be >= 0 (fastmetrics does not accept negative "
            f"weights); sample {i} has weight {sw[i]!r}."
        )
    return sw


def first_bad_weight(w):
    """Index of the first weight that is NaN, infinite or negative; -1 if none."""
    bad = ~np.isfinite(w) | (w < 0)
    return int(np.argmax(bad)) if bad.any() else -1


def check_weight_values(w):
    """``w`` as float64, raising on its first non-finite or negative weight
    (the ranking family's rule; the message gives the sample's index)."""
    w = np.asarray(w, dtype=np.float64)
    i = first_bad_weight(w)
    if i >= 0:
        raise ValueError(
            f"sample_weight must be finite and >= 0; first bad weight at index {i}."
        )
    return w


def check_not_all_zero(w):
    """scikit-learn's rule: weights that are all zero define no metric."""
    if w is not None and w.shape[0] and not np.any(w):
        raise ValueError("Sample weights must contain at least one non-zero number.")


def check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a bool; got {value!r}.")


def check_pos_label_type(pos_label):
    if pos_label is not None and not isinstance(
        pos_label, (numbers.Real, str, bool, np.bool_)
    ):
        raise ValueError(
            "pos_label must be a real number, a string, a bool or None; got "
            f"{pos_label!r}."
        )


# ------------------------- scikit-learn's parameter validation (InvalidParameterError)

def is_arraylike_not_scalar(x):
    return (
        hasattr(x, "__len__") or hasattr(x, "shape") or hasattr(x, "__array__")
    ) and not np.isscalar(x)


def is_sparse(x):
    return hasattr(x, "toarray") and hasattr(x, "format") and hasattr(x, "nnz")


def param_error(func, name, allowed, value):
    raise InvalidParameterError(
        f"The {name!r} parameter of {func} must be {allowed}. Got {value!r} instead."
    )


def check_array_like(func, name, value, allow_none=False, allow_sparse=False):
    if value is None and allow_none:
        return
    if is_arraylike_not_scalar(value) or (allow_sparse and is_sparse(value)):
        return
    allowed = "an array-like"
    if allow_sparse:
        allowed += " or a sparse array or matrix"
    elif allow_none:
        allowed += " or None"
    param_error(func, name, allowed, value)
